//! passk's integration tests, one binary (built and linked once) over one shared helper
//! module (`common`: the real sandboxes, the `passk` command builder). Each group is a
//! module, selectable by name: `cargo test --release --test integration hostile::`, and the
//! slow groups — `generate_llama::` and `openai_backend::` (generation), `report_html::`
//! (the browser), `hostile::` and `hostile_process::` — likewise.

mod common;

mod chat_answers;
mod contests;
mod cruxeval;
mod deterministic;
mod differential;
mod evalplus;
mod exec_cli;
mod gate_cli;
mod generate_llama;
mod hostile;
mod hostile_process;
mod humaneval_x;
mod io_programs;
mod livecodebench;
mod openai_backend;
mod polyglot;
mod predict;
mod reasoning;
mod reference_check;
mod repair;
mod report_html;
mod sandbox_paths;
mod tricks;
