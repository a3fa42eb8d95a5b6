//! JavaScript: a JSDoc comment with the types, camelCase names, JSON literals (maps are
//! plain objects), and a harness that runs under Node and QuickJS alike.

use serde_json::Value;

use super::{Renderer, camel, comment_lines, json_string};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct JavaScript;

/// The JSDoc type of `t`.
fn ty(t: &Type) -> String {
    match t {
        Type::Int | Type::Float => "number".into(),
        Type::Bool => "boolean".into(),
        Type::Str => "string".into(),
        Type::List(t) => format!("{}[]", ty(t)),
        Type::Map(k, v) => format!("Object<{}, {}>", ty(k), ty(v)),
        Type::Tuple(ts) => format!("[{}]", ts.iter().map(ty).collect::<Vec<_>>().join(", ")),
        Type::Optional(t) => format!("({} | null)", ty(t)),
    }
}

/// JSON is a JavaScript literal (maps are plain objects).
pub(super) fn literal(v: &Value) -> String {
    match v {
        Value::String(s) => json_string(s),
        Value::Array(a) => format!("[{}]", a.iter().map(literal).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{}: {}", json_string(k), literal(x)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        other => other.to_string(),
    }
}

pub(super) const ENCODER: &str = r#"
function __passkEnc(v) {
  if (v === undefined) return null;
  if (v instanceof Map) {
    const o = {};
    for (const [k, x] of v) o[String(k)] = __passkEnc(x);
    return o;
  }
  if (Array.isArray(v)) return v.map(__passkEnc);
  if (v !== null && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = __passkEnc(v[k]);
    return o;
  }
  if (typeof v === 'number' && !isFinite(v)) return String(v);
  return v;
}
"#;

/// Runs `__passkTests` and prints each result (shared with TypeScript).
pub(super) fn harness_loop(marker: &str) -> String {
    format!(
        "for (let i = 0; i < __passkTests.length; i++) {{\n  \
         try {{\n    console.log({m} + ' ' + i + ' ok ' + JSON.stringify(__passkEnc(__passkTests[i]())));\n  \
         }} catch (e) {{\n    console.log({m} + ' ' + i + ' error ' + JSON.stringify(String(e)));\n  }}\n}}\n",
        m = json_string(marker)
    )
}

impl Renderer for JavaScript {
    fn literal(&self, _t: &Type, v: &Value) -> String {
        literal(v)
    }
    fn callee(&self, p: &NativeProblem) -> String {
        camel(&p.signature.name)
    }
    fn language(&self) -> Language {
        Language::JavaScript
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let mut doc = String::from("/**\n");
        doc.push_str(&comment_lines(&p.description, " * "));
        for x in &s.params {
            doc.push_str(&format!(" * @param {{{}}} {}\n", ty(&x.ty), camel(&x.name)));
        }
        doc.push_str(&format!(" * @returns {{{}}}\n */\n", ty(&s.returns)));
        let params: Vec<String> = s.params.iter().map(|x| camel(&x.name)).collect();
        format!(
            "{doc}function {}({}) {{\n",
            camel(&s.name),
            params.join(", ")
        )
    }

    fn harness(&self, p: &NativeProblem, marker: &str) -> String {
        let name = camel(&p.signature.name);
        let calls: String = p
            .tests
            .iter()
            .map(|t| {
                let args: Vec<String> = t.args.iter().map(literal).collect();
                format!("  () => {name}({}),\n", args.join(", "))
            })
            .collect();
        format!(
            "{ENCODER}\nconst __passkTests = [\n{calls}];\n{}",
            harness_loop(marker)
        )
    }

    fn stub(&self, _p: &NativeProblem) -> String {
        "  return null;\n}\n".into()
    }
}
