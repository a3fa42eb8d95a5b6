//! LiveCodeBench `code_generation_lite` records: `question_title, question_content,
//! platform, question_id, contest_id, contest_date, starter_code, difficulty,
//! public_test_cases, private_test_cases, metadata`. Tests are JSON text of
//! `[{input, output, testtype}]`; private tests may instead be base64 of zlib of a pickle
//! of that JSON text, read here by a data-only pickle reader ([`serde_pickle`], which
//! executes nothing and refuses globals it does not know). A record whose `metadata` names
//! a `func_name` is *functional*: a trusted driver ([`super::calls`]) calls that method of
//! `Solution()` on each test's newline-separated JSON arguments; otherwise the answer is a
//! program run once per test on its stdin, its output compared on the host
//! ([`super::io::Compare::Decimal`]). Both put LiveCodeBench's own imports before the
//! answer (the names its harness makes available) and give each test 6 s.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use serde::Deserialize;

use super::calls::json_literal;
use super::io::{Compare, OutputCheck};
use super::{Assembled, Assembly, Expect, Problem, calls, field_str, jsonl};
use crate::errors::InputError;
use crate::lang::Language;

/// What LiveCodeBench's harness runs before every answer: wildcard imports of the modules
/// competitive programs use, and a deep recursion limit. A program that calls `gcd` or
/// `deque` without importing them works there, so it must work here.
pub const IMPORTS: &str = "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\nfrom heapq import *\nfrom bisect import *\nfrom copy import *\nfrom math import *\nfrom random import *\nfrom statistics import *\nfrom itertools import *\nfrom functools import *\nfrom operator import *\nfrom io import *\nfrom sys import *\nfrom json import *\nfrom builtins import *\nfrom typing import *\nimport string\nimport re\nimport datetime\nimport collections\nimport heapq\nimport bisect\nimport copy\nimport math\nimport random\nimport statistics\nimport itertools\nimport functools\nimport operator\nimport io\nimport sys\nimport json\nsys.setrecursionlimit(50000)\n";

/// LiveCodeBench's default `timeout`: seconds per test.
pub const TEST_SECONDS: u64 = 6;
/// Its harness sets no memory cap; passk's must be finite.
pub const MEMORY_LIMIT: u64 = 4 << 30;
/// What starting the interpreter and decoding the tests may add to a functional run.
const STARTUP: u64 = 10;

/// Which harness a record's tests need.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// A program reading stdin, run once per test.
    Stdin,
    /// `Solution().<func_name>(*args)` per test (LeetCode).
    Functional { func_name: String },
}

/// One test as the record writes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Test {
    pub input: String,
    pub output: String,
    pub testtype: TestType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestType {
    Stdin,
    Functional,
}

/// One LiveCodeBench problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub question_id: String,
    pub title: String,
    pub platform: String,
    pub difficulty: String,
    pub contest_id: String,
    pub contest_date: chrono::NaiveDateTime,
    pub starter_code: String,
    pub mode: Mode,
    /// Public tests, then private ones (the order LiveCodeBench runs them in).
    pub tests: Vec<Test>,
    /// How many of `tests` are public.
    pub public: usize,
    /// Functional tests as Python source, `[([arg, …], expected), …]`: each input line and
    /// each output as the literal `json.loads` gives ([`json_literal`]).
    pub calls: String,
}

/// The platforms and difficulties LiveCodeBench's loader accepts (it refuses others).
const PLATFORMS: [&str; 3] = ["leetcode", "codeforces", "atcoder"];
const DIFFICULTIES: [&str; 3] = ["easy", "medium", "hard"];

pub const FORMAT: super::formats::Format = super::formats::Format {
    name: "livecodebench",
    shape: "LiveCodeBench JSONL (code_generation_lite): question_id, question_content, contest_date, public_test_cases, private_test_cases, metadata",
    detect: |p| {
        p.has_all(&[
            "question_id",
            "question_content",
            "contest_date",
            "public_test_cases",
            "private_test_cases",
        ])
    },
    load: |path| load(path, jsonl::Lines::open(path)?),
};

pub fn load(
    path: &Path,
    lines: impl Iterator<Item = Result<jsonl::Line, InputError>>,
) -> Result<Vec<Problem>, InputError> {
    super::map_records(lines, |v, n| {
        let content = field_str(v, "question_content", path, n)?;
        record(v, path, n).map(|r| problem(r, &content))
    })
}

