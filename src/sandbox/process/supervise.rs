//! The supervisor: passk itself, started inside bubblewrap as the sandbox's PID 1
//! (`passk __supervise`). It writes the program's files, runs each step (compile, run) with
//! that step's rlimits, output caps and deadline, and after every step kills every other
//! process in the namespace — stopped, daemonized or re-parented ones included — so nothing
//! survives a step. It talks to the host over its own stdin (a [`Spec`]) and stdout (the
//! [`StepResult`]s as JSON); the program never sees those two descriptors.

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// What the host asks the supervisor to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Spec {
    /// Files to create in the work dir (relative paths).
    pub files: Vec<FileSpec>,
    /// Directories to copy into the work dir before the first step: a language's shared
    /// warm cache, mounted read-only, becomes the run's private, writable copy.
    #[serde(default)]
    pub seeds: Vec<Seed>,
    /// Run in order; a step that does not exit 0 stops the sequence.
    pub steps: Vec<StepSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Seed {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileSpec {
    pub path: String,
    pub content: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepSpec {
    pub name: String,
    pub argv: Vec<String>,
    pub wall_ms: u64,
    /// RLIMIT_CPU, seconds.
    pub cpu_s: u64,
    /// RLIMIT_DATA: private writable memory (heap, anonymous mappings). Unlike RLIMIT_AS it
    /// does not count address space that runtimes reserve without using (the JVM, V8, GHC).
    pub data_bytes: u64,
    pub fsize_bytes: u64,
    pub nofile: u64,
    pub nproc: u64,
    pub output_bytes: usize,
    #[serde(default)]
    pub stdin: Option<String>,
    /// The run's completion marker: readable once, on descriptor [`MARKER_FD`], from a pipe
    /// whose other end the supervisor has already closed. It is in no file, argument or
    /// environment variable; the harness's epilogue reads it after the last test.
    #[serde(default)]
    pub marker: Option<String>,
}

/// The descriptor a run step finds its completion marker on.
pub const MARKER_FD: i32 = 3;

/// How one step ended.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct StepResult {
    pub name: String,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub output_limit: bool,
    pub wall_ms: f64,
    pub stdout: String,
    pub stderr: String,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    /// The step could not be started at all (missing binary): a harness fault.
    pub spawn_error: Option<String>,
}

impl StepResult {
    pub fn succeeded(&self) -> bool {
        self.exit_code == Some(0) && !self.timed_out && !self.output_limit
    }
}

/// Entry point of `passk __supervise`: reads a [`Spec`] on stdin, answers on stdout.
pub fn main() -> i32 {
    // The spec holds each run's completion marker: not dumpable, the supervisor's memory and
    // descriptors (/proc/1/mem, /proc/1/fd) are closed to the programs it runs as the same user.
    // SAFETY: prctl with constant arguments.
    unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("passk supervisor: reading the spec: {e}");
        return 2;
    }
    let spec: Spec = match serde_json::from_str(&input) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("passk supervisor: bad spec: {e}");
            return 2;
        }
    };
    for f in &spec.files {
        // Paths stay inside the work dir (the host checks them too; without a namespace a
        // `..` would reach the host).
        let path = Path::new(&f.path);
        if !path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
        {
            eprintln!("passk supervisor: refusing the file path {}", f.path);
            return 2;
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            eprintln!("passk supervisor: creating {}: {e}", dir.display());
            return 2;
        }
        if let Err(e) = std::fs::write(path, &f.content) {
            eprintln!("passk supervisor: writing {}: {e}", f.path);
            return 2;
        }
    }
    for s in &spec.seeds {
        if let Err(e) = copy_dir(Path::new(&s.from), Path::new(&s.to)) {
            eprintln!("passk supervisor: copying {} to {}: {e}", s.from, s.to);
            return 2;
        }
    }
    let mut results = Vec::new();
    for step in &spec.steps {
        let r = run_step(step);
        let ok = r.succeeded();
        results.push(r);
        if !ok {
            break;
        }
    }
    let out = serde_json::to_string(&results).expect("results serialize");
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).is_err() || stdout.flush().is_err() {
        return 2;
    }
    0
}

