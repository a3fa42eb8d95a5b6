//! `results.jsonl`: one line per executed sample, appended and flushed as each finishes, so
//! that a crash or Ctrl-C loses at most the samples in flight. Resume reads it back, drops a
//! torn last line, and skips what is done.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::jsonl::{Appender, for_each_line};
use crate::errors::RunError;
use crate::lang::Language;
use crate::sandbox::{Execution, SandboxId};

/// One line of `results.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ResultRecord {
    pub task_id: String,
    pub language: Language,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub sample_index: usize,
    /// The turn of a repair episode (0: the first answer; absent when 0).
    #[serde(default, skip_serializing_if = "super::is_zero")]
    pub turn: usize,
    pub sandbox: SandboxId,
    /// The verdict of an identical program executed earlier in this run (not re-executed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reused: bool,
    /// The program parses with the language's tree-sitter grammar (absent: no grammar).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syntax_valid: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub syntax_errors: Vec<crate::lang::syntax::SyntaxError>,
    /// What generating the sample cost (absent for scored samples files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<GenStats>,
    /// The benchmark's groupings of the problem (`platform:leetcode`, `difficulty:easy`),
    /// each scored apart in the summary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<String>,
    #[serde(flatten)]
    pub execution: Execution,
}

/// Tokens and time one generated sample cost.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GenStats {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_tokens: Option<u32>,
    pub latency_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<f64>,
    /// Generation hit `--max-tokens` inside its reasoning: the model never got to answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated_reasoning: bool,
}

/// Identity of a sample within a run: one turn of one episode.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SampleKey {
    pub task_id: String,
    pub language: Language,
    pub model: Option<String>,
    pub sample_index: usize,
    pub turn: usize,
}

impl SampleKey {
    /// The same sample at another turn of its episode.
    pub fn at_turn(&self, turn: usize) -> SampleKey {
        SampleKey {
            turn,
            ..self.clone()
        }
    }
}

impl ResultRecord {
    /// A record with only a verdict, for tests of what consumes records.
    #[cfg(test)]
    pub(crate) fn for_test(
        task: &str,
        model: Option<&str>,
        index: usize,
        o: crate::outcome::Outcome,
    ) -> Self {
        ResultRecord {
            task_id: task.into(),
            language: Language::Python,
            model: model.map(str::to_string),
            sample_index: index,
            turn: 0,
            sandbox: SandboxId {
                kind: "wasm".into(),
                version: "test".into(),
            },
            reused: false,
            syntax_valid: None,
            syntax_errors: Vec::new(),
            generation: None,
            facets: Vec::new(),
            execution: Execution::verdict(o, ""),
        }
    }

    pub fn key(&self) -> SampleKey {
        SampleKey {
            task_id: self.task_id.clone(),
            language: self.language,
            model: self.model.clone(),
            sample_index: self.sample_index,
            turn: self.turn,
        }
    }
}

/// Reads every complete record of a results file (a missing file has none).
pub fn read_all(path: &Path) -> Result<Vec<ResultRecord>, RunError> {
    let mut out = Vec::new();
    for_each(path, |r| out.push(r))?;
    Ok(out)
}

/// Streams the complete records of a results file. A torn last line (a crash mid-write) is
/// ignored; a corrupt line elsewhere is an error naming the line.
pub fn for_each(path: &Path, f: impl FnMut(ResultRecord)) -> Result<(), RunError> {
    for_each_line(path, "result record", f)
}

/// Opens `results.jsonl` for append after cutting any torn last line; returns the keys
/// already done (what a resume skips).
pub fn open(path: &Path) -> Result<(Appender, HashSet<SampleKey>), RunError> {
    let mut done = HashSet::new();
    for_each(path, |r| {
        done.insert(r.key());
    })?;
    Ok((Appender::open(path)?, done))
}

#[cfg(test)]
mod tests {
    use std::fs::OpenOptions;
    use std::io::Write;

    use super::*;
    use crate::outcome::Outcome;

    fn rec(task: &str, i: usize) -> ResultRecord {
        ResultRecord::for_test(task, None, i, Outcome::Passed)
    }

    #[test]
    fn resume_drops_torn_tail_and_keeps_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        {
            let (mut w, done) = open(&path).unwrap();
            assert!(done.is_empty());
            w.append(&rec("A", 0)).unwrap();
            w.append(&rec("A", 1)).unwrap();
        }
        // Simulate a crash mid-write.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"task_id\":\"A\",\"langu").unwrap();
        drop(f);
        let (mut w, done) = open(&path).unwrap();
        assert_eq!(done.len(), 2);
        w.append(&rec("B", 0)).unwrap();
        drop(w);
        let all = read_all(&path).unwrap();
        assert_eq!(
            all.iter()
                .map(|r| (r.task_id.as_str(), r.sample_index))
                .collect::<Vec<_>>(),
            [("A", 0), ("A", 1), ("B", 0)]
        );
    }

    #[test]
    fn corrupt_middle_line_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        std::fs::write(&path, "not json\n").unwrap();
        let err = read_all(&path).unwrap_err().to_string();
        assert!(err.contains("results.jsonl:1"), "{err}");
    }
}
