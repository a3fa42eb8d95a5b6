//! Reading a value back from a literal written in a language — what a prediction task's
//! answer is judged by, on the host, without running the model's text as code. The parse is
//! directed by the expected [`Type`]: a `list<int>` is looked for in `vec![1, 2]`,
//! `new java.util.ArrayList<Long>(java.util.Arrays.asList(1L, 2L))`, `[]int64{1, 2}`,
//! `{1, 2}` or `[1, 2]` alike, so each language's constructors, casts, suffixes and
//! conversions (`String::from`, `.to_string()`, `1LL`, `(long)`) are looked through while
//! only data is accepted: a call of anything but a constructor, an operator or a name is
//! not a literal.

use serde_json::{Map, Number, Value};

use super::Language;
use super::types::Type;

/// The value `text` writes in `language`, read as a `ty`. A name in `forbid` (the function
/// whose result is asked for) refuses the answer wherever it appears.
pub fn parse(
    language: Language,
    ty: &Type,
    text: &str,
    forbid: &[String],
) -> Result<Value, String> {
    let tokens = lex(language, text)?;
    if let Some(name) = tokens.iter().find_map(|t| match t {
        Tok::Ident(w) if forbid.contains(w) => Some(w),
        _ => None,
    }) {
        return Err(format!(
            "the answer calls `{name}` instead of giving its value"
        ));
    }
    let mut p = Parser {
        toks: &tokens,
        at: 0,
        language,
    };
    let v = p.value(ty)?;
    while p.eat(";") {}
    match p.peek() {
        None => Ok(v),
        Some(t) => Err(format!("unexpected `{}` after the {ty} literal", t.text())),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    /// A number as written, `_` separators and type suffixes removed.
    Num(String),
    Ident(String),
    Punct(&'static str),
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Str(s) => format!("{s:?}"),
            Tok::Num(n) | Tok::Ident(n) => n.clone(),
            Tok::Punct(p) => p.to_string(),
        }
    }
}

const PUNCTS: [&str; 22] = [
    "::", "=>", "->", "==", "[", "]", "{", "}", "(", ")", ",", ":", ";", "=", ".", "<", ">", "!",
    "&", "*", "-", "?",
];

/// Number suffixes the languages write (`1i64`, `1LL`, `1.5f`, `2m`).
const SUFFIXES: [&str; 26] = [
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "f32",
    "f64", "LL", "ll", "ULL", "ull", "UL", "ul", "L", "l", "U", "u", "f", "F",
];

/// Languages whose single-quoted text is a string (elsewhere it is a character).
fn single_quoted_strings(l: Language) -> bool {
    use Language::*;
    matches!(l, Python | JavaScript | TypeScript | Ruby | Php | Lua)
}

fn lex(language: Language, text: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // Raw strings: Rust r"…" / r#"…"#, Python r'…', C# @"…", Go and JS backticks.
        if (c == 'r' || c == 'R')
            && matches!(chars.get(i + 1), Some('"' | '\'' | '#'))
            && let Some((s, next)) = raw_string(&chars, i + 1)
        {
            out.push(Tok::Str(s));
            i = next;
            continue;
        }
        if c == '@' && chars.get(i + 1) == Some(&'"') {
            let (s, next) = verbatim(&chars, i + 2)?;
            out.push(Tok::Str(s));
            i = next;
            continue;
        }
        if c == '`' {
            let end = chars[i + 1..]
                .iter()
                .position(|&x| x == '`')
                .ok_or("an unterminated `…` string")?;
            let s: String = chars[i + 1..i + 1 + end].iter().collect();
            if language != Language::Go && s.contains("${") {
                return Err("a template string computes its text".into());
            }
            out.push(Tok::Str(s));
            i += end + 2;
            continue;
        }
        if c == '"' || (c == '\'' && single_quoted_strings(language)) {
            let (s, next) = quoted(language, &chars, i)?;
            out.push(Tok::Str(s));
            i = next;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                // `1.5e-3`: the exponent's sign belongs to the number.
                if matches!(chars[i], 'e' | 'E')
                    && !text_is_hex(&chars[start..i])
                    && matches!(chars.get(i + 1), Some('+' | '-'))
                {
                    i += 1;
                }
                i += 1;
            }
            let raw: String = chars[start..i].iter().collect();
            out.push(Tok::Num(number_text(&raw)?));
            continue;
        }
        if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        match PUNCTS.iter().find(|p| rest.starts_with(**p)) {
            Some(p) => {
                out.push(Tok::Punct(p));
                i += p.len();
            }
            None => return Err(format!("`{c}` is not part of a literal")),
        }
    }
    Ok(out)
}

