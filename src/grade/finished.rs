//! A finished run directory as compare, gate and report read it (manifest, summary — rebuilt
//! from the results when a crash left none —, sandboxes and models), and
//! deciding whether two runs may be compared at all.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::summary::summarize;
use crate::errors::RunError;
use crate::rundir::manifest::ExecManifest;
use crate::rundir::summary::Summary;
use crate::rundir::{MANIFEST, RESULTS, SUMMARY, read_run_file, results};

pub struct RunDir {
    pub path: PathBuf,
    pub manifest: ExecManifest,
    pub summary: Summary,
    /// Every sandbox kind/version that produced a result.
    pub sandboxes: BTreeSet<String>,
    /// Models named by results.
    pub models: BTreeSet<String>,
}

impl RunDir {
    pub fn open(path: &Path) -> Result<RunDir, RunError> {
        let manifest: ExecManifest = read_run_file(path, MANIFEST)?;
        let summary = if path.join(SUMMARY).exists() {
            read_run_file(path, SUMMARY)?
        } else {
            summarize(path, 0)?
        };
        let mut sandboxes = BTreeSet::new();
        let mut models = BTreeSet::new();
        results::for_each(&path.join(RESULTS), |r| {
            sandboxes.insert(format!("{} {}", r.sandbox.kind, r.sandbox.version));
            if let Some(m) = r.model {
                models.insert(m);
            }
        })?;
        Ok(RunDir {
            path: path.to_path_buf(),
            manifest,
            summary,
            sandboxes,
            models,
        })
    }

    pub fn results_path(&self) -> PathBuf {
        self.path.join(RESULTS)
    }
}

/// Why two runs are not comparable (empty when they are): a different problem suite,
/// different limits or mode, or different sandboxes/toolchains.
pub fn incomparable(a: &RunDir, b: &RunDir) -> Vec<String> {
    let mut why = Vec::new();
    if a.manifest.problems_sha256 != b.manifest.problems_sha256 {
        why.push(format!(
            "problem suites differ ({} vs {})",
            &a.manifest.problems_sha256[..12],
            &b.manifest.problems_sha256[..12]
        ));
    }
    if a.manifest.task != b.manifest.task {
        why.push("they answer different tasks (--task)".into());
    }
    if a.manifest.limits != b.manifest.limits
        || a.manifest.deterministic != b.manifest.deterministic
    {
        why.push("limits or --deterministic differ".into());
    }
    if a.sandboxes != b.sandboxes {
        why.push(format!(
            "sandbox/toolchain versions differ ({:?} vs {:?})",
            a.sandboxes, b.sandboxes
        ));
    }
    why
}
