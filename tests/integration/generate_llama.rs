//! Real generation with the embedded models (llama.cpp in-process, fetched by
//! `passk setup`): both models end to end, n samples decoded in one batch, replay of a
//! run's own samples, and kill -9 during `passk run` followed by a resume that ends equal
//! to an uninterrupted run. Bounded: a few problems, short generations.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::common::{jsonl as lines, output_text as text};

fn run_cmd(models: &str, out: &Path, extra: &[&str]) -> Command {
    let mut c = crate::common::passk();
    c.args([
        "run",
        "--models",
        models,
        "--suite",
        "problems/core",
        "--no-cache",
    ])
    .args(["--threads", "2", "--out"])
    .arg(out)
    .args(extra)
    .env("CI", "true");
    c
}

fn run(models: &str, out: &Path, extra: &[&str]) -> Output {
    run_cmd(models, out, extra).output().expect("run passk")
}

fn key(v: &serde_json::Value) -> String {
    format!(
        "{}|{}|{}|{}",
        v["model"], v["task_id"], v["language"], v["sample_index"]
    )
}

/// key → field, over a JSONL file; panics on a doubled line.
fn by_key(path: &Path, field: &str) -> BTreeMap<String, serde_json::Value> {
    let mut out = BTreeMap::new();
    for v in lines(path) {
        let k = key(&v);
        assert!(
            out.insert(k.clone(), v[field].clone()).is_none(),
            "doubled line {k}"
        );
    }
    out
}

