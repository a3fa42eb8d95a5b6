//! Scoring a run into its `summary.json` ([`crate::rundir::summary`]): pass@k for every
//! k ≤ n with outcome counts, overall, per language and per model × language. Built from
//! results records alone, streaming, so memory grows with the number of problems, not
//! samples.

use std::collections::BTreeMap;
use std::path::Path;

use super::pass_at_k::mean_pass_at_k;
use super::stats::bootstrap_mean_ci;
use super::turns::{RepairTally, at_turn};
use crate::errors::RunError;
use crate::outcome::Outcome;
use crate::rundir::manifest::ExecManifest;
use crate::rundir::references::ReferenceCheck;
use crate::rundir::results::{self, ResultRecord};
use crate::rundir::summary::{Efficiency, Group, SCHEMA_VERSION, Summary};

/// Per-problem tallies: (scored samples, passed samples).
#[derive(Default)]
struct Tally {
    per_problem: BTreeMap<String, (u64, u64)>,
    /// The same, among syntactically valid samples only.
    per_problem_valid: BTreeMap<String, (u64, u64)>,
    /// The same, by the benchmark's base check (EvalPlus's `base`), for samples that have one.
    per_problem_base: BTreeMap<String, (u64, u64)>,
    outcomes: BTreeMap<Outcome, usize>,
    duration_ms: f64,
    /// (samples with a grammar, of which valid).
    syntax: (usize, usize),
    /// (samples of compiled languages, of which compile errors).
    compiled: (usize, usize),
    /// Sums over the samples passk generated.
    generated: GenSums,
    /// Every turn of every episode (repair runs).
    turns: RepairTally,
    truncated_reasoning: usize,
}

#[derive(Default)]
struct GenSums {
    samples: usize,
    prompt_tokens: f64,
    completion_tokens: f64,
    reasoning_tokens: f64,
    latency_ms: f64,
    /// Samples that reported a time to first token, and its sum.
    ttft: (usize, f64),
}

impl Tally {
    fn add(&mut self, task: &str, r: &ResultRecord) {
        let outcome = r.execution.outcome;
        *self.outcomes.entry(outcome).or_default() += 1;
        if outcome.is_harness_fault() {
            return;
        }
        self.duration_ms += r.execution.duration_ms;
        let passed = u64::from(outcome.is_pass());
        let e = self.per_problem.entry(task.to_string()).or_default();
        e.0 += 1;
        e.1 += passed;
        // A base check that itself hit a harness fault leaves the sample out of `base`.
        if let Some(base) = r.execution.base.filter(|b| !b.is_harness_fault()) {
            let e = self.per_problem_base.entry(task.to_string()).or_default();
            e.0 += 1;
            e.1 += u64::from(base.is_pass());
        }
        if let Some(valid) = r.syntax_valid {
            self.syntax.0 += 1;
            if valid {
                self.syntax.1 += 1;
                let e = self.per_problem_valid.entry(task.to_string()).or_default();
                e.0 += 1;
                e.1 += passed;
            }
        }
        if r.language.is_compiled() {
            self.compiled.0 += 1;
            self.compiled.1 += usize::from(outcome == Outcome::CompileError);
        }
        if let Some(g) = &r.generation {
            self.truncated_reasoning += usize::from(g.truncated_reasoning);
            let t = &mut self.generated;
            t.samples += 1;
            t.prompt_tokens += f64::from(g.prompt_tokens);
            t.completion_tokens += f64::from(g.completion_tokens);
            t.reasoning_tokens += f64::from(g.reasoning_tokens.unwrap_or(0));
            t.latency_ms += g.latency_ms;
            if let Some(ms) = g.ttft_ms {
                t.ttft.0 += 1;
                t.ttft.1 += ms;
            }
        }
    }

