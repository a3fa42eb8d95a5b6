//! The feedback turn of a repair episode: what a model is told after a failed attempt. It
//! is built from the verdict alone — the outcome, the failing test with expected and actual
//! values where passk's own judge names them, compiler errors, the first lines of stderr —
//! and cleaned of what belongs to passk rather than to the program (host paths, completion
//! nonces, result markers), then capped so a runaway program cannot flood the prompt.

use std::sync::LazyLock;

use regex::Regex;

use crate::outcome::Outcome;
use crate::sandbox::Execution;

/// At most this many lines of a program's output are quoted.
const MAX_LINES: usize = 30;
/// At most this many characters of feedback in all.
const MAX_CHARS: usize = 2000;

/// What went wrong, in words a model reads.
fn headline(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed every test",
        Outcome::WrongAnswer => "failed a test",
        Outcome::RuntimeError => "stopped with an error before its tests completed",
        Outcome::Timeout => "ran out of time (it may loop forever or be too slow)",
        Outcome::MemoryLimit => "used more memory than allowed",
        Outcome::OutputLimit => "printed more output than allowed",
        Outcome::CompileError => "did not compile",
        Outcome::SyntaxError => "did not parse",
        Outcome::NoCode => "could not be found: the answer held no code",
        Outcome::ToolchainMissing | Outcome::SandboxError | Outcome::GenerationError => {
            "could not be tested"
        }
    }
}

/// The feedback for one failed attempt: plain text, at most [`MAX_CHARS`] long.
pub fn describe(e: &Execution) -> String {
    let mut text = format!("Your solution {}.", headline(e.outcome));
    let detail = clean(&e.detail);
    if !detail.is_empty() {
        text.push_str(&format!("\n{detail}"));
    }
    // A failed test's traceback or a compiler's errors are on stderr; some harnesses
    // (MultiPL-E's Lua, Racket's rackunit) report on stdout instead.
    for (name, stream) in [("stderr", &e.stderr), ("stdout", &e.stdout)] {
        let quoted = excerpt(&clean(stream));
        let repeats_detail = quoted
            .lines()
            .filter(|l| !l.trim().is_empty())
            .all(|l| detail.contains(l.trim()));
        if !repeats_detail {
            text.push_str(&format!("\n{name}:\n{quoted}"));
        }
    }
    cap(text)
}

/// The first [`MAX_LINES`] lines of `text`, with a note of what was left out.
fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let mut out = lines[..lines.len().min(MAX_LINES)].join("\n");
    if lines.len() > MAX_LINES {
        out.push_str(&format!("\n… ({} more lines)", lines.len() - MAX_LINES));
    }
    out
}

fn cap(mut text: String) -> String {
    if text.len() > MAX_CHARS {
        let mut end = MAX_CHARS;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("\n… (cut)");
    }
    text
}

/// Removes what is passk's, not the program's: result-marker lines of passk's own
/// harnesses, completion nonces, terminal colours, and the directories of absolute paths
/// (a file keeps its name, so `/tmp/passk-x/main.rs:3:5` reads `main.rs:3:5`).
pub fn clean(text: &str) -> String {
    static MARKER_LINE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^.*passk-result-[0-9a-f]{20}.*\n?").expect("regex"));
    static NONCE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"passk-done-[0-9a-f]{32}").expect("regex"));
    static ANSI: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").expect("regex"));
    static DIRS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[\s'\x22(\[=:])((?:/[\w.+@-]+)+/)[\w.+@-]").expect("regex")
    });
    let text = MARKER_LINE.replace_all(text, "");
    let text = NONCE.replace_all(&text, "");
    let text = ANSI.replace_all(&text, "");
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for c in DIRS.captures_iter(&text) {
        let dirs = c.get(1).expect("group 1");
        out.push_str(&text[last..dirs.start()]);
        last = dirs.end();
    }
    out.push_str(&text[last..]);
    visible(&out.replace("\r\n", "\n"))
}

/// Control characters a program printed, written as escapes (`\x00`): a chat template
/// cannot carry a NUL byte, and a model reads an escape better than raw bytes.
fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nonces_and_markers_are_removed_and_the_rest_kept() {
        let text = "\x1b[31merror\x1b[0m: /tmp/passk-abc/work/main.rs:3:5: mismatched types\n\
                    passk-result-0123456789abcdef0123 0 ok 3\n\
                    File \"/root/.cache/passk/py/lib/x.py\", line 2\n\
                    passk-done-0123456789abcdef0123456789abcdef\n\
                    ratio 3/4 stays\n";
        assert_eq!(
            clean(text),
            "error: main.rs:3:5: mismatched types\nFile \"x.py\", line 2\n\nratio 3/4 stays\n"
        );
    }

    #[test]
    fn control_characters_become_escapes() {
        assert_eq!(
            clean("Received: \"\0\0\x1b\"\r\nnext\tline\x7f\n"),
            "Received: \"\\x00\\x00\\x1b\"\nnext\tline\\x7f\n"
        );
    }

    #[test]
    fn feedback_names_the_outcome_the_test_and_the_first_lines_of_stderr() {
        let mut e = Execution::verdict(Outcome::WrongAnswer, "test 2: expected 3, got 4");
        e.stderr = (0..40).map(|i| format!("line {i}\n")).collect();
        let text = describe(&e);
        assert!(
            text.starts_with(
                "Your solution failed a test.\ntest 2: expected 3, got 4\nstderr:\nline 0\n"
            ),
            "{text}"
        );
        assert!(text.contains("line 29\n… (10 more lines)"), "{text}");
        assert!(!text.contains("line 30\n"), "{text}");
        let mut flood = Execution::verdict(Outcome::RuntimeError, "x".repeat(5000));
        flood.stdout = "y".repeat(10);
        let text = describe(&flood);
        assert!(
            text.len() <= MAX_CHARS + 10 && text.ends_with("… (cut)"),
            "{}",
            text.len()
        );
    }

    #[test]
    fn output_already_in_the_detail_is_not_quoted_twice() {
        let mut e = Execution::verdict(
            Outcome::CompileError,
            "# command-line-arguments | main.go:3: undefined: x",
        );
        e.stderr = "# command-line-arguments\n/tmp/b/main.go:3: undefined: x\n".into();
        assert_eq!(
            describe(&e),
            "Your solution did not compile.\n# command-line-arguments | main.go:3: undefined: x"
        );
    }
}
