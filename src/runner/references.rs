//! Reference-first scoring: before any sample of a run is scored, the reference solutions
//! of the selected problems run in the same sandbox, limits and cache as the samples. A
//! problem whose reference fails here is excluded from every score (a failing reference
//! says nothing about a model); a language with more than [`REFUSE_ABOVE`] of its
//! references failing is refused as a harness fault — a broken toolchain or a wrong
//! assembly, never a 0 % model. The outcome is kept in the run directory as
//! `references.json` and copied into `summary.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Cancel, Event, Job, Reporter, Reuse, execute};
use crate::errors::RunError;
use crate::lang::Language;
use crate::outcome::Outcome;
use crate::problem::defects::KnownDefects;
use crate::problem::{Problem, ProblemSet};
use crate::rundir::references::{Excluded, Failure, ReferenceCheck, Refused};
use crate::rundir::results::ResultRecord;
use crate::sandbox::{Limits, Sandbox};

/// A language is refused when more than this share of its checked references fail (known
/// defects aside): a few failing references are the benchmark's or the platform's
/// oddities, more than that is a harness that does not run the benchmark as it is meant.
pub const REFUSE_ABOVE: f64 = 0.05;

use crate::rundir::references::{FILE, QUOTED};
/// How much of a failing reference's output a refusal quotes.
const QUOTED_BYTES: usize = 1500;

/// Whether and against which known-defects lists references are checked (`--no-reference-check`,
/// `--known-defects FILE`).
#[derive(Debug, Clone)]
pub struct ReferenceSettings {
    pub enabled: bool,
    /// The user's lists, added to the shipped one.
    pub known_defects: Vec<PathBuf>,
}

impl Default for ReferenceSettings {
    fn default() -> Self {
        ReferenceSettings {
            enabled: true,
            known_defects: Vec::new(),
        }
    }
}

/// What a run does after [`prepare`].
pub enum Checked {
    /// No check (`--no-reference-check`): everything is scored.
    Skipped,
    Done(ReferenceCheck),
    /// Ctrl-C during the check: nothing is scored, a rerun checks again (from the cache).
    Cancelled,
}

impl Checked {
    pub fn keeps(&self, task_id: &str, language: Language) -> bool {
        match self {
            Checked::Done(c) => c.keeps(task_id, language),
            Checked::Skipped | Checked::Cancelled => true,
        }
    }
}

/// The reference check of a run into `out`: loads the known-defects lists (a bad one is an
/// input error before anything runs), checks the references of `selected` and saves the
/// outcome in `out`. Skipped, it removes a check an earlier run left there.
#[allow(clippy::too_many_arguments)]
pub fn prepare<S: Sandbox + 'static>(
    out: &Path,
    set: &ProblemSet,
    selected: &[&Problem],
    settings: &ReferenceSettings,
    limits: &Limits,
    workers: usize,
    reuse: &Reuse,
    sandbox: Arc<S>,
    cancel: &Cancel,
    reporter: &dyn Reporter,
) -> Result<Checked, RunError> {
    if !settings.enabled {
        match std::fs::remove_file(out.join(FILE)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(RunError::Io {
                    path: out.join(FILE),
                    source: e,
                });
            }
            _ => return Ok(Checked::Skipped),
        }
    }
    let known = KnownDefects::load(&settings.known_defects, set)?;
    let opts = CheckOptions {
        benchmark: &set.format,
        known: &known,
        limits,
        workers,
        reuse,
    };
    Ok(match check(selected, &opts, sandbox, cancel, reporter) {
        Some(c) => {
            c.save(out)?;
            Checked::Done(c)
        }
        None => Checked::Cancelled,
    })
}

/// What the check needs besides the problems.
pub struct CheckOptions<'a> {
    /// The problems file's format, to look up known defects.
    pub benchmark: &'a str,
    pub known: &'a KnownDefects,
    pub limits: &'a Limits,
    pub workers: usize,
    pub reuse: &'a Reuse,
}

/// Runs the reference of every problem in `problems` that has one. Returns `None` when
/// cancelled before every reference ran (nothing is decided from half a check).
pub fn check<S: Sandbox + 'static>(
    problems: &[&Problem],
    opts: &CheckOptions<'_>,
    sandbox: Arc<S>,
    cancel: &Cancel,
    reporter: &dyn Reporter,
) -> Option<ReferenceCheck> {
    let jobs: Vec<Job> = problems
        .iter()
        .filter_map(|p| {
            let code = p.reference_code()?;
            Some(Job::new(&p.id, p.program_for(&code), p.limits(opts.limits)))
        })
        .collect();
    let total = jobs.len();
    reporter.on(Event::ReferencesStarted { total });
    let mut records: Vec<ResultRecord> = Vec::with_capacity(total);
    let all_started = execute(
        sandbox,
        jobs.into_iter(),
        opts.workers,
        opts.reuse,
        cancel,
        |r| {
            reporter.on(Event::ReferenceFinished(&r));
            records.push(r);
        },
    );
    if !all_started || cancel.is_cancelled() || records.len() < total {
        return None;
    }
    let check = decide(records, opts.benchmark, opts.known);
    reporter.on(Event::ReferencesChecked(&check));
    Some(check)
}

