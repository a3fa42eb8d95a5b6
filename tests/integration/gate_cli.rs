//! `passk compare` and `passk gate` end to end on real runs: thresholds, a regression
//! against a baseline, an incomplete run, and refusal of incomparable runs.

use std::path::{Path, PathBuf};
use std::process::Output;

const HUMANEVAL: &str = "../shared/datasets/humaneval/HumanEval.jsonl.gz";

fn passk(args: &[&str], cache: Option<&Path>) -> Output {
    let mut c = crate::common::passk();
    c.args(args).env("CI", "true");
    if let Some(cache) = cache {
        c.env("PASSK_CACHE", cache);
    }
    c.output().expect("run passk")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A run of the first 20 HumanEval problems where the first `broken` get `return None`.
fn run(dir: &Path, name: &str, broken: usize, cache: Option<&Path>) -> PathBuf {
    let problems = passk::problem::ProblemSet::load(Path::new(HUMANEVAL)).unwrap();
    let mut s = String::new();
    for (i, p) in problems.problems.iter().take(20).enumerate() {
        let completion = if i < broken {
            "    return None\n".to_string()
        } else {
            p.reference.clone().unwrap()
        };
        s.push_str(&format!(
            "{}\n",
            serde_json::json!({"task_id": p.id, "completion": completion})
        ));
    }
    let samples = dir.join(format!("{name}.jsonl"));
    std::fs::write(&samples, s).unwrap();
    let out = dir.join(name);
    let o = passk(
        &[
            "exec",
            "--no-cache",
            "--problems",
            HUMANEVAL,
            "--samples",
            samples.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        cache,
    );
    assert!(matches!(o.status.code(), Some(0 | 4)), "{}", text(&o));
    out
}

#[test]
fn gate_thresholds_regression_and_incomplete_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let base = run(tmp.path(), "base", 0, None);
    let worse = run(tmp.path(), "worse", 6, None);
    let s = |p: &PathBuf| p.to_str().unwrap().to_string();

    let o = passk(&["gate", &s(&base), "--min", "pass@1=0.95"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        std::fs::read_to_string(base.join("gate.md"))
            .unwrap()
            .contains("passed")
    );

    let o = passk(&["gate", &s(&worse), "--min", "pass@1=0.95"], None);
    assert_eq!(o.status.code(), Some(10), "{}", text(&o));
    let o = passk(&["gate", &s(&worse), "--min", "python:pass@1=0.70"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // 30 points down against the baseline.
    let o = passk(
        &[
            "gate",
            &s(&worse),
            "--baseline",
            &s(&base),
            "--max-drop",
            "0.02",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(11), "{}", text(&o));
    assert!(text(&o).contains("-30.0 pp"), "{}", text(&o));
    // The baseline against itself is no regression.
    let o = passk(
        &[
            "gate",
            &s(&base),
            "--baseline",
            &s(&base),
            "--max-drop",
            "0.0",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let o = passk(&["compare", &s(&base), &s(&worse)], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("pass → fail (6)") && t.contains("HumanEval/0 [python]"),
        "{t}"
    );
    let o = passk(&["compare", &s(&base), &s(&worse), "--json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!((v["overall"]["delta"].as_f64().unwrap() + 0.3).abs() < 1e-9);
    assert!(v["overall"]["mcnemar_p"].as_f64().unwrap() < 0.05);

    // A run whose guest is missing is incomplete: no verdict, whatever the thresholds.
    let empty_cache = tmp.path().join("empty-cache");
    let broken = run(tmp.path(), "broken", 0, Some(&empty_cache));
    let o = passk(&["gate", &s(&broken), "--min", "pass@1=0.0"], None);
    assert_eq!(o.status.code(), Some(12), "{}", text(&o));
    assert!(text(&o).contains("incomplete"), "{}", text(&o));

    // Runs of different suites or limits are refused unless forced.
    let other = tmp.path().join("other");
    let samples = tmp.path().join("base.jsonl");
    let o = passk(
        &[
            "exec",
            "--no-cache",
            "--timeout",
            "5",
            "--problems",
            HUMANEVAL,
            "--samples",
            samples.to_str().unwrap(),
            "--out",
            other.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = passk(&["compare", &s(&base), &s(&other)], None);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("not comparable") && text(&o).contains("limits"),
        "{}",
        text(&o)
    );
    let o = passk(&["compare", &s(&base), &s(&other), "--force"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