/// Copies a directory tree (files and directories only; the caches copied hold nothing else).
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target)?;
        }
    }
    Ok(())
}

fn run_step(step: &StepSpec) -> StepResult {
    let mut result = StepResult {
        name: step.name.clone(),
        ..Default::default()
    };
    let Some((program, args)) = step.argv.split_first() else {
        result.spawn_error = Some("empty command".into());
        return result;
    };
    let limits = [
        (libc::RLIMIT_CPU, step.cpu_s),
        (libc::RLIMIT_DATA, step.data_bytes),
        (libc::RLIMIT_FSIZE, step.fsize_bytes),
        (libc::RLIMIT_NOFILE, step.nofile),
        (libc::RLIMIT_NPROC, step.nproc),
        (libc::RLIMIT_CORE, 0),
    ];
    let marker_pipe = match step.marker.as_deref().map(marker_pipe).transpose() {
        Ok(p) => p,
        Err(e) => {
            result.spawn_error = Some(format!("cannot create the marker pipe: {e}"));
            return result;
        }
    };
    let marker_read = marker_pipe.as_ref().map(std::os::fd::AsRawFd::as_raw_fd);
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(if step.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: only async-signal-safe calls (setsid, dup2, setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::setsid();
            if let Some(fd) = marker_read {
                // dup2 leaves the new descriptor without close-on-exec; when the pipe already
                // is descriptor 3, dup2 does nothing and the flag must be cleared here.
                let ok = if fd == MARKER_FD {
                    libc::fcntl(fd, libc::F_SETFD, 0)
                } else {
                    libc::dup2(fd, MARKER_FD)
                };
                if ok < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            for (resource, value) in limits {
                // Without capabilities a hard limit can only be lowered: clamp to the
                // current one. RLIMIT_CPU's soft limit signals SIGXCPU a second before the
                // hard one kills, so a timeout is told apart from other SIGKILLs.
                let mut cur = libc::rlimit {
                    rlim_cur: 0,
                    rlim_max: 0,
                };
                libc::getrlimit(resource, &mut cur);
                let hard_wanted = if resource == libc::RLIMIT_CPU {
                    value.saturating_add(1)
                } else {
                    value
                };
                let hard = hard_wanted.min(cur.rlim_max);
                let lim = libc::rlimit {
                    rlim_cur: value.min(hard),
                    rlim_max: hard,
                };
                if libc::setrlimit(resource, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    // The helper threads exist before the program does: a fork bomb fills the sandbox's
    // pids limit at once, and a thread started after it could not be.
    let overflow = Arc::new(AtomicBool::new(false));
    let helpers = (|| -> std::io::Result<_> {
        let (out_tx, out) = spawn_reader(step.output_bytes, overflow.clone())?;
        let (err_tx, err) = spawn_reader(step.output_bytes, overflow.clone())?;
        let (in_tx, in_rx) = mpsc::channel::<std::process::ChildStdin>();
        let data = step.stdin.clone();
        std::thread::Builder::new().spawn(move || {
            // A program that never reads its stdin must not block the supervisor.
            if let (Ok(mut stdin), Some(data)) = (in_rx.recv(), data) {
                let _ = stdin.write_all(data.as_bytes());
            }
        })?;
        Ok((out_tx, out, err_tx, err, in_tx))
    })();
    let (out_tx, out, err_tx, err, in_tx) = match helpers {
        Ok(h) => h,
        Err(e) => {
            result.spawn_error = Some(format!("cannot start the supervisor's threads: {e}"));
            return result;
        }
    };
    let start = Instant::now();
    let spawned = cmd.spawn();
    // The supervisor keeps no copy: the program's descriptor is the only way to the marker.
    drop(marker_pipe);
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            result.spawn_error = Some(format!("cannot start `{program}`: {e}"));
            return result;
        }
    };
    let pgid = child.id() as i32;
    if let Some(stdin) = child.stdin.take() {
        let _ = in_tx.send(stdin);
    }
    drop(in_tx);
    let _ = out_tx.send(Box::new(child.stdout.take().expect("piped stdout")));
    let _ = err_tx.send(Box::new(child.stderr.take().expect("piped stderr")));
    let deadline = start + Duration::from_millis(step.wall_ms);
    let mut pause = Duration::from_micros(200);
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) => {}
            Err(_) => break None,
        }
        if overflow.load(Ordering::SeqCst) {
            result.output_limit = true;
            signal_all(pgid);
            break child.wait().ok();
        }
        if Instant::now() >= deadline {
            result.timed_out = true;
            signal_all(pgid);
            break child.wait().ok();
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(5));
    };
    result.wall_ms = start.elapsed().as_secs_f64() * 1000.0;
    // Whatever the program left behind — daemons, stopped children — dies with the step.
    signal_all(pgid);
    reap_all();
    let (stdout, stdout_truncated) = out.join().unwrap_or_default();
    let (stderr, stderr_truncated) = err.join().unwrap_or_default();
    if overflow.load(Ordering::SeqCst) {
        result.output_limit = true;
    }
    result.stdout = String::from_utf8_lossy(&stdout).into_owned();
    result.stderr = String::from_utf8_lossy(&stderr).into_owned();
    result.stdout_truncated = stdout_truncated;
    result.stderr_truncated = stderr_truncated;
    if let Some(s) = status {
        result.exit_code = s.code();
        result.signal = s.signal();
    }
    result
}

