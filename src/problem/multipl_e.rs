//! MultiPL-E JSONL (`name, language, prompt, tests, stop_tokens`): HumanEval and MBPP
//! translated to 22 languages. The model continues the prompt; its completion is cut at the
//! first stop token, and the program is `prompt + completion + "\n" + tests`.

use std::path::Path;

use super::{Assembly, Problem, field_str, field_strs, jsonl, map_records};
use crate::errors::InputError;
use crate::lang::Language;

pub const FORMAT: super::formats::Format = super::formats::Format {
    name: "multipl-e",
    shape: "MultiPL-E JSONL: name, language, prompt, tests, stop_tokens",
    detect: |p| p.has_all(&["name", "language", "tests", "stop_tokens"]),
    load: |path| load(path, jsonl::Lines::open(path)?),
};

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
        let tests = get("tests")?;
        // Python's tests call `check(<entry point>)`: the guard then refuses results whose
        // class the program wrote (their `==` could say yes to anything).
        let entry_point = (language == Language::Python)
            .then(|| python_entry_point(&tests))
            .flatten();
        Ok(Problem {
            id: get("name")?,
            language,
            prompt: get("prompt")?,
            entry_point,
            reference: None,
            assembly: Assembly::MultiplE {
                tests,
                stop_tokens: field_strs(value, "stop_tokens", path, number)?,
            },
            time_limit: None,
            memory_limit: None,
        })
    })
}

/// The function MultiPL-E's Python tests hand to `check`.
fn python_entry_point(tests: &str) -> Option<String> {
    tests.match_indices("check(").find_map(|(at, _)| {
        let before = tests[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        let rest = &tests[at + "check(".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        (!name.is_empty() && name != "candidate" && rest[name.len()..].starts_with(')'))
            .then_some(name)
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

/// Net count of `{` over `}` in code (strings, chars and comments skipped, roughly).
pub fn brace_balance(text: &str) -> i64 {
    let mut n = 0i64;
    let mut chars = text.chars().peekable();
    let mut in_str: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = in_str {
            if c == '\\' {
                chars.next();
            } else if c == q {
                in_str = None;
            }
            continue;
        }
        match c {
            '"' => in_str = Some('"'),
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '{' => n += 1,
            '}' => n -= 1,
            _ => {}
        }
    }
    n
}

/// The tests for a whole `solution`: without their first line when it only closes the
/// prompt's function (MultiPL-E's C++, Java, C#, Rust, Scala, Swift, Bash) and the
/// solution closes it itself — the braces balance only without it.
pub fn tests_after_closer(tests: &str) -> &str {
    let first = tests.split_inclusive('\n').next().unwrap_or("");
    if first.trim() == "}" {
        &tests[first.len()..]
    } else {
        tests
    }
}

/// [`tests_after_closer`] when `solution` closes its function itself.
pub fn tests_for_solution<'a>(solution: &str, tests: &'a str) -> &'a str {
    let after = tests_after_closer(tests);
    if after.len() != tests.len()
        && brace_balance(solution) + brace_balance(after) == 0
        && brace_balance(solution) + brace_balance(tests) != 0
    {
        after
    } else {
        tests
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_entry_point_is_what_the_tests_check() {
        let t = "def check(candidate):\n    assert candidate(1) == 2\n\ndef test_check():\n    check(add)\n\ntest_check()\n";
        assert_eq!(python_entry_point(t).as_deref(), Some("add"));
        assert_eq!(python_entry_point("assert f(1) == 2\n"), None);
    }

    /// Java: a whole method closes itself, so the tests' leading `    }` goes; a prompt
    /// continued by a body (the method still open) keeps it.
    #[test]
    fn the_tests_closer_goes_only_when_the_solution_closes_its_function() {
        let tests = "    }\n    public static void main(String[] a) {\n    }\n}\n";
        let whole = "class Problem {\n    static long f() {\n        return 1;\n    }\n";
        assert_eq!(tests_for_solution(whole, tests), &tests[6..]);
        let open = "class Problem {\n    static long f() {\n        return 1;\n";
        assert_eq!(tests_for_solution(open, tests), tests);
        assert_eq!(brace_balance("a { \"}\" // }\n /* { */ }"), 0);
    }

    #[test]
    fn truncates_at_the_earliest_stop_token() {
        let stops = vec!["\n}".to_string(), "\nfn".to_string()];
        assert_eq!(truncate("  x + y\n}\nfn junk() {}", &stops), "  x + y");
        assert_eq!(truncate("  x\nfn a\n}", &stops), "  x");
        assert_eq!(truncate("  no stop", &stops), "  no stop");
        assert_eq!(truncate("abc", &[String::new()]), "abc");
    }
}
