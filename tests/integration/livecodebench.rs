//! LiveCodeBench on a fixture in `code_generation_lite`'s format
//! (`tests/data/livecodebench/test-fixture.jsonl`: its eleven fields in its order, tests as
//! JSON text, private tests as base64/zlib/pickle as the release packs them, one record's as
//! plain JSON): LiveCodeBench ships no solutions, so hand-written right ones
//! (`solutions.jsonl`) must pass and known-bad answers fail, in both sandboxes; verdicts
//! follow LiveCodeBench's rules (tuple answers, decimal-equal output lines, its imports,
//! 6 s per test); `--since`/`--until` select on `contest_date` and the summary scores each
//! platform and difficulty.

use std::path::{Path, PathBuf};

use crate::common::{jsonl, output_text, passk, summary};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/livecodebench")
        .join(name)
}

fn selfcheck(sandbox: &str) {
    let out = passk()
        .args([
            "selfcheck",
            "--json",
            "--sandbox",
            sandbox,
            "--livecodebench",
        ])
        .arg(data("test-fixture.jsonl"))
        .output()
        .unwrap();
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", output_text(&out)));
    assert!(out.status.success(), "{sandbox}: {reports:#}");
    let r = &reports[0];
    assert_eq!(r["failures"].as_array().unwrap().len(), 0, "{r:#}");
    for variant in ["empty_body", "return_none", "raises", "exit_zero"] {
        assert_eq!(
            r["checked"][variant],
            serde_json::json!([4, 4]),
            "{sandbox} {variant}: {r:#}"
        );
    }
}

#[test]
fn every_known_bad_answer_fails_in_the_wasm_sandbox() {
    selfcheck("wasm");
}

#[test]
fn every_known_bad_answer_fails_in_the_process_sandbox() {
    selfcheck("process");
}

/// Scores `samples` (`(task_id, solution)`) with `passk exec` and `extra` arguments: the
/// (task, outcome, detail) of each, in the samples' order, and the run directory.
fn exec(
    dir: &Path,
    samples: &[(&str, &str)],
    extra: &[&str],
) -> (Vec<(String, String, String)>, PathBuf) {
    let mut args = vec!["--no-cache"];
    args.extend(extra);
    let (v, _) = crate::common::exec_solutions(&data("test-fixture.jsonl"), samples, dir, &args);
    (v, dir.join("run"))
}

#[test]
fn right_answers_pass_and_wrong_ones_fail_as_livecodebench_judges_them() {
    for sandbox in ["wasm", "process"] {
        let tmp = tempfile::tempdir().unwrap();
        let right = data("solutions.jsonl");
        let out_dir = tmp.path().join("right");
        let out = passk()
            .args(["exec", "--no-cache", "--sandbox", sandbox, "--problems"])
            .arg(data("test-fixture.jsonl"))
            .arg("--samples")
            .arg(&right)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
        let s = summary(&out_dir);
        assert_eq!(s["overall"]["outcomes"]["passed"], 4, "{sandbox}: {s:#}");
        // Scores per platform and difficulty, as LiveCodeBench reports them.
        for facet in ["platform:leetcode", "platform:atcoder", "difficulty:hard"] {
            assert!(
                s["by_facet"][facet]["pass_at_k"]["pass@1"] == 1.0,
                "{facet}: {s:#}"
            );
        }

        let (v, _) = exec(
            tmp.path(),
            &[
                // Sums every square, not only the special elements'.
                (
                    "2844",
                    "class Solution:\n    def sumOfSquares(self, nums):\n        return sum(x * x for x in nums)\n",
                ),
                // An object equal to everything is not a plain result.
                (
                    "2844",
                    "class E:\n    def __eq__(self, o): return True\nclass Solution:\n    def sumOfSquares(self, nums):\n        return E()\n",
                ),
                (
                    "2844",
                    "class Solution:\n    def other(self, nums):\n        return 1\n",
                ),
                // Swaps the json module the driver could decode the tests with.
                (
                    "2844",
                    "import sys, types\nfake = types.ModuleType('json')\nfake.loads = lambda s: 0\nsys.modules['json'] = fake\nclass Solution:\n    def sumOfSquares(self, *a):\n        return 0\n",
                ),
                // Right on the public test, wrong on a private one.
                (
                    "3001",
                    "class Solution:\n    def pairWithSum(self, nums, target):\n        return [0, 3]\n",
                ),
                // 1.5 is not 2; a word is compared as text.
                (
                    "abc314_a",
                    "a, b = map(int, input().split())\nprint(round(a / b))\n",
                ),
                ("1873_B", "print('3 b')\nprint('2 z')\n"),
            ],
            &["--sandbox", sandbox],
        );
        let outcomes: Vec<&str> = v.iter().map(|(_, o, _)| o.as_str()).collect();
        assert_eq!(
            outcomes,
            [
                "wrong_answer",
                "wrong_answer",
                "runtime_error",
                "wrong_answer",
                "wrong_answer",
                "wrong_answer",
                "wrong_answer"
            ],
            "{sandbox}: {v:#?}"
        );
        assert!(v[0].2.contains("test 0: expected 21, got 30"), "{v:#?}");
        assert!(v[1].2.contains("not plain data"), "{v:#?}");
        assert!(v[2].2.contains("no method `sumOfSquares`"), "{v:#?}");
        assert!(v[3].2.contains("test 0: expected 21, got 0"), "{v:#?}");
        assert!(v[4].2.contains("test 2: expected [0, 1]"), "{v:#?}");
        assert!(v[5].2.contains("expected \"1.5\", got \"2\""), "{v:#?}");
        assert!(v[6].2.contains("mismatched output length"), "{v:#?}");
    }
}

