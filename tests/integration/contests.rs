//! APPS, TACO and CodeContests (byte-exact fixtures of the released rows in
//! `tests/data/apps/` and `tests/data/code_contests/`; the datasets themselves are not
//! reachable here): every shipped Python 3 reference passes in both sandboxes, the known-bad
//! answers fail, and samples are judged as each harness judges them — APPS's lenient
//! comparison and call-based driver, CodeContests' tokens, per-problem time limit and
//! memory limit, and its shipped incorrect solutions.

use std::path::{Path, PathBuf};

use crate::common::{exec_solutions, output_text, passk};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn outcomes(v: &[crate::common::Verdict]) -> Vec<&str> {
    v.iter().map(|(_, o, _)| o.as_str()).collect()
}

/// `samples` judged in each sandbox, each run's outcomes `expected`: the verdicts, with
/// the directory the run wrote (its `run/`).
fn judged_in_both_sandboxes(
    fixture: &Path,
    samples: &[(&str, &str)],
    expected: &[&str],
) -> Vec<(Vec<crate::common::Verdict>, tempfile::TempDir)> {
    ["wasm", "process"]
        .into_iter()
        .map(|sandbox| {
            let tmp = tempfile::tempdir().unwrap();
            let (v, stderr) = exec_solutions(
                fixture,
                samples,
                tmp.path(),
                &["--no-cache", "--sandbox", sandbox],
            );
            assert_eq!(outcomes(&v), expected, "{sandbox}: {v:#?}\n{stderr}");
            (v, tmp)
        })
        .collect()
}

#[test]
fn shipped_references_pass_and_known_bad_answers_fail_in_both_sandboxes() {
    for sandbox in ["wasm", "process"] {
        let o = passk()
            .args(["selfcheck", "--json", "--sandbox", sandbox])
            .args(["--contests"])
            .arg(data("apps/test-fixture.jsonl"))
            .args(["--contests"])
            .arg(data("apps/taco-fixture.jsonl"))
            .args(["--contests"])
            .arg(data("code_contests/test-fixture.jsonl"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{sandbox}: {}", output_text(&o));
        let reports: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let formats: Vec<&str> = reports
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().rsplit(' ').next().unwrap())
            .collect();
        assert_eq!(
            formats,
            ["(apps)", "(apps)", "(code_contests)"],
            "{reports:#}"
        );
        for r in reports.as_array().unwrap() {
            let problems = r["problems"].as_u64().unwrap();
            assert_eq!(r["checked"]["reference"][0], problems, "{sandbox}: {r:#}");
            assert_eq!(
                r["failures"].as_array().unwrap().len(),
                0,
                "{sandbox}: {r:#}"
            );
        }
    }
}

#[test]
fn code_contests_judges_tokens_and_honours_the_problems_limits() {
    let fixture = data("code_contests/test-fixture.jsonl");
    let record: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&fixture)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let shipped = |k: &str, i: usize| record[k]["solution"][i].as_str().unwrap().to_string();
    let (cpp, py2, py3, incorrect) = (
        shipped("solutions", 0),
        shipped("solutions", 1),
        shipped("solutions", 2),
        shipped("incorrect_solutions", 0),
    );
    let sum = "1000_A. Sum of Two";
    let half = "1001_B. Half or Not";
    let samples = [
        (sum, py3.as_str()),
        (sum, incorrect.as_str()),
        // The C++ and Python 2 solutions are not Python 3 answers.
        (sum, cpp.as_str()),
        (sum, py2.as_str()),
        // 1.3 s against the problem's 1 s.
        (
            sum,
            "import time\na, b = map(int, input().split())\ntime.sleep(1.3)\nprint(a + b)\n",
        ),
        // 400 MB against the problem's 256 MB (passk's default would allow 512 MiB).
        (
            sum,
            "x = bytearray(400 * 1024 * 1024)\na, b = map(int, input().split())\nprint(a + b)\n",
        ),
        // Lower case and 1e-5 are the harness's rule; rounding to 2 decimals is not.
        (
            half,
            "n = int(input())\nprint('yes' if n % 2 == 0 else 'no')\nprint(n / 3)\n",
        ),
        (
            half,
            "n = int(input())\nprint('YES' if n % 2 == 0 else 'NO')\nprint(round(n / 3, 2))\n",
        ),
    ];
    for (v, tmp) in judged_in_both_sandboxes(
        &fixture,
        &samples,
        &[
            "passed",
            "wrong_answer",
            "syntax_error",
            "syntax_error",
            "timeout",
            "memory_limit",
            "passed",
            "wrong_answer",
        ],
    ) {
        assert!(
            v[1].2.contains("token 1: expected \"3\", got \"-1\""),
            "{v:?}"
        );
        assert!(
            v[4].2.contains("over the benchmark's limit of 1 s"),
            "{v:?}"
        );
        assert!(
            v[7].2.contains("expected \"1.333333333\", got \"1.33\""),
            "{v:?}"
        );
        // Scores per source and difficulty, as the records name them.
        let summary = crate::common::summary(&tmp.path().join("run"));
        let facets = summary["by_facet"].as_object().unwrap();
        assert!(facets.contains_key("source:codeforces"), "{summary:#}");
        assert!(facets.contains_key("difficulty:a"), "{summary:#}");
    }
}

