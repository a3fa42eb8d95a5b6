//! APPS (`problem_id, question, solutions, input_output, difficulty, url, starter_code`)
//! and TACO (the same fields, no `problem_id`, with `name, source, tags, skill_types,
//! raw_tags, time_limit, memory_limit, …`) records. `solutions` and `input_output` are JSON
//! text: a list of Python programs, and `{inputs, outputs, fn_name?}` — with `fn_name` the
//! inputs are argument lists and the outputs the expected results, without it both are
//! stdin/stdout texts (or lists of lines, joined with `\n` as APPS joins them).

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Harness, Mode, Record};
use crate::errors::InputError;
use crate::problem::calls::json_literal;
use crate::problem::{Problem, field_str, jsonl};

/// APPS's import block, put before every program its harness runs (numpy only where the
/// sandbox has it: passk's guests do not).
pub const IMPORTS: &str = "import sys\nimport time\nimport itertools\nfrom itertools import accumulate, product, permutations, combinations\nimport collections\nfrom collections import Counter, OrderedDict, deque, defaultdict, ChainMap\nfrom functools import lru_cache\nimport math\nfrom math import sqrt, sin, cos, tan, ceil, fabs, floor, gcd, exp, log, log2\nimport fractions\nfrom typing import List, Tuple\ntry:\n    import numpy as np\nexcept ImportError:\n    pass\nimport random\nimport heapq\nfrom heapq import *\n";

/// APPS's `timeout`: seconds per test (`signal.alarm`).
pub const TEST_SECONDS: u64 = 4;
/// APPS sets no memory limit; passk's must be finite.
pub const MEMORY_LIMIT: u64 = 4 << 30;

pub const FORMAT: crate::problem::formats::Format = crate::problem::formats::Format {
    name: "apps",
    shape: "APPS / TACO JSONL: question, solutions, starter_code, input_output, difficulty",
    detect: |p| {
        p.has_all(&[
            "question",
            "solutions",
            "starter_code",
            "input_output",
            "difficulty",
        ])
    },
    load: |path| load(path, jsonl::Lines::open(path)?),
};

#[derive(Deserialize)]
struct InputOutput {
    inputs: Vec<Box<RawValue>>,
    outputs: Vec<Box<RawValue>>,
    #[serde(default)]
    fn_name: Option<String>,
}

/// A stdin or stdout text: one string, or lines APPS joins with `\n`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    One(String),
    Lines(Vec<String>),
}

impl Text {
    fn joined(self) -> String {
        match self {
            Text::One(s) => s,
            Text::Lines(l) => l.join("\n"),
        }
    }
}

pub fn load(
    path: &Path,
    lines: impl Iterator<Item = Result<jsonl::Line, InputError>>,
) -> Result<Vec<Problem>, InputError> {
    let mut row = 0;
    crate::problem::map_records(lines, |v, n| {
        row += 1;
        record(v, path, n, row - 1).map(super::problem)
    })
}

fn record(v: &serde_json::Value, path: &Path, n: usize, row: usize) -> Result<Record, InputError> {
    let bad = |message: String| InputError::Line {
        path: path.to_path_buf(),
        line: n,
        message,
    };
    let get = |k: &str| field_str(v, k, path, n);
    // TACO's records carry its tags; APPS's its problem_id.
    let taco = v.get("skill_types").is_some() || v.get("raw_tags").is_some();
    let id = match v.get("problem_id") {
        Some(serde_json::Value::Number(x)) => x.to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        None if taco => format!("taco/{row}"),
        None => {
            return Err(bad(
                "no field `problem_id` (APPS names every problem)".into()
            ));
        }
        Some(other) => {
            return Err(bad(format!(
                "field `problem_id` must be a number or a string, found {other}"
            )));
        }
    };
    let io_text = get("input_output")?;
    if io_text.trim().is_empty() {
        return Err(bad(
            "field `input_output` is empty: the record has no tests to judge an answer by".into(),
        ));
    }
    let io: InputOutput = serde_json::from_str(&io_text).map_err(|e| {
        bad(format!(
            "field `input_output` is not JSON text of {{inputs, outputs, fn_name?}}: {e}"
        ))
    })?;
    if io.inputs.len() != io.outputs.len() {
        return Err(bad(format!(
            "field `input_output` has {} inputs but {} outputs",
            io.inputs.len(),
            io.outputs.len()
        )));
    }
    if io.inputs.is_empty() {
        return Err(bad("field `input_output` holds no tests".into()));
    }
    let (mode, tests, calls) = match io.fn_name.clone() {
        Some(fn_name) => (Mode::Call { fn_name }, Vec::new(), calls(&io).map_err(bad)?),
        None => (Mode::Stdin, stdin_tests(&io).map_err(bad)?, String::new()),
    };
    let solutions_text = get("solutions")?;
    let solutions: Vec<String> = if solutions_text.trim().is_empty() {
        Vec::new()
    } else {
        serde_json::from_str(&solutions_text).map_err(|e| {
            bad(format!(
                "field `solutions` is not JSON text of a list of programs: {e}"
            ))
        })?
    };
    let difficulty = get("difficulty")?;
    let mut facets = vec![format!("difficulty:{difficulty}")];
    if taco && let Ok(source) = get("source") {
        facets.push(format!("source:{source}"));
    }
    Ok(Record {
        harness: if taco { Harness::Taco } else { Harness::Apps },
        id,
        statement: get("question")?,
        starter_code: get("starter_code")?,
        count: io.inputs.len(),
        mode,
        tests,
        calls,
        per_test: Duration::from_secs(TEST_SECONDS),
        memory: MEMORY_LIMIT,
        facets,
        solutions,
    })
}

fn stdin_tests(io: &InputOutput) -> Result<Vec<(String, String)>, String> {
    let text = |raw: &RawValue, what: &str, i: usize| {
        serde_json::from_str::<Text>(raw.get())
            .map(Text::joined)
            .map_err(|_| format!("test {i}: the {what} is neither a string nor a list of lines"))
    };
    io.inputs
        .iter()
        .zip(&io.outputs)
        .enumerate()
        .map(|(i, (input, output))| Ok((text(input, "input", i)?, text(output, "output", i)?)))
        .collect()
}

/// The call-based tests as Python source, each argument and expected value the literal
/// `json.loads` gives (read on the host, see [`json_literal`]).
fn calls(io: &InputOutput) -> Result<String, String> {
    let mut out = String::from("[");
    for (i, (input, output)) in io.inputs.iter().zip(&io.outputs).enumerate() {
        let args: Vec<Box<RawValue>> = serde_json::from_str(input.get())
            .map_err(|_| format!("test {i}: the input is not a list of arguments"))?;
        let args: Vec<String> = args
            .iter()
            .map(|a| json_literal::to_python(a.get()))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("test {i}: {e}"))?;
        let expected =
            json_literal::to_python(output.get()).map_err(|e| format!("test {i}: {e}"))?;
        out.push_str(&format!("([{}], {expected}),\n", args.join(", ")));
    }
    out.push(']');
    Ok(out)
}