fn record(v: &serde_json::Value, path: &Path, n: usize) -> Result<Record, InputError> {
    let bad = |message: String| InputError::Line {
        path: path.to_path_buf(),
        line: n,
        message,
    };
    let get = |k: &str| field_str(v, k, path, n);
    let one_of = |k: &str, allowed: &[&str]| {
        let s = get(k)?;
        if allowed.contains(&s.as_str()) {
            Ok(s)
        } else {
            Err(bad(format!(
                "field `{k}` is `{s}`; LiveCodeBench knows {}",
                allowed.join(", ")
            )))
        }
    };
    let date = get("contest_date")?;
    let contest_date = parse_date(&date).ok_or_else(|| {
        bad(format!(
            "field `contest_date` is `{date}`, not an ISO date (2023-08-21T00:00:00)"
        ))
    })?;
    let public = tests(&get("public_test_cases")?, false)
        .map_err(|e| bad(format!("field `public_test_cases`: {e}")))?;
    let private = tests(&get("private_test_cases")?, true)
        .map_err(|e| bad(format!("field `private_test_cases`: {e}")))?;
    let metadata: serde_json::Value = serde_json::from_str(&get("metadata")?)
        .map_err(|e| bad(format!("field `metadata` is not JSON text: {e}")))?;
    let mode = match metadata.get("func_name") {
        None | Some(serde_json::Value::Null) => Mode::Stdin,
        Some(serde_json::Value::String(f)) => Mode::Functional {
            func_name: f.clone(),
        },
        Some(other) => {
            return Err(bad(format!(
                "field `metadata`: `func_name` must be a string, found {other}"
            )));
        }
    };
    let mut all = public;
    let public = all.len();
    all.extend(private);
    if all.is_empty() {
        return Err(bad("the record has no tests".into()));
    }
    let calls = match &mode {
        Mode::Stdin => String::new(),
        Mode::Functional { .. } => calls(&all).map_err(bad)?,
    };
    Ok(Record {
        question_id: get("question_id")?,
        title: get("question_title")?.trim().to_string(),
        platform: one_of("platform", &PLATFORMS)?,
        difficulty: one_of("difficulty", &DIFFICULTIES)?,
        contest_id: get("contest_id")?,
        contest_date,
        starter_code: get("starter_code")?,
        mode,
        tests: all,
        public,
        calls,
    })
}

/// The functional tests as Python source (see [`Record::calls`]).
fn calls(tests: &[Test]) -> Result<String, String> {
    let mut out = String::from("[");
    for (i, t) in tests.iter().enumerate() {
        let args: Vec<String> = t
            .input
            .split('\n')
            .map(json_literal::to_python)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("test {i}: an input line is not JSON ({e})"))?;
        let expected = json_literal::to_python(&t.output)
            .map_err(|e| format!("test {i}: the output is not JSON ({e})"))?;
        out.push_str(&format!("([{}], {expected}),\n", args.join(", ")));
    }
    out.push(']');
    Ok(out)
}

/// `contest_date` as Python's `datetime.fromisoformat` reads LiveCodeBench's values: a
/// date, optionally with a time.
pub fn parse_date(s: &str) -> Option<chrono::NaiveDateTime> {
    use chrono::{NaiveDate, NaiveDateTime};
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
}

/// A tests field: JSON text of the test list, or (private tests) base64 → zlib → pickle of
/// that JSON text, the order LiveCodeBench tries them in.
fn tests(text: &str, may_be_packed: bool) -> Result<Vec<Test>, String> {
    let json = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => v,
        Err(e) if !may_be_packed => return Err(format!("not JSON text: {e}")),
        Err(_) => {
            let unpacked = unpack(text)?;
            serde_json::from_str(&unpacked)
                .map_err(|e| format!("the unpacked pickle is not JSON text: {e}"))?
        }
    };
    serde_json::from_value(json)
        .map_err(|e| format!("not a list of {{input, output, testtype}}: {e}"))
}

/// base64 → zlib → pickle, where the pickle must hold one string (the JSON text).
pub fn unpack(text: &str) -> Result<String, String> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let zipped = base64::engine::general_purpose::STANDARD
        .decode(clean.as_bytes())
        .map_err(|e| format!("neither JSON nor base64 ({e})"))?;
    let mut pickled = Vec::new();
    flate2::read::ZlibDecoder::new(zipped.as_slice())
        .read_to_end(&mut pickled)
        .map_err(|e| format!("base64 but not zlib data ({e})"))?;
    let value = serde_pickle::value_from_slice(&pickled, serde_pickle::DeOptions::new())
        .map_err(|e| format!("the pickle is not plain data ({e}); nothing in it was run"))?;
    match value {
        serde_pickle::Value::String(s) => Ok(s),
        other => Err(format!(
            "the pickle holds {}, not the JSON text LiveCodeBench writes",
            kind(&other)
        )),
    }
}

fn kind(v: &serde_pickle::Value) -> &'static str {
    use serde_pickle::Value::*;
    match v {
        None => "None",
        Bool(_) => "a bool",
        I64(_) | Int(_) => "an int",
        F64(_) => "a float",
        Bytes(_) => "bytes",
        String(_) => "a string",
        List(_) => "a list",
        Tuple(_) => "a tuple",
        Set(_) | FrozenSet(_) => "a set",
        Dict(_) => "a dict",
    }
}

