//! The efficiency view: per model, pass@1 against what an answer cost (mean completion
//! tokens, reasoning included, and latency), which models are on the Pareto front (no
//! other is at least as accurate for fewer tokens), and — for two modes of one model (the
//! same served model or file, thinking on and off, two reasoning efforts or budgets) — how
//! much accuracy the costlier mode buys per extra 1k tokens.

use serde::Serialize;

use crate::generate::ModelInfo;
use crate::rundir::summary::Summary;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModelCost {
    pub model: String,
    pub pass_at_1: f64,
    /// Mean completion tokens per sample, reasoning included.
    pub tokens: f64,
    pub reasoning_tokens: f64,
    pub latency_ms: f64,
    /// No other model is at least as accurate for at most as many tokens (one strictly).
    pub pareto: bool,
    /// Samples that hit `--max-tokens` inside their reasoning.
    pub truncated_reasoning: usize,
}

/// Two modes of one model: what the costlier (`more`) buys over the cheaper (`less`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModeDelta {
    pub less: String,
    pub more: String,
    /// pass@1 points (a fraction) gained by `more`.
    pub delta_pass_at_1: f64,
    pub delta_tokens: f64,
    /// `delta_pass_at_1` per 1000 extra tokens (absent when the token counts are equal).
    pub per_1k_tokens: Option<f64>,
}

/// The rows of models passk generated for, in name order.
pub fn costs(s: &Summary) -> Vec<ModelCost> {
    let mut rows: Vec<ModelCost> = s
        .models
        .iter()
        .filter_map(|(model, g)| {
            let e = g.efficiency.as_ref()?;
            Some(ModelCost {
                model: model.clone(),
                pass_at_1: g.pass_at_k.get("pass@1").copied()?,
                tokens: e.completion_tokens,
                reasoning_tokens: e.reasoning_tokens,
                latency_ms: e.latency_ms,
                pareto: false,
                truncated_reasoning: g.truncated_reasoning,
            })
        })
        .collect();
    let dominated = |a: &ModelCost, b: &ModelCost| {
        b.pass_at_1 >= a.pass_at_1
            && b.tokens <= a.tokens
            && (b.pass_at_1 > a.pass_at_1 || b.tokens < a.tokens)
    };
    let flags: Vec<bool> = rows
        .iter()
        .map(|a| !rows.iter().any(|b| dominated(a, b)))
        .collect();
    for (r, f) in rows.iter_mut().zip(flags) {
        r.pareto = f;
    }
    rows
}

/// What identifies the model behind a name: the served model or the file, whatever
/// request options or budget the name adds.
fn underlying(m: &ModelInfo) -> String {
    match (&m.file_sha256, &m.server_model) {
        (Some(sha), _) if m.backend != "replay" => format!("file {sha}"),
        (_, Some(served)) => format!("{} {served}", m.backend),
        _ => format!("spec {}", m.spec),
    }
}

/// Every pair of names that are modes of one model, cheaper first.
pub fn mode_deltas(rows: &[ModelCost], models: &[ModelInfo]) -> Vec<ModeDelta> {
    let mut out = Vec::new();
    for (i, a) in models.iter().enumerate() {
        for b in &models[i + 1..] {
            if underlying(a) != underlying(b) {
                continue;
            }
            let row = |m: &ModelInfo| rows.iter().find(|r| r.model == m.name);
            let (Some(x), Some(y)) = (row(a), row(b)) else {
                continue;
            };
            let (less, more) = if x.tokens <= y.tokens { (x, y) } else { (y, x) };
            let delta_tokens = more.tokens - less.tokens;
            let delta = more.pass_at_1 - less.pass_at_1;
            out.push(ModeDelta {
                less: less.model.clone(),
                more: more.model.clone(),
                delta_pass_at_1: delta,
                delta_tokens,
                per_1k_tokens: (delta_tokens > 0.0).then(|| delta / (delta_tokens / 1000.0)),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rundir::summary::{Efficiency, Group};

    fn group(pass: f64, tokens: f64) -> Group {
        Group {
            pass_at_k: [("pass@1".to_string(), pass)].into(),
            efficiency: Some(Efficiency {
                completion_tokens: tokens,
                ..Efficiency::default()
            }),
            ..Group::default()
        }
    }

    fn info(name: &str, served: &str) -> ModelInfo {
        ModelInfo {
            name: name.into(),
            spec: format!("openai:http://x/v1#{served}"),
            backend: "openai".into(),
            server_model: Some(served.into()),
            ..ModelInfo::default()
        }
    }

    #[test]
    fn the_front_keeps_models_no_other_beats_and_modes_price_their_tokens() {
        let mut s = crate::grade::summary::SummaryBuilder::default().finish(0);
        s.models = [
            ("think".to_string(), group(0.6, 2000.0)),
            ("nothink".to_string(), group(0.4, 500.0)),
            ("other".to_string(), group(0.35, 800.0)),
        ]
        .into();
        let rows = costs(&s);
        let front: Vec<(&str, bool)> = rows.iter().map(|r| (r.model.as_str(), r.pareto)).collect();
        assert_eq!(
            front,
            [("nothink", true), ("other", false), ("think", true)]
        );
        let models = [
            info("think", "qwen"),
            info("nothink", "qwen"),
            info("other", "gemma"),
        ];
        let d = mode_deltas(&rows, &models);
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].less.as_str(), d[0].more.as_str()),
            ("nothink", "think")
        );
        let per_1k = d[0].per_1k_tokens.unwrap();
        assert!((per_1k - 0.2 / 1.5).abs() < 1e-12, "{per_1k}");
    }
}
