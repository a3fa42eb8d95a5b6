//! Turning how a guest ended (returned, trapped, exited, timed out) into an [`Execution`].

use std::time::{Duration, Instant};

use wasmtime::Trap;
use wasmtime_wasi::I32Exit;

use wasmtime::{Engine, Store};

use super::state::{Limiter, Pipes};
use crate::outcome::Outcome;
use crate::sandbox::{Execution, Limits, lossy};

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
            outputs: Vec::new(),
            output_ms: Vec::new(),
            base: None,
        }
    }

    /// Records what the finished call used: whether memory was denied, and fuel.
    pub fn settle<T: Limited>(&mut self, store: &mut Store<T>, limits: &Limits) {
        self.memory_denied = store.data_mut().limiter().memory_denied;
        self.fuel_used = fuel_used(store, limits.fuel);
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

/// Store state that carries a [`Limiter`].
pub trait Limited: Send + 'static {
    fn limiter(&mut self) -> &mut Limiter;
}

/// A fresh store for one run, armed with the run's time, fuel and memory limits, and the
/// observation that the run's verdict is built from. `Err` is a ready harness-fault verdict.
pub fn fresh_store<T: Limited>(
    engine: &Engine,
    state: T,
    pipes: Pipes,
    limits: &Limits,
    wall: Duration,
) -> Result<(Store<T>, Observed), Box<Execution>> {
    let mut store = Store::new(engine, state);
    store.limiter(|s| s.limiter());
    let obs = Observed {
        started: Instant::now(),
        pipes,
        memory_denied: false,
        fuel_used: None,
    };
    match arm(&mut store, wall, limits.fuel) {
        Ok(()) => Ok((store, obs)),
        Err(e) => Err(Box::new(
            obs.execution(Outcome::SandboxError, format!("{e:#}")),
        )),
    }
}

/// Awaits a guest call under the wall-clock bound (the timer catches guests blocked in a
/// host call, where the epoch cannot interrupt them).
pub async fn bounded<R>(
    wall: Duration,
    call: impl Future<Output = wasmtime::Result<R>>,
) -> Ended<R> {
    match tokio::time::timeout(wall, call).await {
        Ok(Ok(r)) => Ended::Returned(r),
        Ok(Err(e)) => Ended::Failed(e),
        Err(_) => Ended::WallTimeout,
    }
}

/// Epoch ticks for a wall-clock limit (at least one).
pub fn ticks(wall: Duration) -> u64 {
    (wall.as_millis() / super::engine::EPOCH_TICK.as_millis()).max(1) as u64
}

/// Configures a fresh store's time and fuel limits.
fn arm<T: 'static>(
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
fn fuel_used<T: 'static>(store: &wasmtime::Store<T>, budget: Option<u64>) -> Option<u64> {
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
