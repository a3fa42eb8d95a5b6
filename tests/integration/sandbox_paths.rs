//! `--sandbox wasm` and `--sandbox process` give the same verdicts on the selfcheck sets of
//! the languages that have both paths: MultiPL-E Python, JavaScript and C++ (hand-written
//! correct and known-bad completions) and HumanEval's references with their bad variants.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use passk::problem::ProblemSet;
use passk::runner::{Cancel, Quiet};
use passk::sandbox::Limits;
use passk::sandbox::process::ProcessOptions;
use passk::sandbox::router::{Router, SandboxChoice};
use passk::sandbox::wasm::{WasmOptions, WasmSandbox};
use passk::selfcheck::{SetReport, check_set, languages};
use passk::setup::Paths;

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/datasets");

fn router(choice: SandboxChoice) -> Arc<Router> {
    let wasm = WasmSandbox::new(
        Paths::from_env(),
        WasmOptions {
            deterministic: false,
            python_fallback: false,
            slots: 4,
        },
    )
    .expect("engine");
    Arc::new(Router::new(
        choice,
        wasm,
        ProcessOptions {
            supervisor: PathBuf::from(env!("CARGO_BIN_EXE_passk")),
            unsafe_no_isolation: false,
            deterministic: false,
        },
    ))
}

fn both(f: impl Fn(Arc<Router>) -> Vec<SetReport>) {
    let wasm = f(router(SandboxChoice::Wasm));
    let process = f(router(SandboxChoice::Process));
    assert_eq!(wasm.len(), process.len());
    for (w, p) in wasm.iter().zip(&process) {
        assert!(
            w.skipped.is_none() && p.skipped.is_none(),
            "{:?} {:?}",
            w.skipped,
            p.skipped
        );
        assert!(w.ok(), "wasm: {}", passk_render(w));
        assert!(p.ok(), "process: {}", passk_render(p));
        assert!(!w.verdicts.is_empty());
        assert_eq!(
            w.verdicts, p.verdicts,
            "{} differs between the sandboxes",
            w.name
        );
    }
}

fn passk_render(r: &SetReport) -> String {
    format!("{} failures: {:?}", r.name, r.failures)
}

#[test]
fn multipl_e_selfcheck_verdicts_agree() {
    let dir = Path::new(DATASETS).join("multipl-e");
    both(|sb| {
        languages::check(
            &dir,
            &[
                passk::lang::Language::Python,
                passk::lang::Language::JavaScript,
                passk::lang::Language::Cpp,
            ],
            sb,
            &Limits::default(),
            2,
            &Cancel::default(),
            &Quiet,
        )
    });
}

#[test]
fn humaneval_selfcheck_verdicts_agree() {
    let all = ProblemSet::load(&Path::new(DATASETS).join("humaneval/HumanEval.jsonl.gz")).unwrap();
    // Every 8th problem keeps the test short; each still gets every bad variant.
    let some: Vec<_> = all.problems.iter().step_by(8).cloned().collect();
    let set = ProblemSet::new(some, &all.format, all.sha256.clone());
    both(|sb| {
        vec![check_set(
            passk::selfcheck::SetToCheck {
                name: "humaneval",
                set: &set,
                known: &passk::problem::defects::KnownDefects::shipped(),
            },
            sb,
            &Limits::default(),
            2,
            &Cancel::default(),
            &Quiet,
        )]
    });
}
