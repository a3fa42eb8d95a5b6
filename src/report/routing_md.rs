//! The routing report (Markdown): one row of scores per model, then each model's per-route
//! F1 and confusion matrix.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::rundir::routing::RoutingScores;

pub fn render(suite: &str, labels: &[String], models: &BTreeMap<String, RoutingScores>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# passk routing — {suite}\n");
    let _ = writeln!(
        out,
        "| model | decisions | accuracy | macro-F1 | unambiguous | lenient | no label | p50 latency | p95 latency | tokens/decision |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let pct = |v: f64| format!("{:.1}%", v * 100.0);
    for (m, s) in models {
        let _ = writeln!(
            out,
            "| {m} | {}{} | {} | {:.3} | {} | {} | {} | {:.0} ms | {:.0} ms | {:.1} + {:.1} |",
            s.decisions,
            if s.errors > 0 {
                format!(" (+{} errors)", s.errors)
            } else {
                String::new()
            },
            pct(s.accuracy),
            s.macro_f1,
            pct(s.accuracy_unambiguous),
            pct(s.accuracy_lenient),
            s.unparsed,
            s.latency_p50_ms,
            s.latency_p95_ms,
            s.prompt_tokens_per_decision,
            s.completion_tokens_per_decision,
        );
    }
    let _ = writeln!(
        out,
        "\nTokens per decision are prompt + completion. *Lenient* also accepts the alternative \
         routes of requests marked ambiguous.\n"
    );
    for (m, s) in models {
        let _ = writeln!(out, "## {m}\n");
        let _ = writeln!(out, "| route | precision | recall | F1 | support |");
        let _ = writeln!(out, "|---|---:|---:|---:|---:|");
        for l in labels {
            if let Some(r) = s.per_route.get(l) {
                let _ = writeln!(
                    out,
                    "| {l} | {:.2} | {:.2} | {:.2} | {} |",
                    r.precision, r.recall, r.f1, r.support
                );
            }
        }
        let _ = writeln!(out, "\nConfusion (rows: gold route, columns: answer):\n");
        let mut cols: Vec<String> = labels.to_vec();
        cols.push("none".into());
        let _ = writeln!(out, "| gold \\ answer | {} |", cols.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(cols.len()));
        for l in labels {
            let row = s.confusion.get(l);
            let cells: Vec<String> = cols
                .iter()
                .map(|c| {
                    row.and_then(|r| r.get(c))
                        .map_or(".".into(), |n| n.to_string())
                })
                .collect();
            let _ = writeln!(out, "| {l} | {} |", cells.join(" | "));
        }
        let _ = writeln!(out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::routing::{Route, score};
    use crate::rundir::routing::Decision;

    #[test]
    fn routing_report_snapshot() {
        let routes: Vec<Route> = ["chat", "sql"]
            .iter()
            .map(|l| Route {
                label: l.to_string(),
                description: String::new(),
                example: String::new(),
            })
            .collect();
        let d = |gold: &str, p: Option<&str>, ms: f64| Decision {
            id: String::new(),
            model: "m".into(),
            gold: gold.into(),
            also: vec![],
            ambiguous: false,
            predicted: p.map(String::from),
            raw: String::new(),
            prompt_tokens: 120,
            completion_tokens: 2,
            latency_ms: ms,
            error: None,
        };
        let mut models = BTreeMap::new();
        models.insert(
            "small".to_string(),
            score(
                &routes,
                &[d("chat", Some("chat"), 50.0), d("sql", None, 70.0)],
            ),
        );
        models.insert(
            "large".to_string(),
            score(
                &routes,
                &[d("chat", Some("chat"), 90.0), d("sql", Some("sql"), 95.0)],
            ),
        );
        let labels: Vec<String> = routes.iter().map(|r| r.label.clone()).collect();
        insta::assert_snapshot!(render("routing", &labels, &models));
    }
}
