//! `passk merge`.

use std::path::PathBuf;

use clap::Args;

use crate::exit_codes::ExitStatus;

#[derive(Args)]
pub struct MergeArgs {
    /// The merged run directory to create.
    #[arg(long)]
    pub out: PathBuf,
    /// The shard directories (every INDEX of one --shard INDEX/COUNT split, once).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
}

pub fn run(args: MergeArgs) -> anyhow::Result<ExitStatus> {
    let summary = crate::runner::merge::merge(&args.shards, &args.out)?;
    crate::report::write_all(&args.out)?;
    print!("{}", super::exec::render_table(&summary));
    eprintln!(
        "merged {} shards → {}",
        args.shards.len(),
        args.out.display()
    );
    Ok(super::exec::exit_code(&summary, false))
}
