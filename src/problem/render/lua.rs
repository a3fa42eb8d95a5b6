//! Lua: a `--` comment, a `local function`, table literals, and a harness whose JSON
//! encoder follows the signature's return type (a Lua table alone cannot tell a list from a
//! map, or an empty one from either). Lists of optional values are not rendered: `nil`
//! cannot sit inside a Lua sequence.

use serde_json::Value;

use super::{Literals, Renderer, byte_string, comment_lines};
use crate::lang::Language;
use crate::lang::types::Type;
use crate::problem::native::NativeProblem;

pub struct Lua;

struct Lit;

impl Literals for Lit {
    fn null(&self, _t: &Type) -> String {
        "nil".into()
    }
    fn str(&self, s: &str) -> String {
        string(s)
    }
    fn list(&self, _t: &Type, items: Vec<String>) -> String {
        format!("{{{}}}", items.join(", "))
    }
    fn map(&self, _t: &Type, entries: Vec<(String, String)>) -> String {
        let items: Vec<String> = entries
            .into_iter()
            .map(|(k, v)| format!("[{k}] = {v}"))
            .collect();
        format!("{{{}}}", items.join(", "))
    }
}

fn literal(t: &Type, v: &Value) -> String {
    super::literal(&Lit, t, v)
}

/// A Lua string literal: printable ASCII as is, everything else as decimal escapes.
fn string(s: &str) -> String {
    byte_string(s, |b| format!("\\{b:03}"))
}

/// The type as a Lua table the generic encoder walks.
fn descriptor(t: &Type) -> String {
    match t {
        Type::Int => "{k = 'int'}".into(),
        Type::Float => "{k = 'float'}".into(),
        Type::Bool => "{k = 'bool'}".into(),
        Type::Str => "{k = 'str'}".into(),
        Type::List(e) => format!("{{k = 'list', e = {}}}", descriptor(e)),
        Type::Map(_, v) => format!("{{k = 'map', e = {}}}", descriptor(v)),
        Type::Optional(e) => format!("{{k = 'opt', e = {}}}", descriptor(e)),
        Type::Tuple(ts) => format!(
            "{{k = 'tuple', ts = {{{}}}}}",
            ts.iter().map(descriptor).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn optional_inside(t: &Type) -> bool {
    match t {
        Type::List(e) | Type::Map(_, e) => matches!(**e, Type::Optional(_)) || optional_inside(e),
        Type::Tuple(ts) => ts
            .iter()
            .any(|t| matches!(t, Type::Optional(_)) || optional_inside(t)),
        Type::Optional(e) => optional_inside(e),
        _ => false,
    }
}

const ENCODER: &str = r#"
local function __passk_str(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format('\\u%04x', c:byte()) end) .. '"'
end

local function __passk_enc(v, d)
  if d.k == 'opt' then
    if v == nil then return 'null' end
    return __passk_enc(v, d.e)
  elseif d.k == 'int' then
    return string.format('%d', v)
  elseif d.k == 'float' then
    return string.format('%.17g', v)
  elseif d.k == 'bool' then
    return tostring(v == true)
  elseif d.k == 'str' then
    return __passk_str(v)
  elseif d.k == 'list' then
    local out = {}
    for i, x in ipairs(v) do out[i] = __passk_enc(x, d.e) end
    return '[' .. table.concat(out, ',') .. ']'
  elseif d.k == 'tuple' then
    local out = {}
    for i, t in ipairs(d.ts) do out[i] = __passk_enc(v[i], t) end
    return '[' .. table.concat(out, ',') .. ']'
  else
    local out = {}
    for key, x in pairs(v) do out[#out + 1] = __passk_str(tostring(key)) .. ':' .. __passk_enc(x, d.e) end
    return '{' .. table.concat(out, ',') .. '}'
  end
end
"#;

impl Renderer for Lua {
    fn literal(&self, t: &Type, v: &Value) -> String {
        literal(t, v)
    }
    fn language(&self) -> Language {
        Language::Lua
    }

    fn supports(&self, p: &NativeProblem) -> bool {
        let s = &p.signature;
        !optional_inside(&s.returns) && !s.params.iter().any(|x| optional_inside(&x.ty))
    }

    fn prompt(&self, p: &NativeProblem) -> String {
        let s = &p.signature;
        let params: Vec<&str> = s.params.iter().map(|x| x.name.as_str()).collect();
        format!(
            "{}local function {}({})\n",
            comment_lines(&p.description, "-- "),
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
                format!("  function() return {}({}) end,\n", s.name, args)
            })
            .collect();
        format!(
            "{ENCODER}\nlocal __passk_type = {}\nlocal __passk_tests = {{\n{calls}}}\n\
             for i, t in ipairs(__passk_tests) do\n  \
             local ok, r = pcall(function() return __passk_enc(t(), __passk_type) end)\n  \
             if ok then\n    print({m} .. ' ' .. (i - 1) .. ' ok ' .. r)\n  \
             else\n    print({m} .. ' ' .. (i - 1) .. ' error ' .. __passk_str(tostring(r)))\n  end\nend\n",
            descriptor(&s.returns),
            m = string(marker)
        )
    }

    fn stub(&self, _p: &NativeProblem) -> String {
        "  return nil\nend\n".into()
    }
}
