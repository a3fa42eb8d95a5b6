//! The runner's logic through its seams: the scripted [`FakeSandbox`] and
//! [`FakeGenerator`] stand in for guests and models, so resume after a torn write, dedup,
//! the execution cache, Ctrl-C, shards, reference-first exclusion and panics are checked in
//! milliseconds.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::exec::{ExecOptions, ExecOutcome, run_exec};
use super::fake::{FakeGenerator, FakeSandbox};
use super::references::ReferenceSettings;
use super::run::{RunOptions, run};
use super::{Cancel, Event, Quiet, Reporter, Reuse};
use crate::errors::RunError;
use crate::generate::{Generator, Sampling};
use crate::outcome::Outcome;
use crate::rundir::results::{self, ResultRecord};
use crate::rundir::shard::Shard;

/// HumanEval-format problems `T/0…T/{n-1}`; the references of `broken` fail.
fn problems(dir: &Path, n: usize, broken: &[usize]) -> PathBuf {
    let mut text = String::new();
    for i in 0..n {
        let word = if broken.contains(&i) { "FAIL" } else { "PASS" };
        let line = serde_json::json!({
            "task_id": format!("T/{i}"),
            "prompt": format!("def f{i}():\n"),
            "canonical_solution": format!("    return '{word}'  # ref{i}\n"),
            "test": "def check(c):\n    assert c() == 'ok'\n",
            "entry_point": format!("f{i}"),
        });
        text.push_str(&format!("{line}\n"));
    }
    let path = dir.join("problems.jsonl");
    std::fs::write(&path, text).unwrap();
    path
}

/// Samples for every problem: `per` samples each, scripted by `word(problem, sample)`, each
/// tagged `s<problem>.<sample>` unless `same` (identical programs, for dedup).
fn samples(
    dir: &Path,
    n: usize,
    per: usize,
    word: impl Fn(usize, usize) -> &'static str,
) -> PathBuf {
    let mut text = String::new();
    for i in 0..n {
        for j in 0..per {
            let line = serde_json::json!({
                "task_id": format!("T/{i}"),
                "completion": format!("    return '{}'  # s{i}.{j}\n", word(i, j)),
            });
            text.push_str(&format!("{line}\n"));
        }
    }
    let path = dir.join("samples.jsonl");
    std::fs::write(&path, text).unwrap();
    path
}

fn options(problems: &Path, samples: &Path, out: &Path) -> ExecOptions {
    ExecOptions {
        problems: problems.to_path_buf(),
        samples: samples.to_path_buf(),
        out: out.to_path_buf(),
        limits: Default::default(),
        workers: 4,
        reuse: Reuse::none(),
        shard: None,
        window: None,
        task: None,
        references: ReferenceSettings::default(),
    }
}

fn exec(opts: &ExecOptions, sandbox: &Arc<FakeSandbox>) -> ExecOutcome {
    run_exec(opts, sandbox.clone(), &sandbox.cancel, &Quiet).unwrap()
}

fn records(out: &Path) -> Vec<ResultRecord> {
    results::read_all(&out.join(crate::rundir::RESULTS)).unwrap()
}

fn pass_at_1(o: &ExecOutcome) -> f64 {
    o.summary.overall.pass_at_k["pass@1"]
}

#[test]
fn a_resume_after_a_torn_write_runs_only_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let p = problems(dir.path(), 24, &[]);
    let s = samples(
        dir.path(),
        24,
        2,
        |_, j| if j == 0 { "PASS" } else { "FAIL" },
    );
    let out = dir.path().join("run");
    let opts = options(&p, &s, &out);
    let first = Arc::new(FakeSandbox::default());
    let o = exec(&opts, &first);
    assert!(o.summary.complete && !o.interrupted);
    assert_eq!(first.runs_tagged("s"), 48);
    assert_eq!(first.runs_tagged("ref"), 24);
    assert_eq!(pass_at_1(&o), 0.5);

    // A crash: the last 8 records lost, the one before them torn mid-line.
    let path = out.join(crate::rundir::RESULTS);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut kept = lines[..39].join("\n");
    kept.push('\n');
    kept.push_str(&lines[39][..lines[39].len() / 2]);
    std::fs::write(&path, kept).unwrap();

    let second = Arc::new(FakeSandbox::default());
    let o = exec(&opts, &second);
    assert_eq!(
        second.runs_tagged("s"),
        9,
        "the torn record and the 8 lost ones"
    );
    let all = records(&out);
    assert_eq!(all.len(), 48);
    let mut keys: Vec<_> = all
        .iter()
        .map(|r| (r.task_id.clone(), r.sample_index))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 48, "nothing doubled");
    assert_eq!(pass_at_1(&o), 0.5);
}

