//! Samples files in the human-eval / EvalPlus format: one JSON object per line with
//! `task_id` and `completion` (continues the prompt) or `solution` (whole program), and
//! optionally `language` and `model`.

use std::path::{Path, PathBuf};

use super::Code;
use super::jsonl::{Line, Lines};
use crate::errors::InputError;
use crate::lang::Language;

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub task_id: String,
    pub code: Code,
    pub language: Option<Language>,
    pub model: Option<String>,
    /// Line in the samples file, for error messages.
    pub line: usize,
}

/// Streams samples; memory stays flat however large the file.
pub struct SampleReader {
    path: PathBuf,
    lines: Lines,
}

impl SampleReader {
    pub fn open(path: &Path) -> Result<SampleReader, InputError> {
        Ok(SampleReader {
            path: path.to_path_buf(),
            lines: Lines::open(path)?,
        })
    }

    fn parse(&self, line: Line) -> Result<Sample, InputError> {
        let err = |message: String| InputError::Line {
            path: self.path.clone(),
            line: line.number,
            message,
        };
        let v = &line.value;
        if !v.is_object() {
            return Err(err(format!("expected a JSON object, found {v}")));
        }
        let task_id = match v.get("task_id") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            Some(other) => return Err(err(format!("`task_id` must be a string, found {other}"))),
            None => return Err(err("missing field `task_id`".into())),
        };
        let text = |k: &str| -> Result<Option<String>, InputError> {
            match v.get(k) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(err(format!("`{k}` must be a string, found {other}"))),
            }
        };
        let code = match (text("solution")?, text("completion")?) {
            (Some(s), _) => Code::Solution(s),
            (None, Some(c)) => Code::Completion(c),
            (None, None) => {
                return Err(err(
                    "a sample needs `completion` (continues the prompt) or `solution` (whole program)"
                        .into(),
                ));
            }
        };
        let language = match text("language")? {
            None => None,
            Some(l) => {
                Some(Language::parse(&l).ok_or_else(|| err(format!("unknown language `{l}`")))?)
            }
        };
        Ok(Sample {
            task_id,
            code,
            language,
            model: text("model")?,
            line: line.number,
        })
    }
}

impl Iterator for SampleReader {
    type Item = Result<Sample, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = self.lines.next()?;
        Some(line.and_then(|l| self.parse(l)))
    }
}
