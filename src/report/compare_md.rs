//! Markdown for `passk compare`.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::grade::compare::Comparison;

/// Lists at most this many flipped problems per direction.
const MAX_FLIPS: usize = 25;

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Relative change from `a` to `b`, in percent.
fn change(a: f64, b: f64) -> f64 {
    if a == 0.0 { 0.0 } else { (b - a) / a * 100.0 }
}

fn signed_pct(x: f64) -> String {
    format!("{:+.1} pp", x * 100.0)
}

pub fn render(
    a: &str,
    b: &str,
    overall: &Comparison,
    by_language: &BTreeMap<String, Comparison>,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## passk compare: {a} → {b}\n");
    let costs = overall.cost.is_some();
    let _ = writeln!(
        s,
        "| scope | problems | pass@1 A | pass@1 B | Δpass@1 | 95% CI | McNemar p |{}",
        if costs {
            " tokens/sample A → B | latency A → B |"
        } else {
            ""
        }
    );
    let _ = writeln!(
        s,
        "|---|---:|---:|---:|---:|---|---:|{}",
        if costs { "---:|---:|" } else { "" }
    );
    let mut row = |name: &str, c: &Comparison| {
        let cost = match (&c.cost, costs) {
            (Some(k), _) => format!(
                " {:.0} → {:.0} ({:+.0}%) | {:.2} s → {:.2} s ({:+.0}%) |",
                k.tokens_a,
                k.tokens_b,
                change(k.tokens_a, k.tokens_b),
                k.latency_ms_a / 1e3,
                k.latency_ms_b / 1e3,
                change(k.latency_ms_a, k.latency_ms_b)
            ),
            (None, true) => " - | - |".into(),
            (None, false) => String::new(),
        };
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {} | {} | [{}, {}] | {:.3} |{cost}",
            c.matched,
            pct(c.pass1_a),
            pct(c.pass1_b),
            signed_pct(c.delta),
            signed_pct(c.ci_low),
            signed_pct(c.ci_high),
            c.mcnemar_p
        );
    };
    for (lang, c) in by_language {
        row(lang, c);
    }
    row("**all**", overall);
    if overall.only_a + overall.only_b > 0 {
        let _ = writeln!(
            s,
            "\n{} problems only in A and {} only in B are left out.",
            overall.only_a, overall.only_b
        );
    }
    for (title, list) in [
        ("pass → fail", &overall.pass_to_fail),
        ("fail → pass", &overall.fail_to_pass),
    ] {
        let _ = writeln!(s, "\n### {title} ({})\n", list.len());
        for p in list.iter().take(MAX_FLIPS) {
            let _ = writeln!(s, "- {p}");
        }
        if list.len() > MAX_FLIPS {
            let _ = writeln!(s, "- … and {} more", list.len() - MAX_FLIPS);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_table_and_flips() {
        let c = Comparison {
            matched: 3,
            only_a: 1,
            only_b: 0,
            pass1_a: 0.5,
            pass1_b: 0.75,
            delta: 0.25,
            ci_low: -0.1,
            ci_high: 0.6,
            mcnemar_p: 0.5,
            pass_to_fail: vec!["T/0 [python]".into()],
            fail_to_pass: vec!["T/1 [python]".into(), "T/2 [python]".into()],
            cost: None,
        };
        let by = BTreeMap::from([("python".to_string(), c.clone())]);
        insta::assert_snapshot!(render("base", "new", &c, &by));
    }

    #[test]
    fn generated_runs_show_token_and_latency_deltas() {
        let c = Comparison {
            matched: 1,
            only_a: 0,
            only_b: 0,
            pass1_a: 0.0,
            pass1_b: 1.0,
            delta: 1.0,
            ci_low: 1.0,
            ci_high: 1.0,
            mcnemar_p: 1.0,
            pass_to_fail: vec![],
            fail_to_pass: vec!["T/0 [go]".into()],
            cost: Some(crate::grade::compare::CostDelta {
                tokens_a: 200.0,
                tokens_b: 150.0,
                latency_ms_a: 4000.0,
                latency_ms_b: 5000.0,
            }),
        };
        let by = BTreeMap::from([("go".to_string(), c.clone())]);
        let md = render("gemma", "qwen", &c, &by);
        assert!(
            md.contains("| 200 → 150 (-25%) | 4.00 s → 5.00 s (+25%) |"),
            "{md}"
        );
        insta::assert_snapshot!(md);
    }
}
