//! The runner: feeds jobs to a sandbox on a fixed number of workers, streams each result to
//! a sink as it finishes, and emits typed [`Event`]s; reporters only render them.

pub mod check;
pub mod episode;
pub mod exec;
#[cfg(test)]
mod fake;
pub mod merge;
pub mod oracle;
mod record;
pub mod references;
pub mod reuse;
pub mod routing;
pub mod run;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Semaphore;

use crate::outcome::Outcome;
use crate::rundir::results::{self, ResultRecord};
use crate::sandbox::{Execution, Limits, Program, Sandbox};
pub use record::record;
pub use reuse::Reuse;
use reuse::{Found, ReuseState};

/// One sample to execute.
pub struct Job {
    pub task_id: String,
    pub model: Option<String>,
    pub sample_index: usize,
    /// The turn of its episode (0: the first answer).
    pub turn: usize,
    pub program: Program,
    /// What the host checks after the run (passk's own problems).
    pub expect: Option<Arc<crate::problem::Expect>>,
    pub limits: Limits,
    /// A verdict reached before execution (`no_code`, `generation_error`): recorded as is,
    /// nothing runs.
    pub verdict: Option<Execution>,
    /// What generating the sample cost, when passk generated it.
    pub generation: Option<results::GenStats>,
    /// The problem's groupings, scored apart ([`crate::problem::Problem::facets`]).
    pub facets: Vec<String>,
    /// A benchmark's second, narrower check of the same answer, run only when the first
    /// failed (EvalPlus's base inputs): its outcome is [`Execution::base`].
    pub base_check: Option<Arc<crate::problem::Assembled>>,
}

impl Job {
    /// A job for an assembled program: no model, sample 0, nothing decided before it runs.
    pub fn new(
        task_id: impl Into<String>,
        assembled: impl Into<crate::problem::Assembled>,
        limits: Limits,
    ) -> Job {
        let assembled = assembled.into();
        // A sample the benchmark rejects unread, or one the host judges alone.
        let verdict = assembled.decided;
        Job {
            task_id: task_id.into(),
            model: None,
            sample_index: 0,
            turn: 0,
            program: assembled.program,
            expect: assembled.expect,
            limits,
            verdict,
            generation: None,
            facets: Vec::new(),
            base_check: None,
        }
    }
}

/// Where jobs come from: an iterator (a samples file) or a channel that generation
/// feeds while execution runs.
pub enum Jobs<'a> {
    Iter(Box<dyn Iterator<Item = Job> + 'a>),
    Channel(tokio::sync::mpsc::Receiver<Job>),
}

impl Jobs<'_> {
    async fn next(&mut self) -> Option<Job> {
        match self {
            Jobs::Iter(i) => i.next(),
            Jobs::Channel(rx) => rx.recv().await,
        }
    }
}

