//! Renderers: a native problem (language-neutral signature, JSON tests) as an idiomatic
//! prompt — the signature in the language's types, the description in its doc-comment
//! convention — and as a test harness that calls the function once per test and prints
//! `<marker> <i> ok <json>` or `<marker> <i> error <json string>` for each. One file per
//! language; passk compares the printed results on the host (see `problem::native`).

mod c;
mod cpp;
mod csharp;
mod go;
mod java;
mod javascript;
mod lua;
mod php;
mod python;
mod ruby;
mod rust;
mod typescript;

use crate::lang::Language;
use crate::problem::native::NativeProblem;

pub trait Renderer: Sync {
    fn language(&self) -> Language;
    /// Whether this language can express the problem's types (default: all of them).
    fn supports(&self, _p: &NativeProblem) -> bool {
        true
    }
    /// What the model continues: doc comment and signature, ending inside the body.
    fn prompt(&self, p: &NativeProblem) -> String;
    /// Appended after the solution: runs every test and prints its result.
    fn harness(&self, p: &NativeProblem, marker: &str) -> String;
    /// A completion that compiles but is wrong (the selfcheck's known-bad solution).
    fn stub(&self, p: &NativeProblem) -> String;
    /// The whole program: the solution, then the harness (Go moves the harness's imports
    /// up to the package clause).
    fn assemble(&self, solution: &str, harness: &str) -> String {
        format!("{solution}\n{harness}")
    }
}

static RENDERERS: &[&dyn Renderer] = &[
    &python::Python,
    &javascript::JavaScript,
    &c::C,
    &cpp::Cpp,
    &rust::Rust,
    &go::Go,
    &java::Java,
    &typescript::TypeScript,
    &ruby::Ruby,
    &php::Php,
    &lua::Lua,
    &csharp::CSharp,
];

/// Every renderer, in report order.
pub fn all() -> &'static [&'static dyn Renderer] {
    RENDERERS
}

pub fn get(language: Language) -> Option<&'static dyn Renderer> {
    RENDERERS.iter().copied().find(|r| r.language() == language)
}

/// `two_sum` → `twoSum`.
pub fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The description as comment lines with `prefix` (`/// `, ` * `, …).
pub fn comment_lines(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| {
            if l.trim().is_empty() {
                format!("{}\n", prefix.trim_end())
            } else {
                format!("{prefix}{l}\n")
            }
        })
        .collect()
}

/// A JSON string literal (valid in Python, JavaScript and most C-family languages).
pub fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::native::read_problem;

    fn sample() -> NativeProblem {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pairs.toml");
        std::fs::write(
            &path,
            r#"
title = "Pairs"
description = """
Group the words by their first letter.

Return the groups in order of first appearance.
"""
tags = ["strings"]
difficulty = "easy"

[signature]
name = "group_by_initial"
params = [{ name = "words", type = "list<str>" }, { name = "limit", type = "optional<int>" }]
returns = "map<str, tuple<int, float>>"

[[tests]]
args = '[["ab", "a\"c"], null]'
expected = '{"a": [2, 0.5]}'
tolerance = 1e-9
"#,
        )
        .unwrap();
        read_problem(&path, "core").unwrap()
    }

    #[test]
    fn prompts_and_harnesses_render() {
        let p = sample();
        let simple = read_problem(
            std::path::Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/problems/core/vowel-runs.toml"
            )),
            "core",
        )
        .unwrap();
        for r in all() {
            // C cannot express the sample's map of tuples: it renders a plainer problem.
            let p = if r.supports(&p) { &p } else { &simple };
            let name = r.language().as_str();
            insta::assert_snapshot!(format!("{name}_prompt"), r.prompt(p));
            insta::assert_snapshot!(format!("{name}_harness"), r.harness(p, "MARK"));
        }
    }

    #[test]
    fn names() {
        assert_eq!(camel("group_by_initial"), "groupByInitial");
        assert_eq!(comment_lines("a\n\nb", "// "), "// a\n//\n// b\n");
    }
}
