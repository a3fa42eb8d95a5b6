//! C++: a `//` comment, `long long`/`double`/`std::string`/`std::vector`/`std::map`/
//! `std::tuple`/`std::optional`, typed literals, and a harness with overloaded JSON encoders.
//! It builds with and without exceptions (the WASM guest has none): a throwing test is then
//! a crash of the whole program.

use serde_json::Value;

use super::{Literals, Renderer, byte_string, comment_lines, json_string, octal};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct Cpp;

/// A C++ string literal: printable ASCII as is, everything else as octal escapes.
fn string(s: &str) -> String {
    format!("std::string({})", byte_string(s, octal))
}

fn ty(t: &Type) -> String {
    match t {
        Type::Int => "long long".into(),
        Type::Float => "double".into(),
        Type::Bool => "bool".into(),
        Type::Str => "std::string".into(),
        Type::List(t) => format!("std::vector<{}>", ty(t)),
        Type::Map(k, v) => format!("std::map<{}, {}>", ty(k), ty(v)),
        Type::Tuple(ts) => format!(
            "std::tuple<{}>",
            ts.iter().map(ty).collect::<Vec<_>>().join(", ")
        ),
        Type::Optional(t) => format!("std::optional<{}>", ty(t)),
    }
}

struct Lit;

impl Literals for Lit {
    fn null(&self, _t: &Type) -> String {
        "std::nullopt".into()
    }
    fn some(&self, inner: &Type, value: String) -> String {
        format!("std::optional<{}>({value})", ty(inner))
    }
    fn int(&self, v: &Value) -> String {
        format!("{v}LL")
    }
    fn str(&self, s: &str) -> String {
        string(s)
    }
    fn list(&self, t: &Type, items: Vec<String>) -> String {
        format!("{}{{{}}}", ty(t), items.join(", "))
    }
    fn map(&self, t: &Type, entries: Vec<(String, String)>) -> String {
        let items: Vec<String> = entries
            .into_iter()
            .map(|(k, v)| format!("{{{k}, {v}}}"))
            .collect();
        format!("{}{{{}}}", ty(t), items.join(", "))
    }
    fn key(&self, k: &Type, raw: &str) -> String {
        if *k == Type::Int {
            format!("{raw}LL")
        } else {
            string(raw)
        }
    }
}

fn literal(t: &Type, v: &Value) -> String {
    super::literal(&Lit, t, v)
}

const ENCODER: &str = r#"
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace passk_harness {
std::string json(long long v);
std::string json(double v);
std::string json(bool v);
std::string json(const std::string& s);
template <class T> std::string json(const std::vector<T>& v);
template <class K, class V> std::string json(const std::map<K, V>& m);
template <class T> std::string json(const std::optional<T>& o);
template <class... T> std::string json(const std::tuple<T...>& t);

std::string json(long long v) { return std::to_string(v); }
std::string json(bool v) { return v ? "true" : "false"; }
std::string json(const std::string& s) {
    std::string o = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') { o += '\\'; o += (char)c; }
        else if (c < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); o += b; }
        else o += (char)c;
    }
    return o + "\"";
}
std::string json(double v) {
    if (!std::isfinite(v)) return json(std::string(std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf")));
    char b[32];
    std::snprintf(b, sizeof b, "%.17g", v);
    return b;
}
template <class T> std::string json(const std::vector<T>& v) {
    std::string o = "[";
    for (size_t i = 0; i < v.size(); i++) { if (i) o += ","; o += json(v[i]); }
    return o + "]";
}
template <class K> std::string key(const K& k) { std::string s = json(k); return s[0] == '"' ? s : "\"" + s + "\""; }
template <class K, class V> std::string json(const std::map<K, V>& m) {
    std::string o = "{";
    for (const auto& [k, v] : m) { if (o.size() > 1) o += ","; o += key(k) + ":" + json(v); }
    return o + "}";
}
template <class T> std::string json(const std::optional<T>& o) { return o ? json(*o) : "null"; }
template <class... T> std::string json(const std::tuple<T...>& t) {
    std::string o = "[";
    std::apply([&](const auto&... x) { ((o += (o.size() > 1 ? "," : "") + json(x)), ...); }, t);
    return o + "]";
}
}
"#;

impl Renderer for Cpp {
    fn literal(&self, t: &Type, v: &Value) -> String {
        literal(t, v)
    }
    fn language(&self) -> Language {
        Language::Cpp
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let params: Vec<String> = s
            .params
            .iter()
            .map(|x| format!("{} {}", ty(&x.ty), x.name))
            .collect();
        format!(
            "#include <bits/stdc++.h>\n\n{}{} {}({}) {{\n",
            comment_lines(&p.description, "// "),
            ty(&s.returns),
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
                format!(
                    "        [] {{ return passk_harness::json({}({})); }},\n",
                    s.name, args
                )
            })
            .collect();
        format!(
            "{ENCODER}\nint main() {{\n    const char* marker = {};\n    \
             std::vector<std::function<std::string()>> tests = {{\n{calls}    }};\n    \
             for (size_t i = 0; i < tests.size(); i++) {{\n\
             #if __cpp_exceptions\n        \
             try {{\n            std::printf(\"%s %zu ok %s\\n\", marker, i, tests[i]().c_str());\n        \
             }} catch (const std::exception& e) {{\n            \
             std::printf(\"%s %zu error %s\\n\", marker, i, passk_harness::json(std::string(e.what())).c_str());\n        \
             }} catch (...) {{\n            std::printf(\"%s %zu error \\\"exception\\\"\\n\", marker, i);\n        }}\n\
             #else\n        \
             std::printf(\"%s %zu ok %s\\n\", marker, i, tests[i]().c_str());\n\
             #endif\n        std::fflush(stdout);\n    }}\n}}\n",
            json_string(marker)
        )
    }

    fn stub(&self, _p: &NativeProblem) -> String {
        "    return {};\n}\n".into()
    }
}
