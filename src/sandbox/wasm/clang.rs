//! C and C++ under WASM: clang `--target=wasm32-wasi` (Debian's clang, lld, wasi-libc and
//! libc++ for wasm32), then the compiled module runs as a WASI command.
//!
//! A pass is `main` returning 0: wasi-libc's start code then returns from `_start`, while
//! `exit(0)` anywhere (before the tests in `main`, say) ends in `proc_exit` and is no pass.

use std::process::Stdio;
use std::time::Duration;

use wasmtime::{Engine, Module};

use super::command::CommandGuest;
use crate::lang::Language;
use crate::outcome::Outcome;
use crate::sandbox::{Execution, Limits, lossy};

fn compiler(language: Language) -> &'static str {
    if language == Language::Cpp {
        "clang++"
    } else {
        "clang"
    }
}

/// Why clang cannot build wasm32-wasi programs here, or `None`.
pub fn unavailable(language: Language) -> Option<String> {
    static C: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    static CPP: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let cell = if language == Language::Cpp { &CPP } else { &C };
    cell.get_or_init(|| probe(language)).clone()
}

/// Compiles a trivial program once to prove the toolchain (compiler, lld, libc) works.
fn probe(language: Language) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let ext = if language == Language::Cpp {
        "cpp"
    } else {
        "c"
    };
    let src = dir.path().join(format!("probe.{ext}"));
    let body = if language == Language::Cpp {
        "#include <vector>\n#include <string>\nint main(){std::vector<std::string> v{\"a\"};return v.size()==1?0:1;}\n"
    } else {
        "#include <stdio.h>\nint main(void){puts(\"ok\");return 0;}\n"
    };
    std::fs::write(&src, body).ok()?;
    let out = std::process::Command::new(compiler(language))
        .args(flags(language))
        .arg(&src)
        .arg("-o")
        .arg(dir.path().join("probe.wasm"))
        .stdin(Stdio::null())
        .output();
    match out {
        Err(e) => Some(format!(
            "{} not found ({e}); install Debian packages clang lld wasi-libc libclang-rt-14-dev-wasm32 libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 (`make setup`)",
            compiler(language)
        )),
        Ok(o) if !o.status.success() => Some(format!(
            "{} cannot build wasm32-wasi programs: {}",
            compiler(language),
            lossy(&o.stderr)
                .lines()
                .take(3)
                .collect::<Vec<_>>()
                .join(" | ")
        )),
        Ok(_) => None,
    }
}

/// `<bits/stdc++.h>` (GCC's) for libc++, so MultiPL-E's C++ prompts compile.
const STDCXX_H: &str = include_str!("../../../sandboxes/wasm-include/bits/stdc++.h");
/// glibc's `rand()` family, linked into every program: tests that draw inputs from `rand()`
/// see the sequence their harness saw under glibc.
const GLIBC_RAND: &str = include_str!("../../../sandboxes/wasm-include/passk-glibc-rand.c");
const GLIBC_RAND_FILE: &str = "passk-glibc-rand.c";

fn flags(language: Language) -> Vec<&'static str> {
    let mut f = vec!["--target=wasm32-wasi", "-O2", "-w"];
    if language == Language::Cpp {
        f.extend(["-std=c++17", "-fno-exceptions"]);
    }
    f
}

pub fn version() -> String {
    static V: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        std::process::Command::new("clang")
            .arg("--version")
            .output()
            .ok()
            .and_then(|o| lossy(&o.stdout).lines().next().map(str::to_string))
            .unwrap_or_else(|| "clang missing".into())
    })
    .clone()
}

/// Compiles and runs a C or C++ program: once, or once per input for a full program
/// (compiled once).
pub async fn run(
    engine: &Engine,
    language: Language,
    source: &str,
    limits: &Limits,
    wall: Duration,
    inputs: Option<&[String]>,
) -> Execution {
    let (guest, compile_ms) = match build(engine, language, source, limits).await {
        Ok(g) => g,
        Err(e) => return e,
    };
    let args = || vec!["program".to_string()];
    match inputs {
        None => guest.run(args(), limits, wall, None).await.judge_returned(),
        Some(inputs) => {
            let mut fold = crate::sandbox::EachInput::after(compile_ms);
            for (i, input) in inputs.iter().enumerate() {
                let end = guest.run(args(), limits, wall, Some(input)).await;
                if let Some(e) = fold.push(i, end.judge_program()) {
                    return e;
                }
            }
            fold.finish()
        }
    }
}

/// The program compiled and loaded, with the compile time in ms.
async fn build(
    engine: &Engine,
    language: Language,
    source: &str,
    limits: &Limits,
) -> Result<(CommandGuest, f64), Execution> {
    if let Some(why) = unavailable(language) {
        return Err(Execution::verdict(Outcome::ToolchainMissing, why));
    }
    if let Some(why) = forbidden_include(source) {
        return Err(Execution::verdict(Outcome::CompileError, why));
    }
    if let Some(library) = host_only(source) {
        return Err(Execution::verdict(
            Outcome::ToolchainMissing,
            format!(
                "{library} is not available to the WASM guest: run it with --sandbox auto or process"
            ),
        ));
    }
    let started = std::time::Instant::now();
    let wasm = compile(language, source, limits.compile_time).await?;
    let compile_ms = started.elapsed().as_secs_f64() * 1e3;
    Module::new(engine, &wasm)
        .and_then(|m| CommandGuest::new(engine, &m, &wasm))
        .map(|g| (g, compile_ms))
        .map_err(|e| {
            Execution::verdict(
                Outcome::SandboxError,
                format!("compiled module did not load: {e:#}"),
            )
        })
}

