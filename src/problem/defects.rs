//! Known reference defects: problems whose reference solution fails under the benchmark's
//! own harness too, so passk excludes them from every score without calling the run
//! incomplete. The list shipped with passk is `sandboxes/known-defects.toml`; a user adds
//! their own with `--known-defects FILE` (same format).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ProblemSet;
use crate::errors::InputError;

/// The list passk ships, and the name errors give it.
pub const SHIPPED: &str = include_str!("../../sandboxes/known-defects.toml");
pub const SHIPPED_PATH: &str = "sandboxes/known-defects.toml";

/// One known defect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Defect {
    /// The problems file format (`ProblemSet::format`).
    pub benchmark: String,
    pub task_id: String,
    /// What goes wrong: `reference` (its reference fails) or `stub` (an exercise's stub
    /// passes, so selfcheck's "the stub fails" cannot hold).
    pub variant: String,
    pub reason: String,
    pub source: String,
}

/// The variants an entry may name.
const VARIANTS: [&str; 2] = ["reference", "stub"];

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    defect: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    benchmark: toml::Spanned<String>,
    task_id: toml::Spanned<String>,
    variant: Option<toml::Spanned<String>>,
    reason: String,
    source: String,
}

/// Every known defect passk consults.
#[derive(Debug, Clone, Default)]
pub struct KnownDefects {
    entries: Vec<Defect>,
}

impl KnownDefects {
    /// The shipped list. It is checked by the unit tests, so a parse failure here is a
    /// passk bug.
    pub fn shipped() -> KnownDefects {
        let mut k = KnownDefects::default();
        k.add(SHIPPED, Path::new(SHIPPED_PATH), None)
            .unwrap_or_else(|e| panic!("the shipped known-defects list: {e}"));
        k
    }

    /// The shipped list plus the user's files, each of whose entries for `set`'s benchmark
    /// must name a problem of `set`.
    pub fn load(user: &[PathBuf], set: &ProblemSet) -> Result<KnownDefects, InputError> {
        let mut k = KnownDefects::shipped();
        for path in user {
            let text = std::fs::read_to_string(path).map_err(|e| InputError::Io {
                path: path.clone(),
                source: e,
            })?;
            k.add(&text, path, Some(set))?;
        }
        Ok(k)
    }

    /// Adds the entries of one list. An id the benchmark cannot have is an error naming
    /// the file and line; with `set`, so is an id of `set`'s benchmark that `set` lacks.
    fn add(&mut self, text: &str, path: &Path, set: Option<&ProblemSet>) -> Result<(), InputError> {
        let file: File = toml::from_str(text).map_err(|e| match e.span() {
            Some(span) => InputError::Line {
                path: path.to_path_buf(),
                line: line_of(text, span.start),
                message: e.message().to_string(),
            },
            None => InputError::Format {
                path: path.to_path_buf(),
                message: e.to_string(),
            },
        })?;
        for entry in file.defect {
            let at = |span: std::ops::Range<usize>, message: String| InputError::Line {
                path: path.to_path_buf(),
                line: line_of(text, span.start),
                message,
            };
            let benchmark = entry.benchmark.get_ref();
            let id = entry.task_id.get_ref();
            let Some(scheme) = id_scheme(benchmark) else {
                return Err(at(
                    entry.benchmark.span(),
                    format!(
                        "unknown benchmark `{benchmark}` (known: {})",
                        SCHEMES.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
                    ),
                ));
            };
            if !scheme(id) {
                return Err(at(
                    entry.task_id.span(),
                    format!("`{id}` is not a task id of {benchmark}"),
                ));
            }
            if let Some(set) = set
                && set.format == *benchmark
                && set.get(id).is_none()
            {
                return Err(at(
                    entry.task_id.span(),
                    format!(
                        "`{id}` is not in the problems file ({} problems)",
                        set.len()
                    ),
                ));
            }
            let variant = match &entry.variant {
                None => "reference".to_string(),
                Some(v) if VARIANTS.contains(&v.get_ref().as_str()) => v.get_ref().clone(),
                Some(v) => {
                    return Err(at(
                        v.span(),
                        format!(
                            "unknown variant `{}` (known: {})",
                            v.get_ref(),
                            VARIANTS.join(", ")
                        ),
                    ));
                }
            };
            self.entries.push(Defect {
                benchmark: benchmark.clone(),
                task_id: id.clone(),
                variant,
                reason: entry.reason,
                source: entry.source,
            });
        }
        Ok(())
    }

    /// The reference defect listed for `task_id` of a `benchmark` file, if any.
    pub fn get(&self, benchmark: &str, task_id: &str) -> Option<&Defect> {
        self.get_variant(benchmark, task_id, "reference")
    }

