//! MBPP: the full JSONL (`text, code, task_id, test_setup_code, test_list`) and the
//! sanitized JSON array (`task_id, prompt, code, test_imports, test_list`). Ids are
//! EvalPlus-style `Mbpp/<task_id>`.

use std::path::Path;

use super::{Assembly, Problem, field_str, field_strs, jsonl, map_records};
use crate::errors::InputError;
use crate::lang::Language;

fn task_id(v: &serde_json::Value, path: &Path, line: usize) -> Result<String, InputError> {
    match v.get("task_id") {
        Some(serde_json::Value::Number(n)) => Ok(format!("Mbpp/{n}")),
        Some(serde_json::Value::String(s)) if s.starts_with("Mbpp/") => Ok(s.clone()),
        Some(serde_json::Value::String(s)) => Ok(format!("Mbpp/{s}")),
        _ => Err(InputError::Line {
            path: path.to_path_buf(),
            line,
            message: "missing field `task_id` (an integer)".into(),
        }),
    }
}

pub const FULL: super::formats::Format = super::formats::Format {
    name: "mbpp",
    shape: "MBPP JSONL: task_id, code, test_list",
    detect: |p| p.has_all(&["test_list", "code"]),
    load: |path| load_full(path, jsonl::Lines::open(path)?),
};

pub const SANITIZED: super::formats::Format = super::formats::Format {
    name: "mbpp-sanitized",
    shape: "sanitized MBPP: a JSON array of task_id, prompt, code, test_list",
    detect: |p| matches!(p, super::formats::Probe::Array),
    load: load_sanitized,
};

/// The function under test: the first `def NAME(` of the reference that the tests call.
pub fn entry_point(code: &str, tests: &[String]) -> Option<String> {
    code.lines().find_map(|l| {
        let rest = l.trim_start().strip_prefix("def ")?;
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let call = format!("{name}(");
        (!name.is_empty() && tests.iter().any(|t| t.contains(&call))).then_some(name)
    })
}

/// References known to need more than the default 10 s in the WASM sandbox (measured:
/// Mbpp/123, amicable numbers below 10,000, takes ~11 s there and ~4 s in native CPython).
const SLOW: &[(&str, u64)] = &[("Mbpp/123", 60)];

fn problem(
    id: String,
    prompt: String,
    code: String,
    imports: Vec<String>,
    setup: String,
    tests: Vec<String>,
) -> Problem {
    Problem {
        entry_point: entry_point(&code, &tests),
        language: Language::Python,
        prompt,
        reference: Some(code),
        assembly: Assembly::Mbpp {
            imports,
            setup,
            tests,
        },
        time_limit: SLOW
            .iter()
            .find(|(slow, _)| *slow == id)
            .map(|(_, secs)| std::time::Duration::from_secs(*secs)),
        memory_limit: None,
        id,
    }
}

pub fn load_full(
    path: &Path,
    lines: impl Iterator<Item = Result<jsonl::Line, InputError>>,
) -> Result<Vec<Problem>, InputError> {
    map_records(lines, |value, number| {
        Ok(problem(
            task_id(value, path, number)?,
            field_str(value, "text", path, number)?,
            field_str(value, "code", path, number)?,
            Vec::new(),
            value
                .get("test_setup_code")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string(),
            field_strs(value, "test_list", path, number)?,
        ))
    })
}

pub fn load_sanitized(path: &Path) -> Result<Vec<Problem>, InputError> {
    let value = jsonl::read_value(path)?;
    let Some(items) = value.as_array() else {
        return Err(InputError::Format {
            path: path.to_path_buf(),
            message: "expected a JSON array of MBPP problems".into(),
        });
    };
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        // There are no lines in a JSON array; report the 1-based record number instead.
        let n = i + 1;
        out.push(problem(
            task_id(v, path, n)?,
            field_str(v, "prompt", path, n)?,
            field_str(v, "code", path, n)?,
            field_strs(v, "test_imports", path, n)?,
            String::new(),
            field_strs(v, "test_list", path, n)?,
        ));
    }
    Ok(out)
}
