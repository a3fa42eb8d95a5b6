//! passk's own problem format (`problems/README.md`): one TOML file per problem
//! with a signature in language-neutral types, tests as JSON values and reference solutions
//! per language. A suite is a folder of such files; it loads as one [`Problem`] per problem
//! and language that passk can render (see [`crate::problem::render`]).
//!
//! The rendered harness calls the function once per test and prints each result as JSON
//! behind a per-program marker; passk compares on the host ([`Expectations::judge`]) with
//! deep equality and float tolerance, so every language is judged by the same code and a
//! result object that forges its own equality compares as what it prints.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::io::IoProblem;
use crate::errors::InputError;
use crate::lang::Language;
use crate::lang::types::Type;
use crate::outcome::Outcome;
use crate::problem::render;
use crate::sandbox::Execution;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProblem {
    title: String,
    description: String,
    #[serde(default)]
    tags: Vec<String>,
    difficulty: Difficulty,
    signature: RawSignature,
    tests: Vec<RawTest>,
    #[serde(default)]
    reference: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    name: String,
    params: Vec<RawParam>,
    returns: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParam {
    name: String,
    #[serde(rename = "type")]
    ty: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTest {
    /// A JSON array: one value per parameter.
    args: String,
    /// A JSON value of the return type.
    expected: String,
    /// Absolute tolerance for floats in the result.
    tolerance: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: Type,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    /// snake_case; renderers convert to their language's convention.
    pub name: String,
    pub params: Vec<Param>,
    pub returns: Type,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub args: Vec<Value>,
    pub expected: Value,
    pub tolerance: Option<f64>,
}

/// A problem as written, before rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct NativeProblem {
    /// `<suite>/<file stem>`.
    pub id: String,
    pub title: String,
    pub description: String,
    pub tags: Vec<String>,
    pub difficulty: Difficulty,
    pub signature: Signature,
    pub tests: Vec<Test>,
    pub reference: BTreeMap<Language, String>,
}

pub(crate) fn field_error(path: &Path, field: &str, message: impl std::fmt::Display) -> InputError {
    InputError::Format {
        path: path.to_path_buf(),
        message: format!("{field}: {message}"),
    }
}

/// A problem of a suite: a typed function, or a full program judged by its output.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Function(NativeProblem),
    Program(IoProblem),
}

impl Entry {
    pub fn id(&self) -> &str {
        match self {
            Entry::Function(p) => &p.id,
            Entry::Program(p) => &p.id,
        }
    }
    pub fn difficulty(&self) -> Difficulty {
        match self {
            Entry::Function(p) => p.difficulty,
            Entry::Program(p) => p.difficulty,
        }
    }
    pub fn tags(&self) -> &[String] {
        match self {
            Entry::Function(p) => &p.tags,
            Entry::Program(p) => &p.tags,
        }
    }
    pub fn test_count(&self) -> usize {
        match self {
            Entry::Function(p) => p.tests.len(),
            Entry::Program(p) => p.tests.len(),
        }
    }
    pub fn reference(&self) -> &BTreeMap<Language, String> {
        match self {
            Entry::Function(p) => &p.reference,
            Entry::Program(p) => &p.reference,
        }
    }
}

/// The problems of a suite folder, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    pub entries: Vec<Entry>,
}

impl Suite {
    pub fn functions(&self) -> Vec<NativeProblem> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::Function(p) => Some(p.clone()),
                Entry::Program(_) => None,
            })
            .collect()
    }
    pub fn programs(&self) -> Vec<IoProblem> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::Program(p) => Some(p.clone()),
                Entry::Function(_) => None,
            })
            .collect()
    }
}