/// Libraries the host's toolchain has (Debian packages of the process sandbox) and the
/// wasm32 sysroot has not: Debian builds them for the host only. A program that includes
/// one runs in the process sandbox under `--sandbox auto` ([`host_only`]); under
/// `--sandbox wasm` it is `toolchain_missing`, never a compile error charged to the model.
pub const HOST_ONLY: &[(&str, &str)] = &[("boost/", "Boost"), ("openssl/", "OpenSSL")];

/// The first host-only library `source` includes, as `Boost (<boost/any.hpp>)`.
pub fn host_only(source: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix('#')?.trim_start();
        let target = rest.strip_prefix("include")?.trim();
        let inner = target.strip_prefix('<')?.split('>').next()?;
        HOST_ONLY
            .iter()
            .find(|(prefix, _)| inner.starts_with(prefix))
            .map(|(_, name)| format!("{name} (<{inner}>)"))
    })
}

/// The compiler runs on the host, so a program must not make it read host files into its
/// diagnostics: includes by absolute or parent-relative path are refused.
fn forbidden_include(source: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let l = line.trim_start();
        let rest = l.strip_prefix('#')?.trim_start();
        let target = rest
            .strip_prefix("include_next")
            .or_else(|| rest.strip_prefix("include"))
            .or_else(|| rest.strip_prefix("import"))?
            .trim();
        let inner = target.trim_matches(|c| c == '<' || c == '>' || c == '"');
        (inner.starts_with('/') || inner.contains("..") || inner.contains('\\'))
            .then(|| format!("include of `{inner}` refused: only system and local headers"))
    })
}

/// Compiles in a private temporary directory; the compiler's own failure to start is a
/// harness fault, a rejected program is the model's.
async fn compile(language: Language, source: &str, limit: Duration) -> Result<Vec<u8>, Execution> {
    let fault = |d: String| Execution::verdict(Outcome::SandboxError, d);
    let dir = tempfile::tempdir().map_err(|e| fault(format!("temp dir: {e}")))?;
    let ext = if language == Language::Cpp {
        "cpp"
    } else {
        "c"
    };
    let src = format!("program.{ext}");
    let out = dir.path().join("program.wasm");
    std::fs::write(dir.path().join(&src), source)
        .map_err(|e| fault(format!("write source: {e}")))?;
    let include = dir.path().join("include");
    std::fs::create_dir_all(include.join("bits"))
        .and_then(|_| std::fs::write(include.join("bits/stdc++.h"), STDCXX_H))
        .and_then(|_| std::fs::write(dir.path().join(GLIBC_RAND_FILE), GLIBC_RAND))
        .map_err(|e| fault(format!("write the support files: {e}")))?;
    let started = std::time::Instant::now();
    // The compiler reads the untrusted source: where bubblewrap works it sees only the
    // system and this run's directory.
    let mut cmd = if crate::sandbox::process::bwrap::available() {
        let mut c = crate::sandbox::process::bwrap::compiler_command(dir.path());
        c.arg(compiler(language));
        c
    } else {
        let mut c = std::process::Command::new(compiler(language));
        c.current_dir(dir.path());
        c
    };
    cmd.args(flags(language)).args([
        "-isystem",
        "include",
        &src,
        GLIBC_RAND_FILE,
        "-o",
        "program.wasm",
    ]);
    let child = tokio::process::Command::from(cmd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            Execution::verdict(
                Outcome::ToolchainMissing,
                format!("{}: {e}", compiler(language)),
            )
        })?;
    let output = match tokio::time::timeout(limit, child.wait_with_output()).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return Err(fault(format!("compiler: {e}"))),
        Err(_) => {
            let mut e = Execution::verdict(
                Outcome::CompileError,
                format!("compilation exceeded {:.0} s", limit.as_secs_f64()),
            );
            e.duration_ms = started.elapsed().as_secs_f64() * 1e3;
            return Err(e);
        }
    };
    if !output.status.success() {
        let mut e = Execution::verdict(Outcome::CompileError, "compilation failed");
        e.stderr = lossy(&output.stderr).chars().take(64 * 1024).collect();
        e.detail = e
            .stderr
            .lines()
            .find(|l| l.contains("error"))
            .unwrap_or("compilation failed")
            .to_string();
        e.duration_ms = started.elapsed().as_secs_f64() * 1e3;
        return Err(e);
    }
    std::fs::read(&out).map_err(|e| fault(format!("read compiled module: {e}")))
}

#[cfg(test)]
mod tests {
    use super::host_only;

    #[test]
    fn host_only_libraries_are_found_by_their_include() {
        let boost = "#include <vector>\n  #  include <boost/any.hpp>\nint main(){}\n";
        assert_eq!(host_only(boost).as_deref(), Some("Boost (<boost/any.hpp>)"));
        assert_eq!(
            host_only("#include<openssl/md5.h>\n").as_deref(),
            Some("OpenSSL (<openssl/md5.h>)")
        );
        // A local header of that name, a comment or a string is not the library.
        assert_eq!(host_only("#include \"boost/any.hpp\"\n"), None);
        assert_eq!(host_only("// #include <boost/any.hpp>\n"), None);
        assert_eq!(host_only("#include <string>\n"), None);
    }
}
