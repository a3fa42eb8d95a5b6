//! Merging a chat model's answer (a whole function, or a whole program, from a fenced block)
//! with the benchmark's prompt and tests, language-aware.
//!
//! The answer is parsed with the language's tree-sitter grammar and split into top-level
//! items (descending into the class or module that holds the target, for Java, C#, Scala and
//! Elixir). The **target function is found by name**, never by the spelling of the prompt's
//! signature line; the answer's imports, helper functions, types and constants are kept;
//! its `main`, its own test functions, top-level example calls (`print(f(2))`) and
//! duplicates of what the prompt already defines are dropped. The program is then the
//! prompt up to its signature (with the answer's new imports added where imports go), the
//! kept items, and the answer's target function, closed as the prompt's scopes require;
//! the benchmark's tests follow unchanged. No stop string of a completion model is applied.
//!
//! Where the target cannot be found (no grammar: D, Perl, Racket; an answer that does not
//! parse; no definition of that name) the answer is merged by the freeform convention:
//! the prompt up to its signature, then the answer from the model's own copy of the
//! signature on. Which path was taken is recorded per sample ([`Merge`]).
//!
//! Choices for bad input, deterministic and documented in the README: the last definition
//! of the target wins (earlier ones are dropped); items that do not parse make the whole
//! answer take the freeform path.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::lang::Language;
use crate::problem::multipl_e::{brace_balance, tests_after_closer};
use crate::problem::{Assembly, Problem};

/// How an answer was put together with the prompt, recorded with every instruct sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Merge {
    /// The target function was found by name in the parsed answer.
    Function,
    /// The freeform convention: prompt up to the signature, then the answer from the
    /// model's copy of the signature (no grammar, no parse, or no target found).
    Freeform,
    /// The answer is the whole solution as is (MBPP, full programs).
    Whole,
}

/// The function the benchmark's tests call, as `problem` names it.
pub fn target_name(problem: &Problem) -> Option<String> {
    if let Some(e) = &problem.entry_point {
        return Some(e.clone());
    }
    static DEF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[\s(])(?:(?:def|defp|function|fn|func|sub|let(?:\s+rec)?|local\s+function)\s+|define\s+\(\s*)([A-Za-z_][\w?!]*)")
            .expect("regex")
    });
    // Haskell's `name :: type`, R's `name <- function`, else the identifier before the
    // first `(` (`std::map<…> name(` is `name`, not `std`).
    static CALLISH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*([A-Za-z_]\w*)\s*::\s|([A-Za-z_]\w*)\s*<-\s*function|([A-Za-z_]\w*)\s*\(")
            .expect("regex")
    });
    const NOT_NAMES: &[&str] = &[
        "if", "for", "while", "return", "my", "switch", "catch", "function", "sizeof",
    ];
    static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|\s)(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=").expect("regex")
    });
    let lines: Vec<&str> = code_lines(&problem.prompt)
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    let pick = |line: &str| -> Option<String> {
        let from_def = ASSIGNED
            .captures(line)
            .or_else(|| DEF.captures(line))
            .map(|c| c[1].to_string());
        from_def
            .or_else(|| {
                CALLISH.captures(line).and_then(|c| {
                    (1..=3)
                        .find_map(|i| c.get(i))
                        .map(|m| m.as_str().to_string())
                })
            })
            .filter(|n| !NOT_NAMES.contains(&n.as_str()))
    };
    // The signature is the last code line that names a function; MultiPL-E's C# prompt has
    // it only in a comment.
    lines
        .iter()
        .rev()
        .filter(|l| !is_comment(l))
        .find_map(|l| pick(l))
        .or_else(|| {
            lines
                .iter()
                .rev()
                .filter_map(|l| l.trim_start().strip_prefix("//"))
                .find_map(pick)
        })
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    ["//", "#", "--", ";", "/*", "*", "(*", ">>>", "%"]
        .iter()
        .any(|m| t.starts_with(m))
        && !t.starts_with("#include")
        && !t.starts_with("#lang")
        && !t.starts_with("#!")
}

