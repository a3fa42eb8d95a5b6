//! MultiPL-E JSONL (`name, language, prompt, tests, stop_tokens`): HumanEval and MBPP
//! translated to 22 languages. The model continues the prompt; its completion is cut at the
//! first stop token, and the program is `prompt + completion + "\n" + tests`.

use std::path::Path;

use super::{Assembly, Problem, field_str, field_strs, jsonl, map_records};
use crate::errors::InputError;
use crate::lang::Language;

pub fn load(
    path: &Path,
    lines: impl Iterator<Item = Result<jsonl::Line, InputError>>,
) -> Result<Vec<Problem>, InputError> {
    map_records(lines, |value, number| {
        let get = |k: &str| field_str(value, k, path, number);
        let key = get("language")?;
        let language = Language::parse(&key).ok_or_else(|| InputError::Line {
            path: path.to_path_buf(),
            line: number,
            message: format!("unknown language `{key}`"),
        })?;
        Ok(Problem {
            id: get("name")?,
            language,
            prompt: get("prompt")?,
            entry_point: None,
            reference: None,
            assembly: Assembly::MultiplE {
                tests: get("tests")?,
                stop_tokens: field_strs(value, "stop_tokens", path, number)?,
            },
            time_limit: None,
        })
    })
}

/// Cuts a completion at the earliest stop token (the token itself is left out).
pub fn truncate<'a>(completion: &'a str, stop_tokens: &[String]) -> &'a str {
    let end = stop_tokens
        .iter()
        .filter(|t| !t.is_empty())
        .filter_map(|t| completion.find(t.as_str()))
        .min()
        .unwrap_or(completion.len());
    &completion[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_at_the_earliest_stop_token() {
        let stops = vec!["\n}".to_string(), "\nfn".to_string()];
        assert_eq!(truncate("  x + y\n}\nfn junk() {}", &stops), "  x + y");
        assert_eq!(truncate("  x\nfn a\n}", &stops), "  x");
        assert_eq!(truncate("  no stop", &stops), "  no stop");
        assert_eq!(truncate("abc", &[String::new()]), "abc");
    }
}
