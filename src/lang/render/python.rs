//! Python: type hints, a docstring, literals, and a harness with a generic JSON encoder.

use serde_json::Value;

use super::{Renderer, json_string};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct Python;

fn ty(t: &Type) -> String {
    match t {
        Type::Int => "int".into(),
        Type::Float => "float".into(),
        Type::Bool => "bool".into(),
        Type::Str => "str".into(),
        Type::List(t) => format!("list[{}]", ty(t)),
        Type::Map(k, v) => format!("dict[{}, {}]", ty(k), ty(v)),
        Type::Tuple(ts) => format!(
            "tuple[{}]",
            ts.iter().map(ty).collect::<Vec<_>>().join(", ")
        ),
        Type::Optional(t) => format!("{} | None", ty(t)),
    }
}

/// A Python literal of `v` typed `t`.
fn literal(t: &Type, v: &Value) -> String {
    match (t, v) {
        (_, Value::Null) => "None".into(),
        (Type::Optional(t), v) => literal(t, v),
        (Type::Float, Value::Number(n)) => {
            let f = n.as_f64().unwrap_or(0.0);
            format!("{f:?}")
        }
        (Type::Bool, Value::Bool(b)) => if *b { "True" } else { "False" }.into(),
        (Type::Str, Value::String(s)) => json_string(s),
        (Type::List(t), Value::Array(a)) => {
            format!(
                "[{}]",
                a.iter()
                    .map(|x| literal(t, x))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        (Type::Tuple(ts), Value::Array(a)) => {
            let items: Vec<String> = ts.iter().zip(a).map(|(t, x)| literal(t, x)).collect();
            if items.len() == 1 {
                format!("({},)", items[0])
            } else {
                format!("({})", items.join(", "))
            }
        }
        (Type::Map(k, t), Value::Object(m)) => {
            let items: Vec<String> = m
                .iter()
                .map(|(key, x)| {
                    let key = if **k == Type::Int {
                        key.clone()
                    } else {
                        json_string(key)
                    };
                    format!("{key}: {}", literal(t, x))
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        (_, v) => v.to_string(),
    }
}

const ENCODER: &str = r#"

def __passk_enc(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if v == v and abs(v) != float("inf") else str(v)
    if isinstance(v, (list, tuple)):
        return [__passk_enc(x) for x in v]
    if isinstance(v, dict):
        return {str(k): __passk_enc(x) for k, x in v.items()}
    return repr(v)
"#;

impl Renderer for Python {
    fn language(&self) -> Language {
        Language::Python
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let params: Vec<String> = s
            .params
            .iter()
            .map(|x| format!("{}: {}", x.name, ty(&x.ty)))
            .collect();
        let doc: String = p
            .description
            .lines()
            .map(|l| {
                if l.trim().is_empty() {
                    "\n".to_string()
                } else {
                    format!("    {l}\n")
                }
            })
            .collect();
        format!(
            "def {}({}) -> {}:\n    \"\"\"\n{doc}    \"\"\"\n",
            s.name,
            params.join(", "),
            ty(&s.returns)
        )
    }

    fn harness(&self, p: &NativeProblem, marker: &str) -> String {
        let s = &p.signature;
        let mut calls = String::new();
        for t in &p.tests {
            let args: Vec<String> = s
                .params
                .iter()
                .zip(&t.args)
                .map(|(p, a)| literal(&p.ty, a))
                .collect();
            calls.push_str(&format!(
                "        lambda: {}({}),\n",
                s.name,
                args.join(", ")
            ));
        }
        format!(
            "{ENCODER}\n\ndef __passk_run():\n    import json\n    tests = [\n{calls}    ]\n    \
             for i, t in enumerate(tests):\n        try:\n            \
             out = json.dumps(__passk_enc(t()))\n            \
             print({m}, i, \"ok\", out, flush=True)\n        except Exception as e:\n            \
             print({m}, i, \"error\", json.dumps(type(e).__name__ + \": \" + str(e)), flush=True)\n\n\n\
             __passk_run()\n",
            m = json_string(marker)
        )
    }

    fn stub(&self, _p: &NativeProblem) -> String {
        "    return None\n".into()
    }
}