/// Whether `line` defines `name` (rather than calls it): only a type, modifiers and a
/// definition keyword come before the name, and a parameter list, a type annotation or
/// a body follows.
pub(crate) fn defines(line: &str, name: &str) -> bool {
    const NOT_DEFINITIONS: &[&str] = &[
        "return", "assert", "print", "puts", "echo", "yield", "await", "throw", "else", "not",
        "say", "p", "pp", "println", "console",
    ];
    let first = line
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .find(|w| !w.is_empty());
    if is_comment(line) || first.is_some_and(|w| NOT_DEFINITIONS.contains(&w) && w != name) {
        return false;
    }
    // One merge asks about one name for every line: the pattern is compiled once per name.
    thread_local! {
        static LAST: std::cell::RefCell<Option<(String, Option<Regex>)>> =
            const { std::cell::RefCell::new(None) };
    }
    LAST.with(|cell| {
        let mut last = cell.borrow_mut();
        if last.as_ref().is_none_or(|(n, _)| n != name) {
            let pattern = format!(
                r"^\s*(?:\(define\s+\(?|[\w<>\[\],:*&.@?\s]*?\s)?{}(?:\s*(?:\(|::|<-|=|<|:|\{{)|\s+[\w(\[{{]|\s*$)",
                regex::escape(name)
            );
            *last = Some((name.to_string(), Regex::new(&pattern).ok()));
        }
        last.as_ref()
            .and_then(|(_, r)| r.as_ref())
            .is_some_and(|r| r.is_match(line))
    })
}

/// Byte offset in `prompt` where the signature of `name` starts (the whole prompt when it
/// has none: MultiPL-E's C#).
fn signature_at(prompt: &str, name: &str) -> usize {
    code_lines(prompt)
        .into_iter()
        .find(|(_, l)| defines(l, name))
        .map_or(prompt.len(), |(at, _)| at)
}

/// The lines of `text` outside block comments and docstrings (`/* */`, `(* *)`, `{- -}`,
/// triple-quoted strings), with their byte offsets: prose there is no signature.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    const BLOCKS: &[(&str, &str)] = &[
        ("/*", "*/"),
        ("(*", "*)"),
        ("{-", "-}"),
        ("\"\"\"", "\"\"\""),
        ("'''", "'''"),
        ("#|", "|#"),
        ("=begin", "=end"),
    ];
    let mut out = Vec::new();
    let mut at = 0;
    let mut open: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let mut rest = line;
        let mut code = open.is_none();
        loop {
            match open {
                Some(end) => match rest.find(end) {
                    Some(i) => {
                        rest = &rest[i + end.len()..];
                        open = None;
                    }
                    None => break,
                },
                None => {
                    let first = BLOCKS
                        .iter()
                        .filter_map(|(o, e)| rest.find(o).map(|i| (i, *o, *e)))
                        .min_by_key(|(i, _, _)| *i);
                    match first {
                        Some((i, o, e)) => {
                            // A line that opens a block before any code is not code.
                            if rest[..i].trim().is_empty() && std::ptr::eq(rest, line) {
                                code = false;
                            }
                            rest = &rest[i + o.len()..];
                            open = Some(e);
                        }
                        None => break,
                    }
                }
            }
        }
        if code {
            out.push((start, line.trim_end_matches('\n')));
        }
    }
    out
}

/// Lines that are imports in some language (and Go's `package`, PHP's `<?php`).
fn is_import(line: &str) -> bool {
    let l = line.trim_start();
    [
        "import ",
        "import(",
        "from ",
        "#include",
        "using ",
        "use ",
        "require",
        "extern crate",
        "open ",
        "library(",
        "alias ",
    ]
    .iter()
    .any(|p| l.starts_with(p))
        || (l.contains("require(")
            && ["const ", "let ", "var ", "local "]
                .iter()
                .any(|p| l.starts_with(p)))
}

/// One top-level item of the answer.
struct Item {
    text: String,
    kind: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Import,
    Target,
    /// `main`, test functions, `package`, example calls: dropped.
    Drop,
    Keep,
}

/// Kinds of statement nodes: a top-level one is an example call unless it assigns.
const STATEMENTS: &[&str] = &[
    "expression_statement",
    "call",
    "function_call",
    "call_expression",
    "command",
    "echo_statement",
    "if_statement",
    "for_statement",
    "while_statement",
    "print_statement",
    "assert_statement",
];

