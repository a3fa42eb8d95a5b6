//! Markdown for `passk gate`, fit for a pull-request comment.

use std::fmt::Write;

use crate::gate::{GateResult, Verdict};

pub fn render(run: &str, baseline: Option<&str>, g: &GateResult) -> String {
    let mut s = String::new();
    let (icon, word) = match g.verdict {
        Verdict::Passed => ("✅", "passed"),
        Verdict::ThresholdFailed => ("❌", "failed: threshold"),
        Verdict::Regression => ("❌", "failed: regression"),
        Verdict::Incomplete => ("⚠️", "no verdict: incomplete run"),
    };
    let _ = writeln!(s, "## {icon} passk gate {word}\n");
    let _ = write!(s, "Run `{run}`");
    if let Some(b) = baseline {
        let _ = write!(s, " against baseline `{b}`");
    }
    let _ = writeln!(s, ".\n");
    if let Some(why) = &g.incomplete {
        let _ = writeln!(
            s,
            "The run is incomplete ({why}); its scores are not trustworthy.\n"
        );
    }
    let checks: Vec<_> = g.thresholds.iter().chain(g.regression.iter()).collect();
    if !checks.is_empty() {
        let _ = writeln!(s, "| check | value | required | |");
        let _ = writeln!(s, "|---|---:|---|---|");
        for c in checks {
            let value = c
                .actual
                .map(|v| format!("{v:.3}"))
                .unwrap_or_else(|| "n/a".into());
            let mark = if c.passed { "✅" } else { "❌" };
            let _ = writeln!(s, "| {} | {value} | {} | {mark} |", c.name, c.required);
        }
    }
    if let Some(c) = &g.comparison {
        let _ = writeln!(
            s,
            "\nΔpass@1 {:+.1} pp (95% CI [{:+.1}, {:+.1}] pp, McNemar p = {:.3}) on {} problems; {} flipped pass → fail, {} fail → pass.",
            c.delta * 100.0,
            c.ci_low * 100.0,
            c.ci_high * 100.0,
            c.mcnemar_p,
            c.matched,
            c.pass_to_fail.len(),
            c.fail_to_pass.len()
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::Check;

    #[test]
    fn renders_a_failed_gate() {
        let g = GateResult {
            verdict: Verdict::ThresholdFailed,
            thresholds: vec![Check {
                name: "pass@1".into(),
                actual: Some(0.31),
                required: "≥ 0.400".into(),
                passed: false,
            }],
            regression: None,
            comparison: None,
            incomplete: None,
        };
        insta::assert_snapshot!(render("reports/new", None, &g));
    }
}