/// Reads one problem file: an I/O problem when it says how output is compared (`compare`)
/// or its tests have an `input`, else a typed function problem.
pub fn read_entry(path: &Path, suite: &str) -> Result<Entry, InputError> {
    let text = std::fs::read_to_string(path).map_err(|e| InputError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| InputError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let first_test_has_input = table
        .get("tests")
        .and_then(|t| t.as_array())
        .and_then(|a| a.first())
        .and_then(|t| t.as_table())
        .is_some_and(|t| t.contains_key("input"));
    if table.contains_key("compare") || first_test_has_input {
        super::io::read_problem(path, &text, suite).map(Entry::Program)
    } else {
        read_problem(path, &text, suite).map(Entry::Function)
    }
}

/// `<suite>/<file stem>`: a problem's id.
pub(crate) fn problem_id(path: &Path, suite: &str) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("problem");
    format!("{suite}/{stem}")
}

/// The `[reference]` table, keyed by language.
pub(crate) fn references(
    path: &Path,
    raw: BTreeMap<String, String>,
) -> Result<BTreeMap<Language, String>, InputError> {
    let mut reference = BTreeMap::new();
    for (lang, code) in raw {
        let l = Language::parse(&lang)
            .ok_or_else(|| field_error(path, &format!("reference.{lang}"), "unknown language"))?;
        reference.insert(l, code);
    }
    Ok(reference)
}

/// Reads one typed function problem from its file's text.
pub fn read_problem(path: &Path, text: &str, suite: &str) -> Result<NativeProblem, InputError> {
    let raw: RawProblem = toml::from_str(text).map_err(|e| InputError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let ty = |field: &str, t: &str| Type::parse(t).map_err(|e| field_error(path, field, e));
    let mut params = Vec::new();
    for (i, p) in raw.signature.params.iter().enumerate() {
        params.push(Param {
            name: p.name.clone(),
            ty: ty(&format!("signature.params[{i}].type"), &p.ty)?,
        });
    }
    let signature = Signature {
        name: raw.signature.name,
        params,
        returns: ty("signature.returns", &raw.signature.returns)?,
    };
    if raw.tests.is_empty() {
        return Err(field_error(path, "tests", "at least one test is required"));
    }
    let mut tests = Vec::new();
    for (i, t) in raw.tests.iter().enumerate() {
        let json = |field: &str, text: &str| -> Result<Value, InputError> {
            serde_json::from_str(text).map_err(|e| {
                field_error(
                    path,
                    &format!("tests[{i}].{field}"),
                    format!("not JSON: {e}"),
                )
            })
        };
        let args = match json("args", &t.args)? {
            Value::Array(a) => a,
            other => {
                return Err(field_error(
                    path,
                    &format!("tests[{i}].args"),
                    format!("expected a JSON array of arguments, found {other}"),
                ));
            }
        };
        if args.len() != signature.params.len() {
            return Err(field_error(
                path,
                &format!("tests[{i}].args"),
                format!(
                    "{} arguments for {} parameters",
                    args.len(),
                    signature.params.len()
                ),
            ));
        }
        for (j, (a, p)) in args.iter().zip(&signature.params).enumerate() {
            p.ty.check(a)
                .map_err(|e| field_error(path, &format!("tests[{i}].args[{j}]"), e))?;
        }
        let expected = json("expected", &t.expected)?;
        signature
            .returns
            .check(&expected)
            .map_err(|e| field_error(path, &format!("tests[{i}].expected"), e))?;
        tests.push(Test {
            args,
            expected,
            tolerance: t.tolerance,
        });
    }
    let reference = references(path, raw.reference)?;
    Ok(NativeProblem {
        id: problem_id(path, suite),
        title: raw.title,
        description: raw.description.trim().to_string(),
        tags: raw.tags,
        difficulty: raw.difficulty,
        signature,
        tests,
        reference,
    })
}

/// Every `*.toml` problem in a suite folder, sorted by id.
pub fn read_suite(dir: &Path) -> Result<Suite, InputError> {
    let suite = dir
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("suite")
        .to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| InputError::Io {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(InputError::Format {
            path: dir.to_path_buf(),
            message: "no problem files (*.toml) in this folder".into(),
        });
    }
    let entries = files
        .iter()
        .map(|f| read_entry(f, &suite))
        .collect::<Result<_, _>>()?;
    Ok(Suite { entries })
}

pub const FORMAT: super::formats::Format = super::formats::Format {
    name: "native",
    shape: "a folder of passk's TOML problems (functions and I/O programs)",
    detect: |p| matches!(p, super::formats::Probe::Dir(_)),
    load: load_suite,
};

/// A suite folder: its functions rendered in every language passk renders, its I/O
/// programs in every one of those languages.
fn load_suite(dir: &Path) -> Result<Vec<super::Problem>, InputError> {
    let suite = read_suite(dir)?;
    let mut problems = render_suite(&suite.functions(), &[]);
    let languages: Vec<Language> = render::all().iter().map(|r| r.language()).collect();
    problems.extend(super::io::render_suite(&suite.programs(), &languages));
    Ok(problems)
}

/// sha256 over the suite's problem files (names and contents, in order): its identity
/// for provenance and comparability.
pub fn suite_hash(dir: &Path) -> Result<String, InputError> {
    use sha2::{Digest, Sha256};
    let io = |e| InputError::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        let bytes = std::fs::read(&f).map_err(io)?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(hex::encode(h.finalize()))
}

/// What a native problem's program must print, judged on the host.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectations {
    pub marker: String,
    pub returns: Type,
    pub tests: Vec<Test>,
}

