//! EvalPlus release files (`HumanEvalPlus.jsonl(.gz)`, `HumanEvalPlus-Mini`, `MbppPlus`):
//! `task_id, prompt, entry_point, canonical_solution, contract, base_input, plus_input,
//! atol` (HumanEval+ also keeps `test`, MBPP+ its `assertion`). A task has no expected
//! outputs: EvalPlus runs the canonical solution on every input (the *ground truth*, its
//! oracle) and judges a sample by differential testing against it. passk does the same in
//! two steps: [`Task::oracle_program`] runs the canonical solution in the sandbox and prints
//! each output (as exact Python source) and its time; `runner/oracle.rs` runs those once per
//! task (cached) and fills [`Task::oracle`]; a sample's program then embeds the expected
//! outputs and per-input time limits in its trusted tests (`driver.py`), which compare as
//! EvalPlus does (exact, floats with `atol`, its special oracles).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Assembled, Assembly, Expect, Problem, field_str, jsonl, py_str};
use crate::errors::InputError;
use crate::lang::Language;
use crate::outcome::Outcome;
use crate::sandbox::{Execution, Guard, Program};

/// The trusted driver: a function the tests call with the entry point.
const DRIVER: &str = include_str!("driver.py");

/// EvalPlus's `DEFAULT_GT_TIME_LIMIT_FACTOR` and `DEFAULT_MIN_TIME_LIMIT`: an input may take
/// four times the ground truth's own time here, and never less than four seconds.
pub const TIME_FACTOR: f64 = 4.0;
pub const MIN_TIME_LIMIT: f64 = 4.0;
/// EvalPlus's `EVALPLUS_TIMEOUT_PER_TASK`: base and plus inputs each run under at most this
/// (plus a second), whatever their per-input limits add up to.
pub const TASK_TIMEOUT: f64 = 60.0;
/// EvalPlus's `EVALPLUS_MAX_MEMORY_BYTES` default.
pub const MEMORY_LIMIT: u64 = 4 << 30;
/// What starting the interpreter and reading the tests may add to a run.
const STARTUP: f64 = 10.0;
/// The oracle's own run: the canonical solution on every input, once.
pub const ORACLE_TIME: Duration = Duration::from_secs(300);
/// The oracle prints every output; large outputs are expected.
pub const ORACLE_OUTPUT_BYTES: usize = 256 << 20;
/// Each line the oracle prints for an input starts with this.
const ORACLE_LINE: &str = "\x1fpassk-evalplus ";

/// Which EvalPlus dataset a task is from (its special oracles and input restoring differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    HumanEval,
    Mbpp,
}

impl Dataset {
    fn as_str(self) -> &'static str {
        match self {
            Dataset::HumanEval => "humaneval",
            Dataset::Mbpp => "mbpp",
        }
    }
}

/// One EvalPlus task.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub dataset: Dataset,
    pub task_id: String,
    pub entry_point: String,
    pub prompt: String,
    pub canonical: String,
    pub atol: f64,
    /// How many of the inputs are `base_input` (the rest are `plus_input`).
    pub base: usize,
    pub plus: usize,
    /// `[base_input, plus_input]` as JSON text for Python's `json.loads` (exactly as the
    /// file has them, non-finite floats included).
    pub inputs_json: String,
    /// `[base_input, []]`, the same way: the base-only check (EvalPlus's `base` score).
    pub base_json: String,
    /// The ground truth, once computed: the expected outputs and times, or why it failed.
    pub oracle: Option<Result<Arc<Oracle>, String>>,
}

/// What the canonical solution returned for each input (as Python source) and how long
/// each call took here, in seconds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct Oracle {
    pub expected: Vec<String>,
    pub seconds: Vec<f64>,
}

impl Oracle {
    /// Per input: EvalPlus's `max(min_time_limit, factor × ground-truth time)`.
    pub fn limits(&self) -> Vec<f64> {
        self.seconds
            .iter()
            .map(|t| (TIME_FACTOR * t).max(MIN_TIME_LIMIT))
            .collect()
    }

