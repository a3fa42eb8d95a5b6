//! The table of tests/data/tricks.toml and the programs it describes: each language's real
//! MultiPL-E record HumanEval_53_add, its prompt patched as the table says, and a body after
//! it. Shared by tests/tricks.rs and benches/seal_cost.rs.

use std::collections::BTreeMap;
use std::path::Path;

use passk::lang::Language;
use passk::problem::{Code, ProblemSet};
use passk::sandbox::Program;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Table {
    pub language: String,
    pub sandboxes: Vec<String>,
    pub control: String,
    #[serde(default)]
    pub prompt_patch: Vec<[String; 2]>,
    #[serde(default)]
    pub trick: Vec<Trick>,
}

#[derive(Deserialize)]
pub struct Trick {
    pub class: String,
    pub name: String,
    pub body: String,
}

impl Table {
    pub fn language(&self) -> Language {
        Language::parse(&self.language).unwrap_or_else(|| panic!("{}", self.language))
    }
}

/// Every table, by MultiPL-E language key.
pub fn tables() -> BTreeMap<String, Table> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/tricks.toml"
    ))
    .unwrap();
    toml::from_str(&text).unwrap()
}

/// The program of `body` after the record's (patched) prompt, then the record's tests.
pub fn program(key: &str, table: &Table, body: &str) -> Program {
    let file = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/datasets/multipl-e"
    ))
    .join(format!("humaneval-{key}-reworded.jsonl.gz"));
    let set = ProblemSet::load(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut problem = set
        .get("HumanEval_53_add")
        .unwrap_or_else(|| panic!("{key}: no HumanEval_53_add"))
        .clone();
    for [from, to] in &table.prompt_patch {
        assert!(
            problem.prompt.contains(from.as_str()),
            "{key}: patch {from:?}"
        );
        problem.prompt = problem.prompt.replacen(from.as_str(), to, 1);
    }
    problem
        .program_for(&Code::Solution(format!("{}{body}", problem.prompt)))
        .program
}
