//! Reading JSON Lines and JSON, plain or gzip-compressed (by magic bytes, not by name), with
//! errors that name the file and line.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::errors::InputError;

/// Opens a file, transparently decompressing gzip.
pub fn open(path: &Path) -> Result<Box<dyn BufRead>, InputError> {
    let io = |e: std::io::Error| InputError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let mut f = File::open(path).map_err(io)?;
    let mut magic = [0u8; 2];
    let n = f.read(&mut magic).map_err(io)?;
    let f = File::open(path).map_err(io)?;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(
            f,
        ))))
    } else {
        Ok(Box::new(BufReader::new(f)))
    }
}

/// One non-blank line of a JSONL file, parsed, with its 1-based line number.
pub struct Line {
    pub number: usize,
    pub value: serde_json::Value,
}

/// Streams the lines of a JSONL file. Blank lines are skipped; anything else that is not a
/// JSON value is an error naming the file and line.
pub struct Lines {
    path: PathBuf,
    reader: Box<dyn BufRead>,
    number: usize,
    buf: Vec<u8>,
}

impl Lines {
    pub fn open(path: &Path) -> Result<Lines, InputError> {
        Ok(Lines {
            path: path.to_path_buf(),
            reader: open(path)?,
            number: 0,
            buf: Vec::new(),
        })
    }
}

impl Iterator for Lines {
    type Item = Result<Line, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            self.number += 1;
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    return Some(Err(InputError::Io {
                        path: self.path.clone(),
                        source: e,
                    }));
                }
            }
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t,
                Err(e) => {
                    return Some(Err(InputError::Line {
                        path: self.path.clone(),
                        line: self.number,
                        message: format!("not valid UTF-8 ({e})"),
                    }));
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some(
                serde_json::from_str(text)
                    .map(|value| Line {
                        number: self.number,
                        value,
                    })
                    .map_err(|e| InputError::Line {
                        path: self.path.clone(),
                        line: self.number,
                        message: format!("not a JSON value: {e}"),
                    }),
            );
        }
    }
}

/// Reads a whole file as one JSON value (for MBPP's sanitized JSON array).
pub fn read_value(path: &Path) -> Result<serde_json::Value, InputError> {
    let mut text = String::new();
    open(path)?
        .read_to_string(&mut text)
        .map_err(|e| InputError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
    serde_json::from_str(&text).map_err(|e| InputError::Line {
        path: path.to_path_buf(),
        line: e.line(),
        message: format!("not valid JSON: {e}"),
    })
}

/// First non-blank byte of the (decompressed) file: `[` means a JSON array.
pub fn first_byte(path: &Path) -> Result<Option<u8>, InputError> {
    let mut r = open(path)?;
    loop {
        let buf = r.fill_buf().map_err(|e| InputError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        if buf.is_empty() {
            return Ok(None);
        }
        if let Some(b) = buf.iter().find(|b| !b.is_ascii_whitespace()) {
            return Ok(Some(*b));
        }
        let n = buf.len();
        r.consume(n);
    }
}
