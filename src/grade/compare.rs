//! Comparing two sets of results on the same problems (two runs, or two models in one run):
//! paired per-problem differences of pass@1, a paired bootstrap CI of Δpass@1, the exact
//! McNemar test on per-problem pass/fail, and the problems that flipped.

use std::collections::BTreeMap;

use serde::Serialize;

use super::stats::bootstrap_mean_ci;
use crate::rundir::results::ResultRecord;

/// One side's tally of one problem.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Scored samples.
    pub n: u64,
    /// Passed samples.
    pub c: u64,
    /// Samples passk generated, with their completion tokens and latency summed.
    pub generated: u64,
    pub tokens: f64,
    pub latency_ms: f64,
}

impl From<(u64, u64)> for Tally {
    fn from((n, c): (u64, u64)) -> Tally {
        Tally {
            n,
            c,
            ..Tally::default()
        }
    }
}

/// Per-problem tallies of one side: (task_id, language) → tally.
pub type Tallies = BTreeMap<(String, String), Tally>;

/// Tallies the records accepted by `keep` (harness faults are not scored).
pub fn tally<'a>(
    records: impl IntoIterator<Item = &'a ResultRecord>,
    keep: impl Fn(&ResultRecord) -> bool,
) -> Tallies {
    let mut t = Tallies::new();
    for r in records {
        if !keep(r) || r.execution.outcome.is_harness_fault() {
            continue;
        }
        let e = t
            .entry((r.task_id.clone(), r.language.to_string()))
            .or_default();
        e.n += 1;
        if r.execution.outcome.is_pass() {
            e.c += 1;
        }
        if let Some(g) = &r.generation {
            e.generated += 1;
            e.tokens += f64::from(g.completion_tokens);
            e.latency_ms += g.latency_ms;
        }
    }
    t
}

/// Generation cost of each side, per sample, over the problems both sides scored.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CostDelta {
    pub tokens_a: f64,
    pub tokens_b: f64,
    pub latency_ms_a: f64,
    pub latency_ms_b: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Comparison {
    /// Problems scored on both sides.
    pub matched: usize,
    /// Problems scored on one side only (left out of every statistic).
    pub only_a: usize,
    pub only_b: usize,
    pub pass1_a: f64,
    pub pass1_b: f64,
    /// pass1_b − pass1_a.
    pub delta: f64,
    /// 95 % paired bootstrap interval of `delta` (resampling problems).
    pub ci_low: f64,
    pub ci_high: f64,
    /// Exact two-sided McNemar p-value on per-problem pass (pass@1 ≥ ½) vs fail.
    pub mcnemar_p: f64,
    /// Problems that passed in A and fail in B, and the reverse (`task_id [language]`).
    pub pass_to_fail: Vec<String>,
    pub fail_to_pass: Vec<String>,
    /// Tokens and latency per sample on both sides, when both generated their samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostDelta>,
}

pub fn compare(a: &Tallies, b: &Tallies) -> Comparison {
    let mut pairs: Vec<(f64, f64)> = Vec::new();
    let mut pass_to_fail = Vec::new();
    let mut fail_to_pass = Vec::new();
    let mut cost = (Tally::default(), Tally::default());
    for (key, ta) in a {
        let Some(tb) = b.get(key) else {
            continue;
        };
        let (na, ca, nb, cb) = (ta.n, ta.c, tb.n, tb.c);
        if na == 0 || nb == 0 {
            continue;
        }
        let pa = ca as f64 / na as f64;
        let pb = cb as f64 / nb as f64;
        let name = format!("{} [{}]", key.0, key.1);
        match (pa >= 0.5, pb >= 0.5) {
            (true, false) => pass_to_fail.push(name),
            (false, true) => fail_to_pass.push(name),
            _ => {}
        }
        pairs.push((pa, pb));
        for (sum, t) in [(&mut cost.0, ta), (&mut cost.1, tb)] {
            sum.generated += t.generated;
            sum.tokens += t.tokens;
            sum.latency_ms += t.latency_ms;
        }
    }
    let matched = pairs.len();
    let mean = |f: &dyn Fn(&(f64, f64)) -> f64| {
        if matched == 0 {
            0.0
        } else {
            pairs.iter().map(f).sum::<f64>() / matched as f64
        }
    };
    let pass1_a = mean(&|p| p.0);
    let pass1_b = mean(&|p| p.1);
    let diffs: Vec<f64> = pairs.iter().map(|(a, b)| b - a).collect();
    let (ci_low, ci_high) = bootstrap_mean_ci(&diffs);
    Comparison {
        matched,
        only_a: a.keys().filter(|k| !b.contains_key(*k)).count(),
        only_b: b.keys().filter(|k| !a.contains_key(*k)).count(),
        pass1_a,
        pass1_b,
        delta: pass1_b - pass1_a,
        ci_low,
        ci_high,
        mcnemar_p: mcnemar_exact(pass_to_fail.len() as u64, fail_to_pass.len() as u64),
        pass_to_fail,
        fail_to_pass,
        cost: (cost.0.generated > 0 && cost.1.generated > 0).then(|| {
            let per = |t: &Tally, x: f64| x / t.generated as f64;
            CostDelta {
                tokens_a: per(&cost.0, cost.0.tokens),
                tokens_b: per(&cost.1, cost.1.tokens),
                latency_ms_a: per(&cost.0, cost.0.latency_ms),
                latency_ms_b: per(&cost.1, cost.1.latency_ms),
            }
        }),
    }
}

