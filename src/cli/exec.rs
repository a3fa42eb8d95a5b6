//! `passk exec`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::progress::Progress;
use super::{SandboxArgs, default_out};
use crate::exit_codes::ExitStatus;
use crate::rundir::summary::Summary;
use crate::runner::Cancel;
use crate::runner::exec::{ExecOptions, run_exec};

#[derive(Args)]
pub struct ExecArgs {
    /// The problems: a benchmark's file (HumanEval, MBPP, sanitized-MBPP, MultiPL-E,
    /// HumanEval-X, CRUXEval, EvalPlus's HumanEval+ / MBPP+, LiveCodeBench, APPS, TACO,
    /// CodeContests; .gz accepted), a folder of passk's TOML problems, or a folder of
    /// Exercism exercises (Aider's polyglot benchmark: samples answer with whole files),
    /// by path or by the name of a bundled suite (`core`, `io`).
    #[arg(long = "suite", visible_alias = "problems", value_parser = super::parse_suite)]
    pub problems: PathBuf,
    /// Samples: JSONL with `task_id` and `completion` or `solution` (.gz accepted).
    #[arg(long)]
    pub samples: PathBuf,
    /// Run directory; rerunning into it resumes [default: reports/exec-<time>]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print summary.json to stdout instead of the table (no progress bar).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub reuse: super::ReuseArgs,
    #[command(flatten)]
    pub references: super::ReferenceArgs,
    /// Run only shard INDEX/COUNT of the problems (0-based; e.g. from a Kubernetes Indexed
    /// Job's JOB_COMPLETION_INDEX); join the shards' directories with `passk merge`.
    #[arg(long, value_name = "INDEX/COUNT")]
    pub shard: Option<crate::rundir::shard::Shard>,
    #[command(flatten)]
    pub window: super::WindowArgs,
    /// CRUXEval files: what the samples answer (`output-prediction`: f's return value;
    /// `input-prediction`: a call f(...) that returns the output). A suite of typed
    /// problems with `output-prediction`: each sample is a literal of its language.
    #[arg(long, value_enum)]
    pub task: Option<crate::problem::cruxeval::Prediction>,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

pub fn run(args: ExecArgs) -> anyhow::Result<ExitStatus> {
    let sandbox = Arc::new(args.sandbox.sandbox()?);
    let opts = ExecOptions {
        problems: args.problems,
        samples: args.samples,
        out: args.out.unwrap_or_else(|| default_out("exec")),
        limits: args.sandbox.limits(),
        workers: args.sandbox.workers(),
        reuse: args.reuse.reuse(),
        shard: args.shard,
        window: args.window.window(),
        task: args.task,
        references: args.references.settings(),
    };
    let progress = Progress::new(args.json);
    let cancel = Cancel::default();
    let started = std::time::Instant::now();
    let result = run_exec(&opts, sandbox, &cancel, &progress);
    progress.finish();
    let outcome = result?;
    crate::report::write_all(&outcome.out)?;
    let secs = started.elapsed().as_secs_f64();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&outcome.summary)?);
    } else {
        print!("{}", render_table(&outcome.summary));
        eprintln!(
            "{} samples in {:.1} s ({:.0} samples/s) → {}",
            outcome.summary.samples_executed,
            secs,
            outcome.summary.samples_executed as f64 / secs.max(1e-9),
            outcome.out.display()
        );
    }
    Ok(exit_code(&outcome.summary, outcome.interrupted))
}

pub fn exit_code(summary: &Summary, interrupted: bool) -> ExitStatus {
    if interrupted {
        ExitStatus::Interrupted
    } else if !summary.complete {
        for r in &summary.refused {
            eprintln!(
                "REFUSED {}: {} of {} reference solutions fail here; no {} score (details in \
                 references.json; `--no-reference-check` skips the check)",
                r.language, r.failing, r.checked, r.language
            );
        }
        eprintln!(
            "INCOMPLETE: {} harness faults, {} of {} samples scored; scores are not trustworthy",
            summary.harness_faults, summary.samples_executed, summary.samples_expected
        );
        ExitStatus::HarnessFault
    } else {
        ExitStatus::Success
    }
}