#[test]
fn identical_programs_run_once_and_the_cache_serves_a_second_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = problems(dir.path(), 24, &[]);
    // Three identical samples per problem (same text, same tag).
    let mut text = String::new();
    for i in 0..24 {
        for _ in 0..3 {
            let completion = format!("    return 'PASS'  # s{i}\n");
            text.push_str(&format!(
                "{}\n",
                serde_json::json!({"task_id": format!("T/{i}"), "completion": completion})
            ));
        }
    }
    let s = dir.path().join("same.jsonl");
    std::fs::write(&s, text).unwrap();
    let cache = dir.path().join("cache");
    let reuse = Reuse {
        in_run: true,
        disk: Some(cache.clone()),
    };
    let mut opts = options(&p, &s, &dir.path().join("a"));
    opts.reuse = reuse.clone();
    let sandbox = Arc::new(FakeSandbox::default());
    let o = exec(&opts, &sandbox);
    assert_eq!(sandbox.runs_tagged("s"), 24, "one run per distinct program");
    let all = records(&opts.out);
    assert_eq!(all.len(), 72);
    assert_eq!(all.iter().filter(|r| r.reused).count(), 48);
    assert_eq!(pass_at_1(&o), 1.0);

    opts.out = dir.path().join("b");
    let again = Arc::new(FakeSandbox::default());
    let o = exec(&opts, &again);
    assert_eq!(
        again.runs.load(Ordering::SeqCst),
        0,
        "every verdict from the cache"
    );
    assert!(records(&opts.out).iter().all(|r| r.reused));
    assert_eq!(pass_at_1(&o), 1.0);
}

#[test]
fn ctrl_c_keeps_what_finished_and_a_rerun_completes_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = problems(dir.path(), 24, &[]);
    let s = samples(dir.path(), 24, 2, |i, j| {
        if (i, j) == (3, 0) { "CANCEL" } else { "PASS" }
    });
    let mut opts = options(&p, &s, &dir.path().join("run"));
    opts.workers = 1;
    let cancel = Cancel::default();
    let sandbox = Arc::new(FakeSandbox::new(&cancel));
    let o = run_exec(&opts, sandbox.clone(), &cancel, &Quiet).unwrap();
    assert!(o.interrupted);
    let kept = records(&opts.out).len();
    assert!((1..48).contains(&kept), "{kept} records kept");
    assert!(!o.summary.complete);

    // The rerun: the CANCEL sample is done already, so nothing presses Ctrl-C again.
    let again = Arc::new(FakeSandbox::default());
    let o = exec(&opts, &again);
    assert!(!o.interrupted && o.summary.complete);
    assert_eq!(again.runs_tagged("s"), 48 - kept);
    assert_eq!(records(&opts.out).len(), 48);
}

#[test]
fn shards_partition_the_problems_and_merge_into_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = problems(dir.path(), 24, &[]);
    let s = samples(dir.path(), 24, 2, |i, j| {
        if (i + j) % 3 == 0 { "PASS" } else { "FAIL" }
    });
    let whole = exec(
        &options(&p, &s, &dir.path().join("whole")),
        &Arc::new(FakeSandbox::default()),
    );
    let mut dirs = Vec::new();
    let mut tasks = Vec::new();
    for index in 0..3 {
        let mut opts = options(&p, &s, &dir.path().join(format!("shard{index}")));
        opts.shard = Some(Shard { index, count: 3 });
        exec(&opts, &Arc::new(FakeSandbox::default()));
        tasks.extend(
            records(&opts.out)
                .into_iter()
                .map(|r| (r.task_id, r.sample_index)),
        );
        dirs.push(opts.out);
    }
    tasks.sort();
    let n = tasks.len();
    tasks.dedup();
    assert_eq!(
        (n, tasks.len()),
        (48, 48),
        "every sample in exactly one shard"
    );
    let merged = super::merge::merge(&dirs, &dir.path().join("merged")).unwrap();
    assert_eq!(merged.overall, whole.summary.overall);
    assert!(merged.complete);
}

