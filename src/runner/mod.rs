//! The runner: feeds jobs to a sandbox on a fixed number of workers, streams each result to
//! a sink as it finishes, and emits typed [`Event`]s; reporters only render them.

pub mod exec;
pub mod results;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Semaphore;

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
    Started { total: usize, already_done: usize },
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

/// Runs `jobs` on `workers` concurrent sandboxes and hands every result to `sink` in
/// completion order. At most `workers` jobs are in memory at once. Returns false when
/// cancelled before all jobs started.
pub fn execute<S: Sandbox + 'static>(
    sandbox: Arc<S>,
    jobs: impl Iterator<Item = Job>,
    workers: usize,
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
        let signal_cancel = cancel.clone();
        let signals = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                signal_cancel.cancel();
            }
        });
        let feed = async {
            let mut all_started = true;
            for job in jobs {
                let Ok(permit) = sem.clone().acquire_owned().await else {
                    break;
                };
                if cancel.is_cancelled() {
                    all_started = false;
                    break;
                }
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
                    let record = ResultRecord {
                        task_id: job.task_id,
                        language,
                        model: job.model,
                        sample_index: job.sample_index,
                        sandbox: id,
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
