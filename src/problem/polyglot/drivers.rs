//! passk's driver per track: the trusted program that runs an exercise's tests under the
//! track's own framework and prints the run's completion marker (read from descriptor 3)
//! only after every test ran and passed. A solution that exits early, from any hook, ends
//! the run before the driver prints it: `wrong_answer`, never a pass.
//!
//! - Python: `pytest.main` on the test files, in the driver's process.
//! - Go: passk's `TestMain` beside the tests (the one HumanEval-X's Go programs get).
//! - Rust: Cargo builds one harness-less test binary, whose `main` calls every `#[test]`
//!   function of the exercise's test files (ignored ones too) as libtest would: a panic
//!   fails the test, `#[should_panic(expected = …)]` needs a panic with that text.
//! - C++: a Catch2 `main` (`CATCH_CONFIG_RUNNER`) in place of `test/tests-main.cpp`.
//! - Java: the JUnit Platform launcher on the test classes; every test found must succeed.
//! - JavaScript: Jest's `runCLI` in band; every test must pass.
//!
//! It also lifts the skips Aider lifts: Java's `@Disabled(…)` lines, JavaScript's `xtest`.

use std::fmt::Write as _;
use std::path::Path;

use super::Exercise;
use crate::lang::Language;

/// The test text with the track's skips removed.
pub fn lift_skips(language: Language, text: &str) -> String {
    match language {
        // Aider's rule: an `@Disabled(…)` annotation and the end of its line go.
        Language::Java => {
            let re = regex::Regex::new(r"@Disabled\([^)]*\)\s*\n").expect("valid regex");
            re.replace_all(text, "").into_owned()
        }
        Language::JavaScript => {
            let re = regex::Regex::new(r"\bxtest\(").expect("valid regex");
            re.replace_all(text, "test(").into_owned()
        }
        _ => text.to_string(),
    }
}

/// The driver's source and the exercise files it rewrites (path, new text).
pub fn driver(ex: &Exercise) -> Result<(String, Vec<(String, String)>), String> {
    match ex.language {
        Language::Python => Ok((python(&ex.tests), vec![])),
        Language::Go => {
            let tests = ex
                .files
                .iter()
                .find(|(p, _)| ex.tests.contains(p))
                .map(|(_, t)| t.as_str())
                .ok_or("no Go test file")?;
            Ok((crate::sandbox::seal::go_main(tests), vec![]))
        }
        Language::Rust => rust(ex),
        Language::Cpp => Ok((CPP_MAIN.to_string(), vec![])),
        Language::Java => Ok((java(&ex.tests), vec![])),
        // The exercise's own babel.config.js (`@exercism/babel-preset-javascript`) stays.
        Language::JavaScript => Ok((JS_RUN.to_string(), vec![])),
        other => Err(format!("no exercise runner for {other}")),
    }
}

fn python(tests: &[String]) -> String {
    let list: Vec<String> = tests.iter().map(|t| format!("{t:?}")).collect();
    format!(
        "import os\nimport sys\n\nimport pytest\n\n\
         code = pytest.main([\"-q\", \"-p\", \"no:cacheprovider\", {}])\n\
         if code == 0:\n    \
             sys.stdout.flush()\n    \
             sys.stdout.write(\"\\n\" + os.read(3, 256).decode())\n    \
             sys.stdout.flush()\n\
         sys.exit(int(code))\n",
        list.join(", ")
    )
}

const CPP_MAIN: &str = "#define CATCH_CONFIG_RUNNER\n#include \"test/catch.hpp\"\n\
#include <cstdio>\n#include <unistd.h>\n\n\
int main(int argc, char* argv[]) {\n\
    int code = Catch::Session().run(argc, argv);\n\
    if (code != 0) return code;\n\
    char marker[128];\n\
    ssize_t n = read(3, marker, sizeof marker);\n\
    std::fflush(stdout);\n\
    std::fputs(\"\\n\", stdout);\n\
    if (n > 0) std::fwrite(marker, 1, static_cast<size_t>(n), stdout);\n\
    std::fflush(stdout);\n\
    return 0;\n\
}\n";

