//! Library errors. The CLI adds hints and maps them to exit codes (`exit_codes.rs`).

use std::path::PathBuf;

/// Problems with files the user gave passk: they name the file and, where there is one, the
/// line, so that the user can fix the input.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
}

/// Problems with a run directory (results written earlier, resume).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Mismatch(String),
    #[error("{0}")]
    Incomparable(String),
}
