//! HumanEval / HumanEval+ JSONL: `task_id, prompt, entry_point, canonical_solution, test`.

use std::path::Path;

use super::{Assembly, Problem, field_str, jsonl, map_records};
use crate::errors::InputError;
use crate::lang::Language;

pub const FORMAT: super::formats::Format = super::formats::Format {
    name: "humaneval",
    shape: "HumanEval JSONL: task_id, prompt, entry_point, test",
    detect: |p| p.has_all(&["entry_point", "test", "prompt"]),
    load: |path| load(path, jsonl::Lines::open(path)?),
};

pub fn load(
    path: &Path,
    lines: impl Iterator<Item = Result<jsonl::Line, InputError>>,
) -> Result<Vec<Problem>, InputError> {
    map_records(lines, |value, number| {
        let get = |k: &str| field_str(value, k, path, number);
        Ok(Problem {
            id: get("task_id")?,
            language: Language::Python,
            prompt: get("prompt")?,
            entry_point: Some(get("entry_point")?),
            reference: value
                .get("canonical_solution")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            assembly: Assembly::HumanEval {
                entry_point: get("entry_point")?,
                test: get("test")?,
            },
            time_limit: None,
            memory_limit: None,
        })
    })
}
