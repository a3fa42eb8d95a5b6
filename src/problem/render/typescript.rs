//! TypeScript: the JavaScript rendering with type annotations (`number`, `string`, `T[]`,
//! `Record<K, V>`, tuples, `T | null`), compiled by tsc and run under Node.

use serde_json::Value;

use super::javascript::{ENCODER, harness_loop, literal};
use super::{Renderer, camel, comment_lines};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct TypeScript;

fn ty(t: &Type) -> String {
    match t {
        Type::Int | Type::Float => "number".into(),
        Type::Bool => "boolean".into(),
        Type::Str => "string".into(),
        Type::List(t) => match **t {
            Type::Optional(_) => format!("({})[]", ty(t)),
            _ => format!("{}[]", ty(t)),
        },
        Type::Map(k, v) => format!("Record<{}, {}>", ty(k), ty(v)),
        Type::Tuple(ts) => format!("[{}]", ts.iter().map(ty).collect::<Vec<_>>().join(", ")),
        Type::Optional(t) => format!("{} | null", ty(t)),
    }
}

impl Renderer for TypeScript {
    fn literal(&self, _t: &Type, v: &Value) -> String {
        literal(v)
    }
    fn callee(&self, p: &NativeProblem) -> String {
        camel(&p.signature.name)
    }
    fn language(&self) -> Language {
        Language::TypeScript
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let params: Vec<String> = s
            .params
            .iter()
            .map(|x| format!("{}: {}", camel(&x.name), ty(&x.ty)))
            .collect();
        format!(
            "/**\n{} */\nfunction {}({}): {} {{\n",
            comment_lines(&p.description, " * "),
            camel(&s.name),
            params.join(", "),
            ty(&s.returns)
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
        let encoder = ENCODER.replace(
            "function __passkEnc(v) {",
            "function __passkEnc(v: any): any {",
        );
        format!(
            "{encoder}\nconst __passkTests: Array<() => unknown> = [\n{calls}];\n{}",
            harness_loop(marker)
        )
    }

    fn stub(&self, _p: &NativeProblem) -> String {
        "  return null as any;\n}\n".into()
    }
}
