//! `passk selfcheck`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::SandboxArgs;
use super::progress::Progress;
use crate::exit_codes::ExitStatus;
use crate::problem::ProblemSet;
use crate::problem::cruxeval::Prediction;
use crate::problem::defects::KnownDefects;
use crate::runner::{Cancel, Event, Reporter};
use crate::selfcheck::{SetReport, SetToCheck, check_set};

#[derive(Args)]
pub struct SelfcheckArgs {
    /// A datasets folder holding humaneval/HumanEval.jsonl.gz, mbpp/mbpp.jsonl.gz,
    /// mbpp/sanitized-mbpp.json.gz, cruxeval/cruxeval.jsonl (or cruxeval-first100.jsonl;
    /// checked as output and input prediction), evalplus/HumanEvalPlus.jsonl.gz,
    /// evalplus/MbppPlus.jsonl.gz, livecodebench/test*.jsonl, apps/test.jsonl,
    /// taco/test.jsonl and code_contests/{test,valid}.jsonl — any that exist are
    /// checked.
    #[arg(long)]
    pub datasets: Option<PathBuf>,
    /// A known-defects list of your own (TOML, like passk's sandboxes/known-defects.toml),
    /// added to passk's: a wrong verdict it lists (a broken reference, an exercise whose
    /// stub already passes) is reported as known instead of failing the selfcheck.
    /// Repeatable.
    #[arg(long, value_name = "FILE")]
    pub known_defects: Vec<PathBuf>,
    /// A HumanEval problems file to check.
    #[arg(long)]
    pub humaneval: Vec<PathBuf>,
    /// A full MBPP JSONL file to check.
    #[arg(long)]
    pub mbpp: Vec<PathBuf>,
    /// A sanitized MBPP JSON file to check.
    #[arg(long)]
    pub mbpp_sanitized: Vec<PathBuf>,
    /// A folder of passk's own problems (e.g. problems/core, problems/io; repeatable):
    /// references pass and stubs (for I/O problems, a program that prints nothing) fail
    /// in every language passk renders; its typed functions are also checked as output
    /// prediction (each language's literal of the truth reads back right, wrong ones not).
    #[arg(long, value_parser = super::parse_suite)]
    pub suite: Vec<PathBuf>,
    /// An EvalPlus release file to check (HumanEvalPlus.jsonl.gz, HumanEvalPlus-Mini,
    /// MbppPlus.jsonl.gz): the ground truth is computed from each canonical solution here,
    /// then the canonical solution must pass and the known-bad bodies fail.
    #[arg(long, value_name = "FILE")]
    pub evalplus: Vec<PathBuf>,
    /// A LiveCodeBench code_generation_lite file to check (test.jsonl … test6.jsonl). It
    /// ships no solutions, so this proves the harness only: every known-bad answer (a
    /// program that prints nothing, a method returning None, one that raises, loops or
    /// exits early) must fail every problem with the right outcome.
    #[arg(long, value_name = "FILE")]
    pub livecodebench: Vec<PathBuf>,
    /// An APPS, TACO or CodeContests file to check (JSONL rows of the released datasets):
    /// every problem's first Python 3 solution must pass, and every known-bad answer fail.
    #[arg(long, value_name = "FILE")]
    pub contests: Vec<PathBuf>,
    /// A CRUXEval file to check (as output and input prediction).
    #[arg(long)]
    pub cruxeval: Vec<PathBuf>,
    /// A MultiPL-E folder (humaneval-<lang>-reworded.jsonl.gz files): hand-written correct
    /// and known-bad completions are checked in every language that can run here
    /// [default with --datasets: DIR/multipl-e]
    #[arg(long)]
    pub multipl_e: Option<PathBuf>,
    /// Only these languages in the MultiPL-E check (comma-separated: rust,go,java or rs,…).
    #[arg(long, value_delimiter = ',', value_parser = super::parse_language)]
    pub langs: Vec<crate::lang::Language>,
    /// Print the reports as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

pub fn run(args: SelfcheckArgs) -> anyhow::Result<ExitStatus> {
    let mut files: Vec<PathBuf> = Vec::new();
    files.extend(args.humaneval.iter().cloned());
    files.extend(args.mbpp.iter().cloned());
    files.extend(args.mbpp_sanitized.iter().cloned());
    files.extend(args.suite.iter().cloned());
    files.extend(args.cruxeval.iter().cloned());
    files.extend(args.evalplus.iter().cloned());
    files.extend(args.livecodebench.iter().cloned());
    files.extend(args.contests.iter().cloned());
    if let Some(dir) = &args.datasets {
        for rel in [
            "humaneval/HumanEval.jsonl.gz",
            "mbpp/mbpp.jsonl.gz",
            "mbpp/sanitized-mbpp.json.gz",
            "cruxeval/cruxeval.jsonl",
            "cruxeval/cruxeval-first100.jsonl",
            "evalplus/HumanEvalPlus.jsonl.gz",
            "evalplus/MbppPlus.jsonl.gz",
            "apps/test.jsonl",
            "taco/test.jsonl",
            "code_contests/test.jsonl",
            "code_contests/valid.jsonl",
        ] {
            let p = dir.join(rel);
            if p.is_file() {
                files.push(p);
            }
        }
        // LiveCodeBench's releases: test.jsonl, then test2.jsonl … test6.jsonl.
        if let Ok(entries) = std::fs::read_dir(dir.join("livecodebench")) {
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("test") && n.ends_with(".jsonl"))
                })
                .collect();
            found.sort();
            files.extend(found);
        }
    }
    let multipl_e = args.multipl_e.clone().or_else(|| {
        args.datasets
            .as_ref()
            .map(|d| d.join("multipl-e"))
            .filter(|d| d.is_dir())
    });
    if files.is_empty() && multipl_e.is_none() {
        anyhow::bail!(
            "nothing to check: pass --datasets DIR, or --humaneval / --mbpp / --mbpp-sanitized \
             FILE, or --multipl-e DIR"
        );
    }
    let sandbox = Arc::new(args.sandbox.sandbox()?);
    if !files.is_empty()
        && let Some(why) = sandbox.unavailable(crate::lang::Language::Python)
    {
        eprintln!("selfcheck: python cannot run here: {why}");
        return Ok(ExitStatus::SelfcheckFailed);
    }
    let limits = args.sandbox.limits();
    let cancel = Cancel::default();
    let mut reports: Vec<SetReport> = Vec::new();
    let reporter = Sets {
        progress: Progress::new(args.json),
        json: args.json,
    };
    let mut sets = Vec::new();
    for file in &files {
        let set = ProblemSet::load(file)?;
        // A comprehension file is checked as both of its tasks.
        if set.task().is_some() {
            let input = ProblemSet::load_for(file, Some(Prediction::InputPrediction))?;
            sets.push((file, set, Some(Prediction::OutputPrediction)));
            sets.push((file, input, Some(Prediction::InputPrediction)));
        } else if set.format == crate::problem::native::FORMAT.name
            && let Ok(predict) = ProblemSet::load_for(file, Some(Prediction::OutputPrediction))
        {
            // A suite's typed problems are also checked as output prediction in every
            // language (the truth reads back, wrong literals do not).
            sets.push((file, set, None));
            sets.push((file, predict, Some(Prediction::OutputPrediction)));
        } else {
            sets.push((file, set, None));
        }
    }
    for (file, set, task) in &sets {
        let name = match task {
            Some(t) => format!("{} ({}, {})", file.display(), set.format, t.as_str()),
            None => format!("{} ({})", file.display(), set.format),
        };
        let known = KnownDefects::load(&args.known_defects, set)?;
        let report = check_set(
            SetToCheck {
                name: &name,
                set,
                known: &known,
            },
            sandbox.clone(),
            &limits,
            args.sandbox.workers(),
            &cancel,
            &reporter,
        );
        reports.push(report);
        if cancel.is_cancelled() {
            return Ok(ExitStatus::Interrupted);
        }
    }
    if let Some(dir) = &multipl_e {
        reports.extend(crate::selfcheck::languages::check(
            dir,
            &args.langs,
            sandbox.clone(),
            &limits,
            args.sandbox.workers(),
            &cancel,
            &reporter,
        ));
        if cancel.is_cancelled() {
            return Ok(ExitStatus::Interrupted);
        }
    }
    reporter.progress.finish();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    let ok = reports.iter().all(SetReport::ok);
    if !ok {
        eprintln!(
            "selfcheck FAILED: the sandbox does not score these problems correctly; do not trust scores on them"
        );
        return Ok(ExitStatus::SelfcheckFailed);
    }
    Ok(ExitStatus::Success)
}

