//! Hostile programs under the WASM sandbox, for Python, JavaScript and C: each
//! is contained with the right outcome, none is a false pass, and passk itself survives.

use std::io::Read;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::common::{limits, run, run_in, sandbox};
use passk::lang::Language::{self, C, Cpp, JavaScript, Python};
use passk::outcome::Outcome;

const CANARY: &str = "passk-canary-7f3e9a";

fn assert_outcome(lang: Language, src: &str, expected: Outcome) -> passk::sandbox::Execution {
    let e = run(lang, src);
    assert_eq!(e.outcome, expected, "{lang}: {src}\n→ {e:#?}");
    e
}

fn assert_not_pass(lang: Language, src: &str) -> passk::sandbox::Execution {
    let e = run(lang, src);
    assert_ne!(
        e.outcome,
        Outcome::Passed,
        "{lang} false pass: {src}\n→ {e:#?}"
    );
    assert!(!e.outcome.is_harness_fault(), "{lang}: {src}\n→ {e:#?}");
    e
}

// ---------- Python ----------

#[test]
fn python_reference_style_program_passes_and_failure_is_wrong_answer() {
    assert_outcome(
        Python,
        "def f(x):\n    return x + 1\nassert f(1) == 2\n",
        Outcome::Passed,
    );
    assert_outcome(
        Python,
        "def f(x):\n    return x\nassert f(1) == 2\n",
        Outcome::WrongAnswer,
    );
    assert_outcome(Python, "def f(x)\n    return x\n", Outcome::SyntaxError);
    assert_outcome(Python, "1/0\n", Outcome::RuntimeError);
}

#[test]
fn python_infinite_loop_and_sleep_time_out() {
    let t = Instant::now();
    assert_outcome(Python, "while True:\n    pass\n", Outcome::Timeout);
    assert_outcome(Python, "import time\ntime.sleep(100)\n", Outcome::Timeout);
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
}

#[test]
fn python_memory_bomb_hits_memory_limit() {
    assert_outcome(Python, "x = bytearray(1 << 30)\n", Outcome::MemoryLimit);
    assert_outcome(
        Python,
        "a = []\nwhile True:\n    a.append(' ' * (1 << 20))\n",
        Outcome::MemoryLimit,
    );
}

#[test]
fn python_huge_output_hits_output_limit() {
    let e = assert_outcome(
        Python,
        "while True:\n    print('x' * 1000)\n",
        Outcome::OutputLimit,
    );
    assert!(e.stdout_truncated);
    assert!(e.stdout.len() <= 64 << 10);
}

#[test]
fn python_exit_before_tests_is_no_pass() {
    let tests = "\ndef check(c):\n    assert c() == 1\ncheck(f)\n";
    for exit in [
        "import sys\nsys.exit(0)",
        "exit(0)",
        "raise SystemExit",
        "import os\nos._exit(0)",
    ] {
        let src = format!("def f():\n    return 2\n{exit}\n{tests}");
        let e = assert_outcome(Python, &src, Outcome::WrongAnswer);
        assert!(e.detail.contains("before the tests finished"), "{e:?}");
    }
}

#[test]
fn python_redefining_check_or_printing_markers_is_no_pass() {
    // The completion defines a lenient `check`; the benchmark's own `check` comes after it.
    let src = "def f():\n    return 2\ndef check(c):\n    pass\n\ndef check(c):\n    assert c() == 1\ncheck(f)\n";
    assert_outcome(Python, src, Outcome::WrongAnswer);
    let src = "print('PASSED'); print('ok'); print('passk-done-00000000000000000000000000000000')\nassert 1 == 2\n";
    assert_outcome(Python, src, Outcome::WrongAnswer);
    // Swallowing AssertionError globally is not possible: the exception still escapes.
    let src = "import builtins\nbuiltins.AssertionError = Exception\nassert False\n";
    assert_not_pass(Python, src);
}

