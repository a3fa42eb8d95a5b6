//! The bubblewrap command line: new user, pid, net, ipc, uts and cgroup
//! namespaces; the host's system directories read-only and nothing of its homes, /tmp, /var
//! or /run; a private size-capped tmpfs as work dir and /tmp; the supervisor as PID 1, so
//! everything the program starts dies with it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the supervisor binary appears inside the sandbox.
pub const SUPERVISOR: &str = "/.passk/supervise";
/// The program's work dir inside the sandbox.
pub const WORK_DIR: &str = "/w";

/// System directories mounted read-only (or recreated as the same symlink).
const SYSTEM_DIRS: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc",
];

/// Host files that are readable by root and none of the program's business.
const MASKED_FILES: &[&str] = &[
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/shadow-",
    "/etc/gshadow-",
    "/etc/sudoers",
];
const MASKED_DIRS: &[&str] = &["/etc/ssh", "/etc/ssl/private", "/etc/sudoers.d"];

/// What one sandbox invocation mounts and runs.
pub struct Mounts<'a> {
    pub supervisor: &'a Path,
    /// Extra host paths, read-only, at the same place (toolchain sysroots, package dbs).
    pub extra: &'a [PathBuf],
    pub work_mb: u64,
}

/// Namespaces and the read-only system, common to every sandbox passk starts.
fn base() -> Command {
    let mut c = Command::new("bwrap");
    c.args([
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--hostname",
        "passk",
    ]);
    for dir in SYSTEM_DIRS {
        let p = Path::new(dir);
        match std::fs::symlink_metadata(p) {
            Ok(md) if md.file_type().is_symlink() => {
                if let Ok(target) = std::fs::read_link(p) {
                    c.arg("--symlink").arg(target).arg(p);
                }
            }
            Ok(_) => {
                c.arg("--ro-bind").arg(p).arg(p);
            }
            Err(_) => {}
        }
    }
    for f in MASKED_FILES {
        if Path::new(f).exists() {
            c.args(["--ro-bind", "/dev/null", f]);
        }
    }
    for d in MASKED_DIRS {
        if Path::new(d).is_dir() {
            c.args(["--tmpfs", d, "--remount-ro", d]);
        }
    }
    c.args(["--proc", "/proc", "--dev", "/dev"]);
    c
}

/// A program's sandbox: [`base`] plus toolchain mounts, size-capped tmpfs work dir and /tmp,
/// and the supervisor as PID 1.
pub fn command(m: &Mounts<'_>) -> Command {
    let mut c = base();
    c.arg("--as-pid-1");
    for p in m.extra {
        if p.exists() {
            c.arg("--ro-bind").arg(p).arg(p);
        }
    }
    let size = (m.work_mb << 20).to_string();
    c.args(["--size", &size, "--tmpfs", "/tmp"])
        .args(["--size", &size, "--tmpfs", WORK_DIR])
        .arg("--ro-bind")
        .arg(m.supervisor)
        .arg(SUPERVISOR)
        .args(["--chdir", WORK_DIR]);
    c
}

/// A compiler's sandbox (clang for the WASM guests): [`base`] with `dir` as the writable
/// work dir, so a source file cannot make the compiler read host files into diagnostics.
pub fn compiler_command(dir: &Path) -> Command {
    let mut c = base();
    c.args(["--tmpfs", "/tmp"])
        .arg("--bind")
        .arg(dir)
        .arg(WORK_DIR)
        .args(["--chdir", WORK_DIR]);
    c
}

/// True when bubblewrap works here.
pub fn available() -> bool {
    probed().is_ok()
}

/// bubblewrap's version when it can create its namespaces here, or why not; probed once
/// per process and shared by the process sandbox and the WASM guests' compiler.
pub fn probed() -> &'static Result<String, String> {
    static PROBE: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    PROBE.get_or_init(probe)
}

/// Checks that bubblewrap can create its namespaces here by running `true` inside them.
fn probe() -> Result<String, String> {
    let version = Command::new("bwrap")
        .arg("--version")
        .output()
        .map_err(|e| {
            format!("bubblewrap is not installed ({e}): install the Debian package `bubblewrap`")
        })?;
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    let out = Command::new("bwrap")
        .args([
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--ro-bind",
            "/",
            "/",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "true",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(version)
    } else {
        Err(format!(
            "{version} cannot create namespaces on this host: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
