//! CRUXEval JSONL (`id, code, input, output`): code comprehension. A model sees a Python
//! function `f` and either its input (*output prediction*: say what `f` returns) or its
//! output (*input prediction*: give a call `f(...)` that returns it). Graded as CRUXEval's
//! own harness does (`evaluation/utils_general.py`): `code + "\nassert " + output + " == " +
//! answer` must run without error, in the sandbox; an output answer that calls `f` on the
//! given input, and an input answer that calls no `f(`, are rejected without running.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Assembly, Problem, field_str, jsonl, map_records};
use crate::errors::InputError;
use crate::lang::Language;

pub const FORMAT: super::formats::Format = super::formats::Format {
    name: "cruxeval",
    shape: "CRUXEval JSONL: id, code, input, output",
    detect: |p| p.has_all(&["id", "code", "input", "output"]),
    load: |path| load(path, jsonl::Lines::open(path)?),
};

/// What a comprehension problem asks for (`--task`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Prediction {
    /// Given the input, say what the function returns.
    #[default]
    OutputPrediction,
    /// Given the output, give a call of the function that returns it.
    InputPrediction,
}

impl Prediction {
    pub fn as_str(self) -> &'static str {
        match self {
            Prediction::OutputPrediction => "output-prediction",
            Prediction::InputPrediction => "input-prediction",
        }
    }
}

/// One CRUXEval record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub code: String,
    pub input: String,
    pub output: String,
    pub task: Prediction,
}

impl Record {
    /// The ground truth in the form answers take.
    pub fn truth(&self) -> String {
        match self.task {
            Prediction::OutputPrediction => self.output.clone(),
            Prediction::InputPrediction => format!("f({})", self.input),
        }
    }

    /// Why CRUXEval rejects `answer` without running it, if it does.
    pub fn rejects(&self, answer: &str) -> Option<String> {
        match self.task {
            Prediction::OutputPrediction if answer.contains(&format!("f({})", self.input)) => Some(
                "the answer calls f on the given input instead of predicting its output".into(),
            ),
            Prediction::InputPrediction if !answer.contains("f(") => {
                Some("an input prediction must be a call f(...)".into())
            }
            _ => None,
        }
    }

    /// The program CRUXEval runs, and where its trusted part (the assertion) begins.
    pub fn program(&self, answer: &str) -> (String, usize) {
        let head = format!("{}\n", self.code);
        let at = head.len();
        (
            format!("{head}assert {} == {}\n", self.output, answer.trim()),
            at,
        )
    }

    /// What the model is shown: the function, then the assertion to complete.
    pub fn shown(&self) -> String {
        match self.task {
            Prediction::OutputPrediction => {
                format!("{}\nassert f({}) == ??", self.code, self.input)
            }
            Prediction::InputPrediction => {
                format!("{}\nassert f(??) == {}", self.code, self.output)
            }
        }
    }
}

pub fn load(
    path: &Path,
    lines: impl Iterator<Item = Result<jsonl::Line, InputError>>,
) -> Result<Vec<Problem>, InputError> {
    map_records(lines, |value, number| {
        let get = |k: &str| field_str(value, k, path, number);
        let record = Record {
            code: get("code")?,
            input: get("input")?,
            output: get("output")?,
            task: Prediction::default(),
        };
        Ok(problem(get("id")?, record))
    })
}

/// The problem of one record, for its task.
pub fn problem(id: String, record: Record) -> Problem {
    Problem {
        id,
        language: Language::Python,
        prompt: record.shown(),
        entry_point: None,
        reference: Some(record.truth()),
        assembly: Assembly::Cruxeval(std::sync::Arc::new(record)),
        time_limit: None,
        memory_limit: None,
    }
}

/// The same problem asking for `task` instead.
pub fn with_task(p: &Problem, task: Prediction) -> Option<Problem> {
    let Assembly::Cruxeval(r) = &p.assembly else {
        return None;
    };
    Some(problem(
        p.id.clone(),
        Record {
            task,
            ..r.as_ref().clone()
        },
    ))
}

/// The part of a model's text that answers: between `[ANSWER]` tags, else in the first
/// fenced block, else the text itself, trimmed.
pub fn answer_text(text: &str) -> &str {
    let t = text.trim();
    if let Some((_, rest)) = t.split_once("[ANSWER]") {
        rest.split("[/ANSWER]").next().unwrap_or(rest).trim()
    } else if let Some((_, rest)) = t.split_once("```") {
        let body = rest.split_once('\n').map_or("", |(_, b)| b);
        body.split("```").next().unwrap_or(body).trim()
    } else {
        t
    }
}

/// The answer in a model's text (its [`answer_text`]); an echoed `assert …` is reduced to the side that answers.
pub fn answer_from(text: &str, task: Prediction) -> Option<String> {
    let mut t = answer_text(text);
    if let Some(assertion) = t.strip_prefix("assert ") {
        // `assert f(x) == y`: the output is the right side, the call the left.
        if let Some((left, right)) = assertion.split_once(" == ") {
            t = match task {
                Prediction::OutputPrediction => right,
                Prediction::InputPrediction if left.trim_start().starts_with("f(") => left,
                Prediction::InputPrediction => right,
            }
            .trim();
        }
    }
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(task: Prediction) -> Record {
        Record {
            code: "def f(x):\n    return x * 2".into(),
            input: "3".into(),
            output: "6".into(),
            task,
        }
    }

    #[test]
    fn programs_and_rejections_follow_cruxeval() {
        let out = record(Prediction::OutputPrediction);
        let (p, at) = out.program("6");
        assert_eq!(p, "def f(x):\n    return x * 2\nassert 6 == 6\n");
        assert_eq!(&p[at..], "assert 6 == 6\n");
        assert!(out.rejects("f(3)").is_some());
        assert!(out.rejects("f(4) - 2").is_none());
        let inp = record(Prediction::InputPrediction);
        assert_eq!(
            inp.program("f(3)").0,
            "def f(x):\n    return x * 2\nassert 6 == f(3)\n"
        );
        assert!(inp.rejects("3").is_some());
        assert_eq!(inp.truth(), "f(3)");
    }

    #[test]
    fn answers_are_found_in_tags_fences_and_echoed_assertions() {
        use Prediction::*;
        let a = |t, task| answer_from(t, task);
        assert_eq!(
            a("[ANSWER]6[/ANSWER]", OutputPrediction).as_deref(),
            Some("6")
        );
        assert_eq!(
            a("[ANSWER]\nassert f(3) == 6\n[/ANSWER]", OutputPrediction).as_deref(),
            Some("6")
        );
        assert_eq!(
            a("```python\nassert f(3) == 6\n```", InputPrediction).as_deref(),
            Some("f(3)")
        );
        assert_eq!(a("  [1, 2]  ", OutputPrediction).as_deref(), Some("[1, 2]"));
        assert_eq!(a("", OutputPrediction), None);
    }
}
