//! `passk run`: generate with one or more models and score as samples arrive.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::progress::Progress;
use super::{SandboxArgs, default_out};
use crate::exit_codes::ExitStatus;
use crate::generate::models::{Config, ModelEntry};
use crate::generate::prompt::Style;
use crate::generate::{Generator, Sampling};
use crate::lang::Language;
use crate::rundir::summary::Summary;
use crate::runner::Cancel;
use crate::runner::run::{RunOptions, run};

#[derive(Args)]
pub struct RunArgs {
    /// Models, comma-separated: `gguf:PATH`, `openai:URL[,URL…]#MODEL` (several URLs share
    /// the load), `replay:SAMPLES.jsonl` (recorded chat answers — a `response` field, or
    /// a markdown `completion` — are extracted and merged like live ones), an embedded model
    /// (`gemma3-270m`, `qwen2.5-coder-0.5b`, fetched by `passk setup`) or a [models.NAME] of
    /// passk.toml.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "gemma3-270m,qwen2.5-coder-0.5b"
    )]
    pub models: Vec<String>,
    /// What to solve: a folder of passk's TOML problems (`problems/core` functions,
    /// `problems/io` full stdin/stdout programs), the routing suite (`problems/routing`),
    /// a problems file (HumanEval, MBPP, MultiPL-E, HumanEval-X, CRUXEval, EvalPlus,
    /// LiveCodeBench, APPS, TACO, CodeContests), or a
    /// folder of Exercism exercises (Aider's polyglot benchmark: the model answers with
    /// whole files).
    /// A bundled suite may be named (`core`, `io`, `routing`).
    #[arg(
        long,
        default_value = "problems/core",
        visible_alias = "problems",
        value_parser = super::parse_suite
    )]
    pub suite: PathBuf,
    /// Languages to generate in, comma-separated [default: every language the suite renders
    /// to]
    #[arg(long, value_delimiter = ',', value_parser = super::parse_language)]
    pub langs: Vec<Language>,
    /// Only the first N problems of the suite.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Samples per problem (pass@k is reported for every k ≤ n).
    #[arg(short = 'n', long, default_value_t = 1)]
    pub n: usize,
    /// Sampling temperature (0: greedy).
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    /// Nucleus sampling: keep the most likely tokens up to this probability mass.
    #[arg(long, default_value_t = 0.95)]
    pub top_p: f32,
    /// Keep only the K most likely tokens before top-p.
    #[arg(long, default_value_t = 40)]
    pub top_k: i32,
    /// Most tokens generated per sample.
    #[arg(long, default_value_t = 512)]
    pub max_tokens: u32,
    /// Seed of sample 0 of every problem; sample i uses seed + i.
    #[arg(long, default_value_t = 1234)]
    pub seed: u64,
    /// CRUXEval files: `output-prediction` (the default: the model says what f returns for
    /// the input) or `input-prediction` (it gives a call f(...) that returns the output).
    /// Graded as CRUXEval does, by running `assert output == answer` in the sandbox.
    /// A suite of passk's typed problems with `output-prediction`: the model sees the
    /// reference in each language and one test's call, and writes the return value as a
    /// literal of that language, read back and compared on the host (nothing runs).
    #[arg(long, value_enum)]
    pub task: Option<crate::problem::cruxeval::Prediction>,
    /// Self-repair: after a failed answer the model is told what failed (the outcome, the
    /// failing test with expected vs actual where known, compiler errors, the first lines
    /// of stderr) and tries again, up to K more times. Chat models continue the chat;
    /// completion models get the feedback as a comment before a fresh prompt. Scores:
    /// pass@1 after each turn, repair success rate, tokens per solved problem.
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub repair: usize,
    /// Prompt style for every model [default: instruct when the model has a chat template
    /// (OpenAI: always), else completion]
    #[arg(long, value_enum)]
    pub style: Option<Style>,
    /// In-process (GGUF) models: close an open `<think>` block after N reasoning tokens, so
    /// the model answers with what it has (budget forcing). Servers have their own
    /// setting: `request = { reasoning_effort = "low" }` in passk.toml.
    #[arg(long, value_name = "N")]
    pub reasoning_budget: Option<u32>,
    /// llama.cpp threads for GGUF models [default: one per core]
    #[arg(long)]
    pub threads: Option<usize>,
    /// OpenAI-compatible servers: requests in flight per model.
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// OpenAI-compatible servers: environment variable holding the API key.
    #[arg(long, value_name = "VAR")]
    pub api_key_env: Option<String>,
    /// OpenAI-compatible servers: seconds before a request is abandoned (then retried).
    #[arg(long, value_name = "SECS")]
    pub request_timeout: Option<u64>,
    /// OpenAI-compatible servers: retries of a failed request (with exponential backoff,
    /// never sooner than the server's Retry-After, at most 5 min) before the sample
    /// becomes `generation_error`.
    #[arg(long)]
    pub retries: Option<u32>,
    /// passk.toml with named models [default: ./passk.toml when present]
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Run directory; rerunning into it resumes [default: reports/run-<time>]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print summary.json to stdout instead of the table (no progress bars).
    #[arg(long)]
    pub json: bool,
    /// Run only shard INDEX/COUNT of the problems; join the shards with `passk merge`.
    #[arg(long, value_name = "INDEX/COUNT")]
    pub shard: Option<crate::rundir::shard::Shard>,
    #[command(flatten)]
    pub window: super::WindowArgs,
    #[command(flatten)]
    pub reuse: super::ReuseArgs,
    #[command(flatten)]
    pub references: super::ReferenceArgs,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

