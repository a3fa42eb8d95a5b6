//! `report.md`: the run's inputs and mode, per model × language tables (pass@k with a CI,
//! syntax validity, compile rate, pass@1 among valid samples, outcome mix, time per sample), harness faults up front, and the flips between models.

use std::fmt::Write;

use crate::grade::compare::Comparison;
use crate::rundir::manifest::ExecManifest;
use crate::rundir::summary::{Group, Summary};

fn pass_cell(g: &Group, k: &str) -> String {
    g.pass_at_k
        .get(k)
        .map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// `comparisons`: (model A, model B, comparison) for every pair of models in the run.
pub fn render(
    m: &ExecManifest,
    s: &Summary,
    comparisons: &[(String, String, Comparison)],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# passk report\n");
    let _ = writeln!(
        out,
        "Problems `{}` ({}, sha256 `{}`), samples `{}` (sha256 `{}`).",
        m.problems,
        m.problems_format,
        &m.problems_sha256[..12.min(m.problems_sha256.len())],
        m.samples,
        &m.samples_sha256[..12.min(m.samples_sha256.len())]
    );
    let _ = writeln!(
        out,
        "Mode: {}; limits {:.0} s, {} MiB, {} KiB output. passk {}.\n",
        match m.limits.fuel {
            Some(f) => format!("deterministic (fuel {f:e})"),
            None => "wall-clock".to_string(),
        },
        m.limits.time.as_secs_f64(),
        m.limits.memory_bytes >> 20,
        m.limits.output_bytes >> 10,
        s.passk_version
    );
    if !s.complete {
        let _ = writeln!(
            out,
            "> **Incomplete run:** {} harness faults; {} of {} samples scored. These scores are not trustworthy.\n",
            s.harness_faults, s.samples_executed, s.samples_expected
        );
    }
    for r in &s.refused {
        let _ = writeln!(
            out,
            "> **{} refused:** {} of {} reference solutions fail in this sandbox, so no {} score is reported (first: {}).\n",
            r.language,
            r.failing,
            r.checked,
            r.language,
            r.first
                .iter()
                .map(|f| format!("`{}` {}", f.task_id, f.outcome))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let rows: Vec<(&String, &Group)> = if s.by_model.is_empty() {
        s.by_language.iter().collect()
    } else {
        s.by_model.iter().collect()
    };
    // Every row's group, then the columns: the optional ones only where some row has data
    // (pass@k needs k samples per problem; syntax and compile rates need a grammar or a
    // compiled language).
    let mut groups: Vec<(&str, &Group)> = rows.iter().map(|(n, g)| (n.as_str(), *g)).collect();
    groups.extend(s.by_facet.iter().map(|(n, g)| (n.as_str(), g)));
    if s.by_model.len() + s.by_language.len() > 1 || !s.by_facet.is_empty() {
        groups.push(("**all**", &s.overall));
    }
    type Cell = fn(&Group) -> String;
    let optional: [(&str, Cell); 5] = [
        ("pass@5", |g| pass_cell(g, "pass@5")),
        ("pass@10", |g| pass_cell(g, "pass@10")),
        ("syntax ok", |g| percent(g.syntax_valid)),
        ("compiles", |g| percent(g.compile_rate)),
        ("pass@1 (valid)", |g| percent(g.pass_at_1_valid)),
    ];
    let shown: Vec<(&str, Cell)> = optional
        .into_iter()
        .filter(|(_, cell)| groups.iter().any(|(_, g)| cell(g) != "–"))
        .collect();
    let _ = writeln!(
        out,
        "| {} | problems | samples | pass@1 | 95% CI |{} ms/sample | outcomes |",
        if s.by_model.is_empty() {
            "language"
        } else {
            "model/language"
        },
        shown
            .iter()
            .map(|(h, _)| format!(" {h} |"))
            .collect::<String>()
    );
    let _ = writeln!(
        out,
        "|---|---:|---:|---:|---|{}---:|---|",
        "---:|".repeat(shown.len())
    );
    for (name, g) in groups {
        let ci = g
            .pass_at_1_ci
            .map(|[lo, hi]| format!("{:.1}–{:.1}%", lo * 100.0, hi * 100.0))
            .unwrap_or_else(|| "–".into());
        let mix: Vec<String> = g.outcomes.iter().map(|(o, n)| format!("{o} {n}")).collect();
        let more: String = shown
            .iter()
            .map(|(_, cell)| format!(" {} |", cell(g)))
            .collect();
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {ci} |{more} {:.1} | {} |",
            g.problems,
            g.samples,
            pass_cell(g, "pass@1"),
            g.mean_duration_ms,
            mix.join(", ")
        );
    }
    let base = super::base_lines(s);
    if !base.is_empty() {
        let _ = writeln!(out);
        for line in base.lines() {
            let _ = writeln!(out, "- {line}");
        }
    }
    if let Some(n) = s.references_checked {
        let _ = writeln!(
            out,
            "\n{n} reference solutions were run before scoring; {} problems are excluded from every score.",
            s.excluded.len()
        );
    }
    if !s.excluded.is_empty() {
        let _ = writeln!(
            out,
            "\n## Excluded problems\n\n| problem | language | reference outcome | why |\n|---|---|---|---|"
        );
        for e in &s.excluded {
            let why = match &e.known_defect {
                Some(reason) => format!("known defect: {reason}"),
                None => e.detail.replace('|', "\\|").replace('\n', " "),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {why} |",
                e.task_id, e.language, e.outcome
            );
        }
    }
    let generated: Vec<(&String, &crate::rundir::summary::Efficiency)> = s
        .by_model
        .iter()
        .filter_map(|(k, g)| g.efficiency.as_ref().map(|e| (k, e)))
        .collect();
    if !generated.is_empty() {
        let _ = writeln!(
            out,
            "
## Generation cost (per sample)

| model/language | prompt tokens | completion tokens | reasoning tokens | latency | time to first token | tokens/s | solved per 1k tokens |\n|---|---:|---:|---:|---:|---:|---:|---:|"
        );
        for (k, e) in generated {
            let _ = writeln!(
                out,
                "| {k} | {:.0} | {:.0} | {:.0} | {:.2} s | {} | {:.1} | {} |",
                e.prompt_tokens,
                e.completion_tokens,
                e.reasoning_tokens,
                e.latency_ms / 1e3,
                e.ttft_ms
                    .map_or("–".into(), |ms| format!("{:.2} s", ms / 1e3)),
                e.tokens_per_s,
                e.pass_at_1_per_1k_tokens
                    .map_or("–".into(), |v| format!("{v:.2}")),
            );
        }
    }
    out.push_str(&efficiency_table(m, s));
    out.push_str(&repair_table(s));
    for (a, b, c) in comparisons {
        let _ = writeln!(
            out,
            "\n## {a} → {b}\n\nΔpass@1 {:+.1} pp (95% CI [{:+.1}, {:+.1}] pp, McNemar p = {:.3}) on {} problems.",
            c.delta * 100.0,
            c.ci_low * 100.0,
            c.ci_high * 100.0,
            c.mcnemar_p,
            c.matched
        );
        if let Some(k) = &c.cost {
            let _ = writeln!(
                out,
                "Per sample: {:.0} → {:.0} tokens, {:.2} s → {:.2} s latency.",
                k.tokens_a,
                k.tokens_b,
                k.latency_ms_a / 1e3,
                k.latency_ms_b / 1e3
            );
        }
        for (title, list) in [
            ("pass → fail", &c.pass_to_fail),
            ("fail → pass", &c.fail_to_pass),
        ] {
            if list.is_empty() {
                let _ = writeln!(out, "- {title}: none");
                continue;
            }
            let shown: Vec<&str> = list.iter().take(20).map(String::as_str).collect();
            let more = list.len().saturating_sub(shown.len());
            let _ = writeln!(
                out,
                "- {title} ({}): {}{}",
                list.len(),
                shown.join(", "),
                if more > 0 {
                    format!(", … {more} more")
                } else {
                    String::new()
                }
            );
        }
    }
    out
}

/// Per model, all languages pooled: pass@1 against tokens (reasoning included) and
/// latency, the Pareto front, and what a costlier mode of one model buys per 1k tokens.
fn efficiency_table(m: &ExecManifest, s: &Summary) -> String {
    use crate::grade::efficiency::{costs, mode_deltas};
    let rows = costs(s);
    if rows.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n## Efficiency (per model, all languages)\n\n| {} |\n|---|---:|---:|---:|---:|:---:|---:|\n",
        super::EFFICIENCY_COLUMNS.join(" | ")
    );
    for r in &rows {
        let _ = writeln!(out, "| {} |", super::efficiency_cells(r).join(" | "));
    }
    let models = m.generation.as_ref().map_or(&[][..], |g| &g.models[..]);
    for d in mode_deltas(&rows, models) {
        let _ = writeln!(
            out,
            "\n{} over {}: {:+.1} pp pass@1 for {:+.0} tokens per sample{}.",
            d.more,
            d.less,
            d.delta_pass_at_1 * 100.0,
            d.delta_tokens,
            d.per_1k_tokens.map_or(String::new(), |v| format!(
                " ({:+.1} pp per extra 1k tokens)",
                v * 100.0
            ))
        );
    }
    out
}

/// Self-repair per model × language (`passk run --repair K`); empty for single-shot runs.
fn repair_table(s: &Summary) -> String {
    let rows: Vec<(&String, &crate::rundir::summary::Repair)> = s
        .by_model
        .iter()
        .filter_map(|(k, g)| g.repair.as_ref().map(|r| (k, r)))
        .collect();
    let Some(turns) = rows.iter().map(|(_, r)| r.turns).max() else {
        return String::new();
    };
    let mut out = String::from("\n## Self-repair\n\n| model/language | pass@1 |");
    for k in 1..=turns {
        let _ = write!(out, " repair ≤ {k} |");
    }
    out.push_str(" fixed / failed | tokens per solved |\n|---|---:|");
    out.push_str(&"---:|".repeat(turns + 2));
    out.push('\n');
    for (key, r) in rows {
        let _ = write!(out, "| {key} |");
        for k in 0..=turns {
            let _ = write!(out, " {} |", percent(r.pass_at_1.get(k).copied()));
        }
        let _ = writeln!(
            out,
            " {} / {}{} | {} |",
            r.fixed,
            r.failures,
            r.success_rate
                .map_or(String::new(), |v| format!(" ({:.0}%)", v * 100.0)),
            r.tokens_per_solved
                .map_or("–".into(), |t| format!("{t:.0}"))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::compare::{compare, tally};
    use crate::grade::summary::SummaryBuilder;
    use crate::outcome::Outcome;
    use crate::rundir::results::ResultRecord;
    use crate::sandbox::Limits;

    #[test]
    fn report_has_tables_faults_and_flips() {
        let recs = vec![
            ResultRecord::for_test("T/0", Some("a"), 0, Outcome::Passed),
            ResultRecord::for_test("T/1", Some("a"), 0, Outcome::WrongAnswer),
            ResultRecord::for_test("T/0", Some("b"), 0, Outcome::Timeout),
            ResultRecord::for_test("T/1", Some("b"), 0, Outcome::Passed),
            ResultRecord::for_test("T/2", Some("b"), 0, Outcome::ToolchainMissing),
        ];
        let mut b = SummaryBuilder::default();
        recs.iter().for_each(|r| b.add(r));
        let manifest = ExecManifest {
            task: None,
            kind: "exec".into(),
            passk_version: "0".into(),
            problems: "p.jsonl".into(),
            problems_format: "humaneval".into(),
            problems_sha256: "0123456789abcdef".into(),
            samples: "s.jsonl".into(),
            samples_sha256: "fedcba9876543210".into(),
            limits: Limits::default(),
            deterministic: false,
            shard: None,
            window: None,
            generation: None,
        };
        let c = compare(
            &tally(&recs, |r| r.model.as_deref() == Some("a")),
            &tally(&recs, |r| r.model.as_deref() == Some("b")),
        );
        let mut summary = b.finish(5);
        summary.passk_version = "[version]".into();
        let md = render(&manifest, &summary, &[("a".into(), "b".into(), c)]);
        insta::assert_snapshot!(md);
    }
}
