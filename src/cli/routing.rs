//! `passk run --suite <routing suite>`: renders the routing pipeline
//! ([`crate::runner::routing`]) — a progress bar, then the scores as `report.md` and on the
//! terminal (or as JSON).

use super::default_out;
use super::run::RunArgs;
use crate::exit_codes::ExitStatus;
use crate::generate::{Generator, Sampling};
use crate::runner::routing::{RoutingOptions, run_routing};

pub fn run(
    args: &RunArgs,
    generators: Vec<Box<dyn Generator>>,
    sampling: Sampling,
) -> anyhow::Result<ExitStatus> {
    let opts = RoutingOptions {
        suite: args.suite.clone(),
        limit: args.limit,
        out: args.out.clone().unwrap_or_else(|| default_out("routing")),
    };
    let progress = super::progress::Progress::generation_only(args.json);
    let outcome = run_routing(&opts, &generators, &sampling, &progress);
    progress.finish();
    let outcome = outcome?;
    let summary = &outcome.summary;
    let md = crate::report::routing_md::render(&summary.suite, &outcome.labels, &summary.models);
    std::fs::write(opts.out.join("report.md"), &md)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(summary)?);
    } else {
        print!("{md}");
        eprintln!("→ {}", opts.out.display());
    }
    if !summary.complete {
        let errors: usize = summary.models.values().map(|s| s.errors).sum();
        eprintln!("INCOMPLETE: {errors} decisions failed to generate; scores are not trustworthy");
        return Ok(ExitStatus::HarnessFault);
    }
    Ok(ExitStatus::Success)
}