/// Kinds whose children are top-level items (tree-sitter-haskell groups them).
const GROUPS: &[&str] = &["declarations", "imports"];

/// Languages whose functions live in a class or module the answer may repeat.
fn wrapped(language: Language) -> bool {
    matches!(
        language,
        Language::Java | Language::CSharp | Language::Scala | Language::Elixir
    )
}

/// The first line of an item that is not a comment, an attribute or a decorator.
fn def_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !is_comment(l) && !l.starts_with('@') && !l.starts_with("#["))
        .unwrap_or("")
}

fn role(item: &Item, name: &str) -> Role {
    let header = item
        .text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !is_comment(l))
        .unwrap_or("");
    static MAIN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|\s)(?:main|Main)\s*(?:\(|::|=)|__name__|^package\s|^module\s|^let\s+(?:\(\)|_)\s*=")
            .expect("regex")
    });
    static TEST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[\s(])(?:def\s+test|func\s+Test|fn\s+test|mod\s+tests?\b|class\s+Test|describe\s*\(|unittest\b)|#\[cfg\(test\)\]|#\[test\]|@Test\b")
            .expect("regex")
    });
    if is_import(header) {
        return Role::Import;
    }
    if ["<?php", "?>", "#lang", "#!"]
        .iter()
        .any(|p| header.starts_with(p))
    {
        return Role::Drop;
    }
    let statement =
        STATEMENTS.contains(&item.kind) && !header.starts_with("def") && !assigns(header);
    if statement || MAIN.is_match(header) || TEST.is_match(header) {
        return Role::Drop;
    }
    if defines(def_line(&item.text), name) {
        return Role::Target;
    }
    // A class or module that has only a `main` (Java's `public class Main`).
    if MAIN.is_match(&item.text) {
        return Role::Drop;
    }
    Role::Keep
}

/// Whether a statement line assigns (a constant worth keeping) rather than calls.
fn assigns(header: &str) -> bool {
    let before_call = header.split('(').next().unwrap_or(header);
    before_call.contains('=') && !before_call.contains("==")
}

/// The answer's items, with the class or module that holds the target opened up.
fn items(language: Language, code: &str, name: &str) -> Option<Vec<Item>> {
    let grammar = crate::lang::syntax::grammar(language)?;
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&grammar).ok()?;
    let tree = parser.parse(code, None)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let mut out = Vec::new();
    push_items(root, code, name, wrapped(language), &mut out);
    Some(out)
}

fn push_items(
    node: tree_sitter::Node<'_>,
    code: &str,
    name: &str,
    open_containers: bool,
    out: &mut Vec<Item>,
) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if GROUPS.contains(&child.kind()) {
            push_items(child, code, name, open_containers, out);
            continue;
        }
        if open_containers
            && !defines(def_line(&code[child.byte_range()]), name)
            && let Some(body) = body_of(child, code, name, 0)
        {
            push_items(body, code, name, false, out);
            continue;
        }
        // A C/C++ `struct … { … };` ends in a `;` that is not part of the node.
        let mut end = child.end_byte();
        let mut next = child.next_sibling();
        while let Some(n) = next.filter(|n| !n.is_named() && n.kind() == ";") {
            end = n.end_byte();
            next = n.next_sibling();
        }
        out.push(Item {
            text: code[child.start_byte()..end].to_string(),
            kind: child.kind(),
        });
    }
}

/// The node inside `node` whose children include the target's definition.
fn body_of<'t>(
    node: tree_sitter::Node<'t>,
    code: &str,
    name: &str,
    depth: usize,
) -> Option<tree_sitter::Node<'t>> {
    if depth > 4 {
        return None;
    }
    let mut cursor = node.walk();
    let children: Vec<_> = node.named_children(&mut cursor).collect();
    for child in &children {
        // A definition, not the bare name of the node being looked into.
        if child.named_child_count() > 0 && defines(def_line(&code[child.byte_range()]), name) {
            return Some(node);
        }
    }
    children
        .into_iter()
        .find_map(|c| body_of(c, code, name, depth + 1))
}