#[test]
fn a_problem_whose_reference_fails_is_excluded_and_its_samples_never_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = problems(dir.path(), 24, &[5]);
    let s = samples(dir.path(), 24, 1, |_, _| "PASS");
    let opts = options(&p, &s, &dir.path().join("run"));
    let sandbox = Arc::new(FakeSandbox::default());
    let o = exec(&opts, &sandbox);
    assert_eq!(sandbox.runs_tagged("s5."), 0);
    assert_eq!(sandbox.runs_tagged("s"), 23);
    assert_eq!(o.summary.excluded.len(), 1);
    assert_eq!(o.summary.excluded[0].task_id, "T/5");
    assert!(o.summary.complete);
    assert_eq!(o.summary.overall.problems, 23);
    assert_eq!(pass_at_1(&o), 1.0);

    // Above the refusal share, the language is refused: no sample scored, run incomplete.
    let p = problems(dir.path(), 24, &[1, 2, 3]);
    let opts = options(&p, &s, &dir.path().join("refused"));
    let sandbox = Arc::new(FakeSandbox::default());
    let o = exec(&opts, &sandbox);
    assert_eq!(sandbox.runs_tagged("s"), 0);
    assert_eq!(o.summary.refused.len(), 1);
    assert!(!o.summary.complete);
}

#[test]
fn a_sandbox_panic_is_a_recorded_harness_fault_never_a_lost_sample() {
    let dir = tempfile::tempdir().unwrap();
    let p = problems(dir.path(), 24, &[]);
    let s = samples(
        dir.path(),
        24,
        1,
        |i, _| if i == 7 { "PANIC" } else { "SLOW" },
    );
    let opts = options(&p, &s, &dir.path().join("run"));
    let o = exec(&opts, &Arc::new(FakeSandbox::default()));
    let all = records(&opts.out);
    assert_eq!(all.len(), 24);
    let fault = all.iter().find(|r| r.task_id == "T/7").unwrap();
    assert_eq!(fault.execution.outcome, Outcome::SandboxError);
    assert!(
        fault.execution.detail.contains("panicked"),
        "{}",
        fault.execution.detail
    );
    assert!(
        !o.summary.complete,
        "a harness fault makes the run incomplete"
    );
    assert_eq!(o.summary.harness_faults, 1);
}

fn run_options(problems: &Path, out: &Path, n: usize) -> RunOptions {
    RunOptions {
        problems: problems.to_path_buf(),
        langs: Vec::new(),
        limit: None,
        n,
        sampling: Sampling::default(),
        out: out.to_path_buf(),
        limits: Default::default(),
        workers: 2,
        reuse: Reuse::none(),
        shard: None,
        window: None,
        repair: 0,
        task: None,
        references: ReferenceSettings::default(),
    }
}

