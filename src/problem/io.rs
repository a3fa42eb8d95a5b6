//! passk's I/O problems (`problems/io`; format in `problems/README.md`): full
//! programs that read standard input and write standard output. One TOML file per problem
//! with a description, tests as (input, output) pairs, how output is compared (exactly,
//! whitespace-insensitively, or with a float tolerance) and reference programs per language.
//!
//! The sandbox runs the program once per test input (compiled once, see
//! [`crate::sandbox::Program::inputs`]); [`OutputCheck::judge`] compares on the host.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::native::{Difficulty, field_error, problem_id, references};
use crate::errors::InputError;
use crate::lang::Language;
use crate::outcome::Outcome;
use crate::sandbox::Execution;

pub mod contest;
pub mod decimal;

/// A whole program run once per input (a fresh process or instance each), what it prints
/// judged on the host by `check`.
pub fn per_input(
    language: Language,
    source: String,
    inputs: Arc<Vec<String>>,
    check: Arc<super::Expect>,
) -> super::Assembled {
    super::Assembled {
        program: crate::sandbox::Program {
            variant: Some("program"),
            judged_on_host: true,
            inputs: Some(inputs),
            ..crate::sandbox::Program::plain(language, source)
        },
        expect: Some(check),
        decided: None,
    }
}