/// Selfcheck's reporter: the run's progress bar and harness-fault lines, and each set's
/// report on stdout as it ends (unless `--json`, which prints them all at the end).
struct Sets {
    progress: Progress,
    json: bool,
}

impl Reporter for Sets {
    fn on(&self, event: Event<'_>) {
        if let Event::SetChecked(report) = &event
            && !self.json
        {
            self.progress.suspend(|| print!("{}", render(report)));
        }
        self.progress.on(event);
    }
}

pub fn render(r: &SetReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    if let Some(why) = &r.skipped {
        return format!("selfcheck {}: skipped — {why}\n", r.name);
    }
    let status = if r.ok() { "ok" } else { "FAILED" };
    let _ = writeln!(
        s,
        "selfcheck {}: {} problems — {status}",
        r.name, r.problems
    );
    for (variant, (n, right)) in &r.checked {
        let _ = writeln!(s, "  {variant:<14} {right:>5}/{n:<5} right");
    }
    for k in &r.known {
        let _ = writeln!(
            s,
            "  known defect {} {}: {} — {}",
            k.task_id,
            k.variant.name(),
            k.outcome,
            k.reason
        );
    }
    for f in r.failures.iter().take(20) {
        let _ = writeln!(
            s,
            "  WRONG {} {}: got {} ({}); expected {:?}",
            f.task_id,
            f.variant.name(),
            f.outcome,
            f.detail,
            f.variant.expected()
        );
    }
    if r.failures.len() > 20 {
        let _ = writeln!(s, "  … and {} more", r.failures.len() - 20);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;
    use crate::selfcheck::{Failure, Variant};

    #[test]
    fn report_lists_variants_and_wrong_verdicts() {
        let mut r = SetReport {
            name: "HumanEval.jsonl.gz (humaneval)".into(),
            problems: 2,
            ..Default::default()
        };
        r.checked.insert("reference".into(), (2, 1));
        r.checked.insert("raises".into(), (2, 2));
        r.failures.push(Failure {
            task_id: "HumanEval/1".into(),
            variant: Variant::Reference,
            outcome: Outcome::Timeout,
            detail: "time limit exceeded".into(),
        });
        insta::assert_snapshot!(render(&r));
    }
}
