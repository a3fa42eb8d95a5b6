//! LiveCodeBench's comparison of a program's output with the expected one (its
//! `grade_stdio`): both are stripped and cut at `\n`, each line stripped; the line counts
//! must agree, and each line must be equal as text or, failing that, as a list of
//! `decimal.Decimal` tokens. Python's `Decimal` compares exactly (`Decimal("0.1")` is one
//! tenth, `1.50 == 1.5`, `-0 == 0`, `NaN` equals nothing), so the tokens are compared as
//! normalised decimal literals, never through floating point.

/// Python's `str.isspace()`: Unicode whitespace plus the four ASCII separators
/// (`\x1c`–`\x1f`) that Python counts and Rust does not.
pub(super) fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `text.strip()` then `split("\n")`, each line stripped, as LiveCodeBench reads outputs.
fn lines(text: &str) -> Vec<&str> {
    text.trim_matches(py_space)
        .split('\n')
        .map(|l| l.trim_matches(py_space))
        .collect()
}

/// A decimal number as Python's `Decimal` reads it, reduced so that equal numbers are
/// equal values.
#[derive(Debug, PartialEq)]
enum Number {
    /// `-Infinity` / `Infinity`: (negative).
    Infinite(bool),
    /// `NaN` / `sNaN`: equal to nothing, itself included.
    NaN,
    /// (negative, significant digits without leading or trailing zeros, exponent of the
    /// last digit); zero is `(false, "", 0)` whatever its sign.
    Finite(bool, String, i64),
}

/// Reads `token` as Python's `Decimal(token)` does (sign, digits with single underscores
/// between them, an optional point and exponent, `Inf`/`Infinity`/`NaN`/`sNaN` in any
/// case), or `None` where `Decimal` raises.
fn number(token: &str) -> Option<Number> {
    let (negative, body) = match token.as_bytes().first()? {
        b'-' => (true, &token[1..]),
        b'+' => (false, &token[1..]),
        _ => (false, token),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(Number::Infinite(negative));
    }
    for nan in ["nan", "snan"] {
        if let Some(payload) = lower.strip_prefix(nan)
            && payload.bytes().all(|b| b.is_ascii_digit())
        {
            return Some(Number::NaN);
        }
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let (sign, digits) = match e.as_bytes().first()? {
                b'-' => (-1, &e[1..]),
                b'+' => (1, &e[1..]),
                _ => (1, e),
            };
            let digits = digits_of(digits)?;
            if digits.is_empty() {
                return None;
            }
            let digits = digits.trim_start_matches('0');
            let value: i64 = if digits.is_empty() {
                0
            } else {
                // Exponents this large never occur in outputs; refusing them keeps the
                // arithmetic below exact.
                digits.parse().ok().filter(|v: &i64| *v < 1 << 50)?
            };
            sign * value
        }
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let (int, frac) = (digits_of(int)?, digits_of(frac)?);
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let all = format!("{int}{frac}");
    let exponent = exponent - frac.len() as i64;
    let significant = all.trim_start_matches('0');
    let trimmed = significant.trim_end_matches('0');
    if trimmed.is_empty() {
        return Some(Number::Finite(false, String::new(), 0));
    }
    let dropped = (significant.len() - trimmed.len()) as i64;
    Some(Number::Finite(
        negative,
        trimmed.to_string(),
        exponent + dropped,
    ))
}

/// The ASCII digits of `s` with its underscores removed, where every underscore sits
/// between two digits (Python's rule for numeric literals); `None` otherwise.
fn digits_of(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => out.push(c as char),
            b'_' if i > 0
                && i + 1 < b.len()
                && b[i - 1].is_ascii_digit()
                && b[i + 1].is_ascii_digit() => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Two tokens equal as `Decimal`s (never through floating point).
fn same_number(a: &str, b: &str) -> bool {
    match (number(a), number(b)) {
        (Some(Number::NaN), _) | (_, Some(Number::NaN)) => false,
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The first line where `got` differs from `want` under LiveCodeBench's rule, described.
pub fn differs(want: &str, got: &str) -> Option<String> {
    let (w, g) = (lines(want), lines(got));
    if w.len() != g.len() {
        return Some(format!(
            "expected {} lines, got {} (mismatched output length)",
            w.len(),
            g.len()
        ));
    }
    let at = w.iter().zip(&g).position(|(a, b)| {
        if a == b {
            return false;
        }
        let (at, bt): (Vec<&str>, Vec<&str>) = (
            a.split(py_space).filter(|t| !t.is_empty()).collect(),
            b.split(py_space).filter(|t| !t.is_empty()).collect(),
        );
        at.len() != bt.len() || at.iter().zip(&bt).any(|(x, y)| !same_number(x, y))
    })?;
    Some(format!(
        "line {}: expected {}, got {}",
        at + 1,
        super::show(Some(w[at])),
        super::show(Some(g[at]))
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_stripped_and_counted_as_livecodebench_does() {
        assert_eq!(differs("1 2\n3\n", "  1 2  \r\n3"), None);
        assert_eq!(differs("a\n\nb", "a\n\nb\n\n"), None);
        let e = differs("a\n\nb", "a\nb").unwrap();
        assert!(e.contains("expected 3 lines, got 2"), "{e}");
        // Spacing inside a line matters unless every token is a number.
        assert!(differs("a b", "a  b").is_some());
        assert_eq!(differs("1 2", "1   2"), None);
        assert_eq!(
            differs("Yes", "yes").unwrap(),
            "line 1: expected \"Yes\", got \"yes\""
        );
    }

    #[test]
    fn numbers_compare_as_exact_decimals() {
        for (a, b) in [
            ("1.50", "1.5"),
            ("1e3", "1000"),
            ("0.0", "-0"),
            ("+7", "7"),
            ("1_000", "1000"),
            ("12345678901234567890.5", "1234567890123456789050e-2"),
            (".5", "0.5"),
            ("5.", "5"),
            ("Infinity", "inf"),
        ] {
            assert!(same_number(a, b), "{a} == {b}");
        }
        for (a, b) in [
            // No float rounding: 2^53 + 1 is not 2^53.
            ("9007199254740993", "9007199254740992"),
            ("0.1", "0.10000000000000001"),
            ("NaN", "NaN"),
            ("1", "1.0000001"),
            ("-inf", "inf"),
            ("1__0", "10"),
            ("_1", "1"),
            ("1e", "1"),
            ("0x10", "16"),
            ("", "0"),
        ] {
            assert!(!same_number(a, b), "{a} != {b}");
        }
        assert_eq!(differs("3.000000000", "3"), None);
        assert!(differs("3.0 x", "3 x").is_some(), "a word makes it text");
    }
}