fn text_is_hex(chars: &[char]) -> bool {
    chars.len() > 1 && chars[0] == '0' && matches!(chars[1], 'x' | 'X')
}

/// `1_000i64` → `1000`, `0x1F` → `31`, `2.5f` → `2.5`; anything else is not a number.
fn number_text(raw: &str) -> Result<String, String> {
    let plain: String = raw.chars().filter(|&c| c != '_').collect();
    if let Some(hex) = plain
        .strip_prefix("0x")
        .or_else(|| plain.strip_prefix("0X"))
    {
        let digits = SUFFIXES
            .iter()
            .filter(|s| !s.chars().all(|c| c.is_ascii_hexdigit()))
            .find_map(|s| hex.strip_suffix(s))
            .unwrap_or(hex);
        return i64::from_str_radix(digits, 16)
            .map(|n| n.to_string())
            .map_err(|_| format!("`{raw}` is not a number"));
    }
    let is_number = |s: &str| !s.is_empty() && s.parse::<f64>().is_ok() && !s.contains(['i', 'n']);
    if is_number(&plain) {
        return Ok(plain);
    }
    // C#'s decimal and Java's double suffixes, then the rest.
    for s in SUFFIXES.iter().chain(&["d", "D", "m", "M"]) {
        if let Some(n) = plain.strip_suffix(s)
            && is_number(n)
        {
            return Ok(n.to_string());
        }
    }
    Err(format!("`{raw}` is not a number"))
}

/// A quoted string from `chars[at]` (its quote), with the language's escapes.
fn quoted(language: Language, chars: &[char], at: usize) -> Result<(String, usize), String> {
    let quote = chars[at];
    // Ruby's and PHP's single quotes know only \\ and \'.
    let plain = quote == '\'' && matches!(language, Language::Ruby | Language::Php);
    let mut bytes: Vec<u8> = Vec::new();
    let push = |bytes: &mut Vec<u8>, c: char| {
        let mut buf = [0; 4];
        bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    };
    let mut i = at + 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("an unterminated string".into());
        };
        i += 1;
        if c == quote {
            break;
        }
        if c != '\\' {
            push(&mut bytes, c);
            continue;
        }
        let Some(&e) = chars.get(i) else {
            return Err("an unterminated string".into());
        };
        i += 1;
        if plain {
            if e != '\\' && e != '\'' {
                bytes.push(b'\\');
            }
            push(&mut bytes, e);
            continue;
        }
        match e {
            'n' => bytes.push(b'\n'),
            't' => bytes.push(b'\t'),
            'r' => bytes.push(b'\r'),
            'a' => bytes.push(7),
            'b' => bytes.push(8),
            'f' => bytes.push(12),
            'v' => bytes.push(11),
            'e' => bytes.push(27),
            'x' => {
                let hex: String = chars[i..].iter().take(2).collect();
                let b = u8::from_str_radix(&hex, 16).map_err(|_| "a bad \\x escape")?;
                bytes.push(b);
                i += 2;
            }
            'u' | 'U' if chars.get(i) == Some(&'{') => {
                let end = chars[i..]
                    .iter()
                    .position(|&x| x == '}')
                    .ok_or("a bad \\u{…}")?;
                let hex: String = chars[i + 1..i + end].iter().collect();
                let c = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or("a bad \\u{…}")?;
                push(&mut bytes, c);
                i += end + 1;
            }
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let hex: String = chars[i..].iter().take(n).collect();
                let mut code = u32::from_str_radix(&hex, 16).map_err(|_| "a bad \\u escape")?;
                i += n;
                // A UTF-16 surrogate pair (JavaScript, Java, C#, JSON).
                if (0xD800..0xDC00).contains(&code)
                    && chars.get(i) == Some(&'\\')
                    && chars.get(i + 1) == Some(&'u')
                {
                    let low: String = chars[i + 2..].iter().take(4).collect();
                    if let Ok(low) = u32::from_str_radix(&low, 16) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                        i += 6;
                    }
                }
                push(&mut bytes, char::from_u32(code).ok_or("a bad \\u escape")?);
            }
            // Lua writes bytes in decimal (\ddd), the C family in octal (\ooo).
            d if d.is_ascii_digit() => {
                let (radix, max) = if language == Language::Lua {
                    (10, 3)
                } else {
                    (8, 3)
                };
                let digits: String = std::iter::once(d)
                    .chain(chars[i..].iter().copied())
                    .take(max)
                    .take_while(|c| c.is_digit(radix))
                    .collect();
                i += digits.len() - 1;
                let b = u32::from_str_radix(&digits, radix).map_err(|_| "a bad escape")?;
                bytes.push(u8::try_from(b).map_err(|_| "a byte escape above 255")?);
            }
            other => push(&mut bytes, other),
        }
    }
    let s = String::from_utf8(bytes).map_err(|_| "a string that is not UTF-8".to_string())?;
    Ok((s, i))
}

