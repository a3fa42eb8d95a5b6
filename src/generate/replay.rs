//! Replay: samples read back from a JSONL file instead of generated — human-eval
//! (`task_id`, `completion`), EvalPlus (`solution`) and MultiPL-E (`name`, `language`,
//! `completions: [...]`) and passk's own `samples.jsonl` (whose samples without code replay
//! as `no_code`, and failed ones as `generation_error`). A sample that carries a chat
//! answer — a `response` field, the `raw` text of an instruct sample of passk's, or a
//! `completion` holding a markdown fence — is extracted and merged as a live instruct
//! sample is. Each prompt takes its task's next
//! samples in file order; a task with too few samples gets `generation_error` for the
//! missing ones.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Mutex;

use serde_json::Value;

use super::prompt::Style;
use super::{GenError, Generation, Generator, ModelInfo, Request};
use crate::errors::InputError;
use crate::lang::Language;
use crate::problem::Code;
use crate::problem::jsonl::Lines;

/// Task, language (absent: any) and repair turn.
type Key = (String, Option<Language>, usize);

/// One recorded sample.
enum Recorded {
    Code(Code),
    /// A chat answer: extracted and merged as a live instruct sample is.
    Answer(String),
    NoCode(String),
    Failed(String),
}

pub struct ReplayGenerator {
    queues: Mutex<HashMap<Key, VecDeque<Recorded>>>,
    info: ModelInfo,
}

impl ReplayGenerator {
    pub fn open(path: &Path, name: &str, spec: &str) -> Result<ReplayGenerator, InputError> {
        let mut queues: HashMap<Key, VecDeque<Recorded>> = HashMap::new();
        for line in Lines::open(path)? {
            let line = line?;
            let bad = |message: &str| InputError::Line {
                path: path.to_path_buf(),
                line: line.number,
                message: message.to_string(),
            };
            let v = &line.value;
            let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            let task = text("task_id")
                .or_else(|| text("name"))
                .ok_or_else(|| bad("a sample needs `task_id` (or MultiPL-E's `name`)"))?;
            let language = match text("language") {
                Some(l) => Some(
                    Language::parse(&l).ok_or_else(|| bad(&format!("unknown language `{l}`")))?,
                ),
                None => None,
            };
            // A repair run's later turns replay at their own turn.
            let turn = v.get("turn").and_then(Value::as_u64).unwrap_or(0) as usize;
            let queue = queues.entry((task, language, turn)).or_default();
            let instruct = text("style").as_deref() == Some("instruct");
            let markdown = |c: &str| c.contains("```");
            if let Some(r) = text("response")
                .or_else(|| text("raw").filter(|_| instruct && text("error").is_none()))
                .filter(|_| text("extraction").as_deref() != Some("no_code") || instruct)
            {
                queue.push_back(Recorded::Answer(r));
            } else if let Some(c) = text("completion").filter(|c| markdown(c)) {
                queue.push_back(Recorded::Answer(c));
            } else if let Some(all) = v.get("completions").and_then(Value::as_array) {
                for c in all {
                    let c = c
                        .as_str()
                        .ok_or_else(|| bad("`completions` must hold strings"))?;
                    queue.push_back(Recorded::Code(Code::Completion(c.to_string())));
                }
            } else if let Some(s) = text("solution") {
                queue.push_back(Recorded::Code(Code::Solution(s)));
            } else if let Some(c) = text("completion") {
                queue.push_back(Recorded::Code(Code::Completion(c)));
            } else if let Some(e) = text("error") {
                queue.push_back(Recorded::Failed(e));
            } else if text("extraction").as_deref() == Some("no_code") {
                queue.push_back(Recorded::NoCode(text("raw").unwrap_or_default()));
            } else {
                return Err(bad(
                    "a sample needs `completion`, `solution` or MultiPL-E's `completions`",
                ));
            }
        }
        let file_sha256 = crate::setup::paths::sha256_file(path).map_err(|e| InputError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Ok(ReplayGenerator {
            queues: Mutex::new(queues),
            info: ModelInfo {
                name: name.to_string(),
                spec: spec.to_string(),
                backend: "replay".into(),
                file_sha256: Some(file_sha256),
                style: Style::Completion,
                ..ModelInfo::default()
            },
        })
    }
}

impl Generator for ReplayGenerator {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn generate(&self, req: &Request) -> Vec<Result<Generation, GenError>> {
        let mut queues = self.queues.lock().expect("replay queues");
        let n = req.n.max(1);
        let keys = [
            (req.task_id.clone(), Some(req.language), req.turn),
            (req.task_id.clone(), None, req.turn),
        ];
        (0..n)
            .map(|_| {
                let code = keys
                    .iter()
                    .find_map(|k| queues.get_mut(k).and_then(VecDeque::pop_front));
                match code {
                    Some(Recorded::Code(code)) => Ok(Generation {
                        text: match &code {
                            Code::Completion(c) | Code::Solution(c) => c.clone(),
                        },
                        preset: Some(Some(code)),
                        ..Generation::empty()
                    }),
                    Some(Recorded::Answer(text)) => Ok(Generation {
                        text,
                        chat_answer: true,
                        ..Generation::empty()
                    }),
                    Some(Recorded::NoCode(raw)) => Ok(Generation {
                        text: raw,
                        preset: Some(None),
                        ..Generation::empty()
                    }),
                    Some(Recorded::Failed(e)) => Err(GenError(format!("replayed: {e}"))),
                    None if req.turn > 0 => Err(GenError(format!(
                        "the replayed file has no repair turn {} for {} ({})",
                        req.turn, req.task_id, req.language
                    ))),
                    None => Err(GenError(format!(
                        "the replayed file has no more samples for {} ({})",
                        req.task_id, req.language
                    ))),
                }
            })
            .collect()
    }
}
