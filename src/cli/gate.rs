//! `passk gate RUN`.

use std::path::PathBuf;

use clap::Args;

use super::compare::{check_comparable, side};
use crate::exit_codes::ExitStatus;
use crate::gate::{Threshold, evaluate};
use crate::grade::compare::compare;
use crate::grade::finished::RunDir;
use crate::report::gate_md;

#[derive(Args)]
#[command(
    after_help = "Exit codes: 0 passed, 10 threshold failed, 11 regression, 12 incomplete run."
)]
pub struct GateArgs {
    /// The run directory to judge.
    pub run: PathBuf,
    /// A run to compare with: fail when pass@1 dropped by more than --max-drop.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// A threshold `[LANG:]pass@K=VALUE`, e.g. `pass@1=0.40` or `js:pass@1=0.30` (repeatable).
    #[arg(long = "min", value_name = "SPEC")]
    pub min: Vec<Threshold>,
    /// Largest allowed drop of pass@1 against the baseline (a fraction: 0.02 = 2 points).
    #[arg(long, default_value_t = 0.0)]
    pub max_drop: f64,
    /// Fail on a drop only when it is significant (the 95% CI of Δpass@1 lies below 0).
    #[arg(long)]
    pub require_significant: bool,
    /// Only this model's samples (in both runs).
    #[arg(long)]
    pub model: Option<String>,
    /// Judge repair runs as they stood after turn T (0: first answers; `passk run
    /// --repair K` records turns 0…K).
    #[arg(long, value_name = "T", default_value_t = 0)]
    pub turn: usize,
    /// Where to write the Markdown summary [default: RUN/gate.md]
    #[arg(long)]
    pub summary: Option<PathBuf>,
    /// Compare with a baseline whose suite, limits or sandbox versions differ.
    #[arg(long)]
    pub force: bool,
    /// Print the gate result as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: GateArgs) -> anyhow::Result<ExitStatus> {
    let run = RunDir::open(&args.run)?;
    let comparison = match &args.baseline {
        None => None,
        Some(b) => {
            let base = RunDir::open(b)?;
            check_comparable(&base, &run, args.force)?;
            let model = args.model.as_deref();
            Some(compare(
                &side(&base, model, args.turn)?,
                &side(&run, model, args.turn)?,
            ))
        }
    };
    let summary = match (&args.model, args.turn) {
        (None, 0) => run.summary.clone(),
        (model, turn) => summary_of(&run, model.as_deref(), turn)?,
    };
    let result = evaluate(
        &summary,
        &args.min,
        comparison,
        args.max_drop,
        args.require_significant,
    );
    let md = gate_md::render(
        &args.run.display().to_string(),
        args.baseline
            .as_ref()
            .map(|b| b.display().to_string())
            .as_deref(),
        &result,
    );
    let out = args.summary.unwrap_or_else(|| args.run.join("gate.md"));
    std::fs::write(&out, &md)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{md}");
    }
    Ok(result.verdict.exit_status())
}

/// The summary of one model's samples only (or all), as they stood after `turn`.
fn summary_of(
    run: &RunDir,
    model: Option<&str>,
    turn: usize,
) -> anyhow::Result<crate::rundir::summary::Summary> {
    let expected = match model {
        None => run.summary.samples_expected,
        Some(_) => 0,
    };
    let s = crate::grade::summary::summarize_where(&run.path, expected, turn, |r| {
        model.is_none_or(|m| r.model.as_deref() == Some(m))
    })?;
    if let Some(m) = model {
        anyhow::ensure!(
            s.samples_executed > 0,
            "no samples of model `{m}` in {}",
            run.path.display()
        );
    }
    Ok(s)
}
