//! `passk serve`.

use std::sync::Arc;

use clap::Args;

use crate::exit_codes::ExitStatus;
use crate::generate::models::{Config, ModelEntry};

#[derive(Args)]
pub struct ServeArgs {
    /// The model to serve: an embedded model, `gguf:PATH`, or a [models.NAME] of passk.toml.
    #[arg(long, default_value = "qwen2.5-coder-0.5b")]
    pub model: String,
    /// Address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// llama.cpp threads [default: one per core]
    #[arg(long)]
    pub threads: Option<usize>,
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitStatus> {
    let config = Config::load(args.config.as_deref())?;
    let defaults = ModelEntry {
        threads: args.threads,
        ..ModelEntry::default()
    };
    let paths = crate::setup::Paths::from_env();
    let g = crate::generate::models::open(&args.model, &config, &defaults, &paths)?;
    crate::generate::serve::serve_blocking(Arc::from(g), &args.listen)?;
    Ok(ExitStatus::Success)
}