    fn efficiency(&self, pass_at_1: Option<f64>) -> Option<Efficiency> {
        let GenSums {
            samples: n,
            prompt_tokens: prompt,
            completion_tokens: completion,
            reasoning_tokens: reasoning,
            latency_ms: latency,
            ttft: (nt, ttft),
        } = self.generated;
        if n == 0 {
            return None;
        }
        let n_f = n as f64;
        let tokens = completion / n_f;
        Some(Efficiency {
            samples: n,
            prompt_tokens: prompt / n_f,
            completion_tokens: tokens,
            reasoning_tokens: reasoning / n_f,
            latency_ms: latency / n_f,
            ttft_ms: (nt > 0).then(|| ttft / nt as f64),
            tokens_per_s: if latency > 0.0 {
                completion / (latency / 1e3)
            } else {
                0.0
            },
            pass_at_1_per_1k_tokens: pass_at_1
                .filter(|_| tokens > 0.0)
                .map(|p| p / (tokens / 1000.0)),
        })
    }

    fn group(&self, repair: usize) -> Group {
        let counts: Vec<(u64, u64)> = self.per_problem.values().copied().collect();
        let n_min = counts.iter().map(|c| c.0).min().unwrap_or(0);
        let n_max = counts.iter().map(|c| c.0).max().unwrap_or(0);
        let mut pass_at_k = BTreeMap::new();
        for k in 1..=n_min {
            if let Some(v) = mean_pass_at_k(&counts, k) {
                pass_at_k.insert(format!("pass@{k}"), v);
            }
        }
        let per_problem: Vec<f64> = counts.iter().map(|&(n, c)| c as f64 / n as f64).collect();
        let samples: usize = counts.iter().map(|c| c.0 as usize).sum();
        Group {
            problems: counts.len(),
            samples,
            n_min: n_min as usize,
            n_max: n_max as usize,
            pass_at_1_ci: (!per_problem.is_empty()).then(|| {
                let (lo, hi) = bootstrap_mean_ci(&per_problem);
                [lo, hi]
            }),
            outcomes: self.outcomes.clone(),
            mean_duration_ms: if samples == 0 {
                0.0
            } else {
                self.duration_ms / samples as f64
            },
            syntax_valid: ratio(self.syntax.1, self.syntax.0),
            compile_rate: ratio(self.compiled.0 - self.compiled.1, self.compiled.0),
            pass_at_1_valid: {
                let valid: Vec<(u64, u64)> = self.per_problem_valid.values().copied().collect();
                mean_pass_at_k(&valid, 1)
            },
            efficiency: self.efficiency(pass_at_k.get("pass@1").copied()),
            base_pass_at_k: {
                let base: Vec<(u64, u64)> = self.per_problem_base.values().copied().collect();
                let n = base.iter().map(|c| c.0).min().unwrap_or(0);
                (1..=n)
                    .filter_map(|k| mean_pass_at_k(&base, k).map(|v| (format!("pass@{k}"), v)))
                    .collect()
            },
            pass_at_k,
            repair: (repair > 0).then(|| self.turns.scores(repair)).flatten(),
            truncated_reasoning: self.truncated_reasoning,
        }
    }
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Accumulates records into a [`Summary`].
#[derive(Default)]
pub struct SummaryBuilder {
    overall: Tally,
    by_language: BTreeMap<String, Tally>,
    by_model: BTreeMap<String, Tally>,
    models: BTreeMap<String, Tally>,
    by_facet: BTreeMap<String, Tally>,
    executed: usize,
    faults: usize,
    /// Repair turns of the run (0: single-shot, no repair scores).
    repair: usize,
}

/// pass@k is per problem, language *and model*: the same task in two languages, or
/// answered by two models, is two estimates, never one pooled one.
fn problem_key(r: &ResultRecord) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{}",
        r.task_id,
        r.language,
        r.model.as_deref().unwrap_or("")
    )
}

impl SummaryBuilder {
    /// A builder for a run with `repair` repair turns.
    pub fn with_repair(repair: usize) -> SummaryBuilder {
        SummaryBuilder {
            repair,
            ..SummaryBuilder::default()
        }
    }