/// A pipe holding `marker` and nothing else, its write end already closed: the read end
/// (close-on-exec, so only the descriptor the step dup2s survives into the program).
fn marker_pipe(marker: &str) -> std::io::Result<std::os::fd::OwnedFd> {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills both descriptors, which are then owned here.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: fresh descriptors from pipe2.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // A marker is far below the pipe's buffer: the write never blocks.
    std::fs::File::from(write).write_all(marker.as_bytes())?;
    Ok(read)
}

type Reader = std::thread::JoinHandle<(Vec<u8>, bool)>;
type Pipe = Box<dyn Read + Send>;

/// A thread that waits for a pipe, then drains it, keeping at most `cap` bytes; past the
/// cap it raises `overflow` and keeps draining so the writer is never blocked while it is
/// being killed.
fn spawn_reader(
    cap: usize,
    overflow: Arc<AtomicBool>,
) -> std::io::Result<(mpsc::Sender<Pipe>, Reader)> {
    let (tx, rx) = mpsc::channel::<Pipe>();
    let reader = std::thread::Builder::new().spawn(move || {
        let mut kept = Vec::new();
        let mut truncated = false;
        let Ok(mut pipe) = rx.recv() else {
            return (kept, truncated);
        };
        let mut buf = [0u8; 16384];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = cap.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    if n > room {
                        truncated = true;
                        overflow.store(true, Ordering::SeqCst);
                    }
                }
            }
        }
        (kept, truncated)
    })?;
    Ok((tx, reader))
}

/// Kills every process this step may have left. As the namespace's PID 1 the supervisor
/// can signal all of them at once (`kill(-1)` spares only itself); without a namespace
/// (`--unsafe-no-isolation`) only the step's session can be reached.
fn signal_all(pgid: i32) {
    // SAFETY: plain syscalls on process ids we own.
    unsafe {
        if libc::getpid() == 1 {
            libc::kill(-1, libc::SIGKILL);
        } else {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// As PID 1, reaps everything killed or re-parented to us, so no zombie outlives a step.
fn reap_all() {
    // SAFETY: waitpid on our own children.
    unsafe {
        if libc::getpid() == 1 {
            while libc::waitpid(-1, std::ptr::null_mut(), 0) > 0 {}
        }
    }
}
