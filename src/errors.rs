//! Library errors, and how each maps to an exit status and a hint ([`Classify`], by an
//! exhaustive match per error type): the CLI prints the hint and exits with the status.

use std::path::PathBuf;

use crate::exit_codes::ExitStatus;

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
    /// A run-directory file that is not what passk wrote (damaged, edited, another tool's).
    #[error("{path}: not a passk {what} ({message})")]
    Corrupt {
        path: PathBuf,
        what: String,
        message: String,
    },
    /// `--out` holds a run made from other inputs or settings.
    #[error("{0}")]
    ResumeMismatch(String),
    /// The command selected nothing to do (no problems in the languages asked for).
    #[error("{0}")]
    NothingSelected(String),
    /// `passk merge` was given directories that are not shards of one run.
    #[error("{0}")]
    NotShards(String),
    /// Two runs that cannot be compared.
    #[error("{0}")]
    Incomparable(String),
    /// A worker thread panicked: a bug in passk.
    #[error("internal error: {0}")]
    Panicked(String),
}

impl RunError {
    /// The error of a thread that panicked, with its panic message.
    pub fn panicked(what: &str, payload: Box<dyn std::any::Any + Send>) -> RunError {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        RunError::Panicked(format!("{what} panicked: {message}"))
    }
}

/// An error's exit status and the hint the CLI prints under it.
pub trait Classify {
    fn status(&self) -> ExitStatus;
    fn hint(&self) -> Option<&'static str>;
}

impl Classify for InputError {
    fn status(&self) -> ExitStatus {
        match self {
            InputError::Io { .. } | InputError::Line { .. } | InputError::Format { .. } => {
                ExitStatus::InputError
            }
        }
    }

    fn hint(&self) -> Option<&'static str> {
        match self {
            InputError::Io { .. } => {
                Some("check the path; passk reads .jsonl, .json and their .gz forms")
            }
            InputError::Line { .. } | InputError::Format { .. } => None,
        }
    }
}

impl Classify for RunError {
    fn status(&self) -> ExitStatus {
        match self {
            RunError::Input(e) => e.status(),
            RunError::Corrupt { .. }
            | RunError::ResumeMismatch(_)
            | RunError::NothingSelected(_)
            | RunError::NotShards(_)
            | RunError::Incomparable(_) => ExitStatus::InputError,
            RunError::Io { .. } | RunError::Panicked(_) => ExitStatus::Failure,
        }
    }

    fn hint(&self) -> Option<&'static str> {
        match self {
            RunError::Input(e) => e.hint(),
            RunError::Io { .. } => {
                Some("check that the directory is writable and the disk not full")
            }
            RunError::Corrupt { .. } => Some(
                "the file was damaged or not written by this passk; delete the directory or \
                 pass a new --out",
            ),
            RunError::ResumeMismatch(_) => Some(
                "rerun with the same inputs and settings to resume, or pass a new --out to \
                 start a new run",
            ),
            RunError::NothingSelected(_) => Some(
                "check --langs and --suite: `passk problems list --suite S` shows what a \
                 suite holds",
            ),
            RunError::NotShards(_) => {
                Some("merge the --shard directories of one run, each shard once, into a new --out")
            }
            RunError::Incomparable(_) => {
                Some("rerun both with the same suite, limits and `passk setup`, or pass --force")
            }
            RunError::Panicked(_) => {
                Some("this is a bug in passk; please report it with the command line")
            }
        }
    }
}
