//! Generation: the [`Generator`] seam and its backends — llama.cpp in-process
//! ([`llama`]), OpenAI-compatible HTTP ([`openai`]) and replay of a samples file
//! ([`replay`]) — plus prompt building ([`prompt`]) and code extraction ([`extract`]).

pub mod budget;
pub mod extract;
pub mod feedback;
pub mod llama;
pub mod merge;
pub mod models;
pub mod openai;
pub mod prompt;
pub mod replay;
pub mod serve;

use serde::{Deserialize, Serialize};

/// A chat message (instruct style).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: String,
    pub content: String,
}

/// What the model is given.
#[derive(Debug, Clone, PartialEq)]
pub enum PromptText {
    /// Completion style: the text is continued as is.
    Text(String),
    /// Instruct style: formatted with the model's chat template.
    Chat(Vec<Message>),
}

/// Sampler settings, recorded in the run manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    pub temperature: f32,
    pub top_p: f32,
    pub top_k: i32,
    pub max_tokens: u32,
    /// Seed of sample 0; sample i uses `seed + i`.
    pub seed: u64,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            temperature: 0.0,
            top_p: 0.95,
            top_k: 40,
            max_tokens: 512,
            seed: 1234,
        }
    }
}

/// One prompt, `n` samples of it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The problem asked (replay looks samples up by it).
    pub task_id: String,
    pub language: crate::lang::Language,
    /// The turn of a repair episode the prompt asks for (0: the first answer).
    pub turn: usize,
    pub prompt: PromptText,
    pub n: usize,
    /// Seed of each of the `n` samples.
    pub seeds: Vec<u64>,
    /// Stop strings whose text is dropped (sent to servers as `stop`).
    pub stop: Vec<String>,
    /// Stop strings that end the code and stay in it (`(text, bytes kept)`); in-process
    /// backends halt on them, HTTP backends leave the cut to extraction.
    pub halt: Vec<(String, usize)>,
    pub sampling: Sampling,
}

/// Why generation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    /// End of sequence or a stop string.
    Stop,
    /// `max_tokens` reached.
    Length,
}

/// One generated sample as the backend saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// Everything the model produced (stop string excluded).
    pub text: String,
    /// Code that needs no extraction (replayed samples; `Some(None)`: the replayed sample
    /// had no code).
    #[serde(skip)]
    pub preset: Option<Option<crate::problem::Code>>,
    /// The text is a recorded chat answer to extract as an instruct model's (replay of a
    /// `raw`/`response` field or of a markdown `completion`).
    #[serde(skip)]
    pub chat_answer: bool,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// Tokens the server reported as reasoning, when it separates them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_tokens: Option<u32>,
    /// Reasoning the server returned apart from the answer (`reasoning_content`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
    pub latency_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<f64>,
    pub finish: Finish,
}

impl Generation {
    /// A generation with no text and no costs.
    pub fn empty() -> Generation {
        Generation {
            text: String::new(),
            preset: None,
            chat_answer: false,
            prompt_tokens: 0,
            completion_tokens: 0,
            reasoning_tokens: None,
            reasoning: None,
            latency_ms: 0.0,
            ttft_ms: None,
            finish: Finish::Stop,
        }
    }
}

/// A sample that could not be generated: a harness fault (`generation_error`), never a
/// model failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct GenError(pub String);

/// Provenance of a model, recorded in the run manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ModelInfo {
    /// The name results carry (`model` in samples and results).
    pub name: String,
    /// The spec it was opened from (`gguf:PATH`, `openai:URL#MODEL`, `replay:FILE`).
    pub spec: String,
    pub backend: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_template_sha256: Option<String>,
    /// Whether the model has a chat template (instruct style) or continues text.
    pub style: prompt::Style,
    /// Options merged into every request body (`request = { … }` of a passk.toml entry:
    /// thinking on or off, a reasoning effort); two entries of one served model differing
    /// here are two models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<serde_json::Value>,
    /// In-process models: reasoning tokens after which an open `<think>` block is closed
    /// (`--reasoning-budget`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_budget: Option<u32>,
}

/// A model that turns prompts into samples. Implementations never panic on a bad server
/// or file: each failed sample is a [`GenError`].
pub trait Generator: Send + Sync {
    fn info(&self) -> &ModelInfo;

    /// How many requests may be in flight at once (an HTTP server's concurrency limit;
    /// 1 for in-process models, which batch the `n` samples of one prompt instead).
    fn concurrency(&self) -> usize {
        1
    }

    /// The `req.n` samples of one prompt, in seed order.
    fn generate(&self, req: &Request) -> Vec<Result<Generation, GenError>>;

    /// Counts the tokens of `text`, where the backend has a tokenizer (reasoning tokens).
    fn count_tokens(&self, _text: &str) -> Option<u32> {
        None
    }
}

/// Runs `f` over `items` on `workers` threads (a backend's concurrency limit), in order of
/// `items`; `f` returns false to stop every worker after their current item. A panic in `f`
/// stops the others and is re-raised with its own message once they have finished.
pub fn in_parallel<T: Send>(items: Vec<T>, workers: usize, f: impl Fn(T) -> bool + Sync) {
    let queue = std::sync::Mutex::new(std::collections::VecDeque::from(items));
    pull_in_parallel(|| queue.lock().expect("work queue").pop_front(), workers, f);
}

/// [`in_parallel`] over items pulled from `next` until it returns `None` (it may block
/// while more work can still come, as a repair episode's next turn does).
pub fn pull_in_parallel<T: Send>(
    next: impl Fn() -> Option<T> + Sync,
    workers: usize,
    f: impl Fn(T) -> bool + Sync,
) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let stop = AtomicBool::new(false);
    let panicked = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                while !stop.load(Ordering::SeqCst) {
                    let Some(item) = next() else {
                        return;
                    };
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(item))) {
                        Ok(true) => {}
                        Ok(false) => stop.store(true, Ordering::SeqCst),
                        Err(payload) => {
                            stop.store(true, Ordering::SeqCst);
                            let mut first = panicked.lock().unwrap_or_else(|e| e.into_inner());
                            first.get_or_insert(payload);
                        }
                    }
                }
            });
        }
    });
    if let Some(payload) = panicked.into_inner().unwrap_or_else(|e| e.into_inner()) {
        std::panic::resume_unwind(payload);
    }
}