impl Expectations {
    /// Turns a finished run into the verdict: every test must have printed a result equal
    /// to its expected value. A run that already failed keeps its outcome.
    pub fn judge(&self, mut e: Execution) -> Execution {
        if e.outcome != Outcome::Passed {
            return e;
        }
        let mut got: BTreeMap<usize, Result<Value, String>> = BTreeMap::new();
        for line in e.stdout.lines() {
            let Some(rest) = line.strip_prefix(&self.marker) else {
                continue;
            };
            let mut parts = rest.trim_start().splitn(3, ' ');
            let (Some(i), Some(kind), Some(payload)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let Ok(i) = i.parse::<usize>() else { continue };
            let value = serde_json::from_str::<Value>(payload).map_err(|e| e.to_string());
            got.entry(i).or_insert(match (kind, value) {
                ("ok", Ok(v)) => Ok(v),
                ("error", Ok(Value::String(m))) => Err(m),
                (_, Ok(v)) => Err(v.to_string()),
                (_, Err(m)) => Err(format!("unreadable result: {m}")),
            });
        }
        for (i, t) in self.tests.iter().enumerate() {
            let (outcome, detail) = match got.get(&i) {
                None => (Outcome::RuntimeError, format!("test {i} printed no result")),
                Some(Err(m)) => (Outcome::RuntimeError, format!("test {i} raised: {m}")),
                Some(Ok(v)) if equal(&self.returns, &t.expected, v, t.tolerance) => continue,
                Some(Ok(v)) => (
                    Outcome::WrongAnswer,
                    format!("test {i}: expected {}, got {v}", t.expected),
                ),
            };
            e.outcome = outcome;
            e.detail = detail;
            return e;
        }
        e
    }
}

/// Deep equality directed by the type: floats within the tolerance (exact without one),
/// maps regardless of key order, tuples and lists element by element.
pub fn equal(ty: &Type, want: &Value, got: &Value, tol: Option<f64>) -> bool {
    match (ty, want, got) {
        (Type::Float, Value::Number(a), Value::Number(b)) => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            (a - b).abs() <= tol.unwrap_or(0.0) || a == b
        }
        (Type::Int, Value::Number(a), Value::Number(b)) => {
            a.as_i64().is_some() && a.as_i64() == b.as_i64()
        }
        (Type::Optional(_), Value::Null, Value::Null) => true,
        (Type::Optional(t), w, g) if !w.is_null() && !g.is_null() => equal(t, w, g, tol),
        (Type::List(t), Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal(t, x, y, tol))
        }
        (Type::Tuple(ts), Value::Array(a), Value::Array(b)) => {
            ts.len() == a.len()
                && a.len() == b.len()
                && ts
                    .iter()
                    .zip(a.iter().zip(b))
                    .all(|(t, (x, y))| equal(t, x, y, tol))
        }
        (Type::Map(_, t), Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, x)| b.get(k).is_some_and(|y| equal(t, x, y, tol)))
        }
        // PHP encodes an array with keys 0..n-1 (or none) as a JSON list.
        (Type::Map(_, t), Value::Object(a), Value::Array(b)) => {
            a.len() == b.len()
                && b.iter()
                    .enumerate()
                    .all(|(i, y)| a.get(&i.to_string()).is_some_and(|x| equal(t, x, y, tol)))
        }
        (Type::Bool | Type::Str, a, b) => a == b,
        _ => false,
    }
}