/// A plain-text table of the summary: one row per language plus the total.
pub fn render_table(s: &Summary) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let ks: Vec<String> = s.overall.pass_at_k.keys().cloned().collect();
    let mut ks_sorted = ks.clone();
    ks_sorted.sort_by_key(|k| k.trim_start_matches("pass@").parse::<u32>().unwrap_or(0));
    let shown: Vec<&String> = ks_sorted
        .iter()
        .filter(|k| matches!(k.as_str(), "pass@1" | "pass@5" | "pass@10" | "pass@100"))
        .collect();
    let _ = write!(
        out,
        "{:<20} {:>8} {:>8}",
        if s.by_model.is_empty() {
            "language"
        } else {
            "model/language"
        },
        "problems",
        "samples"
    );
    for k in &shown {
        let _ = write!(out, " {:>9}", k);
    }
    let _ = writeln!(out, " {:>7}  outcomes", "syntax");
    let mut row = |name: &str, g: &crate::rundir::summary::Group| {
        let _ = write!(out, "{:<20} {:>8} {:>8}", name, g.problems, g.samples);
        for k in &shown {
            match g.pass_at_k.get(*k) {
                Some(v) => {
                    let _ = write!(out, " {:>8.1}%", v * 100.0);
                }
                None => {
                    let _ = write!(out, " {:>9}", "-");
                }
            }
        }
        let syntax = g
            .syntax_valid
            .map(|v| format!("{:.1}%", v * 100.0))
            .unwrap_or_else(|| "-".into());
        let mix: Vec<String> = g.outcomes.iter().map(|(o, n)| format!("{o}={n}")).collect();
        let _ = writeln!(out, " {syntax:>7}  {}", mix.join(" "));
    };
    if s.by_model.is_empty() {
        for (lang, g) in &s.by_language {
            row(lang, g);
        }
    } else {
        for (model_lang, g) in &s.by_model {
            row(model_lang, g);
        }
    }
    // The benchmark's own groupings (platforms, sources, difficulties).
    for (facet, g) in &s.by_facet {
        row(facet, g);
    }
    if s.by_language.len() > 1 || !s.by_model.is_empty() || !s.by_facet.is_empty() {
        row("all", &s.overall);
    }
    out.push_str(&crate::report::base_lines(s));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::summary::SummaryBuilder;
    use crate::outcome::Outcome;
    use crate::rundir::results::ResultRecord;

    #[test]
    fn table_has_one_row_per_model_and_language() {
        let mut b = SummaryBuilder::default();
        for (model, task, i, o) in [
            ("a", "T/0", 0, Outcome::Passed),
            ("a", "T/0", 1, Outcome::WrongAnswer),
            ("b", "T/0", 0, Outcome::Timeout),
            ("b", "T/0", 1, Outcome::Passed),
            ("a", "T/1", 0, Outcome::Passed),
            ("a", "T/1", 1, Outcome::Passed),
            ("b", "T/1", 0, Outcome::RuntimeError),
            ("b", "T/1", 1, Outcome::SyntaxError),
        ] {
            b.add(&ResultRecord::for_test(task, Some(model), i, o));
        }
        insta::assert_snapshot!(render_table(&b.finish(8)));
    }

    #[test]
    fn facets_get_rows_of_their_own() {
        let mut b = SummaryBuilder::default();
        for (task, facets, o) in [
            (
                "1",
                ["platform:leetcode", "difficulty:easy"],
                Outcome::Passed,
            ),
            (
                "2",
                ["platform:leetcode", "difficulty:hard"],
                Outcome::WrongAnswer,
            ),
            (
                "3",
                ["platform:atcoder", "difficulty:easy"],
                Outcome::Passed,
            ),
        ] {
            let mut r = ResultRecord::for_test(task, None, 0, o);
            r.facets = facets.iter().map(|f| f.to_string()).collect();
            b.add(&r);
        }
        let s = b.finish(3);
        assert_eq!(s.by_facet["difficulty:easy"].pass_at_k["pass@1"], 1.0);
        assert_eq!(s.by_facet["platform:leetcode"].pass_at_k["pass@1"], 0.5);
        insta::assert_snapshot!(render_table(&s));
    }
}
