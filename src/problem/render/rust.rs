//! Rust: `///` doc comments, std types (`i64`, `f64`, `String`, `Vec`, `HashMap`, tuples,
//! `Option`), typed literals, and a harness with a small JSON trait; each test runs under
//! `catch_unwind`, so one panic does not hide the others.

use serde_json::Value;

use super::{Literals, Renderer, comment_lines};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct Rust;

fn ty(t: &Type) -> String {
    match t {
        Type::Int => "i64".into(),
        Type::Float => "f64".into(),
        Type::Bool => "bool".into(),
        Type::Str => "String".into(),
        Type::List(t) => format!("Vec<{}>", ty(t)),
        Type::Map(k, v) => format!("HashMap<{}, {}>", ty(k), ty(v)),
        Type::Tuple(ts) => format!("({})", ts.iter().map(ty).collect::<Vec<_>>().join(", ")),
        Type::Optional(t) => format!("Option<{}>", ty(t)),
    }
}

fn uses_map(t: &Type) -> bool {
    match t {
        Type::Map(..) => true,
        Type::List(t) | Type::Optional(t) => uses_map(t),
        Type::Tuple(ts) => ts.iter().any(uses_map),
        _ => false,
    }
}

struct Lit;

impl Literals for Lit {
    fn null(&self, _t: &Type) -> String {
        "None".into()
    }
    fn some(&self, _inner: &Type, value: String) -> String {
        format!("Some({value})")
    }
    fn int(&self, v: &Value) -> String {
        format!("{v}i64")
    }
    fn float(&self, f: f64) -> String {
        format!("{f:?}f64")
    }
    fn str(&self, s: &str) -> String {
        format!("String::from({s:?})")
    }
    fn list(&self, _t: &Type, items: Vec<String>) -> String {
        format!("vec![{}]", items.join(", "))
    }
    fn tuple(&self, _t: &Type, items: Vec<String>) -> String {
        if items.len() == 1 {
            format!("({},)", items[0])
        } else {
            format!("({})", items.join(", "))
        }
    }
    fn map(&self, t: &Type, entries: Vec<(String, String)>) -> String {
        let Type::Map(k, v) = t else {
            unreachable!("map literal of a map type")
        };
        let items: Vec<String> = entries
            .into_iter()
            .map(|(k, v)| format!("({k}, {v})"))
            .collect();
        format!(
            "HashMap::<{}, {}>::from([{}])",
            ty(k),
            ty(v),
            items.join(", ")
        )
    }
}

fn literal(t: &Type, v: &Value) -> String {
    super::literal(&Lit, t, v)
}

const HARNESS: &str = r#"
mod __passk {
    use std::collections::HashMap;

    pub fn string(s: &str) -> String {
        let mut o = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => o.push_str("\\\""),
                '\\' => o.push_str("\\\\"),
                c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
                c => o.push(c),
            }
        }
        o.push('"');
        o
    }

    pub trait Json {
        fn json(&self) -> String;
    }
    impl Json for i64 {
        fn json(&self) -> String {
            self.to_string()
        }
    }
    impl Json for f64 {
        fn json(&self) -> String {
            if self.is_finite() { format!("{:?}", self) } else { string(&self.to_string()) }
        }
    }
    impl Json for bool {
        fn json(&self) -> String {
            self.to_string()
        }
    }
    impl Json for String {
        fn json(&self) -> String {
            string(self)
        }
    }
    impl<T: Json> Json for Vec<T> {
        fn json(&self) -> String {
            format!("[{}]", self.iter().map(|x| x.json()).collect::<Vec<_>>().join(","))
        }
    }
    impl<T: Json> Json for Option<T> {
        fn json(&self) -> String {
            match self {
                Some(x) => x.json(),
                None => "null".into(),
            }
        }
    }
    impl<K: Json, V: Json> Json for HashMap<K, V> {
        fn json(&self) -> String {
            let items: Vec<String> = self
                .iter()
                .map(|(k, v)| {
                    let k = k.json();
                    let k = if k.starts_with('"') { k } else { string(&k) };
                    format!("{}:{}", k, v.json())
                })
                .collect();
            format!("{{{}}}", items.join(","))
        }
    }
    macro_rules! tuple {
        ($($t:ident $i:tt),+) => {
            impl<$($t: Json),+> Json for ($($t,)+) {
                fn json(&self) -> String {
                    let items: Vec<String> = vec![$(self.$i.json()),+];
                    format!("[{}]", items.join(","))
                }
            }
        };
    }
    tuple!(A 0);
    tuple!(A 0, B 1);
    tuple!(A 0, B 1, C 2);
    tuple!(A 0, B 1, C 2, D 3);
    tuple!(A 0, B 1, C 2, D 3, E 4);

    pub fn panic_message(e: Box<dyn std::any::Any + Send>) -> String {
        if let Some(s) = e.downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = e.downcast_ref::<String>() {
            s.clone()
        } else {
            "panic".into()
        }
    }
}
"#;

impl Renderer for Rust {
    fn literal(&self, t: &Type, v: &Value) -> String {
        literal(t, v)
    }
    fn language(&self) -> Language {
        Language::Rust
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let params: Vec<String> = s
            .params
            .iter()
            .map(|x| format!("{}: {}", x.name, ty(&x.ty)))
            .collect();
        let needs_map = uses_map(&s.returns) || s.params.iter().any(|x| uses_map(&x.ty));
        format!(
            "{}{}fn {}({}) -> {} {{\n",
            if needs_map {
                "use std::collections::HashMap;\n\n"
            } else {
                ""
            },
            comment_lines(&p.description, "/// "),
            s.name,
            params.join(", "),
            ty(&s.returns)
        )
    }

    fn harness(&self, p: &NativeProblem, marker: &str) -> String {
        let s = &p.signature;
        let needs_map = p
            .tests
            .iter()
            .any(|_| uses_map(&s.returns) || s.params.iter().any(|x| uses_map(&x.ty)));
        let calls: String = p
            .tests
            .iter()
            .map(|t| {
                let args = super::call_args(p, &t.args, &literal);
                format!(
                    "        Box::new(|| __passk::Json::json(&{}({}))),\n",
                    s.name, args
                )
            })
            .collect();
        format!(
            "{HARNESS}\nfn main() {{\n    {}let tests: Vec<Box<dyn Fn() -> String>> = vec![\n{calls}    ];\n    \
             std::panic::set_hook(Box::new(|_| {{}}));\n    \
             for (i, t) in tests.iter().enumerate() {{\n        \
             match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| t())) {{\n            \
             Ok(s) => println!(\"{marker} {{}} ok {{}}\", i, s),\n            \
             Err(e) => println!(\"{marker} {{}} error {{}}\", i, __passk::string(&__passk::panic_message(e))),\n        \
             }}\n    }}\n}}\n",
            if needs_map {
                "use std::collections::HashMap;\n    "
            } else {
                ""
            }
        )
    }

    fn stub(&self, p: &NativeProblem) -> String {
        let _ = p;
        "    todo!()\n}\n".into()
    }
}
