//! `results.jsonl`: one line per executed sample, appended and flushed as each finishes, so
//! that a crash or Ctrl-C loses at most the samples in flight. Resume reads it back, drops a
//! torn last line, and skips what is done.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::errors::RunError;
use crate::lang::Language;
use crate::outcome::Outcome;
use crate::sandbox::{Execution, SandboxId};

/// One line of `results.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ResultRecord {
    pub task_id: String,
    pub language: Language,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub sample_index: usize,
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
    #[serde(flatten)]
    pub execution: Execution,
}

/// Tokens and time one generated sample cost.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GenStats {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_tokens: Option<u32>,
    pub latency_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<f64>,
}

/// Identity of a sample within a run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SampleKey {
    pub task_id: String,
    pub language: Language,
    pub model: Option<String>,
    pub sample_index: usize,
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
            sandbox: SandboxId {
                kind: "wasm".into(),
                version: "test".into(),
            },
            reused: false,
            syntax_valid: None,
            syntax_errors: Vec::new(),
            generation: None,
            execution: Execution::verdict(o, ""),
        }
    }

    /// The record of `job`, with its syntax checked.
    pub fn new(
        job: crate::runner::Job,
        sandbox: SandboxId,
        reused: bool,
        execution: Execution,
    ) -> Self {
        let syntax = match execution.outcome {
            Outcome::NoCode => Some(crate::lang::syntax::SyntaxCheck {
                valid: false,
                errors: Vec::new(),
            }),
            Outcome::GenerationError => None,
            // The language's own toolchain accepted a program that ran its tests through:
            // it is valid whatever the grammar says (tree-sitter-cpp cannot parse
            // `typeid(int)`, used by HumanEval-X CPP/22 and /137).
            Outcome::Passed => {
                crate::lang::syntax::check(job.program.language, &job.program.source).map(|_| {
                    crate::lang::syntax::SyntaxCheck {
                        valid: true,
                        errors: Vec::new(),
                    }
                })
            }
            _ => crate::lang::syntax::check(job.program.language, &job.program.source),
        };
        ResultRecord {
            task_id: job.task_id,
            language: job.program.language,
            model: job.model,
            sample_index: job.sample_index,
            sandbox,
            reused,
            syntax_valid: syntax.as_ref().map(|s| s.valid),
            syntax_errors: syntax.map(|s| s.errors).unwrap_or_default(),
            generation: job.generation,
            execution,
        }
    }

    pub fn key(&self) -> SampleKey {
        SampleKey {
            task_id: self.task_id.clone(),
            language: self.language,
            model: self.model.clone(),
            sample_index: self.sample_index,
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

/// [`for_each`] for any JSONL file passk appends to (`samples.jsonl` too).
pub fn for_each_line<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
    mut f: impl FnMut(T),
) -> Result<(), RunError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(path, e)),
    };
    let mut reader = BufReader::new(file);
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        number += 1;
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| io_err(path, e))?;
        if n == 0 {
            return Ok(());
        }
        if buf.last() != Some(&b'\n') {
            return Ok(()); // torn tail, rewritten on resume
        }
        if buf.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let rec: T = serde_json::from_slice(&buf).map_err(|e| {
            RunError::Input(crate::errors::InputError::Line {
                path: path.to_path_buf(),
                line: number,
                message: format!("not a {what}: {e}"),
            })
        })?;
        f(rec);
    }
}

fn io_err(path: &Path, source: std::io::Error) -> RunError {
    RunError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Appends records to `results.jsonl`.
pub struct ResultsWriter {
    path: PathBuf,
    file: File,
    last_sync: Instant,
}

/// Data is written (and so survives a killed process) per line; fsync, which only matters
/// for a lost machine, is batched to keep the disk out of the hot path.
const SYNC_EVERY: Duration = Duration::from_millis(500);

impl ResultsWriter {
    /// Opens for append after cutting any torn last line; returns the keys already done.
    pub fn open(path: &Path) -> Result<(ResultsWriter, HashSet<SampleKey>), RunError> {
        let mut done = HashSet::new();
        for_each(path, |r| {
            done.insert(r.key());
        })?;
        Ok((ResultsWriter::append_to(path)?, done))
    }

    /// Opens any of passk's JSONL files for append, after cutting a torn last line.
    pub fn append_to(path: &Path) -> Result<ResultsWriter, RunError> {
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| io_err(path, e))?;
        truncate_torn_tail(&mut file).map_err(|e| io_err(path, e))?;
        Ok(ResultsWriter {
            path: path.to_path_buf(),
            file,
            last_sync: Instant::now(),
        })
    }

    pub fn append(&mut self, record: &impl Serialize) -> Result<(), RunError> {
        let mut line = serde_json::to_vec(record).expect("records serialize");
        line.push(b'\n');
        // One write call per line: an interrupted process leaves whole lines or a torn tail.
        self.file
            .write_all(&line)
            .map_err(|e| io_err(&self.path, e))?;
        if self.last_sync.elapsed() >= SYNC_EVERY {
            self.sync()?;
        }
        Ok(())
    }

    pub fn sync(&mut self) -> Result<(), RunError> {
        self.last_sync = Instant::now();
        self.file.sync_data().map_err(|e| io_err(&self.path, e))
    }
}

/// Cuts the file back to its last newline.
fn truncate_torn_tail(file: &mut File) -> std::io::Result<()> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(());
    }
    let mut pos = len;
    let mut byte = [0u8; 1];
    while pos > 0 {
        file.seek(SeekFrom::Start(pos - 1))?;
        std::io::Read::read_exact(file, &mut byte)?;
        if byte[0] == b'\n' {
            break;
        }
        pos -= 1;
    }
    if pos != len {
        file.set_len(pos)?;
    }
    file.seek(SeekFrom::End(0))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;

    fn rec(task: &str, i: usize) -> ResultRecord {
        ResultRecord::for_test(task, None, i, Outcome::Passed)
    }

    /// tree-sitter-cpp rejects `typeid(int)`; a program that compiled and passed is valid,
    /// one that did not keeps the grammar's verdict.
    #[test]
    fn a_passing_program_is_syntactically_valid_whatever_the_grammar_says() {
        let source = "#include <typeinfo>\nint main(){ return typeid(int) == typeid(long); }\n";
        assert!(
            !crate::lang::syntax::check(Language::Cpp, source)
                .unwrap()
                .valid
        );
        let record = |o: Outcome| {
            let job = crate::runner::Job {
                task_id: "t".into(),
                model: None,
                sample_index: 0,
                program: crate::sandbox::Program::plain(Language::Cpp, source),
                limits: Default::default(),
                verdict: None,
                generation: None,
            };
            let id = SandboxId {
                kind: "process".into(),
                version: "test".into(),
            };
            ResultRecord::new(job, id, false, Execution::verdict(o, ""))
        };
        let passed = record(Outcome::Passed);
        assert_eq!(passed.syntax_valid, Some(true));
        assert!(passed.syntax_errors.is_empty());
        let failed = record(Outcome::CompileError);
        assert_eq!(failed.syntax_valid, Some(false));
        assert!(!failed.syntax_errors.is_empty());
    }

    #[test]
    fn resume_drops_torn_tail_and_keeps_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        {
            let (mut w, done) = ResultsWriter::open(&path).unwrap();
            assert!(done.is_empty());
            w.append(&rec("A", 0)).unwrap();
            w.append(&rec("A", 1)).unwrap();
        }
        // Simulate a crash mid-write.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"task_id\":\"A\",\"langu").unwrap();
        drop(f);
        let (mut w, done) = ResultsWriter::open(&path).unwrap();
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
