//! The command line: argument parsing and dispatch. Each subcommand lives in its own file;
//! library errors become messages with hints and documented exit codes here.

mod bench;
mod bench_generation;
mod bench_languages;
mod compare;
mod doctor;
mod exec;
mod gate;
mod merge;
mod problems;
mod progress;
mod report;
mod routing;
mod run;
mod selfcheck;
mod serve;
mod setup;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::errors::Classify;
use crate::exit_codes::ExitStatus;
use crate::sandbox::Limits;
use crate::sandbox::process::ProcessOptions;
use crate::sandbox::router::{Router, SandboxChoice};
use crate::sandbox::wasm::{WasmOptions, WasmSandbox};
use crate::setup::Paths;

#[derive(Parser)]
#[command(
    name = "passk",
    version,
    about = "Measure how well language models write code: sandboxed execution, pass@k, CI gates",
    long_about = "passk runs model-written solutions against their unit tests in isolated \
                  sandboxes — WebAssembly (wasmtime/WASI) for Python, JavaScript, C and C++, \
                  bubblewrap for every other language — and reports pass@k and syntax \
                  validity.\n\n\
                  First run `passk setup` (fetches and verifies the WASI guests and the \
                  embedded models; add `--langs rust,go,…` for other languages' \
                  toolchains), `passk doctor` to see what runs here, then `passk selfcheck` \
                  to prove the sandbox scores references as passing and known-bad \
                  solutions as failing. Then `passk run --models A,B` to have models \
                  generate and be scored (llama.cpp GGUF files or OpenAI-compatible \
                  servers), or `passk exec` on samples you already have; `passk compare` \
                  and `passk gate` on the run directories.",
    after_help = ExitStatus::help()
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate with one or more models (llama.cpp GGUF, OpenAI-compatible servers, or a
    /// replayed samples file) and score the samples as they arrive; or score semantic
    /// routing with `--suite problems/routing`.
    Run(Box<run::RunArgs>),
    /// Serve a model (embedded or GGUF) behind an OpenAI-compatible HTTP API.
    Serve(serve::ServeArgs),
    /// Score a samples file (human-eval / EvalPlus JSONL) against a problems file
    /// (HumanEval, MBPP, MultiPL-E or HumanEval-X).
    Exec(exec::ExecArgs),
    /// Check that references pass and known-bad solutions fail: HumanEval, MBPP, and
    /// MultiPL-E in every language that runs here.
    Selfcheck(selfcheck::SelfcheckArgs),
    /// Fetch (pip download, sha256-checked) and build the WASI guests passk needs, the crates
    /// HumanEval-X's Rust programs use and the locked npm packages (js-md5, and Jest + Babel
    /// for the polyglot JavaScript exercises: `npm ci`, no install scripts); `--langs` also installs other languages' toolchains.
    Setup(setup::SetupArgs),
    /// Browse passk's own problem suites: `list` with filters, `show` one rendered.
    Problems(problems::ProblemsArgs),
    /// Show which languages, guests and toolchains are available here.
    Doctor(doctor::DoctorArgs),
    /// Join the directories of a sharded run (--shard i/N) into one run directory.
    Merge(merge::MergeArgs),
    /// (Re)write report.md and junit.xml of a run directory.
    Report(report::ReportArgs),
    /// Compare two runs (or two models in one run): Δpass@1 with CI, McNemar, flips.
    Compare(compare::CompareArgs),
    /// Pass or fail a run for CI: thresholds and regression against a baseline.
    Gate(gate::GateArgs),
    /// Throughput vs openai/human-eval on HumanEval canonical solutions, and memory.
    Bench(bench::BenchArgs),
}

/// Sandbox options shared by every command that executes code.
#[derive(Args, Clone, Debug)]
pub struct SandboxArgs {
    /// Concurrent sandboxes [default: number of CPUs]
    #[arg(long, short = 'j')]
    pub workers: Option<usize>,
    /// Wall-clock limit per program, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Memory cap per program, in MiB.
    #[arg(long, default_value_t = 512)]
    pub memory_mb: u64,
    /// Cap on stdout and on stderr per program, in KiB; more ends in `output_limit`.
    #[arg(long, default_value_t = 1024)]
    pub output_kb: usize,
    /// Verdicts independent of machine speed: a fuel budget replaces wall time (wall time
    /// then only backstops programs that block, at 3× --timeout).
    #[arg(long)]
    pub deterministic: bool,
    /// Fuel budget per program in deterministic mode [default: 4e10, about 5–10 s of compute
    /// in every guest]
    #[arg(long, requires = "deterministic")]
    pub fuel: Option<u64>,
    /// Run all Python in the plain python.wasm interpreter instead of the pre-initialized
    /// guest (slower; the fast guest already hands programs that import stdlib modules it
    /// lacks to python.wasm by itself).
    #[arg(long)]
    pub python_fallback: bool,
    /// Which isolation runs each language: `auto` uses WASM where a guest exists (Python,
    /// JavaScript, C, C++) and the bubblewrap process sandbox for every other language.
    #[arg(long, value_enum, default_value_t = SandboxChoice::Auto)]
    pub sandbox: SandboxChoice,
    /// Run process-sandbox languages even where bubblewrap cannot create namespaces: no
    /// isolation beyond rlimits. Only for code you trust.
    #[arg(long)]
    pub unsafe_no_isolation: bool,
}

