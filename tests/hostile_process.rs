//! Hostile programs in the process sandbox (DESIGN §11): Python, JavaScript, C, Rust, Go,
//! Java and Bash each try a fork bomb, a memory bomb, stopping themselves (SIGSTOP) past the
//! deadline with a stopped child and a daemonized child, reading a canary file and the host's
//! environment secrets, connecting to a listener on 127.0.0.1, filling the disk and leaving
//! files for a later run. Everything must be contained: no secret in the output, nothing
//! received by the listener, no host file written, nothing left running, no false pass and
//! no harness fault.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use passk::lang::Language;
use passk::outcome::Outcome;
use passk::sandbox::process::ProcessSandbox;
use passk::sandbox::{Execution, Limits, Program, Sandbox};

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

/// What each language's programs are, by kind.
struct Programs {
    language: Language,
    snoop: &'static str,
    leftovers: &'static str,
    fork_bomb: &'static str,
    memory_bomb: &'static str,
    stop_and_daemon: &'static str,
}

const PY: Programs = Programs {
    language: Language::Python,
    snoop: r#"import os, socket
for p in ["{CANARY_TMP}", "{CANARY_HOME}"]:
    try:
        print("READ", open(p).read())
    except Exception as e:
        print("NOREAD", type(e).__name__)
print("ENV", dict(os.environ))
try:
    s = socket.create_connection(("127.0.0.1", {PORT}), timeout=1)
    s.sendall(b"leak")
    print("NET ok")
except Exception as e:
    print("NET", type(e).__name__)
for p in ["{LEFT}", "/tmp/{LEFT}", "{CANARY_TMP}.written"]:
    try:
        open(p, "w").write("left")
        print("WROTE", p)
    except Exception as e:
        print("NOWRITE", p, type(e).__name__)
n = 0
try:
    with open("fill", "wb") as f:
        while n < (600 << 20):
            f.write(b"x" * (1 << 20))
            f.flush()
            n += 1 << 20
except Exception:
    pass
print("DISK", n)
"#,
    leftovers: r#"import os
for p in ["{LEFT}", "/tmp/{LEFT}"]:
    if os.path.exists(p):
        print("FOUND", p)
"#,
    fork_bomb: "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
    memory_bomb: "a = []\nwhile True:\n    a.append(bytearray(1 << 20))\n",
    stop_and_daemon: r#"import os, signal, subprocess
subprocess.Popen(["sh", "-c", "sleep 1000; echo {MARK}"], start_new_session=True)
subprocess.Popen(["sh", "-c", "kill -STOP $$; echo {MARK}"])
os.kill(os.getpid(), signal.SIGSTOP)
"#,
};

const JS: Programs = Programs {
    language: Language::JavaScript,
    snoop: r#"const fs = require('fs'), net = require('net');
for (const p of ["{CANARY_TMP}", "{CANARY_HOME}"]) {
  try { console.log("READ " + fs.readFileSync(p, 'utf8')); } catch (e) { console.log("NOREAD " + e.code); }
}
console.log("ENV " + JSON.stringify(process.env));
for (const p of ["{LEFT}", "/tmp/{LEFT}", "{CANARY_TMP}.written"]) {
  try { fs.writeFileSync(p, 'left'); console.log("WROTE " + p); } catch (e) { console.log("NOWRITE " + e.code); }
}
function fill() {
  let n = 0;
  const b = Buffer.alloc(1 << 20);
  try { const fd = fs.openSync('fill', 'w'); while (n < (600 << 20)) { fs.writeSync(fd, b); n += 1 << 20; } } catch (e) {}
  console.log("DISK " + n);
}
const s = net.connect({PORT}, '127.0.0.1');
s.on('connect', () => { s.write('leak'); console.log('NET ok'); s.end(); fill(); });
s.on('error', (e) => { console.log('NET ' + e.code); fill(); });
"#,
    leftovers: r#"const fs = require('fs');
for (const p of ["{LEFT}", "/tmp/{LEFT}"]) if (fs.existsSync(p)) console.log("FOUND " + p);
"#,
    fork_bomb: r#"const cp = require('child_process');
for (;;) { try { cp.spawn(process.execPath, [__filename], { stdio: 'ignore' }); } catch (e) {} }
"#,
    memory_bomb: "const a = [];\nfor (;;) a.push(new Array(1 << 20).fill(7));\n",
    stop_and_daemon: r#"const cp = require('child_process');
cp.spawn('sh', ['-c', 'sleep 1000; echo {MARK}'], { detached: true, stdio: 'ignore' }).unref();
cp.spawn('sh', ['-c', 'kill -STOP $$; echo {MARK}'], { stdio: 'ignore' });
setTimeout(() => process.kill(process.pid, 'SIGSTOP'), 100);
"#,
};

