//! The importers' seam: every benchmark format passk reads is one [`Format`] — how its files
//! look (detection) and how they load (with their references and assembly conventions) —
//! registered in [`ALL`]. `ProblemSet::load` asks the registry; adding a format is one new
//! module with its `FORMAT` and one line here.

use std::path::Path;

use super::Problem;
use crate::errors::InputError;

/// What detection sees of a path: a folder, a JSON array, or the first record of a JSONL
/// file.
pub enum Probe<'a> {
    Dir(&'a Path),
    Array,
    Record(&'a serde_json::Value),
}

impl Probe<'_> {
    /// True when the first record has every one of `fields`.
    pub fn has_all(&self, fields: &[&str]) -> bool {
        match self {
            Probe::Record(r) => fields.iter().all(|f| r.get(f).is_some()),
            Probe::Dir(_) | Probe::Array => false,
        }
    }
}

pub struct Format {
    /// The name manifests and known-defects lists use (`humaneval`, `mbpp`, …).
    pub name: &'static str,
    /// What its files hold, for the error that lists the formats passk knows.
    pub shape: &'static str,
    pub detect: fn(&Probe<'_>) -> bool,
    pub load: fn(&Path) -> Result<Vec<Problem>, InputError>,
}

/// Every format, in detection order (the first that detects a file loads it: HumanEval-X's
/// records are also HumanEval-shaped, so it comes first; a folder of exercises is checked
/// before a folder of passk's problems).
pub const ALL: &[&Format] = &[
    &super::polyglot::FORMAT,
    &super::native::FORMAT,
    &super::evalplus::FORMAT,
    &super::livecodebench::FORMAT,
    &super::contests::code_contests::FORMAT,
    &super::contests::apps::FORMAT,
    &super::cruxeval::FORMAT,
    &super::mbpp::SANITIZED,
    &super::humaneval_x::FORMAT,
    &super::humaneval::FORMAT,
    &super::multipl_e::FORMAT,
    &super::mbpp::FULL,
];

/// The format of `path`, or an error naming what the file holds and what passk reads.
pub fn detect(path: &Path) -> Result<&'static Format, InputError> {
    let first;
    let probe = if path.is_dir() {
        Probe::Dir(path)
    } else if super::jsonl::first_byte(path)? == Some(b'[') {
        Probe::Array
    } else {
        first = match super::jsonl::Lines::open(path)?.next() {
            None => {
                return Err(InputError::Format {
                    path: path.to_path_buf(),
                    message: "no problems in file".into(),
                });
            }
            Some(line) => line?.value,
        };
        Probe::Record(&first)
    };
    if let Some(f) = ALL.iter().find(|f| (f.detect)(&probe)) {
        return Ok(f);
    }
    let found = match &probe {
        Probe::Record(r) => {
            let keys: Vec<&String> = r
                .as_object()
                .map(|o| o.keys().collect())
                .unwrap_or_default();
            format!("the first record has fields {keys:?}")
        }
        Probe::Dir(_) => "a folder with neither passk problems nor exercises".to_string(),
        Probe::Array => "a JSON array of unknown records".to_string(),
    };
    let known: Vec<String> = ALL
        .iter()
        .map(|f| format!("{} ({})", f.name, f.shape))
        .collect();
    Err(InputError::Format {
        path: path.to_path_buf(),
        message: format!(
            "not a problems file passk knows: {found}; expected one of: {}",
            known.join("; ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_an_unknown_file_lists_every_format() {
        let mut names: Vec<&str> = ALL.iter().map(|f| f.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        std::fs::write(&path, "{\"question\": \"q\"}\n").unwrap();
        let err = detect(&path).err().unwrap().to_string();
        assert!(err.contains("\"question\""), "{err}");
        for f in ALL {
            assert!(err.contains(f.shape), "{err}");
        }
    }
}