/// Fuel budget per program in deterministic mode (about 5 s of compute here), calibrated on
/// HumanEval and MBPP references: the costliest HumanEval reference (75) uses 3.8e9, a
/// tenth of it; MBPP 123 (8.5e10) gets its 60 s limit's 6× share, 2.8× what it needs.
pub const DEFAULT_FUEL: u64 = 40_000_000_000;

impl SandboxArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            time: Duration::from_secs_f64(self.timeout.max(0.001)),
            memory_bytes: self.memory_mb << 20,
            output_bytes: self.output_kb << 10,
            fuel: self
                .deterministic
                .then(|| self.fuel.unwrap_or(DEFAULT_FUEL)),
            ..Limits::default()
        }
    }

    pub fn workers(&self) -> usize {
        self.workers.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
    }

    pub fn sandbox(&self) -> anyhow::Result<Router> {
        let wasm = WasmSandbox::new(
            Paths::from_env(),
            WasmOptions {
                deterministic: self.deterministic,
                python_fallback: self.python_fallback,
                slots: self.workers() as u32 + 1,
            },
        )?;
        Ok(Router::new(self.sandbox, wasm, self.process_options()?))
    }

    pub fn process_options(&self) -> anyhow::Result<ProcessOptions> {
        Ok(ProcessOptions {
            supervisor: std::env::current_exe()?,
            unsafe_no_isolation: self.unsafe_no_isolation,
            deterministic: self.deterministic,
        })
    }
}

/// Where generated runs go by default: `reports/<run-id>/`.
pub fn default_out(prefix: &str) -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    PathBuf::from("reports").join(format!("{prefix}-{secs}"))
}

/// clap value parser for a language name or alias (`py`, `c++`, `rs`, …).
pub fn parse_language(s: &str) -> Result<crate::lang::Language, String> {
    crate::lang::Language::parse(s).ok_or_else(|| format!("unknown language `{s}`"))
}

/// Where passk's bundled suites live, relative to the working directory (a checkout).
pub const SUITES_ROOT: &str = "problems";

/// Resolves a `--suite` argument the same way in every command: an existing path (a folder
/// of TOML problems, a routing suite, or a benchmark's problems file), else the name of a
/// suite under `root` (`core`, `io`, `routing`). A bare word that names neither is refused
/// with the suites there; anything path-like is left for loading to report.
pub fn resolve_suite(arg: &str, root: &std::path::Path) -> Result<PathBuf, String> {
    let path = PathBuf::from(arg);
    if path.exists() {
        return Ok(path);
    }
    let named = root.join(arg);
    let bare = !arg.contains(['/', '.']);
    if bare && named.exists() {
        return Ok(named);
    }
    if !bare {
        // A path that is not there: loading it names the file (an input error, exit 3).
        return Ok(path);
    }
    let mut known: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    known.sort();
    Err(if known.is_empty() {
        format!(
            "`{arg}` is not a path, and there is no {} folder here to name suites from",
            root.display()
        )
    } else {
        format!(
            "`{arg}` is neither a path nor a bundled suite (under {}: {})",
            root.display(),
            known.join(", ")
        )
    })
}

/// clap value parser for `--suite`: [`resolve_suite`] under [`SUITES_ROOT`].
pub fn parse_suite(s: &str) -> Result<PathBuf, String> {
    resolve_suite(s, std::path::Path::new(SUITES_ROOT))
}

/// The publication window, shared by `exec` and `run`.
#[derive(Args)]
pub struct WindowArgs {
    /// Only problems published on or after DATE (YYYY-MM-DD; LiveCodeBench's
    /// `contest_date`): score a model on problems newer than its training data.
    #[arg(long, value_name = "DATE", value_parser = crate::problem::window::parse_date)]
    pub since: Option<chrono::NaiveDate>,
    /// Only problems published on or before DATE (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "DATE", value_parser = crate::problem::window::parse_date)]
    pub until: Option<chrono::NaiveDate>,
}

impl WindowArgs {
    pub fn window(&self) -> Option<crate::problem::window::Window> {
        crate::problem::window::Window::new(self.since, self.until)
    }
}