#[test]
fn python_cannot_read_host_files_env_or_network() {
    // SAFETY: set before the sandbox runs; tests only read this variable.
    unsafe { std::env::set_var("PASSK_CANARY", CANARY) };
    let secret = std::env::temp_dir().join("passk-canary.txt");
    std::fs::write(&secret, CANARY).unwrap();
    let src = format!(
        "import os\nprint(dict(os.environ))\nfor p in ['/etc/passwd', {path:?}, '/proc/self/environ']:\n    try:\n        print(open(p).read())\n    except Exception as e:\n        print('denied', type(e).__name__)\n",
        path = secret.display().to_string()
    );
    let e = assert_outcome(Python, &src, Outcome::Passed);
    assert!(!e.stdout.contains(CANARY), "{}", e.stdout);
    assert!(!e.stdout.contains("root:"), "{}", e.stdout);
    assert_eq!(e.stdout.matches("denied").count(), 3, "{}", e.stdout);

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let src = format!(
        "import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=1)\ns.sendall(b'{CANARY}')\n"
    );
    assert_not_pass(Python, &src);
    let mut got = Vec::new();
    if let Ok((mut c, _)) = listener.accept() {
        let _ = c.read_to_end(&mut got);
        panic!("the guest connected to the host: {got:?}");
    }
}

#[test]
fn python_fork_kill_and_files_are_contained() {
    assert_not_pass(Python, "import os\nos.fork()\n");
    assert_not_pass(
        Python,
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n",
    );
    assert_not_pass(
        Python,
        "import subprocess\nsubprocess.run(['sh', '-c', 'echo hi'])\n",
    );
    // Nothing written survives into a later run (there is no writable filesystem at all).
    assert_not_pass(Python, "open('/tmp/passk-left-behind', 'w').write('x')\n");
    assert_outcome(
        Python,
        "import os\nassert not os.path.exists('/tmp/passk-left-behind')\n",
        Outcome::Passed,
    );
    assert!(!std::path::Path::new("/tmp/passk-left-behind").exists());
}

#[test]
fn python_state_does_not_leak_between_runs() {
    assert_outcome(
        Python,
        "import builtins, math\nbuiltins.len = lambda x: 0\nmath.pi = 3\nimport sys\nsys.modules['json'] = None\n",
        Outcome::Passed,
    );
    assert_outcome(
        Python,
        "import math, json\nassert len([1, 2]) == 2\nassert math.pi > 3.14\nassert json.dumps(1) == '1'\n",
        Outcome::Passed,
    );
}

#[test]
fn python_deep_recursion_is_contained() {
    let e = assert_not_pass(
        Python,
        "import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1) + 1\nf(0)\n",
    );
    assert!(
        matches!(e.outcome, Outcome::RuntimeError | Outcome::MemoryLimit),
        "{e:?}"
    );
}

#[test]
fn python_stdlib_beyond_the_snapshot_runs_in_the_fallback_not_as_a_model_failure() {
    assert_outcome(
        Python,
        "import xml.dom.minidom\nassert xml.dom.minidom.parseString('<a/>').documentElement.tagName == 'a'\n",
        Outcome::Passed,
    );
    assert_outcome(
        Python,
        "import csv, io\nassert next(csv.reader(io.StringIO('a,b'))) == ['a', 'b']\n",
        Outcome::Passed,
    );
    // Not standard library: a genuine model error.
    let e = assert_outcome(Python, "import numpy\n", Outcome::RuntimeError);
    assert!(e.detail.contains("numpy"), "{e:?}");
}

#[test]
fn python_fallback_interpreter_contains_the_same_programs() {
    let sb = crate::common::fallback_sandbox();
    let l = limits(5.0);
    let run = |src: &str| run_in(&sb, Python, src, &l);
    assert_eq!(run("assert sum([1, 2]) == 3\n").outcome, Outcome::Passed);
    assert_eq!(run("assert 1 == 2\n").outcome, Outcome::WrongAnswer);
    assert_eq!(
        run("import sys\nsys.exit(0)\n").outcome,
        Outcome::WrongAnswer
    );
    let fake =
        run("print('passk-done-0123456789abcdef0123456789abcdef')\nimport os\nos._exit(0)\n");
    assert_eq!(fake.outcome, Outcome::WrongAnswer, "{fake:?}");
    assert_eq!(run("while True:\n    pass\n").outcome, Outcome::Timeout);
}

// ---------- JavaScript ----------

#[test]
fn javascript_basics() {
    assert_outcome(
        JavaScript,
        "function f(x){return x+1}\nif (f(1) !== 2) throw new Error('bad');\n",
        Outcome::Passed,
    );
    assert_outcome(
        JavaScript,
        "class AssertionError extends Error {}\nif (1 !== 2) throw new AssertionError('1 != 2');\n",
        Outcome::WrongAnswer,
    );
    assert_outcome(JavaScript, "function f( {\n", Outcome::SyntaxError);
    assert_outcome(JavaScript, "null.x;\n", Outcome::RuntimeError);
}

