//! C#: an XML doc comment, a PascalCase static method of `class Solution`, `long`/`double`/
//! `List`/`Dictionary`/value tuples and `T?` for optional values; the harness is
//! `class Problem` with a reflection-based JSON encoder (Mono's `mcs` builds it).

use serde_json::Value;

use super::{Literals, Renderer, camel, comment_lines, json_string};
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

struct Lit;

impl Literals for Lit {
    fn null(&self, t: &Type) -> String {
        format!("({})null", ty(t))
    }
    fn int(&self, v: &Value) -> String {
        format!("{v}L")
    }
    fn list(&self, t: &Type, items: Vec<String>) -> String {
        format!("new {} {{ {} }}", ty(t), items.join(", "))
    }
    fn tuple(&self, _t: &Type, items: Vec<String>) -> String {
        format!("({})", items.join(", "))
    }
    fn map(&self, t: &Type, entries: Vec<(String, String)>) -> String {
        let items: Vec<String> = entries
            .into_iter()
            .map(|(k, v)| format!("{{ {k}, {v} }}"))
            .collect();
        format!("new {} {{ {} }}", ty(t), items.join(", "))
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
    fn literal(&self, t: &Type, v: &Value) -> String {
        literal(t, v)
    }
    fn callee(&self, p: &NativeProblem) -> String {
        format!("Solution.{}", pascal(&p.signature.name))
    }
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
                let args = super::call_args(p, &t.args, &literal);
                format!("            () => Solution.{name}({})", args)
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