/// Rust's `r"…"` / `r#"…"#` and Python's `r'…'` from the character after the `r`.
fn raw_string(chars: &[char], at: usize) -> Option<(String, usize)> {
    let hashes = chars[at..].iter().take_while(|&&c| c == '#').count();
    let quote = *chars.get(at + hashes)?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let start = at + hashes + 1;
    let mut i = start;
    while i < chars.len() {
        if chars[i] == quote
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return Some((chars[start..i].iter().collect(), i + 1 + hashes));
        }
        i += 1;
    }
    None
}

/// C#'s `@"…"`, where `""` is a quote.
fn verbatim(chars: &[char], mut i: usize) -> Result<(String, usize), String> {
    let mut s = String::new();
    loop {
        match (chars.get(i), chars.get(i + 1)) {
            (Some('"'), Some('"')) => {
                s.push('"');
                i += 2;
            }
            (Some('"'), _) => return Ok((s, i + 1)),
            (Some(&c), _) => {
                s.push(c);
                i += 1;
            }
            (None, _) => return Err("an unterminated string".into()),
        }
    }
}

/// Words that mean "no value".
const NULLS: [&str; 7] = [
    "None",
    "null",
    "nil",
    "nullptr",
    "NULL",
    "nullopt",
    "undefined",
];

/// Names that only restate a type or a conversion (looked through around a value).
struct Parser<'a> {
    toks: &'a [Tok],
    at: usize,
    language: Language,
}