#[test]
fn a_test_over_six_seconds_is_a_timeout_in_either_harness() {
    let tmp = tempfile::tempdir().unwrap();
    let (v, _) = exec(
        tmp.path(),
        &[
            (
                "2844",
                "import time\nclass Solution:\n    def sumOfSquares(self, nums):\n        if len(nums) == 1: time.sleep(6.5)\n        return sum(x * x for i, x in enumerate(nums, 1) if len(nums) % i == 0)\n",
            ),
            (
                "abc314_a",
                "import time\na, b = map(int, input().split())\nif a == 1: time.sleep(6.5)\nprint(a / b)\n",
            ),
        ],
        &["--sandbox", "process"],
    );
    assert_eq!(v[0].1, "timeout", "{v:#?}");
    assert!(v[0].2.contains("test 2 took"), "{v:#?}");
    assert_eq!(v[1].1, "timeout", "{v:#?}");
    assert!(v[1].2.contains("test 2: ran"), "{v:#?}");
}

#[test]
fn since_and_until_select_on_contest_date_and_a_changed_window_is_not_resumed() {
    let tmp = tempfile::tempdir().unwrap();
    let right: Vec<(String, String)> = jsonl(&data("solutions.jsonl"))
        .iter()
        .map(|r| {
            (
                r["task_id"].as_str().unwrap().to_string(),
                r["solution"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let samples: Vec<(&str, &str)> = right
        .iter()
        .map(|(t, c)| (t.as_str(), c.as_str()))
        .collect();
    let window = ["--since", "2023-08-12", "--until", "2023-09-02"];
    let (v, out_dir) = exec(tmp.path(), &samples, &window);
    let ids: Vec<&str> = v.iter().map(|(t, ..)| t.as_str()).collect();
    assert_eq!(ids, ["3001", "abc314_a"], "{v:#?}");
    let s = summary(&out_dir);
    assert_eq!(s["samples_expected"], 2, "{s:#}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["window"]["since"], "2023-08-12", "{manifest:#}");
    // Resuming the directory with another window is refused.
    let out = passk()
        .args(["exec", "--problems"])
        .arg(data("test-fixture.jsonl"))
        .arg("--samples")
        .arg(tmp.path().join("samples.jsonl"))
        .arg("--out")
        .arg(&out_dir)
        .args(["--since", "2023-01-01"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        output_text(&out).contains("--since/--until"),
        "{}",
        output_text(&out)
    );
    // A window that selects nothing says what the file spans.
    let out = passk()
        .args(["exec", "--problems"])
        .arg(data("test-fixture.jsonl"))
        .arg("--samples")
        .arg(tmp.path().join("samples.jsonl"))
        .arg("--out")
        .arg(tmp.path().join("none"))
        .args(["--since", "2025-01-01"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        output_text(&out).contains("dates run from 2023-07-16 to 2023-09-21"),
        "{}",
        output_text(&out)
    );
}
