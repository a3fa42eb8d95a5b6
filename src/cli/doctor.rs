//! `passk doctor`: every language, the sandbox that runs it (wasm/process) and its
//! toolchain version, or why it cannot run here and how to fix that.

use clap::Args;
use serde::Serialize;

use super::SandboxArgs;
use crate::exit_codes::ExitStatus;
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
    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What `passk doctor` found; rendered as text or, with `--json`, as this JSON.
#[derive(Debug, Serialize)]
struct Report {
    cache: String,
    /// The process sandbox's isolation, or why it is unavailable.
    process_sandbox: Found,
    humaneval_x_rust_crates: Found,
    /// Headers the WASM guests lack (C/C++ programs that include them run in the process
    /// sandbox under `--sandbox auto`).
    host_only_libraries: Vec<String>,
    languages: Vec<LanguageStatus>,
    python_fallback: Found,
    runnable: usize,
}

/// Something doctor looked for: whether it is there, and what it is or why not.
#[derive(Debug, Serialize)]
struct Found {
    available: bool,
    detail: String,
}

impl From<Result<String, String>> for Found {
    fn from(r: Result<String, String>) -> Found {
        match r {
            Ok(detail) => Found {
                available: true,
                detail,
            },
            Err(detail) => Found {
                available: false,
                detail,
            },
        }
    }
}

#[derive(Debug, Serialize)]
struct LanguageStatus {
    language: Language,
    sandbox: String,
    /// `ok`, `broken` (its check programs fail) or `unavailable`.
    status: &'static str,
    /// The toolchain version, or why it cannot run.
    detail: String,
}

fn examine(args: &DoctorArgs) -> anyhow::Result<Report> {
    let router = args.sandbox.sandbox()?;
    let paths = crate::setup::Paths::from_env();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut languages = Vec::new();
    for &l in Language::ALL {
        let kind = router.kind(l);
        let (status, detail) = match router.unavailable(l) {
            None => match router.process() {
                Ok(p) if args.check && kind == "process" => {
                    match rt.block_on(p.check_language(l)) {
                        Ok(()) => ("ok", router.id(l).version),
                        Err(e) => ("broken", e.to_string()),
                    }
                }
                _ => ("ok", router.id(l).version),
            },
            Some(why) => ("unavailable", why.to_string()),
        };
        languages.push(LanguageStatus {
            language: l,
            sandbox: kind.to_string(),
            status,
            detail,
        });
    }
    Ok(Report {
        cache: paths.root.display().to_string(),
        process_sandbox: router
            .process()
            .map(|p| p.isolation().to_string())
            .map_err(|e| e.to_string())
            .into(),
        humaneval_x_rust_crates: crate::setup::rust_crates::find(&paths)
            .map(|c| {
                format!(
                    "{} built ({})",
                    crate::setup::rust_crates::CRATES.join(", "),
                    c.deps.display()
                )
            })
            .map_err(|why| why.to_string())
            .into(),
        host_only_libraries: crate::sandbox::wasm::clang::HOST_ONLY
            .iter()
            .map(|(_, name)| name.to_string())
            .collect(),
        runnable: languages.iter().filter(|l| l.status == "ok").count(),
        languages,
        python_fallback: router
            .wasm()
            .python_plain()
            .map(|_| "python.wasm fallback (--python-fallback)".to_string())
            .map_err(|why| why.to_string())
            .into(),
    })
}

fn render(r: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let either = |x: &Found, bad: &str| {
        if x.available {
            x.detail.clone()
        } else {
            format!("{bad}{}", x.detail)
        }
    };
    let _ = writeln!(out, "cache: {}", r.cache);
    let _ = writeln!(
        out,
        "process sandbox: {}",
        either(&r.process_sandbox, "unavailable: ")
    );
    let _ = writeln!(
        out,
        "HumanEval-X Rust crates: {}",
        either(&r.humaneval_x_rust_crates, "")
    );
    let _ = writeln!(
        out,
        "C/C++ under WASM: no {} for wasm32; under --sandbox auto a program that includes \
         them runs in the process sandbox (HumanEval-X CPP/22, /137, /162): {}",
        r.host_only_libraries.join(" or "),
        if r.process_sandbox.available {
            "available".to_string()
        } else {
            format!("UNAVAILABLE ({})", r.process_sandbox.detail)
        }
    );
    let _ = writeln!(out, "{:<12} {:<8} status", "language", "sandbox");
    for l in &r.languages {
        let line = match l.status {
            "ok" => format!("ok: {}", l.detail),
            "broken" => format!("BROKEN: {}", l.detail),
            _ => format!("unavailable: {}", l.detail),
        };
        let _ = writeln!(out, "{:<12} {:<8} {line}", l.language.as_str(), l.sandbox);
    }
    let fallback = &r.python_fallback;
    let status = if fallback.available {
        "ok:"
    } else {
        "fallback unavailable:"
    };
    let _ = writeln!(
        out,
        "{:<12} {:<8} {status} {}",
        "python", "wasm", fallback.detail
    );
    let _ = writeln!(
        out,
        "{} of {} languages can run here",
        r.runnable,
        r.languages.len()
    );
    out
}

pub fn run(args: DoctorArgs) -> anyhow::Result<ExitStatus> {
    let report = examine(&args)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&report));
    }
    Ok(ExitStatus::Success)
}