/// A reporter that keeps the kind of every event, in order.
#[derive(Default)]
struct Collect(std::sync::Mutex<Vec<&'static str>>);

impl Reporter for Collect {
    fn on(&self, e: Event<'_>) {
        let kind = match e {
            Event::GenerationStarted { .. } => "generation_started",
            Event::Generated { .. } => "generated",
            Event::ModelReasons { .. } => "reasons",
            Event::Started { .. } => "started",
            Event::SampleFinished(_) => "sample",
            Event::OraclesStarted { .. } => "oracles_started",
            Event::ReferencesStarted { .. } => "references_started",
            Event::ReferenceFinished(_) => "reference",
            Event::ReferencesChecked(_) => "references_checked",
            Event::ChecksStarted { .. } => "checks_started",
            Event::CheckFinished { .. } => "check",
            Event::SetChecked(_) => "set_checked",
            Event::Interrupted => "interrupted",
        };
        self.0.lock().unwrap().push(kind);
    }
}

fn generate(
    opts: &RunOptions,
    model: FakeGenerator,
    sandbox: &Arc<FakeSandbox>,
) -> (Result<ExecOutcome, RunError>, Arc<FakeGenerator>) {
    generate_reporting(opts, model, sandbox, &Quiet)
}

fn generate_reporting(
    opts: &RunOptions,
    model: FakeGenerator,
    sandbox: &Arc<FakeSandbox>,
    reporter: &dyn Reporter,
) -> (Result<ExecOutcome, RunError>, Arc<FakeGenerator>) {
    struct Shared(Arc<FakeGenerator>);
    impl Generator for Shared {
        fn info(&self) -> &crate::generate::ModelInfo {
            self.0.info()
        }
        fn generate(
            &self,
            r: &crate::generate::Request,
        ) -> Vec<Result<crate::generate::Generation, crate::generate::GenError>> {
            self.0.generate(r)
        }
    }
    let model = Arc::new(model);
    let g: Vec<Box<dyn Generator>> = vec![Box::new(Shared(model.clone()))];
    let r = run(opts, g, sandbox.clone(), &sandbox.cancel, reporter);
    (r, model)
}

#[test]
fn a_generated_run_scores_every_sample_and_its_resume_generates_nothing_again() {
    let dir = tempfile::tempdir().unwrap();
    let p = problems(dir.path(), 24, &[]);
    let opts = run_options(&p, &dir.path().join("run"), 2);
    let answer = |task: &str, seed: u64| -> Result<String, String> {
        match (task, seed % 2) {
            ("T/4", _) => Err("the server closed the connection".into()),
            (_, 0) => Ok(format!("    return 'PASS'  # s{task}\n")),
            _ => Ok(format!("    return 'FAIL'  # s{task}\n")),
        }
    };
    let sandbox = Arc::new(FakeSandbox::default());
    let events = Collect::default();
    let model = FakeGenerator::new("m", answer);
    let (o, model) = generate_reporting(&opts, model, &sandbox, &events);
    let o = o.unwrap();
    assert_eq!(
        model.calls.load(Ordering::SeqCst),
        24,
        "one request per prompt"
    );
    // One stream: the references, then generation and execution interleaved.
    let events = events.0.into_inner().unwrap();
    let count = |k: &str| events.iter().filter(|e| **e == k).count();
    assert_eq!(events[0], "references_started");
    assert_eq!(count("reference"), 24);
    assert_eq!(count("references_checked"), 1);
    assert_eq!((count("generation_started"), count("generated")), (1, 24));
    assert_eq!((count("started"), count("sample")), (1, 48));
    let all = records(&opts.out);
    assert_eq!(all.len(), 48);
    let failed: Vec<_> = all
        .iter()
        .filter(|r| r.execution.outcome == Outcome::GenerationError)
        .collect();
    assert_eq!(failed.len(), 2, "T/4's two samples");
    assert!(!o.summary.complete, "a generation error is a harness fault");
    assert_eq!(sandbox.runs_tagged("s"), 46);

    let sandbox = Arc::new(FakeSandbox::default());
    let (o, model) = generate(&opts, FakeGenerator::new("m", answer), &sandbox);
    let o = o.unwrap();
    assert_eq!(
        model.calls.load(Ordering::SeqCst),
        0,
        "every sample is in samples.jsonl"
    );
    assert_eq!(sandbox.runs.load(Ordering::SeqCst), 24, "references only");
    assert_eq!(records(&opts.out).len(), 48);
    assert_eq!(o.summary.overall.samples, 46);
}

#[test]
fn a_panicking_generator_is_an_internal_error_with_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let p = problems(dir.path(), 24, &[]);
    let opts = run_options(&p, &dir.path().join("run"), 1);
    let sandbox = Arc::new(FakeSandbox::default());
    let answer = |task: &str, _| {
        Ok(if task == "T/9" {
            "PANIC!".to_string()
        } else {
            format!("    return 'PASS'  # s{task}\n")
        })
    };
    let (r, _) = generate(&opts, FakeGenerator::new("m", answer), &sandbox);
    let e = r.err().expect("the run fails");
    assert!(matches!(e, RunError::Panicked(_)), "{e:?}");
    assert!(e.to_string().contains("scripted generator panic"), "{e}");
    use crate::errors::Classify;
    assert_eq!(e.status(), crate::exit_codes::ExitStatus::Failure);
}