/// The model specs of `--models` (repeatable, comma-separated). A piece that is a URL
/// continues the `openai:` spec before it (`openai:http://a/v1,http://b/v1#m`).
pub fn split_models(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in values.iter().flat_map(|v| v.split(',')) {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        let continues = piece.starts_with("http://") || piece.starts_with("https://");
        match out.last_mut() {
            Some(last) if continues && last.starts_with("openai:") => {
                last.push(',');
                last.push_str(piece);
            }
            _ => out.push(piece.to_string()),
        }
    }
    out
}

fn open_models(args: &RunArgs) -> anyhow::Result<Vec<Box<dyn Generator>>> {
    let config = Config::load(args.config.as_deref())?;
    let defaults = ModelEntry {
        spec: String::new(),
        style: args.style,
        concurrency: args.concurrency,
        api_key_env: args.api_key_env.clone(),
        timeout_s: args.request_timeout,
        retries: args.retries,
        threads: args.threads,
        request: None,
        reasoning_budget: args.reasoning_budget,
    };
    let paths = crate::setup::Paths::from_env();
    let mut out: Vec<Box<dyn Generator>> = Vec::new();
    for m in &split_models(&args.models) {
        let g = crate::generate::models::open(m, &config, &defaults, &paths)?;
        if out.iter().any(|o| o.info().name == g.info().name) {
            anyhow::bail!(
                "two models are both named `{}`; name them in passk.toml",
                g.info().name
            );
        }
        out.push(g);
    }
    Ok(out)
}

