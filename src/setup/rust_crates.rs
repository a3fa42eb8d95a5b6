//! The Rust crates HumanEval-X's programs `use` (rand 0.4, regex 1, md5 0.7): built once by
//! `passk setup` with this machine's rustc, from the pinned `sandboxes/rust-crates.toml` and
//! `.lock`, into a directory named by the hash of both and of `rustc -vV` (a new toolchain
//! gets a new build, never a stale one). The process sandbox mounts it read-only and hands
//! rustc `--extern` flags from its `externs.json`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use super::{Paths, SetupError, io, run};

pub const MANIFEST: &str = include_str!("../../sandboxes/rust-crates.toml");
pub const LOCK: &str = include_str!("../../sandboxes/rust-crates.lock");
/// The crates programs may name; the rest of the lock file are their dependencies.
pub const CRATES: &[&str] = &["rand", "regex", "md5"];
const EXTERNS: &str = "externs.json";

/// A finished build: rlibs to pass with `--extern`, and their dependencies' directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RustCrates {
    /// `target/release/deps`: `-L dependency=` for the crates' own dependencies.
    pub deps: PathBuf,
    /// Crate name → its rlib.
    pub externs: Vec<(String, PathBuf)>,
}

impl RustCrates {
    /// rustc's arguments for them.
    pub fn rustc_args(&self) -> Vec<String> {
        let mut a = vec![
            "-L".to_string(),
            format!("dependency={}", self.deps.display()),
        ];
        for (name, rlib) in &self.externs {
            a.push("--extern".into());
            a.push(format!("{name}={}", rlib.display()));
        }
        a
    }
}

/// `rustc -vV` of the rustc on the PATH (the one the sandbox's `{sysroot}` points at).
fn rustc_version() -> Result<String, String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("`rustc -vV`: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn build_dir(paths: &Paths, rustc: &str) -> PathBuf {
    let hex = super::paths::recipe_hash(&[MANIFEST, LOCK, rustc]);
    paths.tools().join(format!("rust-crates-{hex}"))
}

/// The crates built for this machine's rustc, or why there are none.
pub fn find(paths: &Paths) -> Result<RustCrates, String> {
    let dir = build_dir(paths, &rustc_version()?);
    let text = std::fs::read_to_string(dir.join(EXTERNS)).map_err(|_| {
        format!(
            "HumanEval-X's Rust crates (rand 0.4, regex 1, md5 0.7) are not built for this \
             rustc: run `passk setup` (expected in {})",
            dir.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", dir.join(EXTERNS).display()))
}

/// Builds the crates unless this rustc's build exists (cargo fetches them once, checked
/// against the lock file's sha256; later builds need no network).
pub fn build(paths: &Paths, say: &mut dyn FnMut(&str)) -> Result<RustCrates, SetupError> {
    let rustc = rustc_version().map_err(|detail| SetupError::Command {
        command: "rustc -vV".into(),
        detail,
    })?;
    if let Ok(found) = find(paths) {
        say("rust crates for HumanEval-X: built");
        return Ok(found);
    }
    say("rust crates for HumanEval-X: building rand 0.4, regex 1, md5 0.7 (about a minute)");
    let dir = build_dir(paths, &rustc);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    for (name, text) in [
        ("Cargo.toml", MANIFEST),
        ("Cargo.lock", LOCK),
        ("lib.rs", ""),
    ] {
        std::fs::write(dir.join(name), text).map_err(io(&dir.join(name)))?;
    }
    run(Command::new("cargo")
        .args([
            "build",
            "--release",
            "--locked",
            "--quiet",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", dir.join("target")))?;
    let deps = dir.join("target/release/deps");
    let mut externs = Vec::new();
    for name in CRATES {
        externs.push((name.to_string(), rlib(&deps, name)?));
    }
    let crates = RustCrates { deps, externs };
    let json = serde_json::to_string_pretty(&crates).expect("serializable");
    std::fs::write(dir.join(EXTERNS), json).map_err(io(&dir.join(EXTERNS)))?;
    Ok(crates)
}

/// The one `lib<name>-<hash>.rlib` cargo built.
fn rlib(deps: &Path, name: &str) -> Result<PathBuf, SetupError> {
    let prefix = format!("lib{name}-");
    let found: Vec<PathBuf> = std::fs::read_dir(deps)
        .map_err(io(deps))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".rlib"))
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(SetupError::Command {
            command: "cargo build (HumanEval-X crates)".into(),
            detail: format!(
                "expected one {prefix}*.rlib in {}, found {}",
                deps.display(),
                found.len()
            ),
        }),
    }
}
