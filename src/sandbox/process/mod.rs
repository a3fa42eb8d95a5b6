//! The process sandbox: every language with a toolchain on the host, run under
//! bubblewrap with namespaces, a read-only system, a private size-capped work dir, rlimits,
//! a per-run cgroup where the host allows one, and a supervisor as PID 1 that leaves no
//! process behind. Languages are data (`sandboxes/languages.toml`, see [`langs`]).
//!
//! Before a language scores anything, its toolchain proves itself once per process: a tiny
//! passing program must pass and a failing one must fail with `wrong_answer`; otherwise every
//! sample of that language is a loud `toolchain_missing`, never a silent 0 %.

pub mod bwrap;
pub mod cgroup;
mod classify;
pub mod install;
pub mod langs;
pub mod supervise;
mod warm;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::lang::Language;
use crate::outcome::Outcome;
use crate::sandbox::{Execution, Limits, Nonce, Program, Sandbox, SandboxId, seal};
use crate::setup::rust_crates::RustCrates;
use langs::LanguageDef;
use supervise::{FileSpec, Spec, StepResult, StepSpec};

/// Why the process sandbox refuses to run anything.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error(
        "{0}\n  passk will not run untrusted code without isolation; pass \
         --unsafe-no-isolation to run it anyway (only for code you trust)"
    )]
    NoIsolation(String),
}

#[derive(Debug, Clone)]
pub struct ProcessOptions {
    /// The passk binary, mounted into the sandbox as its supervisor.
    pub supervisor: PathBuf,
    /// Run without bubblewrap (rlimits and process groups only).
    pub unsafe_no_isolation: bool,
    /// Bound runs by CPU time (steadier across machines than wall time); wall time is then
    /// only a backstop at three times the limit.
    pub deterministic: bool,
}

/// The once-per-process result of a language's check programs.
type CheckCell = tokio::sync::OnceCell<Result<(), String>>;

/// A language's toolchain as found on this host.
#[derive(Debug, Clone)]
struct Toolchain {
    version: String,
    sysroot: Option<PathBuf>,
}

pub struct ProcessSandbox {
    opts: ProcessOptions,
    /// bubblewrap's version, when isolation works.
    isolation: Option<String>,
    cgroups: Result<cgroup::CgroupRoot, String>,
    /// RLIMIT_NPROC counts every process of the user; without a pids cgroup the cap is this
    /// baseline plus the language's allowance.
    user_tasks: u64,
    toolchains: Mutex<HashMap<Language, Result<Toolchain, String>>>,
    checks: Mutex<HashMap<Language, Arc<CheckCell>>>,
    /// HumanEval-X's Rust crates, looked up on first use ([`RUST_CRATES`] in a command).
    rust_crates: std::sync::OnceLock<Result<RustCrates, String>>,
    warm: Mutex<HashMap<Language, Option<PathBuf>>>,
}

/// A compile argument that stands for the `-L`/`--extern` flags of HumanEval-X's crates.
pub const RUST_CRATES: &str = "{rust_crates}";

impl ProcessSandbox {
    pub fn new(opts: ProcessOptions) -> Result<ProcessSandbox, ProcessError> {
        let isolation = if opts.unsafe_no_isolation {
            None
        } else {
            match bwrap::probed() {
                Ok(v) => Some(v.clone()),
                Err(why) => return Err(ProcessError::NoIsolation(why.clone())),
            }
        };
        Ok(ProcessSandbox {
            opts,
            isolation,
            cgroups: cgroup::CgroupRoot::detect(),
            user_tasks: count_user_tasks(),
            toolchains: Default::default(),
            checks: Default::default(),
            rust_crates: Default::default(),
            warm: Default::default(),
        })
    }

    /// How processes are isolated here, for `passk doctor` and provenance.
    pub fn isolation(&self) -> String {
        let ns = match &self.isolation {
            Some(v) => format!("{v}, namespaces"),
            None => "NO ISOLATION (--unsafe-no-isolation)".into(),
        };
        match &self.cgroups {
            Ok(c) => format!("{ns}, rlimits, {}", c.describe()),
            Err(why) => format!("{ns}, rlimits, no cgroup: {why}"),
        }
    }

    fn rust_crates(&self) -> Result<&RustCrates, &String> {
        self.rust_crates
            .get_or_init(|| crate::setup::rust_crates::find(&crate::setup::Paths::from_env()))
            .as_ref()
    }

