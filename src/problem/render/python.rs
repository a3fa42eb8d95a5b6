//! Python: type hints, a docstring, literals, and a harness with a generic JSON encoder.

use serde_json::Value;

use super::{Literals, Renderer, json_string};
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
struct Lit;

impl Literals for Lit {
    fn null(&self, _t: &Type) -> String {
        "None".into()
    }
    fn bool(&self, b: bool) -> String {
        if b { "True" } else { "False" }.into()
    }
    fn tuple(&self, _t: &Type, items: Vec<String>) -> String {
        if items.len() == 1 {
            format!("({},)", items[0])
        } else {
            format!("({})", items.join(", "))
        }
    }
    fn map(&self, _t: &Type, entries: Vec<(String, String)>) -> String {
        let items: Vec<String> = entries
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        format!("{{{}}}", items.join(", "))
    }
}

fn literal(t: &Type, v: &Value) -> String {
    super::literal(&Lit, t, v)
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
    fn literal(&self, t: &Type, v: &Value) -> String {
        literal(t, v)
    }
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
            let args = super::call_args(p, &t.args, &literal);
            calls.push_str(&format!("        lambda: {}({}),\n", s.name, args));
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