/// A deterministic marker for one program: identical programs print identical output (so
/// verdicts can be reused), different programs cannot share one by accident.
pub fn marker(problem_id: &str, language: Language, solution: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [problem_id, language.as_str(), solution] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    format!("passk-result-{}", &hex::encode(h.finalize())[..20])
}

/// The rendered problems of a suite: one per problem and renderable language (all, or
/// those in `only`).
pub fn render_suite(problems: &[NativeProblem], only: &[Language]) -> Vec<super::Problem> {
    let mut out = Vec::new();
    for p in problems {
        for r in render::all() {
            let language = r.language();
            if (!only.is_empty() && !only.contains(&language)) || !r.supports(p) {
                continue;
            }
            out.push(super::Problem {
                id: p.id.clone(),
                language,
                prompt: r.prompt(p),
                entry_point: None,
                reference: p.reference.get(&language).cloned(),
                assembly: super::Assembly::Native {
                    problem: Arc::new(p.clone()),
                },
                time_limit: None,
                memory_limit: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deep_equality_with_tolerance() {
        let t = Type::parse("tuple<float, map<str, list<int>>>").unwrap();
        let want = json!([1.0, {"a": [1, 2], "b": []}]);
        assert!(equal(
            &t,
            &want,
            &json!([1.0000001, {"b": [], "a": [1, 2]}]),
            Some(1e-6)
        ));
        assert!(!equal(
            &t,
            &want,
            &json!([1.1, {"b": [], "a": [1, 2]}]),
            Some(1e-6)
        ));
        assert!(!equal(&t, &want, &json!([1.0, {"a": [1, 2]}]), None));
        assert!(!equal(&Type::Int, &json!(1), &json!("1"), None));
        assert!(equal(
            &Type::parse("optional<int>").unwrap(),
            &json!(null),
            &json!(null),
            None
        ));
        // PHP's json_encode writes an empty or 0..n-keyed array as a list.
        let m = Type::parse("map<int, str>").unwrap();
        assert!(equal(&m, &json!({}), &json!([]), None));
        assert!(equal(
            &m,
            &json!({"0": "a", "1": "b"}),
            &json!(["a", "b"]),
            None
        ));
        assert!(!equal(&m, &json!({"1": "a"}), &json!(["a"]), None));
    }

    #[test]
    fn judge_reads_marked_lines_and_names_the_failing_test() {
        let x = Expectations {
            marker: "M".into(),
            returns: Type::Int,
            tests: vec![
                Test {
                    args: vec![],
                    expected: json!(1),
                    tolerance: None,
                },
                Test {
                    args: vec![],
                    expected: json!(2),
                    tolerance: None,
                },
            ],
        };
        let run = |stdout: &str| {
            let mut e = Execution::verdict(Outcome::Passed, "");
            e.stdout = stdout.into();
            x.judge(e)
        };
        assert_eq!(run("M 0 ok 1\nM 1 ok 2\n").outcome, Outcome::Passed);
        let wrong = run("M 0 ok 1\nM 1 ok 3\n");
        assert_eq!(wrong.outcome, Outcome::WrongAnswer);
        assert_eq!(wrong.detail, "test 1: expected 2, got 3");
        assert_eq!(run("M 0 ok 1\n").outcome, Outcome::RuntimeError);
        let raised = run("M 0 ok 1\nM 1 error \"ValueError: x\"\n");
        assert_eq!(raised.detail, "test 1 raised: ValueError: x");
        // A forged line without the marker is ignored.
        assert_eq!(run("0 ok 1\n1 ok 2\n").outcome, Outcome::RuntimeError);
    }
}