    /// The crates `def`'s commands name, if they name them.
    fn crates_for(&self, def: &LanguageDef) -> Option<Result<&RustCrates, &String>> {
        def.compile
            .iter()
            .flatten()
            .any(|a| a == RUST_CRATES)
            .then(|| self.rust_crates())
    }

    /// The language's shared warm cache, prepared on first use. Without one (the language
    /// has none, or building it failed) samples compile cold: slower, the same verdicts.
    fn warm_cache(&self, def: &LanguageDef, tc: &Toolchain) -> Option<PathBuf> {
        let w = def.warm_cache.as_ref()?;
        let mut map = self.warm.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(def.language)
            .or_insert_with(|| {
                let r = warm::prepare(def, w, &tc.version, SANDBOX_PATH);
                if let Err(e) = &r {
                    eprintln!("warning: {e}; {} samples compile without it", def.language);
                }
                r.ok()
            })
            .clone()
    }

    fn toolchain(&self, language: Language) -> Result<Toolchain, String> {
        let mut map = self.toolchains.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(language)
            .or_insert_with(|| find_toolchain(language))
            .clone()
    }

    /// Why `language` cannot run here, or `None` when its toolchain is present.
    pub fn unavailable(&self, language: Language) -> Option<String> {
        self.toolchain(language).err()
    }

    /// The toolchain's version line, when present.
    pub fn version(&self, language: Language) -> Option<String> {
        self.toolchain(language).ok().map(|t| t.version)
    }

    /// Runs the language's check programs once; the result is shared by every sample.
    pub async fn check_language(&self, language: Language) -> Result<(), String> {
        let cell = {
            let mut map = self.checks.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(language).or_default().clone()
        };
        cell.get_or_init(|| self.run_checks(language)).await.clone()
    }

    async fn run_checks(&self, language: Language) -> Result<(), String> {
        let def = langs::get(language).ok_or_else(|| format!("no definition for {language}"))?;
        let tc = self.toolchain(language)?;
        let limits = Limits {
            time: Duration::from_secs(30),
            ..Limits::default()
        };
        for (program, want) in [
            (&def.check_pass, Outcome::Passed),
            (&def.check_fail, Outcome::WrongAnswer),
        ] {
            let Some(src) = program else { continue };
            let e = self
                .run_raw(def, &tc, &Program::plain(language, src.clone()), &limits)
                .await;
            if e.outcome != want {
                return Err(format!(
                    "the {language} toolchain ({}) failed passk's check: a program that must \
                     end in `{}` ended in `{}` ({}){}",
                    tc.version,
                    want.as_str(),
                    e.outcome.as_str(),
                    e.detail,
                    if e.stderr.is_empty() {
                        String::new()
                    } else {
                        format!("\n  stderr: {}", e.stderr.trim())
                    }
                ));
            }
        }
        Ok(())
    }

    fn steps(
        &self,
        def: &LanguageDef,
        tc: &Toolchain,
        limits: &Limits,
        inputs: Option<&[String]>,
    ) -> Vec<StepSpec> {
        let crates = self.crates_for(def).and_then(Result::ok);
        let subst = |argv: &[String]| -> Vec<String> {
            argv.iter()
                .flat_map(|a| match (a.as_str(), crates) {
                    (RUST_CRATES, Some(c)) => c.rustc_args(),
                    _ => vec![match &tc.sysroot {
                        Some(s) => a.replace("{sysroot}", &s.to_string_lossy()),
                        None => a.clone(),
                    }],
                })
                .collect()
        };
        let nproc = if self.cgroups.is_ok() {
            libc::RLIM_INFINITY
        } else {
            self.user_tasks + def.threads
        };
        let fsize = def.work_mb << 20;
        let mut steps = Vec::new();
        if let Some(c) = &def.compile {
            let t = limits.compile_time;
            steps.push(StepSpec {
                name: "compile".into(),
                argv: subst(c),
                wall_ms: t.as_millis() as u64,
                cpu_s: t.as_secs() * 2 + 1,
                data_bytes: limits.memory_bytes.max(COMPILER_MEMORY),
                fsize_bytes: fsize,
                nofile: 1024,
                nproc,
                output_bytes: limits.output_bytes,
                stdin: None,
                marker: None,
            });
        }
        let t = limits.time;
        let (wall, cpu) = if self.opts.deterministic {
            (t * 3, t.as_secs_f64().ceil() as u64)
        } else {
            // Runtimes with JIT and GC threads burn CPU faster than wall time.
            (t, (t.as_secs_f64() * 2.0).ceil() as u64 + 1)
        };
        let run = StepSpec {
            name: "run".into(),
            argv: subst(&def.run),
            wall_ms: wall.as_millis() as u64,
            cpu_s: cpu.max(1),
            data_bytes: limits.memory_bytes,
            fsize_bytes: fsize,
            nofile: 1024,
            nproc,
            output_bytes: limits.output_bytes,
            stdin: None,
            marker: None,
        };
        match inputs {
            None => steps.push(run),
            Some(inputs) => steps.extend(inputs.iter().enumerate().map(|(i, input)| StepSpec {
                name: format!("run {i}"),
                stdin: Some(input.clone()),
                ..run.clone()
            })),
        }
        steps
    }

