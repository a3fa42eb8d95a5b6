//! Ruby: a `#` comment, snake_case, literals (`nil`, hashes with `=>`), and a harness of
//! lambdas encoded with the json library.

use serde_json::Value;

use super::{Renderer, comment_lines, json_string};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct Ruby;

/// A double-quoted Ruby string: JSON escapes, with `#` escaped against interpolation.
fn string(s: &str) -> String {
    json_string(s).replace('#', "\\#")
}

fn literal(t: &Type, v: &Value) -> String {
    match (t, v) {
        (_, Value::Null) => "nil".into(),
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
            format!("{{{}}}", items.join(", "))
        }
        (_, v) => v.to_string(),
    }
}

impl Renderer for Ruby {
    fn language(&self) -> Language {
        Language::Ruby
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let params: Vec<&str> = s.params.iter().map(|x| x.name.as_str()).collect();
        format!(
            "{}def {}({})\n",
            comment_lines(&p.description, "# "),
            s.name,
            params.join(", ")
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
                format!("  -> {{ {}({}) }},\n", s.name, args.join(", "))
            })
            .collect();
        format!(
            "\nrequire 'json'\n\n__passk_tests = [\n{calls}]\n\
             __passk_tests.each_with_index do |t, i|\n  \
             begin\n    puts \"{m} #{{i}} ok #{{JSON.generate(t.call, allow_nan: true)}}\"\n  \
             rescue StandardError => e\n    puts \"{m} #{{i}} error #{{JSON.generate(\"#{{e.class}}: #{{e.message}}\")}}\"\n  \
             end\n  $stdout.flush\nend\n",
            m = marker.replace(['"', '#'], "")
        )
    }

    fn stub(&self, _p: &NativeProblem) -> String {
        "  nil\nend\n".into()
    }
}
