//! `passk selfcheck`: proves a benchmark and its sandbox score correctly before anyone trusts
//! a number — every reference passes, and known-bad solutions (empty body, `return None`,
//! an exception, an infinite loop, `sys.exit(0)` before the tests) fail with the right
//! outcome. A broken toolchain shows up here instead of as a silent 0 %.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub mod languages;

use crate::outcome::Outcome;
use crate::problem::{Assembly, Code, Problem, ProblemSet};
use crate::runner::{Cancel, Job, Reuse, execute};
use crate::sandbox::Limits;
use crate::sandbox::router::Router;

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
            Variant::WrongAnswer => &[Outcome::WrongAnswer],
            Variant::SyntaxError => &[Outcome::SyntaxError, Outcome::CompileError],
            Variant::RuntimeError => &[Outcome::RuntimeError],
        }
    }

    const BAD: [Variant; 5] = [
        Variant::EmptyBody,
        Variant::ReturnNone,
        Variant::Raises,
        Variant::InfiniteLoop,
        Variant::ExitZero,
    ];
}

/// Infinite loops each cost a full time limit, so they run on every `LOOP_STRIDE`-th
/// problem with a short limit; the other variants run on every problem.
const LOOP_STRIDE: usize = 16;
const LOOP_LIMIT: Duration = Duration::from_secs(1);

/// The code of a bad variant, in the form the benchmark's samples take.
fn bad_code(problem: &Problem, v: Variant) -> Option<Code> {
    let body = match v {
        Variant::Reference => return problem.reference_code(),
        Variant::EmptyBody => "",
        Variant::ReturnNone => "    return None\n",
        Variant::Raises => "    raise RuntimeError('passk selfcheck: known-bad')\n",
        Variant::InfiniteLoop => "    while True:\n        pass\n",
        Variant::ExitZero => "    import sys\n    sys.exit(0)\n",
        Variant::WrongAnswer | Variant::SyntaxError | Variant::RuntimeError => return None,
    };
    if let Assembly::Native { problem: native } = &problem.assembly {
        // passk's own problems: the renderer's stub (compiles, answers wrongly).
        return (v == Variant::EmptyBody)
            .then(|| crate::problem::render::get(problem.language))
            .flatten()
            .map(|r| Code::Completion(r.stub(native)));
    }
    if let Assembly::Cruxeval(record) = &problem.assembly {
        return Some(Code::Solution(cruxeval_bad_answer(record, v)));
    }
    match problem.assembly {
        // A full program that reads nothing and prints nothing.
        Assembly::Io { .. } => (v == Variant::EmptyBody)
            .then(|| crate::problem::io::silent_program(problem.language))
            .flatten()
            .map(|p| Code::Solution(p.to_string())),
        Assembly::HumanEval { .. } => Some(Code::Completion(body.to_string())),
        Assembly::Mbpp { .. } => {
            // MBPP samples are whole solutions: define the entry point with the bad body.
            let entry = problem.entry_point.as_ref()?;
            let body = if body.is_empty() { "    pass\n" } else { body };
            Some(Code::Solution(format!(
                "def {entry}(*args, **kwargs):\n{body}"
            )))
        }
        // Bad code for other languages is written per language (see `langcheck`).
        Assembly::MultiplE { .. }
        | Assembly::HumanEvalX { .. }
        | Assembly::Native { .. }
        | Assembly::Cruxeval(_) => None,
    }
}

