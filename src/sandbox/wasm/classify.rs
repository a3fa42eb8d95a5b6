//! Turning how a guest ended (returned, trapped, exited, timed out) into an [`Execution`].

use std::time::{Duration, Instant};

use wasmtime::Trap;
use wasmtime_wasi::I32Exit;

use super::state::{Limiter, Pipes};
use crate::outcome::Outcome;
use crate::sandbox::{Execution, lossy};

/// How a guest call ended, before interpretation.
pub enum Ended<T> {
    Returned(T),
    Failed(wasmtime::Error),
    /// The tokio timeout fired while the guest was blocked in a host call.
    WallTimeout,
}

/// What was observed around one guest call.
pub struct Observed {
    pub started: Instant,
    pub pipes: Pipes,
    pub memory_denied: bool,
    pub fuel_used: Option<u64>,
}

impl Observed {
    /// An execution with the observed output, timing and fuel, and the given verdict.
    pub fn execution(&self, outcome: Outcome, detail: impl Into<String>) -> Execution {
        Execution {
            outcome,
            detail: detail.into(),
            exit_code: None,
            trap: None,
            duration_ms: self.started.elapsed().as_secs_f64() * 1e3,
            fuel: self.fuel_used,
            stdout: lossy(&self.pipes.stdout.contents()),
            stderr: lossy(&self.pipes.stderr.contents()),
            stdout_truncated: self.pipes.stdout.overflowed(),
            stderr_truncated: self.pipes.stderr.overflowed(),
        }
    }

    fn overflowed(&self) -> bool {
        self.pipes.stdout.overflowed() || self.pipes.stderr.overflowed()
    }

    /// Interprets a failed call. `I32Exit` is returned to the caller (its meaning depends
    /// on the guest), everything else is decided here.
    pub fn failure(&self, err: &wasmtime::Error) -> Result<Execution, i32> {
        if self.overflowed() {
            return Ok(self.execution(Outcome::OutputLimit, "output limit exceeded"));
        }
        if let Some(exit) = err.downcast_ref::<I32Exit>() {
            return Err(exit.0);
        }
        if let Some(trap) = err.downcast_ref::<Trap>() {
            let (outcome, detail) = match trap {
                Trap::Interrupt => (Outcome::Timeout, "time limit exceeded".to_string()),
                Trap::OutOfFuel => (Outcome::Timeout, "fuel budget exhausted".to_string()),
                _ if self.memory_denied => (
                    Outcome::MemoryLimit,
                    format!("memory limit exceeded ({trap})"),
                ),
                Trap::StackOverflow => (Outcome::RuntimeError, "stack overflow".to_string()),
                other => (Outcome::RuntimeError, format!("trap: {other}")),
            };
            let mut e = self.execution(outcome, detail);
            e.trap = Some(format!("{trap:?}"));
            return Ok(e);
        }
        if self.memory_denied {
            return Ok(self.execution(Outcome::MemoryLimit, format!("{err:#}")));
        }
        // Not a trap, not an exit: wasmtime or WASI itself failed. Never the model's fault.
        Ok(self.execution(Outcome::SandboxError, format!("{err:#}")))
    }

    pub fn wall_timeout(&self, wall: Duration, deterministic: bool) -> Execution {
        if deterministic {
            self.execution(
                Outcome::Timeout,
                format!(
                    "blocked past the wall-clock backstop ({:.1} s) in deterministic mode",
                    wall.as_secs_f64()
                ),
            )
        } else {
            self.execution(
                Outcome::Timeout,
                format!("time limit exceeded ({:.1} s)", wall.as_secs_f64()),
            )
        }
    }
}

/// Epoch ticks for a wall-clock limit (at least one).
pub fn ticks(wall: Duration) -> u64 {
    (wall.as_millis() / super::engine::EPOCH_TICK.as_millis()).max(1) as u64
}

/// Configures a fresh store's time, fuel and memory limits.
pub fn arm<T: 'static>(
    store: &mut wasmtime::Store<T>,
    wall: Duration,
    fuel: Option<u64>,
) -> wasmtime::Result<()> {
    store.set_epoch_deadline(ticks(wall));
    store.epoch_deadline_trap();
    if let Some(f) = fuel {
        store.set_fuel(f)?;
    }
    Ok(())
}

/// Fuel consumed so far, in deterministic mode.
pub fn fuel_used<T: 'static>(store: &wasmtime::Store<T>, budget: Option<u64>) -> Option<u64> {
    let budget = budget?;
    store
        .get_fuel()
        .ok()
        .map(|left| budget.saturating_sub(left))
}

pub fn limiter(memory_bytes: u64) -> Limiter {
    Limiter {
        memory_bytes: usize::try_from(memory_bytes).unwrap_or(usize::MAX),
        memory_denied: false,
    }
}
