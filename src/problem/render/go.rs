//! Go: a `// ` doc comment, camelCase names, `int`/`float64`/slices/maps, pointers for
//! optional values, multiple results for a returned tuple (`[]interface{}` for nested
//! tuples); the harness encodes with encoding/json under aliased imports.

use serde_json::Value;

use super::{Literals, Renderer, camel, comment_lines, json_string};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct Go;

fn ty(t: &Type) -> String {
    match t {
        Type::Int => "int".into(),
        Type::Float => "float64".into(),
        Type::Bool => "bool".into(),
        Type::Str => "string".into(),
        Type::List(t) => format!("[]{}", ty(t)),
        Type::Map(k, v) => format!("map[{}]{}", ty(k), ty(v)),
        Type::Tuple(_) => "[]interface{}".into(),
        Type::Optional(t) => format!("*{}", ty(t)),
    }
}

/// The result list of a signature: a returned tuple becomes multiple results.
fn results(t: &Type) -> String {
    match t {
        Type::Tuple(ts) => format!("({})", ts.iter().map(ty).collect::<Vec<_>>().join(", ")),
        t => ty(t),
    }
}

struct Lit;

impl Literals for Lit {
    fn null(&self, _t: &Type) -> String {
        "nil".into()
    }
    fn some(&self, inner: &Type, value: String) -> String {
        format!("__passkPtr({})", typed(inner, value))
    }
    fn list(&self, t: &Type, items: Vec<String>) -> String {
        format!("{}{{{}}}", ty(t), items.join(", "))
    }
    fn tuple(&self, t: &Type, items: Vec<String>) -> String {
        let Type::Tuple(ts) = t else {
            unreachable!("tuple literal of a tuple type")
        };
        let items: Vec<String> = ts.iter().zip(items).map(|(t, x)| typed(t, x)).collect();
        format!("[]interface{{}}{{{}}}", items.join(", "))
    }
    fn map(&self, t: &Type, entries: Vec<(String, String)>) -> String {
        let items: Vec<String> = entries
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        format!("{}{{{}}}", ty(t), items.join(", "))
    }
}

fn literal(t: &Type, v: &Value) -> String {
    super::literal(&Lit, t, v)
}

/// A literal whose Go type is fixed even where the context does not give one
/// (`interface{}` elements, generic helpers).
fn typed(t: &Type, value: String) -> String {
    match t {
        Type::Int | Type::Float | Type::Bool | Type::Str => format!("{}({value})", ty(t)),
        _ => value,
    }
}

const HELPERS: &str = r#"
func __passkPtr[T any](v T) *T { return &v }

func __passkRun(i int, f func() interface{}) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ := __passk_json.Marshal(__passk_fmt.Sprint(r))
			__passk_fmt.Printf("%s %d error %s\n", __passkMarker, i, msg)
		}
	}()
	out, err := __passk_json.Marshal(f())
	if err != nil {
		msg, _ := __passk_json.Marshal(err.Error())
		__passk_fmt.Printf("%s %d error %s\n", __passkMarker, i, msg)
		return
	}
	__passk_fmt.Printf("%s %d ok %s\n", __passkMarker, i, out)
}
"#;

impl Renderer for Go {
    fn literal(&self, t: &Type, v: &Value) -> String {
        literal(t, v)
    }
    fn callee(&self, p: &NativeProblem) -> String {
        camel(&p.signature.name)
    }
    fn language(&self) -> Language {
        Language::Go
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let params: Vec<String> = s
            .params
            .iter()
            .map(|x| format!("{} {}", camel(&x.name), ty(&x.ty)))
            .collect();
        format!(
            "package main\n\n{}func {}({}) {} {{\n",
            comment_lines(&p.description, "// "),
            camel(&s.name),
            params.join(", "),
            results(&s.returns)
        )
    }

    fn harness(&self, p: &NativeProblem, marker: &str) -> String {
        let s = &p.signature;
        let name = camel(&s.name);
        let mut calls = String::new();
        for (i, t) in p.tests.iter().enumerate() {
            let args = super::call_args(p, &t.args, &literal);
            let call = format!("{name}({})", args);
            let body = match &s.returns {
                Type::Tuple(ts) => {
                    let vars: Vec<String> = (0..ts.len()).map(|j| format!("r{j}")).collect();
                    format!(
                        "{} := {call}; return []interface{{}}{{{}}}",
                        vars.join(", "),
                        vars.join(", ")
                    )
                }
                _ => format!("return {call}"),
            };
            calls.push_str(&format!(
                "\t__passkRun({i}, func() interface{{}} {{ {body} }})\n"
            ));
        }
        format!(
            "{HELPERS}\nconst __passkMarker = {}\n\nfunc main() {{\n{calls}}}\n",
            json_string(marker)
        )
    }

    /// The harness's imports go right after the package clause, aliased so that they never
    /// clash with the solution's own.
    fn assemble(&self, solution: &str, harness: &str) -> String {
        let imports = "import (\n\t__passk_json \"encoding/json\"\n\t__passk_fmt \"fmt\"\n)\n";
        match solution.find("package main") {
            Some(at) => {
                let line_end = solution[at..]
                    .find('\n')
                    .map_or(solution.len(), |e| at + e + 1);
                format!(
                    "{}\n{imports}{}\n{harness}",
                    &solution[..line_end],
                    &solution[line_end..]
                )
            }
            None => format!("package main\n\n{imports}{solution}\n{harness}"),
        }
    }

    fn stub(&self, p: &NativeProblem) -> String {
        let zero = |t: &Type| match t {
            Type::Int | Type::Float => "0".to_string(),
            Type::Bool => "false".into(),
            Type::Str => "\"\"".into(),
            _ => "nil".into(),
        };
        match &p.signature.returns {
            Type::Tuple(ts) => format!(
                "\treturn {}\n}}\n",
                ts.iter().map(zero).collect::<Vec<_>>().join(", ")
            ),
            t => format!("\treturn {}\n}}\n", zero(t)),
        }
    }
}
