//! passk's typed problems as output-prediction tasks, in every language they render to: the
//! model sees the reference solution in language L and one test's call, and answers with
//! the value it returns written as a literal of L. The answer is read back on the host
//! ([`crate::lang::literal`], directed by the return type) and compared with the test's
//! expected value by the same deep equality as the harness ([`native::equal`]); nothing the
//! model wrote runs anywhere. This is CRUXEval's output prediction over many languages.

use std::sync::Arc;

use serde_json::Value;

use super::native::{self, NativeProblem};
use super::{Assembly, Problem, render};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::outcome::Outcome;
use crate::sandbox::Execution;

/// The program variant of a prediction (its text is a literal, not code to run or parse).
pub const VARIANT: &str = "predict";

/// One prediction: a function in `language`, a call, and the value it returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub language: Language,
    /// The reference solution shown to the model.
    pub code: String,
    /// The call whose result is asked for, as the language writes it.
    pub call: String,
    pub returns: Type,
    pub expected: Value,
    pub tolerance: Option<f64>,
    /// The expected value as a literal of the language (the ground-truth answer).
    pub truth: String,
    /// The function's names as the languages spell them: an answer naming one is refused.
    pub names: Vec<String>,
}

/// Tests whose arguments render longer than this are not asked (a prompt of data).
const MAX_ARGS: usize = 160;

/// The prediction task of a rendered typed problem, when its language has a reference:
/// the test with the longest arguments up to [`MAX_ARGS`] (the most telling one that stays
/// readable), the first on a tie.
pub fn with_prediction(p: &Problem) -> Option<Problem> {
    let Assembly::Native { problem } = &p.assembly else {
        return None;
    };
    let r = render::get(p.language)?;
    let code = problem.reference.get(&p.language)?.trim_end().to_string();
    let test = pick(problem)?;
    let s = &problem.signature;
    let record = Record {
        language: p.language,
        code,
        call: r.call(problem, &test.args),
        returns: s.returns.clone(),
        expected: test.expected.clone(),
        tolerance: test.tolerance,
        truth: r.literal(&s.returns, &test.expected),
        names: vec![
            s.name.clone(),
            render::camel(&s.name),
            pascal(&render::camel(&s.name)),
        ],
    };
    Some(Problem {
        id: p.id.clone(),
        language: p.language,
        prompt: format!("{}\n\n{}", record.code, record.call),
        entry_point: p.entry_point.clone(),
        reference: Some(record.truth.clone()),
        assembly: Assembly::Predict(Arc::new(record)),
        time_limit: None,
        memory_limit: None,
    })
}

