//! Hostile programs in the process sandbox, in every language it runs here
//! (tests/data/hostile.toml; a language without programs there fails the test): each tries
//! a fork bomb, a memory bomb, stopping themselves (SIGSTOP) past the deadline with a stopped child and a daemonized child, reading a canary file and the host's
//! environment secrets, connecting to a listener on 127.0.0.1, filling the disk and leaving
//! files for a later run. Everything must be contained: no secret in the output, nothing
//! received by the listener, no host file written, nothing left running, no false pass and
//! no harness fault.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use passk::lang::Language;
use passk::outcome::Outcome;
use passk::sandbox::process::ProcessSandbox;
use passk::sandbox::{Execution, Limits, Program, Sandbox};
use serde::Deserialize;

struct Fixture {
    secret: String,
    canary_tmp: PathBuf,
    canary_home: PathBuf,
    port: u16,
    left: String,
}

impl Fixture {
    fn fill(&self, src: &str, mark: &str) -> String {
        src.replace("{CANARY_TMP}", &self.canary_tmp.to_string_lossy())
            .replace("{CANARY_HOME}", &self.canary_home.to_string_lossy())
            .replace("{PORT}", &self.port.to_string())
            .replace("{LEFT}", &self.left)
            .replace("{MARK}", mark)
    }
}

/// What each language's programs are, by kind (tests/data/hostile.toml).
#[derive(Deserialize)]
struct Programs {
    snoop: String,
    leftovers: String,
    fork_bomb: String,
    memory_bomb: String,
    stop_and_daemon: String,
}

/// Every language's programs, with every language the process sandbox runs here.
fn programs() -> Vec<(Language, Programs)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/hostile.toml"
    ))
    .unwrap();
    let table: BTreeMap<String, Programs> = toml::from_str(&text).unwrap();
    let sb = sandbox();
    let out: Vec<(Language, Programs)> = table
        .into_iter()
        .map(|(key, p)| (Language::parse(&key).unwrap_or_else(|| panic!("{key}")), p))
        .filter(|(l, _)| sb.supports(*l))
        .collect();
    let missing: Vec<Language> = Language::ALL
        .iter()
        .copied()
        .filter(|l| sb.supports(*l) && !out.iter().any(|(k, _)| k == l))
        .collect();
    assert!(
        missing.is_empty(),
        "no hostile programs for {missing:?}: add them to tests/data/hostile.toml"
    );
    out
}

/// A hostile program is a whole program, run once with empty input (no benchmark tests, so
/// nothing is sealed around it).
fn whole(language: Language, src: String) -> Program {
    Program {
        inputs: Some(Arc::new(vec![String::new()])),
        ..Program::plain(language, src)
    }
}

fn sandbox() -> Arc<ProcessSandbox> {
    crate::common::process_sandbox()
}

fn limits(language: Language) -> Limits {
    let slow = matches!(
        language,
        Language::Go | Language::Java | Language::Scala | Language::CSharp | Language::Haskell
    );
    Limits {
        time: Duration::from_secs(if slow { 8 } else { 4 }),
        ..Limits::default()
    }
}

/// Processes in a pid namespace other than ours: sandboxes still alive.
fn foreign_processes() -> Vec<String> {
    let me = std::fs::read_link("/proc/self/ns/pid").unwrap();
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        if !e
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        if let Ok(ns) = std::fs::read_link(e.path().join("ns/pid"))
            && ns != me
        {
            let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            out.push(String::from_utf8_lossy(&cmd).replace('\0', " "));
        }
    }
    out
}

fn processes_with(mark: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(mark) {
            out.push(cmd);
        }
    }
    out
}