    /// The whole run's limit: base and plus each capped as EvalPlus caps a task, plus
    /// what starting the interpreter costs.
    pub fn run_limit(&self, base: usize) -> Duration {
        let limits = self.limits();
        let (b, p) = limits.split_at(base.min(limits.len()));
        let phase = |l: &[f64]| TASK_TIMEOUT.min(l.iter().sum::<f64>()) + 1.0;
        Duration::from_secs_f64(phase(b) + phase(p) + STARTUP)
    }
}

pub const FORMAT: super::formats::Format = super::formats::Format {
    name: "evalplus",
    shape: "EvalPlus JSONL (HumanEval+ / MBPP+): task_id, prompt, entry_point, canonical_solution, base_input, plus_input, atol",
    detect: |p| {
        p.has_all(&[
            "task_id",
            "entry_point",
            "canonical_solution",
            "base_input",
            "plus_input",
        ])
    },
    load: |path| load(path, jsonl::Lines::open(path)?),
};

/// The two input lists, cut from the record's text so that integers of any size and
/// non-finite floats reach Python exactly as written.
#[derive(Deserialize)]
struct RawInputs<'a> {
    #[serde(borrow)]
    base_input: &'a RawValue,
    #[serde(borrow)]
    plus_input: &'a RawValue,
}

pub fn load(
    path: &Path,
    lines: impl Iterator<Item = Result<jsonl::Line, InputError>>,
) -> Result<Vec<Problem>, InputError> {
    lines
        .map(|line| {
            let line = line?;
            task(&line, path).map(problem)
        })
        .collect()
}

fn task(line: &jsonl::Line, path: &Path) -> Result<Task, InputError> {
    let (v, n) = (&line.value, line.number);
    let bad = |message: String| InputError::Line {
        path: path.to_path_buf(),
        line: n,
        message,
    };
    let get = |k: &str| field_str(v, k, path, n);
    let task_id = get("task_id")?;
    let dataset = if task_id.starts_with("Mbpp/") {
        Dataset::Mbpp
    } else {
        Dataset::HumanEval
    };
    let count = |k: &str| match v.get(k) {
        Some(serde_json::Value::Array(a)) if a.iter().all(|i| i.is_array()) => Ok(a.len()),
        Some(other) => Err(bad(format!(
            "field `{k}` must be a list of argument lists, found {}",
            short(&jsonl::restore_nonfinite(&other.to_string()))
        ))),
        None => Err(bad(format!("missing field `{k}`"))),
    };
    let (base, plus) = (count("base_input")?, count("plus_input")?);
    let atol = match v.get("atol") {
        None | Some(serde_json::Value::Null) => 0.0,
        Some(serde_json::Value::Number(x)) => x.as_f64().unwrap_or(0.0),
        Some(other) => return Err(bad(format!("field `atol` must be a number, found {other}"))),
    };
    let raw: RawInputs =
        serde_json::from_str(&line.text).map_err(|e| bad(format!("unreadable inputs: {e}")))?;
    Ok(Task {
        dataset,
        entry_point: get("entry_point")?,
        prompt: get("prompt")?,
        canonical: get("canonical_solution")?,
        atol,
        base,
        plus,
        inputs_json: jsonl::restore_nonfinite(&format!(
            "[{},{}]",
            raw.base_input.get(),
            raw.plus_input.get()
        )),
        base_json: jsonl::restore_nonfinite(&format!("[{},[]]", raw.base_input.get())),
        task_id,
        oracle: None,
    })
}

fn short(s: &str) -> String {
    s.chars().take(80).collect()
}

fn problem(task: Task) -> Problem {
    Problem {
        id: task.task_id.clone(),
        language: Language::Python,
        prompt: task.prompt.clone(),
        entry_point: Some(task.entry_point.clone()),
        reference: Some(task.canonical.clone()),
        time_limit: None,
        memory_limit: Some(MEMORY_LIMIT),
        assembly: Assembly::EvalPlus(Arc::new(task)),
    }
}

