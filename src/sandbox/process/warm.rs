//! Warm compile caches: what every sample of a language shares (Go's build cache of testify
//! and the standard library) is built once on the host, from the trusted program in
//! `sandboxes/languages.toml` (`warm_cache`), into passk's cache directory under a name that
//! carries the toolchain version and the recipe. Each run mounts it read-only and the
//! supervisor copies it into the run's own work dir before compiling: a sample compiles only
//! its own code, can never write to the shared cache, and its copy goes with the sandbox.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::langs::{LanguageDef, WarmCache};

/// The shared cache of `def` for toolchain `version`, built now if it is not there yet.
/// Several passk processes may ask at once: a lock file lets one build while the rest wait.
pub fn prepare(
    def: &LanguageDef,
    w: &WarmCache,
    version: &str,
    path: &str,
) -> Result<PathBuf, String> {
    let hex = crate::setup::paths::recipe_hash(&[
        version,
        &w.source,
        &w.build.join("\u{1f}"),
        &format!("{:?}", def.env),
    ]);
    let tools = crate::setup::Paths::from_env().tools();
    let dir = tools.join(format!("warm-{}-{hex}", def.language));
    let cache = dir.join("cache");
    if dir.join("ready").exists() {
        return Ok(cache);
    }
    let err = |what: &str, e: std::io::Error| format!("{what}: {e}");
    std::fs::create_dir_all(&tools).map_err(|e| err(&tools.display().to_string(), e))?;
    let lock_path = tools.join(format!("warm-{}-{hex}.lock", def.language));
    let lock = std::fs::File::create(&lock_path).map_err(|e| err("lock file", e))?;
    // SAFETY: flock on a descriptor we own; released when `lock` is dropped.
    unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) };
    if dir.join("ready").exists() {
        return Ok(cache);
    }
    let work = tempfile::tempdir_in(&tools).map_err(|e| err("temp dir", e))?;
    build(def, w, work.path(), path)?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| err("warm cache dir", e))?;
    std::fs::rename(work.path().join("cache"), &cache).map_err(|e| err("warm cache", e))?;
    std::fs::write(dir.join("ready"), version).map_err(|e| err("warm cache", e))?;
    Ok(cache)
}

/// Builds the recipe in `work`, with the environment a sandboxed compile gets (so the
/// cache's entries are the ones a sample's build looks up), the cache in `work/cache`.
fn build(def: &LanguageDef, w: &WarmCache, work: &Path, path: &str) -> Result<(), String> {
    std::fs::write(work.join(&w.file), &w.source).map_err(|e| format!("{}: {e}", w.file))?;
    let (tool, args) = w.build.split_first().ok_or("empty warm_cache.build")?;
    let out = Command::new(tool)
        .args(args)
        .current_dir(work)
        .env_clear()
        .env("PATH", path)
        .env("HOME", work)
        .env("TMPDIR", work)
        .env("LANG", "C.UTF-8")
        .envs(&def.env)
        .env(&w.env, work.join("cache"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("`{tool}`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "building the {} warm cache failed: {}",
            def.language,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}
