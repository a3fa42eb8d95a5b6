//! `passk run`: models generate, the sandbox executes, both at once. Generation runs on its
//! own threads (a model's concurrency limit of them) and feeds jobs to the execution
//! workers through a channel; every sample is appended to `samples.jsonl` before it
//! executes and every verdict to `results.jsonl`, so a rerun into the same directory
//! resumes: generated samples are not generated again, executed ones not executed again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::episode::{Episodes, Next, Queue, Work};
use super::exec::{ExecOutcome, finish, record_sink};
use super::{Cancel, Event, Job, Jobs, Reporter, execute_jobs};
use crate::errors::RunError;
use crate::generate::extract::Extraction;
use crate::generate::{Generator, Request, Sampling, prompt};
use crate::lang::Language;
use crate::outcome::Outcome;
use crate::problem::{Code, Problem, ProblemSet};
use crate::rundir::jsonl::{Appender, for_each_line};
use crate::rundir::manifest::{ExecManifest, GenerationManifest, check_resume};
use crate::rundir::results::{self, ResultRecord, SampleKey};
use crate::rundir::samples::{SampleId, SampleRecord};
use crate::rundir::shard::Shard;
use crate::rundir::{MANIFEST, RESULTS, SAMPLES, write_json_atomically};
use crate::sandbox::{Execution, Limits, Sandbox};

pub struct RunOptions {
    /// A suite folder (passk's TOML problems) or a problems file.
    pub problems: PathBuf,
    /// Only these languages (empty: every language the problems come in).
    pub langs: Vec<Language>,
    /// Only the first N problems (in suite order).
    pub limit: Option<usize>,
    pub n: usize,
    pub sampling: Sampling,
    pub out: PathBuf,
    pub limits: Limits,
    pub workers: usize,
    pub reuse: super::Reuse,
    pub shard: Option<Shard>,
    /// Only problems published in this window (`--since` / `--until`).
    pub window: Option<crate::problem::window::Window>,
    /// A comprehension task for a CRUXEval file (`--task`; default: output prediction).
    pub task: Option<crate::problem::cruxeval::Prediction>,
    /// Repair turns after a failed first answer (`--repair K`; 0: single-shot).
    pub repair: usize,
    /// The reference check before generation ([`super::references`]): excluded problems
    /// and refused languages are not generated for.
    pub references: super::references::ReferenceSettings,
}

/// The problems a run asks, in order.
pub fn select(set: &ProblemSet, opts: &RunOptions) -> Vec<Problem> {
    let mut ids: Vec<&str> = Vec::new();
    let mut seen = HashSet::new();
    for p in &set.problems {
        if (opts.langs.is_empty() || opts.langs.contains(&p.language))
            && opts.shard.is_none_or(|s| s.contains(&p.id))
            && opts.window.is_none_or(|w| w.contains(p))
            && seen.insert(p.id.as_str())
        {
            ids.push(&p.id);
        }
    }
    if let Some(limit) = opts.limit {
        ids.truncate(limit);
    }
    let keep: HashSet<&str> = ids.into_iter().collect();
    set.problems
        .iter()
        .filter(|p| {
            keep.contains(p.id.as_str())
                && (opts.langs.is_empty() || opts.langs.contains(&p.language))
        })
        .cloned()
        .collect()
}

/// Turns a sample into its execution job.
fn job_for(problem: &Problem, r: &SampleRecord, limits: &Limits) -> Job {
    let code = r.code();
    let verdict = match (&r.error, &code) {
        (Some(e), _) => Some(Execution::verdict(Outcome::GenerationError, e.clone())),
        (None, None) => Some(Execution::verdict(
            Outcome::NoCode,
            "nothing extractable in the model's answer",
        )),
        (None, Some(_)) => None,
    };
    let assembled = match &code {
        Some(code) => problem.program_for(code),
        None => crate::sandbox::Program::plain(problem.language, "").into(),
    };
    let job = Job::new(&problem.id, assembled, problem.limits(limits));
    Job {
        model: Some(r.model.clone()),
        sample_index: r.sample_index,
        turn: r.turn,
        // A verdict the assembly reached (a rejected or host-judged answer) stands too.
        verdict: verdict.or(job.verdict),
        generation: r.stats(),
        facets: problem.facets(),
        // Without code the verdict is decided and is the base outcome too.
        base_check: problem.base_check(code.as_ref().unwrap_or(&Code::Solution(String::new()))),
        ..job
    }
}

