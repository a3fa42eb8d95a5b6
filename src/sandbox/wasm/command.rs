//! WASI preview-1 command guests (QuickJS, plain CPython, clang-compiled C/C++): one
//! `_start` per run. Because such a program may call `exit(0)` before its tests run, a pass
//! needs exit status 0 *and* a fresh random nonce that the harness prints after the tests.

use std::time::Duration;

use wasmtime::{Engine, Linker, Module};

use super::classify::{self, Ended};
use super::state::{CommandState, wasi_builder};
use crate::outcome::Outcome;
use crate::sandbox::{EXITED_EARLY, Nonce};
use crate::sandbox::{Execution, Limits};

pub struct CommandGuest {
    pre: wasmtime::InstancePre<CommandState>,
}
impl CommandGuest {
    pub fn new(engine: &Engine, module: &Module, _bytes: &[u8]) -> wasmtime::Result<Self> {
        let mut linker = Linker::<CommandState>::new(engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, |s| &mut s.wasi)?;
        Ok(CommandGuest {
            pre: linker.instantiate_pre(module)?,
        })
    }

    /// Runs `_start` (with `stdin` as standard input, when given). Returns the exit status
    /// when the guest exited (with the execution's output filled in and its verdict left
    /// to the caller), or the final verdict otherwise.
    pub async fn run(
        &self,
        args: Vec<String>,
        limits: &Limits,
        wall: Duration,
        stdin: Option<&str>,
    ) -> CommandEnd {
        let seed = limits.fuel.map(|_| 0x5eed_u128);
        let (mut builder, pipes) = wasi_builder(limits.output_bytes, &args, seed, stdin);
        let state = CommandState {
            wasi: builder.build_p1(),
            limiter: classify::limiter(limits.memory_bytes),
        };
        let engine = self.pre.module().engine();
        let (mut store, mut obs) = match classify::fresh_store(engine, state, pipes, limits, wall) {
            Ok(s) => s,
            Err(e) => return CommandEnd::verdict(*e),
        };
        let call = async {
            let inst = self.pre.instantiate_async(&mut store).await?;
            let start = inst.get_typed_func::<(), ()>(&mut store, "_start")?;
            start.call_async(&mut store, ()).await
        };
        let ended = classify::bounded(wall, call).await;
        obs.settle(&mut store, limits);
        let returned = matches!(ended, Ended::Returned(()));
        let (exec, exit) = match ended {
            Ended::Returned(()) => (obs.execution(Outcome::RuntimeError, ""), Some(0)),
            Ended::Failed(err) => match obs.failure(&err) {
                Ok(e) => (e, None),
                Err(code) => (obs.execution(Outcome::RuntimeError, ""), Some(code)),
            },
            Ended::WallTimeout => (obs.wall_timeout(wall, limits.fuel.is_some()), None),
        };
        CommandEnd {
            exec,
            exit,
            returned,
            memory_denied: obs.memory_denied,
        }
    }
}

/// How a command guest ended: with an exit status (verdict left to the language), or with a
/// final verdict (`exit` is `None`).
pub struct CommandEnd {
    pub exec: Execution,
    pub exit: Option<i32>,
    /// `_start` returned without calling `proc_exit`: wasi-libc's start code does that when
    /// `main` returns 0, while `exit(0)` anywhere goes through `proc_exit`.
    pub returned: bool,
    pub memory_denied: bool,
}

impl CommandEnd {
    fn verdict(exec: Execution) -> CommandEnd {
        CommandEnd {
            exec,
            exit: None,
            returned: false,
            memory_denied: false,
        }
    }

    /// The final verdict for C and C++: `main` must return 0; a program that calls
    /// `exit(0)` (for instance before the tests in `main` ran) has not passed.
    pub fn judge_returned(self) -> Execution {
        let ok = self.returned;
        self.passed_if(ok)
    }

    /// The verdict for a full program run on one input (an I/O problem): exit status 0
    /// passes however the program got there; its output is judged on the host.
    pub fn judge_program(self) -> Execution {
        let ok = self.exit == Some(0);
        self.passed_if(ok)
    }

