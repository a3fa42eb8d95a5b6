//! Where passk keeps what `passk setup` fetches and builds: `$PASSK_CACHE`, else
//! `$XDG_CACHE_HOME/passk`, else `~/.cache/passk`.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The guest app and WIT world of the pre-initialized Python guest, embedded so that an
/// installed passk binary can build it without the source tree.
pub const PYTHON_GUEST_APP: &str = include_str!("../../sandboxes/python-guest/app.py");
/// The runner `app.py` imports; the process sandbox runs it as the Python program's `main.py`.
pub const PYTHON_GUEST_EVALUATE: &str = include_str!("../../sandboxes/python-guest/evaluate.py");
pub const PYTHON_GUEST_WIT: &str = include_str!("../../sandboxes/python-guest/wit/guest.wit");

#[derive(Debug, Clone)]
pub struct Paths {
    pub root: PathBuf,
}

impl Paths {
    pub fn from_env() -> Paths {
        let root = if let Some(p) = std::env::var_os("PASSK_CACHE") {
            PathBuf::from(p)
        } else if let Some(p) = std::env::var_os("XDG_CACHE_HOME") {
            PathBuf::from(p).join("passk")
        } else if let Some(home) = std::env::var_os("HOME") {
            PathBuf::from(home).join(".cache/passk")
        } else {
            PathBuf::from(".passk-cache")
        };
        Paths { root }
    }

    pub fn at(root: impl Into<PathBuf>) -> Paths {
        Paths { root: root.into() }
    }

    pub fn wheels(&self) -> PathBuf {
        self.root.join("wheels")
    }
    pub fn guests(&self) -> PathBuf {
        self.root.join("guests")
    }
    pub fn tools(&self) -> PathBuf {
        self.root.join("tools")
    }
    /// Compiled guests (`Module/Component::serialize`), keyed by engine and guest hash.
    pub fn compiled(&self) -> PathBuf {
        self.root.join("compiled")
    }
    /// The execution cache: verdicts keyed by program, sandbox version and limits.
    pub fn results_cache(&self) -> PathBuf {
        self.root.join("results")
    }
    pub fn python_plain(&self) -> PathBuf {
        self.guests().join("python.wasm")
    }
    pub fn quickjs(&self) -> PathBuf {
        self.guests().join("quickjs.wasm")
    }
    /// The pre-initialized Python component; its name carries the hash of its recipe, so a
    /// changed guest app is rebuilt rather than silently reused.
    pub fn python_component(&self) -> PathBuf {
        self.guests().join(format!(
            "python-evaluator-{}.wasm",
            python_guest_recipe_hash()
        ))
    }
}

/// Hash of everything the Python component is built from.
pub fn python_guest_recipe_hash() -> String {
    let mut h = Sha256::new();
    h.update(PYTHON_GUEST_APP.as_bytes());
    h.update(PYTHON_GUEST_EVALUATE.as_bytes());
    h.update(PYTHON_GUEST_WIT.as_bytes());
    h.update(
        crate::setup::pins::pins()
            .componentize_py()
            .version
            .as_bytes(),
    );
    hex::encode(&h.finalize()[..8])
}

/// A short name for what a cache directory was built from: the first 6 bytes of the sha256
/// of `parts` (each ended by a NUL), hex.
pub fn recipe_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..6])
}

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()))
}
