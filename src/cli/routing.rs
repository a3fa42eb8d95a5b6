//! `passk run --suite <routing suite>`: every model routes every request; decisions are
//! appended to `decisions.jsonl` (a rerun resumes), scores go to `routing.json` and
//! `report.md`.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::default_out;
use super::run::RunArgs;
use crate::errors::RunError;
use crate::exit_codes;
use crate::generate::extract::split_reasoning;
use crate::generate::{Generator, ModelInfo, Request, Sampling};
use crate::grade::routing::{Decision, RoutingScores, RoutingSuite, score};
use crate::runner::exec::{read_run_file, write_json_atomically};
use crate::runner::results::{ResultsWriter, for_each_line};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RoutingManifest {
    pub kind: String,
    pub passk_version: String,
    pub suite: String,
    pub suite_sha256: String,
    pub models: Vec<ModelInfo>,
    pub sampling: Sampling,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RoutingSummary {
    pub schema_version: u32,
    pub suite: String,
    /// False when any decision failed to generate (harness fault).
    pub complete: bool,
    pub models: BTreeMap<String, RoutingScores>,
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

pub fn run(
    args: &RunArgs,
    generators: Vec<Box<dyn Generator>>,
    sampling: Sampling,
) -> anyhow::Result<i32> {
    let mut suite = RoutingSuite::load(&args.suite)?;
    if let Some(limit) = args.limit {
        // The suite interleaves its routes, so any prefix stays balanced.
        suite.requests.truncate(limit);
    }
    let out = args.out.clone().unwrap_or_else(|| default_out("routing"));
    std::fs::create_dir_all(&out)?;
    let manifest = RoutingManifest {
        kind: "routing".into(),
        passk_version: env!("CARGO_PKG_VERSION").into(),
        suite: args.suite.display().to_string(),
        suite_sha256: suite.sha256.clone(),
        models: generators.iter().map(|g| g.info().clone()).collect(),
        sampling: sampling.clone(),
    };
    if out.join("manifest.json").exists() {
        let old: RoutingManifest = read_run_file(&out, "manifest.json")?;
        let same_models = |m: &RoutingManifest| {
            m.models
                .iter()
                .map(|i| (i.name.clone(), i.file_sha256.clone()))
                .collect::<Vec<_>>()
        };
        if old.suite_sha256 != manifest.suite_sha256
            || same_models(&old) != same_models(&manifest)
            || old.sampling != manifest.sampling
        {
            return Err(RunError::Mismatch(format!(
                "{} holds a routing run with another suite, models or sampling",
                out.display()
            ))
            .into());
        }
    }
    write_json_atomically(&out.join("manifest.json"), &manifest)?;
    let path = out.join("decisions.jsonl");
    let mut done = HashSet::new();
    for_each_line(&path, "routing decision", |d: Decision| {
        done.insert((d.model, d.id));
    })?;
    let writer = Mutex::new(ResultsWriter::append_to(&path)?);
    let failed: Mutex<Option<RunError>> = Mutex::new(None);
    let total = generators.len() * suite.requests.len();
    let bar = super::progress::bar(total as u64, args.json, "routing");
    bar.set_position(done.len() as u64);
    for g in &generators {
        let name = g.info().name.clone();
        let todo: Vec<_> = suite
            .requests
            .iter()
            .filter(|r| !done.contains(&(name.clone(), r.id.clone())))
            .collect();
        crate::generate::in_parallel(todo, g.concurrency(), |r| {
            let d = decide(g.as_ref(), &suite, r, &sampling);
            let mut w = writer.lock().expect("decisions writer");
            if let Err(e) = w.append(&d).and_then(|()| w.sync()) {
                *failed.lock().expect("error slot") = Some(e);
                return false;
            }
            bar.inc(1);
            true
        });
        if let Some(e) = failed.lock().expect("error slot").take() {
            return Err(e.into());
        }
    }
    bar.finish_and_clear();
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
        suite: args.suite.display().to_string(),
        complete,
        models,
    };
    write_json_atomically(&out.join("routing.json"), &summary)?;
    let labels: Vec<String> = suite.routes.iter().map(|r| r.label.clone()).collect();
    let md = crate::report::routing_md::render(&summary.suite, &labels, &summary.models);
    std::fs::write(out.join("report.md"), &md)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{md}");
        eprintln!("→ {}", out.display());
    }
    if !complete {
        let errors: usize = summary.models.values().map(|s| s.errors).sum();
        eprintln!("INCOMPLETE: {errors} decisions failed to generate; scores are not trustworthy");
        return Ok(exit_codes::HARNESS_FAULT);
    }
    Ok(exit_codes::SUCCESS)
}
