//! Shared helpers of the integration tests: the `passk` command builder and the real WASM
//! sandbox, with guests from the passk cache (`make test` runs `passk setup` first; a
//! missing guest fails loudly).

#![allow(dead_code)]

pub mod server;
pub mod tricks;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use passk::lang::Language;
use passk::sandbox::wasm::{WasmOptions, WasmSandbox};
use passk::sandbox::{Execution, Limits, Program, Sandbox};
use passk::setup::Paths;

/// The `passk` binary under test, with progress bars and colours off (`CI=true`), as every
/// group runs it.
pub fn passk() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_passk"));
    c.env("CI", "true");
    c
}

/// One embedded model at a time, across every group: llama.cpp's threads spin while they
/// wait for work, so runs side by side on a small machine slow each other down manyfold.
pub fn one_model_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn sandbox(deterministic: bool) -> Arc<WasmSandbox> {
    static PLAIN: OnceLock<Arc<WasmSandbox>> = OnceLock::new();
    static FUEL: OnceLock<Arc<WasmSandbox>> = OnceLock::new();
    let cell = if deterministic { &FUEL } else { &PLAIN };
    cell.get_or_init(|| {
        let s = WasmSandbox::new(
            Paths::from_env(),
            WasmOptions {
                deterministic,
                python_fallback: false,
                slots: 8,
            },
        )
        .expect("engine");
        for l in [
            Language::Python,
            Language::JavaScript,
            Language::C,
            Language::Cpp,
        ] {
            if let Some(why) = s.unavailable(l) {
                panic!("{l} unavailable — run `make setup` first: {why}");
            }
        }
        Arc::new(s)
    })
    .clone()
}

pub fn fallback_sandbox() -> Arc<WasmSandbox> {
    static S: OnceLock<Arc<WasmSandbox>> = OnceLock::new();
    S.get_or_init(|| {
        Arc::new(
            WasmSandbox::new(
                Paths::from_env(),
                WasmOptions {
                    deterministic: false,
                    python_fallback: true,
                    slots: 4,
                },
            )
            .expect("engine"),
        )
    })
    .clone()
}

pub fn limits(secs: f64) -> Limits {
    Limits {
        time: Duration::from_secs_f64(secs),
        memory_bytes: 256 << 20,
        output_bytes: 64 << 10,
        ..Limits::default()
    }
}

pub fn run_in(sb: &WasmSandbox, language: Language, source: &str, limits: &Limits) -> Execution {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let program = Program::plain(language, source);
    rt.block_on(sb.run(&program, limits))
}

pub fn run(language: Language, source: &str) -> Execution {
    run_in(&sandbox(false), language, source, &limits(2.0))
}

/// The JSON values of a JSONL file (none when it does not exist).
pub fn jsonl(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

/// A run directory's `summary.json`.
pub fn summary(out: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

/// Runs `cmd`, which must exit 0 (its output is the failure message), and returns the
/// summary it wrote to `out`.
pub fn summary_of(cmd: &mut std::process::Command, out: &std::path::Path) -> serde_json::Value {
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", output_text(&o));
    summary(out)
}

/// The overall pass@1 of a summary.
pub fn pass1(s: &serde_json::Value) -> f64 {
    s["overall"]["pass_at_k"]["pass@1"].as_f64().unwrap()
}

/// The lines of a benchmark file from ../shared/datasets (gzip-compressed or not), read as
/// passk reads it.
pub fn dataset_lines(path: impl AsRef<std::path::Path>) -> Vec<String> {
    use std::io::BufRead;
    let path = path.as_ref();
    passk::problem::jsonl::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| l.unwrap())
        .collect()
}

/// A finished command's stdout and stderr, for assertion messages.
pub fn output_text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The real process sandbox (bubblewrap), with passk itself as the supervisor.
pub fn process_sandbox() -> Arc<passk::sandbox::process::ProcessSandbox> {
    use passk::sandbox::process::{ProcessOptions, ProcessSandbox};
    Arc::new(
        ProcessSandbox::new(ProcessOptions {
            supervisor: std::path::PathBuf::from(env!("CARGO_BIN_EXE_passk")),
            unsafe_no_isolation: false,
            deterministic: false,
        })
        .expect("bubblewrap works here (make test installs it)"),
    )
}

/// One sample's verdict as `results.jsonl` has it: (task id, outcome, detail).
pub type Verdict = (String, String, String);

/// `passk exec --problems PROBLEMS` of `samples` (task id, whole solution) into `out`, with
/// `extra` arguments; it must exit 0 or 1 (scored, whatever the scores). The verdicts come
/// back in the samples' order (exec writes them as they finish); the run's stderr with
/// them, for assertion messages.
pub fn exec_solutions(
    problems: &std::path::Path,
    samples: &[(&str, &str)],
    out: &std::path::Path,
    extra: &[&str],
) -> (Vec<Verdict>, String) {
    exec_samples(problems, "solution", samples, out, extra)
}

/// [`exec_solutions`] with the code under `key` (`completion`: completed after the prompt).
pub fn exec_samples(
    problems: &std::path::Path,
    key: &str,
    samples: &[(&str, &str)],
    out: &std::path::Path,
    extra: &[&str],
) -> (Vec<Verdict>, String) {
    std::fs::create_dir_all(out).unwrap();
    let path = out.join("samples.jsonl");
    let lines: Vec<String> = samples
        .iter()
        .map(|(t, c)| serde_json::json!({"task_id": t, key: c}).to_string())
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let run = out.join("run");
    let o = passk()
        .args(["exec", "--problems"])
        .arg(problems)
        .arg("--samples")
        .arg(&path)
        .arg("--out")
        .arg(&run)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        output_text(&o)
    );
    // A task's samples are numbered in file order: (first position of the task, index).
    let order: Vec<&str> = samples.iter().map(|(t, _)| *t).collect();
    let mut records = jsonl(&run.join("results.jsonl"));
    records.sort_by_key(|r| {
        let task = r["task_id"].as_str().unwrap_or_default();
        (
            order.iter().position(|o| *o == task),
            r["sample_index"].as_u64(),
        )
    });
    let verdicts = records
        .iter()
        .map(|r| {
            (
                r["task_id"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
                r["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (verdicts, String::from_utf8_lossy(&o.stderr).into_owned())
}
