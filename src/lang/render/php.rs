//! PHP: a docblock, typed parameters (`int`, `float`, `string`, `bool`, `array`, `?T`),
//! single-quoted string literals (no interpolation), and a harness of arrow functions
//! encoded with json_encode.

use serde_json::Value;

use super::{Renderer, comment_lines, json_string};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct Php;

fn ty(t: &Type) -> String {
    match t {
        Type::Int => "int".into(),
        Type::Float => "float".into(),
        Type::Bool => "bool".into(),
        Type::Str => "string".into(),
        Type::List(_) | Type::Map(..) | Type::Tuple(_) => "array".into(),
        Type::Optional(t) => format!("?{}", ty(t)),
    }
}

fn string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn literal(t: &Type, v: &Value) -> String {
    match (t, v) {
        (_, Value::Null) => "null".into(),
        (Type::Optional(t), v) => literal(t, v),
        (Type::Float, Value::Number(n)) => format!("{:?}", n.as_f64().unwrap_or(0.0)),
        (Type::Str, Value::String(s)) => string(s),
        (Type::List(e), Value::Array(a)) => {
            format!(
                "[{}]",
                a.iter()
                    .map(|x| literal(e, x))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        (Type::Tuple(ts), Value::Array(a)) => format!(
            "[{}]",
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
                        key.clone()
                    } else {
                        string(key)
                    };
                    format!("{key} => {}", literal(e, x))
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
        (_, v) => v.to_string(),
    }
}

impl Renderer for Php {
    fn language(&self) -> Language {
        Language::Php
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let params: Vec<String> = s
            .params
            .iter()
            .map(|x| format!("{} ${}", ty(&x.ty), x.name))
            .collect();
        format!(
            "<?php\n/**\n{} */\nfunction {}({}): {} {{\n",
            comment_lines(&p.description, " * "),
            s.name,
            params.join(", "),
            ty(&s.returns)
        )
    }

    fn harness(&self, p: &NativeProblem, marker: &str) -> String {
        let s = &p.signature;
        let calls: String = p
            .tests
            .iter()
            .map(|t| {
                let args: Vec<String> = s
                    .params
                    .iter()
                    .zip(&t.args)
                    .map(|(p, a)| literal(&p.ty, a))
                    .collect();
                format!("    fn() => {}({}),\n", s.name, args.join(", "))
            })
            .collect();
        format!(
            "\n$__passk_tests = [\n{calls}];\nforeach ($__passk_tests as $i => $t) {{\n    \
             try {{\n        echo {m} . \" $i ok \" . json_encode($t(), JSON_PRESERVE_ZERO_FRACTION | JSON_PARTIAL_OUTPUT_ON_ERROR) . \"\\n\";\n    \
             }} catch (\\Throwable $e) {{\n        echo {m} . \" $i error \" . json_encode(get_class($e) . ': ' . $e->getMessage()) . \"\\n\";\n    }}\n}}\n",
            m = json_string(marker)
        )
    }

    fn stub(&self, _p: &NativeProblem) -> String {
        "    return null;\n}\n".into()
    }
}