    async fn run_raw(
        &self,
        def: &LanguageDef,
        tc: &Toolchain,
        program: &Program,
        limits: &Limits,
    ) -> Execution {
        let inputs = program.inputs.as_deref().map(Vec::as_slice);
        // HumanEval-X's Rust tests are libtest `#[test]` functions: sealed differently.
        let libtest = program.variant == Some("humaneval-x") && def.language == Language::Rust;
        let nonce = program.needs_marker().then(Nonce::new);
        let sealed = match (&nonce, &program.project) {
            // An exercise's driver prints the marker itself; its files are trusted tests
            // and build files plus the solution's.
            (_, Some(project)) => seal::Sealed {
                source: program.source.clone(),
                files: project.files.clone(),
            },
            (Some(_), None) if libtest => {
                seal::rust_libtest(&program.source, program.tests_at.unwrap_or(0))
            }
            (Some(_), None) => seal::seal(
                def.language,
                &program.source,
                program.tests_at.unwrap_or(0),
                program
                    .guard
                    .as_ref()
                    .map_or("", |g| g.entry_point.as_str()),
                seal::Target::Process,
            ),
            (None, None) => seal::unsealed(
                def.language,
                &program.source,
                def.compile
                    .iter()
                    .flatten()
                    .any(|a| a == seal::GO_MAIN_FILE),
            ),
        };
        let mut files = vec![FileSpec {
            path: def.file.clone(),
            content: sealed.source,
        }];
        files.extend(
            sealed
                .files
                .into_iter()
                .chain(support_files(def.language))
                .map(|(path, content)| FileSpec { path, content }),
        );
        let mut steps = self.steps(def, tc, limits, inputs);
        if let (Some(n), Some(run)) = (&nonce, steps.last_mut()) {
            run.marker = Some(format!("{}\n", n.0));
        }
        let seeds = self
            .warm_cache(def, tc)
            .into_iter()
            .filter_map(|from| {
                let to = def.env.get(&def.warm_cache.as_ref()?.env)?;
                // Relative to the work dir, which is the supervisor's working directory
                // with or without a namespace.
                let to = to.strip_prefix(bwrap::WORK_DIR)?.trim_start_matches('/');
                Some(supervise::Seed {
                    from: from.to_string_lossy().into_owned(),
                    to: to.to_string(),
                })
            })
            .collect();
        let spec = Spec {
            files,
            seeds,
            steps,
        };
        let budget: Duration = spec
            .steps
            .iter()
            .map(|s| Duration::from_millis(s.wall_ms))
            .sum::<Duration>()
            + Duration::from_secs(15);
        let group = match &self.cgroups {
            Ok(root) => {
                let memory = limits.memory_bytes.max(COMPILER_MEMORY) + 2 * (def.work_mb << 20);
                match root.create(def.threads, memory) {
                    Ok(g) => Some(g),
                    Err(e) => {
                        return Execution::verdict(
                            Outcome::SandboxError,
                            format!("cannot create the run's cgroup: {e}"),
                        );
                    }
                }
            }
            Err(_) => None,
        };
        let steps = match self.spawn(def, tc, &spec, group.as_ref(), budget).await {
            Ok(s) => s,
            Err(e) => return Execution::verdict(Outcome::SandboxError, e),
        };
        let ctx = classify::Context {
            def,
            nonce: nonce.as_ref(),
            oom_killed: group.as_ref().is_some_and(|g| g.oom_killed()),
            compiled: def.compile.is_some(),
        };
        match inputs {
            Some(inputs) => classify::classify_each(&ctx, &steps, inputs.len()),
            None => classify::classify(&ctx, &steps),
        }
    }