impl Task {
    /// `solution + "\n" + driver + call`, with the test boundary.
    fn assemble(&self, solution: &str, call: String) -> Program {
        let head = format!("{solution}\n");
        let at = head.len();
        Program {
            guard: Some(Guard {
                tests_at: at,
                entry_point: self.entry_point.clone(),
            }),
            tests_at: Some(at),
            ..Program::plain(Language::Python, format!("{head}{DRIVER}{call}\n"))
        }
    }

    fn call(&self, mode: &str, inputs: &str, expected: &str, limits: &str) -> String {
        let number = self
            .task_id
            .rsplit('/')
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
        format!(
            "_passk_evalplus({ep}, {name}, {mode}, {dataset}, {number}, {atol:?}, {base}, {inputs}, {expected}, {limits})",
            ep = self.entry_point,
            name = py_str(&self.entry_point),
            mode = py_str(mode),
            dataset = py_str(self.dataset.as_str()),
            atol = self.atol,
            base = self.base,
            inputs = py_str(inputs),
        )
    }

    /// The ground truth's program: the canonical solution (after the prompt, as EvalPlus
    /// runs it) on every input, printing each output and its time.
    pub fn oracle_program(&self) -> Program {
        let solution = format!("{}{}", self.prompt, self.canonical);
        self.assemble(
            &solution,
            self.call("oracle", &self.inputs_json, "None", "None"),
        )
    }

    /// Reads the oracle's run: one line per input, in order.
    pub fn read_oracle(&self, e: &Execution) -> Result<Oracle, String> {
        if e.outcome != Outcome::Passed {
            return Err(format!(
                "the canonical solution did not run to the end here ({}: {})",
                e.outcome.as_str(),
                e.detail
            ));
        }
        let mut oracle = Oracle {
            expected: Vec::new(),
            seconds: Vec::new(),
        };
        for line in e.stdout.lines() {
            let Some(rest) = line.strip_prefix(ORACLE_LINE) else {
                continue;
            };
            let mut parts = rest.splitn(3, ' ');
            let (Some(i), Some(t), Some(src)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(format!("unreadable ground-truth line: {}", short(line)));
            };
            if i.parse::<usize>().ok() != Some(oracle.expected.len()) {
                return Err(format!("ground-truth line out of order: {}", short(line)));
            }
            let t = t
                .parse::<f64>()
                .map_err(|_| format!("unreadable ground-truth time: {}", short(line)))?;
            oracle.seconds.push(t);
            oracle.expected.push(src.to_string());
        }
        if oracle.expected.len() != self.base + self.plus {
            return Err(format!(
                "the ground truth printed {} of {} outputs",
                oracle.expected.len(),
                self.base + self.plus
            ));
        }
        Ok(oracle)
    }

    /// A sample's program: the solution, then the driver with the expected outputs and
    /// each input's time limit; a task whose ground truth failed decides nothing here.
    pub fn program_for(&self, solution: &str) -> Assembled {
        let oracle = match &self.oracle {
            Some(Ok(o)) => o,
            Some(Err(why)) => return undecided(solution, format!("no ground truth: {why}")),
            None => {
                return undecided(
                    solution,
                    "no ground truth: the task's oracle was never computed (a passk bug)".into(),
                );
            }
        };
        self.checked(solution, oracle, &self.inputs_json, oracle.expected.len())
    }

    /// The base-only check of a sample (EvalPlus's `base` score): the same program with the
    /// plus inputs left out. `None` without a ground truth.
    pub fn base_program_for(&self, solution: &str) -> Option<Assembled> {
        let Some(Ok(oracle)) = &self.oracle else {
            return None;
        };
        Some(self.checked(solution, oracle, &self.base_json, self.base))
    }

