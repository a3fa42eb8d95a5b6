//! The WASM sandbox: wasmtime + WASI, capability-safe by construction.
//!
//! Python runs in a pre-initialized CPython component (componentize-py); JavaScript in
//! QuickJS; C and C++ are compiled by clang to `wasm32-wasi`. Each run gets a fresh `Store`
//! with a memory cap, capped output pipes, no environment, no directories and no sockets.
//! Time is bounded by the epoch (compute) plus a tokio timeout (blocking host calls such as
//! `sleep`); deterministic mode meters fuel instead, so a verdict is the same on any machine.

pub mod clang;
mod classify;
mod command;
pub mod engine;
mod python;
pub mod state;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::Engine;

use crate::lang::Language;
use crate::sandbox::{Execution, Limits, Program, Sandbox, SandboxId};
use crate::setup::Paths;

pub use command::CommandGuest;
pub use python::PythonComponent;

/// Why the WASM sandbox could not be set up; turned into `toolchain_missing` per language.
#[derive(Debug, thiserror::Error)]
pub enum WasmError {
    #[error("guest {path} is missing: run `passk setup`")]
    GuestMissing { path: PathBuf },
    #[error("guest {path} could not be loaded: {detail} (run `passk setup` to rebuild it)")]
    GuestBroken { path: PathBuf, detail: String },
    #[error("wasmtime engine: {0}")]
    Engine(String),
}

/// Options fixed for the life of a sandbox.
#[derive(Debug, Clone)]
pub struct WasmOptions {
    pub deterministic: bool,
    /// Use the plain `python.wasm` interpreter instead of the pre-initialized component.
    pub python_fallback: bool,
    /// Guests alive at once (the number of workers); sizes the instance pool.
    pub slots: u32,
}

/// Guests are loaded lazily and once: a language nobody asks for costs nothing.
pub struct WasmSandbox {
    engine: Engine,
    paths: Paths,
    opts: WasmOptions,
    python: std::sync::OnceLock<Result<Arc<PythonComponent>, String>>,
    /// Sandbox ids per language, computed once (they hash guest files).
    ids: std::sync::Mutex<std::collections::HashMap<Language, SandboxId>>,
    python_plain: std::sync::OnceLock<Result<Arc<CommandGuest>, String>>,
    quickjs: std::sync::OnceLock<Result<Arc<CommandGuest>, String>>,
}

impl WasmSandbox {
    pub fn new(paths: Paths, opts: WasmOptions) -> Result<Self, WasmError> {
        let engine = engine::build_engine(opts.deterministic, opts.slots)
            .map_err(|e| WasmError::Engine(e.to_string()))?;
        Ok(WasmSandbox {
            engine,
            paths,
            opts,
            python: Default::default(),
            ids: Default::default(),
            python_plain: Default::default(),
            quickjs: Default::default(),
        })
    }

    pub fn deterministic(&self) -> bool {
        self.opts.deterministic
    }

    fn read_guest(path: &Path) -> Result<Vec<u8>, String> {
        if !path.is_file() {
            return Err(WasmError::GuestMissing {
                path: path.to_path_buf(),
            }
            .to_string());
        }
        std::fs::read(path).map_err(|e| {
            WasmError::GuestBroken {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }
            .to_string()
        })
    }

    fn broken(path: &Path, e: impl std::fmt::Display) -> String {
        WasmError::GuestBroken {
            path: path.to_path_buf(),
            detail: format!("{e:#}"),
        }
        .to_string()
    }

    /// The pre-initialized Python component, compiled (or loaded from the cache) once.
    pub fn python(&self) -> Result<Arc<PythonComponent>, String> {
        self.python
            .get_or_init(|| {
                let path = self.paths.python_component();
                let bytes = Self::read_guest(&path)?;
                let c = engine::load_component(&self.engine, &self.paths.compiled(), &bytes)
                    .map_err(|e| Self::broken(&path, e))?;
                PythonComponent::new(&self.engine, &c, &bytes)
                    .map(Arc::new)
                    .map_err(|e| Self::broken(&path, e))
            })
            .clone()
    }

    fn command_guest(
        &self,
        cell: &std::sync::OnceLock<Result<Arc<CommandGuest>, String>>,
        path: PathBuf,
    ) -> Result<Arc<CommandGuest>, String> {
        cell.get_or_init(|| {
            let bytes = Self::read_guest(&path)?;
            let m = engine::load_module(&self.engine, &self.paths.compiled(), &bytes)
                .map_err(|e| Self::broken(&path, e))?;
            CommandGuest::new(&self.engine, &m, &bytes)
                .map(Arc::new)
                .map_err(|e| Self::broken(&path, e))
        })
        .clone()
    }

    pub fn python_plain(&self) -> Result<Arc<CommandGuest>, String> {
        self.command_guest(&self.python_plain, self.paths.python_plain())
    }

    pub fn quickjs(&self) -> Result<Arc<CommandGuest>, String> {
        self.command_guest(&self.quickjs, self.paths.quickjs())
    }

    /// True for the languages passk has a WASM guest for.
    pub fn has_guest(language: Language) -> bool {
        matches!(
            language,
            Language::Python | Language::JavaScript | Language::C | Language::Cpp
        )
    }

    /// Why `language` cannot run here, or `None` when it can.
    pub fn unavailable(&self, language: Language) -> Option<String> {
        match language {
            Language::Python if self.opts.python_fallback => self.python_plain().err(),
            Language::Python => self.python().err(),
            Language::JavaScript => self.quickjs().err(),
            Language::C | Language::Cpp => clang::unavailable(language),
            other => Some(format!(
                "no WASM guest for {other}: use the process sandbox"
            )),
        }
    }