/// Turn 0: T/0–T/2 fail, T/3–T/5 pass. Turn 1 fixes T/0, turn 2 fixes T/1; T/2 never.
fn repairing(task: &str, _seed: u64, turn: usize) -> Result<String, String> {
    let i: usize = task.trim_start_matches("T/").parse().unwrap();
    let pass = i >= 3 || (i == 0 && turn >= 1) || (i == 1 && turn >= 2);
    let word = if pass { "PASS" } else { "FAIL" };
    Ok(format!("    return '{word}'  # s{i}.t{turn}\n"))
}

fn turns_of(out: &Path) -> Vec<(String, usize, Outcome)> {
    let mut v: Vec<_> = records(out)
        .into_iter()
        .map(|r| (r.task_id, r.turn, r.execution.outcome))
        .collect();
    v.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
    v
}

#[test]
fn repair_turns_feed_back_the_verdict_and_score_each_turn() {
    let dir = tempfile::tempdir().unwrap();
    let p = problems(dir.path(), 6, &[]);
    let mut opts = run_options(&p, &dir.path().join("run"), 1);
    opts.repair = 2;
    let sandbox = Arc::new(FakeSandbox::default());
    let (o, model) = generate(&opts, FakeGenerator::with_turns("m", repairing), &sandbox);
    let o = o.unwrap();
    use Outcome::{Passed, WrongAnswer};
    let t = |i: usize, turn, o| (format!("T/{i}"), turn, o);
    assert_eq!(
        turns_of(&opts.out),
        [
            t(0, 0, WrongAnswer),
            t(0, 1, Passed),
            t(1, 0, WrongAnswer),
            t(1, 1, WrongAnswer),
            t(1, 2, Passed),
            t(2, 0, WrongAnswer),
            t(2, 1, WrongAnswer),
            t(2, 2, WrongAnswer),
            t(3, 0, Passed),
            t(4, 0, Passed),
            t(5, 0, Passed),
        ]
    );
    assert_eq!(model.calls.load(Ordering::SeqCst), 6 + 3 + 2);
    // Completion style: the last attempt and its verdict as comments before the prompt.
    let prompts = model.repair_prompts.lock().unwrap();
    let first = prompts.iter().find(|p| p.contains("s0.t0")).unwrap();
    assert!(
        first.starts_with(
            "# A previous attempt failed.\n# Your solution failed a test.\n# AssertionError\n"
        ),
        "{first}"
    );
    assert!(first.ends_with("def f0():\n"), "{first}");
    // The main scores are the first answers'; the repair scores count every turn.
    assert!(o.summary.complete);
    assert_eq!(o.summary.samples_executed, 6);
    assert_eq!(o.summary.overall.pass_at_k["pass@1"], 0.5);
    let r = o.summary.overall.repair.as_ref().unwrap();
    assert_eq!(r.pass_at_1, vec![0.5, 4.0 / 6.0, 5.0 / 6.0]);
    assert_eq!((r.failures, r.fixed), (3, 2));
    let samples = std::fs::read_to_string(opts.out.join("samples.jsonl")).unwrap();
    assert_eq!(samples.matches("\"turn\":2").count(), 2);
    // At turn 2 every episode stands at its last verdict.
    let at2 = crate::grade::summary::summarize_where(&opts.out, 6, 2, |_| true).unwrap();
    assert_eq!(at2.overall.pass_at_k["pass@1"], 5.0 / 6.0);
}