    /// The tallies `r` counts in: overall, its language's, its model × language's, its
    /// (model ×) facets'.
    fn tallies(&mut self, r: &ResultRecord) -> Vec<&mut Tally> {
        let keys: Vec<String> = r
            .facets
            .iter()
            .map(|f| match &r.model {
                Some(m) => format!("{m}/{f}"),
                None => f.clone(),
            })
            .collect();
        for k in &keys {
            self.by_facet.entry(k.clone()).or_default();
        }
        let mut out = vec![&mut self.overall];
        out.push(self.by_language.entry(r.language.to_string()).or_default());
        if let Some(m) = &r.model {
            out.push(
                self.by_model
                    .entry(format!("{m}/{}", r.language))
                    .or_default(),
            );
            out.push(self.models.entry(m.clone()).or_default());
        }
        out.extend(
            self.by_facet
                .iter_mut()
                .filter(|(k, _)| keys.contains(k))
                .map(|(_, t)| t),
        );
        out
    }

    /// Scores one sample (a first answer, or an episode as it stood after some turn).
    pub fn add(&mut self, r: &ResultRecord) {
        let key = problem_key(r);
        self.executed += 1;
        if r.execution.outcome.is_harness_fault()
            || r.execution.base.is_some_and(|b| b.is_harness_fault())
        {
            self.faults += 1;
        }
        for t in self.tallies(r) {
            t.add(&key, r);
        }
    }

    /// Counts one turn of a repair episode towards the repair scores. A harness fault in a
    /// repair turn makes the run incomplete like any other.
    pub fn add_turn(&mut self, r: &ResultRecord) {
        let key = problem_key(r);
        if r.turn > 0 && r.execution.outcome.is_harness_fault() {
            self.faults += 1;
        }
        for t in self.tallies(r) {
            t.turns.add(&key, r);
        }
    }

    pub fn finish(&self, samples_expected: usize) -> Summary {
        Summary {
            schema_version: SCHEMA_VERSION,
            passk_version: env!("CARGO_PKG_VERSION").to_string(),
            complete: self.faults == 0 && self.executed >= samples_expected,
            samples_expected,
            samples_executed: self.executed,
            harness_faults: self.faults,
            overall: self.overall.group(self.repair),
            by_language: self
                .by_language
                .iter()
                .map(|(k, t)| (k.clone(), t.group(self.repair)))
                .collect(),
            by_model: self
                .by_model
                .iter()
                .map(|(k, t)| (k.clone(), t.group(self.repair)))
                .collect(),
            models: self
                .models
                .iter()
                .map(|(k, t)| (k.clone(), t.group(self.repair)))
                .collect(),
            by_facet: self
                .by_facet
                .iter()
                .map(|(k, t)| (k.clone(), t.group(self.repair)))
                .collect(),
            references_checked: None,
            excluded: Vec::new(),
            refused: Vec::new(),
        }
    }
}

/// Rebuilds the summary from a run directory's `results.jsonl`: its first answers, and
/// the repair scores of a repair run.
pub fn summarize(out: &Path, samples_expected: usize) -> Result<Summary, RunError> {
    summarize_where(out, samples_expected, 0, |_| true)
}

/// The summary of the records of `out` that `keep` accepts (e.g. one model's), scoring
/// each episode as it stood after `turn` (0: first answers; see [`at_turn`]).
pub fn summarize_where(
    out: &Path,
    samples_expected: usize,
    turn: usize,
    keep: impl Fn(&ResultRecord) -> bool,
) -> Result<Summary, RunError> {
    // Problems the reference check excluded are scored by no summary, whatever results an
    // earlier run into the directory left for them.
    let check = ReferenceCheck::load(out)?;
    let mut b = SummaryBuilder::with_repair(repair_turns(out)?);
    let mut later = Vec::new();
    results::for_each(&out.join(crate::rundir::RESULTS), |r| {
        if !keep(&r)
            || check
                .as_ref()
                .is_some_and(|c| !c.keeps(&r.task_id, r.language))
        {
            return;
        }
        if b.repair > 0 {
            b.add_turn(&r);
        }
        match turn {
            0 if r.turn == 0 => b.add(&r),
            0 => {}
            _ => later.push(r),
        }
    })?;
    for r in at_turn(later, turn) {
        b.add(&r);
    }
    Ok(b.finish(samples_expected).with_references(check))
}

