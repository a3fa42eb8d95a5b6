//! `junit.xml`: one test case per problem × language × model, so that CI systems show
//! passk results next to unit tests. A case succeeds when every sample passed, fails when
//! a model fault occurred, and errors on a harness fault.

use std::collections::BTreeMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::outcome::Outcome;
use crate::rundir::results::ResultRecord;

#[derive(Default)]
struct Case {
    outcomes: BTreeMap<Outcome, usize>,
    ms: f64,
    first_detail: Option<String>,
}

pub fn render<'a>(name: &str, records: impl IntoIterator<Item = &'a ResultRecord>) -> String {
    // suite (model/language) → task → case
    let mut suites: BTreeMap<String, BTreeMap<String, Case>> = BTreeMap::new();
    for r in records {
        let suite = match &r.model {
            Some(m) => format!("{m}/{}", r.language),
            None => r.language.to_string(),
        };
        let case = suites
            .entry(suite)
            .or_default()
            .entry(r.task_id.clone())
            .or_default();
        *case.outcomes.entry(r.execution.outcome).or_default() += 1;
        case.ms += r.execution.duration_ms;
        if !r.execution.outcome.is_pass() && case.first_detail.is_none() {
            case.first_detail = Some(format!("{}: {}", r.execution.outcome, r.execution.detail));
        }
    }
    let mut report = Report::new(name.to_string());
    for (suite_name, cases) in suites {
        let mut suite = TestSuite::new(suite_name);
        for (task, case) in cases {
            let n: usize = case.outcomes.values().sum();
            let passed = case.outcomes.get(&Outcome::Passed).copied().unwrap_or(0);
            let fault = case.outcomes.keys().any(|o| o.is_harness_fault());
            let mix: Vec<String> = case
                .outcomes
                .iter()
                .map(|(o, k)| format!("{o}={k}"))
                .collect();
            let status = if fault {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(format!("harness fault: {}", mix.join(" ")));
                s
            } else if passed == n {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("{passed}/{n} samples passed ({})", mix.join(" ")));
                if let Some(d) = &case.first_detail {
                    s.set_description(d.clone());
                }
                s
            };
            let mut tc = TestCase::new(task, status);
            tc.set_time(Duration::from_secs_f64(case.ms / 1e3));
            tc.add_property((
                "pass@1",
                format!("{:.4}", passed as f64 / n as f64).as_str(),
            ));
            suite.add_test_case(tc);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- junit serialization failed: {e} -->\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_case_per_problem_language_model() {
        let mut recs = vec![
            ResultRecord::for_test("T/0", Some("a"), 0, Outcome::Passed),
            ResultRecord::for_test("T/0", Some("a"), 1, Outcome::WrongAnswer),
            ResultRecord::for_test("T/1", Some("a"), 0, Outcome::Passed),
            ResultRecord::for_test("T/0", Some("b"), 0, Outcome::SandboxError),
        ];
        recs[1].execution.detail = "AssertionError".into();
        for r in &mut recs {
            r.execution.duration_ms = 1.5;
        }
        insta::assert_snapshot!(render("run", &recs));
    }
}
