//! OpenAI-compatible HTTP generation (`/v1/chat/completions` for instruct style,
//! `/v1/completions` for completion style): llama-server, vLLM, Ollama, LM Studio. Requests
//! stream (server-sent events) so time to first token is measured; usage is taken from the
//! server. Several endpoints serving the same model share the load (fan-out); transient
//! failures (connection refused, 429, 5xx, malformed replies, timeouts) are retried with
//! backoff — never sooner than a `Retry-After` the server sent (up to
//! [`MAX_RETRY_AFTER`]) — then become `generation_error`.

use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::prompt::Style;
use super::{Finish, GenError, Generation, Generator, ModelInfo, PromptText, Request};

/// How an OpenAI-compatible backend is reached and paced.
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// Base URLs ending in `/v1` (several: the same model on several servers).
    pub endpoints: Vec<String>,
    pub model: String,
    /// Environment variable holding the API key (sent as a bearer token when set).
    pub api_key_env: Option<String>,
    /// Requests in flight at once, over all endpoints.
    pub concurrency: usize,
    pub retries: u32,
    pub timeout: Duration,
    /// First retry delay; doubled on each further retry.
    pub backoff: Duration,
    pub style: Style,
    /// Merged into every request body (a passk.toml entry's `request = { … }`).
    pub request: serde_json::Map<String, Value>,
}

/// Request fields passk owns: what it sends there is what it parses back.
pub const RESERVED: [&str; 4] = ["messages", "prompt", "stream", "stream_options"];

/// Merges `extra` into `body`: objects key by key, anything else replaced.
fn merge_into(body: &mut Value, extra: &serde_json::Map<String, Value>) {
    for (k, v) in extra {
        match (body.get_mut(k), v) {
            (Some(Value::Object(_)), Value::Object(inner)) => {
                merge_into(body.get_mut(k).expect("present"), inner)
            }
            _ => body[k] = v.clone(),
        }
    }
}

impl OpenAiConfig {
    pub fn new(endpoints: Vec<String>, model: String) -> Self {
        OpenAiConfig {
            endpoints,
            model,
            api_key_env: None,
            concurrency: 4,
            retries: 3,
            timeout: Duration::from_secs(300),
            backoff: Duration::from_millis(500),
            style: Style::Instruct,
            request: serde_json::Map::new(),
        }
    }
}

pub struct OpenAiGenerator {
    config: OpenAiConfig,
    client: reqwest::blocking::Client,
    api_key: Option<String>,
    in_flight: Vec<AtomicUsize>,
    info: ModelInfo,
}

/// Whether a failure may go away on retry (and how long the server asked to be left
/// alone first).
enum Failure {
    Transient(String, Option<Duration>),
    Permanent(String),
}

/// The longest `Retry-After` honoured: a server asking for more is retried after this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// A `Retry-After` header's wait: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let wait = match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => httpdate::parse_http_date(v)
            .ok()?
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

impl OpenAiGenerator {
    pub fn new(name: &str, spec: &str, config: OpenAiConfig) -> Result<Self, GenError> {
        if config.endpoints.is_empty() {
            return Err(GenError("no endpoint given".into()));
        }
        let api_key = match &config.api_key_env {
            Some(var) => Some(std::env::var(var).map_err(|_| {
                GenError(format!(
                    "the API key variable {var} is not set in the environment"
                ))
            })?),
            None => None,
        };
        let client = reqwest::blocking::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| GenError(format!("HTTP client: {e}")))?;
        let info = ModelInfo {
            name: name.to_string(),
            spec: spec.to_string(),
            backend: "openai".into(),
            server_model: Some(config.model.clone()),
            style: config.style,
            request: (!config.request.is_empty()).then(|| Value::Object(config.request.clone())),
            ..ModelInfo::default()
        };
        Ok(OpenAiGenerator {
            in_flight: config
                .endpoints
                .iter()
                .map(|_| AtomicUsize::new(0))
                .collect(),
            config,
            client,
            api_key,
            info,
        })
    }

    /// The endpoint with the fewest requests in flight.
    fn pick(&self) -> usize {
        (0..self.in_flight.len())
            .min_by_key(|&i| self.in_flight[i].load(Ordering::SeqCst))
            .unwrap_or(0)
    }

    fn body(&self, req: &Request, seed: u64) -> (String, Value) {
        let s = &req.sampling;
        let mut body = json!({
            "model": self.config.model,
            "max_tokens": s.max_tokens,
            "temperature": s.temperature,
            "top_p": s.top_p,
            "top_k": s.top_k,
            "seed": seed,
            "stream": true,
            "stream_options": {"include_usage": true},
        });
        merge_into(&mut body, &self.config.request);
        if !req.stop.is_empty() {
            // OpenAI accepts at most four stop strings.
            body["stop"] = json!(req.stop.iter().take(4).collect::<Vec<_>>());
        }
        match &req.prompt {
            PromptText::Chat(messages) => {
                body["messages"] = json!(messages);
                ("chat/completions".into(), body)
            }
            PromptText::Text(t) => {
                body["prompt"] = json!(t);
                ("completions".into(), body)
            }
        }
    }

    fn attempt(&self, path: &str, body: &Value) -> Result<Generation, Failure> {
        let at = self.pick();
        self.in_flight[at].fetch_add(1, Ordering::SeqCst);
        let result = self.send(at, path, body);
        self.in_flight[at].fetch_sub(1, Ordering::SeqCst);
        result
    }

    fn send(&self, at: usize, path: &str, body: &Value) -> Result<Generation, Failure> {
        let url = format!("{}/{path}", self.config.endpoints[at].trim_end_matches('/'));
        let started = Instant::now();
        let mut request = self.client.post(&url).json(body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        let response = request
            .send()
            .map_err(|e| Failure::Transient(format!("{url}: {}", without_url(&e)), None))?;
        let status = response.status();
        if !status.is_success() {
            let wait = retry_after(response.headers());
            let text = response.text().unwrap_or_default();
            let what = format!(
                "{url}: HTTP {status}: {}",
                text.chars().take(200).collect::<String>()
            );
            return Err(if status.is_server_error() || status.as_u16() == 429 {
                Failure::Transient(what, wait)
            } else {
                Failure::Permanent(what)
            });
        }
        let mut stream = Stream::default();
        let reader = BufReader::new(response);
        for line in reader.lines() {
            let line =
                line.map_err(|e| Failure::Transient(format!("{url}: reading reply: {e}"), None))?;
            let Some(data) = line.strip_prefix("data:") else {
                continue;
            };
            let data = data.trim();
            if data == "[DONE]" {
                break;
            }
            let v: Value = serde_json::from_str(data).map_err(|e| {
                Failure::Transient(
                    format!("{url}: malformed event ({e}): {}", clip(data)),
                    None,
                )
            })?;
            stream.add(&v, started);
        }
        stream
            .finish(started)
            .map_err(|e| Failure::Transient(format!("{url}: {e}"), None))
    }

    fn one(&self, req: &Request, seed: u64) -> Result<Generation, GenError> {
        let (path, body) = self.body(req, seed);
        let mut last = String::new();
        let mut asked = None;
        for attempt in 0..=self.config.retries {
            if attempt > 0 {
                let backoff = self.config.backoff * 2u32.pow(attempt - 1);
                std::thread::sleep(backoff.max(asked.unwrap_or_default()));
            }
            match self.attempt(&path, &body) {
                Ok(g) => return Ok(g),
                Err(Failure::Permanent(e)) => return Err(GenError(e)),
                Err(Failure::Transient(e, wait)) => (last, asked) = (e, wait),
            }
        }
        Err(GenError(format!(
            "{last} (gave up after {} attempts)",
            self.config.retries + 1
        )))
    }
}