/// What every pipeline (exec, run, routing, the reference check, selfcheck) reports while it works,
/// in one stream. Reporters render these; they decide nothing.
#[derive(Debug)]
pub enum Event<'a> {
    /// Generation begins: `total` samples (routing: decisions) asked, `already_done` of
    /// them found in the run directory.
    GenerationStarted {
        total: usize,
        already_done: usize,
    },
    /// `model` produced `samples` more samples (or decisions) at `turn` of their episodes
    /// (a repair turn, when above 0, is work the first count did not include).
    Generated {
        model: &'a str,
        samples: usize,
        turn: usize,
    },
    /// `model` returned reasoning (`<think>` or a server's `reasoning_content`) for the
    /// first time in this run, while each sample may generate `max_tokens`.
    ModelReasons {
        model: &'a str,
        max_tokens: u32,
    },
    /// `total` samples to score, `already_done` of them found in the run directory.
    Started {
        total: usize,
        already_done: usize,
    },
    SampleFinished(&'a ResultRecord),
    /// The ground truth of `total` EvalPlus tasks is needed, `cached` of them known from an
    /// earlier run (the rest run their canonical solution now).
    OraclesStarted {
        total: usize,
        cached: usize,
    },
    /// The reference check of the selected problems begins: `total` references to run.
    ReferencesStarted {
        total: usize,
    },
    ReferenceFinished(&'a ResultRecord),
    /// Every reference ran: what is excluded and refused.
    ReferencesChecked(&'a crate::rundir::references::ReferenceCheck),
    /// A selfcheck of `set` begins: `total` known solutions to run.
    ChecksStarted {
        set: &'a str,
        total: usize,
    },
    /// A known solution's verdict, and whether its variant may end that way.
    CheckFinished {
        result: &'a ResultRecord,
        variant: check::Variant,
        right: bool,
    },
    /// A set's selfcheck is over (or was skipped): its report.
    SetChecked(&'a check::SetReport),
    /// Ctrl-C: no new samples start; those in flight finish and are kept.
    Interrupted,
}

/// Renders [`Event`]s. Generation threads report too, so a reporter is shared (`Sync`)
/// and keeps its own state behind interior mutability.
pub trait Reporter: Sync {
    fn on(&self, event: Event<'_>);
}

/// The reporter that renders nothing (benchmarks, tests).
pub struct Quiet;

impl Reporter for Quiet {
    fn on(&self, _: Event<'_>) {}
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

/// Copies waiting on a first execution hold no worker, but are bounded all the same.
const MAX_WAITING: usize = 1024;

/// Runs `jobs` on `workers` concurrent sandboxes and hands every result to `sink` in
/// completion order. At most `workers` jobs execute at once. `reuse` says which verdicts
/// may be reused instead of executing (see [`reuse`]). Returns false when cancelled before
/// all jobs started.
pub fn execute<S: Sandbox + 'static>(
    sandbox: Arc<S>,
    jobs: impl Iterator<Item = Job>,
    workers: usize,
    reuse: &Reuse,
    cancel: &Cancel,
    sink: impl FnMut(ResultRecord),
) -> bool {
    execute_jobs(
        sandbox,
        Jobs::Iter(Box::new(jobs)),
        workers,
        reuse,
        cancel,
        sink,
    )
}

/// [`execute`] for any [`Jobs`] source.
pub fn execute_jobs<S: Sandbox + 'static>(
    sandbox: Arc<S>,
    mut jobs: Jobs<'_>,
    workers: usize,
    reuse: &Reuse,
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
        let state = ReuseState::new(reuse).map(Arc::new);
        let signal_cancel = cancel.clone();
        let signals = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                signal_cancel.cancel();
            }
        });
        let feed = async {
            let mut all_started = true;
            while let Some(mut job) = jobs.next().await {
                let id = sandbox.id_for(&job.program);
                if let Some(mut verdict) = job.verdict.take() {
                    // Decided unrun (no code, a rejected answer): the base check too.
                    if job.base_check.is_some() {
                        verdict.base = Some(verdict.outcome);
                    }
                    if tx.send(record(job, id, false, verdict)).await.is_err() {
                        break;
                    }
                    continue;
                }
                let key = state.as_ref().map(|_| ReuseState::key(&job, &id.version));
                let found = state
                    .as_ref()
                    .zip(key.as_ref())
                    .and_then(|(s, k)| s.lookup(k));
                let reused = {
                    let id = id.clone();
                    move |job: Job, execution: Execution| record(job, id, true, execution)
                };
                if let Some(Found::Ready(execution)) = found {
                    if !needs_base(&job, &execution) {
                        if tx.send(reused(job, execution)).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    // Reused from a run that had no base check (a reference's): one may
                    // still have to run.
                    let Ok(permit) = sem.clone().acquire_owned().await else {
                        break;
                    };
                    let (tx, sandbox) = (tx.clone(), sandbox.clone());
                    tokio::spawn(async move {
                        let execution = with_base(&sandbox, &job, execution).await;
                        let _ = tx.send(reused(job, execution)).await;
                        drop(permit);
                    });
                    continue;
                }
                if let Some(Found::Pending(mut verdict)) = found {
                    let Ok(permit) = waiting.clone().acquire_owned().await else {
                        break;
                    };
                    let (tx, sandbox) = (tx.clone(), sandbox.clone());
                    tokio::spawn(async move {
                        let execution = match verdict.wait_for(Option::is_some).await {
                            Ok(v) => v.clone().expect("waited for Some"),
                            Err(_) => Execution::verdict(
                                Outcome::SandboxError,
                                "the identical program this sample waited for was lost",
                            ),
                        };
                        let execution = with_base(&sandbox, &job, execution).await;
                        let _ = tx.send(reused(job, execution)).await;
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
                let publish = state.clone().zip(key).map(|(s, k)| (s.start(k), k, s));
                let tx = tx.clone();
                let sandbox = sandbox.clone();
                tokio::spawn(async move {
                    let mut execution = run_guarded(&sandbox, &job.program, &job.limits).await;
                    if let Some(expect) = &job.expect {
                        execution = expect.judge(execution);
                    }
                    execution = with_base(&sandbox, &job, execution).await;
                    if let Some((tx, k, state)) = publish {
                        state.finish(k, tx, &execution);
                    }
                    let record = record(job, id, false, execution);
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

/// True when `job` asks for a base check that `execution` (perhaps reused from a job that
/// did not) lacks.
fn needs_base(job: &Job, execution: &Execution) -> bool {
    job.base_check.is_some() && execution.base.is_none()
}

/// `execution` with its base outcome, where the job asks for one.
async fn with_base<S: Sandbox + 'static>(
    sandbox: &Arc<S>,
    job: &Job,
    mut execution: Execution,
) -> Execution {
    if let (true, Some(base)) = (needs_base(job, &execution), &job.base_check) {
        execution.base = Some(base_outcome(sandbox, base, &job.limits, &execution).await);
    }
    execution
}

/// The outcome of a sample's base check: passed when the full check passed (the base
/// inputs are among its inputs); failed when the full check already failed on a base input
/// (a claim that can only lower the score); else the base-only program's own verdict, so
/// that nothing the answer printed can raise it.
async fn base_outcome<S: Sandbox + 'static>(
    sandbox: &Arc<S>,
    base: &crate::problem::Assembled,
    limits: &Limits,
    full: &Execution,
) -> Outcome {
    if full.outcome.is_pass() {
        return Outcome::Passed;
    }
    if !full.outcome.is_harness_fault() && full.detail.contains("base input ") {
        return full.outcome;
    }
    if let Some(decided) = &base.decided {
        return decided.outcome;
    }
    let mut e = run_guarded(sandbox, &base.program, limits).await;
    if let Some(expect) = &base.expect {
        e = expect.judge(e);
    }
    e.outcome
}

/// Runs `program`; a panic inside the sandbox is passk's bug: it becomes a `sandbox_error`
/// verdict, never a lost sample.
async fn run_guarded<S: Sandbox + 'static>(
    sandbox: &Arc<S>,
    program: &Program,
    limits: &Limits,
) -> Execution {
    let inner = tokio::spawn({
        let (sandbox, program, limits) = (sandbox.clone(), program.clone(), limits.clone());
        async move { sandbox.run(&program, &limits).await }
    });
    inner.await.unwrap_or_else(|e| {
        Execution::verdict(Outcome::SandboxError, format!("sandbox panicked: {e}"))
    })
}
