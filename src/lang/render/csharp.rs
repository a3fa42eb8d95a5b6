//! C#: an XML doc comment, a PascalCase static method of `class Solution`, `long`/`double`/
//! `List`/`Dictionary`/value tuples and `T?` for optional values; the harness is
//! `class Problem` with a reflection-based JSON encoder (Mono's `mcs` builds it).

use serde_json::Value;

use super::{Renderer, camel, comment_lines, json_string};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct CSharp;

fn pascal(snake: &str) -> String {
    let c = camel(snake);
    let mut chars = c.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn ty(t: &Type) -> String {
    match t {
        Type::Int => "long".into(),
        Type::Float => "double".into(),
        Type::Bool => "bool".into(),
        Type::Str => "string".into(),
        Type::List(t) => format!("List<{}>", ty(t)),
        Type::Map(k, v) => format!("Dictionary<{}, {}>", ty(k), ty(v)),
        Type::Tuple(ts) => format!("({})", ts.iter().map(ty).collect::<Vec<_>>().join(", ")),
        // Reference types are nullable already.
        Type::Optional(t) => match **t {
            Type::Int | Type::Float | Type::Bool | Type::Tuple(_) => format!("{}?", ty(t)),
            _ => ty(t),
        },
    }
}

fn literal(t: &Type, v: &Value) -> String {
    match (t, v) {
        (Type::Optional(_), Value::Null) => format!("({})null", ty(t)),
        (Type::Optional(t), v) => literal(t, v),
        (Type::Int, v) => format!("{v}L"),
        (Type::Float, Value::Number(n)) => format!("{:?}", n.as_f64().unwrap_or(0.0)),
        (Type::Str, Value::String(s)) => json_string(s),
        (Type::List(e), Value::Array(a)) => format!(
            "new {} {{ {} }}",
            ty(t),
            a.iter()
                .map(|x| literal(e, x))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (Type::Tuple(ts), Value::Array(a)) => format!(
            "({})",
            ts.iter()
                .zip(a)
                .map(|(t, x)| literal(t, x))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (Type::Map(k, e), Value::Object(m)) => {
            let items: Vec<String> = m
                .iter()
                .map(|(key, x)| {
                    let key = if **k == Type::Int {
                        format!("{key}L")
                    } else {
                        json_string(key)
                    };
                    format!("{{ {key}, {} }}", literal(e, x))
                })
                .collect();
            format!("new {} {{ {} }}", ty(t), items.join(", "))
        }
        (_, v) => v.to_string(),
    }
}

const ENCODER: &str = r#"
    static string Str(string s) {
        var b = new System.Text.StringBuilder("\"");
        foreach (char c in s) {
            if (c == '"' || c == '\\') b.Append('\\').Append(c);
            else if (c < 0x20) b.Append(string.Format("\\u{0:x4}", (int)c));
            else b.Append(c);
        }
        return b.Append('"').ToString();
    }

    static string Json(object o) {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (o == null) return "null";
        if (o is bool) return (bool)o ? "true" : "false";
        if (o is long || o is int) return System.Convert.ToString(o, inv);
        if (o is double) {
            double d = (double)o;
            return double.IsNaN(d) || double.IsInfinity(d) ? Str(d.ToString(inv)) : d.ToString("R", inv);
        }
        if (o is string) return Str((string)o);
        if (o is System.Collections.IDictionary) {
            var parts = new System.Collections.Generic.List<string>();
            foreach (System.Collections.DictionaryEntry e in (System.Collections.IDictionary)o)
                parts.Add(Str(System.Convert.ToString(e.Key, inv)) + ":" + Json(e.Value));
            return "{" + string.Join(",", parts) + "}";
        }
        if (o is System.Collections.IEnumerable) {
            var parts = new System.Collections.Generic.List<string>();
            foreach (object x in (System.Collections.IEnumerable)o) parts.Add(Json(x));
            return "[" + string.Join(",", parts) + "]";
        }
        var type = o.GetType();
        if (type.FullName.StartsWith("System.ValueTuple")) {
            var parts = new System.Collections.Generic.List<string>();
            foreach (var f in type.GetFields()) parts.Add(Json(f.GetValue(o)));
            return "[" + string.Join(",", parts) + "]";
        }
        return Str(o.ToString());
    }
"#;

impl Renderer for CSharp {
    fn language(&self) -> Language {
        Language::CSharp
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let params: Vec<String> = s
            .params
            .iter()
            .map(|x| format!("{} {}", ty(&x.ty), camel(&x.name)))
            .collect();
        format!(
            "using System;\nusing System.Collections.Generic;\nusing System.Linq;\n\nclass Solution {{\n    /// <summary>\n{}    /// </summary>\n    public static {} {}({}) {{\n",
            comment_lines(&p.description, "    /// "),
            ty(&s.returns),
            pascal(&s.name),
            params.join(", ")
        )
    }

    fn harness(&self, p: &NativeProblem, marker: &str) -> String {
        let s = &p.signature;
        let name = pascal(&s.name);
        let calls: Vec<String> = p
            .tests
            .iter()
            .map(|t| {
                let args: Vec<String> = s
                    .params
                    .iter()
                    .zip(&t.args)
                    .map(|(p, a)| literal(&p.ty, a))
                    .collect();
                format!("            () => Solution.{name}({})", args.join(", "))
            })
            .collect();
        format!(
            "\nclass Problem {{\n{ENCODER}\n    static void Main() {{\n        \
             var tests = new System.Func<object>[] {{\n{}\n        }};\n        \
             for (int i = 0; i < tests.Length; i++) {{\n            \
             try {{\n                System.Console.WriteLine({m} + \" \" + i + \" ok \" + Json(tests[i]()));\n            \
             }} catch (System.Exception e) {{\n                \
             System.Console.WriteLine({m} + \" \" + i + \" error \" + Str(e.GetType().Name + \": \" + e.Message));\n            }}\n        }}\n    }}\n}}\n",
            calls.join(",\n"),
            m = json_string(marker)
        )
    }

    fn stub(&self, p: &NativeProblem) -> String {
        // Mono's mcs speaks C# 7.0: `default(T)`, not the bare `default` literal.
        format!(
            "        return default({});\n    }}\n}}\n",
            ty(&p.signature.returns)
        )
    }
}
