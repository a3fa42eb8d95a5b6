//! `summary.json`: the scores of a run (pass@k with outcome counts, overall, per language
//! and per model × language, efficiency, the reference check), as `grade::summary` computes
//! them and compare, gate and report read them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::references::{Excluded, ReferenceCheck, Refused};
use crate::errors::RunError;
use crate::outcome::Outcome;

/// Bumped whenever a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub schema_version: u32,
    pub passk_version: String,
    /// False when any sample ended in a harness fault, or samples were not all executed:
    /// the scores are then not comparable and passk exits non-zero.
    pub complete: bool,
    pub samples_expected: usize,
    pub samples_executed: usize,
    pub harness_faults: usize,
    pub overall: Group,
    pub by_language: BTreeMap<String, Group>,
    /// Keyed `model/language`; only present when samples name models.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_model: BTreeMap<String, Group>,
    /// Keyed by model, every language pooled (each problem × language one estimate): the
    /// efficiency view's rows.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub models: BTreeMap<String, Group>,
    /// Keyed by the benchmark's groupings of its problems (`platform:leetcode`,
    /// `difficulty:easy`), as `model/facet` when samples name models.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_facet: BTreeMap<String, Group>,
    /// Reference solutions run before scoring (absent when none was: `--no-reference-check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references_checked: Option<usize>,
    /// Problems left out of every score because their reference fails here or is a known
    /// defect.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Excluded>,
    /// Languages not scored: too many of their references fail (the run is incomplete).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refused>,
}

impl Summary {
    /// Adds what the reference check found; a refused language makes the run incomplete.
    pub fn with_references(mut self, check: Option<ReferenceCheck>) -> Summary {
        if let Some(check) = check {
            self.complete &= check.refused.is_empty();
            self.references_checked = Some(check.checked);
            self.excluded = check.excluded;
            self.refused = check.refused;
        }
        self
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Group {
    /// Problems with at least one scored sample.
    pub problems: usize,
    /// Scored samples (harness faults excluded).
    pub samples: usize,
    /// Fewest and most scored samples on one problem; pass@k is reported for k ≤ n_min.
    pub n_min: usize,
    pub n_max: usize,
    /// `pass@1`, `pass@2`, … → mean over problems of the unbiased estimator.
    pub pass_at_k: BTreeMap<String, f64>,
    /// The same by the benchmark's base check, where it has one (EvalPlus: `base` inputs
    /// only; `pass_at_k` is then its `plus` score).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub base_pass_at_k: BTreeMap<String, f64>,
    /// 95 % bootstrap interval of pass@1 over problems.
    #[serde(default)]
    pub pass_at_1_ci: Option<[f64; 2]>,
    pub outcomes: BTreeMap<Outcome, usize>,
    /// Mean execution time of a scored sample, in milliseconds.
    #[serde(default)]
    pub mean_duration_ms: f64,
    /// Share of scored samples that parse with the language's tree-sitter grammar (among
    /// samples whose language has one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syntax_valid: Option<f64>,
    /// Compiled languages: share of their scored samples that did not end in
    /// `compile_error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compile_rate: Option<f64>,
    /// pass@1 counting only syntactically valid samples (problems with at least one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_at_1_valid: Option<f64>,
    /// What generation cost, for samples passk generated (`passk run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efficiency: Option<Efficiency>,
    /// Samples whose generation hit `--max-tokens` inside their reasoning (they end as
    /// `no_code` or worse: the model never answered).
    #[serde(default, skip_serializing_if = "super::is_zero")]
    pub truncated_reasoning: usize,
    /// Self-repair scores (`passk run --repair K`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repair: Option<Repair>,
}

/// What repair turns bought a group. An episode is one sample's turns; the group's other
/// figures are its first answers'.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Repair {
    /// Repair turns allowed after the first answer (K).
    pub turns: usize,
    /// pass@1 after each turn: `[0]` is the first answer's, `[k]` counts an episode solved
    /// by turn k ("pass@1 (repair ≤ k)"). An episode whose turn ended in a harness fault
    /// is left out from that turn on.
    pub pass_at_1: Vec<f64>,
    /// Episodes whose first answer failed (harness faults aside).
    pub failures: usize,
    /// Of those, solved by a repair turn.
    pub fixed: usize,
    /// `fixed / failures`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_rate: Option<f64>,
    /// Completion tokens of every turn of every episode, per episode solved at any turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_solved: Option<f64>,
    /// Episodes a turn of which ended in a harness fault.
    pub harness_faults: usize,
}

/// Generation cost per sample, means over generated, scored samples.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Efficiency {
    pub samples: usize,
    pub prompt_tokens: f64,
    /// Completion tokens, reasoning included.
    pub completion_tokens: f64,
    /// Reasoning tokens (samples that reasoned count theirs, others zero).
    pub reasoning_tokens: f64,
    pub latency_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<f64>,
    /// Completion tokens per second of latency.
    pub tokens_per_s: f64,
    /// Problems solved per 1000 completion tokens (pass@1 over the thousands of tokens a
    /// sample costs): what the tokens buy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_at_1_per_1k_tokens: Option<f64>,
}

pub fn write_summary(out: &Path, summary: &Summary) -> Result<(), RunError> {
    super::write_json_atomically(&out.join(super::SUMMARY), summary)
}
