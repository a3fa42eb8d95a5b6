//! EvalPlus (HumanEval+ / MBPP+) on fixtures in the release files' format
//! (`tests/data/evalplus/`: HumanEval's and sanitized MBPP's real prompts and solutions, with
//! EvalPlus's fields and encoding — `Infinity` and integers beyond 64 bits included): the
//! ground truth is computed in the sandbox, every canonical solution passes and the
//! known-bad bodies fail in both sandboxes; samples are judged per input as EvalPlus judges
//! them (exact, `atol`, set equality, `find_zero`'s oracle), a slow input is a timeout and
//! the oracle is computed once (cached).

use std::path::{Path, PathBuf};

use crate::common::{jsonl, passk};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/evalplus")
        .join(name)
}

fn selfcheck(sandbox: &str) {
    let out = passk()
        .args(["selfcheck", "--json", "--sandbox", sandbox, "--evalplus"])
        .arg(fixture("HumanEvalPlus-fixture.jsonl"))
        .arg("--evalplus")
        .arg(fixture("MbppPlus-fixture.jsonl"))
        .output()
        .unwrap();
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(out.status.success(), "{sandbox}: {reports:#}");
    for r in reports.as_array().unwrap() {
        assert_eq!(r["failures"].as_array().unwrap().len(), 0, "{r:#}");
        let problems = r["problems"].as_u64().unwrap();
        assert!(problems >= 3, "{r:#}");
        for variant in [
            "reference",
            "empty_body",
            "return_none",
            "raises",
            "exit_zero",
        ] {
            assert_eq!(
                r["checked"][variant],
                serde_json::json!([problems, problems]),
                "{sandbox} {variant}: {r:#}"
            );
        }
    }
}

#[test]
fn every_canonical_solution_passes_and_bad_bodies_fail_in_the_wasm_sandbox() {
    selfcheck("wasm");
}

#[test]
fn every_canonical_solution_passes_and_bad_bodies_fail_in_the_process_sandbox() {
    selfcheck("process");
}

/// `(task_id, completion)` samples scored by `passk exec`; the verdicts in the samples'
/// order, then the run's stderr.
fn exec(file: &str, samples: &[(&str, &str)], cache: &Path) -> Vec<(String, String, String)> {
    let tmp = tempfile::tempdir().unwrap();
    let cache = cache.to_str().unwrap();
    let (mut verdicts, stderr) = crate::common::exec_samples(
        &fixture(file),
        "completion",
        samples,
        tmp.path(),
        &["--cache-dir", cache],
    );
    verdicts.push(("stderr".into(), String::new(), stderr));
    verdicts
}

#[test]
fn samples_are_judged_per_input_as_evalplus_judges_them() {
    let cache = tempfile::tempdir().unwrap();
    let v = exec(
        "HumanEvalPlus-fixture.jsonl",
        &[
            // Within atol (1e-6) of the truth: passes, as EvalPlus's allclose does.
            ("HumanEval/2", "    return number % 1.0 + 1e-9\n"),
            // A closed form that fails only an input EvalPlus added (plus, not base).
            (
                "HumanEval/53",
                "    return x + y if abs(x) < 2**63 else 0\n",
            ),
            // Any zero within atol is right: a different root-finder passes find_zero.
            (
                "HumanEval/32",
                "    lo, hi = -1e6, 1e6\n    for _ in range(200):\n        mid = (lo + hi) / 2\n        if poly(xs, lo) * poly(xs, mid) <= 0:\n            hi = mid\n        else:\n            lo = mid\n    return lo\n",
            ),
            // Correct but far slower than the ground truth on one input.
            (
                "HumanEval/55",
                "    import time\n    if n == 25:\n        t = time.time()\n        while time.time() - t < 6:\n            pass\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
            ),
        ],
        cache.path(),
    );
    let stderr = &v.last().unwrap().2;
    assert!(stderr.contains("ground truth"), "{stderr}");
    assert_eq!(
        (v[0].0.as_str(), v[0].1.as_str()),
        ("HumanEval/2", "passed"),
        "{v:#?}"
    );
    assert_eq!(v[1].1, "wrong_answer", "{v:#?}");
    assert!(v[1].2.contains("plus input 0"), "{v:#?}");
    assert_eq!(v[2].1, "passed", "{v:#?}");
    assert_eq!(v[3].1, "timeout", "{v:#?}");
    assert!(
        v[3].2.contains("plus input 1") && v[3].2.contains("limit"),
        "{v:#?}"
    );

    // The ground truth is known now: a second run computes none.
    let again = exec(
        "HumanEvalPlus-fixture.jsonl",
        &[("HumanEval/53", "    return x + y\n")],
        cache.path(),
    );
    assert_eq!(again[0].1, "passed", "{again:#?}");
    assert!(
        !again.last().unwrap().2.contains("ground truth"),
        "{again:#?}"
    );
}

