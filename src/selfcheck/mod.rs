//! `passk selfcheck`: proves a benchmark and its sandbox score correctly before anyone trusts
//! a number — every reference passes, and known-bad solutions (empty body, `return None`,
//! an exception, an infinite loop, `sys.exit(0)` before the tests) fail with the right
//! outcome. A broken toolchain shows up here instead of as a silent 0 %.

use std::sync::Arc;
use std::time::Duration;

pub mod languages;

use crate::problem::defects::KnownDefects;
use crate::problem::{Assembly, Code, Problem, ProblemSet};
use crate::runner::check::run_checks;
pub use crate::runner::check::{Failure, SetReport, Variant};
use crate::runner::{Cancel, Event, Job, Reporter};
use crate::sandbox::{Limits, Sandbox};

/// Infinite loops each cost a full time limit, so they run on every `LOOP_STRIDE`-th
/// problem with a short limit; the other variants run on every problem.
const LOOP_STRIDE: usize = 16;
const LOOP_LIMIT: Duration = Duration::from_secs(1);

/// A bad body, or `pass` where the variant's body is empty (Python needs one).
fn or_pass(body: &str) -> &str {
    if body.is_empty() { "    pass\n" } else { body }
}

/// The function the tests call, taking anything, with the bad body.
fn bad_function(name: &str, body: &str) -> String {
    format!("def {name}(*args, **kwargs):\n{}", or_pass(body))
}

/// A whole program whose work is the bad body, called once.
fn bad_program(body: &str) -> String {
    format!("def main():\n{}\nmain()\n", or_pass(body))
}

/// The code of a bad variant, in the form the benchmark's samples take.
fn bad_code(problem: &Problem, v: Variant) -> Option<Code> {
    let body = match v {
        Variant::Reference => return problem.reference_code(),
        Variant::EmptyBody => "",
        Variant::ReturnNone => "    return None\n",
        Variant::Raises => "    raise RuntimeError('passk selfcheck: known-bad')\n",
        Variant::InfiniteLoop => "    while True:\n        pass\n",
        Variant::ExitZero => "    import sys\n    sys.exit(0)\n",
        Variant::WrongAnswer | Variant::SyntaxError | Variant::RuntimeError | Variant::Stub => {
            return exercise_code(problem, v);
        }
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
    if let Assembly::Exercise(_) = &problem.assembly {
        return exercise_code(problem, v);
    }
    if let Assembly::EvalPlus(task) = &problem.assembly {
        // A completion of the prompt: HumanEval+'s is the function's body, MBPP+'s (a
        // docstring) the whole function.
        return Some(Code::Completion(match task.dataset {
            crate::problem::evalplus::Dataset::HumanEval => body.to_string(),
            crate::problem::evalplus::Dataset::Mbpp => bad_function(&task.entry_point, body),
        }));
    }
    if let Assembly::LiveCodeBench(record) = &problem.assembly {
        return Some(Code::Solution(match &record.mode {
            // The method the tests call, in the `Solution` class they instantiate.
            crate::problem::livecodebench::Mode::Functional { func_name } => format!(
                "class Solution:\n    def {func_name}(self, *args, **kwargs):\n{}",
                or_pass(body)
                    .lines()
                    .map(|l| format!("    {l}\n"))
                    .collect::<String>()
            ),
            crate::problem::livecodebench::Mode::Stdin => bad_program(body),
        }));
    }
    if let Assembly::Contest(record) = &problem.assembly {
        return Some(Code::Solution(match &record.mode {
            crate::problem::contests::Mode::Call { fn_name } => bad_function(fn_name, body),
            crate::problem::contests::Mode::Stdin => bad_program(body),
        }));
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
            Some(Code::Solution(bad_function(entry, body)))
        }
        // Bad code for other languages is written per language (see `langcheck`).
        Assembly::MultiplE { .. }
        | Assembly::HumanEvalX { .. }
        | Assembly::Native { .. }
        | Assembly::Cruxeval(_)
        | Assembly::Predict(_)
        | Assembly::Exercise(_)
        | Assembly::EvalPlus(_)
        | Assembly::LiveCodeBench(_)
        | Assembly::Contest(_) => None,
    }
}

