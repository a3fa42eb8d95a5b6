//! Semantic routing: a suite of requests labelled with the route a code
//! assistant should dispatch them to; a model answers with one label. This module owns the
//! suite format, the prompts, reading a label out of an answer, and the scores: accuracy,
//! macro-F1, the confusion matrix, latency p50/p95 and tokens per decision.
//!
//! Suite folder: `routes.toml` (`[[route]]` with `label`, `description`, `example`) and
//! `requests.jsonl` (`id`, `text`, `route`, optional `ambiguous` and `also`: other routes
//! a reasonable dispatcher might pick).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::errors::InputError;
use crate::generate::{Message, PromptText};
use crate::problem::jsonl::Lines;
use crate::rundir::routing::{Decision, RouteScore, RoutingScores};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Route {
    pub label: String,
    pub description: String,
    /// A request of this route shown to completion-style models (never one of the suite's).
    pub example: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct RoutingRequest {
    pub id: String,
    pub text: String,
    pub route: String,
    #[serde(default)]
    pub ambiguous: bool,
    #[serde(default)]
    pub also: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RoutingSuite {
    pub routes: Vec<Route>,
    pub requests: Vec<RoutingRequest>,
    pub sha256: String,
}

#[derive(Deserialize)]
struct RoutesFile {
    route: Vec<Route>,
}

/// A routing suite is a folder with `routes.toml`.
pub fn is_routing_suite(path: &Path) -> bool {
    path.join("routes.toml").is_file()
}

fn format_error(path: &Path, message: String) -> InputError {
    InputError::Format {
        path: path.to_path_buf(),
        message,
    }
}

impl RoutingSuite {
    pub fn load(dir: &Path) -> Result<RoutingSuite, InputError> {
        let routes_path = dir.join("routes.toml");
        let text = std::fs::read_to_string(&routes_path).map_err(|e| InputError::Io {
            path: routes_path.clone(),
            source: e,
        })?;
        let routes: RoutesFile =
            toml::from_str(&text).map_err(|e| format_error(&routes_path, e.to_string()))?;
        let labels: HashSet<&str> = routes.route.iter().map(|r| r.label.as_str()).collect();
        if labels.len() != routes.route.len() {
            return Err(format_error(
                &routes_path,
                "route labels must be unique".into(),
            ));
        }
        let requests_path = dir.join("requests.jsonl");
        let mut requests = Vec::new();
        let mut ids = HashSet::new();
        for line in Lines::open(&requests_path)? {
            let line = line?;
            let bad = |message: String| InputError::Line {
                path: requests_path.clone(),
                line: line.number,
                message,
            };
            let r: RoutingRequest =
                serde_json::from_value(line.value.clone()).map_err(|e| bad(e.to_string()))?;
            for label in std::iter::once(&r.route).chain(&r.also) {
                if !labels.contains(label.as_str()) {
                    return Err(bad(format!(
                        "route `{label}` is not in routes.toml ({})",
                        routes
                            .route
                            .iter()
                            .map(|r| r.label.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
            if !ids.insert(r.id.clone()) {
                return Err(bad(format!("duplicate id `{}`", r.id)));
            }
            requests.push(r);
        }
        let mut h = <sha2::Sha256 as sha2::Digest>::new();
        sha2::Digest::update(&mut h, text.as_bytes());
        let req_text = std::fs::read(&requests_path).map_err(|e| InputError::Io {
            path: requests_path.clone(),
            source: e,
        })?;
        sha2::Digest::update(&mut h, &req_text);
        Ok(RoutingSuite {
            routes: routes.route,
            requests,
            sha256: hex::encode(sha2::Digest::finalize(h)),
        })
    }

    fn labels(&self) -> Vec<&str> {
        self.routes.iter().map(|r| r.label.as_str()).collect()
    }

    fn menu(&self) -> String {
        self.routes
            .iter()
            .map(|r| format!("- {}: {}", r.label, r.description))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The prompt for one request: a system message listing the routes (instruct), or the
    /// routes with one example each followed by the request (completion).
    pub fn prompt(&self, request: &str, style: crate::generate::prompt::Style) -> PromptText {
        use crate::generate::prompt::Style;
        match style {
            Style::Instruct => PromptText::Chat(vec![
                Message {
                    role: "system".into(),
                    content: format!(
                        "You are the router of a code assistant. Pick the one route that \
                         should handle the user's request. Answer with the route's label \
                         only, nothing else.\n\nRoutes:\n{}",
                        self.menu()
                    ),
                },
                Message {
                    role: "user".into(),
                    content: format!(
                        "Request:\n{request}\n\nWhich route handles this request? Do not \
                         answer the request itself; reply with one label: {}.",
                        self.labels().join(", ")
                    ),
                },
            ]),
            Style::Completion => {
                let mut t = format!(
                    "A code assistant routes each request to one of these handlers.\n\nRoutes:\n{}\n\n",
                    self.menu()
                );
                for r in &self.routes {
                    t.push_str(&format!("Request: {}\nRoute: {}\n\n", r.example, r.label));
                }
                t.push_str(&format!("Request: {}\nRoute:", one_line(request)));
                PromptText::Text(t)
            }
        }
    }

    /// The label an answer names: the earliest label found (underscores, hyphens and
    /// spaces alike), or None.
    pub fn parse(&self, answer: &str) -> Option<String> {
        let norm = |s: &str| s.to_ascii_lowercase().replace(['-', ' '], "_");
        let a = norm(answer);
        self.routes
            .iter()
            .filter_map(|r| {
                a.find(&norm(&r.label))
                    .map(|at| (at, r.label.len(), &r.label))
            })
            // The earliest; at one position the longest label (`sql` inside `sql_query`).
            .min_by_key(|&(at, len, _)| (at, std::cmp::Reverse(len)))
            .map(|(_, _, l)| l.clone())
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One model's answer to one request: a line of `decisions.jsonl`.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn score(routes: &[Route], decisions: &[Decision]) -> RoutingScores {
    let scored: Vec<&Decision> = decisions.iter().filter(|d| d.error.is_none()).collect();
    let n = scored.len();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let right = |d: &Decision| d.predicted.as_deref() == Some(d.gold.as_str());
    let correct = scored.iter().filter(|d| right(d)).count();
    let unamb: Vec<&&Decision> = scored.iter().filter(|d| !d.ambiguous).collect();
    let lenient = scored
        .iter()
        .filter(|d| {
            right(d) || (d.ambiguous && d.predicted.as_ref().is_some_and(|p| d.also.contains(p)))
        })
        .count();
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for d in &scored {
        let p = d.predicted.clone().unwrap_or_else(|| "none".into());
        *confusion
            .entry(d.gold.clone())
            .or_default()
            .entry(p)
            .or_default() += 1;
    }
    let mut per_route = BTreeMap::new();
    let mut f1_sum = 0.0;
    for r in routes {
        let l = r.label.as_str();
        let tp = scored
            .iter()
            .filter(|d| d.gold == l && d.predicted.as_deref() == Some(l))
            .count();
        let predicted = scored
            .iter()
            .filter(|d| d.predicted.as_deref() == Some(l))
            .count();
        let support = scored.iter().filter(|d| d.gold == l).count();
        let precision = ratio(tp, predicted);
        let recall = ratio(tp, support);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        f1_sum += f1;
        per_route.insert(
            l.to_string(),
            RouteScore {
                precision,
                recall,
                f1,
                support,
            },
        );
    }
    let mut latencies: Vec<f64> = scored.iter().map(|d| d.latency_ms).collect();
    latencies.sort_by(f64::total_cmp);
    let mean = |f: &dyn Fn(&Decision) -> u32| {
        if n == 0 {
            0.0
        } else {
            scored.iter().map(|d| f64::from(f(d))).sum::<f64>() / n as f64
        }
    };
    RoutingScores {
        decisions: n,
        errors: decisions.len() - n,
        accuracy: ratio(correct, n),
        accuracy_unambiguous: ratio(unamb.iter().filter(|d| right(d)).count(), unamb.len()),
        accuracy_lenient: ratio(lenient, n),
        macro_f1: if routes.is_empty() {
            0.0
        } else {
            f1_sum / routes.len() as f64
        },
        unparsed: scored.iter().filter(|d| d.predicted.is_none()).count(),
        per_route,
        confusion,
        latency_p50_ms: quantile(&latencies, 0.5),
        latency_p95_ms: quantile(&latencies, 0.95),
        prompt_tokens_per_decision: mean(&|d| d.prompt_tokens),
        completion_tokens_per_decision: mean(&|d| d.completion_tokens),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Vec<Route> {
        ["sql", "sql_tuning", "chat"]
            .iter()
            .map(|l| Route {
                label: l.to_string(),
                description: String::new(),
                example: String::new(),
            })
            .collect()
    }

    fn d(gold: &str, predicted: Option<&str>, ms: f64) -> Decision {
        Decision {
            id: String::new(),
            model: "m".into(),
            gold: gold.into(),
            also: vec![],
            ambiguous: false,
            predicted: predicted.map(String::from),
            raw: String::new(),
            prompt_tokens: 100,
            completion_tokens: 3,
            latency_ms: ms,
            error: None,
        }
    }

    #[test]
    fn parse_takes_the_earliest_and_longest_label() {
        let suite = RoutingSuite {
            routes: routes(),
            requests: vec![],
            sha256: String::new(),
        };
        assert_eq!(suite.parse(" SQL-Tuning.").as_deref(), Some("sql_tuning"));
        assert_eq!(suite.parse("chat, not sql").as_deref(), Some("chat"));
        assert_eq!(suite.parse("no idea"), None);
    }

    #[test]
    fn accuracy_macro_f1_confusion_and_latency_quantiles() {
        let ds = vec![
            d("sql", Some("sql"), 10.0),
            d("sql", Some("chat"), 20.0),
            d("chat", Some("chat"), 30.0),
            d("sql_tuning", None, 40.0),
        ];
        let s = score(&routes(), &ds);
        assert_eq!(s.accuracy, 0.5);
        assert_eq!(s.unparsed, 1);
        // sql: p=1 r=.5 f1=2/3; chat: p=.5 r=1 f1=2/3; sql_tuning: 0.
        assert!((s.macro_f1 - 4.0 / 9.0).abs() < 1e-12);
        assert_eq!(s.confusion["sql"]["chat"], 1);
        assert_eq!(s.confusion["sql_tuning"]["none"], 1);
        assert_eq!((s.latency_p50_ms, s.latency_p95_ms), (20.0, 40.0));
        assert_eq!(s.prompt_tokens_per_decision, 100.0);
    }

    #[test]
    fn ambiguous_requests_score_leniently_and_errors_are_excluded() {
        let mut a = d("sql", Some("chat"), 1.0);
        a.ambiguous = true;
        a.also = vec!["chat".into()];
        let mut e = d("chat", None, 1.0);
        e.error = Some("server down".into());
        let s = score(&routes(), &[a, d("chat", Some("chat"), 1.0), e]);
        assert_eq!((s.decisions, s.errors), (2, 1));
        assert_eq!(s.accuracy, 0.5);
        assert_eq!(s.accuracy_lenient, 1.0);
        assert_eq!(s.accuracy_unambiguous, 1.0);
    }
}
