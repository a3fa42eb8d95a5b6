//! PHP: a docblock, typed parameters (`int`, `float`, `string`, `bool`, `array`, `?T`),
//! single-quoted string literals (no interpolation), and a harness of arrow functions
//! encoded with json_encode.

use serde_json::Value;

use super::{Literals, Renderer, comment_lines, json_string};
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

struct Lit;

impl Literals for Lit {
    fn null(&self, _t: &Type) -> String {
        "null".into()
    }
    fn str(&self, s: &str) -> String {
        string(s)
    }
    fn map(&self, _t: &Type, entries: Vec<(String, String)>) -> String {
        let items: Vec<String> = entries
            .into_iter()
            .map(|(k, v)| format!("{k} => {v}"))
            .collect();
        format!("[{}]", items.join(", "))
    }
}

fn literal(t: &Type, v: &Value) -> String {
    super::literal(&Lit, t, v)
}

impl Renderer for Php {
    fn literal(&self, t: &Type, v: &Value) -> String {
        literal(t, v)
    }
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
                let args = super::call_args(p, &t.args, &literal);
                format!("    fn() => {}({}),\n", s.name, args)
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
