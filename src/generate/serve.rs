//! `passk serve`: any generator (an embedded or GGUF model) behind a minimal
//! OpenAI-compatible HTTP API — `/v1/chat/completions`, `/v1/completions` (both with
//! `stream`), `/v1/models`, `/health` — so the OpenAI backend can be tested and used
//! against a real model on loopback. Requests are served one at a time; a streamed reply
//! sends the whole text in one event once it is generated.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::{Finish, Generation, Generator, Message, PromptText, Request, Sampling};

#[derive(Clone)]
struct App {
    generator: Arc<dyn Generator>,
    /// One request at a time: an in-process model decodes one batch at once.
    lock: Arc<tokio::sync::Mutex<()>>,
}

/// The router of the API, for a listener of the caller's choosing.
pub fn router(generator: Arc<dyn Generator>) -> Router {
    let app = App {
        generator,
        lock: Arc::new(tokio::sync::Mutex::new(())),
    };
    Router::new()
        .route("/health", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(chat))
        .route("/v1/completions", post(completions))
        .with_state(app)
}

async fn models(State(app): State<App>) -> Json<Value> {
    Json(json!({"object": "list", "data": [{"id": app.generator.info().name, "object": "model"}]}))
}

fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": {"message": message, "type": "invalid_request_error"}})),
    )
        .into_response()
}

fn request_from(body: &Value, prompt: PromptText) -> Request {
    let d = Sampling::default();
    let f = |k: &str, dflt: f64| body.get(k).and_then(Value::as_f64).unwrap_or(dflt);
    let seed = body.get("seed").and_then(Value::as_u64).unwrap_or(d.seed);
    let stop = match body.get("stop") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|s| s.as_str().map(String::from))
            .collect(),
        _ => vec![],
    };
    Request {
        task_id: "serve".into(),
        language: crate::lang::Language::Python,
        turn: 0,
        prompt,
        n: 1,
        seeds: vec![seed],
        stop,
        halt: vec![],
        sampling: Sampling {
            temperature: f("temperature", 1.0) as f32,
            top_p: f("top_p", 1.0) as f32,
            top_k: f("top_k", 40.0) as i32,
            max_tokens: body
                .get("max_tokens")
                .and_then(Value::as_u64)
                .unwrap_or(d.max_tokens as u64) as u32,
            seed,
        },
    }
}

async fn run(app: &App, req: Request) -> Result<Generation, Response> {
    let _turn = app.lock.lock().await;
    let generator = app.generator.clone();
    let result = tokio::task::spawn_blocking(move || generator.generate(&req))
        .await
        .map_err(|e| bad_gateway(&format!("generation panicked: {e}")))?;
    match result.into_iter().next() {
        Some(Ok(g)) => Ok(g),
        Some(Err(e)) => Err(bad_gateway(&e.0)),
        None => Err(bad_gateway("no sample generated")),
    }
}

fn bad_gateway(message: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({"error": {"message": message, "type": "server_error"}})),
    )
        .into_response()
}

fn usage(g: &Generation) -> Value {
    json!({
        "prompt_tokens": g.prompt_tokens,
        "completion_tokens": g.completion_tokens,
        "total_tokens": g.prompt_tokens + g.completion_tokens,
    })
}

fn finish(g: &Generation) -> &'static str {
    match g.finish {
        Finish::Stop => "stop",
        Finish::Length => "length",
    }
}

fn events(chunks: Vec<Value>) -> Response {
    let mut body = String::new();
    for c in chunks {
        body.push_str(&format!("data: {c}\n\n"));
    }
    body.push_str("data: [DONE]\n\n");
    ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response()
}

/// The reply to a completed request: one JSON object, or (`stream`) the same as server-sent
/// events — the text in one chunk, then the finish reason, then the usage.
fn reply(app: &App, body: &Value, g: &Generation, chat: bool) -> Response {
    let model = app.generator.info().name.clone();
    let object = if chat {
        "chat.completion"
    } else {
        "text_completion"
    };
    let stream = body.get("stream").and_then(Value::as_bool) == Some(true);
    let choice = |text: Option<&str>, finish: Option<&str>| {
        let mut c = json!({"index": 0, "finish_reason": finish});
        if !chat {
            c["text"] = json!(text.unwrap_or(""));
        } else if stream {
            c["delta"] = text.map_or(json!({}), |t| json!({"role": "assistant", "content": t}));
        } else {
            c["message"] = json!({"role": "assistant", "content": text.unwrap_or("")});
        }
        c
    };
    if stream {
        let chunk = format!("{object}{}", if chat { ".chunk" } else { "" });
        return events(vec![
            json!({"object": chunk, "model": model, "choices": [choice(Some(&g.text), None)]}),
            json!({"object": chunk, "model": model, "choices": [choice(None, Some(finish(g)))]}),
            json!({"object": chunk, "model": model, "choices": [], "usage": usage(g)}),
        ]);
    }
    Json(json!({
        "object": object,
        "model": model,
        "choices": [choice(Some(&g.text), Some(finish(g)))],
        "usage": usage(g),
    }))
    .into_response()
}

async fn chat(State(app): State<App>, Json(body): Json<Value>) -> Response {
    let Some(messages) = body
        .get("messages")
        .and_then(|m| serde_json::from_value::<Vec<Message>>(m.clone()).ok())
    else {
        return bad_request("`messages` must be a list of {role, content}");
    };
    let req = request_from(&body, PromptText::Chat(messages));
    match run(&app, req).await {
        Ok(g) => reply(&app, &body, &g, true),
        Err(r) => r,
    }
}

async fn completions(State(app): State<App>, Json(body): Json<Value>) -> Response {
    let Some(prompt) = body.get("prompt").and_then(Value::as_str) else {
        return bad_request("`prompt` must be a string");
    };
    let req = request_from(&body, PromptText::Text(prompt.to_string()));
    match run(&app, req).await {
        Ok(g) => reply(&app, &body, &g, false),
        Err(r) => r,
    }
}

/// Serves `generator` on `addr` until Ctrl-C.
pub fn serve_blocking(generator: Arc<dyn Generator>, addr: &str) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        eprintln!(
            "passk serve: {} on http://{}/v1 (OpenAI-compatible; Ctrl-C stops)",
            generator.info().name,
            listener.local_addr()?
        );
        axum::serve(listener, router(generator))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}