const C: Programs = Programs {
    language: Language::C,
    snoop: r#"#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
extern char **environ;
int main(void) {
    const char *reads[] = {"{CANARY_TMP}", "{CANARY_HOME}"};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(reads[i], "r");
        char buf[256] = {0};
        if (f) { fread(buf, 1, 255, f); printf("READ %s\n", buf); fclose(f); } else printf("NOREAD\n");
    }
    for (char **e = environ; *e; e++) printf("ENV %s\n", *e);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons({PORT});
    a.sin_addr.s_addr = htonl(0x7f000001);
    if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0) { write(s, "leak", 4); printf("NET ok\n"); }
    else printf("NET err\n");
    const char *writes[] = {"{LEFT}", "/tmp/{LEFT}", "{CANARY_TMP}.written"};
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(writes[i], "w");
        if (f) { fputs("left", f); fclose(f); printf("WROTE %s\n", writes[i]); }
    }
    fflush(stdout);
    signal(SIGXFSZ, SIG_IGN);
    static char mb[1 << 20];
    long n = 0;
    FILE *f = fopen("fill", "w");
    while (f && n < (600L << 20) && fwrite(mb, 1, sizeof mb, f) == sizeof mb && fflush(f) == 0) n += sizeof mb;
    printf("DISK %ld\n", n);
    return 0;
}
"#,
    leftovers: r#"#include <stdio.h>
#include <unistd.h>
int main(void) {
    const char *p[] = {"{LEFT}", "/tmp/{LEFT}"};
    for (int i = 0; i < 2; i++) if (access(p[i], F_OK) == 0) printf("FOUND %s\n", p[i]);
    return 0;
}
"#,
    fork_bomb: "#include <unistd.h>\nint main(void) { for (;;) fork(); }\n",
    memory_bomb: "#include <stdlib.h>\n#include <string.h>\nint main(void) { for (;;) { char *p = malloc(1 << 20); if (!p) return 3; memset(p, 1, 1 << 20); } }\n",
    stop_and_daemon: r#"#include <signal.h>
#include <unistd.h>
int main(void) {
    if (fork() == 0) { setsid(); if (fork() == 0) execl("/bin/sh", "sh", "-c", "sleep 1000; echo {MARK}", (char *)0); _exit(0); }
    if (fork() == 0) execl("/bin/sh", "sh", "-c", "kill -STOP $$; echo {MARK}", (char *)0);
    raise(SIGSTOP);
    return 0;
}
"#,
};

const RUST: Programs = Programs {
    language: Language::Rust,
    snoop: r#"use std::io::Write;
fn main() {
    for p in ["{CANARY_TMP}", "{CANARY_HOME}"] {
        match std::fs::read_to_string(p) { Ok(s) => println!("READ {}", s), Err(e) => println!("NOREAD {}", e) }
    }
    for (k, v) in std::env::vars() { println!("ENV {}={}", k, v); }
    match std::net::TcpStream::connect("127.0.0.1:{PORT}") {
        Ok(mut s) => { let _ = s.write_all(b"leak"); println!("NET ok"); }
        Err(e) => println!("NET {}", e),
    }
    for p in ["{LEFT}", "/tmp/{LEFT}", "{CANARY_TMP}.written"] {
        if std::fs::write(p, "left").is_ok() { println!("WROTE {}", p); }
    }
    let mb = vec![b'x'; 1 << 20];
    let mut n = 0u64;
    if let Ok(mut f) = std::fs::File::create("fill") {
        while n < (600 << 20) && f.write_all(&mb).is_ok() { n += 1 << 20; }
    }
    println!("DISK {}", n);
}
"#,
    leftovers: r#"fn main() {
    for p in ["{LEFT}", "/tmp/{LEFT}"] { if std::path::Path::new(p).exists() { println!("FOUND {}", p); } }
}
"#,
    fork_bomb: "fn main() { loop { let _ = std::process::Command::new(\"/proc/self/exe\").spawn(); } }\n",
    memory_bomb: "fn main() { let mut v: Vec<Vec<u8>> = Vec::new(); loop { v.push(vec![1u8; 1 << 20]); } }\n",
    stop_and_daemon: r#"use std::process::Command;
