//! passk: measures how well language models write code. Samples run in isolated sandboxes
//! (wasmtime/WASI) against unit tests; passk reports pass@k and gates CI on the result.
//!
//! The pipeline: problems → samples → [`sandbox`] → [`outcome::Outcome`] →
//! `results.jsonl` → [`grade`] → reports.

pub mod cli;
pub mod errors;
pub mod exit_codes;
pub mod gate;
pub mod generate;
pub mod grade;
pub mod lang;
#[cfg(test)]
mod module_graph;
pub mod outcome;
pub mod problem;
pub mod report;
pub mod rundir;
pub mod runner;
pub mod sandbox;
pub mod selfcheck;
pub mod setup;
