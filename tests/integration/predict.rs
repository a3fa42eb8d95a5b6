//! passk's typed problems (`problems/core`) as output prediction in every language: each
//! language's literal of the expected value passes, other values and echoed calls fail, all
//! judged on the host; a chat model is asked for the literal and its `[ANSWER]` is read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use passk::problem::cruxeval::Prediction;
use passk::problem::{Assembly, ProblemSet};
use serde_json::{Value, json};

use crate::common::server::{run_served, scripted_server, sse};
use crate::common::{jsonl, pass1, summary_of};

const CORE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/problems/core");

/// (task id, language, call, truth, a wrong literal) of every prediction of the core suite.
fn predictions() -> Vec<(String, String, String, String, String)> {
    let set = ProblemSet::load_for(Path::new(CORE), Some(Prediction::OutputPrediction)).unwrap();
    set.problems
        .iter()
        .map(|p| {
            let Assembly::Predict(r) = &p.assembly else {
                panic!("{} is not a prediction", p.id)
            };
            (
                p.id.clone(),
                p.language.as_str().to_string(),
                r.call.clone(),
                r.truth.clone(),
                r.wrong(),
            )
        })
        .collect()
}

fn samples(
    dir: &Path,
    name: &str,
    pick: impl Fn(&(String, String, String, String, String)) -> String,
) -> PathBuf {
    let text: String = predictions()
        .iter()
        .map(|p| {
            format!(
                "{}\n",
                json!({"task_id": p.0, "language": p.1, "completion": pick(p)})
            )
        })
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn exec(samples: &Path, out: &Path) -> Value {
    summary_of(
        crate::common::passk()
            .args(["exec", "--suite", CORE, "--task", "output-prediction"])
            .arg("--samples")
            .arg(samples)
            .arg("--out")
            .arg(out),
        out,
    )
}

#[test]
fn every_languages_truth_passes_and_other_values_and_calls_fail_on_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let all = predictions();
    let languages: std::collections::BTreeSet<&str> = all.iter().map(|p| p.1.as_str()).collect();
    assert!(languages.len() >= 12, "{languages:?}");
    let s = exec(
        &samples(d, "truth.jsonl", |p| p.3.clone()),
        &d.join("truth"),
    );
    assert_eq!(pass1(&s), 1.0);
    assert_eq!(s["references_checked"].as_u64(), Some(all.len() as u64));
    let s = exec(
        &samples(d, "wrong.jsonl", |p| p.4.clone()),
        &d.join("wrong"),
    );
    assert_eq!(pass1(&s), 0.0);
    let s = exec(&samples(d, "call.jsonl", |p| p.2.clone()), &d.join("call"));
    assert_eq!(pass1(&s), 0.0);
    let results = jsonl(&d.join("call/results.jsonl"));
    assert!(results.iter().all(|r| r["outcome"] == "wrong_answer"));
    assert!(
        results[0]["detail"]
            .as_str()
            .unwrap()
            .contains("instead of giving its value"),
        "{}",
        results[0]
    );
    // A literal is not a program: no syntax verdict is given.
    assert!(
        results
            .iter()
            .all(|r| r.get("syntax_valid").is_none_or(Value::is_null))
    );
    let wrong = jsonl(&d.join("wrong/results.jsonl"));
    assert!(
        wrong[0]["detail"].as_str().unwrap().contains("expected"),
        "{}",
        wrong[0]
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("truth/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["task"], "output-prediction");
}

#[test]
fn a_chat_model_is_asked_for_a_literal_of_its_language_and_its_answer_is_read() {
    let truth: HashMap<String, String> = predictions().into_iter().map(|p| (p.2, p.3)).collect();
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = asked.clone();
    let (url, _) = scripted_server(move |_, body| {
        let v: Value = serde_json::from_str(body).ok()?;
        let question = v["messages"][1]["content"].as_str()?.to_string();
        seen.lock().unwrap().push(question.clone());
        let call = question.split('`').nth(1)?;
        let answer = truth.get(call)?;
        Some(sse(
            &format!("It returns [ANSWER]{answer}[/ANSWER]"),
            90,
            12,
        ))
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let s = summary_of(
        run_served(&url, CORE, &out)
            .args(["--task", "output-prediction", "--langs", "rust,go,java"])
            .args(["--limit", "3"]),
        &out,
    );
    assert_eq!(pass1(&s), 1.0, "{s}");
    assert_eq!(s["overall"]["samples"].as_u64(), Some(9));
    let questions = asked.lock().unwrap();
    assert!(
        questions
            .iter()
            .any(|q| q.contains("as a Rust literal") && q.contains("```rust"))
    );
    assert!(questions.iter().any(|q| q.contains("as a Go literal")));
    let samples = jsonl(&out.join("samples.jsonl"));
    assert!(
        samples.iter().all(|s| s["extraction"] == "unfenced"),
        "{}",
        samples[0]
    );
}
