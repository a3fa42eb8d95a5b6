//! In-process generation on a GGUF file with llama.cpp (llama-cpp-2). The `n` samples of a
//! prompt are decoded together: the prompt is evaluated once, its KV cache copied to every
//! sequence, and each step decodes one token of every live sequence in one batch.

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;

use super::prompt::Style;
use super::{Finish, GenError, Generation, Generator, ModelInfo, PromptText, Request};

/// llama.cpp's backend is process-global and may be initialized once.
fn backend() -> Result<&'static LlamaBackend, GenError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            if std::env::var_os("PASSK_LLAMA_LOG").is_none() {
                llama_cpp_2::send_logs_to_tracing(
                    llama_cpp_2::LogOptions::default().with_logs_enabled(false),
                );
            }
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| GenError(format!("llama.cpp backend: {e}")))
}

pub struct LlamaGenerator {
    /// Leaked on purpose: the warm context borrows it for the rest of the process (a
    /// process opens each model once).
    model: &'static LlamaModel,
    /// The context of the last prompt, reused (KV cleared) while it is large enough: a fresh
    /// context pays for cold buffers on its first decode.
    warm: std::sync::Mutex<Option<Warm>>,
    template: Option<LlamaChatTemplate>,
    info: ModelInfo,
    threads: i32,
}

/// What the decoder forces into one sequence.
struct Forcing {
    budget: Option<super::budget::ThinkBudget>,
    /// Tokens to feed before sampling again (the close of a reasoning block).
    queue: std::collections::VecDeque<llama_cpp_2::token::LlamaToken>,
}

/// Tokens evaluated per decode call while reading the prompt.
const PROMPT_CHUNK: usize = 512;
/// Smallest context passk opens.
const MIN_CTX: usize = 4096;

struct Warm {
    n_ctx: u32,
    n_seq: u32,
    ctx: llama_cpp_2::context::LlamaContext<'static>,
}