/// What a model is shown: the question and how the answer is run.
pub fn prompt(r: &Record, content: &str) -> String {
    match &r.mode {
        Mode::Functional { func_name } => format!(
            "{}\n\nComplete this starter code; the tests call `Solution().{func_name}` and \
             compare what it returns.\n\n```python\n{}\n```",
            content.trim(),
            r.starter_code.trim_end()
        ),
        Mode::Stdin => format!(
            "{}\n\nWrite a complete Python program that reads the input from standard input \
             and writes the answer to standard output (do not hard-code the sample tests).",
            content.trim()
        ),
    }
}

fn problem(r: Record, content: &str) -> Problem {
    let functional = matches!(r.mode, Mode::Functional { .. });
    Problem {
        id: r.question_id.clone(),
        language: Language::Python,
        prompt: prompt(&r, content),
        entry_point: match &r.mode {
            Mode::Functional { func_name } => Some(func_name.clone()),
            Mode::Stdin => None,
        },
        // LiveCodeBench ships no solutions: nothing to check first.
        reference: None,
        time_limit: functional.then(|| r.run_limit()),
        memory_limit: Some(MEMORY_LIMIT),
        assembly: Assembly::LiveCodeBench(Arc::new(r)),
    }
}

impl Record {
    /// `platform:<p>` and `difficulty:<d>`: the groups LiveCodeBench reports.
    pub fn facets(&self) -> Vec<String> {
        vec![
            format!("platform:{}", self.platform),
            format!("difficulty:{}", self.difficulty),
        ]
    }

    /// The whole run's limit for functional tests: LiveCodeBench's own backstop,
    /// `(timeout + 1) × tests + 5`, and the interpreter's start.
    pub fn run_limit(&self) -> Duration {
        Duration::from_secs((TEST_SECONDS + 1) * self.tests.len() as u64 + 5 + STARTUP)
    }

