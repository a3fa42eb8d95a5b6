//! The runner: feeds jobs to a sandbox on a fixed number of workers, streams each result to
//! a sink as it finishes, and emits typed [`Event`]s; reporters only render them.

pub mod exec;
pub mod merge;
pub mod results;
pub mod shard;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use tokio::sync::{Semaphore, watch};

use crate::lang::Language;
use crate::outcome::Outcome;
use crate::sandbox::{Execution, Limits, Program, Sandbox};
use results::ResultRecord;

/// One sample to execute.
pub struct Job {
    pub task_id: String,
    pub model: Option<String>,
    pub sample_index: usize,
    pub program: Program,
    pub limits: Limits,
}

/// What the runner reports while it works. Reporters render these; they decide nothing.
#[derive(Debug)]
pub enum Event<'a> {
    /// `total` samples in the input, `already_done` of them found in the run directory.
    Started {
        total: usize,
        already_done: usize,
    },
    SampleFinished(&'a ResultRecord),
    /// Ctrl-C: no new samples start; those in flight finish and are kept.
    Interrupted,
}

/// Shared cancellation flag, set by Ctrl-C.
#[derive(Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Identical programs (same language, source and limits) within a run execute once: later
/// copies wait for the first and reuse its verdict (`reused: true` in results). Sampling at
/// low temperature repeats programs often. Bounded: at most this many programs are
/// remembered, and none whose output is large.
const DEDUP_ENTRIES: usize = 4096;
const DEDUP_MAX_OUTPUT: usize = 64 << 10;
/// Copies waiting on a first execution hold no worker, but are bounded all the same.
const MAX_WAITING: usize = 1024;

type Verdict = watch::Receiver<Option<Execution>>;

#[derive(Default)]
struct Dedup {
    seen: HashMap<[u8; 32], Verdict>,
    order: VecDeque<[u8; 32]>,
}

impl Dedup {
    fn key(job: &Job) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(job.program.language.as_str());
        h.update([0]);
        h.update(job.program.source.as_bytes());
        h.update([0]);
        h.update(serde_json::to_vec(&job.limits).unwrap_or_default());
        h.finalize().into()
    }

    fn insert(&mut self, key: [u8; 32], rx: Verdict) {
        if self.order.len() >= DEDUP_ENTRIES
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        self.seen.insert(key, rx);
        self.order.push_back(key);
    }
}

/// Runs `jobs` on `workers` concurrent sandboxes and hands every result to `sink` in
/// completion order. At most `workers` jobs execute at once. With `dedup`, identical
/// programs execute once (see [`DEDUP_ENTRIES`]). Returns false when cancelled before all
/// jobs started.
pub fn execute<S: Sandbox + 'static>(
    sandbox: Arc<S>,
    jobs: impl Iterator<Item = Job>,
    workers: usize,
    dedup: bool,
    cancel: &Cancel,
    mut sink: impl FnMut(ResultRecord),
) -> bool {
    let workers = workers.max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("passk-worker")
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<ResultRecord>(workers * 4);
        let sem = Arc::new(Semaphore::new(workers));
        let waiting = Arc::new(Semaphore::new(MAX_WAITING));
        let seen: Arc<Mutex<Dedup>> = Arc::default();
        let signal_cancel = cancel.clone();
        let signals = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                signal_cancel.cancel();
            }
        });
        let feed = async {
            let mut all_started = true;
            for job in jobs {
                let key = dedup.then(|| Dedup::key(&job));
                let earlier = key.and_then(|k| seen.lock().ok()?.seen.get(&k).cloned());
                if let Some(mut verdict) = earlier {
                    let Ok(permit) = waiting.clone().acquire_owned().await else {
                        break;
                    };
                    let tx = tx.clone();
                    let id = sandbox.id(job.program.language);
                    tokio::spawn(async move {
                        let execution = match verdict.wait_for(Option::is_some).await {
                            Ok(v) => v.clone().expect("waited for Some"),
                            Err(_) => Execution::verdict(
                                Outcome::SandboxError,
                                "the identical program this sample waited for was lost",
                            ),
                        };
                        let record = ResultRecord {
                            task_id: job.task_id,
                            language: job.program.language,
                            model: job.model,
                            sample_index: job.sample_index,
                            sandbox: id,
                            reused: true,
                            execution,
                        };
                        let _ = tx.send(record).await;
                        drop(permit);
                    });
                    continue;
                }
                let Ok(permit) = sem.clone().acquire_owned().await else {
                    break;
                };
                if cancel.is_cancelled() {
                    all_started = false;
                    break;
                }
                let publish = key.map(|k| {
                    let (vtx, vrx) = watch::channel(None);
                    if let Ok(mut d) = seen.lock() {
                        d.insert(k, vrx);
                    }
                    (k, vtx, seen.clone())
                });
                let tx = tx.clone();
                let sandbox = sandbox.clone();
                tokio::spawn(async move {
                    let language = job.program.language;
                    let id = sandbox.id(language);
                    let inner = tokio::spawn({
                        let sandbox = sandbox.clone();
                        let program = job.program.clone();
                        let limits = job.limits.clone();
                        async move { sandbox.run(&program, &limits).await }
                    });
                    // A panic inside the sandbox is passk's bug: record it, never lose it.
                    let execution = inner.await.unwrap_or_else(|e| {
                        Execution::verdict(Outcome::SandboxError, format!("sandbox panicked: {e}"))
                    });
                    if let Some((k, vtx, seen)) = publish {
                        if execution.stdout.len() + execution.stderr.len() > DEDUP_MAX_OUTPUT
                            && let Ok(mut d) = seen.lock()
                        {
                            d.seen.remove(&k);
                        }
                        let _ = vtx.send(Some(execution.clone()));
                    }
                    let record = ResultRecord {
                        task_id: job.task_id,
                        language,
                        model: job.model,
                        sample_index: job.sample_index,
                        sandbox: id,
                        reused: false,
                        execution,
                    };
                    let _ = tx.send(record).await;
                    drop(permit);
                });
            }
            drop(tx);
            all_started
        };
        let drain = async {
            while let Some(r) = rx.recv().await {
                sink(r);
            }
        };
        let (all_started, ()) = tokio::join!(feed, drain);
        signals.abort();
        all_started
    })
}

/// Languages present in a set of jobs, for availability checks before a run.
pub fn languages(jobs: &[Job]) -> Vec<Language> {
    let mut l: Vec<Language> = jobs.iter().map(|j| j.program.language).collect();
    l.sort();
    l.dedup();
    l
}