pub fn run_cmd(args: RunArgs) -> anyhow::Result<ExitStatus> {
    let sampling = Sampling {
        temperature: args.temperature,
        top_p: args.top_p,
        top_k: args.top_k,
        max_tokens: args.max_tokens,
        seed: args.seed,
    };
    if args.n > 1 && args.temperature <= 0.0 {
        eprintln!(
            "warning: -n {} with --temperature 0 draws {} identical greedy samples; \
             pass@k needs a temperature > 0",
            args.n, args.n
        );
    }
    if crate::grade::routing::is_routing_suite(&args.suite) {
        let generators = open_models(&args)?;
        return super::routing::run(&args, generators, sampling);
    }
    let sandbox = Arc::new(args.sandbox.sandbox()?);
    let generators = open_models(&args)?;
    let opts = RunOptions {
        problems: args.suite.clone(),
        langs: args.langs.clone(),
        limit: args.limit,
        n: args.n,
        sampling,
        out: args.out.clone().unwrap_or_else(|| default_out("run")),
        limits: args.sandbox.limits(),
        workers: args.sandbox.workers(),
        reuse: args.reuse.reuse(),
        shard: args.shard,
        window: args.window.window(),
        repair: args.repair,
        task: args.task,
        references: args.references.settings(),
    };
    let progress = Progress::new(args.json);
    let cancel = Cancel::default();
    let started = std::time::Instant::now();
    let result = run(&opts, generators, sandbox, &cancel, &progress);
    progress.finish();
    let outcome = result?;
    // The per-language comparisons the winners' lines need, from the records the reports
    // were rendered from.
    let pairs = crate::report::write_all(&outcome.out)?;
    if let Some(line) = extraction_line(&outcome.out.join(crate::rundir::SAMPLES)) {
        eprintln!("{line}");
    }
    for line in truncation_warnings(&outcome.summary, args.max_tokens) {
        eprintln!("{line}");
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&outcome.summary)?);
    } else {
        print!("{}", render_models(&outcome.summary, &pairs));
        print!("{}", crate::report::base_lines(&outcome.summary));
        eprintln!(
            "{} samples in {:.1} s → {}",
            outcome.summary.samples_executed,
            started.elapsed().as_secs_f64(),
            outcome.out.display()
        );
    }
    Ok(super::exec::exit_code(
        &outcome.summary,
        outcome.interrupted,
    ))
}

/// One warning per model × language whose samples hit `--max-tokens` inside their
/// reasoning: those never answered, and a higher limit would let them.
pub fn truncation_warnings(s: &Summary, max_tokens: u32) -> Vec<String> {
    s.by_model
        .iter()
        .filter(|(_, g)| g.truncated_reasoning > 0)
        .map(|(key, g)| {
            let n = g
                .efficiency
                .as_ref()
                .map_or(g.samples, |e| e.samples)
                .max(1);
            format!(
                "warning: {key}: {} of {n} samples ({:.0}%) hit --max-tokens {max_tokens} \
                 inside their reasoning and never answered; raise --max-tokens",
                g.truncated_reasoning,
                100.0 * g.truncated_reasoning as f64 / n as f64
            )
        })
        .collect()
}

/// How many samples were chat answers extracted and merged, and by which paths (read
/// back from `samples.jsonl`); `None` when there were none.
fn extraction_line(samples: &std::path::Path) -> Option<String> {
    use std::collections::BTreeMap;
    let mut extraction: BTreeMap<String, usize> = BTreeMap::new();
    let mut merge: BTreeMap<String, usize> = BTreeMap::new();
    let mut answers = 0;
    let name = |v: serde_json::Value| v.as_str().unwrap_or("?").to_string();
    crate::rundir::jsonl::for_each_line(
        samples,
        "sample",
        |r: crate::rundir::samples::SampleRecord| {
            let answer = r.merge.is_some()
                || (r.style == crate::generate::prompt::Style::Instruct && r.error.is_none());
            if answer {
                answers += 1;
                let e = name(serde_json::to_value(r.extraction).unwrap_or_default());
                *extraction.entry(e).or_default() += 1;
                if let Some(m) = r.merge {
                    let m = name(serde_json::to_value(m).unwrap_or_default());
                    *merge.entry(m).or_default() += 1;
                }
            }
        },
    )
    .ok()?;
    (answers > 0).then(|| {
        let list = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Whole-file answers (exercises) are not merged with a prompt.
        let merged = if merge.is_empty() {
            String::new()
        } else {
            format!("; merged with the prompt by {}", list(&merge))
        };
        format!(
            "{answers} chat answers extracted ({}){merged}",
            list(&extraction)
        )
    })
}

