//! passk's I/O problems in both sandboxes: a full program runs once per test input with
//! that input on stdin (compiled once), and the host judges each run's output. The same
//! programs get the same verdicts in WASM and in the process sandbox.

use std::time::Duration;

use passk::lang::Language;
use passk::outcome::Outcome;
use passk::problem::{Code, ProblemSet};
use passk::sandbox::{Execution, Limits, Sandbox};

/// `io/column-sums`: "r c" then r rows of c integers; print the column sums. Its tests
/// (in order): 2×3 → "5 7 9", 1×1 → "-7", 0×3 → "0 0 0", …
fn problem(language: Language) -> passk::problem::Problem {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/problems/io");
    let set = ProblemSet::load(std::path::Path::new(dir)).unwrap();
    set.find("io/column-sums", Some(language)).unwrap().clone()
}

fn limits() -> Limits {
    Limits {
        time: Duration::from_secs(5),
        ..Limits::default()
    }
}

/// Runs `source` for the problem in `sandbox` and judges it as the runner does.
fn judge<S: Sandbox>(sandbox: &S, language: Language, source: &str) -> Execution {
    let p = problem(language);
    let assembled = p.program_for(&Code::Solution(source.to_string()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let e = rt.block_on(sandbox.run(&assembled.program, &limits()));
    assembled.expect.as_ref().expect("an I/O check").judge(e)
}

const PY_RIGHT: &str = r#"
import sys
d = list(map(int, sys.stdin.read().split()))
r, c = d[0], d[1]
print(*[sum(d[2 + i * c + j] for i in range(r)) for j in range(c)])
sys.exit(0)
"#;
const PY_HARDCODED: &str = "print('5 7 9')\n";
const PY_CRASH_ON_SECOND: &str = r#"
import sys
d = sys.stdin.read().split()
if d[:2] == ["1", "1"]:
    raise ValueError("second input")
print("5 7 9")
"#;
const PY_EXIT_1: &str = "import sys\nsys.stdin.read()\nsys.exit(1)\n";

const JS_RIGHT: &str = r#"
const d = require("fs").readFileSync(0, "utf8").split(/\s+/).filter(Boolean).map(Number);
const [r, c] = d;
const s = new Array(c).fill(0);
for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) s[j] += d[2 + i * c + j];
process.stdout.write(s.join(" ") + "\n");
"#;
const JS_HARDCODED: &str = "console.log('5 7 9');\n";
/// Node's line-by-line reader; names a program may well use for itself.
const JS_READLINE: &str = r#"
const emitter = 1, stdinLines = 2;
const rl = require("readline").createInterface({ input: process.stdin });
const rows = [];
rl.on("line", (line) => rows.push(line.trim().split(/\s+/).map(Number)));
rl.on("close", () => {
  const [r, c] = rows[0];
  const s = new Array(c).fill(0);
  for (let i = 1; i <= r; i++) for (let j = 0; j < c; j++) s[j] += rows[i][j];
  console.log(s.join(" "));
});
"#;
const JS_STDIN_EVENTS: &str = r#"
let text = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (text += chunk));
process.stdin.on("end", () => {
  const d = text.split(/\s+/).filter(Boolean).map(Number);
  const [r, c] = d;
  const s = new Array(c).fill(0);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) s[j] += d[2 + i * c + j];
  console.log(s.join(" "));
});
"#;

const C_RIGHT: &str = r#"
#include <stdio.h>
int main(void) {
    int r, c;
    long long s[128] = {0}, x;
    if (scanf("%d %d", &r, &c) != 2) return 1;
    for (int i = 0; i < r; i++)
        for (int j = 0; j < c; j++) { scanf("%lld", &x); s[j] += x; }
    for (int j = 0; j < c; j++) printf(j ? " %lld" : "%lld", s[j]);
    printf("\n");
    return 0;
}
"#;
const C_HARDCODED: &str = "#include <stdio.h>\nint main(void) { puts(\"5 7 9\"); return 0; }\n";

fn check_all<S: Sandbox>(sandbox: &S, name: &str) {
    let cases: [(Language, &str, Outcome, &str); 9] = [
        (Language::Python, PY_RIGHT, Outcome::Passed, ""),
        (
            Language::Python,
            PY_HARDCODED,
            Outcome::WrongAnswer,
            "test 1: token 1: expected \"-7\", got \"5\"",
        ),
        (
            Language::Python,
            PY_CRASH_ON_SECOND,
            Outcome::RuntimeError,
            "test 1:",
        ),
        (
            Language::Python,
            PY_EXIT_1,
            Outcome::RuntimeError,
            "test 0:",
        ),
        (Language::JavaScript, JS_RIGHT, Outcome::Passed, ""),
        (
            Language::JavaScript,
            JS_HARDCODED,
            Outcome::WrongAnswer,
            "test 1:",
        ),
        (Language::JavaScript, JS_READLINE, Outcome::Passed, ""),
        (Language::JavaScript, JS_STDIN_EVENTS, Outcome::Passed, ""),
        (Language::C, C_RIGHT, Outcome::Passed, ""),
    ];
    for (language, source, want, detail) in cases {
        let e = judge(sandbox, language, source);
        assert_eq!(
            e.outcome, want,
            "{name} {language}: {} (stderr {})",
            e.detail, e.stderr
        );
        assert!(
            e.detail.starts_with(detail),
            "{name} {language}: detail {:?} does not start with {detail:?}",
            e.detail
        );
    }
    let wrong = judge(sandbox, Language::C, C_HARDCODED);
    assert_eq!(
        wrong.outcome,
        Outcome::WrongAnswer,
        "{name}: {}",
        wrong.detail
    );
}

#[test]
fn io_programs_in_wasm() {
    check_all(&*crate::common::sandbox(false), "wasm");
}

#[test]
fn io_programs_in_the_process_sandbox() {
    check_all(&*crate::common::process_sandbox(), "process");
}