fn java(tests: &[String]) -> String {
    let mut selectors = Vec::new();
    for t in tests {
        let class = t
            .strip_prefix("src/test/java/")
            .unwrap_or(t)
            .trim_end_matches(".java")
            .replace('/', ".");
        selectors.push(format!("selectClass({class}.class)"));
    }
    format!(
        "import org.junit.platform.launcher.Launcher;\n\
         import org.junit.platform.launcher.LauncherDiscoveryRequest;\n\
         import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;\n\
         import org.junit.platform.launcher.core.LauncherFactory;\n\
         import org.junit.platform.launcher.listeners.SummaryGeneratingListener;\n\
         import org.junit.platform.launcher.listeners.TestExecutionSummary;\n\
         import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;\n\n\
         public class PasskRun {{\n    \
             public static void main(String[] args) throws Exception {{\n        \
                 LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()\n            \
                     .selectors({}).build();\n        \
                 SummaryGeneratingListener listener = new SummaryGeneratingListener();\n        \
                 Launcher launcher = LauncherFactory.create();\n        \
                 launcher.execute(request, listener);\n        \
                 TestExecutionSummary s = listener.getSummary();\n        \
                 java.io.PrintWriter out = new java.io.PrintWriter(System.out);\n        \
                 s.printFailuresTo(out, 20);\n        \
                 s.printTo(out);\n        \
                 out.flush();\n        \
                 boolean ok = s.getTestsFoundCount() > 0 && s.getTotalFailureCount() == 0\n            \
                     && s.getTestsSucceededCount() == s.getTestsFoundCount();\n        \
                 if (!ok) System.exit(1);\n        \
                 String m = new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(\"/dev/fd/3\"))).trim();\n        \
                 System.out.println();\n        \
                 System.out.println(m);\n        \
                 System.out.flush();\n    \
             }}\n}}\n",
        selectors.join(", ")
    )
}

/// Jest in band (no worker processes), without a cache or watchman; the exercise's tests
/// match its own `testMatch`-free default. A failed run ends with one line naming how many
/// tests failed and the first failure (an expectation's, when any is: `wrong_answer`).
const JS_RUN: &str = r#"const { runCLI } = require('jest');
(async () => {
  const { results } = await runCLI(
    { _: [], $0: 'jest', ci: true, cache: false, watchman: false, runInBand: true },
    [process.cwd()],
  );
  const ok = results.success && results.numTotalTests > 0
    && results.numPassedTests === results.numTotalTests;
  if (!ok) {
    const failed = results.testResults.flatMap((f) => (f.testResults || [])
      .filter((t) => t.status === 'failed'));
    const expectation = failed.find((t) => (t.failureDetails || []).some((d) => d && d.matcherResult));
    const first = expectation || failed[0];
    let line = `${results.numPassedTests} of ${results.numTotalTests} tests passed`;
    if (first) {
      const message = (first.failureMessages[0] || '').split('\n')
        .map((l) => l.trim()).filter((l) => l && !l.startsWith('at ')).slice(0, 4).join(' | ');
      line += `; "${first.fullName}" failed: ${message}`;
    } else {
      const broken = results.testResults.find((f) => f.testExecError || f.failureMessage);
      if (broken) line += `: ${(broken.failureMessage || '').split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' | ')}`;
    }
    console.error(`passk-jest: ${expectation ? 'expectation failed: ' : ''}${line}`);
    process.exit(1);
  }
  const marker = require('fs').readFileSync(3, 'utf8').trim();
  process.stdout.write('\n' + marker + '\n');
})().catch((e) => { console.error(e); process.exit(2); });
"#;

/// One test function found in a Rust test file.
#[derive(Debug, PartialEq)]
struct RustTest {
    /// Path inside the file's module (`addition::can_add_two_numbers`).
    path: String,
    /// `Some(expected text)` for `#[should_panic]` (empty text: any panic).
    panics: Option<String>,
}