    /// A sample's program: LiveCodeBench's imports, the answer, then either the driver
    /// (functional) or nothing (a program run per stdin test, judged on the host).
    pub fn program_for(&self, solution: &str) -> Assembled {
        match &self.mode {
            Mode::Stdin => {
                let check = OutputCheck {
                    compare: Compare::Decimal,
                    tolerance: 0.0,
                    expected: self.tests.iter().map(|t| t.output.clone()).collect(),
                    per_test: Some(Duration::from_secs(TEST_SECONDS)),
                };
                super::io::per_input(
                    Language::Python,
                    format!("{IMPORTS}\n{solution}"),
                    Arc::new(self.tests.iter().map(|t| t.input.clone()).collect()),
                    Arc::new(Expect::Output(check)),
                )
            }
            Mode::Functional { func_name } => calls::program(
                format!("{IMPORTS}\n\n{solution}\n"),
                solution,
                func_name,
                &self.calls,
                Duration::from_secs(TEST_SECONDS),
                calls::Rules::LiveCodeBench,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/livecodebench/test-fixture.jsonl")
    }

    fn records(path: &Path) -> Result<Vec<Arc<Record>>, InputError> {
        Ok(load(path, jsonl::Lines::open(path)?)?
            .into_iter()
            .map(|p| match p.assembly {
                Assembly::LiveCodeBench(r) => r,
                other => panic!("{other:?}"),
            })
            .collect())
    }

    /// The fixture's first record with `field` replaced by `value` (JSON), as a file.
    fn with_field(dir: &Path, field: &str, value: serde_json::Value) -> std::path::PathBuf {
        let first = std::fs::read_to_string(fixture()).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
        v[field] = value;
        let path = dir.join("lcb.jsonl");
        std::fs::write(&path, format!("{}\n{v}\n", first.lines().next().unwrap())).unwrap();
        path
    }

    #[test]
    fn packed_and_plain_tests_decode_in_livecodebench_order() {
        let set = super::super::ProblemSet::load(&fixture()).unwrap();
        assert_eq!(set.format, "livecodebench");
        let r = records(&fixture()).unwrap();
        let ids: Vec<&str> = r.iter().map(|r| r.question_id.as_str()).collect();
        assert_eq!(ids, ["2844", "3001", "abc314_a", "1873_B"]);
        // Public first, then the private ones unpacked from base64/zlib/pickle.
        assert_eq!((r[0].public, r[0].tests.len()), (2, 5));
        assert_eq!(r[0].tests[4].output, "47");
        assert_eq!(
            r[0].mode,
            Mode::Functional {
                func_name: "sumOfSquares".into()
            }
        );
        assert_eq!(r[1].tests[0].input, "[1, 3, 4, 6]\n7");
        // Private tests given as plain JSON text read too.
        assert_eq!((r[3].mode.clone(), r[3].tests.len()), (Mode::Stdin, 2));
        assert_eq!(r[2].facets(), ["platform:atcoder", "difficulty:easy"]);
        assert_eq!(r[2].contest_date.to_string(), "2023-08-12 00:00:00");
        let p = &set.problems[0];
        assert!(p.prompt.contains("Solution().sumOfSquares"), "{}", p.prompt);
        assert!(p.prompt_is_task());
        assert_eq!(p.time_limit, Some(Duration::from_secs(7 * 5 + 5 + STARTUP)));
    }

    #[test]
    fn a_pickle_that_is_not_plain_data_is_refused_and_never_run() {
        let dir = tempfile::tempdir().unwrap();
        // pickle.dumps of an object whose __reduce__ calls os.system('echo pwned').
        let evil = "eJxrYJmqygABPawF+cWZFVN62Iori0tSc6dMntLDlZqcka9QUJ6XmjKldUrQFD0AXoEQvQ==";
        let path = with_field(dir.path(), "private_test_cases", evil.into());
        let err = records(&path).unwrap_err().to_string();
        assert!(
            err.contains("lcb.jsonl:2:")
                && err.contains("`private_test_cases`")
                && err.contains("not plain data"),
            "{err}"
        );
        // Plain data, but a list rather than the JSON text LiveCodeBench writes.
        let list =
            "eJxrYJlqxAABsVNqp2j0sGbmFZSWTOlhNJzSw5ZfWgLiZDD3cJSkFpeUVBakTulhLS5JycybUpqoBwBM1hVU";
        let path = with_field(dir.path(), "private_test_cases", list.into());
        let err = records(&path).unwrap_err().to_string();
        assert!(err.contains("the pickle holds a list"), "{err}");
        let path = with_field(dir.path(), "private_test_cases", "%%%".into());
        let err = records(&path).unwrap_err().to_string();
        assert!(err.contains("neither JSON nor base64"), "{err}");
    }

    #[test]
    fn a_field_of_the_wrong_type_names_its_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        for (field, value, says) in [
            (
                "metadata",
                serde_json::json!({"func_name": "f"}),
                "field `metadata` must be a string",
            ),
            (
                "public_test_cases",
                serde_json::json!("[{\"input\": 1}]"),
                "not a list of {input, output, testtype}",
            ),
            (
                "metadata",
                serde_json::json!("{\"func_name\": 3}"),
                "`func_name` must be a string",
            ),
            (
                "difficulty",
                serde_json::json!("brutal"),
                "LiveCodeBench knows easy, medium, hard",
            ),
            (
                "contest_date",
                serde_json::json!("last tuesday"),
                "not an ISO date",
            ),
            (
                "public_test_cases",
                serde_json::json!(
                    "[{\"input\": \"[1, 2\", \"output\": \"3\", \"testtype\": \"functional\"}]"
                ),
                "test 0: an input line is not JSON",
            ),
        ] {
            let path = with_field(dir.path(), field, value);
            let err = records(&path).unwrap_err().to_string();
            assert!(
                err.contains("lcb.jsonl:2:") && err.contains(says),
                "{field}: {err}"
            );
        }
    }

    #[test]
    fn stdin_programs_get_the_imports_and_functional_ones_the_driver() {
        let r = records(&fixture()).unwrap();
        let stdin = r[2].program_for("print(gcd(4, 6))");
        assert!(stdin.program.source.starts_with(IMPORTS));
        assert_eq!(stdin.program.inputs.as_ref().unwrap().len(), 4);
        let f = r[0].program_for("class Solution:\n    def sumOfSquares(self, nums): return 0\n");
        let at = f.program.tests_at.unwrap();
        assert!(f.program.source[at..].contains("_passk_call(\"sumOfSquares\", True,"));
        assert!(f.program.source[..at].ends_with("return 0\n\n"));
    }

    #[test]
    fn a_slow_test_is_a_timeout_and_other_failures_stay_as_they_are() {
        use crate::outcome::Outcome;
        use crate::sandbox::Execution;
        let slow = Execution::verdict(
            Outcome::WrongAnswer,
            format!(
                "AssertionError: {}test 1 took 6.50 s, over LiveCodeBench's limit of 6 s",
                super::super::SLOW_INPUT
            ),
        );
        let e = super::super::judge_slow_input(slow);
        assert_eq!(e.outcome, Outcome::Timeout);
        assert!(e.detail.starts_with("test 1 took"), "{}", e.detail);
        let wrong = super::super::judge_slow_input(Execution::verdict(
            Outcome::WrongAnswer,
            "test 0: expected 1, got 2",
        ));
        assert_eq!(wrong.outcome, Outcome::WrongAnswer);
    }
}
