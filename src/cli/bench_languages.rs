//! `passk bench --languages LIST`: what the process sandbox costs per sample, per language.
//! The same programs (each language's MultiPL-E selfcheck references) run through the
//! bubblewrap sandbox and through the same supervisor directly on the host
//! (`--unsafe-no-isolation`: no namespaces, a host temp dir), both with the warm compile
//! caches, alternating within one run so that the machine's drift hits both; the ratio of
//! the medians is the sandbox's overhead.

use std::time::{Duration, Instant};

use super::bench::BenchArgs;
use crate::exit_codes::ExitStatus;
use crate::lang::Language;
use crate::outcome::Outcome;
use crate::sandbox::process::{ProcessOptions, ProcessSandbox};
use crate::sandbox::{Limits, Program, Sandbox};

/// The target: the sandbox may cost at most this much over the host.
const TARGET: f64 = 1.3;

pub fn run(args: &BenchArgs) -> anyhow::Result<ExitStatus> {
    let dir = args
        .datasets
        .as_ref()
        .map(|d| d.join("multipl-e"))
        .ok_or_else(|| anyhow::anyhow!("--languages needs --datasets DIR (with multipl-e/)"))?;
    let opts = |unsafe_no_isolation| -> anyhow::Result<ProcessOptions> {
        Ok(ProcessOptions {
            supervisor: std::env::current_exe()?,
            unsafe_no_isolation,
            deterministic: false,
        })
    };
    let sandboxed = ProcessSandbox::new(opts(false)?)?;
    let host = ProcessSandbox::new(opts(true)?)?;
    let languages: Vec<Language> = if args.languages.iter().any(|l| l == "all") {
        Language::ALL.to_vec()
    } else {
        args.languages
            .iter()
            .map(|n| Language::parse(n).ok_or_else(|| anyhow::anyhow!("unknown language `{n}`")))
            .collect::<anyhow::Result<_>>()?
    };
    let limits = Limits {
        time: Duration::from_secs(30),
        ..args.sandbox.limits()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    println!(
        "{:<12} {:>9} {:>14} {:>11} {:>7}",
        "language", "programs", "sandbox ms", "host ms", "ratio"
    );
    let mut over = Vec::new();
    for language in languages {
        if let Some(why) = sandboxed.unavailable(language) {
            println!("{language:<12} skipped: {why}");
            continue;
        }
        let programs = match crate::selfcheck::languages::reference_programs(&dir, language) {
            Ok(p) => p,
            Err(e) => {
                println!("{language:<12} skipped: {e}");
                continue;
            }
        };
        let measured = rt.block_on(measure(&sandboxed, &host, &programs, &limits, args.reps));
        match measured {
            Ok((s, h)) => {
                let ratio = s / h;
                println!(
                    "{language:<12} {:>9} {s:>14.0} {h:>11.0} {ratio:>6.2}×",
                    programs.len()
                );
                if ratio > TARGET {
                    over.push(language);
                }
            }
            Err(e) => println!("{language:<12} failed: {e}"),
        }
    }
    println!(
        "ms: median wall time per sample (compile + run) over {} repetitions; target ≤ {TARGET}×{}",
        args.reps,
        if over.is_empty() {
            String::new()
        } else {
            format!(
                "; over it: {}",
                over.iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    Ok(ExitStatus::Success)
}

/// Median per-sample wall time of `programs` in each sandbox, one at a time, the two
/// sandboxes alternating program by program. A warm-up round (toolchain checks, warm
/// caches) is not timed; every timed run must pass, or the comparison means nothing.
async fn measure(
    sandboxed: &ProcessSandbox,
    host: &ProcessSandbox,
    programs: &[Program],
    limits: &Limits,
    reps: usize,
) -> Result<(f64, f64), String> {
    for sb in [sandboxed, host] {
        sb.run(&programs[0], limits).await;
    }
    let (mut s, mut h) = (Vec::new(), Vec::new());
    for rep in 0..reps.max(1) {
        for p in programs {
            let order: [(&ProcessSandbox, &mut Vec<f64>); 2] = if rep % 2 == 0 {
                [(sandboxed, &mut s), (host, &mut h)]
            } else {
                [(host, &mut h), (sandboxed, &mut s)]
            };
            for (sb, times) in order {
                let t = Instant::now();
                let e = sb.run(p, limits).await;
                if e.outcome != Outcome::Passed {
                    return Err(format!("a reference ended in {}: {}", e.outcome, e.detail));
                }
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
    }
    Ok((median(&mut s), median(&mut h)))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
