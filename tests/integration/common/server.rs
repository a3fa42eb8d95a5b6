//! Scripted OpenAI-compatible servers on loopback: real HTTP, answers chosen by a script
//! from the request number and body, for fault injection and for conversations (repair
//! turns) whose next answer depends on what passk sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A server that answers request `n` with body `b` by `reply(n, b)` (`None`: hang), counting
/// requests. Returns its base URL (`http://127.0.0.1:PORT/v1`).
pub fn scripted_server(
    reply: impl Fn(usize, &str) -> Option<String> + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let reply = Arc::new(reply);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let n = c.fetch_add(1, Ordering::SeqCst);
            let reply = reply.clone();
            std::thread::spawn(move || answer(stream, |body| reply(n, body)));
        }
    });
    (format!("http://{addr}/v1"), count)
}

/// A server whose answer depends only on the request number.
pub fn fake_server(
    reply: impl Fn(usize) -> Option<String> + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    scripted_server(move |n, _| reply(n))
}

fn answer(mut stream: TcpStream, response: impl FnOnce(&str) -> Option<String>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    match response(&String::from_utf8_lossy(&body)) {
        Some(r) => {
            let _ = stream.write_all(r.as_bytes());
        }
        // Hang: the client's timeout has to end it.
        None => std::thread::sleep(Duration::from_secs(30)),
    }
}

pub fn http(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// A streamed chat answer with `content` and its token usage.
pub fn sse(content: &str, prompt_tokens: u32, completion_tokens: u32) -> String {
    let chunk = serde_json::json!({"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": "stop"}]});
    let usage = serde_json::json!({"choices": [], "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}});
    http(
        "200 OK",
        "text/event-stream",
        &format!("data: {chunk}\n\ndata: {usage}\n\ndata: [DONE]\n\n"),
    )
}

/// `passk run` of the server at `url` (one model named `m`) on `suite`, uncached, into `out`.
pub fn run_served(url: &str, suite: &str, out: &std::path::Path) -> std::process::Command {
    let mut c = super::passk();
    c.args([
        "run",
        "--models",
        &format!("openai:{url}#m"),
        "--suite",
        suite,
    ])
    .arg("--no-cache")
    .arg("--out")
    .arg(out);
    c
}