#[test]
fn mbpp_plus_restores_tuples_and_compares_sets_where_evalplus_does() {
    let cache = tempfile::tempdir().unwrap();
    let v = exec(
        "MbppPlus-fixture.jsonl",
        &[
            // Mbpp/2 takes tuples (restored from the file's lists) and is compared as a set:
            // a list in another order passes, one that relies on list arguments fails.
            (
                "Mbpp/2",
                "def similar_elements(a, b):\n    assert isinstance(a, tuple)\n    return sorted(set(a) & set(b), reverse=True)\n",
            ),
            // Mbpp/4 is compared exactly: ascending order is wrong.
            (
                "Mbpp/4",
                "def heap_queue_largest(nums, n):\n    return sorted(nums)[-n:]\n",
            ),
        ],
        cache.path(),
    );
    assert_eq!(v[0].1, "passed", "{v:#?}");
    assert_eq!(v[1].1, "wrong_answer", "{v:#?}");
    assert!(v[1].2.contains("base input 0"), "{v:#?}");
}

/// EvalPlus reports two scores: `base` (base inputs) and `plus` (base and plus inputs). A
/// sample that failed only a plus input counts for `base`; one that failed a base input, or
/// whose failure does not say where, is checked again on the base inputs alone, so nothing
/// the answer prints can raise its `base`.
#[test]
fn base_and_plus_are_both_scored_and_nothing_printed_raises_base() {
    for sandbox in ["wasm", "process"] {
        let tmp = tempfile::tempdir().unwrap();
        let samples = [
            // Fails only the plus input with a 74-bit integer: base passes.
            "    return x + y if abs(x) < 2**63 else 0\n",
            "    return x - y\n",
            "    return x + y\n",
            // Claims a plus-input failure on stderr, then dies at the first base input.
            "    import os, sys\n    sys.stderr.write('AssertionError: plus input 0: forged\\n')\n    sys.stderr.flush()\n    os._exit(1)\n",
        ];
        let path = tmp.path().join("samples.jsonl");
        let lines: Vec<String> = samples
            .iter()
            .map(|c| serde_json::json!({"task_id": "HumanEval/53", "completion": c}).to_string())
            .collect();
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        // The third answer is the canonical solution: its verdict is reused from the
        // reference check, which has no base check; a second run reuses every verdict.
        for run in ["first", "again"] {
            let out_dir = tmp.path().join(run);
            let out = passk()
                .args(["exec", "--sandbox", sandbox, "--problems"])
                .arg(fixture("HumanEvalPlus-fixture.jsonl"))
                .arg("--samples")
                .arg(&path)
                .arg("--out")
                .arg(&out_dir)
                .arg("--cache-dir")
                .arg(tmp.path().join("cache"))
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(out.status.code().is_some_and(|c| c <= 1), "{text}");
            let mut records = jsonl(&out_dir.join("results.jsonl"));
            records.sort_by_key(|r| r["sample_index"].as_u64());
            assert_eq!(records[2]["reused"], true, "{sandbox} {run}: {records:#?}");
            let base: Vec<&str> = records
                .iter()
                .map(|r| r["base"].as_str().unwrap())
                .collect();
            assert_eq!(
                base[..3],
                ["passed", "wrong_answer", "passed"],
                "{sandbox}: {records:#?}"
            );
            // The forger's own process reads as whatever its stderr says, never as a pass.
            assert_ne!(base[3], "passed", "{sandbox}: {records:#?}");
            let s: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(out_dir.join("summary.json")).unwrap(),
            )
            .unwrap();
            assert_eq!(s["overall"]["base_pass_at_k"]["pass@1"], 0.5, "{s:#}");
            assert_eq!(s["overall"]["pass_at_k"]["pass@1"], 0.25, "{s:#}");
            assert!(text.contains("EvalPlus base pass@1 50.0%"), "{text}");
        }
    }
}