type Parsed<T> = Result<T, String>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.at + n)
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }

    fn eat(&mut self, p: &str) -> bool {
        let yes = self.is(p);
        if yes {
            self.at += 1;
        }
        yes
    }

    fn expect(&mut self, p: &str) -> Parsed<()> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(match self.peek() {
                Some(t) => format!("expected `{p}`, found `{}`", t.text()),
                None => format!("expected `{p}` at the end"),
            })
        }
    }

    /// Runs `f`; on failure the position is restored.
    fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> Parsed<T>) -> Parsed<T> {
        let at = self.at;
        let r = f(self);
        if r.is_err() {
            self.at = at;
        }
        r
    }

    fn value(&mut self, ty: &Type) -> Parsed<Value> {
        let v = self.wrapped(ty)?;
        self.postfix();
        Ok(v)
    }

    /// A value, bare or inside what only restates it: a cast `(long)`, a constructor or a
    /// conversion `String::from(…)`, `Some(…)`, `std::optional<T>(…)`, parentheses.
    fn wrapped(&mut self, ty: &Type) -> Parsed<Value> {
        let bare = self.attempt(|p| p.bare(ty));
        let Err(why) = bare else { return bare };
        // `(…)` around the value, or a cast before it.
        if self.is("(") {
            if let Ok(v) = self.attempt(|p| {
                p.expect("(")?;
                let v = p.value(ty)?;
                p.expect(")")?;
                Ok(v)
            }) {
                return Ok(v);
            }
            if let Ok(v) = self.attempt(|p| {
                p.expect("(")?;
                p.type_prefix()?;
                p.expect(")")?;
                p.value(ty)
            }) {
                return Ok(v);
            }
        }
        let inner = self.attempt(|p| {
            p.type_prefix()?;
            if p.is("(") {
                p.expect("(")?;
                let v = p.value(ty)?;
                p.expect(")")?;
                Ok(v)
            } else {
                p.bare(ty)
            }
        });
        inner.map_err(|_| why)
    }

    /// Skips a type or a constructor's path: `new`, names joined by `::` or `.`, generic
    /// arguments `<…>`, `[]`, a macro's `!`, `&`, `*`, Go's `interface{}`. At least one
    /// token.
    fn type_prefix(&mut self) -> Parsed<()> {
        let start = self.at;
        loop {
            match self.peek() {
                Some(Tok::Ident(w)) if !NULLS.contains(&w.as_str()) && !is_bool_word(w) => {
                    let word = w.clone();
                    self.at += 1;
                    if (word == "interface" || word == "struct")
                        && self.is("{")
                        && matches!(self.peek_at(1), Some(Tok::Punct("}")))
                    {
                        self.at += 2;
                    }
                }
                Some(Tok::Punct("::" | "." | "!" | "&" | "*" | "?")) => self.at += 1,
                Some(Tok::Punct("[")) if matches!(self.peek_at(1), Some(Tok::Punct("]"))) => {
                    self.at += 2
                }
                // Go's `map[string]int{…}`: the key type in brackets.
                Some(Tok::Punct("[")) if matches!(self.toks.get(self.at.wrapping_sub(1)), Some(Tok::Ident(w)) if w == "map") =>
                {
                    self.at += 1;
                    self.type_prefix()?;
                    self.expect("]")?;
                }
                Some(Tok::Punct("<")) if self.at > start => self.generics()?,
                _ => break,
            }
        }
        if self.at == start {
            return Err("no type here".into());
        }
        // What is called must only build or convert a value (`Vec::from`, `Some`,
        // `new T(…)`); `sorted(…)`, `abs(…)` compute.
        if self.is("(") {
            let callee = self.toks[start..self.at]
                .iter()
                .rev()
                .find_map(|t| match t {
                    Tok::Ident(w) => Some(w.as_str()),
                    _ => None,
                });
            let after_new = self.toks[start..self.at]
                .iter()
                .any(|t| matches!(t, Tok::Ident(w) if w == "new"));
            match callee {
                Some(c) if after_new || CONSTRUCTORS.contains(&c) => {}
                Some(c) => return Err(format!("`{c}(…)` computes a value; write the value")),
                None => return Err("no type here".into()),
            }
        }
        Ok(())
    }

    /// `<…>`, balanced.
    fn generics(&mut self) -> Parsed<()> {
        let mut depth = 0;
        loop {
            match self.peek() {
                Some(Tok::Punct("<")) => depth += 1,
                Some(Tok::Punct(">")) => depth -= 1,
                Some(Tok::Punct("(" | ")" | "{" | "}" | ";")) | None => {
                    return Err("unbalanced `<`".into());
                }
                _ => {}
            }
            self.at += 1;
            if depth == 0 {
                return Ok(());
            }
        }
    }

    /// Conversions after a value: `.to_string()`, `.into()`, `.to_vec()`, `as i64`.
    fn postfix(&mut self) {
        loop {
            let at = self.at;
            if self.eat(".")
                && matches!(self.peek(), Some(Tok::Ident(w)) if CONVERSIONS.contains(&w.as_str()))
            {
                self.at += 1;
                if self.eat("(") && self.eat(")") {
                    continue;
                }
            }
            self.at = at;
            if matches!(self.peek(), Some(Tok::Ident(w)) if w == "as")
                && matches!(self.peek_at(1), Some(Tok::Ident(_)))
            {
                self.at += 2;
                continue;
            }
            return;
        }
    }

    fn bare(&mut self, ty: &Type) -> Parsed<Value> {
        match ty {
            Type::Optional(inner) => {
                if self.attempt(|p| p.null()).is_ok() {
                    return Ok(Value::Null);
                }
                self.value(inner)
            }
            Type::Int => self.int().map(Value::from),
            Type::Float => self.float(),
            Type::Bool => self.bool().map(Value::Bool),
            Type::Str => match self.peek() {
                Some(Tok::Str(s)) => {
                    let s = s.clone();
                    self.at += 1;
                    Ok(Value::String(s))
                }
                _ => Err(self.found("a string")),
            },
            Type::List(e) => self.container(|p, _| p.value(e)).map(Value::Array),
            Type::Tuple(ts) => {
                let items = self.container(|p, i| match ts.get(i) {
                    Some(t) => {
                        p.field_name();
                        p.value(t)
                    }
                    None => Err(format!("more than {} tuple items", ts.len())),
                })?;
                if items.len() != ts.len() {
                    return Err(format!("{} tuple items, not {}", items.len(), ts.len()));
                }
                Ok(Value::Array(items))
            }
            Type::Map(k, v) => self.map(k, v),
        }
    }

    fn found(&self, want: &str) -> String {
        match self.peek() {
            Some(t) => format!("expected {want}, found `{}`", t.text()),
            None => format!("expected {want} at the end"),
        }
    }

    /// `None`, `null`, `std::nullopt`, `java.util.Optional.empty()`, `(int?)null`.
    fn null(&mut self) -> Parsed<()> {
        let mut last = None;
        while let Some(Tok::Ident(w)) = self.peek() {
            last = Some(w.clone());
            self.at += 1;
            if !(self.eat("::") || self.eat(".")) {
                break;
            }
        }
        match last.as_deref() {
            Some(w) if NULLS.contains(&w) => Ok(()),
            Some("empty") if self.eat("(") && self.eat(")") => Ok(()),
            _ => Err("not an absent value".into()),
        }
    }

    fn sign(&mut self) -> &'static str {
        if self.eat("-") { "-" } else { "" }
    }

    fn int(&mut self) -> Parsed<i64> {
        let sign = self.sign();
        match self.peek() {
            Some(Tok::Num(n)) => {
                let n = format!("{sign}{n}");
                self.at += 1;
                n.parse::<i64>()
                    .map_err(|_| format!("`{n}` is not an integer"))
            }
            _ => Err(self.found("an integer")),
        }
    }

    fn float(&mut self) -> Parsed<Value> {
        let sign = self.sign();
        match self.peek() {
            Some(Tok::Num(n)) => {
                let text = format!("{sign}{n}");
                self.at += 1;
                let f: f64 = text
                    .parse()
                    .map_err(|_| format!("`{text}` is not a number"))?;
                Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| format!("`{text}` is not a finite number"))
            }
            _ => Err(self.found("a number")),
        }
    }

    fn bool(&mut self) -> Parsed<bool> {
        let c_like = matches!(self.language, Language::C | Language::Cpp);
        let b = match self.peek() {
            Some(Tok::Ident(w)) if is_bool_word(w) => w.eq_ignore_ascii_case("true"),
            Some(Tok::Num(n)) if c_like && (n == "0" || n == "1") => n == "1",
            _ => return Err(self.found("a boolean")),
        };
        self.at += 1;
        Ok(b)
    }

    /// An opening bracket after an optional type (`[`, `{`, and `(` when `parens`): the
    /// bracket that closes it.
    fn open(&mut self, parens: bool, what: &str) -> Parsed<&'static str> {
        let _ = self.attempt(|p| p.type_prefix());
        let close = match self.peek() {
            Some(Tok::Punct("[")) => "]",
            Some(Tok::Punct("{")) => "}",
            Some(Tok::Punct("(")) if parens => ")",
            _ => return Err(self.found(what)),
        };
        self.at += 1;
        Ok(close)
    }

    /// Items between brackets (`[…]`, `{…}`, `(…)`), after an optional type; the
    /// brackets may hold the container itself again (`HashMap::from([…])`,
    /// `new ArrayList<>(Arrays.asList(…))`).
    fn container(
        &mut self,
        mut item: impl FnMut(&mut Self, usize) -> Parsed<Value>,
    ) -> Parsed<Vec<Value>> {
        let close = self.open(true, "a list")?;
        let mut items = Vec::new();
        while !self.eat(close) {
            items.push(item(self, items.len())?);
            if !(self.eat(",") || (self.language == Language::Lua && self.eat(";"))) {
                self.expect(close)?;
                break;
            }
        }
        Ok(items)
    }

    /// Go's keyed struct fields and C#'s named tuple items: `A: 1`, `Item1: 1`.
    fn field_name(&mut self) {
        if matches!(self.peek(), Some(Tok::Ident(w)) if !is_bool_word(w) && !NULLS.contains(&w.as_str()))
            && matches!(self.peek_at(1), Some(Tok::Punct(":")))
        {
            self.at += 2;
        }
    }

    fn map(&mut self, k: &Type, v: &Type) -> Parsed<Value> {
        let flat = self.attempt(|p| p.map_in(k, v, false));
        let Err(why) = flat else { return flat };
        // A list of pairs inside the constructor's parentheses (Rust, JavaScript's Map).
        self.attempt(|p| {
            let _ = p.attempt(|p| p.type_prefix());
            p.expect("(")?;
            let m = p.map_in(k, v, true)?;
            p.expect(")")?;
            Ok(m)
        })
        .map_err(|_| why)
    }

    /// The entries of a map between brackets; `pairs_only` when each must be a group.
    fn map_in(&mut self, k: &Type, v: &Type, pairs_only: bool) -> Parsed<Value> {
        let close = self.open(!pairs_only, "a map")?;
        let mut m = Map::new();
        while !self.eat(close) {
            let (key, value) = self
                .attempt(|p| p.pair(k, v))
                .or_else(|e| {
                    if pairs_only {
                        return Err(e);
                    }
                    self.attempt(|p| p.keyed(k, v))
                })
                .or_else(|e| {
                    // Java's Map.of(k1, v1, k2, v2).
                    if close != ")" || pairs_only {
                        return Err(e);
                    }
                    self.attempt(|p| {
                        let key = p.key(k)?;
                        p.expect(",")?;
                        Ok((key, p.value(v)?))
                    })
                })?;
            m.insert(key, value);
            if !(self.eat(",") || (self.language == Language::Lua && self.eat(";"))) {
                self.expect(close)?;
                break;
            }
        }
        Ok(Value::Object(m))
    }

    /// An entry as a group: `(k, v)`, `{k, v}`, `[k, v]`, `Map.entry(k, v)`.
    fn pair(&mut self, k: &Type, v: &Type) -> Parsed<(String, Value)> {
        let close = self.open(true, "an entry")?;
        let key = self.key(k)?;
        self.expect(",")?;
        let value = self.value(v)?;
        let _ = self.eat(",");
        self.expect(close)?;
        Ok((key, value))
    }

    /// `k: v`, `k => v`, `k = v`, `[k] = v` (Lua, C#), `name: v` (a bare name as a
    /// string key: JavaScript, Ruby's symbols, Lua).
    fn keyed(&mut self, k: &Type, v: &Type) -> Parsed<(String, Value)> {
        let key = if self.eat("[") {
            let key = self.key(k)?;
            self.expect("]")?;
            key
        } else if *k == Type::Str
            && let Some(Tok::Ident(w)) = self.peek()
            && matches!(self.peek_at(1), Some(Tok::Punct(":" | "=")))
        {
            let w = w.clone();
            self.at += 1;
            w
        } else {
            // Ruby's `:name => v`.
            if *k == Type::Str && self.is(":") && matches!(self.peek_at(1), Some(Tok::Ident(_))) {
                self.at += 1;
                let Some(Tok::Ident(w)) = self.peek().cloned() else {
                    unreachable!("checked above")
                };
                self.at += 1;
                w
            } else {
                self.key(k)?
            }
        };
        if !(self.eat(":") || self.eat("=>") || self.eat("=")) {
            return Err(self.found("`:` or `=>` after a key"));
        }
        Ok((key, self.value(v)?))
    }

    /// A map key as JSON writes it (a string; an int key's decimal digits).
    fn key(&mut self, k: &Type) -> Parsed<String> {
        match k {
            Type::Int => {
                if let Some(Tok::Str(s)) = self.peek()
                    && let Ok(n) = s.parse::<i64>()
                {
                    self.at += 1;
                    return Ok(n.to_string());
                }
                match self.value(k)? {
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(format!("{other} is not an int key")),
                }
            }
            _ => match self.value(k)? {
                Value::String(s) => Ok(s),
                other => Err(format!("{other} is not a string key")),
            },
        }
    }
}

