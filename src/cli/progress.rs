//! Terminal rendering of runner events: a progress bar on a terminal, nothing in CI or with
//! `--json`. Harness faults are always printed, loudly, as they happen.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::runner::{Event, Reporter};

/// The runner's [`Reporter`] on a terminal: the execution bar, and a generation bar above
/// it once generation starts.
pub struct Progress {
    multi: Option<MultiProgress>,
    bar: Option<ProgressBar>,
    generation: OnceLock<ProgressBar>,
    faults: AtomicUsize,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        let p = Progress::generation_only(quiet);
        let bar = p.multi.as_ref().map(|m| {
            let b = ProgressBar::new(0);
            b.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} samples ({per_sec}, eta {eta}) {msg}",
                )
                .expect("valid template"),
            );
            m.add(b)
        });
        Progress { bar, ..p }
    }

    /// Only the generation bar (the routing pipeline generates decisions, executes nothing).
    pub fn generation_only(quiet: bool) -> Progress {
        Progress {
            multi: shown(quiet).then(MultiProgress::new),
            bar: None,
            generation: OnceLock::new(),
            faults: AtomicUsize::new(0),
        }
    }

    /// The generation bar, above the execution bar, made on first use (hidden off a
    /// terminal).
    fn generation_bar(&self) -> &ProgressBar {
        self.generation.get_or_init(|| {
            let Some(m) = &self.multi else {
                return ProgressBar::hidden();
            };
            let b = ProgressBar::new(0);
            b.set_style(
                ProgressStyle::with_template(
                    "{spinner} generate {bar:40} {pos}/{len} ({per_sec}, eta {eta}) {msg}",
                )
                .expect("valid template"),
            );
            m.insert(0, b)
        })
    }
}

impl Reporter for Progress {
    fn on(&self, event: Event<'_>) {
        match event {
            Event::GenerationStarted {
                total,
                already_done,
            } => {
                let b = self.generation_bar();
                b.set_length(total as u64);
                b.set_position(already_done as u64);
                b.reset_eta();
            }
            Event::Generated {
                model,
                samples,
                turn,
            } => {
                let b = self.generation_bar();
                if turn > 0 {
                    // A repair turn is work the first count could not know of.
                    b.inc_length(samples as u64);
                    b.set_message(format!("{model} (repair turn {turn})"));
                } else {
                    b.set_message(model.to_string());
                }
                b.inc(samples as u64);
            }
            Event::ModelReasons { model, max_tokens } => {
                if max_tokens < REASONING_TOKENS {
                    self.println(format!(
                        "note: {model} reasons before it answers; at --max-tokens {max_tokens} \
                         its reasoning may be cut off (counted as truncated_reasoning) — \
                         reasoning models usually need --max-tokens {REASONING_TOKENS} or more"
                    ));
                }
            }
            Event::Started {
                total,
                already_done,
            } => {
                if let Some(b) = &self.bar {
                    b.set_length(total as u64);
                    b.set_position(already_done as u64);
                    b.reset_eta();
                }
                if already_done > 0 {
                    self.println(format!(
                        "resuming: {already_done} of {total} samples already scored"
                    ));
                }
            }
            Event::SampleFinished(r) => {
                self.fault(r, &format!("#{} turn {}", r.sample_index, r.turn));
                if let Some(b) = &self.bar {
                    // The bar counts episodes: a repair turn's verdict is not one more.
                    if r.turn == 0 {
                        b.inc(1);
                    }
                    let faults = self.faults.load(Ordering::Relaxed);
                    if faults > 0 {
                        b.set_message(format!("{faults} harness faults"));
                    }
                }
            }
            Event::OraclesStarted { total, cached } => {
                if total > cached {
                    self.println(format!(
                        "ground truth: running the canonical solutions of {} EvalPlus tasks \
                         ({cached} of {total} known from an earlier run)",
                        total - cached
                    ));
                }
            }
            Event::ReferencesStarted { total } => {
                if let Some(b) = &self.bar {
                    b.set_length(total as u64);
                    b.set_position(0);
                    b.set_message("checking reference solutions");
                    b.reset_eta();
                }
            }
            Event::ReferenceFinished(r) => {
                self.fault(r, "reference");
                if let Some(b) = &self.bar {
                    b.inc(1);
                }
            }
            Event::ReferencesChecked(check) => {
                if let Some(b) = &self.bar {
                    b.set_message("");
                }
                let text = crate::runner::references::render(check);
                if !text.is_empty() {
                    self.println(text.trim_end().to_string());
                }
                self.println(format!(
                    "{} reference solutions checked: {} problems excluded, {} languages refused",
                    check.checked,
                    check.excluded.len(),
                    check.refused.len()
                ));
            }
            Event::ChecksStarted { set, total } => {
                if let Some(b) = &self.bar {
                    b.set_length(total as u64);
                    b.set_position(0);
                    b.set_message(set.to_string());
                    b.reset_eta();
                }
            }
            Event::CheckFinished {
                result, variant, ..
            } => {
                self.fault(result, variant.name());
                if let Some(b) = &self.bar {
                    b.inc(1);
                }
            }
            Event::SetChecked(_) => {
                if let Some(b) = &self.bar {
                    b.set_message("");
                }
            }
            Event::Interrupted => {
                self.println("interrupted: finished samples are saved; rerun to resume".into())
            }
        }
    }
}

impl Progress {
    /// Harness faults are printed as they happen (the first few; the count stays on the bar).
    fn fault(&self, r: &crate::rundir::results::ResultRecord, which: &str) {
        if r.execution.outcome.is_harness_fault() {
            let faults = self.faults.fetch_add(1, Ordering::Relaxed) + 1;
            if faults <= 5 {
                self.println(format!(
                    "HARNESS FAULT {} {which} ({}): {} — {}",
                    r.task_id, r.language, r.execution.outcome, r.execution.detail
                ));
            }
        }
    }

    fn println(&self, msg: String) {
        match &self.bar {
            Some(b) => b.println(msg),
            None => eprintln!("{msg}"),
        }
    }

    /// Runs `f` (which prints) with the bars hidden.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.multi {
            Some(m) => m.suspend(f),
            None => f(),
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        if let Some(b) = self.generation.get() {
            b.finish_and_clear();
        }
        if let Some(m) = &self.multi {
            let _ = m.clear();
        }
    }
}

/// Tokens below which a reasoning model's `--max-tokens` is worth a note.
pub const REASONING_TOKENS: u32 = 4096;

/// Bars show on a terminal, unless `--json`/quiet or CI asked for none.
fn shown(quiet: bool) -> bool {
    !quiet && !super::quiet_env() && std::io::stderr().is_terminal()
}