    /// The solution with the driver checking the first `n` inputs of `inputs`.
    fn checked(&self, solution: &str, oracle: &Oracle, inputs: &str, n: usize) -> Assembled {
        let n = n.min(oracle.expected.len());
        let expected = format!("[{}]", oracle.expected[..n].join(", "));
        let limits = format!(
            "[{}]",
            oracle.limits()[..n]
                .iter()
                .map(|l| format!("{l:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Assembled {
            program: self.assemble(solution, self.call("check", inputs, &expected, &limits)),
            expect: Some(Arc::new(Expect::PerInputTime)),
            decided: None,
        }
    }
}

/// A program not run: the ground truth is missing, which is passk's or the benchmark's
/// fault, never the sample's.
fn undecided(solution: &str, why: String) -> Assembled {
    Assembled {
        program: Program::plain(Language::Python, solution),
        expect: None,
        decided: Some(Execution::verdict(Outcome::SandboxError, why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/evalplus")
            .join(name)
    }

    fn tasks(name: &str) -> Vec<Arc<Task>> {
        let path = fixture(name);
        load(&path, jsonl::Lines::open(&path).unwrap())
            .unwrap()
            .into_iter()
            .map(|p| match p.assembly {
                Assembly::EvalPlus(t) => t,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn inputs_reach_python_exactly_as_the_file_has_them() {
        let set = super::super::ProblemSet::load(&fixture("HumanEvalPlus-fixture.jsonl")).unwrap();
        assert_eq!(set.format, "evalplus");
        let t = tasks("HumanEvalPlus-fixture.jsonl");
        let zero = &t[0];
        assert_eq!((zero.base, zero.plus, zero.atol), (7, 5, 0.0));
        assert!(
            zero.inputs_json.contains("[[1.0, Infinity], 0.5]"),
            "{}",
            zero.inputs_json
        );
        let add = t.iter().find(|t| t.entry_point == "add").unwrap();
        assert!(add.inputs_json.contains("12345678901234567890123"));
        assert_eq!(t[1].atol, 1e-6);
        let mbpp = tasks("MbppPlus-fixture.jsonl");
        assert!(mbpp.iter().all(|t| t.dataset == Dataset::Mbpp));
    }

    #[test]
    fn a_field_of_the_wrong_type_names_its_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plus.jsonl");
        let good = std::fs::read_to_string(fixture("HumanEvalPlus-fixture.jsonl")).unwrap();
        let first = good.lines().next().unwrap();
        let bad = first.replacen("\"plus_input\": [", "\"plus_input\": [3, ", 1);
        std::fs::write(&path, format!("{first}\n{bad}\n")).unwrap();
        let err = load(&path, jsonl::Lines::open(&path).unwrap())
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("plus.jsonl:2:") && err.contains("`plus_input`"),
            "{err}"
        );
        assert!(err.contains("[[1.0,Infinity]"), "{err}");
    }

    #[test]
    fn limits_follow_the_ground_truth_with_evalplus_factor_floor_and_cap() {
        let o = Oracle {
            expected: vec!["1".into(); 3],
            seconds: vec![0.01, 2.5, 30.0],
        };
        assert_eq!(o.limits(), vec![4.0, 10.0, 120.0]);
        // base: 4 + 10 = 14 (+1); plus: 120 capped at 60 (+1); interpreter: 10.
        assert_eq!(
            o.run_limit(2),
            Duration::from_secs_f64(15.0 + 61.0 + STARTUP)
        );
    }

    #[test]
    fn an_oracle_that_printed_too_little_or_failed_is_refused_with_the_reason() {
        let t = &tasks("MbppPlus-fixture.jsonl")[0];
        let mut e = Execution::verdict(Outcome::Passed, "");
        e.stdout = format!("{ORACLE_LINE}0 0.001 (3, 4)\n");
        let err = t.read_oracle(&e).unwrap_err();
        assert!(err.contains("printed 1 of 7"), "{err}");
        let failed = Execution::verdict(Outcome::RuntimeError, "NameError: x");
        assert!(t.read_oracle(&failed).unwrap_err().contains("NameError"));
        // A sample of a task without ground truth is a harness fault, never run.
        let mut no_truth = (**t).clone();
        no_truth.oracle = Some(Err("boom".into()));
        let a = no_truth.program_for("def similar_elements(a, b): pass");
        assert_eq!(a.decided.unwrap().outcome, Outcome::SandboxError);
    }
}