    /// Starts bubblewrap with the supervisor, hands it the spec, reads its answer.
    async fn spawn(
        &self,
        def: &LanguageDef,
        tc: &Toolchain,
        spec: &Spec,
        group: Option<&cgroup::Cgroup>,
        budget: Duration,
    ) -> Result<Vec<StepResult>, String> {
        let mut extra: Vec<PathBuf> = def.binds.iter().map(PathBuf::from).collect();
        extra.extend(tc.sysroot.clone());
        if let Some(Ok(c)) = self.crates_for(def) {
            extra.push(c.deps.clone());
        }
        extra.extend(spec.seeds.iter().map(|s| PathBuf::from(&s.from)));
        // npm packages benchmark programs require (`passk setup` fetches them), for Node.
        let node_modules = matches!(def.language, Language::JavaScript | Language::TypeScript)
            .then(|| crate::setup::npm::node_modules(&crate::setup::Paths::from_env()))
            .filter(|d| d.is_dir());
        extra.extend(node_modules.clone());
        // Without isolation the program gets a host temp dir, removed when the run ends.
        let mut work_dir = None;
        let mut cmd = if self.isolation.is_some() {
            let mut c = bwrap::command(&bwrap::Mounts {
                supervisor: &self.opts.supervisor,
                extra: &extra,
                work_mb: def.work_mb,
            });
            c.arg(bwrap::SUPERVISOR).arg("__supervise");
            c
        } else {
            let dir = tempfile::tempdir().map_err(|e| format!("work dir: {e}"))?;
            let mut c = std::process::Command::new(&self.opts.supervisor);
            c.arg("__supervise").current_dir(dir.path());
            work_dir = Some(dir);
            c
        };
        // Paths in the language's environment name the work dir as the sandbox mounts it;
        // without a namespace they must name the host temp dir instead, never a host /w.
        let work = work_dir.as_ref().map_or(bwrap::WORK_DIR.to_string(), |d| {
            d.path().display().to_string()
        });
        let env = def.env.iter().map(|(k, v)| {
            let rebased: Vec<String> = v
                .split(':')
                .map(|part| match part.strip_prefix(bwrap::WORK_DIR) {
                    Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                        format!("{work}{rest}")
                    }
                    _ => part.to_string(),
                })
                .collect();
            (k, rebased.join(":"))
        });
        cmd.env_clear()
            .env("PATH", SANDBOX_PATH)
            .env("HOME", bwrap::WORK_DIR)
            .env("TMPDIR", "/tmp")
            .env("LANG", "C.UTF-8")
            .envs(env)
            .envs(node_modules.map(|d| ("NODE_PATH", d)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if self.isolation.is_none() {
            // The host temp dir, absolute: tools reject a relative HOME (Racket's collection
            // links must be complete paths).
            cmd.env("HOME", &work);
        }
        if let Some(g) = group {
            let join = g.joiner();
            // SAFETY: the joiner only makes async-signal-safe syscalls.
            unsafe {
                use std::os::unix::process::CommandExt;
                cmd.pre_exec(join);
            }
        }
        let mut cmd = tokio::process::Command::from(cmd);
        cmd.kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start bubblewrap: {e}"))?;
        let input = serde_json::to_vec(spec).map_err(|e| e.to_string())?;
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        let mut stdout = child.stdout.take().ok_or("no stdout")?;
        let mut stderr = child.stderr.take().ok_or("no stderr")?;
        let talk = async {
            stdin.write_all(&input).await?;
            drop(stdin);
            let mut out = Vec::new();
            let mut err = Vec::new();
            let mut capped_stderr = (&mut stderr).take(64 << 10);
            let (a, b) = tokio::join!(
                stdout.read_to_end(&mut out),
                capped_stderr.read_to_end(&mut err)
            );
            a?;
            b?;
            let status = child.wait().await?;
            Ok::<_, std::io::Error>((out, err, status))
        };
        let answer = tokio::time::timeout(budget, talk).await;
        drop(work_dir);
        let (out, err, status) = match answer {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(format!("talking to the sandbox supervisor: {e}")),
            Err(_) => return Err("the sandbox supervisor did not answer in time".into()),
        };
        serde_json::from_slice(&out).map_err(|e| {
            format!(
                "the sandbox failed ({status}): {}{}",
                String::from_utf8_lossy(&err).trim(),
                if out.is_empty() {
                    String::new()
                } else {
                    format!(" (bad answer: {e})")
                }
            )
        })
    }
}

/// Files every run of `language` finds beside the program (Node's preloaded prelude).
fn support_files(language: Language) -> Vec<(String, String)> {
    match language {
        Language::JavaScript | Language::TypeScript => vec![(
            seal::NODE_PRELUDE_FILE.to_string(),
            seal::NODE_PRELUDE.to_string(),
        )],
        _ => Vec::new(),
    }
}

/// Compilers (scalac, ghc, rustc) need more than a test program.
const COMPILER_MEMORY: u64 = 2 << 30;
const SANDBOX_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn find_toolchain(language: Language) -> Result<Toolchain, String> {
    let def =
        langs::get(language).ok_or_else(|| format!("passk has no definition for {language}"))?;
    if let Some(why) = &def.unavailable {
        return Err(why.clone());
    }
    let hint = || {
        format!(
            "run `passk setup --langs {language}` (Debian packages: {})",
            def.apt.join(" ")
        )
    };
    let first_line = |argv: &[String]| -> Result<String, String> {
        let out = std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("`{}` not found ({e}): {}", argv[0], hint()))?;
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("unknown version")
            .to_string())
    };
    let version = first_line(&def.version)?;
    let sysroot = match &def.sysroot {
        Some(cmd) => Some(PathBuf::from(first_line(cmd)?)),
        None => None,
    };
    for argv in def.compile.iter().chain(std::iter::once(&def.run)) {
        let tool = &argv[0];
        if tool.starts_with("./") || tool.contains("{sysroot}") {
            continue;
        }
        if !on_sandbox_path(tool) {
            return Err(format!("`{tool}` is not installed: {}", hint()));
        }
    }
    Ok(Toolchain { version, sysroot })
}