#[test]
fn a_repair_episode_resumes_mid_way_and_a_failed_repair_generation_is_that_turns_fault() {
    let dir = tempfile::tempdir().unwrap();
    let p = problems(dir.path(), 6, &[]);
    let mut opts = run_options(&p, &dir.path().join("run"), 1);
    opts.repair = 2;
    let sandbox = Arc::new(FakeSandbox::default());
    generate(&opts, FakeGenerator::with_turns("m", repairing), &sandbox)
        .0
        .unwrap();
    let full = turns_of(&opts.out);
    // A crash after turn 1 was generated, before it executed.
    let keep = |file: &str, max_turn: usize| {
        let path = opts.out.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let kept: String = text
            .lines()
            .filter(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["turn"].as_u64().unwrap_or(0) as usize <= max_turn
            })
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(path, kept).unwrap();
    };
    keep("samples.jsonl", 1);
    keep("results.jsonl", 0);
    let sandbox = Arc::new(FakeSandbox::default());
    let (o, model) = generate(&opts, FakeGenerator::with_turns("m", repairing), &sandbox);
    o.unwrap();
    assert_eq!(turns_of(&opts.out), full);
    assert_eq!(
        model.calls.load(Ordering::SeqCst),
        2,
        "only turn 2 is generated"
    );
    assert_eq!(
        sandbox.runs_tagged("s"),
        3 + 2,
        "turn 1 executed, then turn 2"
    );

    // A repair turn that cannot be generated: that turn is a generation error, the first
    // answer keeps its verdict, the episode ends, the run is incomplete.
    let out = dir.path().join("faulty");
    opts.out = out.clone();
    let flaky = |task: &str, seed, turn| match (task, turn) {
        ("T/2", 1) => Err("the server closed the connection".into()),
        _ => repairing(task, seed, turn),
    };
    let sandbox = Arc::new(FakeSandbox::default());
    let (o, _) = generate(&opts, FakeGenerator::with_turns("m", flaky), &sandbox);
    let o = o.unwrap();
    let t2: Vec<_> = turns_of(&out)
        .into_iter()
        .filter(|(t, ..)| t == "T/2")
        .collect();
    assert_eq!(
        t2,
        [
            ("T/2".into(), 0, Outcome::WrongAnswer),
            ("T/2".into(), 1, Outcome::GenerationError)
        ]
    );
    assert!(!o.summary.complete);
    assert_eq!(o.summary.overall.pass_at_k["pass@1"], 0.5);
    assert_eq!(o.summary.overall.repair.as_ref().unwrap().harness_faults, 1);
}

#[test]
fn a_selfcheck_judges_each_variant_and_reports_every_verdict_as_an_event() {
    use super::check::{SetReport, Variant, run_checks};
    use crate::lang::Language;
    use crate::sandbox::{Limits, Program};
    let job = |word: &str| {
        super::Job::new(
            "T/0",
            Program::plain(Language::Python, format!("{word}  # c")),
            Limits::default(),
        )
    };
    let checks = vec![
        (job("PASS"), ("T/0".to_string(), Variant::Reference)),
        // A known-bad solution that passes is the sandbox scoring wrongly.
        (job("PASS"), ("T/0".to_string(), Variant::EmptyBody)),
        (job("FAIL"), ("T/0".to_string(), Variant::WrongAnswer)),
    ];
    let mut report = SetReport {
        name: "fake".into(),
        problems: 1,
        ..Default::default()
    };
    let events = Collect::default();
    let sandbox = Arc::new(FakeSandbox::default());
    run_checks(
        &mut report,
        checks,
        &|_, _| None,
        sandbox,
        2,
        &Cancel::default(),
        &events,
    );
    assert_eq!(
        *events.0.lock().unwrap(),
        ["checks_started", "check", "check", "check"]
    );
    assert_eq!(report.checked["reference"], (1, 1));
    assert_eq!(report.checked["empty_body"], (1, 0));
    assert_eq!(report.checked["wrong_answer"], (1, 1));
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].variant, Variant::EmptyBody);
    assert!(!report.ok());
}
