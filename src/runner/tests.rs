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
            Event::Started { .. } => "started",
            Event::SampleFinished(_) => "sample",
            Event::ReferencesStarted { .. } => "references_started",
            Event::ReferenceFinished(_) => "reference",
            Event::ReferencesChecked(_) => "references_checked",
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
