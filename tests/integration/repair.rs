//! Self-repair (`passk run --repair K`) end to end: a scripted OpenAI-compatible server on
//! loopback answers wrong first and right once it is told what failed; the programs run in
//! the real sandboxes (Python under WASM, Go in the process sandbox). Checks what the
//! feedback turn carries (and leaves out), the per-turn records, the repair scores, and
//! gate's `--turn`.

use std::sync::{Arc, Mutex};

use crate::common::server::{run_served, scripted_server, sse};
use crate::common::{jsonl, output_text as text};

/// `anagram_classes` (problems/core), wrong (Python: always 0; Go: does not compile) and
/// right, per language.
fn answer(language: &str, right: bool) -> String {
    match (language, right) {
        ("python", false) => {
            "```python\ndef anagram_classes(words: list[str]) -> int:\n    return 0\n```".into()
        }
        ("python", true) => "```python\ndef anagram_classes(words: list[str]) -> int:\n    return len({\"\".join(sorted(w)) for w in words})\n```".into(),
        // `sort` is not imported: a compile error.
        ("go", false) => "```go\nfunc anagramClasses(words []string) int {\n\tsort.Strings(words)\n\treturn 0\n}\n```".into(),
        ("go", true) => "```go\nfunc anagramClasses(words []string) int {\n\tkeys := map[[256]int]bool{}\n\tfor _, w := range words {\n\t\tvar k [256]int\n\t\tfor i := 0; i < len(w); i++ {\n\t\t\tk[w[i]]++\n\t\t}\n\t\tkeys[k] = true\n\t}\n\treturn len(keys)\n}\n```".into(),
        _ => unreachable!(),
    }
}

#[test]
fn a_failed_answer_is_repaired_from_its_feedback_in_both_sandboxes() {
    let bodies: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let seen = bodies.clone();
    let (url, _) = scripted_server(move |_, body| {
        let v: serde_json::Value = serde_json::from_str(body).ok()?;
        seen.lock().unwrap().push(v.clone());
        let messages = v["messages"].as_array()?;
        let system = messages[0]["content"].as_str()?;
        let language = if system.contains("Go") {
            "go"
        } else {
            "python"
        };
        // Right only once told what failed.
        let told = messages.len() > 2;
        Some(sse(&answer(language, told), 50, 20))
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = run_served(&url, "core", &out)
        .args(["--langs", "python,go", "--limit", "1", "--repair", "2"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("repair: pass@1 0.0% → 100.0% → 100.0%"),
        "{}",
        text(&o)
    );

    let mut turns: Vec<(String, u64, String)> = jsonl(&out.join("results.jsonl"))
        .iter()
        .map(|r| {
            (
                r["language"].as_str().unwrap().to_string(),
                r["turn"].as_u64().unwrap_or(0),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    turns.sort();
    let t = |l: &str, n, o: &str| (l.to_string(), n, o.to_string());
    assert_eq!(
        turns,
        [
            t("go", 0, "compile_error"),
            t("go", 1, "passed"),
            t("python", 0, "wrong_answer"),
            t("python", 1, "passed")
        ]
    );

    // The repair request continues the chat: the first answer, then the verdict.
    let bodies = bodies.lock().unwrap();
    assert_eq!(bodies.len(), 4);
    for b in bodies
        .iter()
        .filter(|b| b["messages"].as_array().unwrap().len() > 2)
    {
        let m = b["messages"].as_array().unwrap();
        assert_eq!(m.len(), 4);
        assert_eq!(m[2]["role"], "assistant");
        assert!(m[2]["content"].as_str().unwrap().contains("return 0"));
        let feedback = m[3]["content"].as_str().unwrap();
        let expected = if m[0]["content"].as_str().unwrap().contains("Go") {
            "Your solution did not compile."
        } else {
            "Your solution failed a test.\ntest 1: expected 1, got 0"
        };
        assert!(feedback.starts_with(expected), "{feedback}");
        if expected.contains("compile") {
            assert!(feedback.contains("undefined: sort"), "{feedback}");
        }
        assert!(feedback.contains("Fix the code."), "{feedback}");
        for internal in ["passk-result-", "passk-done-", "/tmp/", "/root/"] {
            assert!(!feedback.contains(internal), "{internal} in {feedback}");
        }
    }
    let summary: serde_json::Value = crate::common::summary(&out);
    let repair = &summary["by_model"]["m/go"]["repair"];
    assert_eq!(repair["pass_at_1"], serde_json::json!([0.0, 1.0, 1.0]));
    assert_eq!(
        (repair["failures"].as_u64(), repair["fixed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(summary["by_model"]["m/go"]["pass_at_k"]["pass@1"], 0.0);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("## Self-repair"), "{report}");

    // The gate judges first answers unless told a turn.
    let gate = |extra: &[&str]| {
        crate::common::passk()
            .arg("gate")
            .arg(&out)
            .args(["--min", "pass@1=1.0"])
            .args(extra)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(gate(&[]), Some(10));
    assert_eq!(gate(&["--turn", "1"]), Some(0));
}
