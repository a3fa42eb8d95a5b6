//! `passk exec`: score an existing samples file against a problems file into a run
//! directory (`manifest.json`, `results.jsonl`, `summary.json`). Rerunning into the same
//! directory resumes: what is in `results.jsonl` is skipped, nothing is doubled or lost.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::references::{self, Checked, ReferenceCheck, ReferenceSettings};
use super::results::{self, ResultRecord, ResultsWriter, SampleKey};
use super::shard::Shard;
use super::{Cancel, Event, Job, execute};
use crate::errors::{InputError, RunError};
use crate::grade::summary::{Summary, SummaryBuilder};
use crate::lang::Language;
use crate::problem::ProblemSet;
use crate::problem::samples::{Sample, SampleReader};
use crate::sandbox::Limits;
use crate::sandbox::router::Router;

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
    /// The reference check before scoring ([`super::references`]).
    pub references: ReferenceSettings,
}

/// What a run directory was made from; a resume must match it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExecManifest {
    pub kind: String,
    pub passk_version: String,
    pub problems: String,
    pub problems_format: String,
    pub problems_sha256: String,
    pub samples: String,
    pub samples_sha256: String,
    pub limits: Limits,
    pub deterministic: bool,
    /// The shard this directory holds, if the run was split (`passk merge` joins shards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// `passk run`: the models, sampler and languages that generated the samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<super::run::GenerationManifest>,
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
    shard: Option<Shard>,
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
        if shard.is_none_or(|sh| sh.contains(&p.id)) {
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

pub fn write_json_atomically(path: &Path, value: &impl Serialize) -> Result<(), RunError> {
    let io = |e: std::io::Error| RunError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    serde_json::to_writer_pretty(&mut tmp, value).map_err(|e| io(e.into()))?;
    std::io::Write::write_all(&mut tmp, b"\n").map_err(io)?;
    // Temporary files are created private; run files are ordinary, readable output.
    use std::os::unix::fs::PermissionsExt;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))
        .map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

pub fn write_summary(out: &Path, summary: &Summary) -> Result<(), RunError> {
    write_json_atomically(&out.join("summary.json"), summary)
}

/// Rebuilds the summary from a run directory's `results.jsonl`.
pub fn summarize(out: &Path, samples_expected: usize) -> Result<Summary, RunError> {
    summarize_where(out, samples_expected, |_| true)
}

/// The summary of the records of `out` that `keep` accepts (e.g. one model's).
pub fn summarize_where(
    out: &Path,
    samples_expected: usize,
    keep: impl Fn(&ResultRecord) -> bool,
) -> Result<Summary, RunError> {
    // Problems the reference check excluded are scored by no summary, whatever results an
    // earlier run into the directory left for them.
    let check = ReferenceCheck::load(out)?;
    let mut b = SummaryBuilder::default();
    results::for_each(&out.join("results.jsonl"), |r| {
        if keep(&r)
            && check
                .as_ref()
                .is_none_or(|c| c.keeps(&r.task_id, r.language))
        {
            b.add(&r)
        }
    })?;
    Ok(b.finish(samples_expected).with_references(check))
}

/// Reads one JSON file of a run directory (`manifest.json`, `summary.json`).
pub fn read_run_file<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
) -> Result<T, RunError> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| RunError::Io {
        path: path.clone(),
        source: e,
    })?;
    serde_json::from_str(&text)
        .map_err(|e| RunError::Mismatch(format!("{}: not a passk {name} ({e})", path.display())))
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
        shard: opts.shard,
        generation: None,
    })
}

/// Refuses to resume into a directory made from other inputs, limits or (`passk run`)
/// models and sampling.
pub(super) fn check_resume(out: &Path, manifest: &ExecManifest) -> Result<(), RunError> {
    if !out.join("manifest.json").exists() {
        return Ok(());
    }
    let old: ExecManifest = read_run_file(out, "manifest.json")?;
    let differs = |what: &str| {
        Err(RunError::Mismatch(format!(
            "{} holds a run with different {what}; resume needs the same inputs, models, \
             sampling and limits (choose another --out to start a new run)",
            out.display()
        )))
    };
    if old.kind != manifest.kind {
        return differs(&format!("kind (it was made by `passk {}`)", old.kind));
    }
    if old.problems_sha256 != manifest.problems_sha256 {
        return differs("problems");
    }
    if old.samples_sha256 != manifest.samples_sha256 {
        return differs("samples");
    }
    if old.limits != manifest.limits || old.deterministic != manifest.deterministic {
        return differs("limits");
    }
    if old.shard != manifest.shard {
        return differs("--shard");
    }
    match (&old.generation, &manifest.generation) {
        (None, None) => Ok(()),
        (Some(a), Some(b)) => match a.difference(b) {
            Some(what) => differs(what),
            None => Ok(()),
        },
        _ => differs("generation settings"),
    }
}

