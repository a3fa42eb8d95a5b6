//! Python guests: the pre-initialized CPython component (fast path, ~ms per check) and the
//! plain `python.wasm` command (complete fallback).

use std::time::Duration;

use wasmtime::Engine;
use wasmtime::component::{Component, Linker};
use wasmtime_wasi::ResourceTable;

use super::classify::{self, Ended};
use super::command::CommandGuest;
use super::state::{ComponentState, wasi_builder};
use crate::outcome::Outcome;
use crate::sandbox::{EXITED_EARLY, Nonce};
use crate::sandbox::{Execution, Limits, Program};

mod bindings {
    wasmtime::component::bindgen!({
        path: "sandboxes/python-guest/wit",
        world: "evaluator",
        imports: { default: async | trappable },
        exports: { default: async },
    });
}

use bindings::{Ending, EvaluatorPre};

/// The compiled, linked component, ready to instantiate once per run.
pub struct PythonComponent {
    pre: EvaluatorPre<ComponentState>,
}

impl PythonComponent {
    pub fn new(engine: &Engine, component: &Component, _bytes: &[u8]) -> wasmtime::Result<Self> {
        let mut linker = Linker::<ComponentState>::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        let pre = EvaluatorPre::new(linker.instantiate_pre(component)?)?;
        Ok(PythonComponent { pre })
    }

    /// Runs one program (a full program reading `stdin`, when given). `Err(module)` when it
    /// imported a standard-library module the snapshot lacks: the caller reruns it in the
    /// complete interpreter.
    pub async fn run(
        &self,
        engine: &Engine,
        program: &Program,
        limits: &Limits,
        wall: Duration,
        stdin: Option<&str>,
    ) -> Result<Execution, String> {
        let entry = program
            .guard
            .as_ref()
            .map_or("", |g| g.entry_point.as_str());
        let at = program
            .tests_at
            .or(program.guard.as_ref().map(|g| g.tests_at));
        let (solution, tests, entry) = match at {
            Some(at) if program.source.is_char_boundary(at) => {
                let (a, b) = program.source.split_at(at);
                (a, b, entry)
            }
            _ => (program.source.as_str(), "", ""),
        };
        let seed = limits.fuel.map(|_| 0x5eed_u128);
        let (mut builder, pipes) =
            wasi_builder(limits.output_bytes, &["python".into()], seed, stdin);
        let state = ComponentState {
            wasi: builder.build(),
            table: ResourceTable::new(),
            limiter: classify::limiter(limits.memory_bytes),
        };
        let (mut store, mut obs) = match classify::fresh_store(engine, state, pipes, limits, wall) {
            Ok(s) => s,
            Err(e) => return Ok(*e),
        };
        let call = async {
            let inst = self.pre.instantiate_async(&mut store).await?;
            inst.call_run(&mut store, solution, tests, entry).await
        };
        let ended = classify::bounded(wall, call).await;
        obs.settle(&mut store, limits);
        Ok(match ended {
            Ended::Returned(report) => {
                let detail = report.detail;
                let outcome = match report.ending {
                    Ending::Completed => Outcome::Passed,
                    Ending::AssertionFailed => Outcome::WrongAnswer,
                    Ending::SyntaxError => Outcome::SyntaxError,
                    Ending::Raised if obs.memory_denied || detail.starts_with("MemoryError") => {
                        Outcome::MemoryLimit
                    }
                    Ending::Raised => Outcome::RuntimeError,
                    Ending::NeedsFallback => return Err(detail),
                    // `sys.exit(0)` ends a full program normally.
                    Ending::Exited if stdin.is_some() && matches!(detail.trim(), "0" | "None") => {
                        Outcome::Passed
                    }
                    Ending::Exited if matches!(detail.trim(), "0" | "None") => {
                        return Ok(obs.execution(Outcome::WrongAnswer, EXITED_EARLY));
                    }
                    Ending::Exited => {
                        return Ok(obs.execution(
                            Outcome::RuntimeError,
                            format!("exited (code {detail}) before the tests finished"),
                        ));
                    }
                };
                obs.execution(outcome, detail)
            }
            Ended::Failed(err) => match obs.failure(&err) {
                Ok(e) => e,
                Err(code) => {
                    let mut e = if code == 0 {
                        obs.execution(Outcome::WrongAnswer, EXITED_EARLY)
                    } else {
                        obs.execution(
                            Outcome::RuntimeError,
                            format!("exited (code {code}) before the tests finished"),
                        )
                    };
                    e.exit_code = Some(code);
                    e
                }
            },
            Ended::WallTimeout => obs.wall_timeout(wall, limits.fuel.is_some()),
        })
    }
}

/// Runs the program as `python -c WRAPPER SOURCE` in the plain interpreter. The wrapper
/// removes the source from `sys.argv`, runs it as `__main__`, and only if it ran to its end
/// reads the completion marker from standard input (for a program with tests, the marker
/// is all the guest's stdin holds; it is in no argument) and prints it.
const PLAIN_WRAPPER: &str = r#"
import sys as _s
def _passk():
    src = _s.argv[1]
    del _s.argv[1:]
    code = compile(src, "<program>", "exec")
    exec(code, {"__name__": "__main__"})
    _s.stdout.flush()
    _s.__stdout__.write("\n" + _s.__stdin__.read().strip() + "\n")
    _s.__stdout__.flush()
_passk()
"#;

pub async fn run_plain(
    guest: &CommandGuest,
    source: &str,
    limits: &Limits,
    wall: Duration,
    stdin: Option<&str>,
) -> Execution {
    let nonce = Nonce::new();
    let args = vec![
        "python".to_string(),
        "-S".to_string(),
        "-c".to_string(),
        PLAIN_WRAPPER.to_string(),
        source.to_string(),
    ];
    let marker = format!("{}\n", nonce.0);
    let end = guest
        .run(args, limits, wall, Some(stdin.unwrap_or(&marker)))
        .await;
    let Some(code) = end.exit else {
        return end.exec;
    };
    let mut exec = end.exec;
    let finished = nonce.strip_from(&mut exec.stdout);
    // A full program (with stdin) may end with `sys.exit(0)` before the wrapper's nonce.
    if code == 0 && (finished || stdin.is_some()) {
        exec.outcome = Outcome::Passed;
        return exec;
    }
    exec.exit_code = Some(code);
    let last = exec
        .stderr
        .trim_end()
        .lines()
        .last()
        .unwrap_or("")
        .to_string();
    exec.outcome = if code == 0 {
        exec.detail = EXITED_EARLY.into();
        Outcome::WrongAnswer
    } else if last.starts_with("AssertionError") {
        Outcome::WrongAnswer
    } else if last.starts_with("SyntaxError") || last.starts_with("IndentationError") {
        Outcome::SyntaxError
    } else if end.memory_denied || last.starts_with("MemoryError") {
        Outcome::MemoryLimit
    } else {
        Outcome::RuntimeError
    };
    if exec.detail.is_empty() {
        exec.detail = last;
    }
    exec
}
