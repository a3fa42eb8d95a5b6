//! A routing run's files: `manifest.json` (suite, models, sampling; a resume must match),
//! `decisions.jsonl` (one line per decision, appended as each is made) and `routing.json`
//! (the scores).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{MANIFEST, read_run_file};
use crate::errors::RunError;
use crate::generate::{ModelInfo, Sampling};

pub const DECISIONS: &str = "decisions.jsonl";
pub const SCORES: &str = "routing.json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RoutingManifest {
    pub kind: String,
    pub passk_version: String,
    pub suite: String,
    pub suite_sha256: String,
    pub models: Vec<ModelInfo>,
    pub sampling: Sampling,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RoutingSummary {
    pub schema_version: u32,
    pub suite: String,
    /// False when any decision failed to generate (harness fault).
    pub complete: bool,
    pub models: BTreeMap<String, RoutingScores>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Decision {
    pub id: String,
    pub model: String,
    pub gold: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ambiguous: bool,
    /// The label read from the answer (None: no label in it).
    pub predicted: Option<String>,
    pub raw: String,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    pub latency_ms: f64,
    /// Generation failed: a harness fault, excluded from the scores and reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One model's routing scores.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RoutingScores {
    pub decisions: usize,
    pub errors: usize,
    pub accuracy: f64,
    /// Accuracy on the requests not marked ambiguous.
    pub accuracy_unambiguous: f64,
    /// Ambiguous requests count as right when the answer is the gold route or one in `also`.
    pub accuracy_lenient: f64,
    pub macro_f1: f64,
    /// Answers that named no route.
    pub unparsed: usize,
    /// route → (precision, recall, f1, support).
    pub per_route: BTreeMap<String, RouteScore>,
    /// gold → predicted (`none`: no label) → count.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    pub latency_p50_ms: f64,
    pub latency_p95_ms: f64,
    pub prompt_tokens_per_decision: f64,
    pub completion_tokens_per_decision: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RouteScore {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// The `q` quantile (0..=1) by nearest rank.
impl RoutingManifest {
    /// Refuses to resume into a directory that holds a routing run with another suite,
    /// models or sampling.
    pub fn check_resume(&self, out: &Path) -> Result<(), RunError> {
        if !out.join(MANIFEST).exists() {
            return Ok(());
        }
        let old: RoutingManifest = read_run_file(out, MANIFEST)?;
        let models = |m: &RoutingManifest| {
            m.models
                .iter()
                .map(|i| (i.name.clone(), i.file_sha256.clone()))
                .collect::<Vec<_>>()
        };
        if old.suite_sha256 != self.suite_sha256
            || models(&old) != models(self)
            || old.sampling != self.sampling
        {
            return Err(RunError::ResumeMismatch(format!(
                "{} holds a routing run with another suite, models or sampling",
                out.display()
            )));
        }
        Ok(())
    }
}
