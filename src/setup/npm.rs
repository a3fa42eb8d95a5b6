//! npm packages Node programs `require` in the process sandbox: `js-md5` (HumanEval-X
//! JavaScript/162) and the Exercism JavaScript track's test runner (Jest, babel-jest and the
//! track's Babel preset, at the versions its exercises' `package.json` accept). One pinned
//! project, `sandboxes/npm/package.json` with its `package-lock.json` (every tarball's
//! sha512 integrity), installed once by `passk setup` with `npm ci --ignore-scripts` into
//! `<cache>/npm/node_modules/`. Node finds them through `NODE_PATH` (mounted read-only); the
//! QuickJS guest, which has no file system, gets a package's main file bundled into a
//! program that names the package.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Paths, SetupError, io, run};

pub const MANIFEST: &str = include_str!("../../sandboxes/npm/package.json");
pub const LOCK: &str = include_str!("../../sandboxes/npm/package-lock.json");

/// A package benchmark programs name, bundled for the QuickJS guest.
pub struct Bundled {
    pub name: &'static str,
    /// The package's main file, inside the package.
    pub main: &'static str,
}

pub const BUNDLED: &[Bundled] = &[Bundled {
    name: "js-md5",
    main: "src/md5.js",
}];

/// Where the unpacked packages live (`NODE_PATH`; `{npm}` in `sandboxes/languages.toml`).
pub fn node_modules(paths: &Paths) -> PathBuf {
    paths.root.join("npm/node_modules")
}

/// Holds the sha256 of the lock file the packages were installed from.
fn stamp(dir: &Path) -> PathBuf {
    dir.join(".passk-lock-sha256")
}

fn lock_hash() -> String {
    super::paths::recipe_hash(&[MANIFEST, LOCK])
}

/// Installs the locked packages unless the ones there came from this lock file. `npm ci`
/// runs in a fresh directory beside the old tree, which is replaced only once the install
/// succeeded: an interrupted setup leaves the previous packages, never half of the new.
pub fn setup(paths: &Paths, say: &mut dyn FnMut(&str)) -> Result<(), SetupError> {
    let dir = node_modules(paths);
    let hash = lock_hash();
    if std::fs::read_to_string(stamp(&dir)).is_ok_and(|s| s == hash) {
        say("npm packages (js-md5, Jest + Babel): verified");
        return Ok(());
    }
    say("npm packages (js-md5, Jest + Babel): npm ci of sandboxes/npm/package-lock.json");
    let parent = paths.root.join("npm");
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let tmp = tempfile::tempdir_in(&parent).map_err(io(&parent))?;
    for (name, text) in [("package.json", MANIFEST), ("package-lock.json", LOCK)] {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).map_err(io(&p))?;
    }
    // No install scripts: nothing a package ships runs on this machine.
    run(Command::new("npm")
        .args([
            "ci",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ])
        .current_dir(tmp.path()))?;
    let fresh = tmp.path().join("node_modules");
    std::fs::write(stamp(&fresh), &hash).map_err(io(&fresh))?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&fresh, &dir).map_err(io(&dir))?;
    Ok(())
}

/// The main file of every package `source` names (`'js-md5'` or `"js-md5"`), for bundling.
pub fn bundled(paths: &Paths, source: &str) -> Vec<(&'static str, Result<String, String>)> {
    BUNDLED
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The lock file pins every package by integrity hash and names no registry (npm
    /// fetches from the one configured), and locks what the manifest asks for.
    #[test]
    fn lock_pins_every_package() {
        let lock: serde_json::Value = serde_json::from_str(LOCK).unwrap();
        let manifest: serde_json::Value = serde_json::from_str(MANIFEST).unwrap();
        let packages = lock["packages"].as_object().unwrap();
        assert!(packages.len() > 100);
        for (path, p) in packages.iter().filter(|(k, _)| !k.is_empty()) {
            assert!(
                p["integrity"]
                    .as_str()
                    .is_some_and(|i| i.starts_with("sha512-")),
                "{path} has no sha512 integrity"
            );
            assert!(
                p.get("resolved").is_none(),
                "{path} names where it came from"
            );
        }
        for (name, version) in manifest["dependencies"].as_object().unwrap() {
            let locked = &packages[&format!("node_modules/{name}")]["version"];
            assert_eq!(locked, version, "{name}");
        }
        for b in BUNDLED {
            assert!(packages.contains_key(&format!("node_modules/{}", b.name)));
        }
    }
}
