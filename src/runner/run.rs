//! `passk run`: models generate, the sandbox executes, both at once. Generation runs on its
//! own threads (a model's concurrency limit of them) and feeds jobs to the execution
//! workers through a channel; every sample is appended to `samples.jsonl` before it
//! executes and every verdict to `results.jsonl`, so a rerun into the same directory
//! resumes: generated samples are not generated again, executed ones not executed again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::exec::{ExecOutcome, finish, record_sink};
use super::{Cancel, Event, Job, Jobs, Reporter, execute_jobs};
use crate::errors::RunError;
use crate::generate::extract::Extraction;
use crate::generate::{Generator, Request, Sampling, prompt};
use crate::lang::Language;
use crate::outcome::Outcome;
use crate::problem::{Problem, ProblemSet};
use crate::rundir::jsonl::{Appender, for_each_line};
use crate::rundir::manifest::{ExecManifest, GenerationManifest, check_resume};
use crate::rundir::results::{self, SampleKey};
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
    Job {
        model: Some(r.model.clone()),
        sample_index: r.sample_index,
        verdict,
        generation: r.stats(),
        ..Job::new(
            &problem.id,
            assembled,
            limits.for_problem(problem.time_limit),
        )
    }
}

/// One prompt's missing samples for one model.
struct Work {
    problem: usize,
    indices: Vec<usize>,
}

/// Generates the samples of one prompt and turns them into records.
fn generate_one(
    g: &dyn Generator,
    problem: &Problem,
    indices: &[usize],
    sampling: &Sampling,
) -> Vec<SampleRecord> {
    let info = g.info();
    let prepared = prompt::prepare(problem, info.style);
    let seeds: Vec<u64> = indices
        .iter()
        .map(|&i| sampling.seed.wrapping_add(i as u64))
        .collect();
    let req = Request {
        task_id: problem.id.clone(),
        language: problem.language,
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
    let set = ProblemSet::load(&opts.problems)?;
    let mut problems = select(&set, opts);
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
        shard: opts.shard,
        generation: Some(GenerationManifest {
            models: generators.iter().map(|g| g.info().clone()).collect(),
            n: opts.n,
            sampling: opts.sampling.clone(),
            languages,
            limit: opts.limit,
        }),
    };
    check_resume(&opts.out, &manifest)?;
    write_json_atomically(&opts.out.join(MANIFEST), &manifest)?;

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
    let mut generated: HashMap<SampleKey, SampleRecord> = HashMap::new();
    for_each_line(&samples_path, "sample record", |r: SampleRecord| {
        generated.insert(r.key(), r);
    })?;
    let samples_writer = Mutex::new(Appender::open(&samples_path)?);
    let (mut writer, done) = results::open(&opts.out.join(RESULTS))?;

    // Generated before the crash but not executed: straight to execution.
    let mut pending: Vec<Job> = Vec::new();
    let mut work: BTreeMap<usize, Vec<Work>> = BTreeMap::new();
    for (m, g) in generators.iter().enumerate() {
        let name = &g.info().name;
        for (pi, p) in problems.iter().enumerate() {
            let mut missing = Vec::new();
            for i in 0..n {
                let key = SampleKey {
                    task_id: p.id.clone(),
                    language: p.language,
                    model: Some(name.clone()),
                    sample_index: i,
                };
                match generated.get(&key) {
                    Some(r) if !done.contains(&key) => pending.push(job_for(p, r, &opts.limits)),
                    Some(_) => {}
                    None => missing.push(i),
                }
            }
            if !missing.is_empty() {
                work.entry(m).or_default().push(Work {
                    problem: pi,
                    indices: missing,
                });
            }
        }
    }
    reporter.on(Event::Started {
        total,
        already_done: done.len(),
    });
    reporter.on(Event::GenerationStarted {
        total,
        already_done: generated.len(),
    });

    let (tx, rx) = tokio::sync::mpsc::channel::<Job>(64);
    let mut write_error = None;
    let mut gen_error: Option<RunError> = None;
    let all_started = std::thread::scope(|scope| {
        let (generators, problems, samples_writer) = (&generators, &problems, &samples_writer);
        let producer = scope.spawn(move || -> Result<(), RunError> {
            for job in pending {
                if tx.blocking_send(job).is_err() {
                    return Ok(());
                }
            }
            for (m, items) in work {
                let g = generators[m].as_ref();
                let failed: Mutex<Option<RunError>> = Mutex::new(None);
                let fail = |e: RunError| {
                    *failed.lock().expect("error slot") = Some(e);
                    cancel.cancel();
                    false
                };
                crate::generate::in_parallel(items, g.concurrency(), |w: Work| {
                    if cancel.is_cancelled() || tx.is_closed() {
                        return false;
                    }
                    let p = &problems[w.problem];
                    let records = generate_one(g, p, &w.indices, &opts.sampling);
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
                    reporter.on(Event::Generated {
                        model: &g.info().name,
                        samples: records.len(),
                    });
                    records
                        .iter()
                        .all(|r| tx.blocking_send(job_for(p, r, &opts.limits)).is_ok())
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
        let all_started = execute_jobs(
            sandbox,
            Jobs::Channel(rx),
            opts.workers,
            &opts.reuse,
            cancel,
            record_sink(&mut writer, &mut write_error, reporter),
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
