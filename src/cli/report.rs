//! `passk report RUN`.

use std::path::PathBuf;

use clap::Args;

use crate::exit_codes::ExitStatus;

#[derive(Args)]
pub struct ReportArgs {
    /// The run directory.
    pub run: PathBuf,
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitStatus> {
    crate::report::write_all(&args.run)?;
    println!("{}", args.run.join("report.md").display());
    println!("{}", args.run.join("junit.xml").display());
    Ok(ExitStatus::Success)
}
