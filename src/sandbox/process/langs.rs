//! Language definitions of the process sandbox: the data in `sandboxes/languages.toml`
//! (embedded at build time), parsed and checked once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::lang::Language;

const LANGUAGES_TOML: &str = include_str!("../../../sandboxes/languages.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    defaults: Defaults,
    language: BTreeMap<String, RawDef>,
    /// benchmark → language → overrides.
    #[serde(default)]
    variant: BTreeMap<String, BTreeMap<String, RawVariant>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    file: Option<String>,
    compile: Option<Vec<String>>,
    run: Option<Vec<String>>,
    work_mb: Option<u64>,
    /// Output that says a test's expectation failed (`wrong_answer`), for a runner whose
    /// failures the language's own patterns do not name.
    assertion: Option<Vec<String>>,
    #[serde(default)]
    requires: Vec<String>,
    /// What to say when `requires` is not met, instead of the install hint.
    unavailable: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Defaults {
    work_mb: u64,
    threads: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDef {
    file: String,
    #[serde(default)]
    compile: Option<Vec<String>>,
    run: Vec<String>,
    version: Vec<String>,
    #[serde(default)]
    apt: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    binds: Vec<String>,
    #[serde(default)]
    sysroot: Option<Vec<String>>,
    work_mb: Option<u64>,
    threads: Option<u64>,
    #[serde(default)]
    compile_error: Vec<String>,
    #[serde(default)]
    syntax_error: Vec<String>,
    #[serde(default)]
    runtime_error: Vec<String>,
    #[serde(default)]
    assertion: Vec<String>,
    #[serde(default)]
    memory: Vec<String>,
    #[serde(default)]
    fail_output: Vec<String>,
    #[serde(default)]
    fail_on_stderr: bool,
    #[serde(default)]
    silent_failure_is_wrong_answer: bool,
    check_pass: Option<String>,
    check_fail: Option<String>,
    unavailable: Option<String>,
    warm_cache: Option<WarmCache>,
}

/// A build cache every sample of a language shares (what the tests import, the standard
/// library): filled once on the host by building `source`, mounted read-only into each
/// sandbox and copied into the run's own work dir, so a sample compiles only its own code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarmCache {
    /// The environment variable that names the cache; its value in `env` is where the run's
    /// private copy goes.
    pub env: String,
    pub file: String,
    pub source: String,
    pub build: Vec<String>,
}

/// How one language is compiled and run in the process sandbox.
#[derive(Debug, Clone)]
pub struct LanguageDef {
    pub language: Language,
    pub file: String,
    pub compile: Option<Vec<String>>,
    pub run: Vec<String>,
    pub version: Vec<String>,
    pub apt: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub binds: Vec<String>,
    pub sysroot: Option<Vec<String>>,
    pub work_mb: u64,
    pub threads: u64,
    pub compile_error: Vec<String>,
    pub syntax_error: Vec<String>,
    pub runtime_error: Vec<String>,
    pub assertion: Vec<String>,
    pub memory: Vec<String>,
    pub fail_output: Vec<String>,
    pub fail_on_stderr: bool,
    pub silent_failure_is_wrong_answer: bool,
    pub check_pass: Option<String>,
    pub check_fail: Option<String>,
    /// Why this language cannot be installed here at all.
    pub unavailable: Option<String>,
    pub warm_cache: Option<WarmCache>,
    /// Files a variant's runner needs (test-framework jars, a Python package).
    pub requires: Vec<String>,
}

impl LanguageDef {
    /// Why this definition cannot run here: the first required file that is missing.
    pub fn missing_requirement(&self) -> Option<String> {
        let missing = self
            .required_paths()
            .into_iter()
            .find(|p| !std::path::Path::new(p).exists())?;
        Some(match &self.unavailable {
            Some(why) => format!("`{missing}` is not installed: {why}"),
            None => format!(
                "`{missing}` is not installed: run `passk setup --langs {}` (Debian packages: {})",
                self.language,
                self.apt.join(" ")
            ),
        })
    }

    /// `requires`, with `{npm}` naming the npm packages `passk setup` installs.
    fn required_paths(&self) -> Vec<String> {
        let npm = crate::setup::npm::node_modules(&crate::setup::Paths::from_env());
        self.requires
            .iter()
            .map(|p| p.replace("{npm}", &npm.to_string_lossy()))
            .collect()
    }

    /// The command whose binary must exist for this language to run (compiler first).
    pub fn tool(&self) -> &str {
        self.compile
            .as_ref()
            .and_then(|c| c.first())
            .unwrap_or(&self.run[0])
    }
}

/// Every language definition, parsed once. The file is part of the binary, so a parse
/// error is a bug caught by the unit test below, never a user's problem.
pub fn all() -> &'static BTreeMap<Language, LanguageDef> {
    &defs().0
}

