//! Scoring repair episodes (`passk run --repair K`): a run's results hold one record per
//! turn. [`at_turn`] is the run as it stood after turn T — each episode's latest turn ≤ T,
//! carrying what all its turns cost — which compare and gate score with `--turn T`;
//! [`RepairTally`] gives a summary group its self-repair scores.

use std::collections::{BTreeMap, HashMap};

use super::pass_at_k::mean_pass_at_k;
use crate::outcome::Outcome;
use crate::rundir::results::{GenStats, ResultRecord, SampleKey};
use crate::rundir::summary::Repair;

/// Each episode's latest record at a turn ≤ `turn`, its generation cost summed over those
/// turns (what it took to reach that verdict), in the order episodes first appear.
pub fn at_turn(records: impl IntoIterator<Item = ResultRecord>, turn: usize) -> Vec<ResultRecord> {
    let mut order: Vec<SampleKey> = Vec::new();
    let mut latest: HashMap<SampleKey, (ResultRecord, Option<GenStats>)> = HashMap::new();
    for r in records.into_iter().filter(|r| r.turn <= turn) {
        let key = r.key().at_turn(0);
        match latest.get_mut(&key) {
            None => {
                order.push(key.clone());
                let cost = r.generation.clone();
                latest.insert(key, (r, cost));
            }
            Some((kept, cost)) => {
                *cost = add(cost.take(), r.generation.as_ref());
                if r.turn > kept.turn {
                    *kept = r;
                }
            }
        }
    }
    order
        .into_iter()
        .filter_map(|k| latest.remove(&k))
        .map(|(mut r, cost)| {
            r.generation = cost;
            r
        })
        .collect()
}

fn add(a: Option<GenStats>, b: Option<&GenStats>) -> Option<GenStats> {
    match (a, b) {
        (Some(a), Some(b)) => Some(GenStats {
            prompt_tokens: a.prompt_tokens + b.prompt_tokens,
            completion_tokens: a.completion_tokens + b.completion_tokens,
            reasoning_tokens: match (a.reasoning_tokens, b.reasoning_tokens) {
                (None, None) => None,
                (x, y) => Some(x.unwrap_or(0) + y.unwrap_or(0)),
            },
            latency_ms: a.latency_ms + b.latency_ms,
            ttft_ms: a.ttft_ms,
            truncated_reasoning: b.truncated_reasoning,
        }),
        (a, b) => a.or_else(|| b.cloned()),
    }
}

/// One episode as the repair scores see it.
#[derive(Default, Clone)]
struct Episode {
    /// The first answer's outcome (absent: turn 0 not seen).
    first: Option<Outcome>,
    /// The turn that passed.
    solved_at: Option<usize>,
    /// The turn whose verdict was a harness fault (nothing is known from it on).
    fault_at: Option<usize>,
    completion_tokens: f64,
}

/// The episodes of one summary group.
#[derive(Default)]
pub struct RepairTally {
    /// problem key → sample index → episode.
    episodes: BTreeMap<String, BTreeMap<usize, Episode>>,
}

impl RepairTally {
    pub fn add(&mut self, problem: &str, r: &ResultRecord) {
        let e = self
            .episodes
            .entry(problem.to_string())
            .or_default()
            .entry(r.sample_index)
            .or_default();
        let outcome = r.execution.outcome;
        if r.turn == 0 {
            e.first = Some(outcome);
        }
        if outcome.is_pass() {
            e.solved_at = Some(e.solved_at.map_or(r.turn, |t| t.min(r.turn)));
        }
        if outcome.is_harness_fault() {
            e.fault_at = Some(e.fault_at.map_or(r.turn, |t| t.min(r.turn)));
        }
        if let Some(g) = &r.generation {
            e.completion_tokens += f64::from(g.completion_tokens);
        }
    }

