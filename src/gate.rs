//! `passk gate`: decides whether a run may ship — absolute thresholds (`pass@1=0.40`, per
//! language `js:pass@1=0.30`) and, against a baseline, a bound on the drop of pass@1.

use serde::Serialize;

use crate::exit_codes::ExitStatus;
use crate::grade::compare::Comparison;
use crate::lang::Language;
use crate::rundir::summary::Summary;

/// One `--min` threshold: `[LANG:]pass@K=VALUE`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    pub language: Option<String>,
    pub metric: String,
    pub min: f64,
}

impl std::str::FromStr for Threshold {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (lhs, value) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}`: expected [LANG:]pass@K=VALUE, e.g. pass@1=0.40"))?;
        let min: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: `{value}` is not a number"))?;
        if !(0.0..=1.0).contains(&min) {
            return Err(format!("`{s}`: the threshold must be between 0 and 1"));
        }
        let (language, metric) = match lhs.split_once(':') {
            Some((l, m)) => {
                let lang =
                    Language::parse(l).ok_or_else(|| format!("`{s}`: unknown language `{l}`"))?;
                (Some(lang.to_string()), m.trim())
            }
            None => (None, lhs.trim()),
        };
        let k = metric
            .strip_prefix("pass@")
            .and_then(|k| k.parse::<u32>().ok())
            .filter(|k| *k >= 1)
            .ok_or_else(|| format!("`{s}`: the metric must be pass@K, e.g. pass@1"))?;
        Ok(Threshold {
            language,
            metric: format!("pass@{k}"),
            min,
        })
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    pub name: String,
    pub actual: Option<f64>,
    pub required: String,
    pub passed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Passed,
    ThresholdFailed,
    Regression,
    Incomplete,
}

impl Verdict {
    pub fn exit_status(self) -> ExitStatus {
        match self {
            Verdict::Passed => ExitStatus::Success,
            Verdict::ThresholdFailed => ExitStatus::GateThreshold,
            Verdict::Regression => ExitStatus::GateRegression,
            Verdict::Incomplete => ExitStatus::GateIncomplete,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GateResult {
    pub verdict: Verdict,
    pub thresholds: Vec<Check>,
    pub regression: Option<Check>,
    pub comparison: Option<Comparison>,
    pub incomplete: Option<String>,
}

/// Evaluates the gate. Precedence of failures: incomplete run, regression, threshold.
pub fn evaluate(
    summary: &Summary,
    thresholds: &[Threshold],
    comparison: Option<Comparison>,
    max_drop: f64,
    require_significant: bool,
) -> GateResult {
    let incomplete = (!summary.complete).then(|| {
        format!(
            "{} harness faults; {} of {} samples scored",
            summary.harness_faults, summary.samples_executed, summary.samples_expected
        )
    });
    let checks: Vec<Check> = thresholds
        .iter()
        .map(|t| {
            let group = match &t.language {
                None => Some(&summary.overall),
                Some(l) => summary.by_language.get(l),
            };
            let actual = group.and_then(|g| g.pass_at_k.get(&t.metric).copied());
            Check {
                name: match &t.language {
                    Some(l) => format!("{l}:{}", t.metric),
                    None => t.metric.clone(),
                },
                actual,
                required: format!("≥ {:.3}", t.min),
                passed: actual.is_some_and(|a| a + 1e-12 >= t.min),
            }
        })
        .collect();
    let regression = comparison.as_ref().map(|c| {
        let dropped = c.delta < -max_drop;
        let significant = c.ci_high < 0.0;
        Check {
            name: "Δpass@1 vs baseline".into(),
            actual: Some(c.delta),
            required: if require_significant {
                format!("≥ −{max_drop:.3} (or not significant)")
            } else {
                format!("≥ −{max_drop:.3}")
            },
            passed: !(dropped && (!require_significant || significant)),
        }
    });
    let verdict = if incomplete.is_some() {
        Verdict::Incomplete
    } else if regression.as_ref().is_some_and(|r| !r.passed) {
        Verdict::Regression
    } else if checks.iter().any(|c| !c.passed) {
        Verdict::ThresholdFailed
    } else {
        Verdict::Passed
    };
    GateResult {
        verdict,
        thresholds: checks,
        regression,
        comparison,
        incomplete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse_with_clear_errors() {
        let t: Threshold = "pass@1=0.40".parse().unwrap();
        assert_eq!(
            (t.language, t.metric.as_str(), t.min),
            (None, "pass@1", 0.40)
        );
        let t: Threshold = "py:pass@10=0.5".parse().unwrap();
        assert_eq!(t.language.as_deref(), Some("python"));
        for bad in [
            "pass@1",
            "pass@1=x",
            "cobol:pass@1=0.1",
            "acc=0.3",
            "pass@0=0.1",
            "pass@1=1.5",
        ] {
            assert!(bad.parse::<Threshold>().is_err(), "{bad}");
        }
    }
}
