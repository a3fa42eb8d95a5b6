//! Episodes: one problem × language × model × sample index, made of turns — a prompt, its
//! generation, its execution and, after a failed attempt while repairs are left, feedback
//! that opens the next turn. A single-shot run is the one-turn case (`--repair 0`).
//! [`Episodes`] holds the turns so far (read back from the run directory on resume) and
//! decides what comes next; [`Queue`] hands generation work to a model's threads as
//! verdicts arrive.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use crate::generate::feedback;
use crate::generate::prompt::Attempt;
use crate::rundir::results::{ResultRecord, SampleKey};
use crate::rundir::samples::SampleRecord;
use crate::sandbox::Execution;

/// One turn: the sample generated and, once executed, its verdict.
pub struct Turn {
    pub sample: SampleRecord,
    pub verdict: Option<Execution>,
}

/// The turns of every episode, keyed by the episode's turn-0 key.
pub struct Episodes {
    turns: HashMap<SampleKey, Vec<Turn>>,
    /// Repair turns allowed after the first (`--repair K`).
    pub repair: usize,
}

/// What an episode needs next.
#[derive(Debug, PartialEq)]
pub enum Next<'a> {
    /// Nothing generated yet.
    Generate,
    /// Its last turn was generated but not executed (a crash in between).
    Execute(&'a SampleRecord),
    /// Its last turn failed with repairs left: generate this turn.
    Repair(usize),
    /// Passed, out of repairs, or ended by a harness fault.
    Done,
}

impl Episodes {
    pub fn new(repair: usize) -> Episodes {
        Episodes {
            turns: HashMap::new(),
            repair,
        }
    }

    /// Records a generated turn (turns arrive in order; a duplicate line is ignored).
    pub fn generated(&mut self, sample: SampleRecord) {
        let turns = self.turns.entry(sample.key().at_turn(0)).or_default();
        if turns.iter().all(|t| t.sample.turn != sample.turn) {
            turns.push(Turn {
                sample,
                verdict: None,
            });
            turns.sort_by_key(|t| t.sample.turn);
        }
    }

    /// Records a turn's verdict; returns the turn to generate next, if the verdict calls
    /// for one.
    pub fn executed(&mut self, r: &ResultRecord) -> Option<usize> {
        let turns = self.turns.get_mut(&r.key().at_turn(0))?;
        let turn = turns.iter_mut().find(|t| t.sample.turn == r.turn)?;
        if self.repair == 0 {
            // No repair prompt will show this turn: keep only that it ran and how it ended,
            // so a resumed large run does not hold every text and output in memory.
            turn.verdict = Some(Execution::verdict(r.execution.outcome, ""));
            for text in [
                &mut turn.sample.completion,
                &mut turn.sample.solution,
                &mut turn.sample.reasoning,
            ] {
                *text = None;
            }
            turn.sample.raw = String::new();
        } else {
            turn.verdict = Some(r.execution.clone());
        }
        self.wants_repair(r.turn, &r.execution)
            .then_some(r.turn + 1)
    }

    /// A failed attempt is repaired while turns are left. A harness fault is not the
    /// model's failure: there is nothing to tell it, the episode ends there.
    pub fn wants_repair(&self, turn: usize, e: &Execution) -> bool {
        turn < self.repair && !e.outcome.is_pass() && !e.outcome.is_harness_fault()
    }

    pub fn next(&self, episode: &SampleKey) -> Next<'_> {
        let Some(last) = self.turns.get(episode).and_then(|t| t.last()) else {
            return Next::Generate;
        };
        match &last.verdict {
            None => Next::Execute(&last.sample),
            Some(e) if self.wants_repair(last.sample.turn, e) => Next::Repair(last.sample.turn + 1),
            Some(_) => Next::Done,
        }
    }

    /// The earlier attempts a repair turn's prompt shows, with their feedback.
    pub fn attempts(&self, episode: &SampleKey) -> Vec<Attempt<'_>> {
        self.turns
            .get(episode)
            .into_iter()
            .flatten()
            .filter_map(|t| {
                Some(Attempt {
                    answer: &t.sample.raw,
                    code: t.sample.code(),
                    feedback: feedback::describe(t.verdict.as_ref()?),
                })
            })
            .collect()
    }
}

/// What a model's generation threads do next.
#[derive(Debug, PartialEq)]
pub enum Work {
    /// The first turn of these samples of one problem (one request, `n` samples).
    First { problem: usize, indices: Vec<usize> },
    /// A repair turn of one episode.
    Repair {
        problem: usize,
        sample_index: usize,
        turn: usize,
    },
}

/// Generation work for one model: what is ready, and how many verdicts could still add
/// a repair turn. Threads wait while work may still come; the model is finished when the
/// queue is empty and no such verdict is outstanding.
#[derive(Default)]
pub struct Queue {
    state: Mutex<(VecDeque<Work>, usize)>,
    ready: Condvar,
}

impl Queue {
    pub fn push(&self, w: Work) {
        self.state.lock().expect("queue").0.push_back(w);
        self.ready.notify_all();
    }

    /// A job whose verdict may open a turn is about to execute (counted before it is sent,
    /// so its verdict can never arrive first).
    pub fn expect_verdict(&self) {
        self.state.lock().expect("queue").1 += 1;
    }

    /// An expected verdict arrived, with the work it opened.
    pub fn verdict(&self, opened: Option<Work>) {
        let mut s = self.state.lock().expect("queue");
        s.1 = s.1.saturating_sub(1);
        s.0.extend(opened);
        drop(s);
        self.ready.notify_all();
    }

    /// The next piece of work; `None` when none is left and none can come, or when
    /// `stop` says so (checked while waiting).
    pub fn next(&self, stop: impl Fn() -> bool) -> Option<Work> {
        let mut s = self.state.lock().expect("queue");
        loop {
            if stop() {
                return None;
            }
            if let Some(w) = s.0.pop_front() {
                return Some(w);
            }
            if s.1 == 0 {
                return None;
            }
            s = self
                .ready
                .wait_timeout(s, Duration::from_millis(50))
                .expect("queue")
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;

    #[test]
    fn a_queue_waits_for_outstanding_verdicts_and_ends_when_none_can_come() {
        let q = Queue::default();
        q.push(Work::First {
            problem: 0,
            indices: vec![0],
        });
        q.expect_verdict();
        assert!(matches!(q.next(|| false), Some(Work::First { .. })));
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(20));
                q.verdict(Some(Work::Repair {
                    problem: 0,
                    sample_index: 0,
                    turn: 1,
                }));
            });
            assert_eq!(
                q.next(|| false),
                Some(Work::Repair {
                    problem: 0,
                    sample_index: 0,
                    turn: 1
                })
            );
        });
        assert_eq!(q.next(|| false), None, "nothing outstanding");
        q.expect_verdict();
        assert_eq!(q.next(|| true), None, "a stop ends the wait");
    }

    #[test]
    fn harness_faults_and_passes_end_an_episode_failures_open_the_next_turn() {
        let e = Episodes::new(2);
        let v = |o| Execution::verdict(o, "");
        assert!(e.wants_repair(0, &v(Outcome::WrongAnswer)));
        assert!(e.wants_repair(1, &v(Outcome::NoCode)));
        assert!(!e.wants_repair(2, &v(Outcome::WrongAnswer)), "out of turns");
        assert!(!e.wants_repair(0, &v(Outcome::Passed)));
        assert!(!e.wants_repair(0, &v(Outcome::GenerationError)));
        assert!(!e.wants_repair(0, &v(Outcome::SandboxError)));
    }
}
