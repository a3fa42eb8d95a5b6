//! HumanEval-X JSONL (`task_id, prompt, declaration, canonical_solution, test, example_test`;
//! Go adds `import` and `test_setup`), with each language's conventions as CodeGeeX's
//! harness runs them: C++ gets its standard headers, Go becomes a `_test.go` file with the
//! packages the code uses imported, Java's `Main` runs with assertions on, JavaScript fails
//! on any stderr output (`console.assert` only prints), Rust is the harness's `main`,
//! `declaration`, `prompt` and completion, its `#[test]` functions built against the crates
//! the reference harness's Cargo project has (rand 0.4, regex 1, md5 0.7).

use std::path::Path;

use super::{Assembly, Problem, field_str, jsonl, map_records};
use crate::errors::InputError;
use crate::lang::Language;
use crate::sandbox::seal::HUMANEVAL_X_RUST_MAIN;

/// Headers CodeGeeX puts before every C++ program.
pub const CPP_HEADERS: &str = "#include<stdlib.h>\n#include<algorithm>\n#include<math.h>\n\
#include<stdio.h>\n#include<vector>\n#include<string>\n#include<climits>\n#include<cstring>\n\
#include<iostream>\n#include<cassert>\n";

/// Packages a Go solution may use without importing them (the prompt's own import block is
/// replaced by the test file's); imported when the code mentions them.
const GO_HELPERS: &[&str] = &[
    "math",
    "strings",
    "fmt",
    "strconv",
    "time",
    "bytes",
    "regexp",
    "sort",
    "math/rand",
    "crypto/md5",
];

fn language_of(task_id: &str) -> Option<Language> {
    Some(match task_id.split('/').next()? {
        "Python" => Language::Python,
        "CPP" | "C++" | "Cpp" => Language::Cpp,
        "Go" => Language::Go,
        "Java" => Language::Java,
        "JavaScript" | "JS" => Language::JavaScript,
        "Rust" => Language::Rust,
        _ => return None,
    })
}

pub const FORMAT: super::formats::Format = super::formats::Format {
    name: "humaneval-x",
    shape: "HumanEval-X JSONL: task_id, prompt, declaration, test",
    detect: |p| p.has_all(&["task_id", "declaration", "test", "prompt"]),
    load: |path| load(path, jsonl::Lines::open(path)?),
};

pub fn load(
    path: &Path,
    lines: impl Iterator<Item = Result<jsonl::Line, InputError>>,
) -> Result<Vec<Problem>, InputError> {
    map_records(lines, |value, number| {
        let get = |k: &str| field_str(value, k, path, number);
        let id = get("task_id")?;
        let language = language_of(&id).ok_or_else(|| InputError::Line {
            path: path.to_path_buf(),
            line: number,
            message: format!(
                "task_id `{id}`: HumanEval-X ids start with Python/, CPP/, Go/, Java/, JavaScript/ or Rust/"
            ),
        })?;
        let opt = |k: &str| {
            value
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        // Rust's `prompt` is only the doc comment: the harness's program is its empty
        // `main`, then `declaration` (the `use` lines and the signature), then `prompt`, then
        // the completion — all of which but the completion is what a model continues.
        let prompt = match language {
            Language::Rust => format!(
                "{HUMANEVAL_X_RUST_MAIN}{}{}",
                get("declaration")?,
                get("prompt")?
            ),
            _ => get("prompt")?,
        };
        Ok(Problem {
            id,
            language,
            prompt,
            entry_point: None,
            reference: value
                .get("canonical_solution")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            assembly: Assembly::HumanEvalX {
                test: get("test")?,
                go_import: opt("import"),
                go_test_setup: opt("test_setup"),
            },
            time_limit: None,
            memory_limit: None,
        })
    })
}

/// The whole program for a solution (prompt + completion) and the benchmark's test, with
/// the byte offset where the test begins.
pub fn assemble(
    language: Language,
    prompt: &str,
    solution: &str,
    test: &str,
    go_import: &str,
    go_setup: &str,
) -> (String, usize) {
    let head = match language {
        Language::Cpp => format!("{CPP_HEADERS}{solution}\n"),
        Language::Go => {
            let code = if go_import.is_empty() {
                solution.to_string()
            } else {
                solution.replacen(go_import, "", 1)
            };
            // As the reference harness does, only the completion is searched: a prompt's
            // "list of strings." or "operand." is no use of a package.
            let completion = solution.strip_prefix(prompt).unwrap_or(&code);
            let extra: Vec<String> = GO_HELPERS
                .iter()
                .filter(|pkg| !go_setup.contains(&format!("\"{pkg}\"")))
                .filter(|pkg| {
                    completion.contains(&format!("{}.", pkg.rsplit('/').next().unwrap_or(pkg)))
                })
                .map(|pkg| format!("    \"{pkg}\"\n"))
                .collect();
            let imports = if extra.is_empty() {
                String::new()
            } else {
                format!("import (\n{})\n", extra.concat())
            };
            format!("{go_setup}\n{imports}\n{code}\n")
        }
        _ => format!("{solution}\n"),
    };
    let test = match language {
        // The sandbox runs `class Problem` (see sandboxes/languages.toml).
        Language::Java => test.replacen("public class Main", "class Problem", 1),
        Language::Cpp | Language::Go => test.to_string(),
        _ => format!("{test}\n"),
    };
    (format!("{head}{test}"), head.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_drops_the_prompt_imports_and_adds_what_the_code_uses() {
        let prompt =
            "import (\n    \"strings\"\n)\n// Each operand. of F.\nfunc F(s string) string {";
        let (p, at) = assemble(
            Language::Go,
            prompt,
            &format!("{prompt} return strings.ToUpper(s) + fmt.Sprint(1) }}\n"),
            "func TestF(t *testing.T) {}\n",
            "import (\n    \"strings\"\n)\n",
            "package main\n\nimport (\n    \"testing\"\n    \"fmt\"\n)\n",
        );
        assert!(p.starts_with("package main"));
        assert!(p[at..].starts_with("func TestF"), "{p}");
        assert!(p.contains("import (\n    \"strings\"\n)\n"));
        assert_eq!(p.matches("\"fmt\"").count(), 1, "{p}");
        // "operand." in the prompt is no use of math/rand.
        assert!(!p.contains("math/rand"), "{p}");
    }

    #[test]
    fn languages_come_from_the_task_id() {
        assert_eq!(language_of("CPP/3"), Some(Language::Cpp));
        assert_eq!(language_of("JavaScript/0"), Some(Language::JavaScript));
        assert_eq!(language_of("Cobol/1"), None);
    }
}