/// True when `tool` is on the PATH the sandbox sees (system directories only).
fn on_sandbox_path(tool: &str) -> bool {
    SANDBOX_PATH
        .split(':')
        .any(|d| std::path::Path::new(d).join(tool).exists())
}

/// Processes and threads owned by our user right now (RLIMIT_NPROC's baseline).
fn count_user_tasks() -> u64 {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() }.to_string();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 4096;
    };
    let mut n = 0;
    for e in dir.flatten() {
        let status = std::fs::read_to_string(e.path().join("status")).unwrap_or_default();
        let mine = status
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .is_some_and(|l| l.split_whitespace().nth(1) == Some(uid.as_str()));
        if mine {
            n += status
                .lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|t| t.trim().parse::<u64>().ok())
                .unwrap_or(1);
        }
    }
    n
}

impl Sandbox for ProcessSandbox {
    fn supports(&self, language: Language) -> bool {
        self.unavailable(language).is_none()
    }

    fn id(&self, language: Language) -> SandboxId {
        SandboxId {
            kind: "process".into(),
            version: format!(
                "{} / {}{}",
                self.isolation.as_deref().unwrap_or("no isolation"),
                self.version(language).unwrap_or_else(|| "missing".into()),
                if self.opts.deterministic {
                    " cpu-time"
                } else {
                    ""
                }
            ),
        }
    }

    async fn run(&self, program: &Program, limits: &Limits) -> Execution {
        let language = program.language;
        let Some(def) = langs::get_variant(language, program.variant) else {
            return Execution::verdict(
                Outcome::ToolchainMissing,
                format!("passk has no process definition for {language}"),
            );
        };
        let tc = match self.toolchain(language) {
            Ok(t) => t,
            Err(e) => return Execution::verdict(Outcome::ToolchainMissing, e),
        };
        if let Err(e) = self.check_language(language).await {
            return Execution::verdict(Outcome::ToolchainMissing, e);
        }
        if let Some(Err(e)) = self.crates_for(def) {
            return Execution::verdict(Outcome::ToolchainMissing, e.clone());
        }
        if let Some(why) = def.missing_requirement() {
            return Execution::verdict(Outcome::ToolchainMissing, why);
        }
        let mut e = self.run_raw(def, &tc, program, limits).await;
        e.fail_on_stderr(program.fail_on_stderr);
        e
    }
}