/// Exact two-sided McNemar test: under H0 the `b + c` discordant problems split as a fair
/// coin, p = min(1, 2 · P[X ≤ min(b, c)]) with X ~ Binomial(b + c, ½).
pub fn mcnemar_exact(b: u64, c: u64) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let k = b.min(c);
    // Sum C(n, i) / 2^n in log space, stable for large n.
    let ln_choose = |n: u64, i: u64| ln_factorial(n) - ln_factorial(i) - ln_factorial(n - i);
    let tail: f64 = (0..=k)
        .map(|i| (ln_choose(n, i) - n as f64 * std::f64::consts::LN_2).exp())
        .sum();
    (2.0 * tail).min(1.0)
}

fn ln_factorial(n: u64) -> f64 {
    (2..=n).map(|i| (i as f64).ln()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mcnemar_matches_exact_binomial_values() {
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        // b=0, c=5: 2 · (1/32) = 0.0625
        assert!((mcnemar_exact(0, 5) - 0.0625).abs() < 1e-12);
        // b=1, c=9: 2 · (1 + 10)/1024 = 0.021484375
        assert!((mcnemar_exact(1, 9) - 0.021_484_375).abs() < 1e-12);
        assert!((mcnemar_exact(9, 1) - 0.021_484_375).abs() < 1e-12);
        assert_eq!(mcnemar_exact(5, 5), 1.0);
        // Large n stays finite and tiny.
        assert!(mcnemar_exact(0, 400) < 1e-100);
    }

    fn tallies(v: &[(&str, u64, u64)]) -> Tallies {
        v.iter()
            .map(|(t, n, c)| ((t.to_string(), "python".to_string()), (*n, *c).into()))
            .collect()
    }

    #[test]
    fn deltas_flips_and_interval() {
        let a = tallies(&[("T/0", 2, 2), ("T/1", 2, 0), ("T/2", 2, 2), ("T/3", 1, 1)]);
        let b = tallies(&[("T/0", 2, 0), ("T/1", 2, 2), ("T/2", 2, 2), ("T/9", 1, 1)]);
        let c = compare(&a, &b);
        assert_eq!(c.matched, 3);
        assert_eq!((c.only_a, c.only_b), (1, 1));
        assert!((c.pass1_a - 2.0 / 3.0).abs() < 1e-12);
        assert!((c.pass1_b - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(c.pass_to_fail, ["T/0 [python]"]);
        assert_eq!(c.fail_to_pass, ["T/1 [python]"]);
        assert!(c.ci_low <= c.delta && c.delta <= c.ci_high);
        assert!(c.ci_low < 0.0 && c.ci_high > 0.0);
        assert_eq!(c, compare(&a, &b), "the bootstrap is seeded");
    }

    #[test]
    fn a_clear_regression_has_an_interval_below_zero() {
        let rows: Vec<(String, u64, u64)> = (0..50).map(|i| (format!("T/{i}"), 1, 1)).collect();
        let a: Tallies = rows
            .iter()
            .map(|(t, n, c)| ((t.clone(), "python".into()), (*n, *c).into()))
            .collect();
        let b: Tallies = rows
            .iter()
            .enumerate()
            .map(|(i, (t, n, _))| {
                (
                    (t.clone(), "python".into()),
                    (*n, u64::from(i % 5 != 0)).into(),
                )
            })
            .collect();
        let c = compare(&a, &b);
        assert!((c.delta + 0.2).abs() < 1e-12);
        assert!(c.ci_high < 0.0, "{c:?}");
        assert!(c.mcnemar_p < 0.01);
    }
}
