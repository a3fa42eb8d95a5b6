//! `report.html`: one self-contained page (no external requests) with the run's tables and
//! inline SVG plots — pass@k per model × language, the outcome mix, syntax validity,
//! generated tokens per sample (when passk generated the samples) and execution time per
//! sample against pass@1. A small inline script checks that every plot rendered and marks the page
//! (`data-plots-ok`), which the browser test reads.

use std::fmt::Write;

use crate::outcome::Outcome;
use crate::rundir::manifest::ExecManifest;
use crate::rundir::summary::{Group, Summary};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const PALETTE: [&str; 6] = [
    "#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#a463f2",
];

fn outcome_color(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "#3ca951",
        Outcome::WrongAnswer => "#ff725c",
        Outcome::RuntimeError => "#efb118",
        Outcome::Timeout => "#a463f2",
        Outcome::MemoryLimit | Outcome::OutputLimit => "#9c6b4e",
        Outcome::CompileError | Outcome::SyntaxError | Outcome::NoCode => "#97bbf5",
        Outcome::ToolchainMissing | Outcome::SandboxError | Outcome::GenerationError => "#222222",
    }
}

/// Grouped bars: one group per row (model/language), one bar per pass@k shown.
fn pass_at_k_plot(rows: &[(&String, &Group)]) -> String {
    let ks: Vec<&str> = ["pass@1", "pass@5", "pass@10"]
        .into_iter()
        .filter(|k| rows.iter().any(|(_, g)| g.pass_at_k.contains_key(*k)))
        .collect();
    let (w, h, left, bottom, top) = (640.0, 270.0, 40.0, 40.0, 10.0);
    let plot_h = h - bottom - top;
    let group_w = (w - left) / rows.len().max(1) as f64;
    let bar_w = (group_w * 0.8) / ks.len().max(1) as f64;
    let mut s = format!(
        "<svg class=\"plot\" data-plot=\"pass-at-k\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"pass@k per model and language\">"
    );
    for pct in [0, 25, 50, 75, 100] {
        let y = top + plot_h * (1.0 - pct as f64 / 100.0);
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{w}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{pct}%</text>",
            left - 4.0,
            y + 3.0
        );
    }
    for (i, (name, g)) in rows.iter().enumerate() {
        let x0 = left + i as f64 * group_w + group_w * 0.1;
        for (j, k) in ks.iter().enumerate() {
            let v = g.pass_at_k.get(*k).copied().unwrap_or(0.0);
            let bh = plot_h * v;
            let _ = write!(
                s,
                "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{} {k}: {:.1}%</title></rect>",
                x0 + j as f64 * bar_w,
                h - bottom - bh,
                bar_w * 0.9,
                PALETTE[j % PALETTE.len()],
                esc(name),
                v * 100.0
            );
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x0 + group_w * 0.4,
            h - bottom + 16.0,
            esc(name)
        );
    }
    for (j, k) in ks.iter().enumerate() {
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{k}</text>",
            left + j as f64 * 80.0,
            h - 12.0,
            PALETTE[j % PALETTE.len()],
            left + 14.0 + j as f64 * 80.0,
            h - 3.0
        );
    }
    s.push_str("</svg>");
    s
}

/// Stacked horizontal bars of outcomes per row.
fn outcome_plot(rows: &[(&String, &Group)]) -> String {
    let (w, row_h, left) = (640.0, 22.0, 160.0);
    let h = row_h * rows.len() as f64 + 30.0;
    let mut seen: Vec<Outcome> = rows
        .iter()
        .flat_map(|(_, g)| g.outcomes.keys().copied())
        .collect();
    seen.sort();
    seen.dedup();
    let mut s = format!(
        "<svg class=\"plot\" data-plot=\"outcomes\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"outcome mix\">"
    );
    for (i, (name, g)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let total: usize = g.outcomes.values().sum();
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + 13.0,
            esc(name)
        );
        let mut x = left;
        for (o, n) in &g.outcomes {
            let bw = (w - left) * *n as f64 / total.max(1) as f64;
            let _ = write!(
                s,
                "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{}\" fill=\"{}\"><title>{o}: {n}</title></rect>",
                row_h - 6.0,
                outcome_color(*o)
            );
            x += bw;
        }
    }
    for (j, o) in seen.iter().enumerate() {
        let x = left + j as f64 * 100.0;
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"10\">{o}</text>",
            h - 16.0,
            outcome_color(*o),
            x + 13.0,
            h - 7.0
        );
    }
    s.push_str("</svg>");
    s
}

