//! The routing pipeline (`passk run --suite <routing suite>`): every model routes every
//! request; decisions are appended to `decisions.jsonl` as they are made (a rerun resumes),
//! the scores go to `routing.json`.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;

use super::{Event, Reporter};
use crate::errors::RunError;
use crate::generate::extract::split_reasoning;
use crate::generate::{Generator, Request, Sampling};
use crate::grade::routing::{RoutingSuite, score};
use crate::rundir::jsonl::{Appender, for_each_line};
use crate::rundir::routing::{
    DECISIONS, Decision, RoutingManifest, RoutingScores, RoutingSummary, SCORES,
};
use crate::rundir::{MANIFEST, write_json_atomically};

pub struct RoutingOptions {
    pub suite: PathBuf,
    /// Only the first requests (the suite interleaves its routes, so any prefix stays
    /// balanced).
    pub limit: Option<usize>,
    pub out: PathBuf,
}

pub struct RoutingOutcome {
    pub summary: RoutingSummary,
    /// The suite's route labels, in its order.
    pub labels: Vec<String>,
}

fn decide(
    g: &dyn Generator,
    suite: &RoutingSuite,
    r: &crate::grade::routing::RoutingRequest,
    sampling: &Sampling,
) -> Decision {
    let style = g.info().style;
    let req = Request {
        task_id: r.id.clone(),
        language: crate::lang::Language::Python,
        turn: 0,
        prompt: suite.prompt(&r.text, style),
        n: 1,
        seeds: vec![sampling.seed],
        stop: match style {
            crate::generate::prompt::Style::Completion => vec!["\n".into()],
            crate::generate::prompt::Style::Instruct => vec![],
        },
        halt: vec![],
        sampling: sampling.clone(),
    };
    let mut d = Decision {
        id: r.id.clone(),
        model: g.info().name.clone(),
        gold: r.route.clone(),
        also: r.also.clone(),
        ambiguous: r.ambiguous,
        predicted: None,
        raw: String::new(),
        prompt_tokens: 0,
        completion_tokens: 0,
        latency_ms: 0.0,
        error: None,
    };
    match g.generate(&req).into_iter().next() {
        Some(Ok(generation)) => {
            let (answer, _) = split_reasoning(&generation.text);
            d.predicted = suite.parse(&answer);
            d.raw = generation.text;
            d.prompt_tokens = generation.prompt_tokens;
            d.completion_tokens = generation.completion_tokens;
            d.latency_ms = generation.latency_ms;
        }
        Some(Err(e)) => d.error = Some(e.0),
        None => d.error = Some("the backend returned no sample".into()),
    }
    d
}

pub fn run_routing(
    opts: &RoutingOptions,
    generators: &[Box<dyn Generator>],
    sampling: &Sampling,
    reporter: &dyn Reporter,
) -> Result<RoutingOutcome, RunError> {
    let mut suite = RoutingSuite::load(&opts.suite)?;
    if let Some(limit) = opts.limit {
        suite.requests.truncate(limit);
    }
    let out = &opts.out;
    std::fs::create_dir_all(out).map_err(|e| RunError::Io {
        path: out.clone(),
        source: e,
    })?;
    let manifest = RoutingManifest {
        kind: "routing".into(),
        passk_version: env!("CARGO_PKG_VERSION").into(),
        suite: opts.suite.display().to_string(),
        suite_sha256: suite.sha256.clone(),
        models: generators.iter().map(|g| g.info().clone()).collect(),
        sampling: sampling.clone(),
    };
    manifest.check_resume(out)?;
    write_json_atomically(&out.join(MANIFEST), &manifest)?;
    let path = out.join(DECISIONS);
    let mut done = HashSet::new();
    for_each_line(&path, "routing decision", |d: Decision| {
        done.insert((d.model, d.id));
    })?;
    let writer = Mutex::new(Appender::open(&path)?);
    let failed: Mutex<Option<RunError>> = Mutex::new(None);
    let total = generators.len() * suite.requests.len();
    reporter.on(Event::GenerationStarted {
        total,
        already_done: done.len(),
    });
    for g in generators {
        let name = g.info().name.clone();
        let todo: Vec<_> = suite
            .requests
            .iter()
            .filter(|r| !done.contains(&(name.clone(), r.id.clone())))
            .collect();
        crate::generate::in_parallel(todo, g.concurrency(), |r| {
            let d = decide(g.as_ref(), &suite, r, sampling);
            let mut w = writer.lock().expect("decisions writer");
            if let Err(e) = w.append(&d).and_then(|()| w.sync()) {
                *failed.lock().expect("error slot") = Some(e);
                return false;
            }
            reporter.on(Event::Generated {
                model: &name,
                samples: 1,
                turn: 0,
            });
            true
        });
        if let Some(e) = failed.lock().expect("error slot").take() {
            return Err(e);
        }
    }
    let mut all: BTreeMap<String, Vec<Decision>> = BTreeMap::new();
    for_each_line(&path, "routing decision", |d: Decision| {
        all.entry(d.model.clone()).or_default().push(d);
    })?;
    let models: BTreeMap<String, RoutingScores> = all
        .iter()
        .map(|(m, ds)| (m.clone(), score(&suite.routes, ds)))
        .collect();
    let complete = models.values().all(|s| s.errors == 0)
        && models.values().map(|s| s.decisions).sum::<usize>() == total;
    let summary = RoutingSummary {
        schema_version: 1,
        suite: opts.suite.display().to_string(),
        complete,
        models,
    };
    write_json_atomically(&out.join(SCORES), &summary)?;
    Ok(RoutingOutcome {
        summary,
        labels: suite.routes.iter().map(|r| r.label.clone()).collect(),
    })
}
