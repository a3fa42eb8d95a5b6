//! JSON text as the Python literal `json.loads` would return, written out on the host: the
//! functional driver then holds every argument and expected value as compiled constants,
//! decoded before the answer runs, so an answer that swaps `sys.modules["json"]` (or
//! anything else the driver could import) cannot change what it is compared with.
//! Numbers keep their JSON text, which Python reads as the same int (any size) or float.

/// The Python literal of the JSON value in `text` (surrounding whitespace allowed, as
/// `json.loads` allows it).
pub fn to_python(text: &str) -> Result<String, String> {
    let mut p = Parser { s: text, at: 0 };
    let mut out = String::with_capacity(text.len() + 8);
    p.space();
    p.value(&mut out, 0)?;
    p.space();
    if p.at != p.s.len() {
        return Err(format!("extra data after the JSON value at byte {}", p.at));
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.at..]
    }

    fn space(&mut self) {
        let r = self.rest();
        self.at += r.len() - r.trim_start_matches([' ', '\t', '\n', '\r']).len();
    }

    fn eat(&mut self, c: char) -> bool {
        if self.rest().starts_with(c) {
            self.at += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn value(&mut self, out: &mut String, depth: usize) -> Result<(), String> {
        if depth > 500 {
            return Err("nested too deeply".into());
        }
        let r = self.rest();
        for (word, python) in [
            ("true", "True"),
            ("false", "False"),
            ("null", "None"),
            ("NaN", "float('nan')"),
            ("Infinity", "float('inf')"),
            ("-Infinity", "float('-inf')"),
        ] {
            if r.starts_with(word) {
                self.at += word.len();
                out.push_str(python);
                return Ok(());
            }
        }
        match r.chars().next() {
            Some('[') => self.items(out, '[', ']', depth, false),
            Some('{') => self.items(out, '{', '}', depth, true),
            Some('"') => {
                let s = self.string()?;
                out.push_str(&super::super::py_str(&s));
                Ok(())
            }
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(out),
            _ => Err(format!("not a JSON value at byte {}", self.at)),
        }
    }

    fn items(
        &mut self,
        out: &mut String,
        open: char,
        close: char,
        depth: usize,
        object: bool,
    ) -> Result<(), String> {
        self.eat(open);
        out.push(open);
        self.space();
        if self.eat(close) {
            out.push(close);
            return Ok(());
        }
        loop {
            self.space();
            if object {
                if !self.rest().starts_with('"') {
                    return Err(format!(
                        "an object key must be a string at byte {}",
                        self.at
                    ));
                }
                let k = self.string()?;
                out.push_str(&super::super::py_str(&k));
                self.space();
                if !self.eat(':') {
                    return Err(format!("expected `:` at byte {}", self.at));
                }
                out.push_str(": ");
                self.space();
            }
            self.value(out, depth + 1)?;
            self.space();
            if self.eat(close) {
                out.push(close);
                return Ok(());
            }
            if !self.eat(',') {
                return Err(format!("expected `,` or `{close}` at byte {}", self.at));
            }
            out.push_str(", ");
        }
    }

    /// A string token, decoded by serde_json (escapes and surrogate pairs as JSON defines
    /// them).
    fn string(&mut self) -> Result<String, String> {
        let r = self.rest();
        let bytes = r.as_bytes();
        let mut i = 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    let token = &r[..=i];
                    self.at += i + 1;
                    return serde_json::from_str(token)
                        .map_err(|e| format!("a string Python could read but passk cannot ({e})"));
                }
                _ => i += 1,
            }
        }
        Err("an unterminated string".into())
    }

    fn number(&mut self, out: &mut String) -> Result<(), String> {
        let r = self.rest();
        let end = r
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(r.len());
        let token = &r[..end];
        // JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
        let valid = {
            let t = token.strip_prefix('-').unwrap_or(token);
            let (mantissa, exp) = match t.find(['e', 'E']) {
                Some(at) => (&t[..at], Some(&t[at + 1..])),
                None => (t, None),
            };
            let (int, frac) = match mantissa.split_once('.') {
                Some((i, f)) => (i, Some(f)),
                None => (mantissa, None),
            };
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            digits(int)
                && (int == "0" || !int.starts_with('0'))
                && frac.is_none_or(digits)
                && exp.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
        };
        if !valid {
            return Err(format!("`{token}` is not a JSON number"));
        }
        self.at += end;
        out.push_str(token);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_the_literals_json_loads_returns() {
        assert_eq!(
            to_python(" [1, -2.5e3, true, null, \"a\\\"b\\u00e9\\ud83d\\ude00\"] ").unwrap(),
            "[1, -2.5e3, True, None, \"a\\\"b\u{e9}\u{1f600}\"]"
        );
        assert_eq!(
            to_python("{\"k\": [[]], \"n\": 123456789012345678901234567890}").unwrap(),
            "{\"k\": [[]], \"n\": 123456789012345678901234567890}"
        );
        assert_eq!(to_python("NaN").unwrap(), "float('nan')");
        for bad in ["[1,", "01", "1.", "tru", "[1] 2", "{1: 2}", "\"\\ud800\""] {
            assert!(to_python(bad).is_err(), "{bad}");
        }
    }
}
