//! Model specs: `gguf:PATH`, `openai:URL[,URL…]#MODEL`, `replay:FILE`, the embedded
//! defaults (`gemma3-270m`, `qwen2.5-coder-0.5b`, fetched by `passk setup`), and named
//! entries of a `passk.toml`:
//!
//! ```toml
//! [models.gemma4-26b]
//! spec = "openai:http://gpu1:8080/v1,http://gpu2:8080/v1#gemma-4-26b"
//! style = "instruct"          # or "completion"
//! concurrency = 8             # requests in flight (OpenAI)
//! api_key_env = "GEMMA_KEY"   # bearer token from this variable
//! timeout_s = 300
//! retries = 3
//! threads = 8                 # llama.cpp threads (gguf)
//! request = { reasoning_effort = "low" }   # merged into every request body (OpenAI)
//! reasoning_budget = 1024     # close an open <think> after this many tokens (gguf)
//!
//! [models.qwen3.5-30b-nothink]  # the same served model, thinking off: another model
//! spec = "openai:http://gpu1:8081/v1#qwen3.5-30b"
//! request = { chat_template_kwargs = { enable_thinking = false } }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::Generator;
use super::llama::LlamaGenerator;
use super::openai::{OpenAiConfig, OpenAiGenerator};
use super::prompt::Style;
use super::replay::ReplayGenerator;
use crate::setup::Paths;

#[derive(Debug, thiserror::Error)]
#[error("model `{spec}`: {message}")]
pub struct ModelError {
    pub spec: String,
    pub message: String,
}

impl crate::errors::Classify for ModelError {
    fn status(&self) -> crate::exit_codes::ExitStatus {
        crate::exit_codes::ExitStatus::InputError
    }

    fn hint(&self) -> Option<&'static str> {
        Some(
            "models are gguf:PATH, openai:URL#MODEL, replay:FILE, an embedded model \
             (`passk setup` fetches them) or a [models.NAME] entry of passk.toml",
        )
    }
}

/// Settings of one model, from a `passk.toml` entry or the command line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    #[serde(default)]
    pub spec: String,
    pub style: Option<Style>,
    pub concurrency: Option<usize>,
    pub api_key_env: Option<String>,
    pub timeout_s: Option<u64>,
    pub retries: Option<u32>,
    pub threads: Option<usize>,
    /// Merged into every OpenAI request body.
    pub request: Option<toml::Table>,
    /// In-process models: tokens of reasoning before an open `<think>` is closed.
    pub reasoning_budget: Option<u32>,
}

impl ModelEntry {
    /// `self`, with what it leaves unset taken from `defaults`.
    fn or(mut self, defaults: &ModelEntry) -> ModelEntry {
        self.style = self.style.or(defaults.style);
        self.concurrency = self.concurrency.or(defaults.concurrency);
        self.api_key_env = self.api_key_env.or(defaults.api_key_env.clone());
        self.timeout_s = self.timeout_s.or(defaults.timeout_s);
        self.retries = self.retries.or(defaults.retries);
        self.threads = self.threads.or(defaults.threads);
        self.request = self.request.or(defaults.request.clone());
        self.reasoning_budget = self.reasoning_budget.or(defaults.reasoning_budget);
        self
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub models: BTreeMap<String, ModelEntry>,
}

impl Config {
    /// `path`, or `./passk.toml` when it exists, or nothing.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None if Path::new("passk.toml").is_file() => PathBuf::from("passk.toml"),
            None => return Ok(Config::default()),
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }
}