/// Where imports go in `head`: after its last import (Go's import block included), else
/// after a leading `package`, `<?php`, `#lang` or `#!` line, else at the top.
fn import_at(head: &str) -> usize {
    let mut at = 0;
    let mut best = None;
    let mut in_block = false;
    for line in head.split_inclusive('\n') {
        at += line.len();
        let t = line.trim();
        if in_block {
            if t == ")" {
                in_block = false;
                best = Some(at);
            }
            continue;
        }
        if is_import(line) {
            if t.ends_with('(') {
                in_block = true;
            } else {
                best = Some(at);
            }
        }
    }
    best.unwrap_or_else(|| {
        let first = head.split_inclusive('\n').next().unwrap_or("");
        let t = first.trim_start();
        if ["package ", "<?php", "#lang", "#!"]
            .iter()
            .any(|p| t.starts_with(p))
        {
            first.len()
        } else {
            0
        }
    })
}

/// Imports of the answer the head lacks, one per line (Go's blocks split by path).
fn new_imports(language: Language, imports: &[String], head: &str) -> String {
    let mut out = String::new();
    for import in imports {
        let lines: Vec<String> = if language == Language::Go {
            go_paths(import)
                .into_iter()
                .filter(|p| !head.contains(&format!("\"{p}\"")))
                .map(|p| format!("import \"{p}\""))
                .collect()
        } else if head.lines().any(|l| l.trim() == import.trim()) {
            vec![]
        } else {
            vec![import.trim().to_string()]
        };
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

fn go_paths(import: &str) -> Vec<String> {
    import
        .split('"')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, p)| p.to_string())
        .collect()
}

/// The prompt's scopes left open before the signature that the answer must close after
/// its function (HumanEval-X Java's `class Solution {`; MultiPL-E Elixir's `defmodule`),
/// as text. Scopes the tests close themselves are left to them.
fn closers(problem: &Problem, head: &str) -> String {
    if problem.language == Language::Elixir {
        let opened = head
            .lines()
            .filter(|l| l.trim_end().ends_with(" do") && !l.contains("do:"))
            .count();
        let closed = head.lines().filter(|l| l.trim() == "end").count();
        return "end\n".repeat(opened.saturating_sub(closed));
    }
    if !wrapped(problem.language) {
        return String::new();
    }
    let tests_net = match &problem.assembly {
        Assembly::MultiplE { tests, .. } => brace_balance(tests_after_closer(tests)),
        Assembly::HumanEvalX { test, .. } => brace_balance(test),
        _ => 0,
    };
    let open = brace_balance(head) + tests_net;
    "}\n".repeat(open.max(0) as usize)
}

/// The solution text for an instruct answer's code, and the path taken.
pub fn merge(problem: &Problem, code: &str) -> (String, Merge) {
    if problem.prompt_is_task() {
        return (code.to_string(), Merge::Whole);
    }
    let language = problem.language;
    let Some(name) = target_name(problem) else {
        return (freeform(problem, code, None), Merge::Freeform);
    };
    let head = &problem.prompt[..signature_at(&problem.prompt, &name)];
    let Some(items) = items(language, code, &name) else {
        return (freeform(problem, code, Some(&name)), Merge::Freeform);
    };
    let (mut imports, mut kept, mut target) = (Vec::new(), Vec::new(), Vec::new());
    for item in &items {
        match role(item, &name) {
            Role::Import => imports.push(item.text.clone()),
            Role::Target => target.push(item),
            Role::Keep => {
                let first = item.text.lines().next().unwrap_or("").trim();
                // A helper the prompt already defines (HumanEval/10's `is_palindrome`).
                if !head.lines().any(|l| !first.is_empty() && l.trim() == first) {
                    kept.push(item.text.clone());
                }
            }
            Role::Drop => {}
        }
    }
    if target.is_empty() {
        return (freeform(problem, code, Some(&name)), Merge::Freeform);
    }
    // Haskell's signature and equations are items of one function; elsewhere the last
    // definition wins.
    let target: Vec<&Item> = if language == Language::Haskell {
        target
    } else {
        vec![*target.last().expect("non-empty")]
    };
    // HumanEval-X's Go harness imports what the code uses itself.
    let go_x = language == Language::Go && matches!(problem.assembly, Assembly::HumanEvalX { .. });
    let added = if go_x {
        String::new()
    } else {
        new_imports(language, &imports, head)
    };
    let at = import_at(head);
    let mut out = String::new();
    out.push_str(&head[..at]);
    out.push_str(&added);
    out.push_str(&head[at..]);
    for k in kept {
        out.push_str(&k);
        out.push_str("\n\n");
    }
    for t in target {
        out.push_str(&t.text);
        out.push('\n');
    }
    out.push_str(&closers(problem, head));
    (out, Merge::Function)
}