/// Syntax validity and, for compiled languages, compile rate per row. `None` when no row
/// has a grammar (nothing to draw).
fn syntax_plot(rows: &[(&String, &Group)]) -> Option<String> {
    if rows
        .iter()
        .all(|(_, g)| g.syntax_valid.is_none() && g.compile_rate.is_none())
    {
        return None;
    }
    let (w, row_h, left) = (640.0, 30.0, 160.0);
    let h = row_h * rows.len() as f64 + 24.0;
    let mut s = format!(
        "<svg class=\"plot\" data-plot=\"syntax\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"syntax validity and compile rate\">"
    );
    for (i, (name, g)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + 14.0,
            esc(name)
        );
        for (j, (label, v, color)) in [
            ("syntax ok", g.syntax_valid, "#4c78a8"),
            ("compiles", g.compile_rate, "#54a24b"),
        ]
        .into_iter()
        .enumerate()
        {
            let Some(v) = v else { continue };
            let by = y + j as f64 * 11.0;
            let _ = write!(
                s,
                "<rect class=\"bar\" x=\"{left}\" y=\"{by:.1}\" width=\"{:.1}\" height=\"9\" fill=\"{color}\"><title>{label}: {:.1}%</title></rect>",
                (w - left - 40.0) * v,
                v * 100.0
            );
        }
    }
    let _ = write!(
        s,
        "<rect x=\"{left}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"#4c78a8\"/><text x=\"{}\" y=\"{}\" font-size=\"10\">parses (tree-sitter)</text>\
         <rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"#54a24b\"/><text x=\"{}\" y=\"{}\" font-size=\"10\">compiles</text>",
        h - 16.0,
        left + 13.0,
        h - 7.0,
        left + 150.0,
        h - 16.0,
        left + 163.0,
        h - 7.0
    );
    s.push_str("</svg>");
    Some(s)
}

/// A quantity per sample (x, log scale) against pass@1 (y), one point per row that has it.
struct Scatter<'a> {
    id: &'a str,
    aria: &'a str,
    x_label: &'a str,
    unit: &'a str,
    x: fn(&Group) -> Option<f64>,
}

fn scatter_plot(rows: &[(&String, &Group)], p: &Scatter<'_>) -> String {
    let (w, h, left, bottom) = (640.0, 240.0, 40.0, 30.0);
    let points: Vec<(&String, &Group, f64)> = rows
        .iter()
        .filter_map(|(n, g)| (p.x)(g).map(|x| (*n, *g, x)))
        .collect();
    let xs: Vec<f64> = points.iter().map(|(_, _, x)| x.max(0.01).log10()).collect();
    let (lo, hi) = xs
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let mut s = format!(
        "<svg class=\"plot\" data-plot=\"{}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
        p.id, p.aria
    );
    let _ = write!(
        s,
        "<line x1=\"{left}\" x2=\"{left}\" y1=\"0\" y2=\"{}\" stroke=\"#888\"/><line x1=\"{left}\" x2=\"{w}\" y1=\"{0}\" y2=\"{0}\" stroke=\"#888\"/>",
        h - bottom
    );
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{} (log)</text>",
        (left + w) / 2.0,
        h - 6.0,
        p.x_label
    );
    for pct in [0, 50, 100] {
        let y = 8.0 + (h - bottom - 16.0) * (1.0 - pct as f64 / 100.0);
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{pct}%</text>",
            left - 4.0,
            y + 3.0
        );
    }
    for (i, (name, g, value)) in points.iter().enumerate() {
        let x = left + 20.0 + (w - left - 180.0) * (xs[i] - lo) / span;
        let pass1 = g.pass_at_k.get("pass@1").copied().unwrap_or(0.0);
        let y = 8.0 + (h - bottom - 16.0) * (1.0 - pass1);
        let _ = write!(
            s,
            "<circle class=\"point\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"{}\"><title>{}: {:.1} {}, pass@1 {:.1}%</title></circle><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text>",
            PALETTE[i % PALETTE.len()],
            esc(name),
            value,
            p.unit,
            pass1 * 100.0,
            x + 8.0,
            y + 3.0,
            esc(name)
        );
    }
    s.push_str("</svg>");
    s
}

const TIME: Scatter<'static> = Scatter {
    id: "efficiency",
    aria: "time per sample against pass@1",
    x_label: "ms per sample",
    unit: "ms",
    x: |g| Some(g.mean_duration_ms),
};

