//! Deterministic mode: verdicts and fuel counts are identical across repeated runs, and
//! while the other core is busy.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use passk::outcome::Outcome;
use passk::problem::{Code, ProblemSet};
use passk::runner::{Cancel, Job, Reuse, execute};
use passk::sandbox::{Limits, Program};

fn jobs(set: &ProblemSet) -> Vec<Job> {
    let limits = Limits {
        time: Duration::from_secs(10),
        fuel: Some(2_000_000_000),
        ..Limits::default()
    };
    let mut out = Vec::new();
    for p in set.problems.iter().take(24) {
        for code in [
            p.reference_code().unwrap(),
            Code::Completion("    return None\n".into()),
        ] {
            out.push(Job {
                sample_index: out.len(),
                ..Job::new(&p.id, p.program_for(&code), limits.clone())
            });
        }
    }
    // Programs around the budget: whether they finish must not depend on the machine.
    for n in [10_000u64, 100_000, 1_000_000, 100_000_000] {
        let program = Program::plain(
            passk::lang::Language::Python,
            format!("x = 0\nfor i in range({n}):\n    x += i\nassert x > 0\n"),
        );
        out.push(Job {
            sample_index: out.len(),
            ..Job::new(format!("loop-{n}"), program, limits.clone())
        });
    }
    out
}

fn verdicts(set: &ProblemSet) -> Vec<(usize, Outcome, Option<u64>)> {
    let mut got = Vec::new();
    execute(
        crate::common::sandbox(true),
        jobs(set).into_iter(),
        2,
        &Reuse::none(),
        &Cancel::default(),
        |r| got.push((r.sample_index, r.execution.outcome, r.execution.fuel)),
    );
    got.sort();
    got
}

#[test]
fn verdicts_and_fuel_are_identical_across_runs_and_load() {
    let set = ProblemSet::load(std::path::Path::new(
        "../shared/datasets/humaneval/HumanEval.jsonl.gz",
    ))
    .unwrap();
    let first = verdicts(&set);
    let second = verdicts(&set);
    assert_eq!(first, second);

    // Load the other core (and more) while running again.
    let stop = Arc::new(AtomicBool::new(false));
    let hogs: Vec<_> = (0..3)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                }
                x
            })
        })
        .collect();
    let loaded = verdicts(&set);
    stop.store(true, Ordering::Relaxed);
    for h in hogs {
        h.join().unwrap();
    }
    assert_eq!(first, loaded);

    // The verdicts are the right ones, too: references pass, `return None` fails, and the
    // budget decides the long loops.
    let outcome = |i: usize| first[i].1;
    for i in (0..48).step_by(2) {
        assert_eq!(outcome(i), Outcome::Passed, "reference #{i}");
        assert_ne!(outcome(i + 1), Outcome::Passed, "bad #{}", i + 1);
    }
    assert_eq!(outcome(48), Outcome::Passed);
    assert_eq!(outcome(51), Outcome::Timeout);
    assert!(first.iter().all(|(_, _, fuel)| fuel.is_some()));
}
