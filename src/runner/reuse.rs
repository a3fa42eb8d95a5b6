//! Reusing verdicts instead of re-executing: identical programs within a run execute once
//! (later copies wait for the first), and an on-disk execution cache keyed by the program
//! (solution and tests), the sandbox kind and version, and the limits lets a re-scoring of
//! the same samples execute nothing.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use tokio::sync::watch;

use super::Job;
use crate::outcome::Outcome;
use crate::sandbox::Execution;

/// What may be reused.
#[derive(Debug, Clone, Default)]
pub struct Reuse {
    /// Identical programs within the run execute once.
    pub in_run: bool,
    /// The on-disk execution cache, shared across runs.
    pub disk: Option<PathBuf>,
}

impl Reuse {
    /// Execute everything.
    pub fn none() -> Reuse {
        Reuse::default()
    }
}

/// At most this many programs are remembered within a run, and none with large output.
const IN_RUN_ENTRIES: usize = 4096;
const MAX_OUTPUT: usize = 64 << 10;

pub type Key = [u8; 32];
pub type Pending = watch::Receiver<Option<Execution>>;

pub enum Found {
    /// From the disk cache.
    Ready(Execution),
    /// An identical program is executing now.
    Pending(Pending),
}

#[derive(Default)]
struct InRun {
    seen: HashMap<Key, Pending>,
    order: VecDeque<Key>,
}

pub struct ReuseState {
    in_run: Option<Mutex<InRun>>,
    disk: Option<PathBuf>,
}

impl ReuseState {
    pub fn new(reuse: &Reuse) -> Option<ReuseState> {
        (reuse.in_run || reuse.disk.is_some()).then(|| ReuseState {
            in_run: reuse.in_run.then(Mutex::default),
            disk: reuse.disk.clone(),
        })
    }

    /// The program (solution and tests), sandbox version and limits, hashed. A full
    /// program's tests live beside its source (the inputs it runs on, the outputs it is
    /// judged against), so they are part of the key.
    pub fn key(job: &Job, sandbox_version: &str) -> Key {
        let mut h = Sha256::new();
        // The sealing version and the test boundary decide what actually ran.
        let conventions = format!(
            "{:?} {} {:?} {} {:?}",
            job.program.variant,
            job.program.fail_on_stderr,
            job.program
                .guard
                .as_ref()
                .map(|g| (g.tests_at, &g.entry_point)),
            crate::sandbox::seal::VERSION,
            job.program.tests_at,
        );
        let project = job
            .program
            .project
            .as_ref()
            .map(|p| format!("{:?}", p.files))
            .unwrap_or_default();
        let tests = match (&job.program.inputs, &job.expect) {
            (Some(inputs), Some(expect)) => format!("{inputs:?} {expect:?}"),
            (Some(inputs), None) => format!("{inputs:?}"),
            (None, _) => String::new(),
        };
        for part in [
            job.program.language.as_str().as_bytes(),
            job.program.source.as_bytes(),
            conventions.as_bytes(),
            project.as_bytes(),
            tests.as_bytes(),
            sandbox_version.as_bytes(),
            &serde_json::to_vec(&job.limits).unwrap_or_default(),
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        h.finalize().into()
    }

    fn path(&self, key: &Key) -> Option<PathBuf> {
        Some(entry(self.disk.as_ref()?, &hex::encode(key)))
    }

    pub fn lookup(&self, key: &Key) -> Option<Found> {
        if let Some(in_run) = &self.in_run
            && let Some(p) = in_run.lock().ok()?.seen.get(key)
        {
            return Some(Found::Pending(p.clone()));
        }
        let text = std::fs::read(self.path(key)?).ok()?;
        // A corrupt entry is only a miss: the program runs again and rewrites it.
        serde_json::from_slice(&text).ok().map(Found::Ready)
    }

    /// Announces that `key` is executing; the returned sender publishes its verdict.
    pub fn start(&self, key: Key) -> Option<watch::Sender<Option<Execution>>> {
        let in_run = self.in_run.as_ref()?;
        let (tx, rx) = watch::channel(None);
        let mut d = in_run.lock().ok()?;
        if d.order.len() >= IN_RUN_ENTRIES
            && let Some(old) = d.order.pop_front()
        {
            d.seen.remove(&old);
        }
        d.seen.insert(key, rx);
        d.order.push_back(key);
        Some(tx)
    }

    /// Records a finished execution: waiting copies get it; the disk cache keeps it when it
    /// is worth keeping (never harness faults, never wall-clock timeouts, which depend on the
    /// machine, never large output).
    pub fn finish(&self, key: Key, tx: Option<watch::Sender<Option<Execution>>>, e: &Execution) {
        let small = e.stdout.len() + e.stderr.len() <= MAX_OUTPUT;
        if !small
            && let Some(in_run) = &self.in_run
            && let Ok(mut d) = in_run.lock()
        {
            d.seen.remove(&key);
        }
        if let Some(tx) = tx {
            let _ = tx.send(Some(e.clone()));
        }
        let machine_dependent = e.outcome == Outcome::Timeout && e.fuel.is_none();
        if small
            && !e.outcome.is_harness_fault()
            && !machine_dependent
            && let Some(path) = self.path(&key)
        {
            store(&path, e);
        }
    }
}

/// Where a cache entry named by the hex digest `hex` lives under `dir` (one folder per
/// first two digits, so no folder grows huge).
pub(super) fn entry(dir: &std::path::Path, hex: &str) -> PathBuf {
    dir.join(&hex[..2]).join(format!("{hex}.json"))
}

/// Best effort and atomic: a cache that cannot be written costs only a re-execution.
pub(super) fn store(path: &std::path::Path, e: &impl serde::Serialize) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir)
        && serde_json::to_writer(&mut tmp, e).is_ok()
    {
        let _ = tmp.persist(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Language;
    use crate::problem::{Code, ProblemSet};

    #[test]
    fn full_programs_with_the_same_source_on_different_tests_do_not_share_a_verdict() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("problems/io");
        let set = ProblemSet::load(&dir).unwrap();
        let job = |id: &str| {
            let p = set.find(id, Some(Language::Python)).unwrap();
            Job::new(
                id,
                p.program_for(&Code::Solution("print(1)\n".into())),
                Default::default(),
            )
        };
        let key = |id: &str| ReuseState::key(&job(id), "v");
        assert_eq!(key("io/column-sums"), key("io/column-sums"));
        assert_ne!(key("io/column-sums"), key("io/coin-ways"));
    }
}