    fn guest_version(&self, language: Language) -> String {
        let sha = |p: &Path| {
            crate::setup::paths::sha256_file(p)
                .map(|h| h[..12].to_string())
                .unwrap_or_else(|_| "missing".into())
        };
        match language {
            Language::Python if self.opts.python_fallback => {
                format!("python.wasm {}", sha(&self.paths.python_plain()))
            }
            Language::Python => format!(
                "python-component {}",
                crate::setup::paths::python_guest_recipe_hash()
            ),
            Language::JavaScript => format!("quickjs {}", sha(&self.paths.quickjs())),
            Language::C | Language::Cpp => clang::version(),
            _ => "none".into(),
        }
    }

    /// Wall-clock bound of one run: the limit itself, or in deterministic mode a generous
    /// backstop (fuel decides; the backstop only catches sleeping guests).
    fn wall_limit(&self, limits: &Limits) -> Duration {
        if limits.fuel.is_some() {
            limits.time * 3
        } else {
            limits.time
        }
    }
}

impl Sandbox for WasmSandbox {
    fn supports(&self, language: Language) -> bool {
        self.unavailable(language).is_none()
    }
    fn deterministic(&self) -> bool {
        WasmSandbox::deterministic(self)
    }

    fn id(&self, language: Language) -> SandboxId {
        let mut ids = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        ids.entry(language)
            .or_insert_with(|| SandboxId {
                kind: "wasm".into(),
                version: format!(
                    "wasmtime {}{} / {}",
                    engine::WASMTIME_VERSION,
                    if self.opts.deterministic { " fuel" } else { "" },
                    self.guest_version(language)
                ),
            })
            .clone()
    }

    async fn run(&self, program: &Program, limits: &Limits) -> Execution {
        if program.project.is_some() {
            return Execution::verdict(
                crate::outcome::Outcome::ToolchainMissing,
                "a multi-file exercise runs its own test runner, in the process sandbox only \
                 (pass --sandbox process or auto)",
            );
        }
        // JavaScript prints the marker after its tests; C and C++ get their own `assert` and
        // `main` back (a pass is `main` returning). Python's component guards its tests itself.
        let sealed;
        let program = if program.needs_marker()
            && matches!(
                program.language,
                Language::JavaScript | Language::C | Language::Cpp
            ) {
            sealed = Program {
                source: crate::sandbox::seal::seal(
                    program.language,
                    &program.source,
                    program.tests_at.unwrap_or(0),
                    "",
                    crate::sandbox::seal::Target::Wasm,
                )
                .source,
                ..program.clone()
            };
            &sealed
        } else {
            program
        };
        let inputs = program.inputs.as_deref().map(Vec::as_slice);
        let mut e = match (program.language, inputs) {
            // Compiled once, run per input.
            (Language::C | Language::Cpp, _) => {
                let wall = self.wall_limit(limits);
                clang::run(
                    &self.engine,
                    program.language,
                    &program.source,
                    limits,
                    wall,
                    inputs,
                )
                .await
            }
            (_, Some(inputs)) => 'each: {
                let mut fold = crate::sandbox::EachInput::default();
                for (i, input) in inputs.iter().enumerate() {
                    let e = self.run_language(program, limits, Some(input)).await;
                    if let Some(e) = fold.push(i, e) {
                        break 'each e;
                    }
                }
                fold.finish()
            }
            (_, None) => self.run_language(program, limits, None).await,
        };
        e.fail_on_stderr(program.fail_on_stderr);
        e
    }
}

impl WasmSandbox {
    /// One run of an interpreted program (a full program's run on `stdin`, when given).
    async fn run_language(
        &self,
        program: &Program,
        limits: &Limits,
        stdin: Option<&str>,
    ) -> Execution {
        let wall = self.wall_limit(limits);
        match program.language {
            Language::Python if self.opts.python_fallback => match self.python_plain() {
                Ok(g) => python::run_plain(&g, &program.source, limits, wall, stdin).await,
                Err(e) => Execution::verdict(crate::outcome::Outcome::ToolchainMissing, e),
            },
            Language::Python => match self.python() {
                Ok(g) => match g.run(&self.engine, program, limits, wall, stdin).await {
                    Ok(e) => e,
                    // The fast guest lacks this stdlib module: never the model's fault.
                    Err(module) => match self.python_plain() {
                        Ok(p) => python::run_plain(&p, &program.source, limits, wall, stdin).await,
                        Err(why) => Execution::verdict(
                            crate::outcome::Outcome::ToolchainMissing,
                            format!(
                                "imports `{module}`, which needs the fallback interpreter: {why}"
                            ),
                        ),
                    },
                },
                Err(e) => Execution::verdict(crate::outcome::Outcome::ToolchainMissing, e),
            },
            Language::JavaScript => match self.quickjs() {
                Ok(g) => {
                    let sealed = program.needs_marker();
                    command::run_javascript(&g, &program.source, limits, wall, stdin, sealed).await
                }
                Err(e) => Execution::verdict(crate::outcome::Outcome::ToolchainMissing, e),
            },
            other => Execution::verdict(
                crate::outcome::Outcome::ToolchainMissing,
                format!("no WASM guest for {other}: use the process sandbox"),
            ),
        }
    }
}
