//! Java: a Javadoc comment, a static method of `class Solution` with camelCase names,
//! `long`/`double`/`List`/`Map`/`Optional` and javatuples (`Pair`, `Triplet`, … on the
//! classpath) for tuples; the harness is `class Problem`, written with qualified names so
//! that it needs no imports.

use serde_json::Value;

use super::{Literals, Renderer, camel, comment_lines, json_string};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct Java;

const TUPLES: [&str; 5] = ["Unit", "Pair", "Triplet", "Quartet", "Quintet"];

/// The Java type of `t`: `boxed` where a reference type is needed (generic arguments),
/// `qualified` where no import can be assumed (the harness).
fn java_ty(t: &Type, boxed: bool, qualified: bool) -> String {
    let (util, tuples) = if qualified {
        ("java.util.", "org.javatuples.")
    } else {
        ("", "")
    };
    let arg = |t: &Type| java_ty(t, true, qualified);
    match t {
        Type::Int => if boxed { "Long" } else { "long" }.into(),
        Type::Float => if boxed { "Double" } else { "double" }.into(),
        Type::Bool => if boxed { "Boolean" } else { "boolean" }.into(),
        Type::Str => "String".into(),
        Type::List(t) => format!("{util}List<{}>", arg(t)),
        Type::Map(k, v) => format!("{util}Map<{}, {}>", arg(k), arg(v)),
        Type::Tuple(ts) => format!(
            "{tuples}{}<{}>",
            TUPLES.get(ts.len().saturating_sub(1)).unwrap_or(&"Quintet"),
            ts.iter().map(arg).collect::<Vec<_>>().join(", ")
        ),
        Type::Optional(t) => format!("{util}Optional<{}>", arg(t)),
    }
}

fn ty(t: &Type, boxed: bool) -> String {
    java_ty(t, boxed, false)
}

struct Lit;

impl Literals for Lit {
    fn null(&self, _t: &Type) -> String {
        "java.util.Optional.empty()".into()
    }
    fn some(&self, _inner: &Type, value: String) -> String {
        format!("java.util.Optional.of({value})")
    }
    fn int(&self, v: &Value) -> String {
        format!("{v}L")
    }
    fn float(&self, f: f64) -> String {
        format!("{f:?}d")
    }
    fn list(&self, t: &Type, items: Vec<String>) -> String {
        let Type::List(e) = t else {
            unreachable!("list literal of a list type")
        };
        format!(
            "new java.util.ArrayList<{}>(java.util.Arrays.asList({}))",
            java_ty(e, true, true),
            items.join(", ")
        )
    }
    fn tuple(&self, _t: &Type, items: Vec<String>) -> String {
        format!(
            "org.javatuples.{}.with({})",
            TUPLES
                .get(items.len().saturating_sub(1))
                .unwrap_or(&"Quintet"),
            items.join(", ")
        )
    }
    fn map(&self, _t: &Type, entries: Vec<(String, String)>) -> String {
        let items: Vec<String> = entries
            .into_iter()
            .map(|(k, v)| format!("java.util.Map.entry({k}, {v})"))
            .collect();
        format!(
            "new java.util.HashMap<>(java.util.Map.ofEntries({}))",
            items.join(", ")
        )
    }
    fn key(&self, k: &Type, raw: &str) -> String {
        if *k == Type::Int {
            format!("{raw}L")
        } else {
            json_string(raw)
        }
    }
}

fn literal(t: &Type, v: &Value) -> String {
    super::literal(&Lit, t, v)
}

const ENCODER: &str = r#"
    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static String json(Object o) {
        if (o == null) return "null";
        if (o instanceof Double || o instanceof Float) {
            double d = ((Number) o).doubleValue();
            return Double.isFinite(d) ? Double.toString(d) : str(Double.toString(d));
        }
        if (o instanceof Number || o instanceof Boolean) return o.toString();
        if (o instanceof String) return str((String) o);
        if (o instanceof java.util.Optional) {
            java.util.Optional<?> opt = (java.util.Optional<?>) o;
            return opt.isPresent() ? json(opt.get()) : "null";
        }
        if (o instanceof org.javatuples.Tuple) return json(((org.javatuples.Tuple) o).toList());
        if (o instanceof java.util.Collection) {
            StringBuilder b = new StringBuilder("[");
            for (Object x : (java.util.Collection<?>) o) b.append(b.length() > 1 ? "," : "").append(json(x));
            return b.append("]").toString();
        }
        if (o instanceof java.util.Map) {
            StringBuilder b = new StringBuilder("{");
            for (java.util.Map.Entry<?, ?> e : ((java.util.Map<?, ?>) o).entrySet())
                b.append(b.length() > 1 ? "," : "").append(str(String.valueOf(e.getKey()))).append(":").append(json(e.getValue()));
            return b.append("}").toString();
        }
        return str(o.toString());
    }
"#;

impl Renderer for Java {
    fn literal(&self, t: &Type, v: &Value) -> String {
        literal(t, v)
    }
    fn callee(&self, p: &NativeProblem) -> String {
        format!("Solution.{}", camel(&p.signature.name))
    }
    fn language(&self) -> Language {
        Language::Java
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let params: Vec<String> = s
            .params
            .iter()
            .map(|x| format!("{} {}", ty(&x.ty, false), camel(&x.name)))
            .collect();
        format!(
            "import java.util.*;\nimport org.javatuples.*;\n\nclass Solution {{\n    /**\n{}     */\n    public static {} {}({}) {{\n",
            comment_lines(&p.description, "     * "),
            ty(&s.returns, false),
            camel(&s.name),
            params.join(", ")
        )
    }

    fn harness(&self, p: &NativeProblem, marker: &str) -> String {
        let s = &p.signature;
        let name = camel(&s.name);
        let calls: Vec<String> = p
            .tests
            .iter()
            .map(|t| {
                let args = super::call_args(p, &t.args, &literal);
                format!("            () -> Solution.{name}({})", args)
            })
            .collect();
        format!(
            "\nclass Problem {{\n{ENCODER}\n    public static void main(String[] args) {{\n        \
             java.util.List<java.util.function.Supplier<Object>> tests = java.util.List.of(\n{}\n        );\n        \
             for (int i = 0; i < tests.size(); i++) {{\n            \
             try {{\n                System.out.println({m} + \" \" + i + \" ok \" + json(tests.get(i).get()));\n            \
             }} catch (Throwable e) {{\n                System.out.println({m} + \" \" + i + \" error \" + str(e.toString()));\n            }}\n        }}\n    }}\n}}\n",
            calls.join(",\n"),
            m = json_string(marker)
        )
    }

    fn stub(&self, p: &NativeProblem) -> String {
        let v = match &p.signature.returns {
            Type::Int => "0L",
            Type::Float => "0.0",
            Type::Bool => "false",
            _ => "null",
        };
        format!("        return {v};\n    }}\n}}\n")
    }
}
