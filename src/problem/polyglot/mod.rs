//! Aider's polyglot benchmark: Exercism exercises as a suite. One exercise is a folder
//! (`<track>/exercises/practice/<slug>/`) whose `.meta/config.json` names the files the solver
//! edits (`files.solution`), the tests (`files.test`) and the reference (`files.example`);
//! `.docs/` holds the task. The model sees the instructions and the stub files and answers with
//! whole files ([`answer`]); the exercise's own tests then run under its track's runner, driven
//! by passk's trusted driver ([`drivers`]) in the process sandbox.
//!
//! What Aider does and passk keeps: the instructions are `introduction.md` +
//! `instructions.md` + `instructions.append.md`; the build files (`Cargo.toml`,
//! `CMakeLists.txt`) are not the solver's to edit; Java's `@Disabled(…)` lines are removed
//! from the tests, JavaScript's `xtest` becomes `test`; Rust's ignored tests run too; a test
//! run may take 180 s.

pub mod answer;
pub mod drivers;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::formats::{Format, Probe};
use super::{Assembled, Assembly, Problem};
use crate::errors::InputError;
use crate::lang::Language;
use crate::sandbox::{Program, Project};

pub const FORMAT: Format = Format {
    name: "polyglot",
    shape: "a folder of Exercism exercises (.meta/config.json per exercise), as in Aider's \
            polyglot benchmark",
    detect: |p| matches!(p, Probe::Dir(d) if !exercise_dirs(d).is_empty()),
    load,
};

/// The process-sandbox variant exercises run under (`sandboxes/languages.toml`).
pub const VARIANT: &str = "polyglot";

/// Aider's limit on one test run (build included).
pub const TIME_LIMIT: Duration = Duration::from_secs(180);

/// Exercises run a whole test framework (a JVM, Jest, Cargo) and tests that may build large
/// structures (Go's alphametics reference peaks near 470 MB); Aider's containers set none.
pub const MEMORY_LIMIT: u64 = 2 << 30;

/// How deep below the given folder exercises are looked for: the benchmark's root
/// (`<track>/exercises/practice/<slug>`), a track, its practice folder or one exercise.
const MAX_DEPTH: usize = 4;

/// One exercise, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    pub language: Language,
    pub slug: String,
    /// The task text, as Aider assembles it.
    pub instructions: String,
    /// The files the solver edits, with their stubs (`files.solution` without build files).
    pub solution: Vec<(String, String)>,
    /// Every other file a run needs, as it is written beside the solution: tests (with
    /// skips lifted), build files, headers, support code.
    pub files: Vec<(String, String)>,
    /// The reference solution, on the paths it takes in the exercise.
    pub example: Vec<(String, String)>,
    /// The test files (`files.test`).
    pub tests: Vec<String>,
    /// passk's driver for this exercise (see [`drivers`]).
    pub driver: String,
}

#[derive(Debug, Deserialize)]
struct Config {
    files: ConfigFiles,
}

#[derive(Debug, Deserialize)]
struct ConfigFiles {
    solution: Vec<String>,
    test: Vec<String>,
    example: Vec<String>,
}

/// Build files Aider never shows the solver as editable (they are still written, as the
/// exercise has them).
const BUILD_FILES: [&str; 2] = ["Cargo.toml", "CMakeLists.txt"];

/// Folders of an exercise that are neither the solver's nor the runner's.
const NOT_RUN: [&str; 5] = [".meta", ".docs", ".approaches", ".articles", "gradle"];

