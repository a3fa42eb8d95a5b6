//! CRUXEval (`../shared/datasets/cruxeval/`, the first 100 real records) as passk scores it:
//! output and input prediction graded as CRUXEval's harness does (`assert output == answer`
//! run in the sandbox, both sandboxes), its rejections, answers taken from a chat model's
//! `[ANSWER]` tags, and bad input named by file, line and field.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::server::{run_served, scripted_server, sse};
use crate::common::{dataset_lines, jsonl, output_text as text, pass1, summary_of};

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/datasets/cruxeval/cruxeval-first100.jsonl"
);

fn records() -> Vec<Value> {
    dataset_lines(FILE)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A samples file with `answer(record)` for every record.
fn samples(dir: &Path, name: &str, answer: impl Fn(&Value) -> String) -> PathBuf {
    let text: String = records()
        .iter()
        .map(|r| format!("{}\n", json!({"task_id": r["id"], "completion": answer(r)})))
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn exec(samples: &Path, out: &Path, extra: &[&str]) -> Value {
    summary_of(
        crate::common::passk()
            .args(["exec", "--suite", FILE, "--no-cache", "--samples"])
            .arg(samples)
            .arg("--out")
            .arg(out)
            .args(extra),
        out,
    )
}

#[test]
fn both_tasks_score_the_ground_truth_right_and_wrong_answers_wrong_in_both_sandboxes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let truth_out = samples(d, "out.jsonl", |r| r["output"].as_str().unwrap().into());
    let truth_in = samples(d, "in.jsonl", |r| {
        format!("f({})", r["input"].as_str().unwrap())
    });
    let echo = samples(d, "echo.jsonl", |r| {
        format!("f({})", r["input"].as_str().unwrap())
    });
    let wrong = samples(d, "wrong.jsonl", |_| "'passk: not the output'".into());
    for sandbox in ["wasm", "process"] {
        let at = |n: &str| d.join(format!("{sandbox}-{n}"));
        let sb = ["--sandbox", sandbox];
        let s = exec(&truth_out, &at("out"), &sb);
        assert_eq!(
            (pass1(&s), s["references_checked"].as_u64()),
            (1.0, Some(100))
        );
        let s = exec(
            &truth_in,
            &at("in"),
            &[&sb[..], &["--task", "input-prediction"]].concat(),
        );
        assert_eq!(pass1(&s), 1.0, "{sandbox}");
        assert_eq!(pass1(&exec(&wrong, &at("wrong"), &sb)), 0.0, "{sandbox}");
        // Calling f on the given input is no prediction: rejected unread.
        let s = exec(&echo, &at("echo"), &sb);
        assert_eq!(pass1(&s), 0.0, "{sandbox}");
        let r = &jsonl(&at("echo").join("results.jsonl"))[0];
        assert_eq!(r["outcome"], "wrong_answer");
        assert!(
            r["detail"]
                .as_str()
                .unwrap()
                .contains("calls f on the given input")
        );
        // A bare value is no input prediction.
        let s = exec(
            &truth_out,
            &at("bare"),
            &[&sb[..], &["--task", "input-prediction"]].concat(),
        );
        assert_eq!(pass1(&s), 0.0, "{sandbox}");
    }
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("wasm-in/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["task"], "input-prediction");
    assert_eq!(manifest["problems_format"], "cruxeval");
}

#[test]
fn a_chat_model_is_asked_for_the_answer_and_its_tags_are_read() {
    let truth: Vec<(String, String)> = records()
        .iter()
        .map(|r| {
            (
                r["input"].as_str().unwrap().into(),
                r["output"].as_str().unwrap().into(),
            )
        })
        .collect();
    let (url, _) = scripted_server(move |_, body| {
        let v: Value = serde_json::from_str(body).ok()?;
        let asked = v["messages"][1]["content"].as_str()?.to_string();
        // Answers right for whichever record's input the prompt shows.
        let (_, output) = truth
            .iter()
            .find(|(i, _)| asked.contains(&format!("assert f({i}) == ??")))?;
        Some(sse(
            &format!("Tracing it: [ANSWER]{output}[/ANSWER]"),
            80,
            10,
        ))
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let s = summary_of(run_served(&url, FILE, &out).args(["--limit", "5"]), &out);
    assert_eq!(
        (pass1(&s), s["overall"]["problems"].as_u64()),
        (1.0, Some(5))
    );
    let samples = jsonl(&out.join("samples.jsonl"));
    let first = samples.iter().find(|s| s["task_id"] == "sample_0").unwrap();
    assert_eq!(first["solution"], records()[0]["output"]);
}

#[test]
fn a_record_missing_a_field_and_a_task_on_another_format_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("crux.jsonl");
    let mut lines = dataset_lines(FILE)[..3].to_vec();
    let mut second: Value = serde_json::from_str(&lines[1]).unwrap();
    second.as_object_mut().unwrap().remove("output");
    second["outputs"] = json!("x");
    lines[1] = second.to_string();
    // Detection reads the first record; the second lacks `output`.
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let s = samples(dir.path(), "s.jsonl", |_| "1".into());
    let o = crate::common::passk()
        .args(["exec", "--suite"])
        .arg(&bad)
        .arg("--samples")
        .arg(&s)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("crux.jsonl:2"), "{}", text(&o));
    assert!(text(&o).contains("output"), "{}", text(&o));
    let o = crate::common::passk()
        .args([
            "exec",
            "--suite",
            "core",
            "--task",
            "input-prediction",
            "--samples",
        ])
        .arg(&s)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("input prediction needs a CRUXEval file"),
        "{}",
        text(&o)
    );
}