#[test]
fn javascript_hostile_programs_are_contained() {
    assert_outcome(JavaScript, "while (true) {}\n", Outcome::Timeout);
    assert_outcome(JavaScript, "os.sleep(100000);\n", Outcome::Timeout);
    assert_outcome(
        JavaScript,
        "let s = 'x'.repeat(1000); while (true) print(s);\n",
        Outcome::OutputLimit,
    );
    assert_outcome(
        JavaScript,
        "let a = []; while (true) a.push(new Uint8Array(64 << 20).fill(7));\n",
        Outcome::MemoryLimit,
    );
    // exit(0) before the tests, and a fake completion marker.
    let e = assert_not_pass(JavaScript, "std.exit(0);\nthrow new Error('tests');\n");
    assert_eq!(e.outcome, Outcome::WrongAnswer);
    assert_eq!(e.detail, "exited before the tests finished");
    assert_not_pass(
        JavaScript,
        "print('\\npassk-done-0123456789abcdef0123456789abcdef'); std.exit(0);\n",
    );
    // No host files, no environment.
    // SAFETY: tests only read this variable.
    unsafe { std::env::set_var("PASSK_CANARY", CANARY) };
    let e = assert_outcome(
        JavaScript,
        "print(String(std.loadFile('/etc/passwd'))); print(String(std.getenv('PASSK_CANARY')));\n",
        Outcome::Passed,
    );
    assert!(
        !e.stdout.contains("root:") && !e.stdout.contains(CANARY),
        "{}",
        e.stdout
    );
    assert_not_pass(
        JavaScript,
        "os.exec(['sh', '-c', 'echo hi']);\nthrow new Error('x');\n",
    );
}

// ---------- C and C++ ----------

#[test]
fn c_basics() {
    assert_outcome(
        C,
        "#include <assert.h>\nint f(int x){return x+1;}\nint main(void){assert(f(1)==2);return 0;}\n",
        Outcome::Passed,
    );
    assert_outcome(
        C,
        "#include <assert.h>\nint f(int x){return x;}\nint main(void){assert(f(1)==2);return 0;}\n",
        Outcome::WrongAnswer,
    );
    assert_outcome(C, "int main(void){ return nope; }\n", Outcome::CompileError);
    assert_outcome(
        C,
        "#include <stdlib.h>\nint main(void){abort();}\n",
        Outcome::RuntimeError,
    );
    assert_outcome(
        Cpp,
        "#include <vector>\n#include <cassert>\nint main(){std::vector<int> v{1,2}; assert(v.size()==2); return 0;}\n",
        Outcome::Passed,
    );
}

#[test]
fn c_hostile_programs_are_contained() {
    assert_outcome(
        C,
        "int main(void){ volatile int x = 0; for(;;) x++; }\n",
        Outcome::Timeout,
    );
    assert_outcome(
        C,
        "#include <unistd.h>\nint main(void){ sleep(100); return 0; }\n",
        Outcome::Timeout,
    );
    assert_outcome(
        C,
        "#include <stdio.h>\nint main(void){ for(;;) puts(\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"); }\n",
        Outcome::OutputLimit,
    );
    assert_outcome(
        C,
        "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint main(void){ char **head = 0; for (int i = 0; i < 4096; i++) { char **p = malloc(1<<20); if (!p) abort(); memset(p, 1, 1<<20); *p = (char *)head; head = p; } printf(\"%p\\n\", (void *)head); return 0; }\n",
        Outcome::MemoryLimit,
    );
    // exit(0) before the tests, and a fake marker.
    let e = assert_not_pass(
        C,
        "#include <stdlib.h>\n#include <assert.h>\nint main(void){ exit(0); assert(0); }\n",
    );
    assert_eq!(e.outcome, Outcome::WrongAnswer);
    assert_not_pass(
        C,
        "#include <stdio.h>\n#include <stdlib.h>\nint main(void){ printf(\"\\npassk-done-0123456789abcdef0123456789abcdef\\n\"); exit(0); }\n",
    );
    // SAFETY: tests only read this variable.
    unsafe { std::env::set_var("PASSK_CANARY", CANARY) };
    let e = assert_outcome(
        C,
        "#include <stdio.h>\n#include <stdlib.h>\nint main(void){ FILE *f = fopen(\"/etc/passwd\", \"r\"); printf(\"%p %s\\n\", (void*)f, getenv(\"PASSK_CANARY\") ? \"leak\" : \"none\"); return 0; }\n",
        Outcome::Passed,
    );
    assert!(
        e.stdout.contains("none") && !e.stdout.contains("leak"),
        "{}",
        e.stdout
    );
    // The compiler runs on the host: it must not read host files into diagnostics.
    let e = assert_outcome(
        C,
        "#include \"/etc/passwd\"\nint main(void){return 0;}\n",
        Outcome::CompileError,
    );
    assert!(
        !e.stderr.contains("root:") && !e.detail.contains("root:"),
        "{e:?}"
    );
    assert_outcome(
        C,
        "#include <../../../../etc/passwd>\nint main(void){return 0;}\n",
        Outcome::CompileError,
    );
}