/// How a program's output is compared with the expected output.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// Line by line, exactly; `\r\n` reads as `\n` and trailing newlines are ignored.
    Exact,
    /// The same whitespace-separated tokens in the same order.
    Whitespace,
    /// Tokens; where both are numbers they may differ by `tolerance` (absolute, or relative
    /// to the expected value when that is larger than 1).
    Float,
    /// LiveCodeBench's rule: the outputs stripped and cut into lines, each stripped; as
    /// many lines, each equal as text or else token by token as exact decimal numbers
    /// (`1.50` is `1.5`, `1e3` is `1000`; see [`decimal`]).
    Decimal,
    /// APPS's chain of fallbacks on the output's lines, lenient to the point of ignoring
    /// line order (see [`contest`]).
    Apps,
    /// TACO's rewrite of APPS's chain, applied to the output as one text (see [`contest`]).
    Taco,
    /// CodeContests' rule: lower-cased tokens, numbers within 1e-5 (see [`contest`]).
    CodeContests,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIoProblem {
    title: String,
    description: String,
    #[serde(default)]
    tags: Vec<String>,
    difficulty: Difficulty,
    compare: Compare,
    tolerance: Option<f64>,
    tests: Vec<RawIoTest>,
    #[serde(default)]
    reference: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIoTest {
    input: String,
    output: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IoTest {
    pub input: String,
    pub output: String,
}

/// An I/O problem as written.
#[derive(Debug, Clone, PartialEq)]
pub struct IoProblem {
    /// `<suite>/<file stem>`.
    pub id: String,
    pub title: String,
    pub description: String,
    pub tags: Vec<String>,
    pub difficulty: Difficulty,
    pub compare: Compare,
    pub tolerance: f64,
    pub tests: Vec<IoTest>,
    pub reference: BTreeMap<Language, String>,
}

/// Reads one I/O problem file (already known to be one: it has no `signature`).
pub fn read_problem(path: &Path, text: &str, suite: &str) -> Result<IoProblem, InputError> {
    let raw: RawIoProblem = toml::from_str(text).map_err(|e| InputError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if raw.tests.is_empty() {
        return Err(field_error(path, "tests", "at least one test is required"));
    }
    let tolerance = match (raw.compare, raw.tolerance) {
        (Compare::Float, Some(t)) if t >= 0.0 => t,
        (Compare::Float, _) => {
            return Err(field_error(
                path,
                "tolerance",
                "compare = \"float\" needs a tolerance >= 0 (e.g. 1e-6)",
            ));
        }
        (_, Some(_)) => {
            return Err(field_error(
                path,
                "tolerance",
                "only used with compare = \"float\"",
            ));
        }
        (_, None) => 0.0,
    };
    Ok(IoProblem {
        id: problem_id(path, suite),
        title: raw.title,
        description: raw.description.trim().to_string(),
        tags: raw.tags,
        difficulty: raw.difficulty,
        compare: raw.compare,
        tolerance,
        tests: raw
            .tests
            .into_iter()
            .map(|t| IoTest {
                input: t.input,
                output: t.output,
            })
            .collect(),
        reference: references(path, raw.reference)?,
    })
}

/// What a model is shown: the task and the I/O contract, for any language.
pub fn prompt(p: &IoProblem, language: Language) -> String {
    let how = match p.compare {
        Compare::Exact => "Output must match exactly (trailing newlines aside).",
        Compare::Whitespace => "Output is compared token by token; spacing does not matter.",
        Compare::Float => "Numbers in the output are compared with a small tolerance.",
        Compare::Decimal => {
            "Output is compared line by line; a number may be written in any equal decimal form."
        }
        Compare::Apps | Compare::Taco => {
            "Output is compared line by line; spacing at the ends does not matter."
        }
        Compare::CodeContests => {
            "Output is compared token by token, ignoring case; numbers within 1e-5."
        }
    };
    let example = &p.tests[0];
    format!(
        "{}\n\n{}\n\nWrite a complete {} program that reads standard input and writes \
         standard output. {how}\n\nExample input:\n{}\nExample output:\n{}",
        p.title,
        p.description,
        language.display_name(),
        example.input,
        example.output
    )
}

/// A program that reads nothing and prints nothing, in each language an I/O problem is
/// rendered in: the known-bad answer `passk selfcheck` expects to fail every I/O problem
/// with `wrong_answer`.
pub fn silent_program(language: Language) -> Option<&'static str> {
    use Language::*;
    Some(match language {
        Python | Ruby | Lua | JavaScript => "\n",
        TypeScript => "export {};\n",
        Php => "<?php\n",
        C | Cpp => "int main(void) { return 0; }\n",
        Rust => "fn main() {}\n",
        Go => "package main\n\nfunc main() {}\n",
        Java => "public class Main {\n    public static void main(String[] args) {}\n}\n",
        CSharp => "class Program {\n    static void Main() {}\n}\n",
        _ => return None,
    })
}

/// The rendered problems of an I/O suite: one per problem and language in `languages`.
pub fn render_suite(problems: &[IoProblem], languages: &[Language]) -> Vec<super::Problem> {
    let mut out = Vec::new();
    for p in problems {
        let check = Arc::new(super::Expect::Output(OutputCheck {
            compare: p.compare,
            tolerance: p.tolerance,
            expected: p.tests.iter().map(|t| t.output.clone()).collect(),
            per_test: None,
        }));
        let inputs = Arc::new(p.tests.iter().map(|t| t.input.clone()).collect::<Vec<_>>());
        for &language in languages {
            out.push(super::Problem {
                id: p.id.clone(),
                language,
                prompt: prompt(p, language),
                entry_point: None,
                reference: p.reference.get(&language).cloned(),
                assembly: super::Assembly::Io {
                    check: check.clone(),
                    inputs: inputs.clone(),
                },
                time_limit: None,
                memory_limit: None,
            });
        }
    }
    out
}

/// The expected outputs of an I/O problem and how to compare them.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputCheck {
    pub compare: Compare,
    pub tolerance: f64,
    pub expected: Vec<String>,
    /// A benchmark's wall-clock limit per test (LiveCodeBench's 6 s), judged from each
    /// run's measured time; the sandbox's own limit still stops a run that never ends.
    pub per_test: Option<std::time::Duration>,
}

impl OutputCheck {
    /// The first difference between the expected and the actual output, described.
    pub fn differs(&self, want: &str, got: &str) -> Option<String> {
        match self.compare {
            Compare::Exact => {
                let norm = |s: &str| s.replace("\r\n", "\n").trim_end_matches('\n').to_string();
                let (w, g) = (norm(want), norm(got));
                if w == g {
                    return None;
                }
                let (wl, gl): (Vec<&str>, Vec<&str>) =
                    (w.split('\n').collect(), g.split('\n').collect());
                Some(first_difference(&wl, &gl))
            }
            Compare::Decimal => decimal::differs(want, got),
            Compare::Apps => contest::apps_differs(want, got),
            Compare::Taco => contest::taco_differs(want, got),
            Compare::CodeContests => contest::code_contests_differs(want, got),
            Compare::Whitespace | Compare::Float => {
                let (wt, gt): (Vec<&str>, Vec<&str>) = (
                    want.split_whitespace().collect(),
                    got.split_whitespace().collect(),
                );
                let same = |a: &str, b: &str| {
                    a == b
                        || (self.compare == Compare::Float
                            && match (a.parse::<f64>(), b.parse::<f64>()) {
                                (Ok(x), Ok(y)) => {
                                    (x - y).abs() <= self.tolerance * x.abs().max(1.0)
                                }
                                _ => false,
                            })
                };
                let at = match wt.iter().zip(&gt).position(|(a, b)| !same(a, b)) {
                    Some(i) => i,
                    None if wt.len() == gt.len() => return None,
                    None => wt.len().min(gt.len()),
                };
                Some(format!(
                    "token {}: expected {}, got {}",
                    at + 1,
                    show(wt.get(at).copied()),
                    show(gt.get(at).copied())
                ))
            }
        }
    }

    /// Judges the outputs of the runs that exited normally, even when a later run failed:
    /// a wrong answer on an earlier test is the first failure.
    pub fn judge(&self, mut e: Execution) -> Execution {
        let outputs = std::mem::take(&mut e.outputs);
        let times = std::mem::take(&mut e.output_ms);
        for (i, (got, want)) in outputs.iter().zip(&self.expected).enumerate() {
            // Fuel, not wall time, decides in deterministic mode.
            if let (Some(limit), Some(&ms), None) = (self.per_test, times.get(i), e.fuel)
                && ms > limit.as_secs_f64() * 1e3
            {
                e.outcome = Outcome::Timeout;
                e.detail = format!(
                    "test {i}: ran {:.2} s, over the benchmark's limit of {} s per test",
                    ms / 1e3,
                    limit.as_secs_f64()
                );
                e.stdout = got.clone();
                return e;
            }
            if let Some(diff) = self.differs(want, got) {
                e.outcome = Outcome::WrongAnswer;
                e.detail = format!("test {i}: {diff}");
                e.stdout = got.clone();
                return e;
            }
        }
        if e.outcome == Outcome::Passed && outputs.len() != self.expected.len() {
            e.outcome = Outcome::SandboxError;
            e.detail = format!(
                "the sandbox returned {} outputs for {} tests",
                outputs.len(),
                self.expected.len()
            );
        }
        e
    }
}

/// Where `got`'s lines first differ from `expected`'s, for the verdict's detail.
pub(super) fn first_difference(expected: &[&str], got: &[&str]) -> String {
    let line = expected
        .iter()
        .zip(got)
        .position(|(w, g)| w != g)
        .unwrap_or(expected.len().min(got.len()));
    format!(
        "line {}: expected {}, got {}",
        line + 1,
        show(expected.get(line).copied()),
        show(got.get(line).copied())
    )
}

/// A line or token for a message: quoted and cut, or `end of output`.
pub(super) fn show(s: Option<&str>) -> String {
    match s {
        None => "end of output".into(),
        Some(s) if s.chars().count() > 80 => {
            format!("{:?}…", s.chars().take(80).collect::<String>())
        }
        Some(s) => format!("{s:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(compare: Compare, tolerance: f64) -> OutputCheck {
        OutputCheck {
            compare,
            tolerance,
            expected: vec![],
            per_test: None,
        }
    }

    #[test]
    fn exact_ignores_trailing_newlines_and_crlf_only() {
        let c = check(Compare::Exact, 0.0);
        assert_eq!(c.differs("a\nb\n", "a\r\nb"), None);
        assert_eq!(
            c.differs("a\nb\n", "a \nb\n").unwrap(),
            "line 1: expected \"a\", got \"a \""
        );
        assert_eq!(
            c.differs("a\nb", "a").unwrap(),
            "line 2: expected \"b\", got end of output"
        );
    }

    #[test]
    fn whitespace_compares_tokens() {
        let c = check(Compare::Whitespace, 0.0);
        assert_eq!(c.differs("1 2\n3\n", "1\n2   3"), None);
        assert_eq!(
            c.differs("1 2 3", "1 2 4").unwrap(),
            "token 3: expected \"3\", got \"4\""
        );
        assert_eq!(
            c.differs("1 2", "1 2 3").unwrap(),
            "token 3: expected end of output, got \"3\""
        );
        assert!(c.differs("1.0", "1").is_some());
    }

    #[test]
    fn float_tolerance_absolute_and_relative() {
        let c = check(Compare::Float, 1e-6);
        assert_eq!(c.differs("0.333333 x", "0.3333334 x"), None);
        assert_eq!(c.differs("1000000.0", "1000000.5"), None);
        assert!(c.differs("0.5", "0.5001").is_some());
        assert!(c.differs("abc", "abd").is_some());
    }

    #[test]
    fn loading_errors_name_the_file_and_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        let body = |compare: &str| {
            format!(
                "title = \"T\"\ndescription = \"D\"\ndifficulty = \"easy\"\n{compare}\n\
                 [[tests]]\ninput = \"1\\n\"\noutput = \"1\\n\"\n"
            )
        };
        std::fs::write(&path, body("compare = \"float\"")).unwrap();
        let e = crate::problem::native::read_entry(&path, "io").unwrap_err();
        assert!(
            e.to_string()
                .contains("tolerance: compare = \"float\" needs"),
            "{e}"
        );
        std::fs::write(&path, body("compare = \"tokens\"")).unwrap();
        let e = crate::problem::native::read_entry(&path, "io").unwrap_err();
        assert!(e.to_string().contains("p.toml"), "{e}");
        assert!(e.to_string().contains("unknown variant `tokens`"), "{e}");
        std::fs::write(&path, body("compare = \"exact\"")).unwrap();
        let ok = crate::problem::native::read_entry(&path, "io").unwrap();
        assert!(matches!(ok, crate::problem::native::Entry::Program(p) if p.id == "io/p"));
    }

    #[test]
    fn judge_finds_the_first_wrong_output_before_a_later_failure() {
        let c = OutputCheck {
            compare: Compare::Whitespace,
            tolerance: 0.0,
            expected: vec!["1".into(), "2".into(), "3".into()],
            per_test: None,
        };
        let mut e = Execution::verdict(Outcome::RuntimeError, "test 2: boom");
        e.outputs = vec!["1".into(), "5".into()];
        let j = c.judge(e);
        assert_eq!(j.outcome, Outcome::WrongAnswer);
        assert_eq!(j.detail, "test 1: token 1: expected \"2\", got \"5\"");
        let mut ok = Execution::verdict(Outcome::Passed, "");
        ok.outputs = vec!["1".into(), "2".into(), "3\n".into()];
        assert_eq!(c.judge(ok).outcome, Outcome::Passed);
        let mut crashed = Execution::verdict(Outcome::RuntimeError, "test 1: boom");
        crashed.outputs = vec!["1".into()];
        assert_eq!(c.judge(crashed).outcome, Outcome::RuntimeError);
    }
}