/// A paired difference counts as a win below this McNemar p.
const SIGNIFICANT: f64 = 0.05;

/// The model × language table (pass@1 with its 95 % CI), then, per language with several
/// models, the leader — called the winner only where the paired test against every other
/// model says the difference is significant.
pub fn render_models(s: &Summary, pairs: &[crate::report::LanguagePair]) -> String {
    use std::collections::BTreeMap;
    use std::fmt::Write;
    let mut out = String::new();
    let k_max = s.overall.n_min;
    let w = s
        .by_model
        .keys()
        .chain(s.by_facet.keys())
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(32);
    let mut header = format!(
        "{:<w$} {:>8} {:>8} {:>13}",
        "model/language", "problems", "pass@1", "95% CI"
    );
    if k_max > 1 {
        let _ = write!(header, " {:>9}", format!("pass@{k_max}"));
    }
    // Columns only where some row has data.
    let any = |has: fn(&crate::rundir::summary::Group) -> bool| {
        s.by_model.values().chain(s.by_facet.values()).any(has)
    };
    let generated = any(|g| g.efficiency.is_some());
    let syntax = any(|g| g.syntax_valid.is_some());
    let _ = write!(out, "{header}");
    if syntax {
        let _ = write!(out, " {:>7}", "syntax");
    }
    if generated {
        let _ = write!(out, " {:>10} {:>10}", "tok/sample", "latency");
    }
    let _ = writeln!(out);
    let pct = |v: Option<f64>| v.map_or("-".into(), |v| format!("{:.1}%", v * 100.0));
    let row = |out: &mut String, key: &str, g: &crate::rundir::summary::Group| {
        let p1 = g.pass_at_k.get("pass@1").copied();
        let ci = g.pass_at_1_ci.map_or("-".into(), |[lo, hi]| {
            format!("{:.1}–{:.1}", lo * 100.0, hi * 100.0)
        });
        let _ = write!(
            out,
            "{:<w$} {:>8} {:>8} {:>13}",
            key,
            g.problems,
            pct(p1),
            ci
        );
        if k_max > 1 {
            let _ = write!(
                out,
                " {:>9}",
                pct(g.pass_at_k.get(&format!("pass@{k_max}")).copied())
            );
        }
        if syntax {
            let _ = write!(out, " {:>7}", pct(g.syntax_valid));
        }
        if generated {
            let (tokens, latency) = g.efficiency.as_ref().map_or(("-".into(), "-".into()), |e| {
                (
                    format!("{:.0}", e.completion_tokens),
                    format!("{:.2} s", e.latency_ms / 1e3),
                )
            });
            let _ = write!(out, " {tokens:>10} {latency:>10}");
        }
        let _ = writeln!(out);
    };
    // language → (model, pass@1)
    let mut by_lang: BTreeMap<&str, Vec<(&str, f64)>> = BTreeMap::new();
    for (key, g) in &s.by_model {
        let (model, lang) = key.rsplit_once('/').unwrap_or((key, ""));
        row(&mut out, key, g);
        by_lang
            .entry(lang)
            .or_default()
            .push((model, g.pass_at_k.get("pass@1").copied().unwrap_or(0.0)));
    }
    // The benchmark's own groupings (platforms, sources, difficulties).
    for (key, g) in &s.by_facet {
        row(&mut out, key, g);
    }
    for (key, g) in &s.by_model {
        if let Some(r) = &g.repair {
            let turns: Vec<String> = r.pass_at_1.iter().map(|&p| pct(Some(p))).collect();
            let _ = writeln!(
                out,
                "{key:<32} repair: pass@1 {} · fixed {}/{} · {} tokens per solved",
                turns.join(" → "),
                r.fixed,
                r.failures,
                r.tokens_per_solved
                    .map_or("-".into(), |t| format!("{t:.0}"))
            );
        }
    }
    let models: std::collections::BTreeSet<&str> = s
        .by_model
        .keys()
        .map(|k| k.rsplit_once('/').map_or(k.as_str(), |(m, _)| m))
        .collect();
    if models.len() > 1 {
        let _ = writeln!(out);
        for (lang, scores) in &by_lang {
            if scores.len() > 1 {
                let _ = writeln!(out, "{}", leader_line(lang, scores, pairs));
            }
        }
    }
    out
}

