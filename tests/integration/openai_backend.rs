//! The OpenAI-compatible backend against real HTTP servers on loopback: passk serving its
//! own embedded model (`passk serve`), and fault-injecting servers (500s, malformed JSON,
//! slow replies, refused connections). Failed samples must become `generation_error` — a
//! harness fault that makes the run incomplete — never a crash, never a model failure.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::common::server::{fake_server, http, sse};
use crate::common::{jsonl as lines, output_text as text};

const HARNESS_FAULT: i32 = 4;

fn run(model: &str, out: &Path, extra: &[&str]) -> Output {
    crate::common::passk()
        .args([
            "run",
            "--models",
            model,
            "--suite",
            "problems/core",
            "--langs",
            "python",
        ])
        .args(["--limit", "2", "--max-tokens", "200", "--no-cache", "--out"])
        .arg(out)
        .args(extra)
        .env("CI", "true")
        .output()
        .expect("run passk")
}

fn sse_ok() -> String {
    sse("```python\ndef f():\n    return 1\n```", 40, 12)
}

fn outcomes(out: &Path) -> Vec<String> {
    lines(&out.join("results.jsonl"))
        .iter()
        .map(|r| r["outcome"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn server_errors_are_retried_then_become_generation_errors() {
    let (url, count) =
        fake_server(|_| Some(http("500 Internal Server Error", "text/plain", "boom")));
    let dir = tempfile::tempdir().unwrap();
    let o = run(&format!("openai:{url}#m"), dir.path(), &["--retries", "2"]);
    assert_eq!(o.status.code(), Some(HARNESS_FAULT), "{}", text(&o));
    assert_eq!(
        outcomes(dir.path()),
        ["generation_error", "generation_error"]
    );
    // Two samples, each tried three times.
    assert_eq!(count.load(Ordering::SeqCst), 6);
    let samples = lines(&dir.path().join("samples.jsonl"));
    assert!(
        samples[0]["error"].as_str().unwrap().contains("HTTP 500"),
        "{samples:?}"
    );
    assert!(text(&o).contains("INCOMPLETE"), "{}", text(&o));
}

/// A run against `url`, one request at a time, that must end with every sample scored.
fn recovered(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &format!("openai:{url}#m"),
        dir.path(),
        &["--concurrency", "1"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    dir
}

#[test]
fn a_transient_failure_recovers_on_retry() {
    // Requests 0 and 2 fail; their retries succeed.
    let (url, count) = fake_server(|n| {
        Some(if n % 2 == 0 {
            http("503 Service Unavailable", "text/plain", "busy")
        } else {
            sse_ok()
        })
    });
    let dir = recovered(&url);
    assert_eq!(count.load(Ordering::SeqCst), 4);
    let samples = lines(&dir.path().join("samples.jsonl"));
    assert_eq!(samples.len(), 2);
    for s in &samples {
        assert_eq!(s["prompt_tokens"], 40);
        assert_eq!(s["completion_tokens"], 12);
        assert_eq!(s["extraction"], "fenced");
        assert!(s["ttft_ms"].as_f64().is_some());
    }
    // The fake's answer is a wrong solution: scored as the model's failure, not a fault.
    for o in outcomes(dir.path()) {
        assert!(o == "wrong_answer" || o == "runtime_error", "{o}");
    }
}

#[test]
fn a_server_asking_to_retry_later_is_left_alone_that_long() {
    // The first request is refused with `Retry-After: 2`; passk's own backoff (0.5 s) is
    // shorter, so the retry's time shows whose wait was kept.
    let times = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let t = times.clone();
    let (url, count) = fake_server(move |n| {
        t.lock().unwrap().push(std::time::Instant::now());
        Some(if n == 0 {
            "HTTP/1.1 429 Too Many Requests\r\nretry-after: 2\r\ncontent-length: 4\r\nconnection: close\r\n\r\nbusy".to_string()
        } else {
            sse_ok()
        })
    });
    let _dir = recovered(&url);
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let times = times.lock().unwrap();
    let waited = times[1] - times[0];
    assert!(waited >= Duration::from_millis(1900), "{waited:?}");
}

#[test]
fn malformed_json_slow_replies_and_refused_connections_are_generation_errors() {
    let (malformed, _) = fake_server(|_| {
        Some(http(
            "200 OK",
            "text/event-stream",
            "data: {\"choices\": [\n\ndata: [DONE]\n\n",
        ))
    });
    let (slow, _) = fake_server(|_| None);
    let refused = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let a = l.local_addr().unwrap();
        drop(l);
        format!("http://{a}/v1")
    };
    for (url, expect) in [
        (malformed, "malformed"),
        (slow, "timed out"),
        (refused, "cannot connect"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let o = run(
            &format!("openai:{url}#m"),
            dir.path(),
            &["--retries", "1", "--request-timeout", "2"],
        );
        assert_eq!(o.status.code(), Some(HARNESS_FAULT), "{url}: {}", text(&o));
        assert_eq!(
            outcomes(dir.path()),
            ["generation_error", "generation_error"]
        );
        let samples = lines(&dir.path().join("samples.jsonl"));
        let error = samples[0]["error"].as_str().unwrap();
        assert!(error.contains(expect), "{url}: {error}");
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `passk serve` on a free port; returns the server and its base URL.
fn serve(model: &str) -> (Server, String) {
    let mut child = crate::common::passk()
        .args(["serve", "--model", model, "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("start passk serve");
    let stderr = child.stderr.take().unwrap();
    let mut reader = BufReader::new(stderr);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("passk serve said: {line}"))
        .to_string();
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = reader.read_to_string(&mut sink);
    });
    (Server(child), url)
}

#[test]
fn a_real_model_behind_a_real_server() {
    let _turn = crate::common::one_model_at_a_time();
    let (_server, url) = serve("qwen2.5-coder-0.5b");
    let dir = tempfile::tempdir().unwrap();
    let o = run(&format!("openai:{url}#qwen"), dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let samples = lines(&dir.path().join("samples.jsonl"));
    assert_eq!(samples.len(), 2);
    for s in &samples {
        assert_eq!(s["model"], "qwen");
        assert!(s["prompt_tokens"].as_u64().unwrap() > 20, "{s}");
        assert!(s["completion_tokens"].as_u64().unwrap() > 0, "{s}");
        assert!(!s["raw"].as_str().unwrap().is_empty());
    }
    let results = lines(&dir.path().join("results.jsonl"));
    assert_eq!(results.len(), 2);
    for r in &results {
        assert!(r["generation"]["latency_ms"].as_f64().unwrap() > 0.0);
        let o = r["outcome"].as_str().unwrap();
        assert!(o != "generation_error" && o != "sandbox_error", "{r}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["generation"]["models"][0]["backend"], "openai");
    assert_eq!(manifest["generation"]["models"][0]["server_model"], "qwen");
}

#[test]
fn requests_fan_out_over_several_endpoints() {
    let slow_ok = |_| {
        std::thread::sleep(Duration::from_millis(300));
        Some(sse_ok())
    };
    let (a, count_a) = fake_server(slow_ok);
    let (b, count_b) = fake_server(slow_ok);
    let dir = tempfile::tempdir().unwrap();
    let o = crate::common::passk()
        .args([
            "run",
            "--models",
            &format!("openai:{a},{b}#m"),
            "--suite",
            "problems/core",
        ])
        .args([
            "--langs",
            "python,javascript",
            "--limit",
            "4",
            "--concurrency",
            "4",
        ])
        .args(["--no-cache", "--out"])
        .arg(dir.path())
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (na, nb) = (
        count_a.load(Ordering::SeqCst),
        count_b.load(Ordering::SeqCst),
    );
    assert_eq!(na + nb, 8);
    assert!(na >= 2 && nb >= 2, "uneven split: {na} + {nb}");
}
