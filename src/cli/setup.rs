//! `passk setup`.

use clap::Args;

use crate::exit_codes;
use crate::setup::{Paths, setup_guests};

#[derive(Args)]
pub struct SetupArgs {}

pub fn run(_args: SetupArgs) -> anyhow::Result<i32> {
    let paths = Paths::from_env();
    eprintln!("passk setup: cache {}", paths.root.display());
    setup_guests(&paths, &mut |msg| eprintln!("  {msg}"))?;
    eprintln!("passk setup: done; `passk doctor` shows what is available");
    Ok(exit_codes::SUCCESS)
}
