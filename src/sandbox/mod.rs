//! Sandboxes run one untrusted program and turn how it ended into an [`Outcome`].
//!
//! The [`Sandbox`] trait is the seam between the runner and the isolation technology; the
//! WASM implementation (wasmtime/WASI) lives in [`wasm`].

pub mod pipe;
pub mod process;
pub mod router;
pub mod seal;
pub mod wasm;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::lang::Language;
use crate::outcome::Outcome;

/// Resource limits for one run. Defaults are the sandboxes' documented limits (README).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Wall-clock budget for the run (ignored in deterministic mode, where `fuel` rules and
    /// wall time is only a generous backstop).
    #[serde(with = "duration_ms")]
    pub time: Duration,
    /// Compile-step budget for compiled languages.
    #[serde(with = "duration_ms")]
    pub compile_time: Duration,
    /// Linear-memory cap in bytes.
    pub memory_bytes: u64,
    /// Cap on each of stdout and stderr; a program that writes more ends in `output_limit`.
    pub output_bytes: usize,
    /// Deterministic mode: the fuel budget that replaces wall time.
    pub fuel: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(10),
            compile_time: Duration::from_secs(30),
            memory_bytes: 512 << 20,
            output_bytes: 1 << 20,
            fuel: None,
        }
    }
}

impl Limits {
    /// These limits, widened for a problem known to be slow or large: time, fuel in the
    /// same proportion and the compile step's time (a project's build), and memory; never
    /// below the limits given.
    pub fn for_problem(&self, time_limit: Option<Duration>, memory: Option<u64>) -> Limits {
        let mut l = self.clone();
        if let Some(t) = time_limit
            && t > l.time
        {
            let ratio = t.as_secs_f64() / l.time.as_secs_f64();
            l.time = t;
            l.compile_time = l.compile_time.max(t);
            l.fuel = l.fuel.map(|f| (f as f64 * ratio) as u64);
        }
        if let Some(m) = memory {
            l.memory_bytes = l.memory_bytes.max(m);
        }
        l
    }
}

/// One program to run: complete source (solution and tests already assembled).
#[derive(Debug, Clone)]
pub struct Program {
    pub language: Language,
    pub source: String,
    /// Where the benchmark's tests start and which function they call, when known: the
    /// Python guest then checks that results are plain values, not objects of classes the
    /// program defined (an always-equal `__eq__` would pass any `==` assertion).
    pub guard: Option<Guard>,
    /// The benchmark's convention that any output on stderr fails the run (HumanEval-X's
    /// JavaScript tests use `console.assert`, which only prints).
    pub fail_on_stderr: bool,
    /// A benchmark's variant of the language's process definition (`humaneval-x`: Rust
    /// tests are `#[test]` functions, compiled with `rustc --test`).
    pub variant: Option<&'static str>,
    /// The host judges the results after the run (passk's own problems): a pass then needs
    /// no completion marker from the program's own tests.
    pub judged_on_host: bool,
    /// A full program's standard input, one per test: the program runs once per input
    /// (compiled once) and stops at the first run that fails; each run's stdout is kept in
    /// [`Execution::outputs`] for the host to judge (passk's I/O problems).
    pub inputs: Option<std::sync::Arc<Vec<String>>>,
    /// Byte offset in `source` where the benchmark's (trusted) tests begin; before it is
    /// the solution. The sandboxes seal the tests from there ([`seal`]); without it the
    /// whole program is treated as tests.
    pub tests_at: Option<usize>,
    /// A multi-file project (an exercise with its own test runner): `source` is then the
    /// trusted driver that runs the tests and prints the marker itself, written as the
    /// language variant's `file`; these files go beside it. Never sealed; process sandbox
    /// only.
    pub project: Option<std::sync::Arc<Project>>,
}

/// The files of a multi-file program besides its driver.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// (relative path, content): the exercise's own files, then the solution's.
    pub files: Vec<(String, String)>,
    /// The paths among `files` that came from the solution (what syntax checks read).
    pub solution: Vec<String>,
}

