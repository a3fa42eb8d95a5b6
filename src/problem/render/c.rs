//! C: what C can say plainly — `long long`, `double`, `bool`, strings (`const char *` in,
//! a `malloc`'d `char *` out) and lists of numbers passed as pointer + length. Problems with
//! other types are not rendered in C. A test that crashes ends the whole program.

use serde_json::Value;

use super::{Renderer, byte_string, comment_lines, json_string, octal};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct C;

fn scalar(t: &Type) -> Option<&'static str> {
    Some(match t {
        Type::Int => "long long",
        Type::Float => "double",
        Type::Bool => "bool",
        _ => return None,
    })
}

fn param_ok(t: &Type) -> bool {
    scalar(t).is_some()
        || *t == Type::Str
        || matches!(t, Type::List(e) if matches!(**e, Type::Int | Type::Float))
}

fn params(p: &NativeProblem) -> Vec<String> {
    let mut out = Vec::new();
    for x in &p.signature.params {
        match &x.ty {
            Type::Str => out.push(format!("const char *{}", x.name)),
            Type::List(e) => {
                out.push(format!(
                    "const {} *{}",
                    scalar(e).unwrap_or("long long"),
                    x.name
                ));
                out.push(format!("size_t {}_len", x.name));
            }
            t => out.push(format!("{} {}", scalar(t).unwrap_or("long long"), x.name)),
        }
    }
    out
}

fn args(p: &NativeProblem, values: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for (x, v) in p.signature.params.iter().zip(values) {
        match (&x.ty, v) {
            (Type::Str, Value::String(s)) => out.push(byte_string(s, octal)),
            (Type::List(e), Value::Array(a)) => {
                let ty = scalar(e).unwrap_or("long long");
                let items: Vec<String> = a.iter().map(|v| number(e, v)).collect();
                let body = if items.is_empty() {
                    "0".to_string()
                } else {
                    items.join(", ")
                };
                out.push(format!("(const {ty}[]){{{body}}}"));
                out.push(a.len().to_string());
            }
            (t, v) => out.push(number(t, v)),
        }
    }
    out
}

fn number(t: &Type, v: &Value) -> String {
    match (t, v) {
        (Type::Int, v) => format!("{v}LL"),
        (Type::Float, Value::Number(n)) => format!("{:?}", n.as_f64().unwrap_or(0.0)),
        (_, v) => v.to_string(),
    }
}

const ENCODER: &str = r#"
#include <math.h>
#include <stdio.h>

static void passk_str(const char *s) {
    putchar('"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}
"#;

impl Renderer for C {
    fn literal(&self, t: &Type, v: &Value) -> String {
        match (t, v) {
            (Type::Str, Value::String(s)) => byte_string(s, octal),
            (t, v) => number(t, v),
        }
    }
    fn call(&self, p: &NativeProblem, values: &[Value]) -> String {
        format!("{}({})", p.signature.name, args(p, values).join(", "))
    }
    fn language(&self) -> Language {
        Language::C
    }

    fn supports(&self, p: &NativeProblem) -> bool {
        let s = &p.signature;
        (scalar(&s.returns).is_some() || s.returns == Type::Str)
            && s.params.iter().all(|x| param_ok(&x.ty))
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let ret = if s.returns == Type::Str {
            "char *"
        } else {
            scalar(&s.returns).unwrap_or("long long")
        };
        format!(
            "#include <stdbool.h>\n#include <stddef.h>\n#include <stdlib.h>\n#include <string.h>\n\n{}{}{}{}({}) {{\n",
            comment_lines(&p.description, "// "),
            ret,
            if ret.ends_with('*') { "" } else { " " },
            s.name,
            params(p).join(", ")
        )
    }

    fn harness(&self, p: &NativeProblem, marker: &str) -> String {
        let s = &p.signature;
        let mut body = String::new();
        for (i, t) in p.tests.iter().enumerate() {
            let call = format!("{}({})", s.name, args(p, &t.args).join(", "));
            let print = match &s.returns {
                Type::Int => format!("printf(\"%lld\", (long long){call});"),
                Type::Float => format!(
                    "{{ double r = {call}; if (isfinite(r)) printf(\"%.17g\", r); else passk_str(isnan(r) ? \"nan\" : (r > 0 ? \"inf\" : \"-inf\")); }}"
                ),
                Type::Bool => format!("fputs({call} ? \"true\" : \"false\", stdout);"),
                _ => format!(
                    "{{ char *r = {call}; if (r) passk_str(r); else fputs(\"null\", stdout); }}"
                ),
            };
            body.push_str(&format!(
                "    printf(\"%s {i} ok \", marker);\n    {print}\n    putchar('\\n');\n    fflush(stdout);\n"
            ));
        }
        format!(
            "{ENCODER}\nint main(void) {{\n    const char *marker = {};\n{body}    return 0;\n}}\n",
            json_string(marker)
        )
    }

    fn stub(&self, p: &NativeProblem) -> String {
        let v = if p.signature.returns == Type::Str {
            "NULL"
        } else {
            "0"
        };
        format!("    return {v};\n}}\n")
    }
}
