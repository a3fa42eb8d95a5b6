//! The output comparisons of two competitive-programming harnesses, as their code decides
//! (not as their papers describe):
//!
//! - **APPS** (`eval/testing_util.py`): the captured output
//!   as lines (`str.splitlines`) passes if any check of its chain of fallbacks passes —
//!   the whole text stripped equals the expected text stripped (also with every line
//!   stripped); the non-empty output lines equal the expected text's non-empty lines,
//!   stripped; both are lists of numbers `np.allclose` (rtol 1e-5, atol 1e-8); the *set* of
//!   per-line token sets is equal (line order, repeated lines and token order within a line
//!   ignored); or the same with every token a number rounded to 3 decimals.
//! - **TACO** (`metrics/testing_util.py`, "modified from APPS"): the same chain, but given
//!   the program's stdout as one text (a subprocess's, its `\r` and `\r\n` read as `\n`)
//!   where APPS gives a list of lines, so most fallbacks see characters, not lines: after
//!   the stripped texts, a stdout made only of digits passes where its digits are
//!   `np.allclose` to the expected lines' numbers, and the set of each stdout token's
//!   *characters* must equal the set of the expected lines' token sets (or the same with
//!   every character and token a number rounded to 3 decimals). What the stripped texts
//!   do not match passes only by those quirks: `6 3` for `6\n3`, never `2.0` for `2`.
//! - **CodeContests** (`execution/tester_sandboxer.cc`, `OutputsMatch`): both split on
//!   `" \n\t\r\v"`, lower-cased; equal token lists pass; otherwise as many tokens, each
//!   pair equal as text or, where both read as numbers (`absl::SimpleAtod`, which reads
//!   integers too, so its integer branch is never reached), closer than 1e-5.

use super::decimal::py_space;
use super::{first_difference, show};

