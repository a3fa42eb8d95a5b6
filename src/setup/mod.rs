//! `passk setup`: fetches the pinned WASI guests with `pip download`, checks every sha256,
//! and builds the pre-initialized Python guest with componentize-py. Idempotent: what is
//! present and verified is kept.

pub mod models;
pub mod npm;
pub mod paths;
pub mod pins;
pub mod rust_crates;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

pub use paths::Paths;
use paths::{PYTHON_GUEST_APP, PYTHON_GUEST_EVALUATE, PYTHON_GUEST_WIT, sha256_file};
use pins::{Wheel, pins};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("`{command}` failed: {detail}")]
    Command { command: String, detail: String },
    #[error("{path}: sha256 is {actual}, expected {expected} (pinned in sandboxes/pins.toml)")]
    HashMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{wheel}: {detail}")]
    Wheel { wheel: PathBuf, detail: String },
}

impl crate::errors::Classify for SetupError {
    fn status(&self) -> crate::exit_codes::ExitStatus {
        match self {
            SetupError::Command { .. }
            | SetupError::HashMismatch { .. }
            | SetupError::Io { .. }
            | SetupError::Wheel { .. } => crate::exit_codes::ExitStatus::SetupFailed,
        }
    }

    fn hint(&self) -> Option<&'static str> {
        match self {
            SetupError::HashMismatch { .. } => Some(
                "a download differs from its pin: delete it from ~/.cache/passk and rerun \
                 `passk setup`; if it differs again, the package index serves other bytes",
            ),
            SetupError::Command { .. } | SetupError::Io { .. } | SetupError::Wheel { .. } => {
                Some("`passk setup` needs python3 with pip and access to the package index")
            }
        }
    }
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SetupError + '_ {
    move |source| SetupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The Python interpreter used for `pip` and the componentize-py venv.
pub fn python() -> String {
    std::env::var("PASSK_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

pub fn run(cmd: &mut Command) -> Result<(), SetupError> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| SetupError::Command {
        command: shown.clone(),
        detail: e.to_string(),
    })?;
    if !out.status.success() {
        let mut detail = String::from_utf8_lossy(&out.stderr).into_owned();
        if detail.trim().is_empty() {
            detail = String::from_utf8_lossy(&out.stdout).into_owned();
        }
        return Err(SetupError::Command {
            command: shown,
            detail: format!("{}: {}", out.status, detail.trim()),
        });
    }
    Ok(())
}

pub(crate) fn verify(path: &Path, expected: &str) -> Result<(), SetupError> {
    let actual = sha256_file(path).map_err(io(path))?;
    if actual != expected {
        return Err(SetupError::HashMismatch {
            path: path.to_path_buf(),
            expected: expected.to_string(),
            actual,
        });
    }
    Ok(())
}

pub(crate) fn verified(path: &Path, expected: &str) -> bool {
    sha256_file(path).is_ok_and(|h| h == expected)
}

/// Downloads one pinned wheel (hash-checked by pip and again here) and returns its path.
pub fn fetch_wheel(paths: &Paths, wheel: &Wheel) -> Result<PathBuf, SetupError> {
    let dir = paths.wheels();
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let prefix = format!("{}-{}", wheel.name.replace('-', "_"), wheel.version);
    let suffixes: &[&str] = if wheel.sdist { &[".tar.gz"] } else { &["-"] };
    let find = || -> Option<PathBuf> {
        std::fs::read_dir(&dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    suffixes
                        .iter()
                        .any(|s| n.starts_with(&format!("{prefix}{s}")))
                        && (wheel.sdist || n.ends_with(".whl"))
                }) && verified(p, &wheel.sha256)
            })
    };
    if let Some(p) = find() {
        return Ok(p);
    }
    let req = dir.join(format!("{}.requirements.txt", wheel.name));
    std::fs::write(
        &req,
        format!(
            "{}=={} --hash=sha256:{}\n",
            wheel.name, wheel.version, wheel.sha256
        ),
    )
    .map_err(io(&req))?;
    let mut cmd = Command::new(python());
    cmd.args(["-m", "pip", "download", "--quiet", "--no-deps"])
        .arg(if wheel.sdist {
            "--no-binary=:all:"
        } else {
            "--only-binary=:all:"
        })
        .args(["--require-hashes", "-r"])
        .arg(&req)
        .arg("-d")
        .arg(&dir);
    if let Some(platform) = &wheel.platform {
        cmd.args(["--platform", platform]);
    }
    run(&mut cmd)?;
    let path = find().ok_or_else(|| SetupError::Wheel {
        wheel: dir.join(&prefix),
        detail: "pip reported success but no wheel with the pinned sha256 is there".into(),
    })?;
    verify(&path, &wheel.sha256)?;
    Ok(path)
}