/// The turn-0 key of an episode.
fn episode(problem: &Problem, model: &str, sample_index: usize) -> SampleKey {
    SampleKey {
        task_id: problem.id.clone(),
        language: problem.language,
        model: Some(model.to_string()),
        sample_index,
        turn: 0,
    }
}

/// Generates one piece of work — the first turn of some samples of a prompt, or one
/// episode's repair turn — and turns the answers into records.
fn generate_work(
    g: &dyn Generator,
    problem: &Problem,
    work: &Work,
    episodes: &Mutex<Episodes>,
    sampling: &Sampling,
) -> Vec<SampleRecord> {
    let style = g.info().style;
    let (prepared, indices, turn) = match work {
        Work::First { indices, .. } => (prompt::prepare(problem, style), indices.clone(), 0),
        Work::Repair {
            sample_index, turn, ..
        } => {
            let key = episode(problem, &g.info().name, *sample_index);
            let episodes = episodes.lock().expect("episodes");
            let prepared = prompt::repair(problem, style, &episodes.attempts(&key));
            (prepared, vec![*sample_index], *turn)
        }
    };
    generate_one(g, problem, &indices, turn, prepared, sampling)
}

/// Generates the samples of one prompt and turns them into records.
fn generate_one(
    g: &dyn Generator,
    problem: &Problem,
    indices: &[usize],
    turn: usize,
    prepared: prompt::Prepared,
    sampling: &Sampling,
) -> Vec<SampleRecord> {
    let info = g.info();
    let seeds: Vec<u64> = indices
        .iter()
        .map(|&i| sampling.seed.wrapping_add(i as u64))
        .collect();
    let req = Request {
        task_id: problem.id.clone(),
        language: problem.language,
        turn,
        prompt: prepared.prompt,
        n: indices.len(),
        seeds: seeds.clone(),
        stop: prepared.stop,
        halt: prepared.halt,
        sampling: sampling.clone(),
    };
    let mut results = g.generate(&req).into_iter();
    indices
        .iter()
        .zip(seeds)
        .map(|(&index, seed)| {
            let id = SampleId {
                task_id: &problem.id,
                language: problem.language,
                model: &info.name,
                sample_index: index,
                turn,
                seed,
                style: info.style,
            };
            match results.next() {
                None => SampleRecord::failed(
                    &id,
                    &crate::generate::GenError("the backend returned too few samples".into()),
                ),
                Some(Err(e)) => SampleRecord::failed(&id, &e),
                Some(Ok(mut generation)) => {
                    let (code, extraction, think) = match generation.preset.take() {
                        Some(Some(code)) => (Some(code), (Extraction::Replayed, None), None),
                        Some(None) => (None, (Extraction::NoCode, None), None),
                        None => {
                            // A replayed chat answer is extracted as a live one would be.
                            let style = if generation.chat_answer {
                                prompt::Style::Instruct
                            } else {
                                info.style
                            };
                            let c = prompt::code_from(problem, style, &generation.text);
                            (c.code, (c.extraction, c.merge), c.reasoning)
                        }
                    };
                    let reasoning = generation.reasoning.clone().or(think);
                    let reasoning_tokens = generation
                        .reasoning_tokens
                        .or_else(|| reasoning.as_deref().and_then(|r| g.count_tokens(r)));
                    SampleRecord::generated(
                        &id,
                        generation,
                        code,
                        extraction,
                        reasoning,
                        reasoning_tokens,
                    )
                }
            }
        })
        .collect()
}