/// Python's `str.splitlines()` separators.
fn py_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// `text.splitlines()`: `\r\n` is one break, and a final break makes no empty line.
fn splitlines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if py_line_break(c) {
            out.push(&text[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' && matches!(chars.peek(), Some((_, '\n'))) {
                chars.next();
                end += 1;
            }
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn strip(s: &str) -> &str {
    s.trim_matches(py_space)
}

fn py_split(s: &str) -> Vec<&str> {
    s.split(py_space).filter(|t| !t.is_empty()).collect()
}

/// Python's `float(text)`: surrounding whitespace, `inf`/`nan` in any case, and
/// underscores between digits.
fn py_float(text: &str) -> Option<f64> {
    let t = strip(text);
    let b = t.as_bytes();
    let mut clean = String::with_capacity(t.len());
    for (i, c) in t.char_indices() {
        if c == '_' {
            let digit = |j: Option<&u8>| j.is_some_and(u8::is_ascii_digit);
            if !(i > 0 && digit(b.get(i - 1)) && digit(b.get(i + 1))) {
                return None;
            }
        } else {
            clean.push(c);
        }
    }
    clean.parse().ok()
}

/// `np.allclose(got, want)` on equal-length lists: `|g - w| <= 1e-8 + 1e-5 * |w|`, NaN
/// close to nothing, infinities close only to themselves.
fn allclose(got: &[f64], want: &[f64]) -> bool {
    got.iter().zip(want).all(|(g, w)| {
        if g.is_infinite() || w.is_infinite() {
            g == w
        } else {
            (g - w).abs() <= 1e-8 + 1e-5 * w.abs()
        }
    })
}

/// `round(x, 3)` as a comparable key (`-0.0` is `0.0`); NaN has none (it equals nothing).
fn round3(x: f64) -> Option<u64> {
    if x.is_nan() {
        return None;
    }
    let r: f64 = format!("{x:.3}").parse().ok()?;
    Some(if r == 0.0 { 0 } else { r.to_bits() })
}

/// The set of per-line sets, as `set(frozenset(s) for s in lines)` — with each token
/// mapped by `key` (`None`: the check raises, so it fails).
fn set_of_sets<K: Ord>(
    lines: &[Vec<&str>],
    key: impl Fn(&str) -> Option<K>,
) -> Option<std::collections::BTreeSet<std::collections::BTreeSet<K>>> {
    lines
        .iter()
        .map(|l| l.iter().map(|t| key(t)).collect())
        .collect()
}

/// The expected text's non-empty lines, each stripped (a line of spaces stays, empty), as
/// both chains' later checks read it.
fn expected_lines(want: &str) -> Vec<&str> {
    want.split('\n')
        .filter(|l| !l.is_empty())
        .map(strip)
        .collect()
}

/// APPS's verdict on one stdin test: `None` when the output passes, else where it first
/// differs from the expected lines.
pub fn apps_differs(want: &str, got: &str) -> Option<String> {
    let out = splitlines(got);
    // custom_compare_: the joined output, then its stripped lines joined, stripped.
    if strip(&out.join("\n")) == strip(want) {
        return None;
    }
    let stripped: Vec<&str> = out.iter().map(|l| strip(l)).collect();
    if strip(&stripped.join("\n")) == strip(want) {
        return None;
    }
    let expected = expected_lines(want);
    let nonempty: Vec<&str> = out.iter().copied().filter(|l| !l.is_empty()).collect();
    if nonempty == expected {
        return None;
    }
    let floats = |v: &[&str]| v.iter().map(|l| py_float(l)).collect::<Option<Vec<f64>>>();
    if let (Some(g), Some(w)) = (floats(&nonempty), floats(&expected))
        && g.len() == w.len()
        && allclose(&g, &w)
    {
        return None;
    }
    // Token sets per line: the output's lines without tokens dropped, the expected's kept.
    let got_lines: Vec<Vec<&str>> = nonempty
        .iter()
        .map(|l| py_split(l))
        .filter(|t| !t.is_empty())
        .collect();
    let want_lines: Vec<Vec<&str>> = expected.iter().map(|l| py_split(l)).collect();
    if sets_match(&got_lines, &want_lines) {
        return None;
    }
    Some(first_difference(&expected, &nonempty))
}

/// The last two checks of both chains: the set of per-line token sets equal as text, or
/// with every token a number rounded to 3 decimals (a token that is no number fails it).
fn sets_match(got: &[Vec<&str>], want: &[Vec<&str>]) -> bool {
    let text = |t: &str| Some(t.to_string());
    if set_of_sets(got, text) == set_of_sets(want, text) {
        return true;
    }
    let rounded = |t: &str| py_float(t).and_then(round3);
    matches!(
        (set_of_sets(got, rounded), set_of_sets(want, rounded)),
        (Some(g), Some(w)) if g == w
    )
}

/// TACO's verdict on one stdin test (see the module docs).
pub fn taco_differs(want: &str, got: &str) -> Option<String> {
    // subprocess.run(text=True) reads with universal newlines.
    let got = got.replace("\r\n", "\n").replace('\r', "\n");
    if strip(&got) == strip(want) {
        return None;
    }
    let expected = expected_lines(want);
    // `float(c) for c in stdout`: every character a digit (Python also reads other
    // scripts' decimal digits; outputs here are ASCII).
    let digits: Option<Vec<f64>> = got.chars().map(|c| c.to_digit(10).map(f64::from)).collect();
    let floats: Option<Vec<f64>> = expected.iter().map(|l| py_float(l)).collect();
    if let (Some(g), Some(w)) = (digits, floats)
        && g.len() == w.len()
        && allclose(&g, &w)
    {
        return None;
    }
    // Each stdout token as the set of its characters; each expected line as its tokens.
    let tokens: std::collections::BTreeSet<&str> = py_split(&got).into_iter().collect();
    let g: Vec<Vec<&str>> = tokens
        .iter()
        .map(|t| {
            t.char_indices()
                .map(|(i, c)| &t[i..i + c.len_utf8()])
                .collect()
        })
        .collect();
    let w: Vec<Vec<&str>> = expected.iter().map(|l| py_split(l)).collect();
    if sets_match(&g, &w) {
        return None;
    }
    let lines: Vec<&str> = got
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(strip)
        .collect();
    Some(first_difference(&expected, &lines))
}

/// `absl::SimpleAtod` on a lower-cased token: one leading `+` dropped, then a decimal
/// number or `inf`/`infinity`/`nan`, as `from_chars` reads them.
fn atod(token: &str) -> Option<f64> {
    token.strip_prefix('+').unwrap_or(token).parse().ok()
}

/// CodeContests' verdict on one test (see the module docs).
pub fn code_contests_differs(want: &str, got: &str) -> Option<String> {
    let split = |s: &str| -> Vec<String> {
        s.split([' ', '\n', '\t', '\r', '\x0b'])
            .filter(|t| !t.is_empty())
            .map(|t| t.to_ascii_lowercase())
            .collect()
    };
    let (w, g) = (split(want), split(got));
    if w == g {
        return None;
    }
    if w.len() != g.len() {
        return Some(format!("{} tokens expected, got {}", w.len(), g.len()));
    }
    let same = |a: &str, b: &str| match (atod(a), atod(b)) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-5,
        _ => a == b,
    };
    let at = w.iter().zip(&g).position(|(a, b)| !same(a, b))?;
    Some(format!(
        "token {}: expected {}, got {}",
        at + 1,
        show(Some(&w[at])),
        show(Some(&g[at]))
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_takes_what_its_chain_of_fallbacks_takes() {
        let pass = |want: &str, got: &str| apps_differs(want, got).is_none();
        // Whole text stripped; stripped lines.
        assert!(pass("1 2\n3\n", "  1 2\n3"));
        assert!(pass("1 2\n3", "1 2   \n  3  \n"));
        // Empty lines of the output and of the expected text dropped.
        assert!(pass("a\n\nb\n", "a\nb\n\n"));
        // Numbers close per np.allclose, one per line.
        assert!(pass("0.3333333\n2", "0.33333334\n2.0"));
        assert!(!pass("0.333\n2", "0.335\n2"));
        // ...and what allclose refuses, rounding to 3 decimals takes.
        assert!(pass("0.3333\n2", "0.3334\n2"));
        // Line order, repeats and token order within a line are ignored (set of sets).
        assert!(pass("1 2\n3 4\n", "4 3\n2 1\n2 1\n"));
        // Numbers rounded to 3 decimals, inside the sets.
        assert!(pass("1.0001 2\n", "2.0 1.0"));
        assert!(!pass("1.001 2\n", "2.0 1.0"));
        // What none of the checks takes.
        assert!(!pass("YES\n", "yes\n"));
        assert!(!pass("1 2 3", "1 2"));
        let d = apps_differs("1\n2\n", "1\n5\n").unwrap();
        assert_eq!(d, "line 2: expected \"2\", got \"5\"");
    }

    /// Every recorded harness verdict on (`want`, `got`) pairs in `file`, which must be
    /// `n` long, is the one `differs` gives.
    fn agrees(file: &str, n: usize, differs: fn(&str, &str) -> Option<String>) {
        let path = format!("{}/tests/data/apps/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        let mut wrong = Vec::new();
        for line in text.lines() {
            let c: serde_json::Value = serde_json::from_str(line).unwrap();
            let (want, got) = (c["want"].as_str().unwrap(), c["got"].as_str().unwrap());
            if differs(want, got).is_none() != c["pass"].as_bool().unwrap() {
                wrong.push(format!(
                    "{want:?} vs {got:?}: the harness says {}",
                    c["pass"]
                ));
            }
        }
        assert_eq!(text.lines().count(), n);
        assert!(
            wrong.is_empty(),
            "{} of {n} differ:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }

    /// Verdicts of APPS's own `run_test` (its `testing_util.py`, run on a program that
    /// writes `got`, with `want` as the expected output) on every pair of 40 outputs.
    #[test]
    fn apps_agrees_with_its_harness_on_every_recorded_pair() {
        agrees("compare-oracle.jsonl", 1600, apps_differs);
    }

    /// Verdicts of TACO's `compare_std_results` on the stdout of a program writing `got`,
    /// captured as its harness captures it, on every pair of 48 outputs and 40 texts.
    #[test]
    fn taco_agrees_with_its_harness_on_every_recorded_pair() {
        agrees("taco-compare-oracle.jsonl", 1920, taco_differs);
        // Where the two harnesses part: TACO's stricter lines, its looser characters.
        assert!(apps_differs("2\n", "2.0\n").is_none() && taco_differs("2\n", "2.0\n").is_some());
        assert!(
            apps_differs("6\n3\n", "6 3\n").is_some() && taco_differs("6\n3\n", "6 3\n").is_none()
        );
        assert_eq!(
            taco_differs("1 2\n3 4\n", "1 2\n3 5\n").unwrap(),
            "line 2: expected \"3 4\", got \"3 5\""
        );
    }

    #[test]
    fn python_lines_and_floats() {
        assert_eq!(splitlines("a\r\nb\rc\n"), ["a", "b", "c"]);
        assert_eq!(splitlines("a\n\nb"), ["a", "", "b"]);
        assert_eq!(py_float(" 1_000.5 "), Some(1000.5));
        assert_eq!(py_float("1__0"), None);
        assert_eq!(py_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(round3(0.0625).map(f64::from_bits), Some(0.062));
        assert_eq!(round3(-0.0001), round3(0.0));
    }

    #[test]
    fn code_contests_compares_tokens_case_blind_and_numbers_within_1e_5() {
        let pass = |want: &str, got: &str| code_contests_differs(want, got).is_none();
        assert!(pass("YES\n", "yes"));
        assert!(pass("1 2\n3", "1\n2 3\n"));
        assert!(pass("0.5", "0.500009"));
        assert!(!pass("0.5", "0.50002"));
        assert!(pass("7", "+7"));
        assert!(pass("7", "7.0"));
        // Integers compare as doubles: beyond 2^53 neighbours are equal, as in the harness.
        assert!(pass("9007199254740993", "9007199254740992"));
        // Form feed is not a separator there.
        assert!(!pass("1 2", "1\x0c2"));
        // Equal text passes before numbers are read; NaN is close to nothing.
        assert!(pass("nan", "NaN "));
        assert!(!pass("nan 1", "nan 2"));
        assert!(!pass("1 nan", "1 nan0"));
        assert_eq!(
            code_contests_differs("1 2", "1 3").unwrap(),
            "token 2: expected \"2\", got \"3\""
        );
        assert_eq!(
            code_contests_differs("1 2", "1").unwrap(),
            "2 tokens expected, got 1"
        );
    }
}
