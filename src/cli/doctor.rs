//! `passk doctor`: every language, its sandbox and version, or why it cannot run here.

use crate::exit_codes;
use crate::lang::Language;
use crate::sandbox::Sandbox;
use crate::sandbox::wasm::{WasmOptions, WasmSandbox};
use crate::setup::Paths;

pub fn run() -> anyhow::Result<i32> {
    let paths = Paths::from_env();
    println!("cache: {}", paths.root.display());
    let sandbox = WasmSandbox::new(
        paths,
        WasmOptions {
            deterministic: false,
            python_fallback: false,
            slots: 1,
        },
    )?;
    let fallback = sandbox.python_plain().err();
    println!("{:<12} {:<8} status", "language", "sandbox");
    for l in Language::ALL {
        match sandbox.unavailable(l) {
            None => println!("{:<12} {:<8} ok: {}", l, "wasm", sandbox.id(l).version),
            Some(why) => println!("{:<12} {:<8} unavailable: {why}", l, "wasm"),
        }
    }
    match fallback {
        None => println!(
            "{:<12} {:<8} ok: python.wasm fallback (--python-fallback)",
            "python", "wasm"
        ),
        Some(why) => println!("{:<12} {:<8} fallback unavailable: {why}", "python", "wasm"),
    }
    Ok(exit_codes::SUCCESS)
}
