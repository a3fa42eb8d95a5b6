//! What the model is shown of an exercise and how its answer becomes files: one fenced block
//! per file, the file's path on the line before the fence (or in the fence's info string).
//! A block is taken for a solution file (by path, or by its name when that is unique), or
//! for a new file beside them with the track's extension; a block naming a test, a build
//! file or a path outside the exercise is ignored, as Aider restores the tests before it
//! runs them.

use std::path::{Component, Path};

use super::Exercise;
use crate::lang::Language;

/// True for a relative path that stays inside the folder it is relative to.
pub fn is_relative(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

fn fence_tag(language: Language) -> &'static str {
    match language {
        Language::Cpp => "cpp",
        other => other.as_str(),
    }
}

/// Files as an answer: each path, then its content in a fence longer than any run of
/// backticks inside it.
pub fn render(language: Language, files: &[(String, String)]) -> String {
    let mut out = String::new();
    for (path, text) in files {
        let longest = text
            .lines()
            .map(|l| l.trim_start().chars().take_while(|&c| c == '`').count())
            .max()
            .unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let tag = if path.ends_with(".h") {
            "cpp"
        } else {
            fence_tag(language)
        };
        out.push_str(&format!("{path}\n{fence}{tag}\n{text}"));
        if !text.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{fence}\n\n"));
    }
    out
}

/// The user message: the task, then every file the solver edits.
pub fn prompt(ex: &Exercise) -> String {
    let names: Vec<&str> = ex.solution.iter().map(|(p, _)| p.as_str()).collect();
    format!(
        "{}\n\n####\n\nSolve the task above by editing these files: {}. Keep the names of \
         the existing functions, classes and types: the tests use them. Use only the \
         standard library.\n\nAnswer with the complete new content of every file you \
         change, each in its own fenced code block with the file's path on the line just \
         before the block.\n\n{}",
        ex.instructions.trim_end(),
        names.join(", "),
        render(ex.language, &ex.solution)
    )
}

/// What follows a failed try (Aider's second try): the test output, then the request to
/// fix the solution files.
pub fn repair_request(ex: &Exercise) -> String {
    let names: Vec<&str> = ex.solution.iter().map(|(p, _)| p.as_str()).collect();
    format!(
        "The tests above failed. They are correct: do not change them. Fix the code in {} \
         and answer with the complete content of every file you change, as before.",
        names.join(", ")
    )
}

/// One fenced block of an answer, with the path it names, if any.
struct Block<'a> {
    name: Option<String>,
    text: &'a str,
}

/// The path a label line or fence info string names: its last word that looks like a file
/// (has a dot), stripped of Markdown decoration.
fn path_in(label: &str) -> Option<String> {
    label
        .split_whitespace()
        .rev()
        .map(|w| {
            w.trim_matches(|c: char| matches!(c, '`' | '*' | '_' | ':' | '"' | '\'' | '(' | ')'))
        })
        .find(|w| w.contains('.') && !w.ends_with('.') && (!w.starts_with('.') || w.contains('/')))
        .map(|w| w.trim_start_matches("./").to_string())
}

fn blocks(answer: &str) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let mut previous: Option<&str> = None;
    let mut rest = answer;
    while !rest.is_empty() {
        let (line, after) = match rest.find('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let trimmed = line.trim_start();
        let ticks = trimmed.chars().take_while(|&c| c == '`').count();
        if ticks < 3 {
            if !line.trim().is_empty() {
                previous = Some(line);
            }
            rest = after;
            continue;
        }
        let info = &trimmed[ticks..];
        // The block ends at a line of at least as many backticks and nothing else.
        let mut end = after.len();
        let mut next = "";
        let mut at = 0;
        for l in after.split_inclusive('\n') {
            let t = l.trim();
            if t.len() >= ticks && t.chars().all(|c| c == '`') {
                end = at;
                next = &after[at + l.len()..];
                break;
            }
            at += l.len();
        }
        let name = info
            .split_whitespace()
            .skip(1)
            .find_map(path_in)
            .or_else(|| path_in(info).filter(|p| p.contains('/') || info.contains('.')))
            .or_else(|| previous.and_then(path_in));
        out.push(Block {
            name,
            text: &after[..end],
        });
        previous = None;
        rest = next;
    }
    out
}

/// Where a block named `name` goes, or `None` when it may not be written.
fn destination(name: &str, ex: &Exercise) -> Option<String> {
    if !is_relative(name) {
        return None;
    }
    let name = name.trim_start_matches("./");
    let solution: Vec<&str> = ex.solution.iter().map(|(p, _)| p.as_str()).collect();
    if solution.contains(&name) {
        return Some(name.to_string());
    }
    // A longer path ending in a solution file (`forth/forth.py`), or a bare file name
    // (`Connect.java`) that only one solution file has.
    let matches: Vec<&&str> = solution
        .iter()
        .filter(|s| {
            name.ends_with(&format!("/{s}"))
                || (!name.contains('/') && Path::new(s).file_name() == Some(name.as_ref()))
        })
        .collect();
    if let [one] = matches.as_slice() {
        return Some(one.to_string());
    }
    // A new file beside the solution's, in the track's language, that the exercise does not
    // already have (a Java helper class, a Rust module).
    let ext = Path::new(name).extension()?.to_str()?;
    let own_ext = solution
        .iter()
        .any(|s| Path::new(s).extension().and_then(|e| e.to_str()) == Some(ext));
    let beside = solution
        .iter()
        .any(|s| Path::new(s).parent() == Path::new(name).parent());
    let taken = ex.files.iter().any(|(p, _)| p == name) || ex.tests.iter().any(|t| t == name);
    (own_ext && beside && !taken).then(|| name.to_string())
}