impl Project {
    /// The solution's files joined, for checks that read one text.
    pub fn solution_text(&self) -> String {
        self.files
            .iter()
            .filter(|(p, _)| self.solution.contains(p))
            .map(|(_, c)| c.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Program {
    /// The text that is the solution's code: the source, or a project's solution files.
    pub fn solution_text(&self) -> std::borrow::Cow<'_, str> {
        match &self.project {
            Some(p) => p.solution_text().into(),
            None => self.source.as_str().into(),
        }
    }

    /// True when a pass needs the completion marker: the program's own tests decide (no
    /// host-side judge of printed results, not a full program judged by its output).
    pub fn needs_marker(&self) -> bool {
        !self.judged_on_host && self.inputs.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Guard {
    /// Byte offset in `source` where the tests begin.
    pub tests_at: usize,
    pub entry_point: String,
}

impl Program {
    /// A program with no known test boundary.
    pub fn plain(language: Language, source: impl Into<String>) -> Program {
        Program {
            language,
            source: source.into(),
            guard: None,
            fail_on_stderr: false,
            variant: None,
            judged_on_host: false,
            inputs: None,
            tests_at: None,
            project: None,
        }
    }
}

/// Everything a sandbox observed about one run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Execution {
    pub outcome: Outcome,
    /// Short human-readable reason (exception, trap, exit code, harness problem).
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The wasm trap kind, when the guest trapped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trap: Option<String>,
    pub duration_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    pub stdout: String,
    pub stderr: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stdout_truncated: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stderr_truncated: bool,
    /// A program run once per input: the stdout of each run that exited normally, in
    /// order (judged on the host, then dropped).
    #[serde(skip)]
    pub outputs: Vec<String>,
    /// How long each of those runs took, in milliseconds (a benchmark's per-test limit is
    /// judged on the host from these).
    #[serde(skip)]
    pub output_ms: Vec<f64>,
    /// A benchmark's base score for the same answer (EvalPlus's `base`: base inputs only),
    /// where it has one; the outcome above is the full (`plus`) verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Outcome>,
}

impl Execution {
    /// A run that never reached the program: a harness fault or a pre-execution verdict.
    pub fn verdict(outcome: Outcome, detail: impl Into<String>) -> Self {
        Execution {
            outcome,
            detail: detail.into(),
            exit_code: None,
            trap: None,
            duration_ms: 0.0,
            fuel: None,
            stdout: String::new(),
            stderr: String::new(),
            stdout_truncated: false,
            stderr_truncated: false,
            outputs: Vec::new(),
            output_ms: Vec::new(),
            base: None,
        }
    }
}

/// Folds the runs of a program run once per input into one execution: the first run that
/// does not pass ends it, with `test i:` before its detail; the outputs of the runs before
/// it are kept for the host's judge. Durations add up.
#[derive(Debug, Default)]
pub struct EachInput {
    outputs: Vec<String>,
    output_ms: Vec<f64>,
    total_ms: f64,
    last: Option<Execution>,
}

impl EachInput {
    /// Starts with time already spent (a compile step).
    pub fn after(ms: f64) -> EachInput {
        EachInput {
            total_ms: ms,
            ..Default::default()
        }
    }

    /// Adds run `i`; the final execution when this run failed (and ends the sequence).
    pub fn push(&mut self, i: usize, mut e: Execution) -> Option<Execution> {
        let ms = e.duration_ms;
        self.total_ms += ms;
        e.duration_ms = self.total_ms;
        if e.outcome != Outcome::Passed {
            e.detail = format!("test {i}: {}", e.detail);
            e.outputs = std::mem::take(&mut self.outputs);
            e.output_ms = std::mem::take(&mut self.output_ms);
            return Some(e);
        }
        self.outputs.push(e.stdout.clone());
        self.output_ms.push(ms);
        self.last = Some(e);
        None
    }

    /// The execution after every run passed.
    pub fn finish(self) -> Execution {
        let mut e = self
            .last
            .unwrap_or_else(|| Execution::verdict(Outcome::Passed, ""));
        e.duration_ms = self.total_ms;
        e.outputs = self.outputs;
        e.output_ms = self.output_ms;
        e
    }
}

impl Execution {
    /// Applies a benchmark's convention that output on stderr fails a run that otherwise
    /// passed.
    pub fn fail_on_stderr(&mut self, applies: bool) {
        if applies && self.outcome == Outcome::Passed && !self.stderr.trim().is_empty() {
            self.outcome = Outcome::WrongAnswer;
            let first = self
                .stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            self.detail = format!(
                "wrote to stderr: {}",
                first.chars().take(200).collect::<String>()
            );
        }
    }
}

/// Which isolation technology ran a program, and its version, recorded with every result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxId {
    pub kind: String,
    pub version: String,
}

/// Runs untrusted programs. Implementations never panic on hostile input: every failure
/// becomes an [`Execution`] (a harness fault when it is passk's, not the program's).
pub trait Sandbox: Send + Sync {
    /// True when this sandbox can run `language` here (guest or toolchain present).
    fn supports(&self, language: Language) -> bool;
    fn id(&self, language: Language) -> SandboxId;
    /// What runs `program`: [`Sandbox::id`] of its language unless a sandbox routes single
    /// programs elsewhere (the router sends C++ that needs Boost to the process sandbox).
    fn id_for(&self, program: &Program) -> SandboxId {
        self.id(program.language)
    }
    /// True when a program's verdict cannot depend on the machine (fuel, not wall time,
    /// bounds it: `--deterministic`); recorded in the manifest.
    fn deterministic(&self) -> bool {
        false
    }
    fn run(
        &self,
        program: &Program,
        limits: &Limits,
    ) -> impl std::future::Future<Output = Execution> + Send;
}

mod duration_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// Lossy UTF-8: program output may be anything, results must stay valid JSON.
pub fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The detail of a clean exit that never printed the completion marker.
pub const EXITED_EARLY: &str = "exited before the tests finished";

/// A per-run random marker the harness prints once the tests completed.
pub struct Nonce(pub String);

impl Default for Nonce {
    fn default() -> Self {
        Nonce::new()
    }
}

impl Nonce {
    pub fn new() -> Nonce {
        use std::hash::{BuildHasher, Hasher};
        // RandomState keys come from the OS and differ per instance: two of them give 128
        // bits no program can guess in advance.
        let bits = || {
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        };
        Nonce(format!("passk-done-{:016x}{:016x}", bits(), bits()))
    }

    /// Removes the marker line (the last one, wherever output the program's exit hooks
    /// wrote after it); true when it was there.
    pub fn strip_from(&self, stdout: &mut String) -> bool {
        if self.0.is_empty() {
            return false;
        }
        let marker = format!("\n{}\n", self.0);
        match stdout.rfind(&marker) {
            Some(at) => {
                stdout.replace_range(at..at + marker.len(), if at == 0 { "" } else { "\n" });
                if stdout.ends_with("\n\n") || stdout == "\n" {
                    stdout.pop();
                }
                true
            }
            None => false,
        }
    }
}