fn pascal(camel: &str) -> String {
    let mut c = camel.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn pick(problem: &NativeProblem) -> Option<&native::Test> {
    let len = |t: &native::Test| serde_json::to_string(&t.args).map_or(usize::MAX, |s| s.len());
    problem.tests.iter().filter(|t| len(t) <= MAX_ARGS).fold(
        None,
        |best: Option<&native::Test>, t| match best {
            Some(b) if len(b) >= len(t) => Some(b),
            _ => Some(t),
        },
    )
}

impl Record {
    /// The verdict on `answer`, decided on the host.
    pub fn judge(&self, answer: &str) -> Execution {
        let answer = answer.trim();
        match crate::lang::literal::parse(self.language, &self.returns, answer, &self.names) {
            Ok(got) if native::equal(&self.returns, &self.expected, &got, self.tolerance) => {
                Execution::verdict(Outcome::Passed, "")
            }
            Ok(got) => Execution::verdict(
                Outcome::WrongAnswer,
                format!("{}: expected {}, got {got}", self.call, self.expected),
            ),
            Err(why) => Execution::verdict(
                Outcome::WrongAnswer,
                format!(
                    "not a {} literal of type {}: {why}",
                    self.language.display_name(),
                    self.returns
                ),
            ),
        }
    }

    /// A literal of the right type and another value (the selfcheck's known-bad answer).
    pub fn wrong(&self) -> String {
        let r = render::get(self.language).expect("a prediction's language renders");
        r.literal(&self.returns, &other_value(&self.returns, &self.expected))
    }

    /// What the model is asked to complete or answer.
    pub fn question(&self) -> String {
        format!(
            "What does `{}` return? Answer with the value written as a {} literal of type \
             {} (no function calls but the constructors the language needs, nothing left to \
             compute).",
            self.call,
            self.language.display_name(),
            self.returns
        )
    }
}

/// A value of `ty` that deep equality tells from `v`.
fn other_value(ty: &Type, v: &Value) -> Value {
    use serde_json::json;
    match (ty, v) {
        (Type::Int, v) => json!(v.as_i64().unwrap_or(0).wrapping_add(1)),
        (Type::Float, v) => json!(v.as_f64().unwrap_or(0.0) + 1.5),
        (Type::Bool, v) => json!(!v.as_bool().unwrap_or(false)),
        (Type::Str, v) => json!(format!("{}#", v.as_str().unwrap_or(""))),
        (Type::Optional(inner), Value::Null) => some_value(inner),
        (Type::Optional(_), _) => Value::Null,
        (Type::List(e), Value::Array(a)) if a.is_empty() => json!([some_value(e)]),
        (Type::List(_), Value::Array(a)) => json!(a[..a.len() - 1]),
        (Type::Tuple(ts), Value::Array(a)) if !ts.is_empty() && !a.is_empty() => {
            let mut a = a.clone();
            a[0] = other_value(&ts[0], &a[0]);
            Value::Array(a)
        }
        (Type::Map(k, e), Value::Object(m)) if m.is_empty() => {
            let key = if **k == Type::Int { "1" } else { "k" };
            json!({ key: some_value(e) })
        }
        (Type::Map(..), Value::Object(m)) => {
            let mut m = m.clone();
            let first = m.keys().next().cloned().expect("not empty");
            m.remove(&first);
            Value::Object(m)
        }
        (ty, _) => some_value(ty),
    }
}

/// Some value of `ty`.
fn some_value(ty: &Type) -> Value {
    use serde_json::json;
    match ty {
        Type::Int => json!(0),
        Type::Float => json!(0.0),
        Type::Bool => json!(false),
        Type::Str => json!(""),
        Type::List(_) => json!([]),
        Type::Map(..) => json!({}),
        Type::Tuple(ts) => Value::Array(ts.iter().map(some_value).collect()),
        Type::Optional(_) => Value::Null,
    }
}

/// The answer in a model's text (its [`answer_text`](super::cruxeval::answer_text)); an
/// echoed `call == value` or `call => value` keeps the value.
pub fn answer_from(text: &str, record: &Record) -> Option<String> {
    let mut t = super::cruxeval::answer_text(text);
    for lead in ["return ", "=> ", "== ", "= "] {
        if let Some(rest) = t.strip_prefix(lead) {
            t = rest.trim_start();
        }
    }
    if let Some(rest) = t.strip_prefix(record.call.as_str()) {
        for sep in ["==", "=>", "->", "="] {
            if let Some(value) = rest.trim_start().strip_prefix(sep) {
                t = value.trim();
                break;
            }
        }
    }
    let t = t.trim().trim_end_matches(';').trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::ProblemSet;

    fn core() -> ProblemSet {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        ProblemSet::load(&root.join("problems/core")).expect("the core suite loads")
    }

    /// Every typed problem with a reference, in every language: the renderer's own literal of
    /// the expected value is read back equal; a changed value, a wrong type and the call
    /// itself are not.
    #[test]
    fn every_renderers_truth_reads_back_and_wrong_answers_do_not() {
        let set = core();
        let mut checked = 0;
        let mut languages = std::collections::BTreeSet::new();
        for p in &set.problems {
            let Some(q) = with_prediction(p) else {
                continue;
            };
            let Assembly::Predict(r) = &q.assembly else {
                unreachable!("a prediction")
            };
            let v = r.judge(&r.truth);
            assert_eq!(
                v.outcome,
                Outcome::Passed,
                "{} {}: {} — {}",
                q.id,
                q.language,
                r.truth,
                v.detail
            );
            let wrong = r.judge(&r.wrong());
            assert_eq!(
                wrong.outcome,
                Outcome::WrongAnswer,
                "{} {}: {} passed",
                q.id,
                q.language,
                r.wrong()
            );
            let call = r.judge(&r.call);
            assert_eq!(
                call.outcome,
                Outcome::WrongAnswer,
                "{} {}: the call {}",
                q.id,
                q.language,
                r.call
            );
            checked += 1;
            languages.insert(q.language);
        }
        assert!(checked > 300, "only {checked} predictions");
        assert!(languages.len() >= 12, "{languages:?}");
    }

    #[test]
    fn answers_are_found_in_tags_fences_and_echoes() {
        let set = core();
        let q = set.problems.iter().find_map(with_prediction).unwrap();
        let Assembly::Predict(r) = &q.assembly else {
            unreachable!()
        };
        let truth = &r.truth;
        for text in [
            format!("[ANSWER]{truth}[/ANSWER]"),
            format!("The result:\n```{}\n{truth}\n```", q.language),
            format!("{} == {truth};", r.call),
            format!("=> {truth}"),
        ] {
            assert_eq!(
                answer_from(&text, r).as_deref(),
                Some(truth.as_str()),
                "{text}"
            );
        }
        assert_eq!(answer_from("  ", r), None);
    }
}
