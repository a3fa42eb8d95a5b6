//! HumanEval / HumanEval+ JSONL: `task_id, prompt, entry_point, canonical_solution, test`.

use std::path::Path;

use super::{Assembly, Problem, field_str, jsonl};
use crate::errors::InputError;
use crate::lang::Language;

pub fn load(
    path: &Path,
    lines: impl Iterator<Item = Result<jsonl::Line, InputError>>,
) -> Result<Vec<Problem>, InputError> {
    let mut out = Vec::new();
    for line in lines {
        let jsonl::Line { number, value } = line?;
        let get = |k: &str| field_str(&value, k, path, number);
        out.push(Problem {
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
        });
    }
    Ok(out)
}
