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

use serde_json::Value;

use crate::lang::Language;
use crate::lang::types::Type;
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
    /// A value of type `t` as a literal of the language (what its harness passes as an
    /// argument; what a prediction task asks the model to write).
    fn literal(&self, t: &Type, v: &Value) -> String;
    /// The name the harness calls the problem's function by (default: the problem's name).
    fn callee(&self, p: &NativeProblem) -> String {
        p.signature.name.clone()
    }
    /// The call of the problem's function on `args`, as the harness writes it.
    fn call(&self, p: &NativeProblem, args: &[Value]) -> String {
        let args = call_args(p, args, &|t, v| self.literal(t, v));
        format!("{}({args})", self.callee(p))
    }
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

/// How a language writes each kind of value; [`literal`] walks a typed JSON test value
/// and asks for the pieces. Defaults are the JSON-like spellings most languages share.
pub trait Literals {
    /// An absent optional value.
    fn null(&self, t: &Type) -> String;
    /// A present optional value of type `inner`, already rendered.
    fn some(&self, _inner: &Type, value: String) -> String {
        value
    }
    fn int(&self, v: &Value) -> String {
        v.to_string()
    }
    fn float(&self, f: f64) -> String {
        format!("{f:?}")
    }
    fn bool(&self, b: bool) -> String {
        b.to_string()
    }
    fn str(&self, s: &str) -> String {
        json_string(s)
    }
    fn list(&self, _t: &Type, items: Vec<String>) -> String {
        format!("[{}]", items.join(", "))
    }
    fn tuple(&self, t: &Type, items: Vec<String>) -> String {
        self.list(t, items)
    }
    /// `entries` are (rendered key, rendered value).
    fn map(&self, t: &Type, entries: Vec<(String, String)>) -> String;
    fn key(&self, k: &Type, raw: &str) -> String {
        if *k == Type::Int {
            raw.to_string()
        } else {
            self.str(raw)
        }
    }
}

/// Renders a test value of type `t` in the style `l`.
pub fn literal(l: &dyn Literals, t: &Type, v: &Value) -> String {
    match (t, v) {
        (_, Value::Null) => l.null(t),
        (Type::Optional(inner), v) => l.some(inner, literal(l, inner, v)),
        (Type::Int, v) => l.int(v),
        (Type::Float, Value::Number(n)) => l.float(n.as_f64().unwrap_or(0.0)),
        (Type::Bool, Value::Bool(b)) => l.bool(*b),
        (Type::Str, Value::String(s)) => l.str(s),
        (Type::List(e), Value::Array(a)) => l.list(t, a.iter().map(|x| literal(l, e, x)).collect()),
        (Type::Tuple(ts), Value::Array(a)) => {
            l.tuple(t, ts.iter().zip(a).map(|(t, x)| literal(l, t, x)).collect())
        }
        (Type::Map(k, e), Value::Object(m)) => l.map(
            t,
            m.iter()
                .map(|(key, x)| (l.key(k, key), literal(l, e, x)))
                .collect(),
        ),
        (_, v) => v.to_string(),
    }
}

/// The arguments of one test call, each rendered by `lit`.
pub fn call_args(
    p: &NativeProblem,
    args: &[Value],
    lit: &dyn Fn(&Type, &Value) -> String,
) -> String {
    p.signature
        .params
        .iter()
        .zip(args)
        .map(|(p, a)| lit(&p.ty, a))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A double-quoted literal that keeps printable ASCII, escapes `"` and backslash, and writes
/// every other byte with `escape` (octal for C and C++, decimal for Lua).
pub fn byte_string(s: &str, escape: fn(u8) -> String) -> String {
    let mut o = String::from("\"");
    for b in s.bytes() {
        match b {
            b'"' => o.push_str("\\\""),
            b'\\' => o.push_str("\\\\"),
            0x20..=0x7e => o.push(b as char),
            b => o.push_str(&escape(b)),
        }
    }
    o.push('"');
    o
}

/// Octal byte escapes, as C and C++ write them.
pub fn octal(b: u8) -> String {
    format!("\\{b:03o}")
}

/// A JSON string literal (valid in Python, JavaScript and most C-family languages).
pub fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::native::{Entry, read_entry};

    fn read_problem(path: &std::path::Path, suite: &str) -> Result<NativeProblem, String> {
        match read_entry(path, suite).map_err(|e| e.to_string())? {
            Entry::Function(p) => Ok(p),
            Entry::Program(p) => Err(format!("{} is an I/O problem", p.id)),
        }
    }

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