/// One language's verdict: a tie, a significant winner, or a leader the paired test does
/// not separate from the others (with the largest p-value, the weakest separation).
fn leader_line(
    lang: &str,
    scores: &[(&str, f64)],
    pairs: &[crate::report::LanguagePair],
) -> String {
    let best = scores.iter().map(|x| x.1).fold(f64::MIN, f64::max);
    let leaders: Vec<&str> = scores
        .iter()
        .filter(|x| (x.1 - best).abs() < 1e-12)
        .map(|x| x.0)
        .collect();
    if leaders.len() == scores.len() {
        return format!("{lang:<12} tie at {:.1}%", best * 100.0);
    }
    // The leaders against every other model: the weakest of those tests decides.
    let p = scores
        .iter()
        .filter(|(m, _)| !leaders.contains(m))
        .flat_map(|(other, _)| {
            leaders.iter().filter_map(move |leader| {
                pairs.iter().find_map(|pr| {
                    let same =
                        (pr.a == *leader && pr.b == *other) || (pr.a == *other && pr.b == *leader);
                    (pr.language == lang && same).then_some(pr.comparison.mcnemar_p)
                })
            })
        })
        .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))));
    let lead = format!("{} ({:.1}%)", leaders.join(" = "), best * 100.0);
    match p {
        Some(p) if p < SIGNIFICANT => format!("{lang:<12} winner {lead} (McNemar p = {p:.3})"),
        Some(p) => {
            format!("{lang:<12} {lead} leads; no significant difference (McNemar p = {p:.3})")
        }
        None => format!("{lang:<12} {lead} leads; not compared per problem"),
    }
}

#[cfg(test)]
mod tests {
    use super::split_models;

    /// Two models on two languages: Python's gap is significant, Rust's is not, Go is a
    /// tie; no tokens (replayed samples), so no cost columns.
    #[test]
    fn the_table_shows_cis_and_calls_only_significant_winners() {
        use crate::lang::Language;
        use crate::outcome::Outcome;
        use crate::rundir::results::ResultRecord;
        let mut records = Vec::new();
        let mut add = |lang: Language, task: usize, model: &str, pass: bool| {
            let o = if pass {
                Outcome::Passed
            } else {
                Outcome::WrongAnswer
            };
            let mut r = ResultRecord::for_test(&format!("T/{task}"), Some(model), 0, o);
            r.language = lang;
            records.push(r);
        };
        for t in 0..10 {
            add(Language::Python, t, "a", true);
            add(Language::Python, t, "b", false);
        }
        for t in 0..4 {
            add(Language::Rust, t, "a", t < 3);
            add(Language::Rust, t, "b", t < 1);
            add(Language::Go, t, "a", t < 2);
            add(Language::Go, t, "b", t < 2);
        }
        let mut b = crate::grade::summary::SummaryBuilder::default();
        records.iter().for_each(|r| b.add(r));
        let summary = b.finish(records.len());
        let pairs = crate::report::language_pairs(&records, &["a".into(), "b".into()]);
        insta::assert_snapshot!(super::render_models(&summary, &pairs));
    }

    #[test]
    fn urls_after_an_openai_spec_belong_to_it() {
        let v = vec![
            "gemma3-270m,openai:http://a:1/v1,https://b/v1#m".to_string(),
            "gguf:x.gguf".to_string(),
        ];
        assert_eq!(
            split_models(&v),
            [
                "gemma3-270m",
                "openai:http://a:1/v1,https://b/v1#m",
                "gguf:x.gguf"
            ]
        );
    }
}
