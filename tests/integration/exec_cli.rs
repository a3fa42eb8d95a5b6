//! `passk exec` end to end through the real binary: run directory contents, resume after a
//! torn write and after kill -9, and clear errors (exit 3, file and line) on bad input.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const HUMANEVAL: &str = "../shared/datasets/humaneval/HumanEval.jsonl.gz";

fn passk(args: &[&str]) -> Output {
    crate::common::passk()
        .args(args)
        .env("CI", "true")
        .output()
        .expect("run passk")
}

/// `passk exec` on HumanEval with `samples` into `out`, plus `extra` flags; the shared
/// execution cache stays out of it unless `extra` names a `--cache-dir`.
fn exec_cmd(samples: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = crate::common::passk();
    c.arg("exec").args(extra);
    if !extra.contains(&"--cache-dir") {
        c.arg("--no-cache");
    }
    c.args(["--problems", HUMANEVAL, "--samples"])
        .arg(samples)
        .arg("--out")
        .arg(out)
        .env("CI", "true");
    c
}

fn exec(samples: &Path, out: &Path, extra: &[&str]) -> Output {
    exec_cmd(samples, out, extra).output().expect("run passk")
}

/// Waits until `dir` holds at least `n` results (or a minute passed).
fn wait_for_results(dir: &Path, n: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(dir.join("results.jsonl"))
        .map(|s| s.lines().count())
        .unwrap_or(0)
        < n
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn results(dir: &Path) -> BTreeSet<(String, usize, String)> {
    std::fs::read_to_string(dir.join("results.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["task_id"].as_str().unwrap().to_string(),
                v["sample_index"].as_u64().unwrap() as usize,
                v["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn line_count(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("results.jsonl"))
        .unwrap()
        .lines()
        .count()
}

/// HumanEval canonical solutions, `copies` of each, plus a wrong one per problem.
fn humaneval_samples(dir: &Path, copies: usize, limit: usize) -> PathBuf {
    let problems = passk::problem::ProblemSet::load(Path::new(HUMANEVAL)).unwrap();
    let mut out = String::new();
    for p in problems.problems.iter().take(limit) {
        for _ in 0..copies {
            let s =
                serde_json::json!({"task_id": p.id, "completion": p.reference.clone().unwrap()});
            out.push_str(&format!("{s}\n"));
        }
        let s = serde_json::json!({"task_id": p.id, "completion": "    return None\n"});
        out.push_str(&format!("{s}\n"));
    }
    let path = dir.join("samples.jsonl");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn exec_writes_a_run_directory_and_resumes_after_a_torn_write() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = humaneval_samples(tmp.path(), 2, 20);
    let full = tmp.path().join("full");
    let o = exec(&samples, &full, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let want = results(&full);
    assert_eq!(want.len(), 60);
    assert_eq!(want.iter().filter(|r| r.2 == "passed").count(), 40);
    let summary: serde_json::Value = crate::common::summary(&full);
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["samples_executed"], 60);
    assert!((summary["overall"]["pass_at_k"]["pass@1"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(full.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["problems_format"], "humaneval");
    let report = std::fs::read_to_string(full.join("report.md")).unwrap();
    assert!(report.contains("| python | 20 | 60 | 66.7%"), "{report}");
    let junit = std::fs::read_to_string(full.join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), 20, "{junit}");
    assert!(junit.contains("failures=\"20\""), "{junit}");

    // Keep the first 25 lines and half of the 26th, as a crash mid-write would.
    let partial = tmp.path().join("partial");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::copy(full.join("manifest.json"), partial.join("manifest.json")).unwrap();
    let content = std::fs::read_to_string(full.join("results.jsonl")).unwrap();
    let lines: Vec<&str> = content.lines().collect();
    let mut torn = lines[..25].join("\n");
    torn.push('\n');
    torn.push_str(&lines[25][..lines[25].len() / 2]);
    std::fs::write(partial.join("results.jsonl"), torn).unwrap();
    let o = exec(&samples, &partial, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(results(&partial), want);
    assert_eq!(line_count(&partial), 60, "no line doubled");

    // Rerunning a finished run executes nothing and changes nothing.
    let o = exec(&samples, &partial, &[]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(line_count(&partial), 60);

    // Other inputs into the same directory are refused.
    let other = tmp.path().join("other.jsonl");
    std::fs::write(
        &other,
        "{\"task_id\": \"HumanEval/0\", \"completion\": \"    pass\\n\"}\n",
    )
    .unwrap();
    let o = exec(&other, &partial, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("different samples"), "{}", text(&o));
}

#[test]
fn kill_9_then_rerun_equals_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = humaneval_samples(tmp.path(), 3, 164);
    let full = tmp.path().join("full");
    let o = exec(&samples, &full, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let want = results(&full);

    let killed = tmp.path().join("killed");
    let mut child = exec_cmd(&samples, &killed, &[])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill once some, but not all, results are written.
    wait_for_results(&killed, 50);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = std::fs::read_to_string(killed.join("results.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert!(
        before < want.len(),
        "killed too late to test anything ({before})"
    );

    let o = exec(&samples, &killed, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(results(&killed), want);
    assert_eq!(line_count(&killed), want.len(), "no line doubled or lost");
}

#[test]
fn bad_input_is_a_clear_error_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let write = |name: &str, content: &[u8]| {
        let p = tmp.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    };
    let run = |problems: &str, samples: &Path| {
        passk(&[
            "exec",
            "--problems",
            problems,
            "--samples",
            samples.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };

    // (file name, samples content, what the message must name)
    let cases: [(&str, &[u8], &[&str]); 4] = [
        (
            "malformed.jsonl",
            b"{\"task_id\": \"HumanEval/0\", \"completion\": \"\"}\n{not json\n",
            &["malformed.jsonl:2"],
        ),
        (
            "unknown.jsonl",
            b"\n{\"task_id\": \"HumanEval/999\", \"completion\": \"\"}\n",
            &["unknown.jsonl:2", "HumanEval/999"],
        ),
        (
            "nocode.jsonl",
            b"{\"task_id\": \"HumanEval/0\"}\n",
            &["nocode.jsonl:1", "completion"],
        ),
        (
            "utf8.jsonl",
            b"{\"task_id\": \"HumanEval/0\", \"completion\": \"\xff\"}\n",
            &["utf8.jsonl:1", "UTF-8"],
        ),
    ];
    for (name, content, needles) in cases {
        let o = run(HUMANEVAL, &write(name, content));
        assert_eq!(o.status.code(), Some(3), "{name}: {}", text(&o));
        for n in needles {
            assert!(
                text(&o).contains(n),
                "{name}: missing {n:?} in {}",
                text(&o)
            );
        }
    }
    let unknown = tmp.path().join("unknown.jsonl");

    let wrong_format = write("problems.jsonl", b"{\"name\": \"x\", \"tests\": \"\"}\n");
    let o = run(wrong_format.to_str().unwrap(), &unknown);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o).contains("problems.jsonl") && text(&o).contains("not a problems file"),
        "{}",
        text(&o)
    );

    let o = run("/nonexistent/problems.jsonl", &unknown);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o).contains("/nonexistent/problems.jsonl"),
        "{}",
        text(&o)
    );
}

#[test]
fn invalid_utf8_output_is_recorded_not_fatal() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = tmp.path().join("s.jsonl");
    let completion = "    import sys\n    sys.stdout.buffer.write(b'\\xff\\xfe bad bytes')\n    sys.stdout.flush()\n    return False\n";
    std::fs::write(
        &samples,
        format!(
            "{}\n",
            serde_json::json!({"task_id": "HumanEval/0", "completion": completion})
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = exec(&samples, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let line = std::fs::read_to_string(out.join("results.jsonl")).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(v["outcome"], "wrong_answer");
    assert!(v["stdout"].as_str().unwrap().contains("bad bytes"));
}

#[test]
fn missing_or_corrupt_guest_is_a_loud_harness_fault() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = tmp.path().join("s.jsonl");
    std::fs::write(
        &samples,
        "{\"task_id\": \"HumanEval/0\", \"completion\": \"    return True\\n\"}\n",
    )
    .unwrap();
    let cache = tmp.path().join("cache");
    let run = |out: &str| {
        crate::common::passk()
            .args([
                "exec",
                "--problems",
                HUMANEVAL,
                "--samples",
                samples.to_str().unwrap(),
                "--out",
            ])
            .arg(tmp.path().join(out))
            .env("CI", "true")
            .env("PASSK_CACHE", &cache)
            .output()
            .unwrap()
    };
    let o = run("missing");
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        text(&o).contains("HARNESS FAULT") && text(&o).contains("passk setup"),
        "{}",
        text(&o)
    );
    // The reference check met the fault first: Python is refused, nothing is scored.
    assert!(text(&o).contains("REFUSED python"), "{}", text(&o));
    let r = std::fs::read_to_string(tmp.path().join("missing/references.json")).unwrap();
    assert!(r.contains("toolchain_missing"), "{r}");

    let guest = passk::setup::Paths::at(&cache).python_component();
    std::fs::create_dir_all(guest.parent().unwrap()).unwrap();
    std::fs::write(&guest, b"\0asm garbage").unwrap();
    let o = run("corrupt");
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("could not be loaded"), "{}", text(&o));
}

#[test]
fn ctrl_c_saves_what_finished_exits_130_and_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    // Slow samples (each sleeps), so that the interrupt lands mid-run.
    let problems = passk::problem::ProblemSet::load(Path::new(HUMANEVAL)).unwrap();
    let reference = problems
        .get("HumanEval/0")
        .unwrap()
        .reference
        .clone()
        .unwrap();
    let mut s = String::new();
    for i in 0..40 {
        let body = if i % 2 == 0 {
            reference.as_str()
        } else {
            "    return None\n"
        };
        let completion = format!("    import time\n    time.sleep(0.2)\n{body}");
        s.push_str(&format!(
            "{}\n",
            serde_json::json!({"task_id": "HumanEval/0", "completion": completion})
        ));
    }
    let samples = tmp.path().join("s.jsonl");
    std::fs::write(&samples, s).unwrap();
    let out = tmp.path().join("out");
    let child = exec_cmd(&samples, &out, &["--no-dedup", "-j", "2"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_results(&out, 4);
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", text(&o));
    assert!(text(&o).contains("interrupted"), "{}", text(&o));
    let saved = line_count(&out);
    assert!((4..40).contains(&saved), "{saved}");
    let summary: serde_json::Value = crate::common::summary(&out);
    assert_eq!(summary["complete"], false);

    let o = exec(&samples, &out, &["--no-dedup"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(line_count(&out), 40);
    let r = results(&out);
    assert_eq!(r.len(), 40);
    assert_eq!(
        r.iter().filter(|x| x.2 == "wrong_answer").count(),
        20,
        "{r:?}"
    );
}

#[test]
fn merged_shards_equal_the_unsharded_run() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = humaneval_samples(tmp.path(), 2, 40);
    let full = tmp.path().join("full");
    assert_eq!(exec(&samples, &full, &[]).status.code(), Some(0));
    let mut dirs = Vec::new();
    for i in 0..3 {
        let d = tmp.path().join(format!("shard-{i}"));
        let shard = format!("{i}/3");
        let o = exec(&samples, &d, &["--shard", &shard]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let n = line_count(&d);
        assert!(n > 0 && n < 120, "shard {i}: {n}");
        dirs.push(d);
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge", "--out", merged.to_str().unwrap()];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    let o = passk(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(results(&merged), results(&full));
    let summary = |d: &Path| -> serde_json::Value {
        let mut v: serde_json::Value = crate::common::summary(d);
        // Timing differs between runs; everything else must not.
        v["overall"]["mean_duration_ms"] = serde_json::Value::Null;
        v["by_language"]["python"]["mean_duration_ms"] = serde_json::Value::Null;
        v
    };
    assert_eq!(summary(&merged), summary(&full));
    assert!(merged.join("report.md").is_file() && merged.join("junit.xml").is_file());

    // A missing or doubled shard is refused.
    let o = passk(&[
        "merge",
        "--out",
        tmp.path().join("m2").to_str().unwrap(),
        dirs[0].to_str().unwrap(),
        dirs[1].to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("missing"), "{}", text(&o));
    let o = passk(&[
        "merge",
        "--out",
        tmp.path().join("m3").to_str().unwrap(),
        dirs[0].to_str().unwrap(),
        dirs[0].to_str().unwrap(),
        dirs[2].to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("twice"), "{}", text(&o));
}

#[test]
fn rescoring_the_same_samples_executes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = humaneval_samples(tmp.path(), 1, 30);
    let cache = tmp.path().join("cache");
    let cache = cache.to_str().unwrap();
    let first = tmp.path().join("first");
    let second = tmp.path().join("second");
    assert_eq!(
        exec(&samples, &first, &["--cache-dir", cache])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        exec(&samples, &second, &["--cache-dir", cache])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(results(&first), results(&second));
    let reused = |d: &Path| {
        std::fs::read_to_string(d.join("results.jsonl"))
            .unwrap()
            .lines()
            .filter(|l| l.contains("\"reused\":true"))
            .count()
    };
    // The canonical samples are the programs the reference check ran just before.
    assert_eq!(reused(&first), 30, "the references' verdicts are reused");
    assert_eq!(reused(&second), 60, "every verdict came from the cache");
    // --no-cache executes again.
    let third = tmp.path().join("third");
    assert_eq!(
        exec(&samples, &third, &["--cache-dir", cache, "--no-cache"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(reused(&third), 0);
}

#[test]
fn without_bubblewrap_the_process_sandbox_refuses_unless_told_to_run_unisolated() {
    let tmp = tempfile::tempdir().unwrap();
    let problems = tmp.path().join("p.jsonl");
    std::fs::write(
        &problems,
        r#"{"name": "add", "language": "sh", "prompt": "add() {\n", "tests": "}\n[[ $(add 1 2) = 3 ]]\n", "stop_tokens": ["\n}"]}"#,
    )
    .unwrap();
    let samples = tmp.path().join("s.jsonl");
    std::fs::write(
        &samples,
        r#"{"task_id": "add", "completion": "    echo $(( $1 + $2 ))\n}\nexit 9"}"#,
    )
    .unwrap();
    // A PATH with bash but no bwrap: isolation cannot be set up.
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink("/bin/bash", bin.join("bash")).unwrap();
    let run = |out: &str, extra: &[&str]| {
        crate::common::passk()
            .args(["exec", "--no-cache", "--problems"])
            .arg(&problems)
            .arg("--samples")
            .arg(&samples)
            .arg("--out")
            .arg(tmp.path().join(out))
            .args(extra)
            .env("CI", "true")
            .env("PATH", &bin)
            .output()
            .unwrap()
    };
    let o = run("refused", &[]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("--unsafe-no-isolation"), "{}", text(&o));
    let r = std::fs::read_to_string(tmp.path().join("refused/results.jsonl")).unwrap();
    assert!(r.contains("sandbox_error"), "{r}");

    let o = run("unsafe", &["--unsafe-no-isolation"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = std::fs::read_to_string(tmp.path().join("unsafe/results.jsonl")).unwrap();
    assert!(
        r.contains("\"passed\"") && r.contains("no isolation"),
        "{r}"
    );
}

/// HumanEval-X in its six languages, from the real files: problem 0 of each, with its
/// canonical solution and one that always returns false. Every reference passes and every
/// wrong completion is a `wrong_answer`, including JavaScript's `console.assert`, which only
/// prints to stderr, Go's testify assertions and Rust's `#[test]` functions.
#[test]
fn humaneval_x_conventions_per_language() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut problems, mut samples) = (String::new(), String::new());
    for lang in ["python", "cpp", "java", "js", "go", "rust"] {
        let path = format!("../shared/datasets/humaneval-x/humaneval_{lang}.jsonl.gz");
        let lines = crate::common::dataset_lines(&path);
        let first = &lines[0];
        problems.push_str(first);
        problems.push('\n');
        let v: serde_json::Value = serde_json::from_str(first).unwrap();
        let reference = v["canonical_solution"].as_str().unwrap();
        // Its last line returns false; from there on is a solution that always does.
        let at = reference.to_lowercase().rfind("return false").unwrap();
        let wrong = &reference[reference[..at].rfind('\n').map_or(0, |i| i + 1)..];
        for (model, completion) in [("reference", reference), ("wrong", wrong)] {
            let s = serde_json::json!({"task_id": v["task_id"], "model": model, "completion": completion});
            samples.push_str(&format!("{s}\n"));
        }
    }
    let (p, s) = (tmp.path().join("p.jsonl"), tmp.path().join("s.jsonl"));
    std::fs::write(&p, problems).unwrap();
    std::fs::write(&s, samples).unwrap();
    let o = crate::common::passk()
        .args(["exec", "--no-cache", "--problems"])
        .arg(&p)
        .arg("--samples")
        .arg(&s)
        .arg("--out")
        .arg(tmp.path().join("run"))
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = std::fs::read_to_string(tmp.path().join("run/results.jsonl")).unwrap();
    let mut seen = 0;
    for line in r.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let want = if v["model"] == "reference" {
            "passed"
        } else {
            "wrong_answer"
        };
        assert_eq!(v["outcome"], want, "{line}");
        seen += 1;
    }
    assert_eq!(seen, 12);
}

/// passk's own suite: a folder of TOML problems, rendered per language; the results the
/// harness prints are judged on the host, naming the failing test with expected and got —
/// and a result object that claims to equal anything is judged by what it prints.
#[test]
fn native_suite_is_judged_on_the_host() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = tmp.path().join("s.jsonl");
    let lines = [
        r#"{"task_id": "core/vowel-runs", "language": "python", "completion": "    return sum(1 for i, c in enumerate(text.lower()) if c in 'aeiou' and (i == 0 or text.lower()[i - 1] not in 'aeiou'))\n"}"#,
        r#"{"task_id": "core/vowel-runs", "language": "javascript", "completion": "  return text.length;\n}\n"}"#,
        r#"{"task_id": "core/vowel-runs", "language": "python", "completion": "    class Any:\n        def __eq__(self, other):\n            return True\n    return Any()\n"}"#,
        r#"{"task_id": "core/rotate-grid", "language": "rust", "completion": "    grid\n}\n"}"#,
    ];
    std::fs::write(&samples, lines.join("\n")).unwrap();
    let o = crate::common::passk()
        .args([
            "exec",
            "--no-cache",
            "--problems",
            "problems/core",
            "--samples",
        ])
        .arg(&samples)
        .arg("--out")
        .arg(tmp.path().join("run"))
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = std::fs::read_to_string(tmp.path().join("run/results.jsonl")).unwrap();
    let by_index: Vec<serde_json::Value> = r
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |task: &str, lang: &str, i: u64| {
        by_index
            .iter()
            .find(|v| v["task_id"] == task && v["language"] == lang && v["sample_index"] == i)
            .unwrap_or_else(|| panic!("{task} {lang} {i} in {r}"))
            .clone()
    };
    assert_eq!(find("core/vowel-runs", "python", 0)["outcome"], "passed");
    let js = find("core/vowel-runs", "javascript", 0);
    assert_eq!(js["outcome"], "wrong_answer");
    assert!(
        js["detail"]
            .as_str()
            .unwrap()
            .starts_with("test 2: expected 0, got 3"),
        "{js}"
    );
    assert_eq!(
        find("core/vowel-runs", "python", 1)["outcome"],
        "wrong_answer"
    );
    let rs = find("core/rotate-grid", "rust", 0);
    assert_eq!(rs["outcome"], "wrong_answer", "{rs}");
}