/// An exercise's bad answers: its stubs, and the reference exiting 0 before the tests end.
fn exercise_code(problem: &Problem, v: Variant) -> Option<Code> {
    let Assembly::Exercise(exercise) = &problem.assembly else {
        return None;
    };
    let language = exercise.language;
    match v {
        Variant::Stub => Some(exercise.stub_answer()),
        Variant::ExitZero => crate::problem::polyglot::drivers::early_exit(exercise)
            .map(|files| crate::problem::polyglot::answer::render(language, &files)),
        _ => None,
    }
    .map(Code::Solution)
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
        Variant::EmptyBody | Variant::WrongAnswer | Variant::Stub => {
            "'passk-selfcheck-wrong'".into()
        }
        Variant::ReturnNone if input => record.output.clone(),
        Variant::ReturnNone => format!("f({})", record.input),
        Variant::Raises | Variant::RuntimeError => call("1 // 0"),
        Variant::InfiniteLoop => call("[0 for _ in iter(int, 1)]"),
        Variant::ExitZero => call("__import__('sys').exit(0)"),
        Variant::Reference | Variant::SyntaxError => record.truth(),
    }
}

/// One problem set to check, under the name reports give it, with the known defects that
/// explain wrong verdicts on it.
pub struct SetToCheck<'a> {
    pub name: &'a str,
    pub set: &'a ProblemSet,
    pub known: &'a KnownDefects,
}

/// Runs the selfcheck of one problem set, reporting each verdict and, at the end,
/// [`Event::SetChecked`]. A wrong verdict that the known defects list for that problem and
/// variant is reported as known, not as a failure.
pub fn check_set(
    SetToCheck { name, set, known }: SetToCheck<'_>,
    sandbox: Arc<impl Sandbox + 'static>,
    limits: &Limits,
    workers: usize,
    cancel: &Cancel,
    reporter: &dyn Reporter,
) -> SetReport {
    let mut report = SetReport {
        name: name.to_string(),
        problems: set.len(),
        ..Default::default()
    };
    // EvalPlus tasks are judged against their canonical solution's outputs: computed here,
    // afresh (no cache), before any variant runs.
    let completed = crate::runner::oracle::complete(
        set,
        |_| true,
        sandbox.clone(),
        limits,
        workers,
        &crate::runner::Reuse::none(),
        cancel,
        reporter,
    );
    let Some(completed) = completed else {
        return report;
    };
    let set: &ProblemSet = &completed;
    let mut variants: Vec<(String, Variant)> = Vec::new();
    let mut jobs = Vec::new();
    for (i, p) in set.problems.iter().enumerate() {
        for v in std::iter::once(Variant::Reference).chain(Variant::BAD) {
            if v == Variant::InfiniteLoop && i % LOOP_STRIDE != 0 {
                continue;
            }
            let Some(code) = bad_code(p, v) else { continue };
            let mut l = p.limits(limits);
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
    let checks = jobs.into_iter().zip(variants).collect();
    let known = |id: &str, v: Variant| {
        // An exercise's `exit_zero` is built on its reference: a broken reference breaks it.
        let on_reference = || {
            (v == Variant::ExitZero)
                .then(|| known.get(&set.format, id))
                .flatten()
                .map(|d| {
                    format!(
                        "built on the reference, which is a known defect: {}",
                        d.reason
                    )
                })
        };
        known
            .get_variant(&set.format, id, v.name())
            .map(|d| d.reason.clone())
            .or_else(on_reference)
    };
    run_checks(
        &mut report,
        checks,
        &known,
        sandbox,
        workers,
        cancel,
        reporter,
    );
    reporter.on(Event::SetChecked(&report));
    report
}
