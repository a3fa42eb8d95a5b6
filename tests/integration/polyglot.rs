//! Aider's polyglot benchmark (the real exercises in `../shared/datasets/polyglot/`): every
//! reference passes under its track's own test runner in the process sandbox, every stub
//! and every reference that exits 0 early fails, except the exercises the known-defects
//! list names; JavaScript without its npm runner is a loud harness fault, never a model
//! failure; a failed Jest run names the failed test and what it expected; answers become files as `passk exec` reads them, and a repair turn fixes a failed try.

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
    for track in ["python", "go", "rust", "cpp", "java", "javascript"] {
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

/// `passk exec` of `answers` (files of one exercise) in `--suite track`: its exit code, and
/// the outcomes and details in sample order.
fn exec(
    track: &str,
    task: &str,
    answers: &[String],
    cache: Option<&Path>,
) -> (i32, Vec<(String, String)>) {
    let tmp = tempfile::tempdir().unwrap();
    let samples = tmp.path().join("samples.jsonl");
    let lines: Vec<String> = answers
        .iter()
        .map(|a| serde_json::json!({"task_id": task, "completion": a}).to_string())
        .collect();
    std::fs::write(&samples, lines.join("\n") + "\n").unwrap();
    let out = tmp.path().join("run");
    let mut cmd = passk();
    if let Some(c) = cache {
        cmd.env("PASSK_CACHE", c);
    }
    let status = cmd
        .args(["exec", "--no-cache", "--no-reference-check", "--suite"])
        .arg(Path::new(POLYGLOT).join(track))
        .arg("--samples")
        .arg(&samples)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    let mut rows: Vec<(u64, String, String)> = jsonl(&out.join("results.jsonl"))
        .iter()
        .map(|r| {
            (
                r["sample_index"].as_u64().unwrap(),
                r["outcome"].as_str().unwrap().to_string(),
                r["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    rows.sort();
    let rows = rows.into_iter().map(|(_, o, d)| (o, d)).collect();
    (status.code().unwrap(), rows)
}

#[test]
fn jest_failures_name_the_test_and_a_missing_runner_is_a_harness_fault() {
    let dir = Path::new(POLYGLOT).join("javascript/exercises/practice/affine-cipher");
    let proof = std::fs::read_to_string(dir.join(".meta/proof.ci.js")).unwrap();
    let off_by_one = proof.replace("return ((a % b) + b) % b;", "return ((a % b) + b) % b + 1;");
    assert_ne!(off_by_one, proof);
    let file = |code: &str| format!("affine-cipher.js\n```javascript\n{code}```\n");
    // Skipping every test is not a pass: each test must run and pass.
    let skip = "globalThis.test = globalThis.test.skip;\nexport const encode = () => '';\n\
                export const decode = () => '';\n";
    let answers = [file(&proof), file(&off_by_one), file(skip)];
    let (code, got) = exec("javascript", "javascript/affine-cipher", &answers, None);
    assert_eq!(code, 0);
    assert_eq!(got[0].0, "passed", "{got:?}");
    assert_eq!(got[1].0, "wrong_answer", "{got:?}");
    assert!(
        got[1].1.contains("10 of 16 tests passed")
            && got[1]
                .1
                .contains("\"Affine cipher decode decode exercism\" failed")
            && got[1].1.contains("Expected: \"exercism\""),
        "{got:?}"
    );
    assert_ne!(got[2].0, "passed", "{got:?}");
    assert!(got[2].1.contains("0 of 16 tests passed"), "{got:?}");
    // Without `passk setup`'s npm packages the run is the harness's fault, with the fix.
    let empty = tempfile::tempdir().unwrap();
    let (code, got) = exec(
        "javascript",
        "javascript/affine-cipher",
        &answers[..1],
        Some(empty.path()),
    );
    assert_eq!(code, 4, "a harness fault: the run is incomplete");
    assert_eq!(got[0].0, "toolchain_missing", "{got:?}");
    assert!(
        got[0].1.contains("passk setup") && got[0].1.contains("Jest"),
        "{got:?}"
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
    let (code, got) = exec("python", "python/forth", &answers, None);
    assert_eq!(code, 0);
    let got: Vec<&str> = got.iter().map(|(o, _)| o.as_str()).collect();
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
