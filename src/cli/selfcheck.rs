//! `passk selfcheck`.
use clap::Args;
#[derive(Args)]
pub struct SelfcheckArgs {}
pub fn run(_a: SelfcheckArgs) -> anyhow::Result<i32> { Ok(0) }