/// Reuse of verdicts, shared by `exec` and `run`.
#[derive(Args)]
pub struct ReuseArgs {
    /// Execute every sample: no reuse of verdicts, neither from identical copies within the
    /// run nor from the execution cache (reused verdicts are marked `reused` in results).
    #[arg(long)]
    pub no_dedup: bool,
    /// Do not consult or fill the execution cache shared across runs (identical copies
    /// within the run still execute once).
    #[arg(long)]
    pub no_cache: bool,
    /// Where the execution cache lives [default: <passk cache>/results]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// The reference check every scored run begins with.
#[derive(clap::Args, Debug, Clone)]
pub struct ReferenceArgs {
    /// Score without first running the problems' reference solutions. By default passk runs
    /// them (cached like any verdict), excludes every problem whose reference fails here and
    /// refuses (exit 4) a language where more than 5 % fail. Skip it only for suites without
    /// references, or when you know better.
    #[arg(long)]
    pub no_reference_check: bool,
    /// A known-defects list of your own (TOML, like passk's sandboxes/known-defects.toml):
    /// problems whose reference is broken in the benchmark itself, excluded without making
    /// the run incomplete. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub known_defects: Vec<PathBuf>,
}

impl ReferenceArgs {
    pub fn settings(&self) -> crate::runner::references::ReferenceSettings {
        crate::runner::references::ReferenceSettings {
            enabled: !self.no_reference_check,
            known_defects: self.known_defects.clone(),
        }
    }
}

impl ReuseArgs {
    pub fn reuse(&self) -> crate::runner::Reuse {
        crate::runner::Reuse {
            in_run: !self.no_dedup,
            disk: (!self.no_dedup && !self.no_cache).then(|| {
                self.cache_dir
                    .clone()
                    .unwrap_or_else(|| Paths::from_env().results_cache())
            }),
        }
    }
}

/// True when progress bars and colours should stay off.
pub fn quiet_env() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// passk's typed errors, found anywhere in an error's chain: each says its exit status and
/// hint by an exhaustive match over its variants. An error of no listed type (an I/O or
/// JSON error the CLI itself met) is an internal failure.
fn classified<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a dyn Classify> {
    use crate::errors::{InputError, RunError};
    if let Some(e) = e.downcast_ref::<RunError>() {
        return Some(e);
    }
    if let Some(e) = e.downcast_ref::<InputError>() {
        return Some(e);
    }
    if let Some(e) = e.downcast_ref::<crate::generate::models::ModelError>() {
        return Some(e);
    }
    if let Some(e) = e.downcast_ref::<crate::setup::SetupError>() {
        return Some(e);
    }
    None
}

/// Prints an error with its chain and a hint, and returns its exit status.
pub fn report_error(err: &anyhow::Error) -> ExitStatus {
    eprintln!("error: {err}");
    let mut source = err.source();
    while let Some(s) = source {
        eprintln!("  caused by: {s}");
        source = s.source();
    }
    match err.chain().find_map(classified) {
        Some(c) => {
            if let Some(hint) = c.hint() {
                eprintln!("hint: {hint}");
            }
            c.status()
        }
        None => ExitStatus::Failure,
    }
}

pub fn main() -> i32 {
    // The process sandbox's supervisor is passk itself, started inside bubblewrap; it skips
    // argument parsing to start fast.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "__supervise")
    {
        return crate::sandbox::process::supervise::main();
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitStatus::Usage.code()
            } else {
                ExitStatus::Success.code()
            };
        }
    };
    let result = match cli.command {
        Command::Run(a) => run::run_cmd(*a),
        Command::Serve(a) => serve::run(a),
        Command::Exec(a) => exec::run(a),
        Command::Selfcheck(a) => selfcheck::run(a),
        Command::Setup(a) => setup::run(a),
        Command::Doctor(a) => doctor::run(a),
        Command::Problems(a) => problems::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Report(a) => report::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Gate(a) => gate::run(a),
    };
    match result {
        Ok(status) => status,
        Err(e) => report_error(&e),
    }
    .code()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn help_ends_with_the_exit_status_table() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains(&ExitStatus::help()), "{help}");
    }

    #[test]
    fn a_suite_is_a_path_or_a_bundled_suites_name_everywhere() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("core")).unwrap();
        std::fs::create_dir(root.path().join("io")).unwrap();
        let file = root.path().join("HumanEval.jsonl");
        std::fs::write(&file, "").unwrap();
        let resolve = |a: &str| resolve_suite(a, root.path());
        assert_eq!(resolve("core").unwrap(), root.path().join("core"));
        assert_eq!(resolve(file.to_str().unwrap()).unwrap(), file);
        // A missing file is left for loading to name (an input error, exit 3).
        assert_eq!(
            resolve("gone/x.jsonl").unwrap(),
            PathBuf::from("gone/x.jsonl")
        );
        let err = resolve("cor").unwrap_err();
        assert!(err.contains("core, io"), "{err}");
    }
}
