//! `references.json`: what the reference check of a run found — references run, problems
//! excluded from every score, languages refused — and which problems a score keeps.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::errors::RunError;
use crate::lang::Language;
use crate::outcome::Outcome;

/// How many failing references a refusal quotes.
pub const QUOTED: usize = 3;

pub const FILE: &str = "references.json";

/// What the reference check found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReferenceCheck {
    /// References run.
    pub checked: usize,
    /// Problems left out of every score: their reference fails here, or is a known defect.
    pub excluded: Vec<Excluded>,
    /// Languages not scored at all.
    pub refused: Vec<Refused>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Excluded {
    pub task_id: String,
    pub language: Language,
    pub outcome: Outcome,
    pub detail: String,
    /// Why, when the problem is on a known-defects list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_defect: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    pub language: Language,
    /// Failing references (known defects not counted) of `checked`.
    pub failing: usize,
    pub checked: usize,
    /// The first failing references, with their compiler or runtime output.
    pub first: Vec<Failure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub task_id: String,
    pub outcome: Outcome,
    pub detail: String,
    pub output: String,
}

impl ReferenceCheck {
    /// True when `task_id` in `language` is scored.
    pub fn keeps(&self, task_id: &str, language: Language) -> bool {
        !self.refused.iter().any(|r| r.language == language)
            && !self
                .excluded
                .iter()
                .any(|e| e.language == language && e.task_id == task_id)
    }

    pub fn save(&self, out: &Path) -> Result<(), RunError> {
        super::write_json_atomically(&out.join(FILE), self)
    }

    /// The check saved in a run directory, if one ran.
    pub fn load(out: &Path) -> Result<Option<ReferenceCheck>, RunError> {
        if !out.join(FILE).exists() {
            return Ok(None);
        }
        super::read_run_file(out, FILE).map(Some)
    }

    /// Joins the checks of shards (`passk merge`).
    pub fn merge(&mut self, other: ReferenceCheck) {
        self.checked += other.checked;
        self.excluded.extend(other.excluded);
        for r in other.refused {
            match self.refused.iter_mut().find(|x| x.language == r.language) {
                Some(x) => {
                    x.failing += r.failing;
                    x.checked += r.checked;
                    x.first.extend(r.first);
                    x.first.truncate(QUOTED);
                }
                None => self.refused.push(r),
            }
        }
        self.excluded
            .sort_by(|a, b| (a.language, &a.task_id).cmp(&(b.language, &b.task_id)));
    }
}