/// The freeform convention: the prompt up to its signature, then the answer from the
/// model's own copy of the signature on (the whole answer when it has none), its imports
/// moved to where imports go and its own brace-delimited `main` left out (the tests bring
/// theirs: D's `void main`).
pub fn freeform(problem: &Problem, code: &str, name: Option<&str>) -> String {
    let head = match name {
        Some(n) => &problem.prompt[..signature_at(&problem.prompt, n)],
        None => problem.prompt.as_str(),
    };
    let code = without_main(code);
    let code = code.as_str();
    let from = name.map_or(0, |n| signature_at(code, n));
    let from = if from == code.len() { 0 } else { from };
    let (before, body) = code.split_at(from.min(code.len()));
    let imports: Vec<String> = before
        .lines()
        .filter(|l| is_import(l))
        .map(str::to_string)
        .collect();
    let kept: String = before
        .split_inclusive('\n')
        .filter(|l| !is_import(l))
        .filter(|l| {
            !["<?php", "#lang", "#!", "package "]
                .iter()
                .any(|p| l.trim_start().starts_with(p))
        })
        .collect();
    let at = import_at(head);
    let mut out = String::new();
    out.push_str(&head[..at]);
    out.push_str(&new_imports(problem.language, &imports, head));
    out.push_str(&head[at..]);
    out.push_str(&kept);
    out.push_str(body);
    out.push('\n');
    out.push_str(&closers(problem, head));
    out
}

