//! Wrong solutions that try to pass anyway (tests/data/tricks.toml): exiting before the
//! tests, a test framework's failure report with exit status 0, a completion marker read from
//! the program's own files, redefined test helpers. Each runs on the real MultiPL-E record
//! HumanEval_53_add of its language in every sandbox listed for it: the control must pass,
//! no trick may pass, and none may be a harness fault.

use std::sync::Arc;
use std::time::Duration;

use crate::common::tricks::{program, tables};
use passk::lang::Language;
use passk::outcome::Outcome;
use passk::sandbox::{Execution, Limits, Sandbox};

const CLASSES: &[&str] = &["exit", "framework", "marker", "helper"];

fn limits(language: Language) -> Limits {
    let slow = matches!(
        language,
        Language::Go | Language::Java | Language::Scala | Language::CSharp
    );
    Limits {
        time: Duration::from_secs(if slow { 20 } else { 8 }),
        ..Limits::default()
    }
}

#[test]
fn no_trick_passes_in_any_sandbox() {
    let tables = tables();
    let process = crate::common::process_sandbox();
    let wasm = crate::common::sandbox(false);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut jobs = Vec::new();
    for (key, table) in &tables {
        let language = table.language();
        assert!(!table.trick.is_empty(), "{key}: no tricks");
        for trick in &table.trick {
            assert!(
                CLASSES.contains(&trick.class.as_str()),
                "{key}: class {}",
                trick.class
            );
        }
        for sandbox in &table.sandboxes {
            let cases =
                std::iter::once(("control".to_string(), "control".to_string(), &table.control))
                    .chain(
                        table
                            .trick
                            .iter()
                            .map(|t| (t.class.clone(), t.name.clone(), &t.body)),
                    );
            for (class, name, body) in cases {
                jobs.push((
                    format!("{key} [{sandbox}] {class}: {name}"),
                    class == "control",
                    sandbox.clone(),
                    language,
                    program(key, table, body),
                ));
            }
        }
    }
    let results: Vec<(String, bool, Execution)> = rt.block_on(async {
        let sem = Arc::new(tokio::sync::Semaphore::new(3));
        let mut set = tokio::task::JoinSet::new();
        for (what, control, sandbox, language, program) in jobs {
            let sem = sem.clone();
            let process = process.clone();
            let wasm = wasm.clone();
            set.spawn(async move {
                let _permit = sem.acquire().await.unwrap();
                let l = limits(language);
                let e = match sandbox.as_str() {
                    "process" => process.run(&program, &l).await,
                    "wasm" => wasm.run(&program, &l).await,
                    other => panic!("unknown sandbox {other}"),
                };
                (what, control, e)
            });
        }
        let mut out = Vec::new();
        while let Some(r) = set.join_next().await {
            out.push(r.unwrap());
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    });
    let mut problems = Vec::new();
    for (what, control, e) in &results {
        eprintln!("{what}: {:?} ({})", e.outcome, e.detail);
        if e.outcome.is_harness_fault() {
            problems.push(format!("harness fault: {what}: {e:?}"));
        } else if *control && e.outcome != Outcome::Passed {
            problems.push(format!("control failed: {what}: {e:?}"));
        } else if !*control && e.outcome == Outcome::Passed {
            problems.push(format!("FALSE PASS: {what}: {}", e.stdout));
        }
    }
    eprintln!("{} runs", results.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
