//! Renderers: pure functions from results to text. One per output.

pub mod compare_md;
pub mod gate_md;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod routing_md;

use std::path::Path;

use crate::errors::RunError;
use crate::grade::compare::{compare, tally};
use crate::grade::finished::RunDir;
use crate::grade::turns::at_turn;
use crate::rundir::results;

/// The efficiency view's columns, as Markdown and HTML both show them.
const EFFICIENCY_COLUMNS: [&str; 7] = [
    "model",
    "pass@1",
    "tokens per sample",
    "of which reasoning",
    "latency",
    "Pareto front",
    "cut off while reasoning",
];

/// One row of the efficiency view, formatted (unescaped).
fn efficiency_cells(r: &crate::grade::efficiency::ModelCost) -> [String; 7] {
    [
        r.model.clone(),
        format!("{:.1}%", r.pass_at_1 * 100.0),
        format!("{:.0}", r.tokens),
        format!("{:.0}", r.reasoning_tokens),
        format!("{:.2} s", r.latency_ms / 1e3),
        if r.pareto { "yes" } else { "" }.to_string(),
        r.truncated_reasoning.to_string(),
    ]
}

/// Two models of a run compared on one language's problems.
#[derive(Debug, Clone)]
pub struct LanguagePair {
    pub language: String,
    pub a: String,
    pub b: String,
    pub comparison: crate::grade::compare::Comparison,
}

/// Every pair of `models` compared on each language's problems in `records`: each
/// (language, model) side tallied once, then paired.
pub fn language_pairs(records: &[results::ResultRecord], models: &[String]) -> Vec<LanguagePair> {
    let languages: std::collections::BTreeSet<crate::lang::Language> =
        records.iter().map(|r| r.language).collect();
    let mut pairs = Vec::new();
    for language in languages {
        let sides: Vec<_> = models
            .iter()
            .map(|m| {
                tally(records, |r| {
                    r.model.as_ref() == Some(m) && r.language == language
                })
            })
            .collect();
        for (i, a) in models.iter().enumerate() {
            for (j, b) in models.iter().enumerate().skip(i + 1) {
                pairs.push(LanguagePair {
                    language: language.to_string(),
                    a: a.clone(),
                    b: b.clone(),
                    comparison: compare(&sides[i], &sides[j]),
                });
            }
        }
    }
    pairs
}

/// Writes `report.md`, `report.html` and `junit.xml` into a finished run directory, and
/// returns the per-language model comparisons of the records it read (for a caller that
/// shows which leads are significant).
pub fn write_all(dir: &Path) -> Result<Vec<LanguagePair>, RunError> {
    let run = RunDir::open(dir)?;
    // Comparisons and JUnit cases are of first answers; the repair scores are in the
    // summary.
    let records = at_turn(results::read_all(&run.results_path())?, 0);
    let models: Vec<&String> = run.models.iter().collect();
    let mut comparisons = Vec::new();
    for (i, a) in models.iter().enumerate() {
        for b in &models[i + 1..] {
            let ta = tally(&records, |r| r.model.as_ref() == Some(*a));
            let tb = tally(&records, |r| r.model.as_ref() == Some(*b));
            comparisons.push(((*a).clone(), (*b).clone(), compare(&ta, &tb)));
        }
    }
    let io = |path: std::path::PathBuf| move |e| RunError::Io { path, source: e };
    // A generated run's samples grow as it goes, so its manifest holds no hash of them:
    // the report names the file as it is now.
    let mut manifest = run.manifest.clone();
    let samples = dir.join(crate::rundir::SAMPLES);
    if manifest.samples_sha256.is_empty() && samples.is_file() {
        manifest.samples_sha256 =
            crate::setup::paths::sha256_file(&samples).map_err(io(samples))?;
    }
    let md = markdown::render(&manifest, &run.summary, &comparisons);
    std::fs::write(dir.join("report.md"), md).map_err(io(dir.join("report.md")))?;
    let html = html::render(&run.manifest, &run.summary);
    std::fs::write(dir.join("report.html"), html).map_err(io(dir.join("report.html")))?;
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("passk");
    let xml = junit::render(name, &records);
    std::fs::write(dir.join("junit.xml"), xml).map_err(io(dir.join("junit.xml")))?;
    let models: Vec<String> = run.models.iter().cloned().collect();
    Ok(language_pairs(&records, &models))
}

/// EvalPlus's two scores side by side, for the groups that have a base check: the table's
/// pass@1 is `plus` (base and plus inputs), this is `base` (base inputs alone).
pub fn base_lines(s: &crate::rundir::summary::Summary) -> String {
    let groups = if s.by_model.is_empty() {
        &s.by_language
    } else {
        &s.by_model
    };
    let pct = |g: &crate::rundir::summary::Group, base: bool| {
        let m = if base {
            &g.base_pass_at_k
        } else {
            &g.pass_at_k
        };
        m.get("pass@1")
            .map_or("-".into(), |v| format!("{:.1}%", v * 100.0))
    };
    groups
        .iter()
        .filter(|(_, g)| !g.base_pass_at_k.is_empty())
        .map(|(k, g)| {
            format!(
                "{k}: EvalPlus base pass@1 {} (base inputs), plus pass@1 {} (base + plus inputs)\n",
                pct(g, true),
                pct(g, false)
            )
        })
        .collect()
}