fn has_known_extension(name: &str, ex: &Exercise) -> bool {
    let ext = Path::new(name).extension();
    ext.is_some()
        && ex
            .solution
            .iter()
            .map(|(p, _)| p)
            .chain(ex.files.iter().map(|(p, _)| p))
            .any(|p| Path::new(p).extension() == ext)
}

/// The files of an answer on the exercise's paths, or why none could be taken.
pub fn files_from(answer: &str, ex: &Exercise) -> Result<Vec<(String, String)>, String> {
    let blocks = blocks(answer);
    let single = (ex.solution.len() == 1).then(|| ex.solution[0].0.clone());
    let mut files: Vec<(String, String)> = Vec::new();
    let mut ignored = Vec::new();
    for b in &blocks {
        let to = match &b.name {
            Some(n) => destination(n, ex).or_else(|| {
                // A "name" that is no file of this kind (a word with a dot in the prose
                // before the block) names nothing.
                (!n.contains('/') && !has_known_extension(n, ex))
                    .then(|| single.clone())
                    .flatten()
            }),
            None => single.clone(),
        };
        match to {
            // A later block for the same file wins (a corrected version).
            Some(to) => {
                files.retain(|(p, _)| *p != to);
                files.push((to, b.text.to_string()));
            }
            None => ignored.extend(b.name.clone()),
        }
    }
    if files.is_empty() {
        let expected: Vec<&str> = ex.solution.iter().map(|(p, _)| p.as_str()).collect();
        return Err(if blocks.is_empty() {
            format!(
                "the answer has no fenced code block (expected one per file: {})",
                expected.join(", ")
            )
        } else if ignored.is_empty() {
            format!(
                "the answer's code blocks name no file (expected: {})",
                expected.join(", ")
            )
        } else {
            format!(
                "the answer names only files it may not write ({}); expected: {}",
                ignored.join(", "),
                expected.join(", ")
            )
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(solution: &[&str]) -> Exercise {
        Exercise {
            language: Language::Java,
            slug: "connect".into(),
            instructions: "Do it.".into(),
            solution: solution
                .iter()
                .map(|s| (s.to_string(), "stub\n".into()))
                .collect(),
            files: vec![("src/test/java/ConnectTest.java".into(), "test".into())],
            example: vec![],
            tests: vec!["src/test/java/ConnectTest.java".into()],
            driver: String::new(),
        }
    }

    #[test]
    fn blocks_are_taken_by_path_by_name_and_as_new_files() {
        let ex = exercise(&["src/main/java/Connect.java"]);
        let answer = "Here you go.\n\n**Connect.java**\n```java\nclass Connect {}\n```\n\n\
                      src/main/java/Board.java\n```java\nclass Board {}\n```\n\
                      src/test/java/ConnectTest.java\n```java\nnope\n```\n";
        let files = files_from(answer, &ex).unwrap();
        assert_eq!(
            files,
            vec![
                (
                    "src/main/java/Connect.java".to_string(),
                    "class Connect {}\n".to_string()
                ),
                (
                    "src/main/java/Board.java".to_string(),
                    "class Board {}\n".to_string()
                ),
            ]
        );
    }

    #[test]
    fn outside_paths_and_tests_are_never_written() {
        let ex = exercise(&["src/main/java/Connect.java"]);
        for name in [
            "../x.java",
            "/etc/passwd.java",
            "src/test/java/ConnectTest.java",
        ] {
            let answer = format!("{name}\n```java\nclass X {{}}\n```\n");
            let err = files_from(&answer, &ex).unwrap_err();
            assert!(err.contains("may not write"), "{name}: {err}");
        }
        assert!(
            files_from("no code here", &ex)
                .unwrap_err()
                .contains("no fenced code block")
        );
    }

    #[test]
    fn render_round_trips_with_fences_inside() {
        let ex = exercise(&["src/lib.rs", "src/util.rs"]);
        let files = vec![
            (
                "src/lib.rs".to_string(),
                "/// ```\n/// assert!(true);\n/// ```\npub fn f() {}\n".to_string(),
            ),
            ("src/util.rs".to_string(), "pub fn g() {}\n".to_string()),
        ];
        let text = render(Language::Rust, &files);
        assert_eq!(files_from(&text, &ex).unwrap(), files);
    }

    #[test]
    fn an_unnamed_block_is_the_only_solution_file() {
        let ex = exercise(&["forth.py"]);
        let files = files_from("```python\nx = 1\n```", &ex).unwrap();
        assert_eq!(files, vec![("forth.py".to_string(), "x = 1\n".to_string())]);
        let two = exercise(&["a.cpp", "a.h"]);
        assert!(files_from("```cpp\nint x;\n```", &two).is_err());
    }
}
