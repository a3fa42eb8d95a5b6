//! passk's exit status: one enum, the single source of the codes, of the table `--help`
//! prints and of the README's table (a test checks the README agrees).

/// How a passk command ended. Every command returns one; errors map to one through
/// [`crate::errors::Classify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything ran and every sample was scored.
    Success,
    /// An unexpected internal error (a bug in passk, or the operating system failed it).
    Failure,
    /// Bad command-line usage (clap's own code).
    Usage,
    /// An input file or run directory is missing, malformed or does not fit the command.
    InputError,
    /// The run finished but is incomplete: harness faults (`toolchain_missing`,
    /// `sandbox_error`, `generation_error`) or a refused language, so the scores are not
    /// trustworthy.
    HarnessFault,
    /// `passk selfcheck` found a broken language or benchmark.
    SelfcheckFailed,
    /// `passk setup` could not fetch, verify or build what passk needs.
    SetupFailed,
    /// `passk gate`: a `--min` threshold failed.
    GateThreshold,
    /// `passk gate`: pass@1 dropped against the baseline by more than `--max-drop`.
    GateRegression,
    /// `passk gate`: the run is incomplete; no verdict.
    GateIncomplete,
    /// Ctrl-C; what finished is saved and a rerun resumes.
    Interrupted,
}

impl ExitStatus {
    pub const ALL: [ExitStatus; 11] = [
        ExitStatus::Success,
        ExitStatus::Failure,
        ExitStatus::Usage,
        ExitStatus::InputError,
        ExitStatus::HarnessFault,
        ExitStatus::SelfcheckFailed,
        ExitStatus::SetupFailed,
        ExitStatus::GateThreshold,
        ExitStatus::GateRegression,
        ExitStatus::GateIncomplete,
        ExitStatus::Interrupted,
    ];

    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::InputError => 3,
            ExitStatus::HarnessFault => 4,
            ExitStatus::SelfcheckFailed => 5,
            ExitStatus::SetupFailed => 6,
            ExitStatus::GateThreshold => 10,
            ExitStatus::GateRegression => 11,
            ExitStatus::GateIncomplete => 12,
            ExitStatus::Interrupted => 130,
        }
    }

    /// One line (under 90 characters, so that `--help` does not wrap it), as `--help` and
    /// the README print it.
    pub fn meaning(self) -> &'static str {
        match self {
            ExitStatus::Success => "success: every sample was scored",
            ExitStatus::Failure => "unexpected internal error (the message says what failed)",
            ExitStatus::Usage => "bad command-line usage",
            ExitStatus::InputError => {
                "input file or run directory missing, malformed or not matching (names file and line)"
            }
            ExitStatus::HarnessFault => {
                "incomplete run: harness faults, or a language refused because its references fail"
            }
            ExitStatus::SelfcheckFailed => {
                "selfcheck failed: references fail or known-bad solutions pass"
            }
            ExitStatus::SetupFailed => "setup failed: could not fetch, verify or build guests",
            ExitStatus::GateThreshold => "gate: a --min threshold failed",
            ExitStatus::GateRegression => {
                "gate: pass@1 dropped against the baseline by more than --max-drop"
            }
            ExitStatus::GateIncomplete => "gate: incomplete run (harness faults), no verdict",
            ExitStatus::Interrupted => "interrupted (Ctrl-C); rerun with the same --out to resume",
        }
    }

    /// The table `passk --help` ends with.
    pub fn help() -> String {
        let mut out = String::from("Exit codes:");
        for s in ExitStatus::ALL {
            out.push_str(&format!("\n  {:<4} {}", s.code(), s.meaning()));
        }
        out
    }

    /// The README's table, in Markdown.
    pub fn markdown_table() -> String {
        let mut out = String::from("| code | meaning |\n|---|---|\n");
        for s in ExitStatus::ALL {
            out.push_str(&format!("| {} | {} |\n", s.code(), s.meaning()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_all_are_listed() {
        let mut codes: Vec<i32> = ExitStatus::ALL.iter().map(|s| s.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ExitStatus::ALL.len());
        // A variant missing from ALL would be missing from every table.
        for s in ExitStatus::ALL {
            assert!(ExitStatus::help().contains(s.meaning()));
            assert!(s.meaning().len() < 90, "{s:?} would wrap in --help");
        }
    }

    #[test]
    fn the_readme_table_is_the_enums() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .expect("README.md");
        let table = ExitStatus::markdown_table();
        assert!(
            readme.contains(&table),
            "README.md's exit-code table differs from ExitStatus; it should read:\n{table}"
        );
    }
}