fn clip(s: &str) -> String {
    s.chars().take(120).collect()
}

/// reqwest's error text without the URL it already names.
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut root = String::new();
    while let Some(s) = source {
        root = s.to_string();
        source = s.source();
    }
    if root.is_empty() {
        kind.into()
    } else {
        format!("{kind} ({root})")
    }
}

/// What the events of one streamed reply add up to.
#[derive(Default)]
struct Stream {
    text: String,
    reasoning: String,
    ttft_ms: Option<f64>,
    chunks: u32,
    finish: Option<String>,
    usage: Option<Value>,
}

impl Stream {
    fn add(&mut self, v: &Value, started: Instant) {
        if let Some(u) = v.get("usage").filter(|u| !u.is_null()) {
            self.usage = Some(u.clone());
        }
        let Some(choice) = v.get("choices").and_then(|c| c.get(0)) else {
            return;
        };
        let delta = choice.get("delta");
        let content = delta
            .and_then(|d| d.get("content"))
            .or_else(|| choice.get("text"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let reasoning = delta
            .and_then(|d| d.get("reasoning_content").or_else(|| d.get("reasoning")))
            .and_then(Value::as_str)
            .unwrap_or("");
        if !content.is_empty() || !reasoning.is_empty() {
            self.ttft_ms
                .get_or_insert(started.elapsed().as_secs_f64() * 1e3);
            self.chunks += 1;
        }
        self.text.push_str(content);
        self.reasoning.push_str(reasoning);
        if let Some(f) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish = Some(f.to_string());
        }
    }

    fn finish(self, started: Instant) -> Result<Generation, String> {
        if self.finish.is_none() && self.usage.is_none() && self.chunks == 0 {
            return Err("the reply held no completion events".into());
        }
        let get = |k: &str| {
            self.usage
                .as_ref()
                .and_then(|u| u.get(k))
                .and_then(Value::as_u64)
                .map(|n| n as u32)
        };
        let reasoning_tokens = self
            .usage
            .as_ref()
            .and_then(|u| u.pointer("/completion_tokens_details/reasoning_tokens"))
            .and_then(Value::as_u64)
            .map(|n| n as u32);
        Ok(Generation {
            text: self.text,
            preset: None,
            chat_answer: false,
            prompt_tokens: get("prompt_tokens").unwrap_or(0),
            completion_tokens: get("completion_tokens").unwrap_or(self.chunks),
            reasoning_tokens,
            reasoning: (!self.reasoning.is_empty()).then_some(self.reasoning),
            latency_ms: started.elapsed().as_secs_f64() * 1e3,
            ttft_ms: self.ttft_ms,
            finish: if self.finish.as_deref() == Some("length") {
                Finish::Length
            } else {
                Finish::Stop
            },
        })
    }
}

impl Generator for OpenAiGenerator {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn concurrency(&self) -> usize {
        self.config.concurrency.max(1)
    }

    fn generate(&self, req: &Request) -> Vec<Result<Generation, GenError>> {
        req.seeds
            .iter()
            .take(req.n.max(1))
            .map(|&seed| self.one(req, seed))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    fn wait(v: &str) -> Option<Duration> {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
        retry_after(&h)
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_caps_the_wait() {
        assert_eq!(wait("2"), Some(Duration::from_secs(2)));
        assert_eq!(wait("86400"), Some(MAX_RETRY_AFTER));
        let later = std::time::SystemTime::now() + Duration::from_secs(30);
        let d = wait(&httpdate::fmt_http_date(later)).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        // A date gone by: no wait beyond the backoff; nonsense: none at all.
        assert_eq!(wait("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(wait("soon"), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }
}
