//! `--since DATE --until DATE`: the problems published in a window (LiveCodeBench's
//! `contest_date`), to score a model only on problems released after its training cut-off.
//! As LiveCodeBench selects: `since <= contest_date <= until`, both dates at midnight.

use serde::{Deserialize, Serialize};

use super::{Problem, ProblemSet};
use crate::errors::InputError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Window {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<chrono::NaiveDate>,
}

/// Parses a `--since` / `--until` value (`%Y-%m-%d`, as LiveCodeBench's own flags).
pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("`{s}`: expected a date YYYY-MM-DD ({e})"))
}

impl Window {
    /// The window, or `None` when neither end is given.
    pub fn new(
        since: Option<chrono::NaiveDate>,
        until: Option<chrono::NaiveDate>,
    ) -> Option<Window> {
        (since.is_some() || until.is_some()).then_some(Window { since, until })
    }

    /// True when `problem` was published inside the window.
    pub fn contains(&self, problem: &Problem) -> bool {
        let Some(at) = problem.published() else {
            return false;
        };
        let midnight = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight exists");
        self.since.is_none_or(|s| midnight(s) <= at) && self.until.is_none_or(|u| at <= midnight(u))
    }

    /// Refuses a window that selects nothing from `set` (loaded from `path`), saying why:
    /// the file has no dates, or what range its dates span.
    pub fn check(&self, set: &ProblemSet, path: &std::path::Path) -> Result<(), InputError> {
        self.selects_any(set).map_err(|message| InputError::Format {
            path: path.to_path_buf(),
            message,
        })
    }

    fn selects_any(&self, set: &ProblemSet) -> Result<(), String> {
        if set.problems.iter().any(|p| self.contains(p)) {
            return Ok(());
        }
        let dates: Vec<_> = set.problems.iter().filter_map(Problem::published).collect();
        match (dates.iter().min(), dates.iter().max()) {
            (Some(first), Some(last)) => Err(format!(
                "no problem was published in {self}: the file's dates run from {} to {}",
                first.date(),
                last.date()
            )),
            _ => Err(format!(
                "--since/--until select on publication dates, and {} problems have none \
                 (LiveCodeBench's contest_date is one)",
                set.format
            )),
        }
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |d: Option<chrono::NaiveDate>| d.map_or("…".to_string(), |d| d.to_string());
        write!(f, "{} – {}", show(self.since), show(self.until))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ends_are_inclusive_at_midnight_as_livecodebench_selects() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/livecodebench/test-fixture.jsonl");
        let set = ProblemSet::load(&path).unwrap();
        let d = |s| Some(parse_date(s).unwrap());
        let ids = |w: Window| -> Vec<&str> {
            set.problems
                .iter()
                .filter(|p| w.contains(p))
                .map(|p| p.id.as_str())
                .collect()
        };
        let w = Window::new(d("2023-08-12"), d("2023-09-02")).unwrap();
        assert_eq!(ids(w), ["3001", "abc314_a"]);
        assert_eq!(ids(Window::new(None, d("2023-07-16")).unwrap()), ["2844"]);
        let empty = Window::new(d("2024-01-01"), None).unwrap();
        let e = empty.check(&set, &path).unwrap_err().to_string();
        assert!(e.contains("2023-07-16 to 2023-09-21"), "{e}");
        assert!(parse_date("2023-02-30").is_err());
        assert_eq!(Window::new(None, None), None);
        let he = ProblemSet::new(vec![], "humaneval", String::new());
        assert!(
            w.check(&he, &path)
                .unwrap_err()
                .to_string()
                .contains("humaneval problems have none")
        );
    }
}