const TOKENS: Scatter<'static> = Scatter {
    id: "tokens",
    aria: "generated tokens per sample against pass@1",
    x_label: "generated tokens per sample",
    unit: "tokens",
    x: |g| g.efficiency.as_ref().map(|e| e.completion_tokens),
};

fn efficiency_table(rows: &[crate::grade::efficiency::ModelCost]) -> String {
    let cells = |tag: &str, cells: &mut dyn Iterator<Item = String>| {
        cells
            .map(|c| format!("<{tag}>{}</{tag}>", esc(&c)))
            .collect::<String>()
    };
    let mut s = format!(
        "<table><tr>{}</tr>",
        cells(
            "th",
            &mut super::EFFICIENCY_COLUMNS.iter().map(|c| c.to_string())
        )
    );
    for r in rows {
        let _ = write!(
            s,
            "<tr>{}</tr>",
            cells("td", &mut super::efficiency_cells(r).into_iter())
        );
    }
    s.push_str("</table>");
    s
}

/// pass@1 against tokens per sample (log), one point per model, the Pareto front joined.
fn pareto_plot(rows: &[crate::grade::efficiency::ModelCost]) -> String {
    let (w, h, left, bottom) = (640.0, 240.0, 40.0, 30.0);
    let xs: Vec<f64> = rows.iter().map(|r| r.tokens.max(0.01).log10()).collect();
    let (lo, hi) = xs
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let at = |i: usize| {
        let x = left + 20.0 + (w - left - 180.0) * (xs[i] - lo) / span;
        let y = 8.0 + (h - bottom - 16.0) * (1.0 - rows[i].pass_at_1);
        (x, y)
    };
    let mut s = format!(
        "<svg class=\"plot\" data-plot=\"pareto\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"pass@1 against tokens per sample, Pareto front\"><line x1=\"{left}\" x2=\"{left}\" y1=\"0\" y2=\"{0}\" stroke=\"#888\"/><line x1=\"{left}\" x2=\"{w}\" y1=\"{0}\" y2=\"{0}\" stroke=\"#888\"/><text x=\"{1}\" y=\"{2}\" font-size=\"11\" text-anchor=\"middle\">tokens per sample, reasoning included (log)</text>",
        h - bottom,
        (left + w) / 2.0,
        h - 6.0
    );
    let mut front: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].pareto).collect();
    front.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let line: Vec<String> = front
        .iter()
        .map(|&i| {
            let (x, y) = at(i);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(
        s,
        "<polyline class=\"front\" points=\"{}\" fill=\"none\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>",
        line.join(" ")
    );
    for (i, r) in rows.iter().enumerate() {
        let (x, y) = at(i);
        let _ = write!(
            s,
            "<circle class=\"point\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"{}\"><title>{}: {:.0} tokens, pass@1 {:.1}%{}</title></circle><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text>",
            PALETTE[i % PALETTE.len()],
            esc(&r.model),
            r.tokens,
            r.pass_at_1 * 100.0,
            if r.pareto {
                ", on the Pareto front"
            } else {
                ""
            },
            x + 8.0,
            y + 3.0,
            esc(&r.model)
        );
    }
    s.push_str("</svg>");
    s
}

const SCRIPT: &str = r#"
(function () {
  const plots = document.querySelectorAll('svg.plot');
  const ok = plots.length >= 3 && Array.from(plots).every(p => p.querySelector('.bar, .point') && p.getBBox().width > 0);
  document.body.dataset.plotsOk = ok ? '1' : '0';
  if (!ok) { console.error('passk report: a plot failed to render'); }
})();
"#;

pub fn render(m: &ExecManifest, s: &Summary) -> String {
    let rows: Vec<(&String, &Group)> = if s.by_model.is_empty() {
        s.by_language.iter().collect()
    } else {
        s.by_model.iter().collect()
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>passk report</title>\
         <style>body{{font:14px system-ui,sans-serif;max-width:760px;margin:2em auto;color:#222}}\
         table{{border-collapse:collapse}}td,th{{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}}\
         td:first-child,th:first-child{{text-align:left}}.warn{{background:#fff3cd;padding:8px}}svg{{width:100%;height:auto}}</style>\
         </head><body><h1>passk report</h1><p>Problems <code>{}</code> ({}), samples <code>{}</code>; {}.</p>",
        esc(&m.problems),
        esc(&m.problems_format),
        esc(&m.samples),
        if m.deterministic {
            "deterministic (fuel)"
        } else {
            "wall-clock limits"
        }
    );
    if !s.complete {
        let _ = write!(
            out,
            "<p class=\"warn\"><b>Incomplete run:</b> {} harness faults; {} of {} samples scored. These scores are not trustworthy.</p>",
            s.harness_faults, s.samples_executed, s.samples_expected
        );
    }
    for r in &s.refused {
        let _ = write!(
            out,
            "<p class=\"warn\"><b>{} refused:</b> {} of {} reference solutions fail in this sandbox, so no {} score is reported.</p>",
            r.language, r.failing, r.checked, r.language
        );
    }
    out.push_str("<table><tr><th>model/language</th><th>problems</th><th>samples</th><th>pass@1</th><th>95% CI</th><th>ms/sample</th></tr>");
    for (name, g) in &rows {
        let p1 = g.pass_at_k.get("pass@1").copied().unwrap_or(0.0);
        let ci = g
            .pass_at_1_ci
            .map(|[a, b]| format!("{:.1}–{:.1}%", a * 100.0, b * 100.0))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1}%</td><td>{ci}</td><td>{:.1}</td></tr>",
            esc(name),
            g.problems,
            g.samples,
            p1 * 100.0,
            g.mean_duration_ms
        );
    }
    out.push_str("</table>");
    if !s.excluded.is_empty() {
        out.push_str("<h2>Excluded problems</h2><p>Their reference solution fails here, or is a known defect of the benchmark; they count in no score.</p><table><tr><th>problem</th><th>language</th><th>reference outcome</th><th>why</th></tr>");
        for e in &s.excluded {
            let why = e
                .known_defect
                .as_ref()
                .map_or_else(|| e.detail.clone(), |r| format!("known defect: {r}"));
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td style=\"text-align:left\">{}</td></tr>",
                esc(&e.task_id),
                e.language,
                e.outcome,
                esc(&why)
            );
        }
        out.push_str("</table>");
    }
    let _ = write!(out, "<h2>pass@k</h2>{}", pass_at_k_plot(&rows));
    let _ = write!(out, "<h2>Outcomes</h2>{}", outcome_plot(&rows));
    match syntax_plot(&rows) {
        Some(plot) => {
            let _ = write!(out, "<h2>Syntax validity and compile rate</h2>{plot}");
        }
        None => out.push_str(
            "<h2>Syntax validity</h2><p>No sample is in a language with a tree-sitter grammar.</p>",
        ),
    }
    if rows.iter().any(|(_, g)| g.efficiency.is_some()) {
        let _ = write!(
            out,
            "<h2>Generated tokens per sample vs pass@1</h2>{}",
            scatter_plot(&rows, &TOKENS)
        );
    }
    let costs = crate::grade::efficiency::costs(s);
    if !costs.is_empty() {
        let _ = write!(
            out,
            "<h2>Efficiency per model</h2>{}{}",
            efficiency_table(&costs),
            pareto_plot(&costs)
        );
    }
    let _ = write!(
        out,
        "<h2>Execution time per sample vs pass@1</h2>{}",
        scatter_plot(&rows, &TIME)
    );
    let _ = writeln!(out, "<script>{SCRIPT}</script></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::summary::SummaryBuilder;
    use crate::rundir::results::ResultRecord;
    use crate::sandbox::Limits;

    #[test]
    fn page_is_self_contained_with_four_plots() {
        let mut b = SummaryBuilder::default();
        for (m, o, valid) in [
            ("a", Outcome::Passed, Some(true)),
            ("a", Outcome::Timeout, Some(true)),
            ("b", Outcome::WrongAnswer, Some(false)),
        ] {
            let mut r = ResultRecord::for_test("T/<0>", Some(m), 0, o);
            r.syntax_valid = valid;
            b.add(&r);
        }
        let manifest = ExecManifest {
            task: None,
            kind: "exec".into(),
            passk_version: "0".into(),
            problems: "p&q.jsonl".into(),
            problems_format: "humaneval".into(),
            problems_sha256: String::new(),
            samples: "s.jsonl".into(),
            samples_sha256: String::new(),
            limits: Limits::default(),
            deterministic: true,
            shard: None,
            window: None,
            generation: None,
        };
        let html = render(&manifest, &b.finish(3));
        assert_eq!(html.matches("<svg class=\"plot\"").count(), 4);
        assert!(html.contains("data-plot=\"syntax\""));
        assert!(html.contains("p&amp;q.jsonl"));
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no external requests"
        );
        insta::assert_snapshot!(html);
    }
}
