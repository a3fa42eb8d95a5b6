//! Aider's polyglot benchmark (the real exercises in `../shared/datasets/polyglot/`): every
//! reference passes under its track's own test runner in the process sandbox, every stub
//! and every reference that exits 0 early fails, except the exercises the known-defects
//! list names; JavaScript (no Jest here) is a loud harness fault, never a model failure;
//! answers become files as `passk exec` reads them, and a repair turn fixes a failed try.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{jsonl, passk};

const POLYGLOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/datasets/polyglot");

fn selfcheck(track: &str) -> (serde_json::Value, bool) {
    let out = passk()
        .args(["selfcheck", "--json", "--suite"])
        .arg(Path::new(POLYGLOT).join(track))
        .output()
        .unwrap();
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{track}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (reports[0].clone(), out.status.success())
}

#[test]
fn every_reference_passes_and_every_stub_and_early_exit_fails() {
    let mut known = BTreeSet::new();
    for track in ["python", "go", "rust", "cpp", "java"] {
        let (r, ok) = selfcheck(track);
        assert!(ok, "{track}: {r:#}");
        assert_eq!(r["failures"].as_array().unwrap().len(), 0, "{track}: {r:#}");
        let problems = r["problems"].as_u64().unwrap();
        for variant in ["reference", "stub", "exit_zero"] {
            assert_eq!(
                r["checked"][variant][0], problems,
                "{track} {variant}: {r:#}"
            );
        }
        for k in r["known"].as_array().into_iter().flatten() {
            known.insert(format!("{} {}", k["task_id"], k["variant"]).replace('"', ""));
        }
    }
    let want: BTreeSet<String> = [
        "java/ledger stub",
        "rust/pig-latin exit_zero",
        "rust/pig-latin reference",
    ]
    .map(String::from)
    .into();
    assert_eq!(known, want);
}

#[test]
fn javascript_without_jest_is_a_harness_fault() {
    let (r, ok) = selfcheck("javascript");
    assert!(!ok, "nothing was checked, so the selfcheck cannot pass");
    let failures = r["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 12, "{r:#}");
    assert!(
        failures.iter().all(|f| f["outcome"] == "toolchain_missing"
            && f["detail"].as_str().unwrap().contains("Jest")),
        "{r:#}"
    );
}

#[test]
fn answers_become_files_and_tests_are_never_the_models() {
    let dir = Path::new(POLYGLOT).join("python/exercises/practice/forth");
    let example = std::fs::read_to_string(dir.join(".meta/example.py")).unwrap();
    let stub = std::fs::read_to_string(dir.join("forth.py")).unwrap();
    let answers = [
        format!("Here it is.\n\n**forth.py**\n```python\n{example}```\n"),
        format!("forth.py\n```python\n{stub}```\n"),
        // A "fix" of the tests that would make any solution pass.
        "forth_test.py\n```python\nimport unittest\n```\n".to_string(),
        "I would rather not.".to_string(),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let samples = tmp.path().join("samples.jsonl");
    let lines: Vec<String> = answers
        .iter()
        .map(|a| serde_json::json!({"task_id": "python/forth", "completion": a}).to_string())
        .collect();
    std::fs::write(&samples, lines.join("\n") + "\n").unwrap();
    let out = tmp.path().join("run");
    let status = passk()
        .args(["exec", "--no-cache", "--suite"])
        .arg(Path::new(POLYGLOT).join("python"))
        .arg("--samples")
        .arg(&samples)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let mut outcomes: Vec<(u64, String)> = jsonl(&out.join("results.jsonl"))
        .iter()
        .map(|r| {
            (
                r["sample_index"].as_u64().unwrap(),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    outcomes.sort();
    let got: Vec<&str> = outcomes.iter().map(|(_, o)| o.as_str()).collect();
    assert_eq!(got, ["passed", "wrong_answer", "no_code", "no_code"]);
}

#[test]
fn a_repair_turn_with_the_test_output_fixes_the_stub() {
    // Aider's second try: the stub fails its tests, the repair turn answers the reference.
    let dir = Path::new(POLYGLOT).join("python/exercises/practice/forth");
    let example = std::fs::read_to_string(dir.join(".meta/example.py")).unwrap();
    let stub = std::fs::read_to_string(dir.join("forth.py")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let replay = tmp.path().join("answers.jsonl");
    let lines = [
        serde_json::json!({"task_id": "python/forth", "turn": 0,
            "completion": format!("forth.py\n```python\n{stub}```\n")}),
        serde_json::json!({"task_id": "python/forth", "turn": 1,
            "completion": format!("Fixed.\n\nforth.py\n```python\n{example}```\n")}),
    ];
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(&replay, text.join("\n") + "\n").unwrap();
    let out = tmp.path().join("run");
    let s = crate::common::summary_of(
        passk()
            .args(["run", "--repair", "1", "--no-cache", "--models"])
            .arg(format!("replay:{}", replay.display()))
            .arg("--suite")
            .arg(&dir)
            .arg("--out")
            .arg(&out),
        &out,
    );
    let results = jsonl(&out.join("results.jsonl"));
    let mut by_turn: Vec<(u64, String)> = results
        .iter()
        .map(|r| {
            (
                r["turn"].as_u64().unwrap_or(0),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    by_turn.sort();
    assert_eq!(
        by_turn,
        [(0, "wrong_answer".to_string()), (1, "passed".to_string())],
        "{s:#}"
    );
    // Both turns are recorded, each with its own answer.
    let samples = jsonl(&out.join("samples.jsonl"));
    assert_eq!(samples.len(), 2, "{samples:?}");
}
