//! Ground truth before anything is judged: an EvalPlus task has no expected outputs, so
//! the canonical solution of every selected task runs in the sandbox first (the samples'
//! own sandbox, so its times are this machine's) and its outputs and times become the
//! task's oracle. Oracles are kept beside the execution cache, keyed by the oracle program
//! and the sandbox's version, so a rerun computes none (large outputs included, which the
//! execution cache does not keep). A task whose ground truth fails keeps the reason: its
//! reference then fails the reference check with it, and the task is excluded.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::reuse::{entry, store};
use super::{Cancel, Event, Job, Reporter, Reuse, execute};
use crate::problem::evalplus::{self, Oracle, Task};
use crate::problem::{Assembly, Problem, ProblemSet};
use crate::sandbox::{Limits, Sandbox};

/// Bumped when the oracle's program or its reading changes: older entries are not read.
const VERSION: &str = "evalplus-oracle-1";

/// The set with the oracle of every EvalPlus task among `wanted` filled in (a set with none
/// to fill is returned as it is, not copied). `None` when cancelled before every oracle ran.
#[allow(clippy::too_many_arguments)]
pub fn complete<'a, S: Sandbox + 'static>(
    set: &'a ProblemSet,
    wanted: impl Fn(&Problem) -> bool,
    sandbox: Arc<S>,
    limits: &Limits,
    workers: usize,
    reuse: &Reuse,
    cancel: &Cancel,
    reporter: &dyn Reporter,
) -> Option<Cow<'a, ProblemSet>> {
    // Position in the set → the task and its oracle's cache key.
    let tasks: HashMap<usize, (&Arc<Task>, String)> = set
        .problems
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match &p.assembly {
            Assembly::EvalPlus(t) if t.oracle.is_none() && wanted(p) => {
                let program = t.oracle_program();
                Some((
                    i,
                    (t, key(&program.source, &sandbox.id_for(&program).version)),
                ))
            }
            _ => None,
        })
        .collect();
    if tasks.is_empty() {
        return Some(Cow::Borrowed(set));
    }
    let cache = reuse.disk.as_ref().map(|d| d.join("oracles"));
    let limits = Limits {
        time: evalplus::ORACLE_TIME,
        output_bytes: evalplus::ORACLE_OUTPUT_BYTES,
        memory_bytes: limits.memory_bytes.max(evalplus::MEMORY_LIMIT),
        fuel: None,
        ..limits.clone()
    };
    let mut found: HashMap<usize, Result<Oracle, String>> = HashMap::new();
    let mut jobs = Vec::new();
    for (&i, (task, key)) in &tasks {
        match cache.as_ref().and_then(|c| read(c, key)) {
            Some(o) => {
                found.insert(i, Ok(o));
            }
            None => jobs.push(Job::new(
                i.to_string(),
                task.oracle_program(),
                limits.clone(),
            )),
        }
    }
    reporter.on(Event::OraclesStarted {
        total: tasks.len(),
        cached: found.len(),
    });
    let total = jobs.len();
    let mut ran = 0;
    let all_started = execute(
        sandbox.clone(),
        jobs.into_iter(),
        workers,
        &Reuse::none(),
        cancel,
        |r| {
            ran += 1;
            let Some((i, (task, key))) = r
                .task_id
                .parse::<usize>()
                .ok()
                .and_then(|i| Some((i, tasks.get(&i)?)))
            else {
                return;
            };
            let oracle = task.read_oracle(&r.execution);
            if let (Ok(o), Some(dir)) = (&oracle, &cache) {
                store(&entry(dir, key), o);
            }
            found.insert(i, oracle);
        },
    );
    if !all_started || cancel.is_cancelled() || ran < total {
        return None;
    }
    let mut problems = set.problems.clone();
    for (i, oracle) in found {
        let p = &mut problems[i];
        let Assembly::EvalPlus(task) = &p.assembly else {
            continue;
        };
        let mut task = (**task).clone();
        if let Ok(o) = &oracle {
            p.time_limit = Some(o.run_limit(task.base));
        }
        task.oracle = Some(oracle.map(Arc::new));
        p.assembly = Assembly::EvalPlus(Arc::new(task));
    }
    Some(Cow::Owned(ProblemSet::new(
        problems,
        &set.format,
        set.sha256.clone(),
    )))
}

fn key(source: &str, sandbox_version: &str) -> String {
    let mut h = Sha256::new();
    for part in [VERSION, source, sandbox_version] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// A missing or unreadable entry is only a miss: the oracle runs again.
fn read(dir: &std::path::Path, key: &str) -> Option<Oracle> {
    let text = std::fs::read(entry(dir, key)).ok()?;
    serde_json::from_slice(&text).ok()
}
