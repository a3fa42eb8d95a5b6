//! Per-run store state: a fresh WASI context with capped pipes, no environment, no
//! directories, no network; and a resource limiter that records when the guest hit its
//! memory cap.

use wasmtime::ResourceLimiter;
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::sandbox::pipe::CappedPipe;

/// Largest table a guest may grow to; CPython's function table is well below this.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

#[derive(Debug, Default)]
pub struct Limiter {
    pub memory_bytes: usize,
    pub memory_denied: bool,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_bytes {
            self.memory_denied = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

pub struct Pipes {
    pub stdout: CappedPipe,
    pub stderr: CappedPipe,
}

/// The WASI builder every guest starts from: nothing of the host is inherited. `stdin` is
/// a full program's input (empty otherwise).
pub fn wasi_builder(
    output_bytes: usize,
    args: &[String],
    seed: Option<u128>,
    stdin: Option<&str>,
) -> (WasiCtxBuilder, Pipes) {
    let pipes = Pipes {
        stdout: CappedPipe::new(output_bytes),
        stderr: CappedPipe::new(output_bytes),
    };
    let mut b = WasiCtxBuilder::new();
    b.stdout(pipes.stdout.clone())
        .stderr(pipes.stderr.clone())
        .args(args)
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    if let Some(input) = stdin {
        b.stdin(wasmtime_wasi::p2::pipe::MemoryInputPipe::new(
            input.as_bytes().to_vec(),
        ));
    }
    if let Some(seed) = seed {
        // Deterministic mode: the guest's randomness is a pure function of the seed.
        b.insecure_random_seed(seed);
        b.secure_random(SeededRng::new(seed));
        b.insecure_random(SeededRng::new(seed ^ 0x9e37_79b9_7f4a_7c15));
    }
    (b, pipes)
}

/// State of a component (WASI preview 2) guest.
pub struct ComponentState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub limiter: Limiter,
}

impl WasiView for ComponentState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl super::classify::Limited for ComponentState {
    fn limiter(&mut self) -> &mut Limiter {
        &mut self.limiter
    }
}

/// State of a core-module (WASI preview 1 command) guest.
pub struct CommandState {
    pub wasi: WasiP1Ctx,
    pub limiter: Limiter,
}

impl super::classify::Limited for CommandState {
    fn limiter(&mut self) -> &mut Limiter {
        &mut self.limiter
    }
}

/// A small splitmix64 generator: reproducible randomness for deterministic mode.
pub struct SeededRng(u64);

impl SeededRng {
    pub fn new(seed: u128) -> Self {
        SeededRng((seed as u64) ^ ((seed >> 64) as u64))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl rand_core::TryRng for SeededRng {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.next() as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.next())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}
