//! The run directory: everything passk writes to disk and reads back. [`manifest`] (what
//! the run was made from, and the resume check), the JSONL records appended as work
//! finishes ([`results`], [`samples`], through [`jsonl`] with its torn-tail recovery), the
//! reference check ([`references`]), the summary ([`summary`]), and the shard a directory
//! holds ([`shard`]). Pipelines (`runner`) decide what to write; this module decides how it
//! is laid out and read back.

pub mod jsonl;
pub mod manifest;
pub mod references;
pub mod results;
pub mod routing;
pub mod samples;
pub mod shard;
pub mod summary;

use std::path::Path;

use serde::Serialize;

use crate::errors::RunError;

pub const MANIFEST: &str = "manifest.json";
pub const RESULTS: &str = "results.jsonl";
pub const SAMPLES: &str = "samples.jsonl";
pub const SUMMARY: &str = "summary.json";

/// Writes one JSON file of a run directory so that a reader sees the old file or the new
/// one, never half of one.
pub fn write_json_atomically(path: &Path, value: &impl Serialize) -> Result<(), RunError> {
    let io = |e: std::io::Error| RunError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    serde_json::to_writer_pretty(&mut tmp, value).map_err(|e| io(e.into()))?;
    std::io::Write::write_all(&mut tmp, b"\n").map_err(io)?;
    // Temporary files are created private; run files are ordinary, readable output.
    use std::os::unix::fs::PermissionsExt;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))
        .map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Reads one JSON file of a run directory (`manifest.json`, `summary.json`).
pub fn read_run_file<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
) -> Result<T, RunError> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| RunError::Io {
        path: path.clone(),
        source: e,
    })?;
    serde_json::from_str(&text).map_err(|e| RunError::Corrupt {
        path: path.clone(),
        what: name.to_string(),
        message: e.to_string(),
    })
}

/// serde's test for counters left out of a record when zero (`turn`).
pub(crate) fn is_zero(n: &usize) -> bool {
    *n == 0
}
