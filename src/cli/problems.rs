//! `passk problems list|show`: browse passk's own suites (folders of TOML problems).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::exit_codes::ExitStatus;
use crate::lang::Language;
use crate::problem::native::{Difficulty, Entry, read_suite};
use crate::problem::render;

#[derive(Args)]
pub struct ProblemsArgs {
    #[command(subcommand)]
    command: ProblemsCommand,
}

#[derive(Args)]
struct Filters {
    /// The folder that holds the suites.
    #[arg(long, default_value = "problems")]
    root: PathBuf,
    /// Only this suite: a bundled suite's name (a sub-folder of --root, e.g. `core`) or a
    /// path, resolved as `run`, `exec` and `selfcheck` resolve it.
    #[arg(long)]
    suite: Option<String>,
}

#[derive(Subcommand)]
enum ProblemsCommand {
    /// List problems, with filters.
    List {
        #[command(flatten)]
        filters: Filters,
        /// Only problems with a reference solution in this language.
        #[arg(long, value_parser = super::parse_language)]
        lang: Option<Language>,
        /// Only problems with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Only problems of this difficulty (easy, medium, hard).
        #[arg(long)]
        difficulty: Option<String>,
        /// Print the list as JSON (one object per problem).
        #[arg(long)]
        json: bool,
    },
    /// Show one problem: description, signature, tests, and its prompt in a language.
    Show {
        /// The problem id, e.g. `core/vowel-runs`.
        id: String,
        #[command(flatten)]
        filters: Filters,
        /// The language to render the prompt in.
        #[arg(long, default_value = "python", value_parser = super::parse_language)]
        lang: Language,
        /// Also print the rendered test harness.
        #[arg(long)]
        harness: bool,
    },
}

/// One line of `passk problems list` (`--json`: one object).
#[derive(serde::Serialize)]
struct Listed {
    id: String,
    difficulty: Difficulty,
    tests: usize,
    tags: Vec<String>,
    references: Vec<Language>,
}

fn load(f: &Filters) -> anyhow::Result<Vec<Entry>> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = match &f.suite {
        Some(s) => vec![super::resolve_suite(s, &f.root).map_err(|e| anyhow::anyhow!(e))?],
        None => std::fs::read_dir(&f.root)
            .map_err(|e| anyhow::anyhow!("{}: {e} (pass --root)", f.root.display()))?
            .flatten()
            .map(|e| e.path())
            // Routing suites hold labelled requests, not problems.
            .filter(|p| !crate::grade::routing::is_routing_suite(p))
            .filter(|p| {
                std::fs::read_dir(p).is_ok_and(|mut d| {
                    d.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "toml")))
                })
            })
            .collect(),
    };
    dirs.sort();
    for d in dirs {
        out.extend(read_suite(&d)?.entries);
    }
    Ok(out)
}

pub fn run(args: ProblemsArgs) -> anyhow::Result<ExitStatus> {
    match args.command {
        ProblemsCommand::List {
            filters,
            lang,
            tag,
            difficulty,
            json,
        } => {
            let difficulty: Option<Difficulty> = match difficulty {
                Some(d) => Some(
                    serde_json::from_value(serde_json::Value::String(d.clone()))
                        .map_err(|_| anyhow::anyhow!("difficulty `{d}`: easy, medium or hard"))?,
                ),
                None => None,
            };
            let problems = load(&filters)?;
            let shown: Vec<Listed> = problems
                .iter()
                .filter(|p| {
                    !(lang.is_some_and(|l| !p.reference().contains_key(&l))
                        || tag.as_ref().is_some_and(|t| !p.tags().contains(t))
                        || difficulty.is_some_and(|d| d != p.difficulty()))
                })
                .map(|p| Listed {
                    id: p.id().to_string(),
                    difficulty: p.difficulty(),
                    tests: p.test_count(),
                    tags: p.tags().to_vec(),
                    references: p.reference().keys().copied().collect(),
                })
                .collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&shown)?);
                return Ok(ExitStatus::Success);
            }
            println!(
                "{:<34} {:<7} {:>5}  {:<24} references",
                "id", "level", "tests", "tags"
            );
            for p in &shown {
                let refs: Vec<&str> = p.references.iter().map(|l| l.as_str()).collect();
                println!(
                    "{:<34} {:<7} {:>5}  {:<24} {}",
                    p.id,
                    format!("{:?}", p.difficulty).to_lowercase(),
                    p.tests,
                    p.tags.join(","),
                    refs.join(",")
                );
            }
            println!("{} of {} problems", shown.len(), problems.len());
        }
        ProblemsCommand::Show {
            id,
            filters,
            lang,
            harness,
        } => {
            let problems = load(&filters)?;
            let Some(entry) = problems.iter().find(|p| p.id() == id) else {
                anyhow::bail!(
                    "no problem `{id}` under {} (see `passk problems list`)",
                    filters.root.display()
                );
            };
            let p = match entry {
                Entry::Function(p) => p,
                Entry::Program(p) => {
                    println!("# {} — {}\n", p.id, p.title);
                    println!(
                        "difficulty {:?}, tags {}, {} tests, output compared {:?}\n",
                        p.difficulty,
                        p.tags.join(", "),
                        p.tests.len(),
                        p.compare
                    );
                    println!("{}", crate::problem::io::prompt(p, lang));
                    if harness {
                        for (i, t) in p.tests.iter().enumerate() {
                            println!("\n---- test {i} input ----\n{}", t.input.trim_end());
                            println!("---- test {i} output ----\n{}", t.output.trim_end());
                        }
                    }
                    return Ok(ExitStatus::Success);
                }
            };
            let Some(r) = render::get(lang) else {
                let known: Vec<&str> = render::all()
                    .iter()
                    .map(|r| r.language().as_str())
                    .collect();
                anyhow::bail!(
                    "passk cannot render {lang} yet (it renders {})",
                    known.join(", ")
                );
            };
            println!("# {} — {}\n", p.id, p.title);
            println!(
                "difficulty {:?}, tags {}, {} tests\n",
                p.difficulty,
                p.tags.join(", "),
                p.tests.len()
            );
            print!("{}", r.prompt(p));
            if harness {
                println!("\n// ---- harness ----");
                print!("{}", r.harness(p, "<marker>"));
            }
        }
    }
    Ok(ExitStatus::Success)
}
