//! The wasmtime `Engine` (one per mode and process), its epoch ticker, and the on-disk cache
//! of compiled guests keyed by wasmtime version + engine configuration + guest sha256.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, Module, OptLevel, PoolingAllocationConfig,
};

/// How often the epoch advances; time limits are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

pub const WASMTIME_VERSION: &str = "48.0.8";

/// Builds the engine for one mode: deterministic mode meters fuel, the default mode only
/// counts epochs (cheaper). Both keep the epoch, which is the wall-clock backstop.
///
/// `slots` is how many guests may be alive at once (at least the number of workers): the
/// pooling allocator keeps that many memory slots warm and resets only dirtied pages, which
/// makes a fresh instance of the 20 MB Python snapshot cost well under a millisecond.
pub fn build_engine(deterministic: bool, slots: u32) -> wasmtime::Result<Engine> {
    let mut cfg = Config::new();
    let slots = slots.max(1);
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(slots)
        .total_core_instances(slots * 16)
        .total_memories(slots * 2)
        .total_tables(slots * 16)
        .total_stacks(slots)
        .max_core_instances_per_component(16)
        .max_memories_per_component(2)
        .max_tables_per_component(16)
        .max_memories_per_module(1)
        .max_tables_per_module(4)
        .table_elements(1 << 20)
        .max_core_instance_size(8 << 20)
        .max_component_instance_size(1 << 20)
        // The real cap is the per-run limiter; this is only the slot size.
        .max_memory_size(4 << 30)
        .linear_memory_keep_resident(1 << 20)
        .pagemap_scan(Enabled::Auto);
    cfg.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    cfg.epoch_interruption(true)
        .consume_fuel(deterministic)
        .wasm_component_model(true)
        .cranelift_opt_level(OptLevel::Speed)
        .memory_init_cow(true)
        // Deep recursion in a guest must trap as a stack overflow, not take down the host.
        .max_wasm_stack(8 << 20)
        .async_stack_size(10 << 20);
    let engine = Engine::new(&cfg)?;
    spawn_epoch_ticker(&engine);
    Ok(engine)
}

/// A thread that advances the engine's epoch every tick until the engine is dropped.
fn spawn_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("passk-epoch".into())
        .spawn(move || {
            loop {
                std::thread::sleep(EPOCH_TICK);
                match weak.upgrade() {
                    Some(e) => e.increment_epoch(),
                    None => return,
                }
            }
        })
        .expect("spawn epoch thread");
}

/// The cache file for `guest_sha256` compiled by `engine`.
fn cache_path(engine: &Engine, dir: &Path, guest_sha256: &str) -> PathBuf {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    let mut key = Sha256::new();
    key.update(WASMTIME_VERSION.as_bytes());
    key.update(h.finish().to_le_bytes());
    key.update(guest_sha256.as_bytes());
    dir.join(format!("{}.cwasm", hex::encode(&key.finalize()[..16])))
}

/// Loads a component compiled earlier, or compiles `bytes` and stores the result.
pub fn load_component(
    engine: &Engine,
    cache_dir: &Path,
    bytes: &[u8],
) -> wasmtime::Result<Component> {
    let path = cache_path(engine, cache_dir, &hex::encode(Sha256::digest(bytes)));
    if path.is_file() {
        // SAFETY: the file was written by `Component::serialize` of this same wasmtime and
        // engine configuration (both are in its name), in passk's private cache directory;
        // wasmtime also checks the header and rejects incompatible artifacts.
        if let Ok(c) = unsafe { Component::deserialize_file(engine, &path) } {
            return Ok(c);
        }
    }
    let component = Component::new(engine, bytes)?;
    store_atomically(&path, &component.serialize()?);
    Ok(component)
}

/// Same as [`load_component`], for core modules.
pub fn load_module(engine: &Engine, cache_dir: &Path, bytes: &[u8]) -> wasmtime::Result<Module> {
    let path = cache_path(engine, cache_dir, &hex::encode(Sha256::digest(bytes)));
    if path.is_file() {
        // SAFETY: as in `load_component`.
        if let Ok(m) = unsafe { Module::deserialize_file(engine, &path) } {
            return Ok(m);
        }
    }
    let module = Module::new(engine, bytes)?;
    store_atomically(&path, &module.serialize()?);
    Ok(module)
}

/// Best effort: a cache that cannot be written only costs a recompile next time.
fn store_atomically(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) {
        use std::io::Write;
        if tmp.write_all(bytes).is_ok() {
            let _ = tmp.persist(path);
        }
    }
}