fn extract(wheel_path: &Path, wheel: &Wheel, out_dir: &Path) -> Result<(), SetupError> {
    let bad = |detail: String| SetupError::Wheel {
        wheel: wheel_path.to_path_buf(),
        detail,
    };
    let f = std::fs::File::open(wheel_path).map_err(io(wheel_path))?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| bad(e.to_string()))?;
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    for e in &wheel.extract {
        let target = out_dir.join(&e.to);
        if verified(&target, &e.sha256) {
            continue;
        }
        let mut member = zip
            .by_name(&e.member)
            .map_err(|err| bad(format!("{}: {err}", e.member)))?;
        let mut bytes = Vec::new();
        member.read_to_end(&mut bytes).map_err(io(wheel_path))?;
        let tmp = target.with_extension("part");
        std::fs::write(&tmp, &bytes).map_err(io(&tmp))?;
        verify(&tmp, &e.sha256)?;
        std::fs::rename(&tmp, &target).map_err(io(&target))?;
    }
    Ok(())
}

/// Builds the pre-initialized Python component, unless the one for this recipe exists.
fn build_python_component(paths: &Paths, cpy_wheel: &Path) -> Result<PathBuf, SetupError> {
    let out = paths.python_component();
    if out.is_file() {
        return Ok(out);
    }
    let cpy = pins().componentize_py();
    let venv = paths
        .tools()
        .join(format!("componentize-py-{}", cpy.version));
    let exe = venv.join("bin/componentize-py");
    if !exe.is_file() {
        run(Command::new(python()).args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--no-index", "--no-deps"])
            .arg(cpy_wheel))?;
    }
    let src = tempfile::tempdir().map_err(io(&paths.root))?;
    let wit = src.path().join("wit");
    std::fs::create_dir_all(&wit).map_err(io(&wit))?;
    std::fs::write(wit.join("guest.wit"), PYTHON_GUEST_WIT).map_err(io(&wit))?;
    std::fs::write(src.path().join("app.py"), PYTHON_GUEST_APP).map_err(io(src.path()))?;
    std::fs::write(src.path().join("evaluate.py"), PYTHON_GUEST_EVALUATE)
        .map_err(io(src.path()))?;
    std::fs::create_dir_all(paths.guests()).map_err(io(&paths.guests()))?;
    let tmp = out.with_extension("part");
    run(Command::new(&exe)
        .arg("-q")
        .arg("-d")
        .arg(&wit)
        .args(["-w", "evaluator", "componentize", "app", "-p"])
        .arg(src.path())
        .arg("-o")
        .arg(&tmp))?;
    std::fs::rename(&tmp, &out).map_err(io(&out))?;
    Ok(out)
}

/// Everything the WASM sandbox needs, fetched, verified and built. `say` reports steps.
pub fn setup_guests(paths: &Paths, say: &mut dyn FnMut(&str)) -> Result<(), SetupError> {
    for wheel in pins().wheel.iter().filter(|w| w.purpose == "guest") {
        let is_builder = wheel.name == "componentize-py";
        let all_there = if is_builder {
            paths.python_component().is_file()
        } else {
            wheel
                .extract
                .iter()
                .all(|e| verified(&paths.guests().join(&e.to), &e.sha256))
        };
        if all_there {
            say(&format!("{} {}: verified", wheel.name, wheel.version));
            continue;
        }
        say(&format!("{} {}: fetching", wheel.name, wheel.version));
        let path = fetch_wheel(paths, wheel)?;
        extract(&path, wheel, &paths.guests())?;
        if is_builder {
            say("python guest: building the pre-initialized component (about 20 s)");
            build_python_component(paths, &path)?;
        }
    }
    say(&format!(
        "python guest: {}",
        paths.python_component().display()
    ));
    Ok(())
}