fn main() {
    let _ = Command::new("setsid").args(["sh", "-c", "sleep 1000; echo {MARK}"]).spawn();
    let _ = Command::new("sh").args(["-c", "kill -STOP $$; echo {MARK}"]).spawn();
    let _ = Command::new("kill").args(["-STOP", &std::process::id().to_string()]).status();
}
"#,
};

const GO: Programs = Programs {
    language: Language::Go,
    snoop: r#"package hostile_test

import (
	"fmt"
	"net"
	"os"
	"testing"
)

func TestSnoop(t *testing.T) {
	for _, p := range []string{"{CANARY_TMP}", "{CANARY_HOME}"} {
		if b, err := os.ReadFile(p); err == nil {
			fmt.Println("READ", string(b))
		} else {
			fmt.Println("NOREAD", err)
		}
	}
	for _, e := range os.Environ() {
		fmt.Println("ENV", e)
	}
	if c, err := net.Dial("tcp", "127.0.0.1:{PORT}"); err == nil {
		c.Write([]byte("leak"))
		fmt.Println("NET ok")
	} else {
		fmt.Println("NET", err)
	}
	for _, p := range []string{"{LEFT}", "/tmp/{LEFT}", "{CANARY_TMP}.written"} {
		if os.WriteFile(p, []byte("left"), 0o644) == nil {
			fmt.Println("WROTE", p)
		}
	}
	mb := make([]byte, 1<<20)
	n := 0
	if f, err := os.Create("fill"); err == nil {
		for n < 600<<20 {
			if _, err := f.Write(mb); err != nil {
				break
			}
			n += 1 << 20
		}
	}
	fmt.Println("DISK", n)
}
"#,
    leftovers: r#"package hostile_test

import (
	"fmt"
	"os"
	"testing"
)

func TestLeftovers(t *testing.T) {
	for _, p := range []string{"{LEFT}", "/tmp/{LEFT}"} {
		if _, err := os.Stat(p); err == nil {
			fmt.Println("FOUND", p)
		}
	}
}
"#,
    fork_bomb: r#"package hostile_test

import (
	"os"
	"os/exec"
	"testing"
)

func TestFork(t *testing.T) {
	for {
		exec.Command(os.Args[0], "-test.run", "TestFork").Start()
	}
}
"#,
    memory_bomb: r#"package hostile_test

import "testing"

var keep [][]byte

func TestMemory(t *testing.T) {
	for {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = 1
		}
		keep = append(keep, b)
	}
}
"#,
    stop_and_daemon: r#"package hostile_test

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

func TestStop(t *testing.T) {
	exec.Command("setsid", "sh", "-c", "sleep 1000; echo {MARK}").Start()
	exec.Command("sh", "-c", "kill -STOP $$; echo {MARK}").Start()
	syscall.Kill(os.Getpid(), syscall.SIGSTOP)
}
"#,
};

const JAVA: Programs = Programs {
    language: Language::Java,
    snoop: r#"import java.io.*;
import java.net.*;
import java.nio.file.*;
import java.util.*;
class Problem {
    public static void main(String[] args) throws Exception {
        for (String p : new String[]{"{CANARY_TMP}", "{CANARY_HOME}"}) {
            try { System.out.println("READ " + new String(Files.readAllBytes(Paths.get(p)))); }
            catch (Exception e) { System.out.println("NOREAD " + e); }
        }
        for (Map.Entry<String, String> e : System.getenv().entrySet()) System.out.println("ENV " + e.getKey() + "=" + e.getValue());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", {PORT}), 1000);
            s.getOutputStream().write("leak".getBytes());
            System.out.println("NET ok");
        } catch (Exception e) { System.out.println("NET " + e); }
        for (String p : new String[]{"{LEFT}", "/tmp/{LEFT}", "{CANARY_TMP}.written"}) {
            try { Files.write(Paths.get(p), "left".getBytes()); System.out.println("WROTE " + p); } catch (Exception e) {}
        }
        byte[] mb = new byte[1 << 20];
        long n = 0;
        try (FileOutputStream f = new FileOutputStream("fill")) { while (n < (600L << 20)) { f.write(mb); n += mb.length; } } catch (Exception e) {}
        System.out.println("DISK " + n);
    }
}
"#,
    leftovers: r#"import java.nio.file.*;
