//! CodeContests records (DeepMind's `contest_problem.proto` as its dataset rows:
//! `name, description, public_tests, private_tests, generated_tests` each
//! `{input: [..], output: [..]}`, `solutions` `{language: [..], solution: [..]}` with the
//! proto's language codes, `source`, `difficulty`, `time_limit` `{seconds, nanos}`,
//! `memory_limit_bytes`, and Codeforces' `cf_*` fields). Enums may be the proto's numbers
//! or its names. Every test runs — public, private, then generated — and each must pass.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::{Harness, Mode, Record};
use crate::errors::InputError;
use crate::problem::{Problem, field_str, jsonl};

/// The CodeContests execution library's defaults, for records that set no limit: 10 s
/// per test and 256 MiB; the library adds 32 MiB for the interpreter to every limit.
pub const DEFAULT_SECONDS: u64 = 10;
pub const DEFAULT_MEMORY: u64 = 256 << 20;
pub const INTERPRETER_MEMORY: u64 = 32 << 20;

/// The proto's `Solution.Language` code of Python 3.
const PYTHON3: i64 = 3;

pub const FORMAT: crate::problem::formats::Format = crate::problem::formats::Format {
    name: "code_contests",
    shape: "CodeContests JSONL: name, description, public_tests, private_tests, generated_tests, solutions, time_limit, memory_limit_bytes",
    detect: |p| {
        p.has_all(&[
            "name",
            "description",
            "public_tests",
            "private_tests",
            "generated_tests",
        ])
    },
    load: |path| load(path, jsonl::Lines::open(path)?),
};

#[derive(Deserialize)]
struct Tests {
    input: Vec<String>,
    output: Vec<String>,
}

#[derive(Deserialize)]
struct Solutions {
    language: Vec<Code>,
    solution: Vec<String>,
}

/// A proto enum value: its number or its name.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum Code {
    Number(i64),
    Name(String),
}

#[derive(Deserialize)]
struct TimeLimit {
    #[serde(default)]
    seconds: u64,
    #[serde(default)]
    nanos: u64,
}

const SOURCES: &[(i64, &str)] = &[
    (0, "UNKNOWN_SOURCE"),
    (1, "CODECHEF"),
    (2, "CODEFORCES"),
    (3, "HACKEREARTH"),
    (4, "CODEJAM"),
    (6, "ATCODER"),
    (7, "AIZU"),
];

const DIFFICULTIES: &[(i64, &str)] = &[
    (0, "UNKNOWN_DIFFICULTY"),
    (1, "EASY"),
    (2, "MEDIUM"),
    (3, "HARD"),
    (4, "HARDER"),
    (5, "HARDEST"),
    (6, "EXTERNAL"),
    (7, "A"),
    (8, "B"),
    (9, "C"),
    (10, "D"),
    (11, "E"),
    (12, "F"),
    (13, "G"),
    (14, "H"),
    (15, "I"),
    (16, "J"),
    (17, "K"),
    (19, "L"),
    (20, "M"),
    (21, "N"),
    (22, "O"),
    (23, "P"),
    (24, "Q"),
    (25, "R"),
    (26, "S"),
    (27, "T"),
    (28, "U"),
    (29, "V"),
];

