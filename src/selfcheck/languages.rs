//! Per-language selfcheck on MultiPL-E: hand-written correct completions of five HumanEval
//! problems must pass and known-bad ones must fail with the right outcome, in every language
//! that can run here (`sandboxes/selfcheck/multipl-e.toml`). A language whose toolchain is
//! missing is reported as skipped, with the reason; one that scores wrongly fails the check.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::{SetReport, Variant};
use crate::lang::Language;
use crate::problem::{Code, ProblemSet};
use crate::runner::check::{Check, run_checks};
use crate::runner::{Cancel, Event, Job, Reporter};
use crate::sandbox::Limits;
use crate::sandbox::router::Router;

const CHECKS_TOML: &str = include_str!("../../sandboxes/selfcheck/multipl-e.toml");

/// Infinite loops each cost a whole time limit; this one leaves room for slow starters
/// (the JVM, runghc) and still ends in `timeout`.
const LOOP_LIMIT: Duration = Duration::from_secs(5);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguageChecks {
    problems: BTreeMap<String, String>,
    bad: BTreeMap<String, String>,
}

fn checks() -> BTreeMap<String, LanguageChecks> {
    toml::from_str(CHECKS_TOML).expect("sandboxes/selfcheck/multipl-e.toml is valid")
}

fn variant(name: &str) -> Option<Variant> {
    Some(match name {
        "wrong_answer" => Variant::WrongAnswer,
        "syntax_error" => Variant::SyntaxError,
        "runtime_error" => Variant::RuntimeError,
        "timeout" => Variant::InfiniteLoop,
        _ => return None,
    })
}

/// The MultiPL-E language keys passk has checks for, with their language.
pub fn keys() -> Vec<(String, Language)> {
    checks()
        .keys()
        .filter_map(|k| Language::parse(k).map(|l| (k.clone(), l)))
        .collect()
}

/// The problems file of a language key inside a MultiPL-E folder.
pub fn file_for(dir: &Path, key: &str) -> std::path::PathBuf {
    dir.join(format!("humaneval-{key}-reworded.jsonl.gz"))
}

/// The jobs of one language: every correct completion, then every bad one.
fn jobs(key: &str, set: &ProblemSet, limits: &Limits) -> Result<Vec<Check>, String> {
    let all = checks();
    let c = all
        .get(key)
        .ok_or_else(|| format!("no checks for `{key}`"))?;
    let mut out = Vec::new();
    let mut push = |id: &str, code: &str, v: Variant, limits: Limits| -> Result<(), String> {
        let p = set
            .get(id)
            .ok_or_else(|| format!("{id} is not in the {key} problems file"))?;
        out.push((
            Job::new(
                id,
                p.program_for(&Code::Completion(code.to_string())),
                limits,
            ),
            (id.to_string(), v),
        ));
        Ok(())
    };
    for (id, code) in &c.problems {
        push(id, code, Variant::Reference, limits.clone())?;
    }
    for (name, code) in &c.bad {
        let v = variant(name).ok_or_else(|| format!("{key}: unknown bad variant `{name}`"))?;
        let mut l = limits.clone();
        if v == Variant::InfiniteLoop {
            l.time = LOOP_LIMIT;
            l.fuel = l.fuel.map(|f| f / 2);
        }
        push("HumanEval_53_add", code, v, l)?;
    }
    Ok(out)
}

/// The correct programs of `language` (its hand-written completions of MultiPL-E problems,
/// assembled with the problems' tests), for benchmarks.
pub fn reference_programs(
    dir: &Path,
    language: Language,
) -> Result<Vec<crate::sandbox::Program>, String> {
    let (key, _) = keys()
        .into_iter()
        .find(|(_, l)| *l == language)
        .ok_or_else(|| format!("no MultiPL-E checks for {language}"))?;
    let file = file_for(dir, &key);
    let set = ProblemSet::load(&file).map_err(|e| e.to_string())?;
    Ok(jobs(&key, &set, &Limits::default())?
        .into_iter()
        .filter(|(_, (_, v))| *v == Variant::Reference)
        .map(|(job, _)| job.program)
        .collect())
}

/// A correct program the language's tree-sitter grammar rejects would make syntax validity
/// lie: every reference must parse.
fn grammar_accepts_references(language: Language, jobs: &[Check], report: &mut SetReport) {
    for (job, (id, v)) in jobs {
        if *v != Variant::Reference {
            continue;
        }
        if let Some(c) = crate::lang::syntax::check(language, &job.program.source)
            && !c.valid
        {
            report.failures.push(super::Failure {
                task_id: id.clone(),
                variant: Variant::Reference,
                outcome: crate::outcome::Outcome::SyntaxError,
                detail: format!(
                    "the tree-sitter grammar rejects this correct program: {:?}",
                    c.errors
                ),
            });
        }
    }
}

/// Checks every language in `only` (all with checks when empty) whose MultiPL-E file is in
/// `dir`. Each language gets its own report ([`Event::SetChecked`] as it ends).
pub fn check(
    dir: &Path,
    only: &[Language],
    sandbox: Arc<Router>,
    limits: &Limits,
    workers: usize,
    cancel: &Cancel,
    reporter: &dyn Reporter,
) -> Vec<SetReport> {
    let mut reports = Vec::new();
    for (key, language) in keys() {
        if !only.is_empty() && !only.contains(&language) {
            continue;
        }
        let file = file_for(dir, &key);
        let mut report = SetReport {
            name: format!(
                "{language} (MultiPL-E {key}, {} sandbox)",
                sandbox.kind(language)
            ),
            ..Default::default()
        };
        if !file.is_file() {
            report.skipped = Some(format!("{} not found", file.display()));
        } else if let Some(why) = sandbox.unavailable(language) {
            report.skipped = Some(why);
        } else {
            match ProblemSet::load(&file)
                .map_err(|e| e.to_string())
                .and_then(|set| jobs(&key, &set, limits).map(|j| (set.len(), j)))
            {
                Ok((n, jobs)) => {
                    report.problems = n;
                    grammar_accepts_references(language, &jobs, &mut report);
                    run_checks(
                        &mut report,
                        jobs,
                        &|_, _| None,
                        sandbox.clone(),
                        workers,
                        cancel,
                        reporter,
                    );
                }
                Err(e) => report.skipped = Some(e),
            }
        }
        reporter.on(Event::SetChecked(&report));
        reports.push(report);
        if cancel.is_cancelled() {
            break;
        }
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runnable_multipl_e_language_has_checks() {
        let keys: Vec<String> = keys().into_iter().map(|(k, _)| k).collect();
        for k in [
            "cpp", "cs", "d", "elixir", "go", "hs", "java", "js", "lua", "ml", "php", "pl", "py",
            "r", "rb", "rkt", "rs", "scala", "sh", "ts",
        ] {
            assert!(keys.contains(&k.to_string()), "no checks for {k}");
        }
        for (k, c) in checks() {
            assert!(c.problems.len() >= 5, "{k}: fewer than 5 problems");
            for name in c.bad.keys() {
                assert!(variant(name).is_some(), "{k}: unknown variant {name}");
            }
            assert_eq!(c.bad.len(), 4, "{k}: needs all four bad variants");
        }
    }
}