/// The bytes of `text` that are code (strings, chars and comments blanked to spaces), so
/// that brace and attribute scanning does not trip over them.
fn code_only(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(b.len(), |e| i + e);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                blank(&mut out, i, end);
                i = end;
            }
            b'r' if (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let start = i + 2 + hashes;
                let end = text[start..]
                    .find(&close)
                    .map_or(b.len(), |e| start + e + close.len());
                blank(&mut out, i, end);
                i = end;
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                blank(&mut out, i, j + 1);
                i = j + 1;
            }
            // A char literal ('{', '\n', '\''), not a lifetime.
            b'\'' => {
                let len = if b.get(i + 1) == Some(&b'\\') {
                    b[i + 2..].iter().position(|&c| c == b'\'').map(|p| p + 3)
                } else {
                    text[i + 1..]
                        .chars()
                        .next()
                        .filter(|c| text[i + 1 + c.len_utf8()..].starts_with('\''))
                        .map(|c| c.len_utf8() + 2)
                };
                match len {
                    Some(l) => {
                        blank(&mut out, i, i + l);
                        i += l;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Finds the `#[test]` functions of a Rust test file and rewrites it into a module of the
/// driver: test attributes (`#[test]`, `#[ignore…]`, `#[should_panic…]`) removed, test
/// functions and inline modules made `pub` so that the driver can call them.
fn rust_tests(text: &str) -> (String, Vec<RustTest>) {
    let code = code_only(text);
    let mut tests = Vec::new();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut mods: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let word_at = |i: usize, w: &str| {
        code[i..].starts_with(w.as_bytes())
            && (i == 0 || !(code[i - 1].is_ascii_alphanumeric() || code[i - 1] == b'_'))
            && code
                .get(i + w.len())
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
    };
    let ident = |from: usize| -> (usize, String) {
        let mut j = from;
        while code.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
            j += 1;
        }
        let start = j;
        while code
            .get(j)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            j += 1;
        }
        (j, text[start..j].to_string())
    };
    let mut pending: Option<(Option<String>, bool)> = None;
    while i < code.len() {
        match code[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                while mods.last().is_some_and(|(_, d)| *d > depth) {
                    mods.pop();
                }
            }
            b'#' if code.get(i + 1) == Some(&b'[') => {
                // One attribute, brackets balanced.
                let mut j = i + 2;
                let mut level = 1;
                while j < code.len() && level > 0 {
                    match code[j] {
                        b'[' => level += 1,
                        b']' => level -= 1,
                        _ => {}
                    }
                    j += 1;
                }
                let attr = text[i + 2..j - 1].trim();
                let name = attr
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or("");
                match name {
                    "test" | "ignore" | "should_panic" => {
                        let p = pending.get_or_insert((None, false));
                        if name == "test" {
                            p.1 = true;
                        }
                        if name == "should_panic" {
                            let expected = attr
                                .split_once("expected")
                                .and_then(|(_, r)| r.split_once('"'))
                                .and_then(|(_, r)| r.rsplit_once('"'))
                                .map(|(e, _)| e.replace("\\\"", "\""))
                                .unwrap_or_default();
                            p.0 = Some(expected);
                        }
                        edits.push((i, j, String::new()));
                    }
                    _ => {}
                }
                i = j;
                continue;
            }
            _ if word_at(i, "mod") => {
                let (end, name) = ident(i + 3);
                let mut k = end;
                while code.get(k).is_some_and(|c| c.is_ascii_whitespace()) {
                    k += 1;
                }
                if code.get(k) == Some(&b'{') {
                    let public = text[..i].trim_end().ends_with("pub");
                    if !public {
                        edits.push((i, i, "pub ".into()));
                    }
                    mods.push((name, depth + 1));
                }
                i = end;
                continue;
            }
            _ if word_at(i, "fn") => {
                let (end, name) = ident(i + 2);
                if let Some((panics, true)) = pending.take() {
                    let public = text[..i].trim_end().ends_with("pub");
                    if !public {
                        edits.push((i, i, "pub ".into()));
                    }
                    let mut path: Vec<&str> = mods.iter().map(|(m, _)| m.as_str()).collect();
                    path.push(&name);
                    tests.push(RustTest {
                        path: path.join("::"),
                        panics,
                    });
                }
                pending = None;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    edits.sort_by_key(|e| (e.0, e.1));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (from, to, with) in edits {
        out.push_str(&text[at..from]);
        out.push_str(&with);
        at = to;
    }
    out.push_str(&text[at..]);
    (out, tests)
}

const RUST_HARNESS: &str = "pub struct PasskTest {\n    pub name: &'static str,\n    \
pub run: fn(),\n    pub panics: Option<&'static str>,\n}\n\n\
pub trait PasskOutcome {\n    fn check(self);\n}\n\
impl PasskOutcome for () {\n    fn check(self) {}\n}\n\
impl<E: std::fmt::Debug> PasskOutcome for Result<(), E> {\n    \
fn check(self) {\n        if let Err(e) = self {\n            panic!(\"the test returned Err({e:?})\");\n        }\n    }\n}\n\n\
fn passk_message(p: &(dyn std::any::Any + Send)) -> String {\n    \
p.downcast_ref::<&str>().map(|s| s.to_string())\n        \
.or_else(|| p.downcast_ref::<String>().cloned())\n        .unwrap_or_default()\n}\n\n\
fn main() {\n    let tests: Vec<PasskTest> = TESTS;\n    let mut failed = Vec::new();\n    \
for t in &tests {\n        \
let result = std::panic::catch_unwind(t.run);\n        \
let ok = match (t.panics, result) {\n            \
(None, Ok(())) => true,\n            \
(None, Err(_)) => false,\n            \
(Some(_), Ok(())) => {\n                eprintln!(\"note: test did not panic as expected\");\n                false\n            }\n            \
(Some(want), Err(p)) => {\n                let got = passk_message(&*p);\n                \
let ok = got.contains(want);\n                \
if !ok {\n                    eprintln!(\"note: panic did not contain expected string\\n      panic message: {got:?}\\n expected substring: {want:?}\");\n                }\n                ok\n            }\n        };\n        \
println!(\"test {} ... {}\", t.name, if ok { \"ok\" } else { \"FAILED\" });\n        \
if !ok {\n            failed.push(t.name);\n        }\n    }\n    \
if !failed.is_empty() || tests.is_empty() {\n        \
println!(\"\\nfailures:\\n    {}\\n\\ntest result: FAILED. {} passed; {} failed\", failed.join(\"\\n    \"), tests.len() - failed.len(), failed.len());\n        \
std::process::exit(101);\n    }\n    \
println!(\"\\ntest result: ok. {} passed; 0 failed\", tests.len());\n    \
use std::io::{Read, Write};\n    use std::os::fd::FromRawFd;\n    \
let mut marker = String::new();\n    \
// SAFETY: descriptor 3 is the marker pipe the sandbox hands the run; nothing else owns it.\n    \
let _ = unsafe { std::fs::File::from_raw_fd(3) }.read_to_string(&mut marker);\n    \
let mut out = std::io::stdout();\n    \
let _ = write!(out, \"\\n{marker}\");\n    let _ = out.flush();\n}\n";

/// Rust: the test files as modules of one harness-less test target, and the Cargo.toml
/// that declares it (automatic test targets off, so the originals are not built).
fn rust(ex: &Exercise) -> Result<(String, Vec<(String, String)>), String> {
    let cargo = ex
        .files
        .iter()
        .find(|(p, _)| p == "Cargo.toml")
        .map(|(_, t)| t.as_str())
        .ok_or("a Rust exercise without Cargo.toml")?;
    let package = cargo
        .find("[package]")
        .ok_or("Cargo.toml has no [package]")?
        + "[package]".len();
    let cargo = format!(
        "{}\nautotests = false{}\n\n[[test]]\nname = \"passk_tests\"\npath = \"tests/passk_tests.rs\"\nharness = false\n",
        &cargo[..package],
        &cargo[package..]
    );
    let mut rewritten = vec![("Cargo.toml".to_string(), cargo)];
    let mut mods = String::new();
    let mut list = String::from("vec![\n");
    for (i, test) in ex.tests.iter().enumerate() {
        let text = ex
            .files
            .iter()
            .find(|(p, _)| p == test)
            .map(|(_, t)| t.as_str())
            .ok_or_else(|| format!("no test file {test}"))?;
        let (module, tests) = rust_tests(text);
        let stem = Path::new(test)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(mods, "#[path = \"passk/{stem}\"]\nmod t{i};");
        rewritten.push((format!("tests/passk/{stem}"), module));
        for t in tests {
            let panics = match &t.panics {
                Some(e) => format!("Some({e:?})"),
                None => "None".into(),
            };
            let _ = writeln!(
                list,
                "        PasskTest {{ name: {:?}, run: || PasskOutcome::check(t{i}::{}()), panics: {panics} }},",
                t.path, t.path
            );
        }
    }
    list.push_str("    ]");
    Ok((
        format!(
            "// passk's driver: every test of the exercise, called as libtest would.\n{mods}\n{}",
            RUST_HARNESS.replace("TESTS", &list)
        ),
        rewritten,
    ))
}

/// An answer that is the reference with an exit (status 0) before or during the tests: the
/// driver must not print the marker, so it fails (selfcheck's `exit_zero`).
pub fn early_exit(ex: &Exercise) -> Option<Vec<(String, String)>> {
    let mut files = ex.example.clone();
    // C++: the exit goes in a source file, not a header, where there is one.
    let at = files
        .iter()
        .position(|(p, _)| ex.language == Language::Cpp && p.ends_with(".cpp"))
        .or_else(|| {
            files
                .iter()
                .position(|(p, _)| ex.solution.iter().any(|(s, _)| s == p))
        })?;
    let text = &mut files[at].1;
    *text = match ex.language {
        Language::Python => format!("import os\nos._exit(0)\n{text}"),
        Language::Go => {
            // The import right after the package clause (imports precede declarations), the
            // `init` at the end.
            let line = text.lines().find(|l| l.starts_with("package "))?;
            let after = text.find(line)? + line.len() + 1;
            format!(
                "{}\nimport passkexit \"os\"\n{}\nfunc init() {{ passkexit.Exit(0) }}\n",
                &text[..after],
                &text[after..]
            )
        }
        Language::Rust => format!(
            "{text}\n#[used]\n#[unsafe(link_section = \".init_array\")]\n\
             static PASSK_EXIT: extern \"C\" fn() = {{\n    \
             extern \"C\" fn exit_now() {{\n        std::process::exit(0)\n    }}\n    exit_now\n}};\n"
        ),
        Language::Cpp => format!(
            "#include <cstdlib>\n{text}\n[[maybe_unused]] static const int passk_exit = (std::exit(0), 0);\n"
        ),
        Language::Java => {
            let class = text.find("class ")?;
            let brace = class + text[class..].find('{')? + 1;
            format!(
                "{}\n    static {{ System.exit(0); }}\n{}",
                &text[..brace],
                &text[brace..]
            )
        }
        Language::JavaScript => format!("process.exit(0);\n{text}"),
        _ => return None,
    };
    Some(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_tests_are_found_in_modules_with_their_attributes() {
        let text = "use x::*;\nmod add {\n    use super::*;\n    #[test]\n    #[ignore]\n    \
                    fn two() { let s = \"}{\"; assert_eq!(s, \"}{\"); }\n}\n\
                    #[test]\n#[should_panic(expected = \"bad \\\"x\\\"\")]\nfn boom() { let c = '}'; }\n\
                    fn helper<'a>(x: &'a str) -> &'a str { x }\n";
        let (module, tests) = rust_tests(text);
        assert_eq!(
            tests,
            vec![
                RustTest {
                    path: "add::two".into(),
                    panics: None
                },
                RustTest {
                    path: "boom".into(),
                    panics: Some("bad \"x\"".into())
                },
            ]
        );
        assert!(module.contains("pub mod add {"), "{module}");
        assert!(module.contains("pub fn two()") && module.contains("pub fn boom()"));
        assert!(!module.contains("#[test]") && !module.contains("#[ignore]"));
        assert!(module.contains("fn helper<'a>") && !module.contains("pub fn helper"));
    }

    #[test]
    fn skips_are_lifted_as_aider_lifts_them() {
        let java = "    @Disabled(\"Remove to run test\")\n    @Test\n    void t() {}\n";
        // The annotation and its newline go; the indentation before it stays.
        assert_eq!(
            lift_skips(Language::Java, java),
            "        @Test\n    void t() {}\n"
        );
        assert_eq!(
            lift_skips(Language::JavaScript, "xtest('a', () => {});"),
            "test('a', () => {});"
        );
    }
}
