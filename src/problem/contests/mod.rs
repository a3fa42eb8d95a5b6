//! Competitive-programming sets that ship their references: APPS and TACO
//! ([`apps`]: `question, solutions, starter_code, input_output, difficulty`) and
//! CodeContests ([`code_contests`]: `name, description, public_tests, private_tests,
//! generated_tests, solutions, time_limit, memory_limit_bytes`). Each record becomes one
//! [`Record`]: a Python answer run once per stdin test and judged on the host with the
//! harness's own comparison ([`super::io::Compare::Apps`], [`super::io::Compare::Taco`],
//! [`super::io::Compare::CodeContests`]), or — APPS's call-based problems (`fn_name`) — a
//! trusted driver ([`super::calls`]) calling the function on each test's arguments. The first
//! Python 3 solution the record ships is the problem's reference, so reference-first
//! scoring checks it before any sample counts.

pub mod apps;
pub mod code_contests;

use std::sync::Arc;
use std::time::Duration;

use super::io::{Compare, OutputCheck};
use super::{Assembled, Assembly, Expect, Problem, calls};
use crate::lang::Language;

/// Which harness a record's verdicts follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Harness {
    Apps,
    /// TACO's records, judged by TACO's rewrite of APPS's harness (its stdin outputs
    /// compared as one text, see [`super::io::Compare::Taco`]).
    Taco,
    CodeContests,
}

impl Harness {
    pub fn name(self) -> &'static str {
        match self {
            Harness::Apps => "apps",
            Harness::Taco => "taco",
            Harness::CodeContests => "code_contests",
        }
    }
}

/// How a record's tests run.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// A program reading stdin, run once per test.
    Stdin,
    /// `fn_name(*args)` per test, on `Solution()` when the answer's text has
    /// `class Solution` (APPS's rule).
    Call { fn_name: String },
}

/// One problem, read from any of the three formats.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub harness: Harness,
    pub id: String,
    pub statement: String,
    pub starter_code: String,
    pub mode: Mode,
    /// Stdin tests: (input, expected output), in the record's order.
    pub tests: Vec<(String, String)>,
    /// Call-based tests as Python source, `[([arg, …], expected), …]`.
    pub calls: String,
    /// How many tests (of either kind).
    pub count: usize,
    /// The harness's limit per test.
    pub per_test: Duration,
    /// The harness's memory limit for the program.
    pub memory: u64,
    /// The benchmark's groups (`difficulty:interview`, `source:codeforces`).
    pub facets: Vec<String>,
    /// The Python 3 solutions the record ships, in its order.
    pub solutions: Vec<String>,
}

/// What starting the interpreter and reading the tests may add to a call-based run.
const STARTUP: u64 = 10;

impl Record {
    fn compare(&self) -> Compare {
        match self.harness {
            Harness::Apps => Compare::Apps,
            Harness::Taco => Compare::Taco,
            Harness::CodeContests => Compare::CodeContests,
        }
    }

    /// What a model is shown.
    pub fn prompt(&self) -> String {
        match &self.mode {
            Mode::Call { fn_name } => format!(
                "{}\n\nComplete this starter code in Python 3; the tests call `{fn_name}` and \
                 compare what it returns.\n\n```python\n{}\n```",
                self.statement.trim(),
                self.starter_code.trim_end()
            ),
            Mode::Stdin => format!(
                "{}\n\nWrite a complete Python 3 program that reads the input from standard \
                 input and writes the answer to standard output.",
                self.statement.trim()
            ),
        }
    }

    /// The whole run's limit for call-based tests: every test at its limit, and the start.
    pub fn run_limit(&self) -> Duration {
        self.per_test * self.count as u32 + Duration::from_secs(STARTUP)
    }

    /// A sample's program: the answer with the harness's imports, then the call driver, or
    /// nothing (run per stdin test and judged on the host).
    pub fn program_for(&self, solution: &str) -> Assembled {
        let source = self.source(solution);
        match &self.mode {
            Mode::Stdin => {
                let check = OutputCheck {
                    compare: self.compare(),
                    tolerance: 0.0,
                    expected: self.tests.iter().map(|t| t.1.clone()).collect(),
                    per_test: Some(self.per_test),
                };
                super::io::per_input(
                    Language::Python,
                    source,
                    Arc::new(self.tests.iter().map(|t| t.0.clone()).collect()),
                    Arc::new(Expect::Output(check)),
                )
            }
            Mode::Call { fn_name } => calls::program(
                source,
                solution,
                fn_name,
                &self.calls,
                self.per_test,
                calls::Rules::Apps,
            ),
        }
    }

    /// The program the harness runs for an answer. APPS and TACO put their import block
    /// before it (numpy only where the sandbox has it: passk's guests do not), and for
    /// stdin programs also name `stdin` and `stdout` — after the answer's own leading
    /// imports, which TACO keeps first (so `from __future__` stays legal there) and APPS
    /// does not. CodeContests runs the program as it is.
    fn source(&self, solution: &str) -> String {
        let aliases = "stdin = sys.stdin\nstdout = sys.stdout\n";
        let import = |l: &str| l.starts_with("from ") || l.starts_with("import ");
        match (self.harness, &self.mode) {
            (Harness::CodeContests, _) => format!("{solution}\n"),
            (Harness::Apps | Harness::Taco, Mode::Call { .. }) => {
                format!("{}{solution}\n", apps::IMPORTS)
            }
            (Harness::Apps, Mode::Stdin) => {
                let (imports, rest) = leading(solution, import);
                format!("{}{imports}{aliases}{rest}\n", apps::IMPORTS)
            }
            (Harness::Taco, Mode::Stdin) => {
                let (imports, rest) = leading(solution, |l| import(l) || l.contains("import *"));
                format!("{imports}{}\n{aliases}{rest}\n", apps::IMPORTS)
            }
        }
    }
}

/// `solution` cut after its leading lines that `keep` accepts: those lines (ending in a
/// newline, when there are any), and the rest.
fn leading(solution: &str, keep: impl Fn(&str) -> bool) -> (String, &str) {
    let at = solution
        .split_inclusive('\n')
        .take_while(|l| keep(l))
        .map(str::len)
        .sum::<usize>();
    let (head, rest) = solution.split_at(at);
    let mut head = head.to_string();
    if !head.is_empty() && !head.ends_with('\n') {
        head.push('\n');
    }
    (head, rest)
}

/// The problem a record is.
pub fn problem(r: Record) -> Problem {
    let call = matches!(r.mode, Mode::Call { .. });
    // CodeContests' references may be Python 2 or C++ only: then there is none to check.
    Problem {
        id: r.id.clone(),
        language: Language::Python,
        prompt: r.prompt(),
        entry_point: match &r.mode {
            Mode::Call { fn_name } => Some(fn_name.clone()),
            Mode::Stdin => None,
        },
        reference: r.solutions.first().cloned(),
        // A stdin test's run may last past the harness's limit, so that its time is
        // measured and judged; a call-based run holds every test.
        time_limit: Some(if call {
            r.run_limit()
        } else {
            r.per_test + Duration::from_secs(1)
        }),
        // CodeContests' limit is exact (`Problem::limits`); APPS sets none.
        memory_limit: (r.harness != Harness::CodeContests).then_some(r.memory),
        assembly: Assembly::Contest(Arc::new(r)),
    }
}