#[test]
fn hostile_programs_are_contained_in_the_process_sandbox() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir_in(std::env::var("HOME").unwrap_or("/root".into())).unwrap();
    let secret = format!("passk-secret-{}", std::process::id());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let fx = Fixture {
        secret: secret.clone(),
        canary_tmp: tmp.path().join("canary"),
        canary_home: home.path().join("canary"),
        port: listener.local_addr().unwrap().port(),
        left: format!("passk-left-{}", std::process::id()),
    };
    std::fs::write(&fx.canary_tmp, &fx.secret).unwrap();
    std::fs::write(&fx.canary_home, &fx.secret).unwrap();
    // SAFETY: this test binary has a single test, set before any thread starts.
    unsafe { std::env::set_var("PASSK_CANARY_SECRET", &fx.secret) };
    assert!(
        foreign_processes().is_empty(),
        "sandboxes alive before the test"
    );

    let sb = sandbox();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut jobs: Vec<(String, Language, String, String)> = Vec::new();
    let programs = programs();
    for (language, p) in &programs {
        for (kind, src) in [
            ("snoop", &p.snoop),
            ("fork_bomb", &p.fork_bomb),
            ("memory_bomb", &p.memory_bomb),
            ("stop_and_daemon", &p.stop_and_daemon),
        ] {
            let mark = format!("passkmark{}{}{}", language, kind.len(), std::process::id());
            jobs.push((kind.to_string(), *language, fx.fill(src, &mark), mark));
        }
    }
    let started = Instant::now();
    let results: BTreeMap<(String, String), (Execution, String, Duration)> = rt.block_on(async {
        let sem = Arc::new(tokio::sync::Semaphore::new(3));
        let mut set = tokio::task::JoinSet::new();
        for (kind, language, src, mark) in jobs {
            let sb = sb.clone();
            let sem = sem.clone();
            set.spawn(async move {
                let _permit = sem.acquire().await.unwrap();
                let t = Instant::now();
                let e = sb.run(&whole(language, src), &limits(language)).await;
                ((language.to_string(), kind), (e, mark, t.elapsed()))
            });
        }
        let mut out = BTreeMap::new();
        while let Some(r) = set.join_next().await {
            let (k, v) = r.unwrap();
            out.insert(k, v);
        }
        out
    });
    eprintln!(
        "{} hostile programs in {:.1} s",
        results.len(),
        started.elapsed().as_secs_f64()
    );

    let mut problems = Vec::new();
    for ((language, kind), (e, mark, took)) in &results {
        let what = format!(
            "{language} {kind}: {:?} ({}) in {:.1} s",
            e.outcome,
            e.detail,
            took.as_secs_f64()
        );
        eprintln!("{what}");
        if e.outcome.is_harness_fault() {
            problems.push(format!("harness fault: {what}"));
        }
        // The trusted compiler may take its own limit (scalac on a busy machine); the
        // program itself gets its run limit, and the sandbox some seconds to tear down.
        let l = limits(Language::parse(language).unwrap());
        if *took > l.compile_time + l.time + Duration::from_secs(15) {
            problems.push(format!("not stopped in time: {what}"));
        }
        let out = format!("{}{}", e.stdout, e.stderr);
        match kind.as_str() {
            "snoop" => {
                if out.contains(&secret) {
                    problems.push(format!("secret leaked: {what}: {out}"));
                }
                if !out.contains("NOREAD") {
                    problems.push(format!("snoop did not run: {what}: {out}"));
                }
                if out.contains("NET ok") {
                    problems.push(format!("network reached: {what}"));
                }
                for line in out.lines().filter_map(|l| l.strip_prefix("DISK ")) {
                    let n: u64 = line.trim().parse().unwrap_or(0);
                    if n > 512 << 20 {
                        problems.push(format!("wrote {n} bytes: {what}"));
                    }
                }
            }
            "stop_and_daemon" if e.outcome != Outcome::Timeout => {
                problems.push(format!("expected timeout: {what}"));
            }
            "fork_bomb" | "memory_bomb" if e.outcome == Outcome::Passed => {
                problems.push(format!("false pass: {what}"));
            }
            _ => {}
        }
        let alive = processes_with(mark);
        if !alive.is_empty() {
            problems.push(format!("survivors of {language} {kind}: {alive:?}"));
        }
    }
    // Files for a later run: each language looks for what its snoop tried to leave.
    let later: Vec<(Language, Execution)> = rt.block_on(async {
        let mut v = Vec::new();
        for (language, p) in &programs {
            let src = fx.fill(&p.leftovers, "none");
            v.push((
                *language,
                sb.run(&whole(*language, src), &limits(*language)).await,
            ));
        }
        v
    });
    for (language, e) in later {
        if e.outcome != Outcome::Passed || e.stdout.contains("FOUND") {
            problems.push(format!(
                "{language} leftovers check: {:?} {} {}",
                e.outcome, e.detail, e.stdout
            ));
        }
    }
    let mut buf = [0u8; 16];
    match listener.accept() {
        Ok((mut s, _)) => {
            let n = s.read(&mut buf).unwrap_or(0);
            problems.push(format!("the listener got a connection ({n} bytes)"));
        }
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock),
    }
    for host in [
        PathBuf::from(format!("{}.written", fx.canary_tmp.display())),
        PathBuf::from("/tmp").join(&fx.left),
        std::env::current_dir().unwrap().join(&fx.left),
    ] {
        if host.exists() {
            problems.push(format!("host file written: {}", host.display()));
        }
    }
    // Give the kernel a moment to finish tearing down the last namespaces.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !foreign_processes().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let left = foreign_processes();
    if !left.is_empty() {
        problems.push(format!("processes still alive in sandboxes: {left:?}"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
