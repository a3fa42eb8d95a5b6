//! `passk setup`.

use clap::Args;

use crate::exit_codes;
use crate::sandbox::wasm::{WasmOptions, WasmSandbox};
use crate::setup::{Paths, setup_guests};

#[derive(Args)]
pub struct SetupArgs {}

pub fn run(_args: SetupArgs) -> anyhow::Result<i32> {
    let paths = Paths::from_env();
    eprintln!("passk setup: cache {}", paths.root.display());
    setup_guests(&paths, &mut |msg| eprintln!("  {msg}"))?;
    // Compile the guests for this machine now (cached), so that the first run does not pay
    // for it: both the default engine and the fuel-metering one of --deterministic.
    for deterministic in [false, true] {
        eprintln!(
            "  compiling guests for this machine{}",
            if deterministic {
                " (deterministic mode)"
            } else {
                ""
            }
        );
        let sandbox = WasmSandbox::new(
            paths.clone(),
            WasmOptions {
                deterministic,
                python_fallback: false,
                slots: 1,
            },
        )?;
        for loaded in [
            sandbox.python().map(drop),
            sandbox.python_plain().map(drop),
            sandbox.quickjs().map(drop),
        ] {
            loaded.map_err(anyhow::Error::msg)?;
        }
    }
    eprintln!("passk setup: done; `passk doctor` shows what is available");
    Ok(exit_codes::SUCCESS)
}