    /// The defect listed for `task_id`'s selfcheck `variant`, if any.
    pub fn get_variant(&self, benchmark: &str, task_id: &str, variant: &str) -> Option<&Defect> {
        self.entries
            .iter()
            .find(|d| d.benchmark == benchmark && d.task_id == task_id && d.variant == variant)
    }

    pub fn entries(&self) -> &[Defect] {
        &self.entries
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Whether an id is one a benchmark has.
type IdCheck = fn(&str) -> bool;

/// The benchmarks a list may name, each with the ids it has.
const SCHEMES: &[(&str, IdCheck)] = &[
    ("humaneval", |id| {
        number(id.strip_prefix("HumanEval/"), 0, 163)
    }),
    ("humaneval-x", |id| {
        id.split_once('/').is_some_and(|(language, n)| {
            ["Python", "CPP", "Java", "JavaScript", "Go", "Rust"].contains(&language)
                && number(Some(n), 0, 163)
        })
    }),
    ("mbpp", |id| number(id.strip_prefix("Mbpp/"), 1, 974)),
    ("polyglot", |id| {
        id.split_once('/').is_some_and(|(track, slug)| {
            ["cpp", "go", "java", "javascript", "python", "rust"].contains(&track)
                && !slug.is_empty()
                && slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
    }),
    ("mbpp-sanitized", |id| {
        number(id.strip_prefix("Mbpp/"), 1, 974)
    }),
    ("multipl-e", |id| {
        let rest = id
            .strip_prefix("HumanEval_")
            .or_else(|| id.strip_prefix("mbpp_"));
        rest.and_then(|r| r.split_once('_'))
            .is_some_and(|(n, name)| number(Some(n), 0, 974) && !name.is_empty())
    }),
];

/// `text` is a decimal number in `lo..=hi`.
fn number(text: Option<&str>, lo: u32, hi: u32) -> bool {
    text.filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse::<u32>().ok())
        .is_some_and(|n| (lo..=hi).contains(&n))
}

fn id_scheme(benchmark: &str) -> Option<IdCheck> {
    SCHEMES.iter().find(|s| s.0 == benchmark).map(|s| s.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_loads_and_names_humaneval_x_javascript_112_and_155() {
        let k = KnownDefects::shipped();
        for id in ["JavaScript/112", "JavaScript/155", "Go/95"] {
            let d = k.get("humaneval-x", id).unwrap();
            assert!(!d.reason.is_empty() && !d.source.is_empty());
        }
        assert!(k.get("humaneval", "JavaScript/112").is_none());
    }

    #[test]
    fn an_unknown_task_id_is_an_error_naming_file_and_line() {
        let text = "[[defect]]\nbenchmark = \"humaneval-x\"\ntask_id = \"JavaScript/112\"\n\
                    reason = \"r\"\nsource = \"s\"\n\n[[defect]]\nbenchmark = \"humaneval-x\"\n\
                    task_id = \"Javascript/112\"\nreason = \"r\"\nsource = \"s\"\n";
        let e = KnownDefects::default()
            .add(text, Path::new("mine.toml"), None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "mine.toml:9: `Javascript/112` is not a task id of humaneval-x"
        );
        let out_of_range = text.replace("Javascript/112", "Go/164");
        let e = KnownDefects::default()
            .add(&out_of_range, Path::new("mine.toml"), None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("mine.toml:9: `Go/164`"), "{e}");
        let bad_benchmark = text.replace(
            "benchmark = \"humaneval-x\"\ntask_id = \"Javascript",
            "benchmark = \"humaneval-z\"\ntask_id = \"Javascript",
        );
        let e = KnownDefects::default()
            .add(&bad_benchmark, Path::new("mine.toml"), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("mine.toml:8: unknown benchmark `humaneval-z`"),
            "{e}"
        );
        let e = KnownDefects::default()
            .add("[[defect]]\nbenchmark = 3\n", Path::new("mine.toml"), None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("mine.toml:2:"), "{e}");
    }

    #[test]
    fn a_user_list_must_name_problems_of_the_file_it_is_used_with() {
        let set = ProblemSet::new(Vec::new(), "humaneval-x", String::new());
        let text = "[[defect]]\nbenchmark = \"humaneval-x\"\ntask_id = \"Go/3\"\nreason = \"r\"\nsource = \"s\"\n";
        let e = KnownDefects::default()
            .add(text, Path::new("mine.toml"), Some(&set))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "mine.toml:3: `Go/3` is not in the problems file (0 problems)"
        );
        // Entries for another benchmark do not apply to this file.
        let other = ProblemSet::new(Vec::new(), "humaneval", String::new());
        KnownDefects::default()
            .add(text, Path::new("mine.toml"), Some(&other))
            .unwrap();
    }
}
