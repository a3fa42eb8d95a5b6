//! `passk compare A [B]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::exit_codes::ExitStatus;
use crate::grade::compare::{Comparison, Tallies, compare, tally};
use crate::grade::finished::{RunDir, incomparable};
use crate::grade::turns::at_turn;
use crate::report::compare_md;
use crate::rundir::results;

#[derive(Args)]
pub struct CompareArgs {
    /// The first run directory (the baseline).
    pub a: PathBuf,
    /// The second run directory [default: A again, to compare two models in one run]
    pub b: Option<PathBuf>,
    /// Only this model's samples from A.
    #[arg(long)]
    pub model_a: Option<String>,
    /// Only this model's samples from B.
    #[arg(long)]
    pub model_b: Option<String>,
    /// Compare repair runs as they stood after turn T (0: first answers).
    #[arg(long, value_name = "T", default_value_t = 0)]
    pub turn: usize,
    /// Compare even runs with different suites, limits or sandbox versions.
    #[arg(long)]
    pub force: bool,
    /// Print the comparison as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Per-problem tallies of one side, optionally for one model only, each episode as it
/// stood after `turn` (a single-shot run has only turn 0).
pub fn side(run: &RunDir, model: Option<&str>, turn: usize) -> anyhow::Result<Tallies> {
    let mut records = Vec::new();
    results::for_each(&run.results_path(), |r| {
        if model.is_none_or(|m| r.model.as_deref() == Some(m)) {
            records.push(r);
        }
    })?;
    Ok(tally(&at_turn(records, turn), |_| true))
}

/// Refuses incomparable runs unless `force`.
pub fn check_comparable(a: &RunDir, b: &RunDir, force: bool) -> anyhow::Result<()> {
    let why = incomparable(a, b);
    if why.is_empty() || force {
        for w in &why {
            eprintln!("warning: {w} (compared anyway: --force)");
        }
        return Ok(());
    }
    Err(crate::errors::RunError::Incomparable(format!(
        "{} and {} are not comparable: {}",
        a.path.display(),
        b.path.display(),
        why.join("; ")
    ))
    .into())
}

/// The overall comparison and one per language.
pub fn comparisons(a: &Tallies, b: &Tallies) -> (Comparison, BTreeMap<String, Comparison>) {
    let languages: std::collections::BTreeSet<&String> = a.keys().map(|k| &k.1).collect();
    let only = |t: &Tallies, l: &str| -> Tallies {
        t.iter()
            .filter(|(k, _)| k.1 == l)
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    };
    let by = languages
        .into_iter()
        .map(|l| (l.clone(), compare(&only(a, l), &only(b, l))))
        .collect();
    (compare(a, b), by)
}

fn label(path: &Path, model: Option<&str>) -> String {
    match model {
        Some(m) => format!("{} ({m})", path.display()),
        None => path.display().to_string(),
    }
}

pub fn run(args: CompareArgs) -> anyhow::Result<ExitStatus> {
    let a = RunDir::open(&args.a)?;
    let b = match &args.b {
        Some(p) => RunDir::open(p)?,
        None => RunDir::open(&args.a)?,
    };
    if args.b.is_none() && (args.model_a.is_none() || args.model_b.is_none()) {
        anyhow::bail!(
            "comparing a run with itself needs --model-a and --model-b (models in {}: {:?})",
            a.path.display(),
            a.models
        );
    }
    check_comparable(&a, &b, args.force)?;
    let ta = side(&a, args.model_a.as_deref(), args.turn)?;
    let tb = side(&b, args.model_b.as_deref(), args.turn)?;
    if ta.is_empty() || tb.is_empty() {
        anyhow::bail!("no scored samples on one side (check --model-a / --model-b)");
    }
    let (overall, by_language) = comparisons(&ta, &tb);
    if args.json {
        let v = serde_json::json!({"overall": overall, "by_language": by_language});
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!(
            "{}",
            compare_md::render(
                &label(&a.path, args.model_a.as_deref()),
                &label(&b.path, args.model_b.as_deref()),
                &overall,
                &by_language
            )
        );
    }
    Ok(ExitStatus::Success)
}
