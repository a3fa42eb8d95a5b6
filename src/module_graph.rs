//! The dependency graph of the top-level modules of `src/` (test modules aside), and the
//! rule that it has no cycles: each module may call only modules below it, so that a
//! newcomer can read the crate bottom-up and a change stays in its layer.
//! `ARCHITECTURE.md` draws the same layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its code names with `crate::…`.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// Reads every `.rs` file under `src` and collects the `crate::X` paths its code (not its
/// comments, not its `#[cfg(test)] mod tests`) names.
pub fn read(src: &Path) -> Graph {
    let mut graph = Graph::new();
    let mut files = Vec::new();
    collect(src, &mut files);
    let tests = test_only_files(&files);
    for file in files.into_iter().filter(|f| !tests.contains(f)) {
        let rel = file.strip_prefix(src).expect("under src");
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|s| s.trim_end_matches(".rs").to_string())
            .expect("a file name");
        if top == "main" || top == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable source");
        let entry = graph.entry(top.clone()).or_default();
        for target in named_modules(&text) {
            if target != top {
                entry.insert(target);
            }
        }
    }
    graph
}

/// The files of modules declared `#[cfg(test)] mod name;` (a test module or a fake kept
/// in its own file).
fn test_only_files(files: &[std::path::PathBuf]) -> BTreeSet<std::path::PathBuf> {
    let mut out = BTreeSet::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let dir = match file.file_stem().and_then(|s| s.to_str()) {
            Some("mod" | "lib" | "main") => file.parent().expect("a folder").to_path_buf(),
            Some(stem) => file.with_file_name(stem),
            None => continue,
        };
        let mut lines = text.lines().map(str::trim);
        while let Some(line) = lines.next() {
            if line != "#[cfg(test)]" {
                continue;
            }
            let Some(next) = lines.next() else { break };
            let decl = next
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            if let Some(name) = decl.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
                out.insert(dir.join(format!("{name}.rs")));
                out.insert(dir.join(name).join("mod.rs"));
            }
        }
    }
    out
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable src").flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The modules `crate::X` names in code: comments and the trailing test module are cut,
/// and `use crate::{a::…, b::…}` counts each.
fn named_modules(text: &str) -> BTreeSet<String> {
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut found = BTreeSet::new();
    for line in code.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    if let Some(name) = ident(item.trim()) {
                        found.insert(name);
                    }
                }
            } else if let Some(name) = ident(rest) {
                found.insert(name);
            }
        }
    }
    found
}

fn ident(s: &str) -> Option<String> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0 && &s[..end] != "self").then(|| s[..end].to_string())
}

/// Every cycle's modules (strongly connected components of more than one module), each
/// sorted; empty when the graph is acyclic.
pub fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let nodes: Vec<&String> = graph.keys().collect();
    let reaches = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for m in graph.get(&n).into_iter().flatten() {
                if seen.insert(m.clone()) {
                    stack.push(m.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&String, BTreeSet<String>> =
        nodes.iter().map(|n| (*n, reaches(n))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut placed = BTreeSet::new();
    for n in &nodes {
        if placed.contains(*n) || !reach[n].contains(*n) {
            continue;
        }
        let component: Vec<String> = nodes
            .iter()
            .filter(|m| reach[n].contains(**m) && reach[*m].contains(*n))
            .map(|m| (*m).clone())
            .collect();
        placed.extend(component.iter().cloned());
        out.push(component);
    }
    out
}

/// The edges inside a cycle, `a → b (files…)`-style, for the failure message.
pub fn edges_within(graph: &Graph, component: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for a in component {
        for b in graph.get(a).into_iter().flatten() {
            if component.contains(b) {
                out.push(format!("{a} → {b}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_level_modules_form_no_cycle() {
        let graph = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
        assert!(graph.len() > 10, "read the crate: {graph:?}");
        let found = cycles(&graph);
        let described: Vec<String> = found
            .iter()
            .map(|c| format!("{} ({})", c.join(" · "), edges_within(&graph, c).join(", ")))
            .collect();
        assert!(
            found.is_empty(),
            "cyclic module groups: {}",
            described.join("; ")
        );
    }

    /// The repository documents itself: no comment points to a design document that is not
    /// in it.
    #[test]
    fn no_source_cites_a_design_document_outside_the_repository() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let cited = ["DESIGN", " §"].concat();
        let mut files = Vec::new();
        for dir in ["src", "tests", "benches"] {
            collect(&root.join(dir), &mut files);
        }
        let citing: Vec<String> = files
            .iter()
            .filter(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains(&cited)))
            .map(|f| f.display().to_string())
            .collect();
        assert!(citing.is_empty(), "{citing:?}");
    }

    #[test]
    fn a_cycle_is_found_and_named() {
        let text = "use crate::b::X;\n// crate::c in a comment\n";
        assert_eq!(named_modules(text), BTreeSet::from(["b".to_string()]));
        let grouped = "use crate::{c::Y, d, self};\n";
        assert_eq!(
            named_modules(grouped),
            BTreeSet::from(["c".to_string(), "d".to_string()])
        );
        let mut g = Graph::new();
        g.entry("a".into()).or_default().insert("b".into());
        g.entry("b".into()).or_default().insert("c".into());
        g.entry("c".into()).or_default().insert("a".into());
        g.entry("d".into()).or_default().insert("a".into());
        assert_eq!(cycles(&g), vec![vec!["a", "b", "c"]]);
        assert_eq!(edges_within(&g, &cycles(&g)[0]).len(), 3);
        g.get_mut("c").unwrap().clear();
        assert!(cycles(&g).is_empty());
    }
}
