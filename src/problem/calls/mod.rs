//! Functional tests of whole Python answers, shared by LiveCodeBench (`func_name`) and
//! APPS/TACO (`fn_name`): a trusted driver (`driver.py`, sealed after the answer like
//! HumanEval's tests) calls the named function — or the method of one `Solution()` when
//! the answer's text has `class Solution`, as both harnesses decide — on each test's
//! arguments, times each call against the harness's limit, and compares the result with
//! the expected value by the harness's rules ([`Rules`]). The arguments and expected
//! values arrive as Python literals written on the host, so nothing the answer does to
//! `json` can change them.

pub mod json_literal;

use std::sync::Arc;
use std::time::Duration;

use super::{Assembled, Expect, py_str};
use crate::lang::Language;
use crate::sandbox::{Guard, Program};

const DRIVER: &str = include_str!("driver.py");

/// Whose comparison a call's result gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rules {
    /// `==` on plain data, a tuple read as a list.
    LiveCodeBench,
    /// APPS's: also an expected value wrapped in a list, a list of tuples as lists, dict
    /// keys read back as integers, sets among the plain types.
    Apps,
}

impl Rules {
    fn harness(self) -> &'static str {
        match self {
            Rules::LiveCodeBench => "LiveCodeBench",
            // APPS's and TACO's.
            Rules::Apps => "the harness",
        }
    }
}

/// The program of one answer: `head` (the harness's imports and the answer, ending in a
/// newline), then the driver calling `name` on `calls` (Python source of
/// `[([arg, …], expected), …]`), each call held to `limit`.
pub fn program(
    head: String,
    solution: &str,
    name: &str,
    calls: &str,
    limit: Duration,
    rules: Rules,
) -> Assembled {
    let at = head.len();
    // The harnesses test the answer's text, not what the program defines.
    let has_class = if solution.contains("class Solution") {
        "True"
    } else {
        "False"
    };
    let apps = if rules == Rules::Apps {
        "True"
    } else {
        "False"
    };
    let call = format!(
        "_passk_call({}, {has_class}, {calls}, {}, {}, {apps})\n",
        py_str(name),
        limit.as_secs_f64(),
        py_str(rules.harness()),
    );
    let program = Program {
        guard: Some(Guard {
            tests_at: at,
            entry_point: name.to_string(),
        }),
        tests_at: Some(at),
        ..Program::plain(Language::Python, format!("{head}{DRIVER}{call}"))
    };
    Assembled {
        program,
        expect: Some(Arc::new(Expect::PerInputTime)),
        decided: None,
    }
}
