//! The selfcheck pipeline: known solutions (a reference, known-bad variants) executed on the
//! runner's workers, each verdict judged against the outcomes its variant may end in, as
//! [`Event::ChecksStarted`] / [`Event::CheckFinished`] for reporters and a [`SetReport`]
//! for the caller. Which code each variant is belongs to `selfcheck/`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::{Cancel, Event, Job, Reporter, Reuse, execute};
use crate::outcome::Outcome;
use crate::sandbox::Sandbox;

/// A known solution variant and the outcomes it may end in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    Reference,
    EmptyBody,
    ReturnNone,
    Raises,
    InfiniteLoop,
    ExitZero,
    /// An exercise's own stub files, unchanged: whatever way it fails (most do not
    /// compile against the tests), it must not pass.
    Stub,
    /// Per-language bad completions (see `languages`).
    WrongAnswer,
    SyntaxError,
    RuntimeError,
}

impl Variant {
    pub fn name(self) -> &'static str {
        match self {
            Variant::Reference => "reference",
            Variant::EmptyBody => "empty_body",
            Variant::ReturnNone => "return_none",
            Variant::Raises => "raises",
            Variant::InfiniteLoop => "infinite_loop",
            Variant::ExitZero => "exit_zero",
            Variant::Stub => "stub",
            Variant::WrongAnswer => "wrong_answer",
            Variant::SyntaxError => "syntax_error",
            Variant::RuntimeError => "runtime_error",
        }
    }

    /// Outcomes that count as right for this variant. A `None` result fails an equality
    /// assertion (wrong_answer) or the arithmetic a test does on it (runtime_error).
    pub fn expected(self) -> &'static [Outcome] {
        match self {
            Variant::Reference => &[Outcome::Passed],
            Variant::EmptyBody | Variant::ReturnNone => {
                &[Outcome::WrongAnswer, Outcome::RuntimeError]
            }
            Variant::Raises => &[Outcome::RuntimeError],
            // A clean exit before the tests never printed the completion marker (a test
            // setup that needs a class only the reference defines fails first).
            Variant::ExitZero => &[Outcome::WrongAnswer, Outcome::RuntimeError],
            Variant::InfiniteLoop => &[Outcome::Timeout],
            Variant::Stub => &[
                Outcome::WrongAnswer,
                Outcome::RuntimeError,
                Outcome::CompileError,
                Outcome::SyntaxError,
                Outcome::Timeout,
                Outcome::MemoryLimit,
            ],
            Variant::WrongAnswer => &[Outcome::WrongAnswer],
            Variant::SyntaxError => &[Outcome::SyntaxError, Outcome::CompileError],
            Variant::RuntimeError => &[Outcome::RuntimeError],
        }
    }

    pub const BAD: [Variant; 6] = [
        Variant::EmptyBody,
        Variant::ReturnNone,
        Variant::Raises,
        Variant::InfiniteLoop,
        Variant::ExitZero,
        Variant::Stub,
    ];
}

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub task_id: String,
    pub variant: Variant,
    pub outcome: Outcome,
    pub detail: String,
}

/// A wrong verdict the known-defects list explains.
#[derive(Debug, Clone, Serialize)]
pub struct Known {
    pub task_id: String,
    pub variant: Variant,
    pub outcome: Outcome,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SetReport {
    pub name: String,
    /// Why this set was not checked at all (its language cannot run here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    pub problems: usize,
    /// Variant → (checked, right).
    pub checked: BTreeMap<String, (usize, usize)>,
    pub failures: Vec<Failure>,
    /// Wrong verdicts on problems listed as known defects for that variant: reported, not
    /// failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub known: Vec<Known>,
    /// Every verdict, keyed `task_id variant` (for comparing sandboxes; not serialized).
    #[serde(skip)]
    pub verdicts: BTreeMap<String, Outcome>,
}

impl SetReport {
    pub fn ok(&self) -> bool {
        if self.skipped.is_some() {
            return true;
        }
        self.failures.is_empty() && self.checked.values().all(|(n, _)| *n > 0)
    }
}

/// A job with the problem id and the variant it checks.
pub(crate) type Check = (Job, (String, Variant));

/// Executes `checks` (each job with the variant it is) and records right and wrong verdicts.
pub(crate) fn run_checks(
    report: &mut SetReport,
    checks: Vec<Check>,
    known: &dyn Fn(&str, Variant) -> Option<String>,
    sandbox: Arc<impl Sandbox + 'static>,
    workers: usize,
    cancel: &Cancel,
    reporter: &dyn Reporter,
) {
    let (jobs, variants): (Vec<Job>, Vec<(String, Variant)>) = checks
        .into_iter()
        .enumerate()
        .map(|(i, (mut j, v))| {
            j.sample_index = i;
            (j, v)
        })
        .unzip();
    reporter.on(Event::ChecksStarted {
        set: &report.name,
        total: jobs.len(),
    });
    execute(
        sandbox,
        jobs.into_iter(),
        workers,
        &Reuse::none(),
        cancel,
        |r| {
            let (_, v) = variants[r.sample_index];
            report
                .verdicts
                .insert(format!("{} {}", r.task_id, v.name()), r.execution.outcome);
            let entry = report.checked.entry(v.name().to_string()).or_default();
            entry.0 += 1;
            let right = v.expected().contains(&r.execution.outcome);
            if right {
                entry.1 += 1;
            } else if let Some(reason) = known(&r.task_id, v) {
                report.known.push(Known {
                    task_id: r.task_id.clone(),
                    variant: v,
                    outcome: r.execution.outcome,
                    reason,
                });
            } else {
                report.failures.push(Failure {
                    task_id: r.task_id.clone(),
                    variant: v,
                    outcome: r.execution.outcome,
                    detail: r.execution.detail.chars().take(300).collect(),
                });
            }
            reporter.on(Event::CheckFinished {
                result: &r,
                variant: v,
                right,
            });
        },
    );
    report
        .failures
        .sort_by(|a, b| (&a.task_id, a.variant).cmp(&(&b.task_id, b.variant)));
}
