//! `manifest.json`: what a run directory was made from (problems, samples, limits, shard,
//! and for `passk run` the models and sampling), and the check that a resume into the
//! directory uses the same.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::MANIFEST;
use super::shard::Shard;
use crate::errors::RunError;
use crate::generate::{ModelInfo, Sampling};
use crate::lang::Language;
use crate::sandbox::Limits;

/// What a run directory was made from; a resume must match it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExecManifest {
    pub kind: String,
    pub passk_version: String,
    pub problems: String,
    pub problems_format: String,
    pub problems_sha256: String,
    pub samples: String,
    pub samples_sha256: String,
    pub limits: Limits,
    pub deterministic: bool,
    /// A comprehension task (`--task`; CRUXEval files): what the samples answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<crate::problem::cruxeval::Prediction>,
    /// The shard this directory holds, if the run was split (`passk merge` joins shards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// Only problems published in this window (`--since` / `--until`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<crate::problem::window::Window>,
    /// `passk run`: the models, sampler and languages that generated the samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<GenerationManifest>,
}

/// What generated a run, in its manifest (provenance).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GenerationManifest {
    pub models: Vec<ModelInfo>,
    pub n: usize,
    pub sampling: Sampling,
    pub languages: Vec<Language>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// Repair turns after a failed first answer (`--repair K`; absent: single-shot).
    #[serde(default, skip_serializing_if = "super::is_zero")]
    pub repair: usize,
}

impl GenerationManifest {
    /// What `other` generates differently, if anything (a resume needs none).
    pub fn difference(&self, other: &GenerationManifest) -> Option<&'static str> {
        let ids = |g: &GenerationManifest| {
            g.models
                .iter()
                .map(|m| {
                    (
                        m.name.clone(),
                        m.spec.clone(),
                        m.file_sha256.clone(),
                        m.style,
                        m.request.clone(),
                        m.reasoning_budget,
                    )
                })
                .collect::<Vec<_>>()
        };
        if ids(self) != ids(other) {
            return Some("models");
        }
        let same = self.n == other.n
            && self.sampling == other.sampling
            && self.languages == other.languages
            && self.limit == other.limit;
        if !same {
            return Some("sampling settings (-n, --temperature, --langs, --limit …)");
        }
        (self.repair != other.repair).then_some("--repair")
    }
}

/// Refuses to resume into a directory made from other inputs, limits or (`passk run`)
/// models and sampling.
pub fn check_resume(out: &Path, manifest: &ExecManifest) -> Result<(), RunError> {
    if !out.join(MANIFEST).exists() {
        return Ok(());
    }
    let old: ExecManifest = super::read_run_file(out, MANIFEST)?;
    let differs = |what: &str| {
        Err(RunError::ResumeMismatch(format!(
            "{} holds a run with different {what}; resume needs the same inputs, models, \
             sampling and limits",
            out.display()
        )))
    };
    if old.kind != manifest.kind {
        return differs(&format!("kind (it was made by `passk {}`)", old.kind));
    }
    if old.problems_sha256 != manifest.problems_sha256 {
        return differs("problems");
    }
    if old.samples_sha256 != manifest.samples_sha256 {
        return differs("samples");
    }
    if old.limits != manifest.limits || old.deterministic != manifest.deterministic {
        return differs("limits");
    }
    if old.shard != manifest.shard {
        return differs("--shard");
    }
    if old.task != manifest.task {
        return differs("--task");
    }
    if old.window != manifest.window {
        return differs("--since/--until");
    }
    match (&old.generation, &manifest.generation) {
        (None, None) => Ok(()),
        (Some(a), Some(b)) => match a.difference(b) {
            Some(what) => differs(what),
            None => Ok(()),
        },
        _ => differs("generation settings"),
    }
}
