//! `passk exec`: score an existing samples file against a problems file into a run
//! directory (`manifest.json`, `results.jsonl`, `summary.json`). Rerunning into the same
//! directory resumes: what is in `results.jsonl` is skipped, nothing is doubled or lost.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::references::{self, Checked, ReferenceSettings};
use super::{Cancel, Event, Job, Reporter, execute};
use crate::errors::{InputError, RunError};
use crate::grade::summary::summarize;
use crate::lang::Language;
use crate::problem::ProblemSet;
use crate::problem::samples::{Sample, SampleReader};
use crate::rundir::jsonl::Appender;
use crate::rundir::manifest::{ExecManifest, check_resume};
use crate::rundir::results::{self, SampleKey};
use crate::rundir::shard::Shard;
use crate::rundir::summary::{Summary, write_summary};
use crate::rundir::{MANIFEST, RESULTS, write_json_atomically};
use crate::sandbox::{Limits, Sandbox};

pub struct ExecOptions {
    pub problems: PathBuf,
    pub samples: PathBuf,
    pub out: PathBuf,
    pub limits: Limits,
    pub workers: usize,
    /// Which verdicts may be reused instead of executing (see [`super::reuse`]).
    pub reuse: super::Reuse,
    /// Only this shard's problems.
    pub shard: Option<Shard>,
    /// Only problems published in this window (`--since` / `--until`).
    pub window: Option<crate::problem::window::Window>,
    /// A comprehension task for a CRUXEval file (`--task`; default: output prediction).
    pub task: Option<crate::problem::cruxeval::Prediction>,
    /// The reference check before scoring ([`super::references`]).
    pub references: ReferenceSettings,
}

pub struct ExecOutcome {
    pub summary: Summary,
    pub interrupted: bool,
    pub out: PathBuf,
}

/// Assigns each sample its index among samples of the same task, language and model, in
/// file order — the identity `results.jsonl` uses.
#[derive(Default)]
struct Indexer(HashMap<(String, Language, Option<String>), usize>);

impl Indexer {
    fn next(&mut self, task: &str, language: Language, model: &Option<String>) -> usize {
        let n = self
            .0
            .entry((task.to_string(), language, model.clone()))
            .or_default();
        *n += 1;
        *n - 1
    }
}

/// Samples per problem (id and language), in first-seen order.
type Selected = Vec<((String, Language), usize)>;

/// Checks every sample before anything runs: a bad line fails the run up front, naming the
/// file and line, instead of half-way through. Returns how many samples each problem has.
fn validate(
    path: &Path,
    problems: &ProblemSet,
    selects: impl Fn(&crate::problem::Problem) -> bool,
) -> Result<Selected, InputError> {
    let mut counts: Selected = Vec::new();
    let mut at: HashMap<(String, Language), usize> = HashMap::new();
    for s in SampleReader::open(path)? {
        let s = s?;
        let p = problems
            .find(&s.task_id, s.language)
            .map_err(|message| InputError::Line {
                path: path.to_path_buf(),
                line: s.line,
                message,
            })?;
        if selects(p) {
            let key = (p.id.clone(), p.language);
            let i = *at.entry(key.clone()).or_insert_with(|| {
                counts.push((key, 0));
                counts.len() - 1
            });
            counts[i].1 += 1;
        }
    }
    Ok(counts)
}

fn manifest_for(
    opts: &ExecOptions,
    problems: &ProblemSet,
    deterministic: bool,
) -> Result<ExecManifest, RunError> {
    let samples_sha256 =
        crate::setup::paths::sha256_file(&opts.samples).map_err(|e| RunError::Io {
            path: opts.samples.clone(),
            source: e,
        })?;
    Ok(ExecManifest {
        kind: "exec".into(),
        passk_version: env!("CARGO_PKG_VERSION").into(),
        problems: opts.problems.display().to_string(),
        problems_format: problems.format.clone(),
        problems_sha256: problems.sha256.clone(),
        samples: opts.samples.display().to_string(),
        samples_sha256,
        limits: opts.limits.clone(),
        deterministic,
        task: problems.task(),
        shard: opts.shard,
        window: opts.window,
        generation: None,
    })
}