type Variants = BTreeMap<(String, Language), LanguageDef>;

fn defs() -> &'static (BTreeMap<Language, LanguageDef>, Variants) {
    static DEFS: OnceLock<(BTreeMap<Language, LanguageDef>, Variants)> = OnceLock::new();
    DEFS.get_or_init(|| parse(LANGUAGES_TOML).expect("sandboxes/languages.toml is valid"))
}

pub fn get(language: Language) -> Option<&'static LanguageDef> {
    all().get(&language)
}

/// The definition for a benchmark's variant of `language`, or the language's own.
pub fn get_variant(language: Language, variant: Option<&str>) -> Option<&'static LanguageDef> {
    variant
        .and_then(|v| defs().1.get(&(v.to_string(), language)))
        .or_else(|| get(language))
}

fn parse(text: &str) -> Result<(BTreeMap<Language, LanguageDef>, Variants), String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for (name, raw) in file.language {
        let language =
            Language::parse(&name).ok_or_else(|| format!("unknown language `{name}`"))?;
        if raw.run.is_empty() || raw.version.is_empty() {
            return Err(format!("{name}: `run` and `version` must not be empty"));
        }
        out.insert(
            language,
            LanguageDef {
                language,
                file: raw.file,
                compile: raw.compile,
                run: raw.run,
                version: raw.version,
                apt: raw.apt,
                env: raw.env,
                binds: raw.binds,
                sysroot: raw.sysroot,
                work_mb: raw.work_mb.unwrap_or(file.defaults.work_mb),
                threads: raw.threads.unwrap_or(file.defaults.threads),
                compile_error: raw.compile_error,
                syntax_error: raw.syntax_error,
                runtime_error: raw.runtime_error,
                assertion: raw.assertion,
                memory: raw.memory,
                fail_output: raw.fail_output,
                fail_on_stderr: raw.fail_on_stderr,
                silent_failure_is_wrong_answer: raw.silent_failure_is_wrong_answer,
                check_pass: raw.check_pass,
                check_fail: raw.check_fail,
                unavailable: raw.unavailable,
                warm_cache: raw.warm_cache,
                requires: Vec::new(),
            },
        );
    }
    let mut variants = Variants::new();
    for (bench, langs) in file.variant {
        for (name, v) in langs {
            let language = Language::parse(&name)
                .ok_or_else(|| format!("variant {bench}: unknown language `{name}`"))?;
            let mut def = out
                .get(&language)
                .cloned()
                .ok_or_else(|| format!("variant {bench}: {name} has no definition"))?;
            if let Some(file) = v.file {
                def.file = file;
            }
            if v.compile.is_some() {
                def.compile = v.compile;
            }
            if let Some(run) = v.run {
                def.run = run;
            }
            if let Some(mb) = v.work_mb {
                def.work_mb = mb;
            }
            if let Some(a) = v.assertion {
                def.assertion = a;
            }
            def.requires = v.requires;
            if v.unavailable.is_some() {
                def.unavailable = v.unavailable;
            }
            variants.insert((bench.clone(), language), def);
        }
    }
    Ok((out, variants))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_replace_commands() {
        let base = get(Language::Rust).unwrap();
        let x = get_variant(Language::Rust, Some("humaneval-x")).unwrap();
        let crates = super::super::RUST_CRATES.to_string();
        assert!(x.compile.as_ref().unwrap().contains(&crates));
        assert!(!base.compile.as_ref().unwrap().contains(&crates));
        assert_eq!(
            get_variant(Language::Go, Some("humaneval-x")).unwrap().file,
            "main_test.go"
        );
    }

    #[test]
    fn every_language_has_a_definition() {
        let defs = all();
        for &l in Language::ALL {
            let d = defs
                .get(&l)
                .unwrap_or_else(|| panic!("{l} has no definition"));
            if d.unavailable.is_none() {
                assert!(!d.apt.is_empty(), "{l}: no apt packages");
                assert!(
                    d.check_pass.is_some() && d.check_fail.is_some(),
                    "{l}: no checks"
                );
            }
        }
    }
}