#[test]
fn both_embedded_models_generate_and_are_scored() {
    let _turn = crate::common::one_model_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        "gemma3-270m,qwen2.5-coder-0.5b",
        dir.path(),
        &["--langs", "python", "--limit", "2", "--max-tokens", "160"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("gemma3-270m/python") && out.contains("qwen2.5-coder-0.5b/python"),
        "{out}"
    );
    // Python's verdict: a tie, a leader, or (on 2 problems, hardly) a significant winner.
    assert!(
        out.lines()
            .any(|l| l.starts_with("python ") && (l.contains("tie at") || l.contains("McNemar p"))),
        "{out}"
    );
    let samples = lines(&dir.path().join("samples.jsonl"));
    assert_eq!(samples.len(), 4);
    for s in &samples {
        assert!(s["prompt_tokens"].as_u64().unwrap() > 10, "{s}");
        assert!(s["completion_tokens"].as_u64().unwrap() > 0, "{s}");
        assert!(s["latency_ms"].as_f64().unwrap() > 0.0, "{s}");
        assert!(s["ttft_ms"].as_f64().unwrap() <= s["latency_ms"].as_f64().unwrap());
        let style = if s["model"] == "gemma3-270m" {
            "completion"
        } else {
            "instruct"
        };
        assert_eq!(s["style"], style, "{s}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap())
            .unwrap();
    let models = manifest["generation"]["models"].as_array().unwrap();
    assert_eq!(
        models[0]["file_sha256"],
        "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    );
    assert_eq!(
        models[1]["file_sha256"],
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    );
    assert!(models[1]["chat_template_sha256"].is_string());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    let eff = &summary["by_model"]["qwen2.5-coder-0.5b/python"]["efficiency"];
    assert!(
        eff["completion_tokens"].as_f64().unwrap() > 0.0,
        "{summary}"
    );
    assert!(eff["tokens_per_s"].as_f64().unwrap() > 0.0, "{summary}");
    for r in lines(&dir.path().join("results.jsonl")) {
        let o = r["outcome"].as_str().unwrap();
        assert!(o != "generation_error" && o != "sandbox_error", "{r}");
    }
}

#[test]
fn n_samples_of_one_prompt_decode_together_with_their_own_seeds() {
    let _turn = crate::common::one_model_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        "gemma3-270m",
        dir.path(),
        &[
            "--langs",
            "python",
            "--limit",
            "1",
            "-n",
            "4",
            "--temperature",
            "0.9",
            "--max-tokens",
            "48",
            "--seed",
            "7",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let samples = lines(&dir.path().join("samples.jsonl"));
    assert_eq!(samples.len(), 4);
    let seeds: Vec<u64> = samples
        .iter()
        .map(|s| s["seed"].as_u64().unwrap())
        .collect();
    assert_eq!(seeds, [7, 8, 9, 10]);
    let raws: std::collections::BTreeSet<&str> =
        samples.iter().map(|s| s["raw"].as_str().unwrap()).collect();
    assert!(raws.len() >= 2, "four seeds gave one text: {raws:?}");
    // pass@k is reported up to k = n.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert!(
        summary["overall"]["pass_at_k"]["pass@4"].is_number(),
        "{summary}"
    );
}

#[test]
fn kill_9_during_run_then_resume_equals_an_uninterrupted_run() {
    let _turn = crate::common::one_model_at_a_time();
    let args = ["--langs", "python", "--limit", "8", "--max-tokens", "96"];
    let whole = tempfile::tempdir().unwrap();
    let o = run("gemma3-270m", whole.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let cut = tempfile::tempdir().unwrap();
    let mut child = run_cmd("gemma3-270m", cut.path(), &args).spawn().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while lines(&cut.path().join("samples.jsonl")).len() < 3 && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    let _ = child.wait();
    let before = lines(&cut.path().join("samples.jsonl")).len();
    assert!((3..8).contains(&before), "killed after {before} samples");

    let o = run("gemma3-270m", cut.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        by_key(&cut.path().join("samples.jsonl"), "raw"),
        by_key(&whole.path().join("samples.jsonl"), "raw")
    );
    assert_eq!(
        by_key(&cut.path().join("results.jsonl"), "outcome"),
        by_key(&whole.path().join("results.jsonl"), "outcome")
    );
}

#[test]
fn replaying_a_runs_samples_gives_its_verdicts() {
    let _turn = crate::common::one_model_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        "qwen2.5-coder-0.5b",
        dir.path(),
        &[
            "--langs",
            "python,javascript",
            "--limit",
            "3",
            "--max-tokens",
            "200",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let replayed = tempfile::tempdir().unwrap();
    let spec = format!("replay:{}", dir.path().join("samples.jsonl").display());
    let o = run(
        &spec,
        replayed.path(),
        &["--langs", "python,javascript", "--limit", "3"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let strip = |m: BTreeMap<String, serde_json::Value>| -> Vec<(String, serde_json::Value)> {
        m.into_iter()
            .map(|(k, v)| (k.split_once('|').unwrap().1.to_string(), v))
            .collect()
    };
    assert_eq!(
        strip(by_key(&replayed.path().join("results.jsonl"), "outcome")),
        strip(by_key(&dir.path().join("results.jsonl"), "outcome"))
    );
}

/// Budget forcing in the decoder: a prompt that leaves the model inside `<think>` gets
/// the block closed after the budget's tokens, and generation goes on past the close.
#[test]
fn a_reasoning_budget_closes_an_open_think_block_in_the_decoder() {
    use passk::generate::models::{Config, ModelEntry, open};
    use passk::generate::{PromptText, Request, Sampling};
    let _turn = crate::common::one_model_at_a_time();
    let defaults = ModelEntry {
        threads: Some(2),
        reasoning_budget: Some(8),
        ..ModelEntry::default()
    };
    let paths = passk::setup::Paths::from_env();
    let g = open("qwen2.5-coder-0.5b", &Config::default(), &defaults, &paths).unwrap();
    assert_eq!(g.info().reasoning_budget, Some(8));
    let req = Request {
        task_id: "budget".into(),
        language: passk::lang::Language::Python,
        turn: 0,
        prompt: PromptText::Text("# What is 17 * 23? Think step by step.\n<think>\n".into()),
        n: 1,
        seeds: vec![1],
        stop: vec![],
        halt: vec![],
        sampling: Sampling {
            max_tokens: 40,
            ..Sampling::default()
        },
    };
    let text = g.generate(&req).remove(0).unwrap().text;
    let (thought, after) = text
        .split_once("\n</think>\n\n")
        .unwrap_or_else(|| panic!("no forced close in {text:?}"));
    let thought_tokens = g.count_tokens(thought).unwrap();
    assert!(
        (6..=10).contains(&thought_tokens),
        "{thought_tokens} tokens before the close: {thought:?}"
    );
    assert!(!after.is_empty(), "generation continues after the close");
}
