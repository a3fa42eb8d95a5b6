//! Reasoning modes against a scripted OpenAI-compatible server on loopback that records
//! request bodies and streams `reasoning_content` (the embedded models do not reason): two
//! passk.toml entries of one served model, thinking on and off through `request = { … }`;
//! a sample cut off by `--max-tokens` inside its reasoning is counted as such, warned
//! about, and the efficiency view prices the thinking mode per extra 1k tokens.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::common::server::{http, scripted_server};
use crate::common::{jsonl, output_text as text};

const RIGHT: &str = "```python\ndef anagram_classes(words: list[str]) -> int:\n    return len({\"\".join(sorted(w)) for w in words})\n```";

/// A streamed reply: reasoning deltas, then content (none: cut off), with usage.
fn reply(reasoning: &str, content: &str, finish: &str, tokens: u32, thought: u32) -> String {
    let mut events = String::new();
    for r in reasoning.split_inclusive(' ').filter(|r| !r.is_empty()) {
        let d = json!({"choices": [{"index": 0, "delta": {"reasoning_content": r}}]});
        events.push_str(&format!("data: {d}\n\n"));
    }
    let last =
        json!({"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]});
    let usage = json!({"choices": [], "usage": {"prompt_tokens": 60, "completion_tokens": tokens, "completion_tokens_details": {"reasoning_tokens": thought}}});
    events.push_str(&format!(
        "data: {last}\n\ndata: {usage}\n\ndata: [DONE]\n\n"
    ));
    http("200 OK", "text/event-stream", &events)
}

#[test]
fn two_modes_of_one_served_model_are_two_models_and_cut_off_reasoning_is_counted() {
    let bodies: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = bodies.clone();
    let (url, _) = scripted_server(move |_, body| {
        let v: Value = serde_json::from_str(body).ok()?;
        seen.lock().unwrap().push(v.clone());
        let thinking = v.pointer("/chat_template_kwargs/enable_thinking") != Some(&json!(false));
        let anagrams = body.contains("anagram");
        Some(match (thinking, anagrams) {
            (false, _) => reply("", "```python\ndef f():\n    return 0\n```", "stop", 20, 0),
            (true, true) => reply("Sort each word and count keys. ", RIGHT, "stop", 400, 350),
            (true, false) => reply(
                "Hmm, let me enumerate every case first ",
                "",
                "length",
                512,
                512,
            ),
        })
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("passk.toml");
    std::fs::write(
        &config,
        format!(
            "[models.qwen-think]\nspec = \"openai:{url}#qwen3.5\"\nrequest = {{ reasoning_effort = \"high\" }}\n\n\
             [models.qwen-nothink]\nspec = \"openai:{url}#qwen3.5\"\nrequest = {{ chat_template_kwargs = {{ enable_thinking = false }} }}\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("run");
    let o = crate::common::passk()
        .args([
            "run",
            "--models",
            "qwen-think,qwen-nothink",
            "--suite",
            "core",
        ])
        .args([
            "--langs",
            "python",
            "--limit",
            "2",
            "--no-cache",
            "--config",
        ])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all}");
    assert!(
        all.contains("note: qwen-think reasons before it answers"),
        "{all}"
    );
    assert!(
        all.contains("warning: qwen-think/python: 1 of 2 samples (50%) hit --max-tokens 512 inside their reasoning"),
        "{all}"
    );
    assert!(!all.contains("note: qwen-nothink"), "{all}");

    // Each entry's options merged into its own request bodies, passk's fields kept.
    let bodies = bodies.lock().unwrap();
    assert_eq!(bodies.len(), 4);
    let effort = bodies
        .iter()
        .filter(|b| b["reasoning_effort"] == "high")
        .count();
    let off = bodies
        .iter()
        .filter(|b| b.pointer("/chat_template_kwargs/enable_thinking") == Some(&json!(false)))
        .count();
    assert_eq!((effort, off), (2, 2));
    assert!(
        bodies
            .iter()
            .all(|b| b["model"] == "qwen3.5" && b["stream"] == true)
    );

    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let requests: Vec<&Value> = manifest["generation"]["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["request"])
        .collect();
    assert_eq!(
        requests,
        [
            &json!({"reasoning_effort": "high"}),
            &json!({"chat_template_kwargs": {"enable_thinking": false}})
        ]
    );
    let cut: Vec<Value> = jsonl(&out.join("samples.jsonl"))
        .into_iter()
        .filter(|s| s["truncated_reasoning"] == true)
        .collect();
    assert_eq!(cut.len(), 1);
    assert_eq!(cut[0]["model"], "qwen-think");
    let summary: Value = crate::common::summary(&out);
    assert_eq!(
        summary["by_model"]["qwen-think/python"]["truncated_reasoning"],
        1
    );
    assert_eq!(
        summary["models"]["qwen-think"]["efficiency"]["reasoning_tokens"],
        431.0
    );

    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("## Efficiency (per model, all languages)"),
        "{report}"
    );
    assert!(
        report.contains("qwen-think over qwen-nothink: +50.0 pp pass@1 for +436 tokens per sample (+114.7 pp per extra 1k tokens)."),
        "{report}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("data-plot=\"pareto\""));

    // passk's own fields cannot be overridden.
    std::fs::write(
        &config,
        format!("[models.bad]\nspec = \"openai:{url}#q\"\nrequest = {{ stream = false }}\n"),
    )
    .unwrap();
    let o = crate::common::passk()
        .args([
            "run", "--models", "bad", "--suite", "core", "--limit", "1", "--config",
        ])
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("bad"))
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(0));
    assert!(
        text(&o).contains("`request.stream` is passk's to set"),
        "{}",
        text(&o)
    );
}