    /// The scores over `turns` repair turns; `None` when no first answer was scored.
    pub fn scores(&self, turns: usize) -> Option<Repair> {
        let scored = |e: &Episode| e.first.is_some_and(|o| !o.is_harness_fault());
        let mut pass_at_1 = Vec::with_capacity(turns + 1);
        for k in 0..=turns {
            // An episode counts at turn k while nothing up to k was a harness fault.
            let counts: Vec<(u64, u64)> = self
                .episodes
                .values()
                .filter_map(|samples| {
                    let known: Vec<&Episode> = samples
                        .values()
                        .filter(|e| scored(e) && e.fault_at.is_none_or(|f| f > k))
                        .collect();
                    let solved = known.iter().filter(|e| e.solved_at.is_some_and(|t| t <= k));
                    (!known.is_empty()).then(|| (known.len() as u64, solved.count() as u64))
                })
                .collect();
            pass_at_1.push(mean_pass_at_k(&counts, 1)?);
        }
        let all = || {
            self.episodes
                .values()
                .flat_map(|s| s.values())
                .filter(|e| scored(e))
        };
        let failures = all().filter(|e| e.solved_at != Some(0)).count();
        let fixed = all().filter(|e| e.solved_at.is_some_and(|t| t > 0)).count();
        let solved = all().filter(|e| e.solved_at.is_some()).count();
        let tokens: f64 = all().map(|e| e.completion_tokens).sum();
        Some(Repair {
            turns,
            pass_at_1,
            failures,
            fixed,
            success_rate: (failures > 0).then(|| fixed as f64 / failures as f64),
            tokens_per_solved: (solved > 0).then(|| tokens / solved as f64),
            harness_faults: all().filter(|e| e.fault_at.is_some()).count(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(task: &str, index: usize, turn: usize, o: Outcome, tokens: u32) -> ResultRecord {
        let mut r = ResultRecord::for_test(task, Some("m"), index, o);
        r.turn = turn;
        r.generation = Some(GenStats {
            prompt_tokens: 10,
            completion_tokens: tokens,
            reasoning_tokens: None,
            latency_ms: 100.0,
            ttft_ms: None,
            truncated_reasoning: false,
        });
        r
    }

    fn episodes() -> Vec<ResultRecord> {
        use Outcome::*;
        vec![
            // A/0 fails, is fixed at turn 1; A/1 passes at once.
            rec("A", 0, 0, WrongAnswer, 50),
            rec("A", 1, 0, Passed, 40),
            rec("A", 0, 1, Passed, 30),
            // B/0 fails three times; B/1 fails, then its repair cannot be generated.
            rec("B", 0, 0, CompileError, 20),
            rec("B", 1, 0, WrongAnswer, 20),
            rec("B", 0, 1, WrongAnswer, 20),
            rec("B", 1, 1, GenerationError, 0),
            rec("B", 0, 2, Timeout, 20),
        ]
    }

    #[test]
    fn the_view_at_a_turn_keeps_each_episodes_latest_verdict_and_its_whole_cost() {
        let at = |t| at_turn(episodes(), t);
        let outcomes = |rs: Vec<ResultRecord>| {
            rs.iter()
                .map(|r| {
                    (
                        r.task_id.clone(),
                        r.sample_index,
                        r.turn,
                        r.execution.outcome,
                    )
                })
                .collect::<Vec<_>>()
        };
        use Outcome::*;
        assert_eq!(
            outcomes(at(0)),
            [
                ("A".into(), 0, 0, WrongAnswer),
                ("A".into(), 1, 0, Passed),
                ("B".into(), 0, 0, CompileError),
                ("B".into(), 1, 0, WrongAnswer)
            ]
        );
        let two = at(2);
        assert_eq!(
            outcomes(two.clone()),
            [
                ("A".into(), 0, 1, Passed),
                ("A".into(), 1, 0, Passed),
                ("B".into(), 0, 2, Timeout),
                ("B".into(), 1, 1, GenerationError)
            ]
        );
        let g = two[0].generation.as_ref().unwrap();
        assert_eq!(
            (g.completion_tokens, g.prompt_tokens, g.latency_ms),
            (80, 20, 200.0)
        );
        assert_eq!(two[2].generation.as_ref().unwrap().completion_tokens, 60);
    }

    #[test]
    fn repair_scores_count_fixes_per_turn_and_leave_harness_faults_out() {
        let mut t = RepairTally::default();
        for r in episodes() {
            t.add(&r.task_id.clone(), &r);
        }
        let s = t.scores(2).unwrap();
        // Turn 0: A 1/2, B 0/2. Turn 1: A 2/2, B 0/1 (B/1's repair was a harness fault).
        assert_eq!(s.pass_at_1, vec![0.25, 0.5, 0.5]);
        assert_eq!((s.failures, s.fixed, s.harness_faults), (3, 1, 1));
        assert_eq!(s.success_rate, Some(1.0 / 3.0));
        // 200 tokens over every turn, two episodes solved.
        assert_eq!(s.tokens_per_solved, Some(100.0));
        assert!(RepairTally::default().scores(1).is_none());
    }
}
