//! Language-neutral types of passk's own problems: `int`, `float`, `bool`,
//! `str`, `list<T>`, `map<K,V>`, `tuple<…>`, `optional<T>`. Every renderer maps them to its
//! language; test values are JSON checked against them when a problem loads.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Int,
    Float,
    Bool,
    Str,
    List(Box<Type>),
    /// Keys are `int` or `str` (JSON objects carry them as strings).
    Map(Box<Type>, Box<Type>),
    Tuple(Vec<Type>),
    Optional(Box<Type>),
}

impl Type {
    /// Parses `list<map<str, int>>` and friends; spaces are ignored.
    pub fn parse(text: &str) -> Result<Type, String> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (t, rest) = parse_at(&compact)?;
        if !rest.is_empty() {
            return Err(format!("unexpected `{rest}` after `{t}` in type `{text}`"));
        }
        Ok(t)
    }

    /// Checks that a JSON test value has this type.
    pub fn check(&self, v: &serde_json::Value) -> Result<(), String> {
        use serde_json::Value as V;
        let ok = match (self, v) {
            (Type::Int, V::Number(n)) => n.is_i64(),
            (Type::Float, V::Number(_)) => true,
            (Type::Bool, V::Bool(_)) | (Type::Str, V::String(_)) => true,
            (Type::Optional(_), V::Null) => true,
            (Type::Optional(t), v) => return t.check(v),
            (Type::List(t), V::Array(items)) => {
                return items.iter().try_for_each(|i| t.check(i));
            }
            (Type::Tuple(ts), V::Array(items)) if ts.len() == items.len() => {
                return ts.iter().zip(items).try_for_each(|(t, i)| t.check(i));
            }
            (Type::Map(k, t), V::Object(m)) => {
                for (key, val) in m {
                    if **k == Type::Int && key.parse::<i64>().is_err() {
                        return Err(format!("map key `{key}` is not an int"));
                    }
                    t.check(val)?;
                }
                return Ok(());
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{v} is not a {self}"))
        }
    }
}

fn parse_at(s: &str) -> Result<(Type, &str), String> {
    let end = s.find(['<', '>', ',']).unwrap_or(s.len());
    let (name, rest) = s.split_at(end);
    Ok(match name {
        "int" => (Type::Int, rest),
        "float" => (Type::Float, rest),
        "bool" => (Type::Bool, rest),
        "str" => (Type::Str, rest),
        "list" => {
            let (t, r) = one(name, rest)?;
            (Type::List(t), r)
        }
        "optional" => {
            let (t, r) = one(name, rest)?;
            (Type::Optional(t), r)
        }
        "tuple" => {
            let (ts, r) = args(name, rest)?;
            (Type::Tuple(ts), r)
        }
        "map" => {
            let (mut ts, r) = args(name, rest)?;
            if ts.len() != 2 {
                return Err("`map` takes two type arguments".into());
            }
            let v = ts.pop().expect("two");
            let k = ts.pop().expect("two");
            if !matches!(k, Type::Int | Type::Str) {
                return Err(format!("map keys must be int or str, not {k}"));
            }
            (Type::Map(Box::new(k), Box::new(v)), r)
        }
        "" => return Err("missing type".into()),
        other => {
            return Err(format!(
                "unknown type `{other}` (int, float, bool, str, list<T>, map<K,V>, tuple<…>, optional<T>)"
            ));
        }
    })
}

/// The `<…>` arguments of a generic type.
fn args<'a>(name: &str, rest: &'a str) -> Result<(Vec<Type>, &'a str), String> {
    let mut rest = rest
        .strip_prefix('<')
        .ok_or_else(|| format!("`{name}` needs type arguments in <…>"))?;
    let mut out = Vec::new();
    loop {
        let (t, r) = parse_at(rest)?;
        out.push(t);
        if let Some(r) = r.strip_prefix(',') {
            rest = r;
        } else if let Some(r) = r.strip_prefix('>') {
            return Ok((out, r));
        } else {
            return Err(format!("expected `,` or `>` in `{name}<…>`"));
        }
    }
}

fn one<'a>(name: &str, rest: &'a str) -> Result<(Box<Type>, &'a str), String> {
    let (mut a, r) = args(name, rest)?;
    if a.len() != 1 {
        return Err(format!("`{name}` takes one type argument"));
    }
    Ok((Box::new(a.remove(0)), r))
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Bool => f.write_str("bool"),
            Type::Str => f.write_str("str"),
            Type::List(t) => write!(f, "list<{t}>"),
            Type::Map(k, v) => write!(f, "map<{k}, {v}>"),
            Type::Optional(t) => write!(f, "optional<{t}>"),
            Type::Tuple(ts) => {
                f.write_str("tuple<")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str(">")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_nested_types_and_round_trips() {
        for t in [
            "int",
            "list<int>",
            "map<str, list<float>>",
            "tuple<int, str, bool>",
            "optional<list<tuple<int, int>>>",
        ] {
            assert_eq!(Type::parse(t).unwrap().to_string(), t);
        }
        assert!(Type::parse("list<int").is_err());
        assert!(Type::parse("map<float, int>").is_err());
        assert!(
            Type::parse("set<int>")
                .unwrap_err()
                .contains("unknown type")
        );
    }

    #[test]
    fn checks_json_values() {
        let t = Type::parse("map<int, list<optional<float>>>").unwrap();
        assert!(t.check(&json!({"1": [1.5, null, 2]})).is_ok());
        assert!(t.check(&json!({"x": []})).is_err());
        assert!(Type::Int.check(&json!(1.5)).is_err());
        assert!(
            Type::parse("tuple<int, str>")
                .unwrap()
                .check(&json!([1, "a"]))
                .is_ok()
        );
        assert!(
            Type::parse("tuple<int, str>")
                .unwrap()
                .check(&json!([1]))
                .is_err()
        );
    }
}
