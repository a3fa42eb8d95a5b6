//! Per-run cgroups, where the host lets passk make them: a `pids` cap (a fork bomb stops at
//! it even when passk runs as root, where RLIMIT_NPROC does not apply) and a `memory` cap on
//! the sandbox as a whole (rlimits are per process). cgroup v1 and v2 are both handled; when
//! neither is writable the sandbox still has its namespaces and rlimits, and `passk doctor`
//! says so.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Where this process may create child cgroups.
#[derive(Debug, Clone)]
pub struct CgroupRoot {
    pids: Option<PathBuf>,
    memory: Option<PathBuf>,
    v2: bool,
}

impl CgroupRoot {
    /// Finds writable pids/memory hierarchies for our own cgroup, or says why there are none.
    pub fn detect() -> Result<CgroupRoot, String> {
        let own = std::fs::read_to_string("/proc/self/cgroup").map_err(|e| e.to_string())?;
        let mut root = CgroupRoot {
            pids: None,
            memory: None,
            v2: false,
        };
        for line in own.lines() {
            let mut parts = line.splitn(3, ':');
            let (_, controllers, path) = match (parts.next(), parts.next(), parts.next()) {
                (Some(a), Some(b), Some(c)) => (a, b, c.trim_start_matches('/')),
                _ => continue,
            };
            for c in controllers.split(',') {
                let dir = Path::new("/sys/fs/cgroup").join(c).join(path);
                match c {
                    "pids" if usable(&dir) => root.pids = Some(dir),
                    "memory" if usable(&dir) => root.memory = Some(dir),
                    _ => {}
                }
            }
            if controllers.is_empty() && root.pids.is_none() {
                // cgroup v2: one hierarchy, controllers enabled per subtree.
                for base in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] {
                    let dir = Path::new(base).join(path);
                    let enabled = std::fs::read_to_string(dir.join("cgroup.subtree_control"))
                        .unwrap_or_default();
                    if enabled.split_whitespace().any(|c| c == "pids") && usable(&dir) {
                        root.pids = Some(dir.clone());
                        root.v2 = true;
                        if enabled.split_whitespace().any(|c| c == "memory") {
                            root.memory = Some(dir);
                        }
                        break;
                    }
                }
            }
        }
        if root.pids.is_none() {
            return Err("no writable pids cgroup (fork bombs are then bounded by \
                        RLIMIT_NPROC, which does not apply to root, and the deadline)"
                .into());
        }
        Ok(root)
    }

    pub fn describe(&self) -> String {
        let v = if self.v2 { "v2" } else { "v1" };
        match &self.memory {
            Some(_) => format!("cgroup {v}: pids + memory"),
            None => format!("cgroup {v}: pids"),
        }
    }

    /// A fresh cgroup for one run; removed (after killing anything left) when dropped.
    pub fn create(&self, pids_max: u64, memory_bytes: u64) -> Result<Cgroup, String> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "passk-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut group = Cgroup {
            dirs: Vec::new(),
            procs: Vec::new(),
            oom_file: None,
        };
        if let Some(p) = &self.pids {
            let dir = group.make(p, &name)?;
            write(&dir.join("pids.max"), &pids_max.to_string())?;
        }
        if let Some(m) = &self.memory {
            let dir = if self.v2 {
                group.dirs[0].clone()
            } else {
                group.make(m, &name)?
            };
            let (limit, events) = if self.v2 {
                ("memory.max", "memory.events")
            } else {
                ("memory.limit_in_bytes", "memory.oom_control")
            };
            write(&dir.join(limit), &memory_bytes.to_string())?;
            group.oom_file = Some(dir.join(events));
        }
        Ok(group)
    }
}

fn usable(dir: &Path) -> bool {
    let probe = dir.join(format!("passk-probe-{}", std::process::id()));
    let ok = std::fs::create_dir(&probe).is_ok();
    let _ = std::fs::remove_dir(&probe);
    ok
}

fn write(path: &Path, value: &str) -> Result<(), String> {
    std::fs::write(path, value).map_err(|e| format!("{}: {e}", path.display()))
}

/// One run's cgroup(s).
#[derive(Debug)]
pub struct Cgroup {
    dirs: Vec<PathBuf>,
    /// `cgroup.procs` of each directory, ready for use between fork and exec.
    procs: Vec<CString>,
    oom_file: Option<PathBuf>,
}

impl Cgroup {
    fn make(&mut self, parent: &Path, name: &str) -> Result<PathBuf, String> {
        let dir = parent.join(name);
        std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        self.dirs.push(dir.clone());
        let procs = dir.join("cgroup.procs");
        self.procs
            .push(CString::new(procs.as_os_str().as_encoded_bytes()).map_err(|e| e.to_string())?);
        Ok(dir)
    }

    /// A closure that moves the calling process into the cgroup, for `pre_exec`: between
    /// fork and exec it only makes async-signal-safe syscalls and allocates nothing.
    pub fn joiner(&self) -> impl Fn() -> std::io::Result<()> + Send + Sync + 'static {
        let procs = self.procs.clone();
        move || join(&procs)
    }

    /// True when the kernel's OOM killer fired inside this cgroup.
    pub fn oom_killed(&self) -> bool {
        let Some(f) = &self.oom_file else {
            return false;
        };
        let text = std::fs::read_to_string(f).unwrap_or_default();
        text.lines().any(|l| {
            let mut it = l.split_whitespace();
            it.next() == Some("oom_kill") && it.next().is_some_and(|n| n != "0")
        })
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        for dir in self.dirs.iter().rev() {
            for _ in 0..200 {
                let procs = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
                for pid in procs
                    .split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok())
                {
                    // SAFETY: signalling a process inside our own cgroup.
                    unsafe {
                        libc::kill(pid, libc::SIGKILL);
                    }
                }
                if std::fs::remove_dir(dir).is_ok() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
    }
}

fn join(procs: &[CString]) -> std::io::Result<()> {
    let mut buf = [0u8; 20];
    // SAFETY: getpid/open/write/close on a NUL-terminated path we own.
    unsafe {
        let mut pid = libc::getpid() as u64;
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (pid % 10) as u8;
            pid /= 10;
            if pid == 0 {
                break;
            }
        }
        for path in procs {
            let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            if fd < 0 {
                return Err(std::io::Error::last_os_error());
            }
            let n = libc::write(fd, buf[i..].as_ptr().cast(), buf.len() - i);
            libc::close(fd);
            if n < 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    Ok(())
}