impl LlamaGenerator {
    /// Loads `path`. `threads` 0 means one per core.
    pub fn open(
        path: &Path,
        name: &str,
        spec: &str,
        style: Option<Style>,
        threads: usize,
    ) -> Result<LlamaGenerator, GenError> {
        if !path.is_file() {
            return Err(GenError(format!("{}: no such GGUF file", path.display())));
        }
        let backend = backend()?;
        let model = LlamaModel::load_from_file(backend, path, &LlamaModelParams::default())
            .map_err(|e| GenError(format!("{}: cannot load GGUF ({e})", path.display())))?;
        let template = model.chat_template(None).ok();
        let file_sha256 = crate::setup::paths::sha256_file(path)
            .map_err(|e| GenError(format!("{}: {e}", path.display())))?;
        let template_hash = template.as_ref().and_then(|t| t.to_str().ok()).map(|t| {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(t.as_bytes()))
        });
        let style = style.unwrap_or(if template.is_some() {
            Style::Instruct
        } else {
            Style::Completion
        });
        if style == Style::Instruct && template.is_none() {
            return Err(GenError(format!(
                "{}: the GGUF has no chat template, so instruct style cannot be used \
                 (use completion style: `--style completion` or `style = \"completion\"`)",
                path.display()
            )));
        }
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            threads
        };
        let info = ModelInfo {
            name: name.to_string(),
            spec: spec.to_string(),
            backend: "llama.cpp".into(),
            file_sha256: Some(file_sha256),
            server_model: None,
            quantization: quantization(&model),
            chat_template_sha256: template_hash,
            style,
            ..ModelInfo::default()
        };
        Ok(LlamaGenerator {
            model: Box::leak(Box::new(model)),
            warm: std::sync::Mutex::new(None),
            template,
            info,
            threads: threads as i32,
        })
    }

    /// Closes an open `<think>` block after `budget` tokens (`None`: never).
    pub fn with_reasoning_budget(mut self, budget: Option<u32>) -> LlamaGenerator {
        self.info.reasoning_budget = budget;
        self
    }

    fn render(&self, prompt: &PromptText) -> Result<String, GenError> {
        match prompt {
            PromptText::Text(t) => Ok(t.clone()),
            PromptText::Chat(messages) => {
                let template = self.template.as_ref().ok_or_else(|| {
                    GenError("the model has no chat template (use completion style)".into())
                })?;
                let chat = messages
                    .iter()
                    .map(|m| LlamaChatMessage::new(m.role.clone(), m.content.clone()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| GenError(format!("chat message: {e}")))?;
                self.model
                    .apply_chat_template(template, &chat, true)
                    .map_err(|e| GenError(format!("chat template: {e}")))
            }
        }
    }

    fn run(&self, req: &Request) -> Result<Vec<Generation>, GenError> {
        let text = self.render(&req.prompt)?;
        let tokens = self.model.vocab().tokenize(text.as_bytes(), true, true);
        let opens = super::budget::prompt_opens_think(&text);
        self.decode(&tokens, req, false, opens).map(|(g, _)| g)
    }

    /// Evaluates `tokens` once, then decodes `req.n` sequences from it in one batch per
    /// step. `ignore_eos` (benchmarks) runs every sequence to `max_tokens`. Returns the
    /// samples and the milliseconds spent on the prompt.
    fn decode(
        &self,
        tokens: &[llama_cpp_2::token::LlamaToken],
        req: &Request,
        ignore_eos: bool,
        prompt_opens_think: bool,
    ) -> Result<(Vec<Generation>, Timing), GenError> {
        let started = Instant::now();
        let vocab = self.model.vocab();
        if tokens.is_empty() {
            return Err(GenError("the prompt tokenized to nothing".into()));
        }
        let n = req.n.max(1);
        let max_tokens = req.sampling.max_tokens as usize;
        let needed = tokens.len() + n * max_tokens + 16;
        let train = self.model.n_ctx_train() as usize;
        if tokens.len() + max_tokens > train {
            return Err(GenError(format!(
                "prompt ({} tokens) + max_tokens ({max_tokens}) exceed the model's context ({train})",
                tokens.len()
            )));
        }
        let mut warm = self.warm.lock().unwrap_or_else(|e| e.into_inner());
        let fits = warm
            .as_ref()
            .is_some_and(|w| w.n_ctx as usize >= needed && w.n_seq as usize >= n);
        if !fits {
            // Sized generously and monotonically, so that contexts rarely change and every
            // prompt of a run sees the same kind of context.
            let old = warm.as_ref().map_or((0, 0), |w| (w.n_ctx, w.n_seq));
            let n_ctx = (needed.next_power_of_two().max(MIN_CTX) as u32).max(old.0);
            let n_seq = (n as u32).max(old.1);
            *warm = None;
            let params = LlamaContextParams::default()
                .with_n_ctx(NonZeroU32::new(n_ctx))
                .with_n_batch(PROMPT_CHUNK.max(n_seq as usize) as u32)
                .with_n_seq_max(n_seq)
                .with_kv_unified(true)
                .with_n_threads(self.threads)
                .with_n_threads_batch(self.threads);
            let ctx = self
                .model
                .new_context(backend()?, params)
                .map_err(|e| GenError(format!("llama.cpp context: {e}")))?;
            *warm = Some(Warm { n_ctx, n_seq, ctx });
        }
        let ctx = &mut warm.as_mut().expect("a warm context").ctx;
        ctx.clear_kv_cache();

        // Context set-up is latency a user sees (it counts in time to first token) but not
        // prompt evaluation, which the benchmark compares with llama-bench.
        let prompt_started = Instant::now();
        let mut batch = LlamaBatch::new(PROMPT_CHUNK.max(n), n as i32);
        let last = tokens.len() - 1;
        for (c, chunk) in tokens.chunks(PROMPT_CHUNK).enumerate() {
            batch.clear();
            for (j, t) in chunk.iter().enumerate() {
                let pos = c * PROMPT_CHUNK + j;
                batch
                    .add(*t, pos as i32, &[0], pos == last)
                    .map_err(|e| GenError(format!("batch: {e}")))?;
            }
            ctx.decode(&mut batch)
                .map_err(|e| GenError(format!("prompt decode: {e}")))?;
        }
        let prompt_ms = prompt_started.elapsed().as_secs_f64() * 1e3;
        let gen_started = Instant::now();
        for s in 1..n {
            ctx.copy_kv_cache_seq(0, s as i32, None, None)
                .map_err(|e| GenError(format!("kv copy: {e}")))?;
        }

        let s = &req.sampling;
        let mut seqs: Vec<Seq> =
            req.seeds
                .iter()
                .take(n)
                .map(|seed| Seq {
                    sampler: if s.temperature <= 0.0 {
                        LlamaSampler::greedy()
                    } else {
                        LlamaSampler::chain_simple([
                            LlamaSampler::top_k(s.top_k.max(1)),
                            LlamaSampler::top_p(s.top_p, 1),
                            LlamaSampler::temp(s.temperature),
                            LlamaSampler::dist(*seed as u32),
                        ])
                    },
                    bytes: Vec::new(),
                    tokens: 0,
                    logits_at: batch.n_tokens() - 1,
                    pending: None,
                    done: None,
                    ttft_ms: None,
                    latency_ms: 0.0,
                    cut: None,
                    forcing: Forcing {
                        budget: self.info.reasoning_budget.map(|b| {
                            super::budget::ThinkBudget::new(b as usize, prompt_opens_think)
                        }),
                        queue: Default::default(),
                    },
                })
                .collect();
        let close = vocab.tokenize(super::budget::CLOSE.as_bytes(), false, true);
        let mut pos = tokens.len() as i32;
        let mut piece = Vec::new();
        loop {
            for seq in seqs.iter_mut().filter(|q| q.done.is_none()) {
                let token = match seq.forcing.queue.pop_front() {
                    Some(forced) => {
                        seq.sampler.accept(forced);
                        forced
                    }
                    None => seq.sampler.sample(ctx, seq.logits_at),
                };
                let ms = started.elapsed().as_secs_f64() * 1e3;
                seq.ttft_ms.get_or_insert(ms);
                if vocab.is_eog(token) && !ignore_eos {
                    seq.finish(Finish::Stop, ms);
                    continue;
                }
                piece.clear();
                vocab.token_to_piece_into(token, &mut piece, false, None);
                seq.bytes.extend_from_slice(&piece);
                seq.tokens += 1;
                seq.pending = Some(token);
                if let Some(b) = &mut seq.forcing.budget
                    && b.over(&seq.bytes, seq.tokens)
                {
                    seq.forcing.queue.extend(close.iter().copied());
                }
                if let Some(end) = stop_at(&seq.bytes, piece.len(), &req.stop, &req.halt) {
                    seq.cut = Some(end);
                    seq.finish(Finish::Stop, ms);
                } else if seq.tokens >= max_tokens {
                    seq.finish(Finish::Length, ms);
                }
            }
            let live: Vec<usize> = (0..seqs.len())
                .filter(|&i| seqs[i].done.is_none())
                .collect();
            if live.is_empty() {
                break;
            }
            batch.clear();
            for (k, &i) in live.iter().enumerate() {
                let token = seqs[i]
                    .pending
                    .take()
                    .expect("a live sequence sampled a token");
                batch
                    .add(token, pos, &[i as i32], true)
                    .map_err(|e| GenError(format!("batch: {e}")))?;
                seqs[i].logits_at = k as i32;
            }
            pos += 1;
            ctx.decode(&mut batch)
                .map_err(|e| GenError(format!("decode: {e}")))?;
        }
        let samples = seqs
            .into_iter()
            .map(|q| {
                let mut bytes = q.bytes;
                if let Some(end) = q.cut {
                    bytes.truncate(end);
                }
                Generation {
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                    preset: None,
                    chat_answer: false,
                    prompt_tokens: tokens.len() as u32,
                    completion_tokens: q.tokens as u32,
                    reasoning_tokens: None,
                    reasoning: None,
                    latency_ms: q.latency_ms,
                    ttft_ms: q.ttft_ms,
                    finish: q.done.unwrap_or(Finish::Stop),
                }
            })
            .collect();
        let timing = Timing {
            prompt_ms,
            gen_ms: gen_started.elapsed().as_secs_f64() * 1e3,
        };
        Ok((samples, timing))
    }
}

