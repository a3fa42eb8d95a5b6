//! npm packages that benchmark programs `require` (HumanEval-X JavaScript/162: `js-md5`),
//! fetched once by `passk setup` with `npm pack` of a pinned version, checked against its
//! sha256, and unpacked into `<cache>/npm/node_modules/<name>/`. Node in the process sandbox
//! finds them through `NODE_PATH` (mounted read-only); the QuickJS guest, which has no file
//! system, gets a package's main file bundled into a program that names the package.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Paths, SetupError, io, run, verify};

pub struct NpmPackage {
    pub name: &'static str,
    pub version: &'static str,
    /// sha256 of the tarball `npm pack` fetches.
    pub sha256: &'static str,
    /// The package's main file, inside the package.
    pub main: &'static str,
}

pub const PACKAGES: &[NpmPackage] = &[NpmPackage {
    name: "js-md5",
    version: "0.8.3",
    sha256: "45ba383a8b77ea8427b5e8f1efd6f0ced6714028f1b32d208a8dd8ecbc38a479",
    main: "src/md5.js",
}];

/// Where the unpacked packages live (`NODE_PATH`).
pub fn node_modules(paths: &Paths) -> PathBuf {
    paths.root.join("npm/node_modules")
}

fn stamp(dir: &Path) -> PathBuf {
    dir.join(".passk-sha256")
}

/// Fetches and unpacks every package not already there at its pinned version.
pub fn setup(paths: &Paths, say: &mut dyn FnMut(&str)) -> Result<(), SetupError> {
    for p in PACKAGES {
        let dir = node_modules(paths).join(p.name);
        if std::fs::read_to_string(stamp(&dir)).is_ok_and(|s| s == p.sha256) {
            say(&format!("npm {}@{}: verified", p.name, p.version));
            continue;
        }
        say(&format!("npm {}@{}: fetching", p.name, p.version));
        let parent = paths.root.join("npm");
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let tmp = tempfile::tempdir_in(&parent).map_err(io(&parent))?;
        run(Command::new("npm")
            .args(["pack", "--silent", &format!("{}@{}", p.name, p.version)])
            .current_dir(tmp.path()))?;
        let tarball = tmp.path().join(format!("{}-{}.tgz", p.name, p.version));
        verify(&tarball, p.sha256)?;
        run(Command::new("tar")
            .arg("xzf")
            .arg(&tarball)
            .current_dir(tmp.path()))?;
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(node_modules(paths)).map_err(io(&dir))?;
        std::fs::rename(tmp.path().join("package"), &dir).map_err(io(&dir))?;
        std::fs::write(stamp(&dir), p.sha256).map_err(io(&dir))?;
    }
    Ok(())
}

/// The main file of every package `source` names (`'js-md5'` or `"js-md5"`), for bundling.
pub fn bundled(paths: &Paths, source: &str) -> Vec<(&'static str, Result<String, String>)> {
    PACKAGES
        .iter()
        .filter(|p| {
            source.contains(&format!("'{}'", p.name)) || source.contains(&format!("\"{}\"", p.name))
        })
        .map(|p| {
            let file = node_modules(paths).join(p.name).join(p.main);
            let text = std::fs::read_to_string(&file).map_err(|_| {
                format!(
                    "the npm package {} is not installed: run `passk setup`",
                    p.name
                )
            });
            (p.name, text)
        })
        .collect()
}
