//! Turns the supervisor's step results into one [`Execution`], using the language's own
//! conventions (which output means a failed assertion, a parse error, running out of memory).

use crate::outcome::Outcome;
use crate::sandbox::{EXITED_EARLY, EachInput, Execution, Nonce};

use super::langs::LanguageDef;
use super::supervise::StepResult;

const SIGXCPU: i32 = libc::SIGXCPU;

/// What the host knows besides the step results.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub def: &'a LanguageDef,
    /// Set when the program was sealed: a pass must print this marker.
    pub nonce: Option<&'a Nonce>,
    /// The cgroup's OOM killer fired.
    pub oom_killed: bool,
    /// The program has a separate compile step (the first result is the compiler's).
    pub compiled: bool,
}

fn any(patterns: &[String], text: &str) -> Option<String> {
    patterns.iter().find(|p| text.contains(p.as_str())).cloned()
}

/// The last lines of a step's stderr (or stdout), as a one-line detail.
fn tail(r: &StepResult) -> String {
    let text = if r.stderr.trim().is_empty() {
        &r.stdout
    } else {
        &r.stderr
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(3);
    let mut s = lines[start..].join(" | ");
    if s.len() > 400 {
        let mut cut = 400;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

pub fn classify(ctx: &Context<'_>, steps: &[StepResult]) -> Execution {
    let Some(last) = steps.last() else {
        return Execution::verdict(Outcome::SandboxError, "the supervisor ran no step");
    };
    let (outcome, detail) = if let Some(e) = &last.spawn_error {
        (Outcome::ToolchainMissing, e.clone())
    } else if ctx.compiled && steps.len() == 1 && !last.succeeded() {
        compile_failure(ctx, last)
    } else {
        run_outcome(ctx, last)
    };
    let mut stdout = last.stdout.clone();
    if let Some(n) = ctx.nonce {
        strip_nonce(n, &mut stdout);
    }
    Execution {
        outcome,
        detail,
        exit_code: last.exit_code,
        trap: last.signal.map(|s| format!("signal {s}")),
        duration_ms: steps.iter().map(|s| s.wall_ms).sum(),
        fuel: None,
        stdout,
        stderr: last.stderr.clone(),
        stdout_truncated: last.stdout_truncated,
        stderr_truncated: last.stderr_truncated,
        outputs: Vec::new(),
        output_ms: Vec::new(),
        base: None,
    }
}

/// A program run once per input: the compile step (when the language has one), then one
/// run step per input, each judged on its own and folded by [`EachInput`].
pub fn classify_each(ctx: &Context<'_>, steps: &[StepResult], inputs: usize) -> Execution {
    let split = usize::from(ctx.compiled).min(steps.len());
    let (compile, runs) = steps.split_at(split);
    if runs.is_empty() || compile.first().is_some_and(|c| !c.succeeded()) {
        return classify(ctx, steps);
    }
    let one = Context {
        compiled: false,
        ..*ctx
    };
    let mut fold = EachInput::after(compile.iter().map(|c| c.wall_ms).sum());
    for (i, r) in runs.iter().enumerate() {
        if let Some(e) = fold.push(i, classify(&one, std::slice::from_ref(r))) {
            return e;
        }
    }
    if runs.len() < inputs {
        return Execution::verdict(
            Outcome::SandboxError,
            format!("the supervisor ran {} of {inputs} inputs", runs.len()),
        );
    }
    fold.finish()
}

fn compile_failure(ctx: &Context<'_>, r: &StepResult) -> (Outcome, String) {
    let text = format!("{}\n{}", r.stdout, r.stderr);
    if r.timed_out || r.signal == Some(SIGXCPU) {
        (
            Outcome::Timeout,
            "the compiler ran past its time limit".into(),
        )
    } else if r.output_limit {
        (
            Outcome::OutputLimit,
            "the compiler wrote more than the output cap".into(),
        )
    } else if ctx.oom_killed || any(&ctx.def.memory, &text).is_some() {
        (
            Outcome::MemoryLimit,
            "the compiler ran out of memory".into(),
        )
    } else {
        (Outcome::CompileError, tail(r))
    }
}

fn run_outcome(ctx: &Context<'_>, r: &StepResult) -> (Outcome, String) {
    let def = ctx.def;
    let text = format!("{}\n{}", r.stdout, r.stderr);
    if r.timed_out || r.signal == Some(SIGXCPU) {
        return (
            Outcome::Timeout,
            format!("ran past its time limit ({:.0} ms)", r.wall_ms),
        );
    }
    if r.output_limit {
        return (
            Outcome::OutputLimit,
            "wrote more than the output cap".into(),
        );
    }
    if ctx.oom_killed {
        return (Outcome::MemoryLimit, "killed by the memory cap".into());
    }
    let failed_marker = any(&def.fail_output, &text);
    let stderr_fails = def.fail_on_stderr && !r.stderr.trim().is_empty();
    let nonce_missing = ctx.nonce.is_some_and(|n| !r.stdout.contains(&n.0));
    if r.exit_code == Some(0) && failed_marker.is_none() && !stderr_fails && !nonce_missing {
        return (Outcome::Passed, String::new());
    }
    if let Some(p) = any(&def.memory, &text) {
        return (Outcome::MemoryLimit, format!("out of memory ({p})"));
    }
    if let Some(p) = any(&def.syntax_error, &r.stderr) {
        return (Outcome::SyntaxError, format!("{p}: {}", tail(r)));
    }
    if let Some(p) = any(&def.compile_error, &text) {
        return (Outcome::CompileError, format!("{p}: {}", tail(r)));
    }
    if let Some(p) = any(&def.runtime_error, &text) {
        return (Outcome::RuntimeError, format!("{p}: {}", tail(r)));
    }
    if any(&def.assertion, &text).is_some() {
        return (Outcome::WrongAnswer, tail(r));
    }
    if let Some(sig) = r.signal {
        return (Outcome::RuntimeError, format!("killed by signal {sig}"));
    }
    if r.exit_code == Some(0) && nonce_missing && failed_marker.is_none() && !stderr_fails {
        return (Outcome::WrongAnswer, EXITED_EARLY.into());
    }
    if def.silent_failure_is_wrong_answer && r.stderr.trim().is_empty() {
        return (
            Outcome::WrongAnswer,
            format!("exit status {:?}", r.exit_code),
        );
    }
    (Outcome::RuntimeError, tail(r))
}

/// Removes the marker the epilogue printed (and the newline before it, when it has one).
fn strip_nonce(n: &Nonce, stdout: &mut String) {
    if let Some(at) = stdout.rfind(&n.0) {
        let mut start = at;
        if stdout[..start].ends_with('\n') {
            start -= 1;
        }
        stdout.replace_range(start..(at + n.0.len()), "");
        if stdout.ends_with("\n\n") {
            stdout.pop();
        }
    }
}
