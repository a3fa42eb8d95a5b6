//! Ruby: a `#` comment, snake_case, literals (`nil`, hashes with `=>`), and a harness of
//! lambdas encoded with the json library.

use serde_json::Value;

use super::{Literals, Renderer, comment_lines, json_string};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct Ruby;

/// A double-quoted Ruby string: JSON escapes, with `#` escaped against interpolation.
fn string(s: &str) -> String {
    json_string(s).replace('#', "\\#")
}

struct Lit;

impl Literals for Lit {
    fn null(&self, _t: &Type) -> String {
        "nil".into()
    }
    fn str(&self, s: &str) -> String {
        string(s)
    }
    fn map(&self, _t: &Type, entries: Vec<(String, String)>) -> String {
        let items: Vec<String> = entries
            .into_iter()
            .map(|(k, v)| format!("{k} => {v}"))
            .collect();
        format!("{{{}}}", items.join(", "))
    }
}

fn literal(t: &Type, v: &Value) -> String {
    super::literal(&Lit, t, v)
}

impl Renderer for Ruby {
    fn literal(&self, t: &Type, v: &Value) -> String {
        literal(t, v)
    }
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
                let args = super::call_args(p, &t.args, &literal);
                format!("  -> {{ {}({}) }},\n", s.name, args)
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