class Problem {
    public static void main(String[] args) {
        for (String p : new String[]{"{LEFT}", "/tmp/{LEFT}"}) if (Files.exists(Paths.get(p))) System.out.println("FOUND " + p);
    }
}
"#,
    fork_bomb: r#"class Problem {
    public static void main(String[] args) {
        while (true) { try { new ProcessBuilder("java", "-cp", ".", "Problem").start(); } catch (Exception e) {} }
    }
}
"#,
    memory_bomb: r#"import java.util.*;
class Problem {
    public static void main(String[] args) {
        List<long[]> l = new ArrayList<>();
        while (true) l.add(new long[1 << 17]);
    }
}
"#,
    stop_and_daemon: r#"class Problem {
    public static void main(String[] args) throws Exception {
        new ProcessBuilder("setsid", "sh", "-c", "sleep 1000; echo {MARK}").start();
        new ProcessBuilder("sh", "-c", "kill -STOP $$; echo {MARK}").start();
        new ProcessBuilder("sh", "-c", "kill -STOP $PPID").start().waitFor();
    }
}
"#,
};

const BASH: Programs = Programs {
    language: Language::Shell,
    snoop: r#"for p in "{CANARY_TMP}" "{CANARY_HOME}"; do
  if c=$(cat "$p" 2>/dev/null); then echo "READ $c"; else echo NOREAD; fi
done
env | sed 's/^/ENV /'
if exec 3<>/dev/tcp/127.0.0.1/{PORT}; then echo leak >&3; echo "NET ok"; else echo "NET err"; fi
for p in "{LEFT}" "/tmp/{LEFT}" "{CANARY_TMP}.written"; do echo left > "$p" && echo "WROTE $p"; done
n=0
while [ $n -lt 600 ] && head -c 1048576 /dev/zero >> fill 2>/dev/null; do n=$((n + 1)); done
echo "DISK $((n << 20))"
"#,
    leftovers: r#"for p in "{LEFT}" "/tmp/{LEFT}"; do [ -e "$p" ] && echo "FOUND $p"; done; true
"#,
    fork_bomb: ":(){ :|:& };:\nsleep 100\n",
    memory_bomb: "x=aaaaaaaaaaaaaaaa\nwhile true; do x=$x$x; done\n",
    stop_and_daemon: r#"setsid sh -c 'sleep 1000; echo {MARK}' &
sh -c 'kill -STOP $$; echo {MARK}' &
kill -STOP $$
"#,
};

fn sandbox() -> Arc<ProcessSandbox> {
    common::process_sandbox()
}

fn limits(language: Language) -> Limits {
    let slow = matches!(language, Language::Go | Language::Java);
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
    for p in [&PY, &JS, &C, &RUST, &GO, &JAVA, &BASH] {
        for (kind, src) in [
            ("snoop", p.snoop),
            ("fork_bomb", p.fork_bomb),
            ("memory_bomb", p.memory_bomb),
            ("stop_and_daemon", p.stop_and_daemon),
        ] {
            let mark = format!(
                "passkmark{}{}{}",
                p.language,
                kind.len(),
                std::process::id()
            );
            jobs.push((kind.to_string(), p.language, fx.fill(src, &mark), mark));
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
                let e = sb
                    .run(&Program::plain(language, src), &limits(language))
                    .await;
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
        if *took > Duration::from_secs(30) {
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
        for p in [&PY, &JS, &C, &RUST, &GO, &JAVA, &BASH] {
            let src = fx.fill(p.leftovers, "none");
            v.push((
                p.language,
                sb.run(&Program::plain(p.language, src), &limits(p.language))
                    .await,
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
