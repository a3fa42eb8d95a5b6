//! `passk doctor`: every language, the sandbox that runs it (wasm/process) and its
//! toolchain version, or why it cannot run here and how to fix that.

use clap::Args;

use super::SandboxArgs;
use crate::exit_codes;
use crate::lang::Language;
use crate::sandbox::Sandbox;

#[derive(Args, Debug)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    /// Also run each process-sandbox language's check programs (a passing and a failing
    /// test), as scoring does before it trusts a toolchain.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: DoctorArgs) -> anyhow::Result<i32> {
    let router = args.sandbox.sandbox()?;
    println!("cache: {}", crate::setup::Paths::from_env().root.display());
    match router.process() {
        Ok(p) => println!("process sandbox: {}", p.isolation()),
        Err(e) => println!("process sandbox: unavailable: {e}"),
    }
    match crate::setup::rust_crates::find(&crate::setup::Paths::from_env()) {
        Ok(c) => println!(
            "HumanEval-X Rust crates: {} built ({})",
            crate::setup::rust_crates::CRATES.join(", "),
            c.deps.display()
        ),
        Err(why) => println!("HumanEval-X Rust crates: {why}"),
    }
    // The WASM guests have no Boost or OpenSSL: C/C++ programs that include them are
    // routed to the process sandbox under `auto`.
    let libraries: Vec<&str> = crate::sandbox::wasm::clang::HOST_ONLY
        .iter()
        .map(|(_, name)| *name)
        .collect();
    println!(
        "C/C++ under WASM: no {} for wasm32; under --sandbox auto a program that includes \
         them runs in the process sandbox (HumanEval-X CPP/22, /137, /162): {}",
        libraries.join(" or "),
        match router.process() {
            Ok(_) => "available".to_string(),
            Err(why) => format!("UNAVAILABLE ({why})"),
        }
    );
    println!("{:<12} {:<8} status", "language", "sandbox");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut runnable = 0;
    for &l in Language::ALL {
        let kind = router.kind(l);
        match router.unavailable(l) {
            None => {
                runnable += 1;
                let mut line = format!("ok: {}", router.id(l).version);
                if args.check
                    && kind == "process"
                    && let Ok(p) = router.process()
                    && let Err(e) = rt.block_on(p.check_language(l))
                {
                    runnable -= 1;
                    line = format!("BROKEN: {e}");
                }
                println!("{l:<12} {kind:<8} {line}");
            }
            Some(why) => println!("{l:<12} {kind:<8} unavailable: {why}"),
        }
    }
    match router.wasm().python_plain() {
        Ok(_) => println!(
            "{:<12} {:<8} ok: python.wasm fallback (--python-fallback)",
            "python", "wasm"
        ),
        Err(why) => println!("{:<12} {:<8} fallback unavailable: {why}", "python", "wasm"),
    }
    println!(
        "{runnable} of {} languages can run here",
        Language::ALL.len()
    );
    Ok(exit_codes::SUCCESS)
}