/// Opens the model `name` (a spec, an embedded name or a `passk.toml` entry); `defaults`
/// are the command line's settings.
pub fn open(
    name: &str,
    config: &Config,
    defaults: &ModelEntry,
    paths: &Paths,
) -> Result<Box<dyn Generator>, ModelError> {
    let err = |message: String| ModelError {
        spec: name.to_string(),
        message,
    };
    let (label, entry) = match config.models.get(name) {
        Some(e) => (name.to_string(), e.clone().or(defaults)),
        None => (
            String::new(),
            ModelEntry {
                spec: name.to_string(),
                ..defaults.clone()
            },
        ),
    };
    let spec = entry.spec.as_str();
    let gen_err = |e: super::GenError| err(e.0);
    let in_process = crate::setup::pins::pins().model(spec).is_some() || spec.starts_with("gguf:");
    if entry.request.is_some() && !spec.starts_with("openai:") {
        return Err(err(
            "`request` options are sent to OpenAI-compatible servers; this model is not one".into(),
        ));
    }
    if entry.reasoning_budget.is_some() && !in_process && config.models.contains_key(name) {
        return Err(err(
            "`reasoning_budget` closes <think> inside llama.cpp; a server's own setting \
             (e.g. `request = { reasoning_effort = \"low\" }`) does that for `openai:` models"
                .into(),
        ));
    }
    if let Some(pin) = crate::setup::pins::pins().model(spec) {
        let path = crate::setup::models::model_path(paths, pin);
        if !path.is_file() {
            return Err(err(format!(
                "not set up yet ({} missing); run `passk setup --models {}`",
                path.display(),
                pin.name
            )));
        }
        let style = entry.style.or(super::prompt::Style::parse(&pin.style));
        let label = if label.is_empty() {
            pin.name.clone()
        } else {
            label
        };
        let g = LlamaGenerator::open(&path, &label, spec, style, entry.threads.unwrap_or(0))
            .map_err(gen_err)?
            .with_reasoning_budget(entry.reasoning_budget);
        return Ok(Box::new(g));
    }
    if let Some(path) = spec.strip_prefix("gguf:") {
        let path = Path::new(path);
        let label = if label.is_empty() { stem(path) } else { label };
        let g = LlamaGenerator::open(path, &label, spec, entry.style, entry.threads.unwrap_or(0))
            .map_err(gen_err)?
            .with_reasoning_budget(entry.reasoning_budget);
        return Ok(Box::new(g));
    }
    if let Some(rest) = spec.strip_prefix("openai:") {
        let (urls, model) = rest.rsplit_once('#').ok_or_else(|| {
            err("an OpenAI spec is `openai:URL[,URL…]#MODEL`, e.g. \
                 `openai:http://127.0.0.1:8080/v1#qwen3.5-30b`"
                .into())
        })?;
        let endpoints: Vec<String> = urls
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(bad) = endpoints
            .iter()
            .find(|u| !u.starts_with("http://") && !u.starts_with("https://"))
        {
            return Err(err(format!("`{bad}` is not an http(s) URL")));
        }
        let mut c = OpenAiConfig::new(endpoints, model.to_string());
        c.style = entry.style.unwrap_or(Style::Instruct);
        c.api_key_env = entry.api_key_env.clone();
        if let Some(n) = entry.concurrency {
            c.concurrency = n;
        }
        if let Some(s) = entry.timeout_s {
            c.timeout = Duration::from_secs(s);
        }
        if let Some(r) = entry.retries {
            c.retries = r;
        }
        if let Some(table) = &entry.request {
            let Ok(serde_json::Value::Object(map)) = serde_json::to_value(table) else {
                return Err(err("`request` must be a table".into()));
            };
            if let Some(k) = map
                .keys()
                .find(|k| super::openai::RESERVED.contains(&k.as_str()))
            {
                return Err(err(format!(
                    "`request.{k}` is passk's to set (it reads back what it sends there)"
                )));
            }
            c.request = map;
        }
        let label = if label.is_empty() {
            model.to_string()
        } else {
            label
        };
        return Ok(Box::new(
            OpenAiGenerator::new(&label, spec, c).map_err(gen_err)?,
        ));
    }
    if let Some(path) = spec.strip_prefix("replay:") {
        let path = Path::new(path);
        let label = if label.is_empty() { stem(path) } else { label };
        let g = ReplayGenerator::open(path, &label, spec).map_err(|e| err(e.to_string()))?;
        return Ok(Box::new(g));
    }
    Err(err(format!(
        "unknown model; use gguf:PATH, openai:URL#MODEL, replay:FILE, an embedded model ({}) \
         or a [models.NAME] entry of passk.toml",
        crate::setup::models::embedded().join(", ")
    )))
}

/// The GGUF file of an embedded model or a `gguf:PATH` spec.
pub fn gguf_path(spec: &str, paths: &Paths) -> Result<PathBuf, ModelError> {
    let err = |message: String| ModelError {
        spec: spec.to_string(),
        message,
    };
    if let Some(pin) = crate::setup::pins::pins().model(spec) {
        let path = crate::setup::models::model_path(paths, pin);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(err(format!(
                "not set up yet; run `passk setup --models {}`",
                pin.name
            )))
        };
    }
    match spec.strip_prefix("gguf:") {
        Some(p) => Ok(PathBuf::from(p)),
        None => Err(err("needs an embedded model or gguf:PATH".into())),
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("model")
        .trim_end_matches(".jsonl")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::super::prompt::Style;

    #[test]
    fn every_pinned_model_names_a_known_style() {
        let pins = crate::setup::pins::pins();
        assert!(!pins.model.is_empty());
        for m in &pins.model {
            assert!(
                Style::parse(&m.style).is_some(),
                "{}: style {:?}",
                m.name,
                m.style
            );
        }
    }
}
