//! Syntax validity: a program parses with the language's tree-sitter grammar
//! without ERROR or MISSING nodes. Checked on the host for every sample, whatever the
//! sandbox did with it, so a report can tell "did not parse" from "parsed but failed".

use serde::{Deserialize, Serialize};

use super::Language;

/// Where a parse went wrong: 1-based line and column, and what the parser saw there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    /// `error` (text the grammar could not place) or `missing <token>` (a token the parser
    /// had to invent, such as a closing brace).
    pub kind: String,
}

/// The verdict on one program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxCheck {
    pub valid: bool,
    /// The first few errors (at most [`MAX_ERRORS`]).
    pub errors: Vec<SyntaxError>,
}

/// Errors kept per sample: the first ones locate the problem; the rest are noise.
pub const MAX_ERRORS: usize = 5;

/// The tree-sitter grammar of `language`, when passk has one.
pub fn grammar(language: Language) -> Option<tree_sitter::Language> {
    let f = match language {
        Language::Python => tree_sitter_python::LANGUAGE,
        Language::JavaScript => tree_sitter_javascript::LANGUAGE,
        Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT,
        Language::C => tree_sitter_c::LANGUAGE,
        Language::Cpp => tree_sitter_cpp::LANGUAGE,
        Language::Rust => tree_sitter_rust::LANGUAGE,
        Language::Go => tree_sitter_go::LANGUAGE,
        Language::Java => tree_sitter_java::LANGUAGE,
        Language::CSharp => tree_sitter_c_sharp::LANGUAGE,
        Language::Ruby => tree_sitter_ruby::LANGUAGE,
        Language::Php => tree_sitter_php::LANGUAGE_PHP,
        Language::Shell => tree_sitter_bash::LANGUAGE,
        Language::Haskell => tree_sitter_haskell::LANGUAGE,
        Language::OCaml => tree_sitter_ocaml::LANGUAGE_OCAML,
        Language::Scala => tree_sitter_scala::LANGUAGE,
        Language::Lua => tree_sitter_lua::LANGUAGE,
        Language::Elixir => tree_sitter_elixir::LANGUAGE,
        Language::Julia => tree_sitter_julia::LANGUAGE,
        Language::R => tree_sitter_r::LANGUAGE,
        Language::Swift => tree_sitter_swift::LANGUAGE,
        Language::D | Language::Perl | Language::Racket => return None,
    };
    Some(f.into())
}

thread_local! {
    // Parsers are cheap to keep and costly to build; one per thread and language.
    static PARSERS: std::cell::RefCell<std::collections::HashMap<Language, tree_sitter::Parser>> =
        Default::default();
}

/// Parses `source`; `None` when the language has no grammar here.
pub fn check(language: Language, source: &str) -> Option<SyntaxCheck> {
    let grammar = grammar(language)?;
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let parser = match parsers.entry(language) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let mut p = tree_sitter::Parser::new();
                p.set_language(&grammar).ok()?;
                v.insert(p)
            }
        };
        let tree = parser.parse(source, None)?;
        let root = tree.root_node();
        if !root.has_error() {
            return Some(SyntaxCheck {
                valid: true,
                errors: Vec::new(),
            });
        }
        let mut errors = Vec::new();
        let mut cursor = root.walk();
        collect(&mut cursor, &mut errors);
        Some(SyntaxCheck {
            valid: false,
            errors,
        })
    })
}

/// Depth-first walk that records ERROR and MISSING nodes, skipping subtrees without errors.
fn collect(cursor: &mut tree_sitter::TreeCursor<'_>, out: &mut Vec<SyntaxError>) {
    loop {
        let node = cursor.node();
        if out.len() >= MAX_ERRORS {
            return;
        }
        let at = node.start_position();
        if node.is_error() {
            out.push(SyntaxError {
                line: at.row + 1,
                column: at.column + 1,
                kind: "error".into(),
            });
        } else if node.is_missing() {
            out.push(SyntaxError {
                line: at.row + 1,
                column: at.column + 1,
                kind: format!("missing {}", node.kind()),
            });
        } else if node.has_error() && cursor.goto_first_child() {
            collect(cursor, out);
            cursor.goto_parent();
        }
        if !cursor.goto_next_sibling() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_fifteen_grammars_load() {
        let n = Language::ALL
            .iter()
            .filter(|&&l| grammar(l).is_some())
            .count();
        assert!(n >= 15, "{n} grammars");
        for &l in Language::ALL {
            if grammar(l).is_some() {
                // Every grammar must load into a parser (ABI compatible with tree-sitter).
                assert!(check(l, "").is_some(), "{l}");
            }
        }
    }

    #[test]
    fn valid_and_broken_programs() {
        let ok = check(Language::Python, "def f(x):\n    return x + 1\n").unwrap();
        assert!(ok.valid && ok.errors.is_empty());
        let bad = check(Language::Python, "def f(x):\n    return x +* 1\n").unwrap();
        assert!(!bad.valid);
        assert_eq!(bad.errors[0].line, 2);
        let missing = check(Language::Rust, "fn main() {\n    let x = 1;\n").unwrap();
        assert!(!missing.valid && !missing.errors.is_empty(), "{missing:?}");
        let missing = check(Language::C, "int main(void) { return 0 }\n").unwrap();
        assert_eq!(missing.errors[0].kind, "missing ;", "{missing:?}");
        assert!(
            check(Language::Go, "package p\nfunc f() int { return 1 }\n")
                .unwrap()
                .valid
        );
        assert!(check(Language::Perl, "print 1;").is_none());
    }
}