struct Seq {
    sampler: LlamaSampler,
    bytes: Vec<u8>,
    tokens: usize,
    /// Index of this sequence's logits in the last decoded batch.
    logits_at: i32,
    pending: Option<llama_cpp_2::token::LlamaToken>,
    done: Option<Finish>,
    ttft_ms: Option<f64>,
    latency_ms: f64,
    /// Where the text ends when a stop string ended it.
    cut: Option<usize>,
    forcing: Forcing,
}

impl Seq {
    fn finish(&mut self, why: Finish, ms: f64) {
        self.done = Some(why);
        self.latency_ms = ms;
        self.pending = None;
    }
}

/// Where the text ends if a stop string appeared in the last `added` bytes: before a
/// `stop`, after the kept part of a `halt`.
fn stop_at(bytes: &[u8], added: usize, stop: &[String], halt: &[(String, usize)]) -> Option<usize> {
    let longest = stop
        .iter()
        .map(String::len)
        .chain(halt.iter().map(|(h, _)| h.len()))
        .max()?;
    let from = bytes.len().saturating_sub(added + longest);
    let window = &bytes[from..];
    let find = |needle: &[u8]| window.windows(needle.len()).position(|w| w == needle);
    let stops = stop
        .iter()
        .filter_map(|s| find(s.as_bytes()).map(|at| (from + at, from + at)));
    let halts = halt
        .iter()
        .filter_map(|(h, keep)| find(h.as_bytes()).map(|at| (from + at, from + at + keep)));
    stops
        .chain(halts)
        .min_by_key(|(at, _)| *at)
        .map(|(_, end)| end)
}

