//! A scripted OpenAI-compatible model server on 127.0.0.1:0 for tests and benchmarks:
//! `POST /v1/chat/completions` (streamed or whole) and `POST /v1/responses`, replying as a
//! `Script` says: text at a token rate, another model, 429, 500, a cut stream, a slow first
//! token, no usage. It records every request. One plain file, included with `#[path]` by
//! the lib's unit tests, `tests/it` and the benches; it needs only std, tokio, serde_json.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A successful answer and how it misbehaves.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub text: String,
    /// Answer as this model rather than the one asked for.
    pub model: Option<String>,
    /// Name this model in one chunk only (chat), or in `response.completed` (responses).
    pub model_on_chunk: Option<(usize, String)>,
    /// Stream this many ~4-character tokens a second; unset streams at once.
    pub tokens_per_s: Option<f64>,
    pub first_token_after: Duration,
    /// Close the connection after half the tokens, before any finish or `[DONE]`.
    pub cut_half_way: bool,
    pub omit_usage: bool,
    /// Append the `Authorization` header received to the text, as a leaky proxy might.
    pub echo_authorization: bool,
}

impl Reply {
    pub fn text(text: impl Into<String>) -> Reply {
        Reply {
            text: text.into(),
            ..Reply::default()
        }
    }
    pub fn answering_as(mut self, model: &str) -> Reply {
        self.model = Some(model.into());
        self
    }
    pub fn answering_as_on_chunk(mut self, chunk: usize, model: &str) -> Reply {
        self.model_on_chunk = Some((chunk, model.into()));
        self
    }
    pub fn tokens_per_s(mut self, rate: f64) -> Reply {
        self.tokens_per_s = Some(rate);
        self
    }
    pub fn first_token_after(mut self, wait: Duration) -> Reply {
        self.first_token_after = wait;
        self
    }
    pub fn cut_half_way(mut self) -> Reply {
        self.cut_half_way = true;
        self
    }
    pub fn without_usage(mut self) -> Reply {
        self.omit_usage = true;
        self
    }
    pub fn echo_authorization(mut self) -> Reply {
        self.echo_authorization = true;
        self
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Behaviour {
    Reply(Reply),
    /// HTTP 429 with this `Retry-After` value (seconds or an HTTP date).
    RateLimited {
        retry_after: String,
    },
    /// HTTP 500.
    ServerError,
}

impl Behaviour {
    pub fn reply(text: impl Into<String>) -> Behaviour {
        Behaviour::Reply(Reply::text(text))
    }
    pub fn rate_limited(retry_after: &str) -> Behaviour {
        Behaviour::RateLimited {
            retry_after: retry_after.into(),
        }
    }
}

impl From<Reply> for Behaviour {
    fn from(r: Reply) -> Behaviour {
        Behaviour::Reply(r)
    }
}

type Choose = dyn Fn(&Value) -> Behaviour + Send + Sync;

/// Chooses a behaviour per request.
pub struct Script(Box<Choose>);

impl Script {
    /// The same behaviour for every request.
    pub fn always(b: impl Into<Behaviour>) -> Script {
        let b = b.into();
        Script(Box::new(move |_| b.clone()))
    }

    /// The behaviours in order, one per request; the last repeats.
    pub fn queue(list: Vec<Behaviour>) -> Script {
        let last = list.last().cloned().unwrap_or(Behaviour::ServerError);
        let queue = Mutex::new(VecDeque::from(list));
        Script(Box::new(move |_| {
            let mut q = queue.lock().unwrap_or_else(|p| p.into_inner());
            q.pop_front().unwrap_or_else(|| last.clone())
        }))
    }

    /// A closure over each request's JSON body.
    pub fn from_fn(f: impl Fn(&Value) -> Behaviour + Send + Sync + 'static) -> Script {
        Script(Box::new(f))
    }
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

pub struct FakeModel {
    /// The base URL to configure a provider with: `http://127.0.0.1:PORT/v1`.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeModel {
    pub async fn start(script: Script) -> FakeModel {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let url = format!(
            "http://{}/v1",
            listener.local_addr().expect("a bound address")
        );
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let log = received.clone();
        let server = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (script, log) = (script.clone(), log.clone());
                tokio::spawn(async move {
                    // A client that hangs up early is its own business.
                    let _ = serve(socket, &script, &log).await;
                });
            }
        });
        FakeModel {
            url,
            received,
            server,
        }
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for FakeModel {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve(
    mut socket: TcpStream,
    script: &Script,
    log: &Mutex<Vec<Received>>,
) -> std::io::Result<()> {
    let request = read_request(&mut socket).await?;
    log.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(request.clone());
    let responses = request.path.ends_with("/responses");
    if !(responses || request.path.ends_with("/chat/completions")) {
        return write_status(&mut socket, 404, None).await;
    }
    match (script.0)(&request.body) {
        Behaviour::RateLimited { retry_after } => {
            write_status(&mut socket, 429, Some(&retry_after)).await
        }
        Behaviour::ServerError => write_status(&mut socket, 500, None).await,
        Behaviour::Reply(reply) => {
            let answer = Answer::new(&request, reply, responses);
            if request.body["stream"] == true {
                answer.stream(&mut socket).await
            } else {
                answer.whole(&mut socket).await
            }
        }
    }
}

async fn read_request(socket: &mut TcpStream) -> std::io::Result<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut chunk).await?;
        if n == 0 || buf.len() > 1 << 20 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = serde_json::from_slice(&buf[head_end..head_end + length]).unwrap_or(Value::Null);
    Ok(Received {
        path,
        authorization: header("authorization"),
        body,
    })
}

async fn write_status(
    socket: &mut TcpStream,
    status: u16,
    retry_after: Option<&str>,
) -> std::io::Result<()> {
    let body = json!({"error": {"message": format!("scripted HTTP {status}"), "type": "fake"}})
        .to_string();
    let extra = retry_after.map_or(String::new(), |r| format!("retry-after: {r}\r\n"));
    let head = format!(
        "HTTP/1.1 {status} Scripted\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n",
        body.len()
    );
    socket.write_all(format!("{head}{body}").as_bytes()).await?;
    socket.shutdown().await
}

/// One scripted answer to one request.
struct Answer {
    reply: Reply,
    responses: bool,
    model: String,
    pieces: Vec<String>,
    input_tokens: usize,
}

impl Answer {
    fn new(request: &Received, mut reply: Reply, responses: bool) -> Answer {
        if reply.echo_authorization {
            let auth = request.authorization.clone().unwrap_or_default();
            reply.text.push_str(&format!(" (authorization: {auth})"));
        }
        let asked = request.body["model"].as_str().unwrap_or("unknown");
        let model = reply.model.clone().unwrap_or_else(|| asked.to_string());
        let chars: Vec<char> = reply.text.chars().collect();
        let pieces = chars.chunks(4).map(|c| c.iter().collect()).collect();
        let messages = if responses {
            &request.body["input"]
        } else {
            &request.body["messages"]
        };
        let prompt_chars: usize = messages
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| m["content"].as_str().map_or(0, |c| c.chars().count()))
            .sum();
        Answer {
            reply,
            responses,
            model,
            pieces,
            input_tokens: prompt_chars.div_ceil(4),
        }
    }

