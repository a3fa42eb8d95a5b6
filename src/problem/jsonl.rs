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

/// One non-blank line of a JSONL file, parsed, with its 1-based line number and its text
/// (non-finite numbers as [`NONFINITE`] strings, see [`nonfinite_as_strings`]).
pub struct Line {
    pub number: usize,
    pub value: serde_json::Value,
    pub text: String,
}

/// What a bare `NaN`, `Infinity` or `-Infinity` (Python's `json.dumps` writes them for
/// non-finite floats; JSON has no such numbers) becomes: a string with this prefix.
pub const NONFINITE: &str = "\\u001fpassk-nonfinite:";

/// The line with every bare `NaN`, `Infinity` and `-Infinity` outside strings written as
/// the string `"<NONFINITE>NaN"` (…), so that a strict JSON parser reads it; an importer
/// that hands values back to Python restores them ([`restore_nonfinite`]).
pub fn nonfinite_as_strings(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("NaN") && !text.contains("Infinity") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let token = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|t| rest.starts_with(t));
        match token {
            Some(t) => {
                out.push('"');
                out.push_str(NONFINITE);
                out.push_str(t);
                out.push('"');
                rest = &rest[t.len()..];
            }
            None => {
                in_string = c == '"';
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out.into()
}

/// The JSON text of a value cut from a [`Line`]'s text, with its non-finite numbers bare
/// again (for Python's `json.loads`).
pub fn restore_nonfinite(json: &str) -> String {
    let mut s = json.to_string();
    for t in ["-Infinity", "Infinity", "NaN"] {
        s = s.replace(&format!("\"{NONFINITE}{t}\""), t);
    }
    s
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
            let text = nonfinite_as_strings(text);
            return Some(
                serde_json::from_str(&text)
                    .map(|value| Line {
                        number: self.number,
                        value,
                        text: text.into_owned(),
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

#[cfg(test)]
mod nonfinite_tests {
    use super::*;

    #[test]
    fn bare_nonfinite_numbers_survive_a_strict_parser_and_strings_are_untouched() {
        let line = r#"{"a": [NaN, -Infinity, 1.5], "s": "NaN \" Infinity"}"#;
        let text = nonfinite_as_strings(line);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["s"], "NaN \" Infinity");
        assert!(v["a"][0].as_str().unwrap().ends_with("NaN"));
        let back = restore_nonfinite(&serde_json::to_string(&v["a"]).unwrap());
        assert_eq!(back, "[NaN,-Infinity,1.5]");
        assert!(matches!(
            nonfinite_as_strings("{\"x\": 1}"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