fn is_bool_word(w: &str) -> bool {
    w.eq_ignore_ascii_case("true") || w.eq_ignore_ascii_case("false")
}

/// Callees that only build or convert a value.
const CONSTRUCTORS: [&str; 43] = [
    "from",
    "new",
    "of",
    "with",
    "asList",
    "valueOf",
    "ofEntries",
    "entry",
    "fromEntries",
    "make_optional",
    "make_tuple",
    "make_pair",
    "tuple",
    "pair",
    "array",
    "list",
    "dict",
    "vec",
    "int",
    "long",
    "float",
    "double",
    "str",
    "string",
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "Some",
    "optional",
    "vector",
    "Optional",
    "String",
    "Create",
    "__passkPtr",
];

/// Methods that convert a value to its owned or typed form without changing it.
const CONVERSIONS: [&str; 6] = ["to_string", "to_owned", "into", "to_vec", "String", "clone"];

#[cfg(test)]
mod tests {
    use super::*;
    use Language::*;
    use serde_json::json;

    fn read(l: Language, ty: &str, text: &str) -> Result<Value, String> {
        parse(l, &Type::parse(ty).unwrap(), text, &["f".to_string()])
    }

    #[test]
    fn each_languages_constructors_are_looked_through() {
        let cases: &[(Language, &str, &str, Value)] = &[
            (
                Rust,
                "list<int>",
                "vec![1i64, -2, 3_000]",
                json!([1, -2, 3000]),
            ),
            (Rust, "str", "String::from(\"a\\u{e9}\")", json!("aé")),
            (Rust, "str", "\"x\".to_string()", json!("x")),
            (Rust, "optional<int>", "Some(4)", json!(4)),
            (Rust, "tuple<int,str>", "(1, \"a\".into())", json!([1, "a"])),
            (
                Rust,
                "map<str,int>",
                "HashMap::<String, i64>::from([(String::from(\"a\"), 1i64)])",
                json!({"a": 1}),
            ),
            (
                Java,
                "list<int>",
                "new java.util.ArrayList<Long>(java.util.Arrays.asList(1L, 2L))",
                json!([1, 2]),
            ),
            (
                Java,
                "map<str,int>",
                "Map.of(\"a\", 1, \"b\", 2)",
                json!({"a": 1, "b": 2}),
            ),
            (
                Java,
                "optional<int>",
                "java.util.Optional.empty()",
                Value::Null,
            ),
            (
                Java,
                "tuple<int,str>",
                "org.javatuples.Pair.with(1L, \"a\")",
                json!([1, "a"]),
            ),
            (Go, "list<int>", "[]int64{1, 2}", json!([1, 2])),
            (
                Go,
                "map<str,int>",
                "map[string]int64{\"a\": 1}",
                json!({"a": 1}),
            ),
            (
                Go,
                "tuple<int,str>",
                "[]interface{}{int64(1), \"a\"}",
                json!([1, "a"]),
            ),
            (
                Cpp,
                "list<float>",
                "std::vector<double>{1.5, 2}",
                json!([1.5, 2.0]),
            ),
            (Cpp, "map<str,int>", "{{\"a\", 1LL}}", json!({"a": 1})),
            (Cpp, "optional<int>", "std::nullopt", Value::Null),
            (Cpp, "bool", "1", json!(true)),
            (
                CSharp,
                "list<int>",
                "new List<long> { 1L, 2L }",
                json!([1, 2]),
            ),
            (
                CSharp,
                "map<str,int>",
                "new Dictionary<string, long> { { \"a\", 1 } }",
                json!({"a": 1}),
            ),
            (
                CSharp,
                "map<str,int>",
                "new Dictionary<string, long> { [\"a\"] = 1 }",
                json!({"a": 1}),
            ),
            (CSharp, "optional<int>", "(long?)null", Value::Null),
            (CSharp, "str", "@\"a\"\"b\"", json!("a\"b")),
            (Python, "tuple<int,bool>", "(1, True)", json!([1, true])),
            (Python, "str", "'it\\'s'", json!("it's")),
            (Python, "map<int,str>", "{1: 'a'}", json!({"1": "a"})),
            (
                JavaScript,
                "map<str,int>",
                "{a: 1, \"b c\": 2}",
                json!({"a": 1, "b c": 2}),
            ),
            (
                JavaScript,
                "map<str,int>",
                "new Map([[\"a\", 1]])",
                json!({"a": 1}),
            ),
            (
                Ruby,
                "map<str,int>",
                "{\"a\" => 1, b: 2}",
                json!({"a": 1, "b": 2}),
            ),
            (Ruby, "str", "'a\\n'", json!("a\\n")),
            (Php, "map<str,int>", "[\"a\" => 1]", json!({"a": 1})),
            (Php, "list<str>", "array('a', 'b')", json!(["a", "b"])),
            (
                Lua,
                "map<str,int>",
                "{a = 1, [\"b\"] = 2}",
                json!({"a": 1, "b": 2}),
            ),
            (Lua, "str", "\"\\195\\169\"", json!("é")),
            (C, "str", "\"\\303\\251\"", json!("é")),
            (C, "float", "(double)2", json!(2.0)),
        ];
        for (l, ty, text, want) in cases {
            assert_eq!(read(*l, ty, text).as_ref(), Ok(want), "{l} {ty} {text}");
        }
    }

    #[test]
    fn what_computes_or_is_not_the_type_is_refused() {
        for (l, ty, text) in [
            (Python, "int", "1 + 2"),
            (Python, "int", "f(3)"),
            (Python, "int", "3.0"),
            (Python, "list<int>", "[1, 2] * 2"),
            (Python, "str", "'a' 'b'"),
            (JavaScript, "str", "`a${x}`"),
            (Rust, "str", "'a'"),
            (Rust, "int", "5; 6"),
            (Python, "tuple<int,int>", "(1, 2, 3)"),
            (Python, "bool", "1"),
            (Python, "list<int>", "sorted([3, 1, 2])"),
            (CSharp, "int", "Math.Abs(-3)"),
            (Rust, "int", "f(2)"),
        ] {
            assert!(read(l, ty, text).is_err(), "{l} {ty} {text} was accepted");
        }
    }
}