    fn usage(&self) -> Value {
        let (i, o) = (self.input_tokens, self.pieces.len());
        if self.responses {
            json!({"input_tokens": i, "output_tokens": o, "total_tokens": i + o})
        } else {
            json!({"prompt_tokens": i, "completion_tokens": o, "total_tokens": i + o})
        }
    }

    fn model_at(&self, chunk: usize) -> &str {
        match &self.reply.model_on_chunk {
            Some((at, m)) if *at == chunk => m,
            _ => &self.model,
        }
    }

    async fn whole(&self, socket: &mut TcpStream) -> std::io::Result<()> {
        tokio::time::sleep(self.reply.first_token_after).await;
        if let Some(rate) = self.reply.tokens_per_s {
            tokio::time::sleep(Duration::from_secs_f64(self.pieces.len() as f64 / rate)).await;
        }
        let text = self.reply.text.clone();
        let mut body = if self.responses {
            json!({"id": "resp_fake", "object": "response", "model": self.model_at(0), "status": "completed",
                "output": [{"type": "message", "id": "msg_fake", "role": "assistant",
                    "content": [{"type": "output_text", "text": text, "annotations": []}]}]})
        } else {
            json!({"id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": self.model_at(0),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]})
        };
        if !self.reply.omit_usage {
            body["usage"] = self.usage();
        }
        let body = body.to_string();
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        socket.write_all(head.as_bytes()).await?;
        let sent = if self.reply.cut_half_way {
            body.len() / 2
        } else {
            body.len()
        };
        socket.write_all(&body.as_bytes()[..sent]).await?;
        socket.shutdown().await
    }

    async fn stream(&self, socket: &mut TcpStream) -> std::io::Result<()> {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
        socket.write_all(head.as_bytes()).await?;
        if self.responses {
            let created = json!({"type": "response.created",
                "response": {"id": "resp_fake", "object": "response", "model": self.model, "status": "in_progress"}});
            send(socket, Some("response.created"), &created).await?;
        }
        tokio::time::sleep(self.reply.first_token_after).await;
        let start = Instant::now();
        let cut = if self.reply.cut_half_way {
            self.pieces.len() / 2
        } else {
            usize::MAX
        };
        for (i, piece) in self.pieces.iter().enumerate() {
            if i == cut {
                // No terminating chunk: the client sees the body break off.
                return socket.flush().await;
            }
            if let Some(rate) = self.reply.tokens_per_s {
                tokio::time::sleep_until((start + Duration::from_secs_f64(i as f64 / rate)).into())
                    .await;
            }
            send(
                socket,
                self.event_name("response.output_text.delta"),
                &self.delta(i, piece),
            )
            .await?;
        }
        self.finish(socket).await?;
        socket.write_all(b"0\r\n\r\n").await?;
        socket.shutdown().await
    }

    fn event_name<'a>(&self, name: &'a str) -> Option<&'a str> {
        self.responses.then_some(name)
    }

    fn delta(&self, i: usize, piece: &str) -> Value {
        if self.responses {
            return json!({"type": "response.output_text.delta", "item_id": "msg_fake",
                "output_index": 0, "content_index": 0, "delta": piece});
        }
        let mut delta = json!({"content": piece});
        if i == 0 {
            delta["role"] = json!("assistant");
        }
        json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0,
            "model": self.model_at(i), "choices": [{"index": 0, "delta": delta, "finish_reason": null}]})
    }

    async fn finish(&self, socket: &mut TcpStream) -> std::io::Result<()> {
        let n = self.pieces.len();
        if self.responses {
            let mut response = json!({"id": "resp_fake", "object": "response", "status": "completed",
                "model": self.model_at(n)});
            if !self.reply.omit_usage {
                response["usage"] = self.usage();
            }
            let done = json!({"type": "response.completed", "response": response});
            return send(socket, Some("response.completed"), &done).await;
        }
        let stop = json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0,
            "model": self.model_at(n), "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
        send(socket, None, &stop).await?;
        if !self.reply.omit_usage {
            let usage = json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0,
                "model": self.model_at(n + 1), "choices": [], "usage": self.usage()});
            send(socket, None, &usage).await?;
        }
        write_chunk(socket, "data: [DONE]\n\n").await
    }
}

/// One SSE event as one HTTP chunk.
async fn send(socket: &mut TcpStream, name: Option<&str>, data: &Value) -> std::io::Result<()> {
    let event = match name {
        Some(n) => format!("event: {n}\ndata: {data}\n\n"),
        None => format!("data: {data}\n\n"),
    };
    write_chunk(socket, &event).await
}

async fn write_chunk(socket: &mut TcpStream, data: &str) -> std::io::Result<()> {
    socket
        .write_all(format!("{:x}\r\n{data}\r\n", data.len()).as_bytes())
        .await
}