fn format_error(path: &Path, message: impl Into<String>) -> InputError {
    InputError::Format {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Every exercise folder at or below `dir`, sorted.
pub fn exercise_dirs(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        if dir.join(".meta").join("config.json").is_file() {
            out.push(dir.to_path_buf());
            return;
        }
        if depth == 0 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let hidden = e.file_name().to_string_lossy().starts_with('.');
            if p.is_dir() && !hidden {
                walk(&p, depth - 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, MAX_DEPTH, &mut out);
    out.sort();
    out
}

/// The track of an exercise, from its test files' extension (as Aider picks the runner).
fn track(tests: &[String]) -> Option<Language> {
    tests.iter().find_map(|t| {
        let ext = Path::new(t).extension()?.to_str()?;
        Some(match ext {
            "py" => Language::Python,
            "rs" => Language::Rust,
            "go" => Language::Go,
            "js" => Language::JavaScript,
            "cpp" => Language::Cpp,
            "java" => Language::Java,
            _ => return None,
        })
    })
}

fn read_text(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| InputError::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

/// Every text file of the exercise below `dir` that a run needs, by relative path.
fn run_files(root: &Path) -> Result<Vec<(String, String)>, InputError> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> Result<(), InputError> {
        let io = |e| InputError::Io {
            path: dir.to_path_buf(),
            source: e,
        };
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            let rel = p
                .strip_prefix(root)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if NOT_RUN.iter().any(|n| rel == *n) {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out)?;
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                // Binary files (Gradle's wrapper jar) are not what passk's runners use.
                out.push((rel, text));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    Ok(out)
}

/// Where a reference file goes in the exercise: Java's `.meta/src/reference/java/X.java` to
/// `src/main/java/X.java`; `.meta/example.EXT` and JavaScript's `.meta/proof.ci.js` to the
/// solution file with that extension.
fn example_destination(example: &str, solution: &[String]) -> Option<String> {
    if let Some(rest) = example.strip_prefix(".meta/src/reference/java/") {
        return Some(format!("src/main/java/{rest}"));
    }
    let ext = Path::new(example).extension()?.to_str()?;
    let mut same = solution
        .iter()
        .filter(|s| Path::new(s).extension().and_then(|e| e.to_str()) == Some(ext));
    let first = same.next()?;
    same.next().is_none().then(|| first.clone())
}

/// Reads one exercise folder.
pub fn read_exercise(dir: &Path) -> Result<Exercise, InputError> {
    let config_path = dir.join(".meta").join("config.json");
    let config: Config = serde_json::from_str(&read_text(&config_path)?)
        .map_err(|e| format_error(&config_path, format!("not an exercise config: {e}")))?;
    let slug = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let language = track(&config.files.test).ok_or_else(|| {
        format_error(
            &config_path,
            format!(
                "no test runner passk knows for the test files {:?} (tracks: Python, Rust, Go, \
                 JavaScript, C++, Java)",
                config.files.test
            ),
        )
    })?;
    for name in config
        .files
        .solution
        .iter()
        .chain(&config.files.test)
        .chain(&config.files.example)
    {
        if !answer::is_relative(name) {
            return Err(format_error(
                &config_path,
                format!("`{name}` is not a path inside the exercise"),
            ));
        }
        if !dir.join(name).is_file() {
            return Err(format_error(
                &config_path,
                format!("names `{name}`, which is not in {}", dir.display()),
            ));
        }
    }
    let editable: Vec<String> = config
        .files
        .solution
        .iter()
        .filter(|s| !BUILD_FILES.contains(&s.as_str()))
        .cloned()
        .collect();
    let mut instructions = String::new();
    for doc in [
        "introduction.md",
        "instructions.md",
        "instructions.append.md",
    ] {
        let p = dir.join(".docs").join(doc);
        if p.is_file() {
            instructions.push_str(&read_text(&p)?);
        }
    }
    if instructions.trim().is_empty() {
        return Err(format_error(dir, "no .docs/instructions.md"));
    }
    let mut solution = Vec::new();
    for s in &editable {
        solution.push((s.clone(), read_text(&dir.join(s))?));
    }
    let mut example = Vec::new();
    for e in &config.files.example {
        let to = example_destination(e, &editable).ok_or_else(|| {
            format_error(
                &config_path,
                format!("cannot tell which solution file the reference `{e}` replaces"),
            )
        })?;
        example.push((to, read_text(&dir.join(e))?));
    }
    let files: Vec<(String, String)> = run_files(dir)?
        .into_iter()
        .filter(|(p, _)| !editable.contains(p))
        .map(|(p, text)| {
            let text = if config.files.test.contains(&p) {
                drivers::lift_skips(language, &text)
            } else {
                text
            };
            (p, text)
        })
        .collect();
    // A reference file identical to a file the exercise ships (Java's editor classes) is
    // no part of the answer.
    example.retain(|(p, text)| !files.iter().any(|(q, t)| q == p && t == text));
    let mut exercise = Exercise {
        language,
        slug,
        instructions,
        solution,
        files,
        example,
        tests: config.files.test,
        driver: String::new(),
    };
    let (driver, rewritten) = drivers::driver(&exercise).map_err(|e| format_error(dir, e))?;
    exercise.driver = driver;
    for (path, text) in rewritten {
        match exercise.files.iter_mut().find(|(p, _)| *p == path) {
            Some(f) => f.1 = text,
            None => exercise.files.push((path, text)),
        }
    }
    Ok(exercise)
}

impl Exercise {
    /// The problem id: `<track>/<slug>`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.language, self.slug)
    }

    /// The program for an answer's files (already resolved onto the exercise's paths):
    /// the exercise's files, the stubs the answer left alone, the answer's files.
    pub fn program(&self, answer: &[(String, String)]) -> Program {
        let mut files = self.files.clone();
        let mut solution = Vec::new();
        for (path, stub) in &self.solution {
            let text = answer
                .iter()
                .find(|(p, _)| p == path)
                .map_or(stub, |(_, t)| t);
            files.push((path.clone(), text.clone()));
            solution.push(path.clone());
        }
        for (path, text) in answer {
            if !solution.contains(path) {
                files.push((path.clone(), text.clone()));
                solution.push(path.clone());
            }
        }
        Program {
            project: Some(Arc::new(Project { files, solution })),
            variant: Some(VARIANT),
            ..Program::plain(self.language, self.driver.clone())
        }
    }

    /// Assembles a sample's answer text: its files, or a `no_code` verdict saying why none
    /// could be taken.
    pub fn assemble(&self, text: &str) -> Assembled {
        match answer::files_from(text, self) {
            Ok(files) => self.program(&files).into(),
            Err(why) => Assembled {
                decided: Some(crate::sandbox::Execution::verdict(
                    crate::outcome::Outcome::NoCode,
                    why,
                )),
                ..self.program(&[]).into()
            },
        }
    }

    /// The reference as an answer a model would give.
    pub fn reference_answer(&self) -> String {
        answer::render(self.language, &self.example)
    }

    /// The stubs as an answer (what selfcheck's `empty_body` runs: it must fail).
    pub fn stub_answer(&self) -> String {
        answer::render(self.language, &self.solution)
    }
}

fn load(path: &Path) -> Result<Vec<Problem>, InputError> {
    let dirs = exercise_dirs(path);
    if dirs.is_empty() {
        return Err(format_error(
            path,
            "no exercise (.meta/config.json) below this folder",
        ));
    }
    let mut problems = Vec::new();
    for dir in dirs {
        let exercise = read_exercise(&dir)?;
        problems.push(Problem {
            id: exercise.id(),
            language: exercise.language,
            prompt: answer::prompt(&exercise),
            entry_point: None,
            reference: Some(exercise.reference_answer()),
            assembly: Assembly::Exercise(Arc::new(exercise)),
            time_limit: Some(TIME_LIMIT),
            memory_limit: Some(MEMORY_LIMIT),
        });
    }
    Ok(problems)
}

/// A hash of every file of every exercise (paths and contents), for the manifest.
pub fn suite_hash(path: &Path) -> Result<String, InputError> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for dir in exercise_dirs(path) {
        let rel = dir.strip_prefix(path).unwrap_or(&dir).to_string_lossy();
        let mut files = run_files(&dir)?;
        for sub in [".meta", ".docs"] {
            if dir.join(sub).is_dir() {
                files.extend(
                    run_files(&dir.join(sub))?
                        .into_iter()
                        .map(|(p, t)| (format!("{sub}/{p}"), t)),
                );
            }
        }
        for (p, text) in files {
            for part in [rel.as_bytes(), p.as_bytes(), text.as_bytes()] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part);
            }
        }
    }
    Ok(hex::encode(h.finalize()))
}