/// The quantization named by the GGUF's `general.file_type` (llama.cpp's ftype numbers).
fn quantization(model: &LlamaModel) -> Option<String> {
    let ftype: u32 = model.meta_val_str("general.file_type").ok()?.parse().ok()?;
    let name = match ftype {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        32 => "BF16",
        other => return Some(format!("ftype {other}")),
    };
    Some(name.to_string())
}

/// Where the time of one decode went (context set-up excluded).
struct Timing {
    prompt_ms: f64,
    gen_ms: f64,
}

/// Throughput of one benchmark pass.
#[derive(Debug, Clone, Copy)]
pub struct Throughput {
    /// Prompt tokens evaluated per second.
    pub prompt_tok_s: f64,
    /// Generated tokens per second, all sequences together.
    pub gen_tok_s: f64,
}

impl LlamaGenerator {
    /// Measures the generation path itself (sampling included): a `prompt_tokens`-token
    /// prompt, then `n` sequences of `gen_tokens` tokens each decoded together.
    pub fn bench(
        &self,
        prompt_tokens: usize,
        gen_tokens: u32,
        n: usize,
    ) -> Result<Throughput, GenError> {
        let filler = "def solve(xs):\n    return sorted(set(xs))[:3] # pass@k benchmark text\n";
        let mut tokens =
            self.model
                .vocab()
                .tokenize(filler.repeat(prompt_tokens).as_bytes(), true, false);
        tokens.truncate(prompt_tokens.max(1));
        let req = Request {
            task_id: "bench".into(),
            language: crate::lang::Language::Python,
            turn: 0,
            prompt: PromptText::Text(String::new()),
            n,
            seeds: (0..n as u64).collect(),
            stop: vec![],
            halt: vec![],
            sampling: super::Sampling {
                temperature: 0.0,
                max_tokens: gen_tokens,
                ..super::Sampling::default()
            },
        };
        let (samples, t) = self.decode(&tokens, &req, true, false)?;
        let generated: u32 = samples.iter().map(|g| g.completion_tokens).sum();
        Ok(Throughput {
            prompt_tok_s: tokens.len() as f64 / (t.prompt_ms / 1e3),
            gen_tok_s: f64::from(generated) / (t.gen_ms / 1e3),
        })
    }

    pub fn threads(&self) -> i32 {
        self.threads
    }
}

impl Generator for LlamaGenerator {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn generate(&self, req: &Request) -> Vec<Result<Generation, GenError>> {
        match self.run(req) {
            Ok(gens) => gens.into_iter().map(Ok).collect(),
            Err(e) => (0..req.n.max(1)).map(|_| Err(e.clone())).collect(),
        }
    }

    fn count_tokens(&self, text: &str) -> Option<u32> {
        Some(
            self.model
                .vocab()
                .tokenize(text.as_bytes(), false, false)
                .len() as u32,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_cut_before_and_halts_after_their_kept_part() {
        let stop = vec!["\ndef ".to_string()];
        let halt = vec![("\n}".to_string(), 2)];
        let b = b"  return 1\n}\n";
        assert_eq!(stop_at(b, 3, &stop, &halt), Some(12));
        let b = b"  return 1\ndef g";
        assert_eq!(stop_at(b, 5, &stop, &halt), Some(10));
        assert_eq!(stop_at(b"  x = 1", 2, &stop, &halt), None);
    }
}
