//! The JSONL files of a run directory (`results.jsonl`, `samples.jsonl`, `decisions.jsonl`):
//! appended one whole line per write, so that a crash or Ctrl-C leaves whole lines and at
//! most a torn last one, which reading ignores and reopening cuts.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::errors::RunError;

/// Streams the complete lines of a JSONL file passk appends to. A torn last line (a crash
/// mid-write) is ignored; a corrupt line elsewhere is an error naming the line.
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

/// Appends lines to one of passk's JSONL files.
pub struct Appender {
    path: PathBuf,
    file: File,
    last_sync: Instant,
}

/// Data is written (and so survives a killed process) per line; fsync, which only matters
/// for a lost machine, is batched to keep the disk out of the hot path.
const SYNC_EVERY: Duration = Duration::from_millis(500);

impl Appender {
    /// Opens any of passk's JSONL files for append, after cutting a torn last line.
    pub fn open(path: &Path) -> Result<Appender, RunError> {
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| io_err(path, e))?;
        truncate_torn_tail(&mut file).map_err(|e| io_err(path, e))?;
        Ok(Appender {
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
