//! `--sandbox wasm|process|auto`: which isolation runs each language. `auto` prefers WASM
//! where a guest exists and falls back to the process sandbox for every other language, and
//! for the single C/C++ programs that include a library only the host's toolchain has
//! (Boost, OpenSSL: [`clang::HOST_ONLY`]). Each result records the sandbox that ran it.
//! The process sandbox is created on first use, so a WASM-only run never needs bubblewrap.

use std::sync::OnceLock;

use clap::ValueEnum;

use crate::lang::Language;
use crate::outcome::Outcome;
use crate::sandbox::process::{ProcessOptions, ProcessSandbox};
use crate::sandbox::wasm::{WasmSandbox, clang};
use crate::sandbox::{Execution, Limits, Program, Sandbox, SandboxId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum SandboxChoice {
    /// WASM where a guest exists (Python, JavaScript, C, C++), the process sandbox otherwise
    /// and for C/C++ programs that include Boost or OpenSSL.
    #[default]
    Auto,
    /// Only WASM guests; other languages end in `toolchain_missing`.
    Wasm,
    /// Only the bubblewrap process sandbox.
    Process,
}

pub struct Router {
    choice: SandboxChoice,
    wasm: WasmSandbox,
    process_opts: ProcessOptions,
    process: OnceLock<Result<ProcessSandbox, String>>,
}

enum Pick<'a> {
    Wasm(&'a WasmSandbox),
    Process(&'a ProcessSandbox),
    Refused(String),
}

impl Router {
    pub fn new(choice: SandboxChoice, wasm: WasmSandbox, process_opts: ProcessOptions) -> Router {
        Router {
            choice,
            wasm,
            process_opts,
            process: OnceLock::new(),
        }
    }

    pub fn wasm(&self) -> &WasmSandbox {
        &self.wasm
    }

    /// The process sandbox, created on first call; an error says why it cannot run here.
    pub fn process(&self) -> Result<&ProcessSandbox, String> {
        self.process
            .get_or_init(|| {
                ProcessSandbox::new(self.process_opts.clone()).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Which sandbox kind runs `language` under the current choice.
    pub fn kind(&self, language: Language) -> &'static str {
        match self.choice {
            SandboxChoice::Wasm => "wasm",
            SandboxChoice::Process => "process",
            // By language, not by what is installed: a missing guest is a loud
            // `toolchain_missing` ("run passk setup"), never a silent change of sandbox.
            SandboxChoice::Auto if WasmSandbox::has_guest(language) => "wasm",
            SandboxChoice::Auto => "process",
        }
    }

    /// Which sandbox kind runs this program: [`Router::kind`] of its language, except that
    /// under `auto` a C/C++ program needing a host-only library, and a multi-file exercise,
    /// go to the process sandbox.
    pub fn kind_for(&self, program: &Program) -> &'static str {
        match self.kind(program.language) {
            // An exercise runs its own test runner: only a process has one.
            "wasm" if self.choice == SandboxChoice::Auto && program.project.is_some() => "process",
            "wasm"
                if self.choice == SandboxChoice::Auto
                    && matches!(program.language, Language::C | Language::Cpp)
                    && clang::host_only(&program.source).is_some() =>
            {
                "process"
            }
            kind => kind,
        }
    }

    fn pick(&self, language: Language) -> Pick<'_> {
        self.pick_kind(self.kind(language))
    }

    fn pick_kind(&self, kind: &str) -> Pick<'_> {
        match kind {
            "wasm" => Pick::Wasm(&self.wasm),
            _ => match self.process() {
                Ok(p) => Pick::Process(p),
                Err(e) => Pick::Refused(e),
            },
        }
    }

    /// Why `language` cannot run here under the current choice, or `None`.
    pub fn unavailable(&self, language: Language) -> Option<String> {
        match self.pick(language) {
            Pick::Wasm(w) => w.unavailable(language),
            Pick::Process(p) => p.unavailable(language),
            Pick::Refused(e) => Some(e),
        }
    }
}

impl Sandbox for Router {
    fn supports(&self, language: Language) -> bool {
        self.unavailable(language).is_none()
    }

    fn deterministic(&self) -> bool {
        self.wasm.deterministic()
    }

    fn id(&self, language: Language) -> SandboxId {
        identify(self.pick(language), language)
    }

    fn id_for(&self, program: &Program) -> SandboxId {
        identify(self.pick_kind(self.kind_for(program)), program.language)
    }

    async fn run(&self, program: &Program, limits: &Limits) -> Execution {
        match self.pick_kind(self.kind_for(program)) {
            Pick::Wasm(w) => w.run(program, limits).await,
            Pick::Process(p) => p.run(program, limits).await,
            Pick::Refused(e) => Execution::verdict(Outcome::SandboxError, e),
        }
    }
}

fn identify(pick: Pick<'_>, language: Language) -> SandboxId {
    match pick {
        Pick::Wasm(w) => w.id(language),
        Pick::Process(p) => p.id(language),
        Pick::Refused(_) => SandboxId {
            kind: "process".into(),
            version: "unavailable".into(),
        },
    }
}