pub fn run_exec(
    opts: &ExecOptions,
    sandbox: Arc<Router>,
    cancel: &Cancel,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<ExecOutcome, RunError> {
    let problems = ProblemSet::load(&opts.problems)?;
    let selected = validate(&opts.samples, &problems, opts.shard)?;
    std::fs::create_dir_all(&opts.out).map_err(|e| RunError::Io {
        path: opts.out.clone(),
        source: e,
    })?;
    let manifest = manifest_for(opts, &problems, sandbox.deterministic())?;
    check_resume(&opts.out, &manifest)?;
    write_json_atomically(&opts.out.join("manifest.json"), &manifest)?;

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
        on_event,
    )?;
    let total: usize = selected
        .iter()
        .filter(|((id, l), _)| checked.keeps(id, *l))
        .map(|(_, n)| n)
        .sum();
    if let Checked::Cancelled = checked {
        return interrupted_early(&opts.out, total, on_event);
    }

    let (mut writer, done) = ResultsWriter::open(&opts.out.join("results.jsonl"))?;
    on_event(Event::Started {
        total,
        already_done: done.len(),
    });

    let mut indexer = Indexer::default();
    let reader = SampleReader::open(&opts.samples)?;
    let jobs = reader.filter_map(|s: Result<Sample, InputError>| {
        // Validated above; a file changed under us mid-run only loses the changed lines.
        let s = s.ok()?;
        let p = problems.find(&s.task_id, s.language).ok()?;
        if opts.shard.is_some_and(|sh| !sh.contains(&p.id)) || !checked.keeps(&p.id, p.language) {
            return None;
        }
        let sample_index = indexer.next(&p.id, p.language, &s.model);
        let key = SampleKey {
            task_id: p.id.clone(),
            language: p.language,
            model: s.model.clone(),
            sample_index,
        };
        if done.contains(&key) {
            return None;
        }
        let limits = opts.limits.for_problem(p.time_limit);
        Some(Job {
            task_id: p.id.clone(),
            model: s.model,
            sample_index,
            program: p.program_for(&s.code),
            limits,
            verdict: None,
            generation: None,
        })
    });

    let mut write_error = None;
    let all_started = execute(
        sandbox,
        jobs,
        opts.workers,
        &opts.reuse,
        cancel,
        record_sink(&mut writer, &mut write_error, on_event),
    );
    finish(
        &opts.out,
        total,
        writer,
        all_started,
        cancel,
        on_event,
        write_error,
    )
}

/// Ends a run cancelled before any sample started: the summary of what the directory holds.
pub(super) fn interrupted_early(
    out: &Path,
    total: usize,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<ExecOutcome, RunError> {
    on_event(Event::Interrupted);
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
    writer: &'a mut ResultsWriter,
    write_error: &'a mut Option<RunError>,
    on_event: &'a mut dyn FnMut(Event<'_>),
) -> impl FnMut(results::ResultRecord) + 'a {
    move |record| {
        if write_error.is_none()
            && let Err(e) = writer.append(&record)
        {
            *write_error = Some(e);
        }
        on_event(Event::SampleFinished(&record));
    }
}

/// Ends a run: syncs the results, surfaces `error`, reports an interruption, and writes the
/// summary of everything in the directory.
pub(super) fn finish(
    out: &Path,
    total: usize,
    mut writer: ResultsWriter,
    all_started: bool,
    cancel: &Cancel,
    on_event: &mut dyn FnMut(Event<'_>),
    error: Option<RunError>,
) -> Result<ExecOutcome, RunError> {
    writer.sync()?;
    if let Some(e) = error {
        return Err(e);
    }
    let interrupted = !all_started || cancel.is_cancelled();
    if interrupted {
        on_event(Event::Interrupted);
    }
    let summary = summarize(out, total)?;
    write_summary(out, &summary)?;
    Ok(ExecOutcome {
        summary,
        interrupted,
        out: out.to_path_buf(),
    })
}