/// `code` without a brace-delimited `main` function (D, C-like answers the grammar path
/// did not take): the benchmark's tests bring their own.
fn without_main(code: &str) -> String {
    static MAIN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^[ \t]*(?:(?:public\s+)?(?:static\s+)?(?:int|void|func|fn)\s+)main\s*\(")
            .expect("regex")
    });
    let Some(m) = MAIN.find(code) else {
        return code.to_string();
    };
    let Some(open) = code[m.end()..].find('{').map(|i| m.end() + i) else {
        return code.to_string();
    };
    let mut depth = 0i64;
    for (i, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    let end = open + i + 1;
                    return format!("{}{}", &code[..m.start()], &code[end..]);
                }
            }
            _ => {}
        }
    }
    code.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Code, ProblemSet};

    fn multipl_e(lang: &str, name: &str) -> Problem {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
            "../shared/datasets/multipl-e/humaneval-{lang}-reworded.jsonl.gz"
        ));
        let set = ProblemSet::load(&path).unwrap();
        set.problems.into_iter().find(|p| p.id == name).unwrap()
    }

    fn program(p: &Problem, code: &str) -> (String, Merge) {
        let (solution, how) = merge(p, code);
        (p.program_for(&Code::Solution(solution)).program.source, how)
    }

    #[test]
    fn target_names_come_from_the_prompts_signature() {
        for (lang, want) in [
            ("js", "add"),
            ("java", "add"),
            ("cs", "Add"),
            ("pl", "add"),
            ("hs", "add"),
            ("ml", "add"),
            ("rkt", "add"),
            ("elixir", "add"),
            ("r", "add"),
            ("sh", "add"),
            ("go", "add"),
        ] {
            let p = multipl_e(lang, "HumanEval_53_add");
            assert_eq!(target_name(&p).as_deref(), Some(want), "{lang}");
        }
    }

    /// The signature's spelling differs from the prompt's (`){` vs `) {`, a renamed
    /// parameter): the function is found by name, and the example call is dropped.
    #[test]
    fn a_differently_spelled_signature_is_found_by_name() {
        let p = multipl_e("js", "HumanEval_53_add");
        let answer = "function add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(2, 3));\n";
        let (src, how) = program(&p, answer);
        assert_eq!(how, Merge::Function);
        assert_eq!(src.matches("function add(").count(), 1, "{src}");
        assert!(!src.contains("console.log(add(2, 3))"), "{src}");
        assert!(src.contains("return a + b;\n}\n"), "{src}");
    }

    /// Go: the answer's imports are kept (once), its `package`, `main` and its own test
    /// function — which would clash with the benchmark's — are dropped.
    #[test]
    fn go_keeps_imports_and_drops_main_and_tests() {
        let p = multipl_e("go", "HumanEval_23_strlen");
        let answer = "package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\nfunc strlen(s string) int {\n\treturn len(strings.Split(s, \"\")) * 0 + len(s)\n}\n\nfunc TestStrlen(t *testing.T) {}\n\nfunc main() {\n\tfmt.Println(strlen(\"abc\"))\n}\n";
        let (src, how) = program(&p, answer);
        assert_eq!(how, Merge::Function);
        assert!(src.contains("import \"strings\"\n"), "{src}");
        assert_eq!(src.matches("\"fmt\"").count(), 1, "{src}");
        assert!(!src.contains("func main"), "{src}");
        assert_eq!(src.matches("func TestStrlen").count(), 1, "{src}");
        assert!(!src.contains("package main"), "{src}");
    }

    /// A whole C# program: the method is taken out of the answer's class and closed by
    /// the benchmark's tests; the answer's `Main` goes.
    #[test]
    fn a_whole_csharp_program_gives_its_method() {
        let p = multipl_e("cs", "HumanEval_53_add");
        let answer = "using System;\n\nclass Program {\n    public static long Add(long x, long y) {\n        return x + y;\n    }\n    static void Main(string[] args) {\n        Console.WriteLine(Add(2, 3));\n    }\n}\n";
        let (src, how) = program(&p, answer);
        assert_eq!(how, Merge::Function);
        assert!(
            src.contains(
                "public static long Add(long x, long y) {\n        return x + y;\n    }\n"
            ),
            "{src}"
        );
        assert!(!src.contains("Console.WriteLine(Add(2, 3))"), "{src}");
        assert_eq!(src.matches("static void Main").count(), 1, "{src}");
        assert_eq!(brace_balance(&src), 0, "{src}");
    }

    /// Without a grammar (Perl), the freeform convention: the model's `my (` signature
    /// replaces the prompt's `my(`, and a blank line inside the body cuts nothing.
    #[test]
    fn perl_takes_the_freeform_path_without_stop_tokens() {
        let p = multipl_e("pl", "HumanEval_53_add");
        let answer = "sub add {\n    my ($x, $y) = @_;\n\n    return $x + $y;\n}\n";
        let (src, how) = program(&p, answer);
        assert_eq!(how, Merge::Freeform);
        assert!(
            src.contains("    my ($x, $y) = @_;\n\n    return $x + $y;\n}\n"),
            "{src}"
        );
        assert!(!src.contains("my($x, $y)"), "{src}");
    }

    /// The target defined twice: the last definition wins, deterministically.
    #[test]
    fn the_last_definition_wins() {
        let p = multipl_e("py", "HumanEval_53_add");
        let answer =
            "def add(x, y):\n    return 0\n\ndef add(x: int, y: int) -> int:\n    return x + y\n";
        let (src, how) = program(&p, answer);
        assert_eq!(how, Merge::Function);
        assert!(!src.contains("return 0"), "{src}");
        assert!(src.contains("return x + y"), "{src}");
    }

    /// An answer that does not parse is merged by the freeform convention, never dropped.
    #[test]
    fn an_answer_that_does_not_parse_goes_freeform() {
        let p = multipl_e("js", "HumanEval_53_add");
        let (src, how) = program(&p, "function add(x, y) {\n  return x + ;\n}\n");
        assert_eq!(how, Merge::Freeform);
        assert!(src.contains("return x + ;"), "{src}");
    }
}