    /// Passed when `ok`; otherwise judged as an exit with a nonce nobody printed (so an
    /// exit with status 0 is an early exit).
    fn passed_if(self, ok: bool) -> Execution {
        if ok {
            let mut exec = self.exec;
            exec.outcome = Outcome::Passed;
            exec.exit_code = Some(0);
            exec.detail.clear();
            return exec;
        }
        self.judge(&Nonce(String::new()))
    }

    /// The final verdict for guests whose harness prints `nonce` after the tests.
    pub fn judge(self, nonce: &Nonce) -> Execution {
        match self.exit {
            Some(code) => judge_exit(self.exec, code, nonce, self.memory_denied),
            // C's assert() aborts, which traps: its message says it was a failed test.
            None if self.exec.outcome == Outcome::RuntimeError
                && (self.exec.stderr.contains("Assertion failed")
                    || self.exec.stderr.contains("Assertion `")) =>
            {
                Execution {
                    outcome: Outcome::WrongAnswer,
                    ..self.exec
                }
            }
            None => self.exec,
        }
    }
}

/// Interprets a command's exit for languages whose harness prints the nonce last.
pub fn judge_exit(mut exec: Execution, code: i32, nonce: &Nonce, memory_denied: bool) -> Execution {
    let finished = nonce.strip_from(&mut exec.stdout);
    exec.exit_code = Some(code);
    if finished && code == 0 {
        exec.outcome = Outcome::Passed;
        exec.detail.clear();
        return exec;
    }
    let stderr = exec.stderr.to_string();
    let has = |s: &str| stderr.contains(s);
    let assertion = has("AssertionError") || has("Assertion failed") || has("assertion failed");
    // A clean exit without the marker never finished its tests.
    exec.outcome = if code == 0 || assertion {
        Outcome::WrongAnswer
    } else if has("SyntaxError") {
        Outcome::SyntaxError
    } else if memory_denied || has("out of memory") || has("MemoryError") {
        Outcome::MemoryLimit
    } else {
        Outcome::RuntimeError
    };
    exec.detail = if code == 0 {
        EXITED_EARLY.into()
    } else {
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        format!(
            "exit code {code}: {}",
            first.chars().take(300).collect::<String>()
        )
    };
    exec
}

/// Node's `require('node:assert')`, and stdin through `fs`, `readline` and `process.stdin`,
/// for QuickJS, so Node-style tests and full programs run in the guest.
const PRELUDE: &str = include_str!("../../../sandboxes/quickjs-prelude.js");

/// Runs a JavaScript program: one whose tests print the completion marker (`sealed`: the
/// marker is its standard input), or else one judged by its exit status and output (a full
/// program on `stdin`, or passk's own harness whose printed results the host judges).
pub async fn run_javascript(
    guest: &CommandGuest,
    source: &str,
    limits: &Limits,
    wall: Duration,
    stdin: Option<&str>,
    sealed: bool,
) -> Execution {
    // qjs evaluates `-e` code as an ES module, which is strict; Node runs a file as a sloppy
    // script (an undeclared assignment creates a global). An indirect eval runs the program
    // as Node would: global, sloppy unless it says "use strict" itself.
    let quoted = serde_json::to_string(source).expect("a string serializes");
    let mut bundle = String::new();
    for (name, text) in crate::setup::npm::bundled(&crate::setup::Paths::from_env(), source) {
        match text {
            Ok(text) => bundle.push_str(&format!(
                "passk$bundled[{}] = function (module, exports) {{\n{text}\n}};\n",
                serde_json::to_string(name).expect("a string serializes")
            )),
            Err(e) => return Execution::verdict(Outcome::ToolchainMissing, e),
        }
    }
    let script = format!(
        "globalThis.passk$bundled = {{}};\n{bundle}{PRELUDE}\n;(0, eval)({quoted});\nstd.out.flush();\n"
    );
    let args = vec!["qjs".into(), "--std".into(), "-e".into(), script];
    if !sealed {
        return guest.run(args, limits, wall, stdin).await.judge_program();
    }
    let nonce = Nonce::new();
    let marker = format!("{}\n", nonce.0);
    guest
        .run(args, limits, wall, Some(&marker))
        .await
        .judge(&nonce)
}