/// A wrong CRUXEval answer of each bad kind: a value no output is, the answer CRUXEval
/// rejects unread (output: `f(input)` itself; input: a bare value), one that raises, one
/// that never ends, one that exits before the assertion completes.
fn cruxeval_bad_answer(record: &crate::problem::cruxeval::Record, v: Variant) -> String {
    use crate::problem::cruxeval::Prediction;
    let input = record.task == Prediction::InputPrediction;
    // An input prediction must call f to be run at all: the bad part goes in its argument.
    let call = |bad: &str| {
        if input {
            format!("f({bad})")
        } else {
            bad.to_string()
        }
    };
    match v {
        // A value no output is (many calls are right input predictions: the comment only
        // names the call CRUXEval looks for).
        Variant::EmptyBody | Variant::WrongAnswer if input => {
            "'passk-selfcheck-wrong'  # f(".into()
        }
        Variant::EmptyBody | Variant::WrongAnswer => "'passk-selfcheck-wrong'".into(),
        Variant::ReturnNone if input => record.output.clone(),
        Variant::ReturnNone => format!("f({})", record.input),
        Variant::Raises | Variant::RuntimeError => call("1 // 0"),
        Variant::InfiniteLoop => call("[0 for _ in iter(int, 1)]"),
        Variant::ExitZero => call("__import__('sys').exit(0)"),
        Variant::Reference | Variant::SyntaxError => record.truth(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub task_id: String,
    pub variant: Variant,
    pub outcome: Outcome,
    pub detail: String,
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

/// Runs the selfcheck of one problem set.
pub fn check_set(
    name: &str,
    set: &ProblemSet,
    sandbox: Arc<Router>,
    limits: &Limits,
    workers: usize,
    cancel: &Cancel,
    on_done: &mut dyn FnMut(),
) -> SetReport {
    let mut variants: Vec<(String, Variant)> = Vec::new();
    let mut jobs = Vec::new();
    for (i, p) in set.problems.iter().enumerate() {
        for v in std::iter::once(Variant::Reference).chain(Variant::BAD) {
            if v == Variant::InfiniteLoop && i % LOOP_STRIDE != 0 {
                continue;
            }
            let Some(code) = bad_code(p, v) else { continue };
            let mut l = limits.for_problem(p.time_limit);
            if v == Variant::InfiniteLoop {
                l.time = LOOP_LIMIT;
                l.fuel = l.fuel.map(|f| f / 10);
            }
            jobs.push(Job {
                sample_index: variants.len(),
                ..Job::new(&p.id, p.program_for(&code), l)
            });
            variants.push((p.id.clone(), v));
        }
    }
    let mut report = SetReport {
        name: name.to_string(),
        problems: set.len(),
        ..Default::default()
    };
    let checks = jobs.into_iter().zip(variants).collect();
    run_checks(&mut report, checks, sandbox, workers, cancel, on_done);
    report
}

/// A job with the problem id and the variant it checks.
pub(crate) type Check = (Job, (String, Variant));

/// Executes `checks` (each job with the variant it is) and records right and wrong verdicts.
pub(crate) fn run_checks(
    report: &mut SetReport,
    checks: Vec<Check>,
    sandbox: Arc<Router>,
    workers: usize,
    cancel: &Cancel,
    on_done: &mut dyn FnMut(),
) {
    let (jobs, variants): (Vec<Job>, Vec<(String, Variant)>) = checks
        .into_iter()
        .enumerate()
        .map(|(i, (mut j, v))| {
            j.sample_index = i;
            (j, v)
        })
        .unzip();
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
            if v.expected().contains(&r.execution.outcome) {
                entry.1 += 1;
            } else {
                report.failures.push(Failure {
                    task_id: r.task_id.clone(),
                    variant: v,
                    outcome: r.execution.outcome,
                    detail: r.execution.detail.chars().take(300).collect(),
                });
            }
            on_done();
        },
    );
    report
        .failures
        .sort_by(|a, b| (&a.task_id, a.variant).cmp(&(&b.task_id, b.variant)));
}

/// How many jobs [`check_set`] will run for a set (for progress bars).
pub fn job_count(set: &ProblemSet) -> usize {
    set.problems
        .iter()
        .enumerate()
        .map(|(i, p)| {
            std::iter::once(Variant::Reference)
                .chain(Variant::BAD)
                .filter(|v| *v != Variant::InfiniteLoop || i % LOOP_STRIDE == 0)
                .filter(|v| bad_code(p, *v).is_some())
                .count()
        })
        .sum()
}
