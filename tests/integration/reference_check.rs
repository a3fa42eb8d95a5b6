//! Reference-first scoring through the real binary: references run before any sample, a
//! problem whose reference fails is excluded and named, a language with too many failing
//! references is refused (exit 4, no score), known-defects lists are applied and checked.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{output_text as text, summary};

const HUMANEVAL: &str = "../shared/datasets/humaneval/HumanEval.jsonl.gz";
const PROBLEMS: usize = 25;

/// The first problems of the real HumanEval file, the tests of those in `sabotaged` made to
/// fail whatever the solution; and a samples file of every canonical solution.
fn files(dir: &Path, sabotaged: &[usize]) -> (PathBuf, PathBuf) {
    let (mut problems, mut samples) = (String::new(), String::new());
    for (i, line) in crate::common::dataset_lines(HUMANEVAL)
        .iter()
        .take(PROBLEMS)
        .enumerate()
    {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if sabotaged.contains(&i) {
            let test = v["test"].as_str().unwrap().to_string();
            v["test"] = format!("{test}    assert False, 'sabotaged test'\n").into();
        }
        problems.push_str(&format!("{v}\n"));
        let s = serde_json::json!({"task_id": v["task_id"], "completion": v["canonical_solution"]});
        samples.push_str(&format!("{s}\n"));
    }
    let (p, s) = (dir.join("problems.jsonl"), dir.join("samples.jsonl"));
    std::fs::write(&p, problems).unwrap();
    std::fs::write(&s, samples).unwrap();
    (p, s)
}

fn exec(problems: &Path, samples: &Path, out: &Path, extra: &[&str]) -> Output {
    crate::common::passk()
        .args(["exec", "--no-cache", "--problems"])
        .arg(problems)
        .arg("--samples")
        .arg(samples)
        .arg("--out")
        .arg(out)
        .args(extra)
        .env("CI", "true")
        .output()
        .expect("run passk")
}

#[test]
fn a_benchmark_whose_tests_all_fail_is_refused_not_scored() {
    let tmp = tempfile::tempdir().unwrap();
    let all: Vec<usize> = (0..PROBLEMS).collect();
    let (problems, samples) = files(tmp.path(), &all);
    let out = tmp.path().join("out");
    let o = exec(&problems, &samples, &out, &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(4), "{t}");
    assert!(
        t.contains("REFUSED python: 25 of 25 reference solutions fail"),
        "{t}"
    );
    // The first failing reference is named with its runtime output.
    assert!(t.contains("HumanEval/0 (python): wrong_answer"), "{t}");
    assert!(t.contains("sabotaged test"), "{t}");
    let s = summary(&out);
    assert_eq!(s["complete"], false);
    assert_eq!(s["references_checked"], 25);
    assert_eq!(s["refused"][0]["language"], "python");
    assert_eq!(s["refused"][0]["failing"], 25);
    assert!(s["by_language"].get("python").is_none(), "{s}");
    assert!(s["overall"]["pass_at_k"].get("pass@1").is_none(), "{s}");
    assert_eq!(s["samples_executed"], 0);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("**python refused:** 25 of 25"), "{report}");

    // Without the check the same run scores (badly) and exits 0.
    let out = tmp.path().join("unchecked");
    let o = exec(&problems, &samples, &out, &["--no-reference-check"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = summary(&out);
    assert_eq!(s["overall"]["pass_at_k"]["pass@1"], 0.0);
    assert!(s.get("references_checked").is_none(), "{s}");
    assert!(!out.join("references.json").exists());
}

#[test]
fn one_failing_reference_is_excluded_and_named_and_the_rest_score() {
    let tmp = tempfile::tempdir().unwrap();
    let (problems, samples) = files(tmp.path(), &[3]);
    let out = tmp.path().join("out");
    let o = exec(&problems, &samples, &out, &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("excluded HumanEval/3 (python): its reference fails here: wrong_answer"),
        "{t}"
    );
    let s = summary(&out);
    assert_eq!(s["complete"], true);
    assert_eq!(s["excluded"].as_array().unwrap().len(), 1, "{s}");
    let e = &s["excluded"][0];
    assert_eq!(
        (&e["task_id"], &e["language"], &e["outcome"]),
        (
            &"HumanEval/3".into(),
            &"python".into(),
            &"wrong_answer".into()
        )
    );
    assert!(!e["detail"].as_str().unwrap().is_empty());
    assert_eq!(s["overall"]["problems"], 24);
    assert_eq!(s["samples_expected"], 24);
    assert_eq!(s["overall"]["pass_at_k"]["pass@1"], 1.0);
    for report in ["report.md", "report.html"] {
        let r = std::fs::read_to_string(out.join(report)).unwrap();
        assert!(
            r.contains("Excluded problems") && r.contains("HumanEval/3"),
            "{report}"
        );
    }

    // A user's known-defects list: its problem is excluded as a known defect, even though
    // its reference passes, and the run stays complete.
    let list = tmp.path().join("defects.toml");
    std::fs::write(
        &list,
        "[[defect]]\nbenchmark = \"humaneval\"\ntask_id = \"HumanEval/5\"\n\
         reason = \"tests disagree with the docstring\"\nsource = \"our review\"\n",
    )
    .unwrap();
    let out = tmp.path().join("listed");
    let o = exec(
        &problems,
        &samples,
        &out,
        &["--known-defects", list.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = summary(&out);
    let excluded: Vec<(&str, bool)> = s["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["task_id"].as_str().unwrap(),
                e.get("known_defect").is_some(),
            )
        })
        .collect();
    assert_eq!(excluded, [("HumanEval/3", false), ("HumanEval/5", true)]);
    assert_eq!(s["overall"]["problems"], 23);

    // An id the problems file does not have is an input error naming file and line.
    std::fs::write(
        &list,
        "[[defect]]\nbenchmark = \"humaneval\"\ntask_id = \"HumanEval/160\"\n\
         reason = \"r\"\nsource = \"s\"\n",
    )
    .unwrap();
    let o = exec(
        &problems,
        &samples,
        &tmp.path().join("bad"),
        &["--known-defects", list.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains(&format!(
            "{}:3: `HumanEval/160` is not in the problems file",
            list.display()
        )),
        "{}",
        text(&o)
    );
}