#[test]
fn passk_survives_a_burst_of_hostile_programs_concurrently() {
    use passk::runner::{Cancel, Job, Reuse, execute};
    use passk::sandbox::Program;
    let programs = [
        (Python, "while True:\n    pass\n"),
        (Python, "x = bytearray(1 << 30)\n"),
        (JavaScript, "while (true) {}\n"),
        (Python, "assert 1 == 1\n"),
        (C, "int main(void){ for(;;); }\n"),
    ];
    let jobs: Vec<Job> = programs
        .iter()
        .cycle()
        .take(15)
        .enumerate()
        .map(|(i, (l, s))| Job {
            sample_index: i,
            ..Job::new(format!("t{i}"), Program::plain(*l, *s), limits(1.0))
        })
        .collect();
    let mut got = Vec::new();
    execute(
        sandbox(false),
        jobs.into_iter(),
        4,
        &Reuse::none(),
        &Cancel::default(),
        |r| got.push(r),
    );
    assert_eq!(got.len(), 15);
    assert!(
        got.iter().all(|r| !r.execution.outcome.is_harness_fault()),
        "{got:#?}"
    );
    assert_eq!(
        got.iter()
            .filter(|r| r.execution.outcome == Outcome::Passed)
            .count(),
        3
    );
}

#[test]
fn python_always_equal_results_are_no_pass() {
    use passk::problem::{Code, ProblemSet};
    let set = ProblemSet::load(std::path::Path::new(
        "../shared/datasets/humaneval/HumanEval.jsonl.gz",
    ))
    .unwrap();
    let p = set.get("HumanEval/0").unwrap();
    let sb = sandbox(false);
    let l = limits(5.0);
    let hacks = [
        // An object equal to everything.
        "    class Anything:\n        def __eq__(self, other):\n            return True\n    return Anything()\n",
        // The same, built with type() and a lambda, hidden in a list, a subclass of a builtin.
        "    return [type('X', (), {'__eq__': lambda s, o: True})()][0]\n",
        "    class B(int):\n        def __eq__(self, other):\n            return True\n    return B(0)\n",
        // Truthiness forged for `assert candidate(...)`-style tests.
        "    class T:\n        def __bool__(self):\n            return True\n        __eq__ = lambda s, o: True\n    return T()\n",
    ];
    for hack in hacks {
        let e = run_in(
            &sb,
            Python,
            &p.program_for(&Code::Completion(hack.into())).program.source,
            &l,
        );
        // Unguarded (the bare program text), the hack would pass: that is what it attacks.
        assert_eq!(
            e.outcome,
            Outcome::Passed,
            "precondition: the hack works without the guard: {hack}"
        );
        let program = p.program_for(&Code::Completion(hack.into())).program;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let e = rt.block_on(passk::sandbox::Sandbox::run(&*sb, &program, &l));
        assert_eq!(e.outcome, Outcome::RuntimeError, "{hack}\n→ {e:?}");
        assert!(e.detail.contains("defined by the program"), "{e:?}");
    }
    // The reference still passes through the guard.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let e = rt.block_on(passk::sandbox::Sandbox::run(
        &*sb,
        &p.program_for(&p.reference_code().unwrap()).program,
        &l,
    ));
    assert_eq!(e.outcome, Outcome::Passed, "{e:?}");
}