pub fn run_exec<S: Sandbox + 'static>(
    opts: &ExecOptions,
    sandbox: Arc<S>,
    cancel: &Cancel,
    reporter: &dyn Reporter,
) -> Result<ExecOutcome, RunError> {
    let problems = ProblemSet::load_for(&opts.problems, opts.task)?;
    if let Some(w) = opts.window {
        w.check(&problems, &opts.problems)?;
    }
    // This shard's problems, published in the window.
    let selects = |p: &crate::problem::Problem| {
        opts.shard.is_none_or(|sh| sh.contains(&p.id)) && opts.window.is_none_or(|w| w.contains(p))
    };
    let selected = validate(&opts.samples, &problems, selects)?;
    std::fs::create_dir_all(&opts.out).map_err(|e| RunError::Io {
        path: opts.out.clone(),
        source: e,
    })?;
    let manifest = manifest_for(opts, &problems, sandbox.deterministic())?;
    check_resume(&opts.out, &manifest)?;
    write_json_atomically(&opts.out.join(MANIFEST), &manifest)?;

    let wanted = |p: &crate::problem::Problem| {
        selected
            .iter()
            .any(|((id, l), _)| *id == p.id && *l == p.language)
    };
    let Some(problems) = super::oracle::complete(
        &problems,
        wanted,
        sandbox.clone(),
        &opts.limits,
        opts.workers,
        &opts.reuse,
        cancel,
        reporter,
    ) else {
        return interrupted_early(&opts.out, 0, reporter);
    };
    let references: Vec<&crate::problem::Problem> = selected
        .iter()
        .filter_map(|((id, l), _)| problems.find(id, Some(*l)).ok())
        .collect();
    let checked = references::prepare(
        &opts.out,
        &problems,
        &references,
        &opts.references,
        &opts.limits,
        opts.workers,
        &opts.reuse,
        sandbox.clone(),
        cancel,
        reporter,
    )?;
    let total: usize = selected
        .iter()
        .filter(|((id, l), _)| checked.keeps(id, *l))
        .map(|(_, n)| n)
        .sum();
    if let Checked::Cancelled = checked {
        return interrupted_early(&opts.out, total, reporter);
    }

    let (mut writer, done) = results::open(&opts.out.join(RESULTS))?;
    reporter.on(Event::Started {
        total,
        already_done: done.len(),
    });

    let mut indexer = Indexer::default();
    let reader = SampleReader::open(&opts.samples)?;
    let jobs = reader.filter_map(|s: Result<Sample, InputError>| {
        // Validated above; a file changed under us mid-run only loses the changed lines.
        let s = s.ok()?;
        let p = problems.find(&s.task_id, s.language).ok()?;
        if !selects(p) || !checked.keeps(&p.id, p.language) {
            return None;
        }
        let sample_index = indexer.next(&p.id, p.language, &s.model);
        let key = SampleKey {
            task_id: p.id.clone(),
            language: p.language,
            model: s.model.clone(),
            sample_index,
            turn: 0,
        };
        if done.contains(&key) {
            return None;
        }
        let limits = p.limits(&opts.limits);
        Some(Job {
            model: s.model,
            sample_index,
            facets: p.facets(),
            base_check: p.base_check(&s.code),
            ..Job::new(&p.id, p.program_for(&s.code), limits)
        })
    });

    let mut write_error = None;
    let all_started = execute(
        sandbox,
        jobs,
        opts.workers,
        &opts.reuse,
        cancel,
        record_sink(&mut writer, &mut write_error, reporter),
    );
    finish(
        &opts.out,
        total,
        writer,
        all_started,
        cancel,
        reporter,
        write_error,
    )
}

/// Ends a run cancelled before any sample started: the summary of what the directory holds.
pub(super) fn interrupted_early(
    out: &Path,
    total: usize,
    reporter: &dyn Reporter,
) -> Result<ExecOutcome, RunError> {
    reporter.on(Event::Interrupted);
    let summary = summarize(out, total)?;
    write_summary(out, &summary)?;
    Ok(ExecOutcome {
        summary,
        interrupted: true,
        out: out.to_path_buf(),
    })
}

/// Appends each result to `writer` (keeping the first write error) and reports it.
pub(super) fn record_sink<'a>(
    writer: &'a mut Appender,
    write_error: &'a mut Option<RunError>,
    reporter: &'a dyn Reporter,
) -> impl FnMut(results::ResultRecord) + 'a {
    move |record| {
        if write_error.is_none()
            && let Err(e) = writer.append(&record)
        {
            *write_error = Some(e);
        }
        reporter.on(Event::SampleFinished(&record));
    }
}

/// Ends a run: syncs the results, surfaces `error`, reports an interruption, and writes the
/// summary of everything in the directory.
pub(super) fn finish(
    out: &Path,
    total: usize,
    mut writer: Appender,
    all_started: bool,
    cancel: &Cancel,
    reporter: &dyn Reporter,
    error: Option<RunError>,
) -> Result<ExecOutcome, RunError> {
    writer.sync()?;
    if let Some(e) = error {
        return Err(e);
    }
    let interrupted = !all_started || cancel.is_cancelled();
    if interrupted {
        reporter.on(Event::Interrupted);
    }
    let summary = summarize(out, total)?;
    write_summary(out, &summary)?;
    Ok(ExecOutcome {
        summary,
        interrupted,
        out: out.to_path_buf(),
    })
}