pub fn run<S: Sandbox + 'static>(
    opts: &RunOptions,
    generators: Vec<Box<dyn Generator>>,
    sandbox: Arc<S>,
    cancel: &Cancel,
    reporter: &dyn Reporter,
) -> Result<ExecOutcome, RunError> {
    let set = ProblemSet::load_for(&opts.problems, opts.task)?;
    if let Some(w) = opts.window {
        w.check(&set, &opts.problems)?;
    }
    let problems = select(&set, opts);
    if problems.is_empty() {
        return Err(RunError::NothingSelected(format!(
            "{}: no problems in the languages asked for ({})",
            opts.problems.display(),
            opts.langs
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    std::fs::create_dir_all(&opts.out).map_err(|e| RunError::Io {
        path: opts.out.clone(),
        source: e,
    })?;
    let mut languages: Vec<Language> = problems.iter().map(|p| p.language).collect();
    languages.sort();
    languages.dedup();
    let manifest = ExecManifest {
        kind: "run".into(),
        passk_version: env!("CARGO_PKG_VERSION").into(),
        problems: opts.problems.display().to_string(),
        problems_format: set.format.clone(),
        problems_sha256: set.sha256.clone(),
        samples: SAMPLES.into(),
        samples_sha256: String::new(),
        limits: opts.limits.clone(),
        deterministic: sandbox.deterministic(),
        task: set.task(),
        shard: opts.shard,
        window: opts.window,
        generation: Some(GenerationManifest {
            models: generators.iter().map(|g| g.info().clone()).collect(),
            n: opts.n,
            sampling: opts.sampling.clone(),
            languages,
            limit: opts.limit,
            repair: opts.repair,
        }),
    };
    check_resume(&opts.out, &manifest)?;
    write_json_atomically(&opts.out.join(MANIFEST), &manifest)?;

    let ids: HashSet<(String, Language)> = problems
        .iter()
        .map(|p| (p.id.clone(), p.language))
        .collect();
    let Some(set) = super::oracle::complete(
        &set,
        |p| ids.contains(&(p.id.clone(), p.language)),
        sandbox.clone(),
        &opts.limits,
        opts.workers,
        &opts.reuse,
        cancel,
        reporter,
    ) else {
        return super::exec::interrupted_early(&opts.out, 0, reporter);
    };
    // The selection again, now with the ground truth the oracle step filled in.
    let mut problems = select(&set, opts);
    let checked = super::references::prepare(
        &opts.out,
        &set,
        &problems.iter().collect::<Vec<_>>(),
        &opts.references,
        &opts.limits,
        opts.workers,
        &opts.reuse,
        sandbox.clone(),
        cancel,
        reporter,
    )?;
    problems.retain(|p| checked.keeps(&p.id, p.language));
    let n = opts.n.max(1);
    let total = generators.len() * problems.len() * n;
    if let super::references::Checked::Cancelled = checked {
        return super::exec::interrupted_early(&opts.out, total, reporter);
    }

    let samples_path = opts.out.join(SAMPLES);
    let mut episodes = Episodes::new(opts.repair);
    for_each_line(&samples_path, "sample record", |r: SampleRecord| {
        episodes.generated(r)
    })?;
    // One read of the results: each turn's verdict, and how many first answers are scored.
    let mut first_turns_done = 0;
    results::for_each(&opts.out.join(RESULTS), |r| {
        first_turns_done += usize::from(r.turn == 0);
        episodes.executed(&r);
    })?;
    let mut writer = Appender::open(&opts.out.join(RESULTS))?;
    let samples_writer = Mutex::new(Appender::open(&samples_path)?);

    // Per model: turns generated before a crash but not executed (straight to execution),
    // and generation work (first turns missing, repair turns due).
    let mut pending: HashMap<usize, Vec<Job>> = HashMap::new();
    let mut work: BTreeMap<usize, Vec<Work>> = BTreeMap::new();
    let mut started = 0;
    for (m, g) in generators.iter().enumerate() {
        let name = &g.info().name;
        for (pi, p) in problems.iter().enumerate() {
            let mut missing = Vec::new();
            for i in 0..n {
                match episodes.next(&episode(p, name, i)) {
                    Next::Generate => missing.push(i),
                    Next::Execute(r) => {
                        started += 1;
                        pending
                            .entry(m)
                            .or_default()
                            .push(job_for(p, r, &opts.limits))
                    }
                    Next::Repair(turn) => {
                        started += 1;
                        work.entry(m).or_default().push(Work::Repair {
                            problem: pi,
                            sample_index: i,
                            turn,
                        })
                    }
                    Next::Done => started += 1,
                }
            }
            if !missing.is_empty() {
                work.entry(m).or_default().push(Work::First {
                    problem: pi,
                    indices: missing,
                });
            }
        }
    }
    reporter.on(Event::Started {
        total,
        already_done: first_turns_done,
    });
    reporter.on(Event::GenerationStarted {
        total,
        already_done: started,
    });

    let index: HashMap<(&str, Language), usize> = problems
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.id.as_str(), p.language), i))
        .collect();
    let episodes = Mutex::new(episodes);
    let queue = Queue::default();
    let (tx, rx) = tokio::sync::mpsc::channel::<Job>(64);
    let mut write_error = None;
    let mut gen_error: Option<RunError> = None;
    let all_started = std::thread::scope(|scope| {
        let (generators, problems, samples_writer) = (&generators, &problems, &samples_writer);
        let (episodes, queue) = (&episodes, &queue);
        // Counted before it is sent: a verdict that may open a turn keeps the model's
        // threads waiting for it.
        let send = |tx: &tokio::sync::mpsc::Sender<Job>, job: Job| {
            if job.turn < opts.repair {
                queue.expect_verdict();
            }
            tx.blocking_send(job).is_ok()
        };
        let producer = scope.spawn(move || -> Result<(), RunError> {
            for (m, g) in generators.iter().enumerate() {
                let g = g.as_ref();
                for job in pending.remove(&m).unwrap_or_default() {
                    if !send(&tx, job) {
                        return Ok(());
                    }
                }
                for w in work.remove(&m).unwrap_or_default() {
                    queue.push(w);
                }
                let reasons = std::sync::atomic::AtomicBool::new(false);
                let failed: Mutex<Option<RunError>> = Mutex::new(None);
                let fail = |e: RunError| {
                    *failed.lock().expect("error slot") = Some(e);
                    cancel.cancel();
                    false
                };
                let next = || queue.next(|| cancel.is_cancelled() || tx.is_closed());
                crate::generate::pull_in_parallel(next, g.concurrency(), |w: Work| {
                    if cancel.is_cancelled() || tx.is_closed() {
                        return false;
                    }
                    let p = &problems[work_problem(&w)];
                    let records = generate_work(g, p, &w, episodes, &opts.sampling);
                    {
                        let mut sw = samples_writer.lock().expect("samples writer");
                        for r in &records {
                            if let Err(e) = sw.append(r) {
                                return fail(e);
                            }
                        }
                        if let Err(e) = sw.sync() {
                            return fail(e);
                        }
                    }
                    if opts.repair > 0 {
                        let mut e = episodes.lock().expect("episodes");
                        for r in &records {
                            e.generated(r.clone());
                        }
                    }
                    reporter.on(Event::Generated {
                        model: &g.info().name,
                        samples: records.len(),
                        turn: records.first().map_or(0, |r| r.turn),
                    });
                    let reasoned = records.iter().any(|r| {
                        r.reasoning.is_some() || r.cost.reasoning_tokens.is_some_and(|t| t > 0)
                    });
                    if reasoned && !reasons.swap(true, std::sync::atomic::Ordering::SeqCst) {
                        reporter.on(Event::ModelReasons {
                            model: &g.info().name,
                            max_tokens: opts.sampling.max_tokens,
                        });
                    }
                    records
                        .iter()
                        .all(|r| send(&tx, job_for(p, r, &opts.limits)))
                });
                if let Some(e) = failed.into_inner().expect("error slot") {
                    return Err(e);
                }
                if cancel.is_cancelled() {
                    break;
                }
            }
            Ok(())
        });
        let mut sink = record_sink(&mut writer, &mut write_error, reporter);
        let all_started = execute_jobs(
            sandbox,
            Jobs::Channel(rx),
            opts.workers,
            &opts.reuse,
            cancel,
            |r: ResultRecord| {
                // Written before the next turn can be generated: on disk a turn's verdict
                // always precedes the turn it opened.
                let counted = r.model.is_some() && r.turn < opts.repair;
                let seen = counted.then(|| r.clone());
                sink(r);
                if let Some(r) = seen {
                    let opened = episodes.lock().expect("episodes").executed(&r);
                    queue.verdict(opened.and_then(|turn| {
                        Some(Work::Repair {
                            problem: *index.get(&(r.task_id.as_str(), r.language))?,
                            sample_index: r.sample_index,
                            turn,
                        })
                    }));
                }
            },
        );
        match producer.join() {
            Ok(Err(e)) => gen_error = Some(e),
            Ok(Ok(())) => {}
            Err(panic) => gen_error = Some(RunError::panicked("a generation thread", panic)),
        }
        all_started
    });
    finish(
        &opts.out,
        total,
        writer,
        all_started,
        cancel,
        reporter,
        write_error.or(gen_error),
    )
}

fn work_problem(w: &Work) -> usize {
    match w {
        Work::First { problem, .. } | Work::Repair { problem, .. } => *problem,
    }
}
