//! Scripted stand-ins for the two seams the runner is generic over, for unit tests of its
//! logic (resume, dedup, cache, Ctrl-C, shards, reference-first exclusion) that run in
//! milliseconds with no guest installed. Neither runs code: the sandbox reads its verdict
//! off a word in the program, the generator answers from a script.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::Cancel;
use crate::generate::{
    Finish, GenError, Generation, Generator, ModelInfo, PromptText, Request, prompt,
};
use crate::lang::Language;
use crate::outcome::Outcome;
use crate::sandbox::{Execution, Limits, Program, Sandbox, SandboxId};

/// A sandbox whose verdict is the first script word in the program's source: `PASS`,
/// `FAIL`, `SLOW` (passes after 20 ms), `PANIC` (panics, as a sandbox bug would),
/// `CANCEL` (presses Ctrl-C, then passes). No word: `failed`. Counts every run by the
/// `#`-comment tag of the line that holds the word (`# s3`, `# ref`).
#[derive(Default)]
pub struct FakeSandbox {
    pub runs: AtomicUsize,
    pub by_tag: Mutex<HashMap<String, usize>>,
    /// The flag `CANCEL` sets.
    pub cancel: Cancel,
}

impl FakeSandbox {
    pub fn new(cancel: &Cancel) -> FakeSandbox {
        FakeSandbox {
            cancel: cancel.clone(),
            ..FakeSandbox::default()
        }
    }

    /// How many runs carried a tag starting with `prefix`.
    pub fn runs_tagged(&self, prefix: &str) -> usize {
        let tags = self.by_tag.lock().expect("tags");
        tags.iter()
            .filter(|(t, _)| t.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    }
}

const WORDS: [&str; 5] = ["PASS", "FAIL", "SLOW", "PANIC", "CANCEL"];

fn script(source: &str) -> Option<(&'static str, String)> {
    source.lines().find_map(|line| {
        let word = WORDS.iter().find(|w| line.contains(*w))?;
        let tag = line.split_once('#').map(|(_, t)| t.trim().to_string());
        Some((*word, tag.unwrap_or_default()))
    })
}

impl Sandbox for FakeSandbox {
    fn supports(&self, _: Language) -> bool {
        true
    }

    fn id(&self, _: Language) -> SandboxId {
        SandboxId {
            kind: "fake".into(),
            version: "1".into(),
        }
    }

    async fn run(&self, program: &Program, _: &Limits) -> Execution {
        self.runs.fetch_add(1, Ordering::SeqCst);
        let Some((word, tag)) = script(&program.source) else {
            return Execution::verdict(Outcome::WrongAnswer, "no script word");
        };
        *self.by_tag.lock().expect("tags").entry(tag).or_default() += 1;
        match word {
            "PASS" => Execution::verdict(Outcome::Passed, ""),
            "SLOW" => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Execution::verdict(Outcome::Passed, "")
            }
            "PANIC" => panic!("scripted sandbox panic"),
            "CANCEL" => {
                self.cancel.cancel();
                Execution::verdict(Outcome::Passed, "")
            }
            _ => Execution::verdict(Outcome::WrongAnswer, "AssertionError"),
        }
    }
}

/// The script of a [`FakeGenerator`]: task id, seed and repair turn → the answer or a
/// failure.
pub type Script = Box<dyn Fn(&str, u64, usize) -> Result<String, String> + Send + Sync>;

/// A completion-style model that answers every prompt with `answer(task_id, seed, turn)`:
/// `Ok(text)`, `Err(message)` (a failed sample), or a panic when the text is `PANIC!`.
/// The prompts of repair turns are kept.
pub struct FakeGenerator {
    pub info: ModelInfo,
    pub answer: Script,
    pub calls: AtomicUsize,
    pub repair_prompts: Mutex<Vec<String>>,
}

impl FakeGenerator {
    /// A model whose answer does not depend on the turn.
    pub fn new(
        name: &str,
        answer: impl Fn(&str, u64) -> Result<String, String> + Send + Sync + 'static,
    ) -> FakeGenerator {
        FakeGenerator::with_turns(name, move |task, seed, _| answer(task, seed))
    }

    pub fn with_turns(
        name: &str,
        answer: impl Fn(&str, u64, usize) -> Result<String, String> + Send + Sync + 'static,
    ) -> FakeGenerator {
        FakeGenerator {
            info: ModelInfo {
                name: name.into(),
                spec: format!("fake:{name}"),
                backend: "fake".into(),
                file_sha256: None,
                server_model: None,
                quantization: None,
                chat_template_sha256: None,
                style: prompt::Style::Completion,
                ..ModelInfo::default()
            },
            answer: Box::new(answer),
            calls: AtomicUsize::new(0),
            repair_prompts: Mutex::new(Vec::new()),
        }
    }
}

impl Generator for FakeGenerator {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn generate(&self, req: &Request) -> Vec<Result<Generation, GenError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if req.turn > 0 {
            let text = match &req.prompt {
                PromptText::Text(t) => t.clone(),
                PromptText::Chat(m) => format!("{m:?}"),
            };
            self.repair_prompts.lock().expect("prompts").push(text);
        }
        req.seeds
            .iter()
            .map(|&seed| match (self.answer)(&req.task_id, seed, req.turn) {
                Ok(text) if text == "PANIC!" => panic!("scripted generator panic"),
                Ok(text) => Ok(Generation {
                    completion_tokens: text.len() as u32,
                    text,
                    preset: None,
                    chat_answer: false,
                    prompt_tokens: 10,
                    reasoning_tokens: None,
                    reasoning: None,
                    latency_ms: 1.0,
                    ttft_ms: None,
                    finish: Finish::Stop,
                }),
                Err(message) => Err(GenError(message)),
            })
            .collect()
    }
}