#[test]
fn apps_judges_as_its_harness_does() {
    let fixture = data("apps/test-fixture.jsonl");
    let samples = [
        // APPS's comparison ignores line order (a set of per-line token sets)...
        (
            "4000",
            "n = int(input())\na = list(map(int, input().split()))\nprint(max(a))\nprint(sum(a))\n",
        ),
        // ...but not how tokens are split into lines.
        (
            "4000",
            "n = int(input())\na = list(map(int, input().split()))\nprint(sum(a), max(a))\n",
        ),
        // The harness's imports come first: `gcd` and `deque` need none of the answer's.
        (
            "4000",
            "n = int(input())\na = deque(map(int, input().split()))\nprint(sum(a))\nprint(max(a) + gcd(0, 0))\n",
        ),
        // Call-based: the expected value is unwrapped from APPS's list.
        (
            "4001",
            "def reverse_words(s):\n    return ' '.join(reversed(s.split(' ')))\n",
        ),
        ("4001", "def reverse_words(s):\n    return s\n"),
        // An object equal to everything is not plain data.
        (
            "4001",
            "class Eq:\n    def __eq__(self, o):\n        return True\ndef reverse_words(s):\n    return Eq()\n",
        ),
        // A tuple is a list; the dict argument's keys are integers again.
        (
            "4002",
            "class Solution:\n    def extremes(self, d):\n        assert all(type(k) is int for k in d)\n        return (min(d), max(d))\n",
        ),
        // A slow call: APPS gives each test 4 s.
        (
            "4002",
            "import time\nclass Solution:\n    def extremes(self, d):\n        time.sleep(4.5)\n        return [min(d), max(d)]\n",
        ),
    ];
    for (v, _) in judged_in_both_sandboxes(
        &fixture,
        &samples,
        &[
            "passed",
            "wrong_answer",
            "passed",
            "passed",
            "wrong_answer",
            "runtime_error",
            "passed",
            "timeout",
        ],
    ) {
        assert!(
            v[1].2.contains("line 1: expected \"6\", got \"6 3\""),
            "{v:?}"
        );
        assert!(
            v[4].2
                .contains("expected ['world hello'], got 'hello world'"),
            "{v:?}"
        );
        assert!(v[7].2.contains("limit of 4 s"), "{v:?}");
    }
}

#[test]
fn a_record_of_the_wrong_shape_names_its_line_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let first = std::fs::read_to_string(data("code_contests/test-fixture.jsonl")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    v["private_tests"] = serde_json::json!({"input": ["1 2\n"], "output": []});
    let path = tmp.path().join("cc.jsonl");
    std::fs::write(&path, format!("{}\n{v}\n", first.lines().next().unwrap())).unwrap();
    let o = passk()
        .args(["exec", "--samples", "/dev/null", "--problems"])
        .arg(&path)
        .arg("--out")
        .arg(tmp.path().join("run"))
        .output()
        .unwrap();
    let text = output_text(&o);
    assert!(!o.status.success(), "{text}");
    assert!(
        text.contains("cc.jsonl:2:")
            && text.contains("field `private_tests` has 1 inputs but 0 outputs"),
        "{text}"
    );
}

#[test]
fn taco_judges_the_stdout_text_as_its_harness_does() {
    let fixture = data("apps/taco-fixture.jsonl");
    let id = "taco/0";
    let samples = [
        // The harness's names after the answer's own leading imports: `from __future__`
        // stays first, `stdin` and `gcd` come from TACO's header.
        (
            id,
            "from __future__ import annotations\nxs = list(map(int, stdin.readline().split()))\nfor v in sorted(set(xs)):\n    print(v + gcd(0, 0))\nprint(sum(xs) / len(xs))\n",
        ),
        // What APPS's lines take and TACO's text does not: another line order.
        (
            id,
            "xs = list(map(int, input().split()))\nfor v in sorted(set(xs), reverse=True):\n    print(v)\nprint(sum(xs) / len(xs))\n",
        ),
        // What TACO takes and APPS does not: the values on one line and `2` for `2.0`
        // (the set of the tokens' digits, rounded, equals the set of the expected lines).
        (
            id,
            "xs = list(map(int, input().split()))\nprint(*sorted(set(xs)))\nprint(sum(xs) // len(xs))\n",
        ),
    ];
    for (v, _) in
        judged_in_both_sandboxes(&fixture, &samples, &["passed", "wrong_answer", "passed"])
    {
        assert!(
            v[1].2.contains("test 0: line 1: expected \"1\", got \"3\""),
            "{v:?}"
        );
    }
}
