//! passk's documented exit codes (also listed in `passk --help` and the README).

/// Everything ran and every sample was scored.
pub const SUCCESS: i32 = 0;
/// An unexpected internal error.
pub const FAILURE: i32 = 1;
/// Bad command-line usage (clap's own code).
pub const USAGE: i32 = 2;
/// An input file is missing or malformed (the message names file and line).
pub const INPUT_ERROR: i32 = 3;
/// The run finished but is incomplete: some samples ended in a harness fault
/// (`toolchain_missing`, `sandbox_error`, `generation_error`), so scores are not trustworthy.
pub const HARNESS_FAULT: i32 = 4;
/// `passk selfcheck` found a broken language or benchmark: references fail or bad
/// solutions pass.
pub const SELFCHECK_FAILED: i32 = 5;
/// `passk setup` could not fetch, verify or build what passk needs.
pub const SETUP_FAILED: i32 = 6;
/// `passk gate`: a `--min` threshold failed.
pub const GATE_THRESHOLD: i32 = 10;
/// `passk gate`: pass@1 dropped against the baseline by more than `--max-drop`.
pub const GATE_REGRESSION: i32 = 11;
/// `passk gate`: the run is incomplete (harness faults or unscored samples); no verdict.
pub const GATE_INCOMPLETE: i32 = 12;
/// Interrupted (Ctrl-C); what finished is saved and a rerun resumes.
pub const INTERRUPTED: i32 = 130;

/// The table printed by `--help`.
pub const HELP: &str = "\
Exit codes:
  0    success: every sample was scored
  1    unexpected internal error
  2    bad command-line usage
  3    input file missing or malformed (the message names file and line)
  4    incomplete run: harness faults (toolchain_missing, sandbox_error, generation_error)
  5    selfcheck failed: references fail or known-bad solutions pass
  6    setup failed: could not fetch, verify or build guests
  10   gate: a --min threshold failed
  11   gate: regression against the baseline beyond --max-drop
  12   gate: incomplete run (harness faults), no verdict
  130  interrupted; rerun with the same --out to resume";