/// The repair turns the run directory's manifest asked for (0 without one).
fn repair_turns(out: &Path) -> Result<usize, RunError> {
    if !out.join(crate::rundir::MANIFEST).exists() {
        return Ok(0);
    }
    let m: ExecManifest = crate::rundir::read_run_file(out, crate::rundir::MANIFEST)?;
    Ok(m.generation.map_or(0, |g| g.repair))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(task: &str, i: usize, o: Outcome) -> ResultRecord {
        ResultRecord::for_test(task, None, i, o)
    }

    #[test]
    fn pass_at_k_up_to_n_min_and_faults_excluded() {
        let mut b = SummaryBuilder::default();
        for i in 0..4 {
            b.add(&rec(
                "A",
                i,
                if i == 0 {
                    Outcome::Passed
                } else {
                    Outcome::WrongAnswer
                },
            ));
        }
        for i in 0..3 {
            b.add(&rec("B", i, Outcome::Passed));
        }
        b.add(&rec("B", 3, Outcome::SandboxError));
        let s = b.finish(8);
        assert!(!s.complete);
        assert_eq!(s.harness_faults, 1);
        assert_eq!(s.overall.n_min, 3);
        assert_eq!(s.overall.n_max, 4);
        // A: n=4, c=1 → pass@1 = 0.25; B: n=3, c=3 → 1.
        assert!((s.overall.pass_at_k["pass@1"] - 0.625).abs() < 1e-12);
        assert!(s.overall.pass_at_k.contains_key("pass@3"));
        assert!(!s.overall.pass_at_k.contains_key("pass@4"));
        assert_eq!(s.overall.outcomes[&Outcome::SandboxError], 1);
        insta::assert_json_snapshot!(s, {".passk_version" => "[version]"});
    }

    #[test]
    fn syntax_validity_compile_rate_and_pass_at_1_among_valid() {
        let mut b = SummaryBuilder::default();
        let r = |task: &str, i: usize, o: Outcome, valid: bool| {
            let mut x = rec(task, i, o);
            x.language = crate::lang::Language::Rust;
            x.syntax_valid = Some(valid);
            x
        };
        b.add(&r("A", 0, Outcome::Passed, true));
        b.add(&r("A", 1, Outcome::CompileError, false));
        b.add(&r("B", 0, Outcome::WrongAnswer, true));
        b.add(&r("B", 1, Outcome::Passed, true));
        let g = b.finish(4).overall;
        assert_eq!(g.syntax_valid, Some(0.75));
        assert_eq!(g.compile_rate, Some(0.75));
        // Among valid samples A is 1/1 and B 1/2; over all samples both are 1/2.
        assert_eq!(g.pass_at_1_valid, Some(0.75));
        assert_eq!(g.pass_at_k["pass@1"], 0.5);
        let python = SummaryBuilder::default().finish(0).overall;
        assert_eq!((python.syntax_valid, python.compile_rate), (None, None));
    }

    #[test]
    fn summary_round_trips_through_json() {
        let mut b = SummaryBuilder::default();
        b.add(&rec("A", 0, Outcome::Passed));
        b.add(&rec("A", 1, Outcome::Timeout));
        let s = b.finish(2);
        let json = serde_json::to_string(&s).unwrap();
        let back: Summary = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.schema_version, SCHEMA_VERSION);
    }
}