/// From the references' verdicts: what is excluded, which languages are refused.
fn decide(mut records: Vec<ResultRecord>, benchmark: &str, known: &KnownDefects) -> ReferenceCheck {
    records.sort_by(|a, b| (a.language, &a.task_id).cmp(&(b.language, &b.task_id)));
    let mut check = ReferenceCheck {
        checked: records.len(),
        ..ReferenceCheck::default()
    };
    // language → (checked, failures other than known defects)
    let mut by_language: BTreeMap<Language, (usize, Vec<&ResultRecord>)> = BTreeMap::new();
    for r in &records {
        let entry = by_language.entry(r.language).or_default();
        entry.0 += 1;
        let defect = known.get(benchmark, &r.task_id);
        let passed = r.execution.outcome == Outcome::Passed;
        if defect.is_none() && !passed {
            entry.1.push(r);
        }
        if defect.is_some() || !passed {
            check.excluded.push(Excluded {
                task_id: r.task_id.clone(),
                language: r.language,
                outcome: r.execution.outcome,
                detail: r.execution.detail.clone(),
                known_defect: defect.map(|d| d.reason.clone()),
            });
        }
    }
    for (language, (checked, failing)) in by_language {
        if failing.len() as f64 > REFUSE_ABOVE * checked as f64 {
            check.refused.push(Refused {
                language,
                failing: failing.len(),
                checked,
                first: failing
                    .iter()
                    .take(QUOTED)
                    .map(|r| Failure {
                        task_id: r.task_id.clone(),
                        outcome: r.execution.outcome,
                        detail: r.execution.detail.clone(),
                        output: tail(&format!("{}{}", r.execution.stderr, r.execution.stdout)),
                    })
                    .collect(),
            });
        }
    }
    // A refused language's problems are not scored at all; listing each as excluded too
    // would only repeat the refusal.
    check
        .excluded
        .retain(|e| !check.refused.iter().any(|r| r.language == e.language));
    check
}

fn tail(s: &str) -> String {
    let s = s.trim();
    if s.len() <= QUOTED_BYTES {
        return s.to_string();
    }
    let mut at = s.len() - QUOTED_BYTES;
    while !s.is_char_boundary(at) {
        at += 1;
    }
    format!("…{}", &s[at..])
}

/// Lines for a person: what was excluded and refused, and why.
pub fn render(check: &ReferenceCheck) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for r in &check.refused {
        let _ = writeln!(
            out,
            "REFUSED {}: {} of {} reference solutions fail here (more than {:.0} %): the \
             toolchain or the benchmark's assembly is broken, so no {} score is reported",
            r.language,
            r.failing,
            r.checked,
            REFUSE_ABOVE * 100.0,
            r.language
        );
        for f in &r.first {
            let _ = writeln!(
                out,
                "  {} ({}): {} — {}",
                f.task_id, r.language, f.outcome, f.detail
            );
            for line in f.output.lines().take(12) {
                let _ = writeln!(out, "    | {line}");
            }
        }
    }
    for e in &check.excluded {
        let why = match &e.known_defect {
            Some(reason) => format!("known reference defect: {reason}"),
            None => format!("its reference fails here: {} — {}", e.outcome, e.detail),
        };
        let _ = writeln!(out, "excluded {} ({}): {why}", e.task_id, e.language);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(task: &str, language: Language, o: Outcome) -> ResultRecord {
        let mut r = ResultRecord::for_test(task, None, 0, o);
        r.language = language;
        r
    }

    #[test]
    fn failures_are_excluded_known_defects_too_and_a_language_above_the_share_is_refused() {
        let mut records = Vec::new();
        for i in 0..40 {
            let o = if i == 7 {
                Outcome::WrongAnswer
            } else {
                Outcome::Passed
            };
            records.push(rec(&format!("JavaScript/{i}"), Language::JavaScript, o));
        }
        // A known defect neither counts towards refusal nor needs to fail.
        records.push(rec(
            "JavaScript/112",
            Language::JavaScript,
            Outcome::WrongAnswer,
        ));
        records.push(rec("JavaScript/155", Language::JavaScript, Outcome::Passed));
        for i in 0..10 {
            let o = if i < 2 {
                Outcome::CompileError
            } else {
                Outcome::Passed
            };
            records.push(rec(&format!("Rust/{i}"), Language::Rust, o));
        }
        let check = decide(records, "humaneval-x", &KnownDefects::shipped());
        assert_eq!(check.checked, 52);
        let excluded: Vec<(&str, bool)> = check
            .excluded
            .iter()
            .map(|e| (e.task_id.as_str(), e.known_defect.is_some()))
            .collect();
        assert_eq!(
            excluded,
            [
                ("JavaScript/112", true),
                ("JavaScript/155", true),
                ("JavaScript/7", false)
            ]
        );
        assert_eq!(check.refused.len(), 1);
        let r = &check.refused[0];
        assert_eq!((r.language, r.failing, r.checked), (Language::Rust, 2, 10));
        assert_eq!(r.first[0].task_id, "Rust/0");
        assert!(check.keeps("JavaScript/8", Language::JavaScript));
        assert!(!check.keeps("JavaScript/7", Language::JavaScript));
        assert!(!check.keeps("Rust/5", Language::Rust));
        insta::assert_snapshot!(render(&check));
    }

    #[test]
    fn exactly_the_share_is_not_refused() {
        let records: Vec<ResultRecord> = (0..20)
            .map(|i| {
                let o = if i == 0 {
                    Outcome::RuntimeError
                } else {
                    Outcome::Passed
                };
                rec(&format!("HumanEval/{i}"), Language::Python, o)
            })
            .collect();
        let check = decide(records, "humaneval", &KnownDefects::default());
        assert!(check.refused.is_empty());
        assert_eq!(check.excluded.len(), 1);
    }
}