impl Code {
    /// The enum's name, checked against the proto's values.
    fn name(&self, table: &[(i64, &'static str)]) -> Option<&'static str> {
        table.iter().find_map(|(n, name)| match self {
            Code::Number(x) => (x == n).then_some(*name),
            Code::Name(s) => (s == name).then_some(*name),
        })
    }

    fn is(&self, number: i64, name: &str) -> bool {
        match self {
            Code::Number(x) => *x == number,
            Code::Name(s) => s == name,
        }
    }
}

pub fn load(
    path: &Path,
    lines: impl Iterator<Item = Result<jsonl::Line, InputError>>,
) -> Result<Vec<Problem>, InputError> {
    crate::problem::map_records(lines, |v, n| record(v, path, n).map(super::problem))
}

fn record(v: &serde_json::Value, path: &Path, n: usize) -> Result<Record, InputError> {
    let bad = |message: String| InputError::Line {
        path: path.to_path_buf(),
        line: n,
        message,
    };
    // Read in place: the generated tests alone may be megabytes.
    let field = |k: &str| v.get(k).unwrap_or(&serde_json::Value::Null);
    let mut tests = Vec::new();
    for k in ["public_tests", "private_tests", "generated_tests"] {
        let t = Tests::deserialize(field(k)).map_err(|e| {
            bad(format!(
                "field `{k}` is not {{input: [..], output: [..]}}: {e}"
            ))
        })?;
        if t.input.len() != t.output.len() {
            return Err(bad(format!(
                "field `{k}` has {} inputs but {} outputs",
                t.input.len(),
                t.output.len()
            )));
        }
        tests.extend(t.input.into_iter().zip(t.output));
    }
    if tests.is_empty() {
        return Err(bad("the record has no tests".into()));
    }
    let solutions = match field("solutions") {
        serde_json::Value::Null => Vec::new(),
        s => {
            let s = Solutions::deserialize(s).map_err(|e| {
                bad(format!(
                    "field `solutions` is not {{language: [..], solution: [..]}}: {e}"
                ))
            })?;
            if s.language.len() != s.solution.len() {
                return Err(bad(format!(
                    "field `solutions` has {} languages but {} solutions",
                    s.language.len(),
                    s.solution.len()
                )));
            }
            s.language
                .iter()
                .zip(s.solution)
                .filter(|(l, _)| l.is(PYTHON3, "PYTHON3"))
                .map(|(_, s)| s)
                .collect()
        }
    };
    let enum_of = |k: &str, table: &[(i64, &'static str)]| -> Result<&'static str, InputError> {
        match field(k) {
            serde_json::Value::Null => Ok(table[0].1),
            raw => {
                let c = Code::deserialize(raw).map_err(|_| {
                    bad(format!(
                        "field `{k}` must be a number or a name, found {raw}"
                    ))
                })?;
                c.name(table).ok_or_else(|| {
                    bad(format!(
                        "field `{k}` is {raw}, which contest_problem.proto does not name"
                    ))
                })
            }
        }
    };
    let per_test = match field("time_limit") {
        serde_json::Value::Null => Duration::from_secs(DEFAULT_SECONDS),
        raw => {
            let t = TimeLimit::deserialize(raw)
                .map_err(|e| bad(format!("field `time_limit` is not {{seconds, nanos}}: {e}")))?;
            match Duration::new(t.seconds, 0) + Duration::from_nanos(t.nanos) {
                d if d.is_zero() => Duration::from_secs(DEFAULT_SECONDS),
                d => d,
            }
        }
    };
    let memory = match field("memory_limit_bytes") {
        serde_json::Value::Null => DEFAULT_MEMORY,
        serde_json::Value::Number(x) => match x.as_u64() {
            Some(0) => DEFAULT_MEMORY,
            Some(b) => b,
            None => {
                return Err(bad(format!(
                    "field `memory_limit_bytes` must be a count of bytes, found {x}"
                )));
            }
        },
        other => {
            return Err(bad(format!(
                "field `memory_limit_bytes` must be a number, found {other}"
            )));
        }
    };
    let source = enum_of("source", SOURCES)?;
    let difficulty = enum_of("difficulty", DIFFICULTIES)?;
    Ok(Record {
        harness: Harness::CodeContests,
        id: field_str(v, "name", path, n)?,
        statement: field_str(v, "description", path, n)?,
        starter_code: String::new(),
        mode: Mode::Stdin,
        count: tests.len(),
        tests,
        calls: String::new(),
        per_test,
        memory: memory + INTERPRETER_MEMORY,
        facets: vec![
            format!("source:{}", source.to_ascii_lowercase()),
            format!("difficulty:{}", difficulty.to_ascii_lowercase()),
        ],
        solutions,
    })
}
