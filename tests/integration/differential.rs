//! Both sandbox paths give the same verdict: every reference passk has for a language with a
//! WASM guest (HumanEval, sanitized MBPP, HumanEval-X's Python, JavaScript and C++, the
//! MultiPL-E selfcheck completions with their known-bad variants, passk's own core and io
//! suites), plus a wrong answer for each HumanEval problem, runs in the WASM guest and in the
//! bubblewrap process sandbox; any outcome that differs fails, except the few listed below
//! with why.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use passk::lang::Language;
use passk::problem::cruxeval::Prediction;
use passk::problem::{Code, ProblemSet};
use passk::sandbox::{Limits, Program, Sandbox};

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/datasets");

/// Programs whose verdicts differ by design: the WASM guest has no Boost and no OpenSSL
/// (`toolchain_missing` there; `--sandbox auto` runs them in the process sandbox).
const EXPECTED: &[&str] = &["CPP/22", "CPP/137", "CPP/162"];

/// A program to run in both sandboxes: what it is, and the time its problem is allowed
/// (MBPP's known-slow references get theirs, as in a run).
type Check = (String, Program, Option<Duration>);

fn references(set: &ProblemSet, languages: &[Language]) -> Vec<Check> {
    set.problems
        .iter()
        .filter(|p| languages.contains(&p.language))
        .filter_map(|p| {
            let code = p.reference_code()?;
            Some((
                format!("{} {}", p.id, p.language),
                p.program_for(&code).program,
                p.time_limit,
            ))
        })
        .collect()
}

fn load(path: &Path) -> ProblemSet {
    ProblemSet::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn programs() -> Vec<Check> {
    let d = Path::new(DATASETS);
    let wasm = [
        Language::Python,
        Language::JavaScript,
        Language::Cpp,
        Language::C,
    ];
    let mut all = Vec::new();
    let humaneval = d.join("humaneval/HumanEval.jsonl.gz");
    let set = load(&humaneval);
    all.extend(references(&set, &wasm));
    for p in &set.problems {
        let wrong = p
            .program_for(&Code::Completion("    return None\n".into()))
            .program;
        all.push((format!("{} wrong", p.id), wrong, None));
    }
    all.extend(references(
        &load(&d.join("mbpp/sanitized-mbpp.json.gz")),
        &wasm,
    ));
    // CRUXEval's ground truth as both tasks' answers.
    let crux = d.join("cruxeval/cruxeval-first100.jsonl");
    for task in [Prediction::OutputPrediction, Prediction::InputPrediction] {
        all.extend(references(
            &ProblemSet::load_for(&crux, Some(task)).unwrap(),
            &wasm,
        ));
    }
    for lang in ["python", "js", "cpp"] {
        let f = d.join(format!("humaneval-x/humaneval_{lang}.jsonl.gz"));
        all.extend(references(&load(&f), &wasm));
    }
    for suite in ["problems/core", "problems/io"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(suite);
        all.extend(references(&load(&dir), &wasm));
    }
    for language in [Language::Python, Language::JavaScript, Language::Cpp] {
        let programs =
            passk::selfcheck::languages::reference_programs(&d.join("multipl-e"), language)
                .unwrap();
        for (i, p) in programs.into_iter().enumerate() {
            all.push((format!("multipl-e {language} #{i}"), p, None));
        }
    }
    all
}

#[test]
fn every_reference_has_one_verdict_in_both_sandboxes() {
    let programs = programs();
    let wasm = crate::common::sandbox(false);
    let process = crate::common::process_sandbox();
    let limits = Limits {
        time: Duration::from_secs(20),
        ..Limits::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let verdicts = rt.block_on(async {
        let sem = Arc::new(tokio::sync::Semaphore::new(2));
        let mut set = tokio::task::JoinSet::new();
        for (i, (what, program, slow)) in programs.into_iter().enumerate() {
            let (wasm, process, sem) = (wasm.clone(), process.clone(), sem.clone());
            let limits = limits.for_problem(slow, None);
            set.spawn(async move {
                let _permit = sem.acquire().await.unwrap();
                let w = wasm.run(&program, &limits).await;
                let p = process.run(&program, &limits).await;
                (i, what, w, p)
            });
        }
        let mut out = Vec::new();
        while let Some(r) = set.join_next().await {
            out.push(r.unwrap());
        }
        out.sort_by_key(|r| r.0);
        out
    });
    let mut differ = Vec::new();
    for (_, what, w, p) in &verdicts {
        let expected = EXPECTED
            .iter()
            .any(|id| what.starts_with(&format!("{id} ")));
        if expected {
            // A missing library in WASM is a harness fault there, never the program's.
            assert_eq!(
                w.outcome,
                passk::outcome::Outcome::ToolchainMissing,
                "{what}: {w:?}"
            );
            assert_eq!(p.outcome, passk::outcome::Outcome::Passed, "{what}: {p:?}");
            continue;
        }
        for e in [w, p] {
            assert!(!e.outcome.is_harness_fault(), "{what}: {e:?}");
        }
        if w.outcome != p.outcome {
            differ.push(format!(
                "{what}: wasm {} ({}) vs process {} ({})",
                w.outcome, w.detail, p.outcome, p.detail
            ));
        }
    }
    eprintln!("{} programs in both sandboxes", verdicts.len());
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
