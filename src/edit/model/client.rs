//! Calls one OpenAI-compatible model: Chat Completions (streamed or whole) or the Responses
//! API, with retries on 429, 5xx, timeouts, connection errors and cut streams. Every HTTP
//! attempt yields a redacted `Receipt`; a call that keeps failing returns its error and
//! the caller fails that file's change, never the run. Never falls back to another model.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::provider::{Api, Provider};
use super::receipt::{Outcome, Receipt, Redactor};
use super::retry::{MAX_RETRY_AFTER, backoff, parse_retry_after};
use super::sse::SseReader;
use super::wire::{self, Arrived, Progress};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Message {
        Message {
            role,
            content: content.into(),
        }
    }
}

/// One model call as the engine asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRequest {
    pub model: String,
    pub messages: Vec<Message>,
    pub temperature: Option<f64>,
    pub max_output_tokens: Option<u64>,
}

/// Why a call gave no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error(
        "provider {provider:?} has no key: the environment variable {env} is not set (set it, or remove api_key_env for a server that needs none)"
    )]
    NoKey { provider: String, env: String },
    #[error("gave up after {attempts} attempts; the last: {last}")]
    RetriesExhausted { attempts: u32, last: String },
    #[error("the provider asked to wait {} s (Retry-After), longer than Sitewide waits", wait.as_secs())]
    WaitTooLong { wait: Duration },
    #[error("the provider refused the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("the answer cannot be read: {0}")]
    Invalid(String),
}

/// The answer (when there is one), a receipt per HTTP attempt, and the error otherwise.
#[derive(Debug)]
pub struct CallResult {
    pub text: Option<String>,
    pub receipts: Vec<Receipt>,
    pub error: Option<CallError>,
}

impl CallResult {
    fn failed(receipts: Vec<Receipt>, error: CallError) -> CallResult {
        CallResult {
            text: None,
            receipts,
            error: Some(error),
        }
    }

    /// Whether the answer came from another model than the one asked for; the job spec's
    /// `on_mismatch` decides what that means for the change.
    pub fn is_mismatch(&self) -> bool {
        self.receipts.last().is_some_and(|r| r.mismatch)
    }
}

/// Calls `request.model` at `provider`. `on_delta` hears the byte length of each piece of
/// text as it streams in (a retried attempt starts over).
pub async fn call(
    provider: &Provider,
    provider_name: &str,
    request: &ModelRequest,
    mut on_delta: impl FnMut(usize),
) -> CallResult {
    let key = provider.api_key();
    if let (None, Some(env)) = (&key, &provider.api_key_env) {
        let provider = provider_name.to_string();
        let error = CallError::NoKey {
            provider,
            env: env.clone(),
        };
        return CallResult::failed(Vec::new(), error);
    }
    let body = wire::request_body(provider, request);
    let call = Call {
        provider,
        provider_name,
        request,
        body_text: body.to_string(),
        redactor: Redactor::new(key.as_deref()),
        key,
        body,
    };
    let mut receipts: Vec<Receipt> = Vec::new();
    loop {
        let attempt = receipts.len() as u32 + 1;
        let (once, retry) = call.once(attempt, &mut on_delta).await;
        receipts.extend(once.receipts);
        let Some(wait) = retry else {
            return CallResult { receipts, ..once };
        };
        tokio::time::sleep(wait).await;
    }
}

/// What one HTTP attempt came to: its result (one receipt), and when it may be tried again
/// (a 429, 5xx, timeout or cut stream with tries left), after how long.
pub struct Once {
    pub result: CallResult,
    pub retry: Option<Duration>,
}

/// One HTTP attempt of `request` (the `attempt`th, counting from 1), for a caller that
/// waits and tries again itself: the run pipeline reserves every HTTP request in the
/// ledger, so retries count against the provider's rate limits too.
pub async fn call_once(
    provider: &Provider,
    provider_name: &str,
    request: &ModelRequest,
    attempt: u32,
    mut on_delta: impl FnMut(usize),
) -> Once {
    let key = provider.api_key();
    if let (None, Some(env)) = (&key, &provider.api_key_env) {
        let error = CallError::NoKey {
            provider: provider_name.to_string(),
            env: env.clone(),
        };
        return Once {
            result: CallResult::failed(Vec::new(), error),
            retry: None,
        };
    }
    let body = wire::request_body(provider, request);
    let call = Call {
        provider,
        provider_name,
        request,
        body_text: body.to_string(),
        redactor: Redactor::new(key.as_deref()),
        key,
        body,
    };
    let (result, retry) = call.once(attempt, &mut on_delta).await;
    Once { result, retry }
}

impl Call<'_> {
    /// One attempt: its result, and the wait before the next try when there is one.
    async fn once(
        &self,
        attempt: u32,
        on_delta: &mut impl FnMut(usize),
    ) -> (CallResult, Option<Duration>) {
        let (provider, request) = (self.provider, self.request);
        let done = self.attempt(on_delta).await;
        let receipt = self.receipt(&done, attempt);
        let (outcome, error) = (receipt.outcome, receipt.error.clone().unwrap_or_default());
        let receipts = vec![receipt];
        if !outcome.is_retried() {
            return (finish(done, outcome, error, receipts), None);
        }
        if attempt > provider.max_retries {
            let error = CallError::RetriesExhausted {
                attempts: attempt,
                last: error,
            };
            return (CallResult::failed(receipts, error), None);
        }
        let wait = match done.retry_after {
            Some(wait) if wait > MAX_RETRY_AFTER => {
                return (
                    CallResult::failed(receipts, CallError::WaitTooLong { wait }),
                    None,
                );
            }
            Some(wait) => wait,
            None => backoff(provider.backoff_ms, attempt - 1),
        };
        // `error` comes from the receipt, so it is already redacted.
        tracing::warn!(
            provider = self.provider_name,
            model = %request.model,
            attempt,
            outcome = ?outcome,
            wait_ms = wait.as_millis() as u64,
            "model call failed; trying again: {error}"
        );
        let pending = CallResult {
            text: None,
            receipts,
            error: None,
        };
        (pending, Some(wait))
    }
}

fn finish(done: Attempt, outcome: Outcome, error: String, receipts: Vec<Receipt>) -> CallResult {
    if matches!(outcome, Outcome::Ok | Outcome::Mismatch) {
        let text = Some(done.progress.text);
        return CallResult {
            text,
            receipts,
            error: None,
        };
    }
    let error = match done.status {
        Some(status) if status >= 400 => CallError::Rejected {
            status,
            message: error,
        },
        _ => CallError::Invalid(error),
    };
    CallResult::failed(receipts, error)
}

/// What one HTTP attempt got, before it becomes a receipt.
#[derive(Default)]
pub(super) struct Attempt {
    pub status: Option<u16>,
    pub progress: Progress,
    pub first_token: Option<Duration>,
    pub duration: Duration,
    /// The body's bytes as received (not kept for a stream).
    pub raw: Vec<u8>,
    /// The body was an SSE stream: its receipt keeps the text assembled from the events,
    /// where a key split across two events is whole again and so can be redacted.
    pub streamed: bool,
    pub failure: Option<(Outcome, String)>,
    pub retry_after: Option<Duration>,
}

/// One call's fixed parts, shared by its attempts.
pub(super) struct Call<'a> {
    pub provider: &'a Provider,
    pub provider_name: &'a str,
    pub request: &'a ModelRequest,
    pub body: serde_json::Value,
    body_text: String,
    key: Option<String>,
    pub redactor: Redactor,
}

impl Call<'_> {
    async fn attempt(&self, on_delta: &mut impl FnMut(usize)) -> Attempt {
        let started = Instant::now();
        let mut a = Attempt::default();
        self.exchange(&mut a, started, on_delta).await;
        a.duration = started.elapsed();
        a
    }

    async fn exchange(&self, a: &mut Attempt, started: Instant, on_delta: &mut impl FnMut(usize)) {
        let p = self.provider;
        let path = match p.api {
            Api::Chat => "chat/completions",
            Api::Responses => "responses",
        };
        let mut http = p
            .client()
            .post(format!("{}/{path}", p.base_url))
            .timeout(Duration::from_secs(p.timeout_s))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(self.body_text.clone());
        if let Some(key) = &self.key {
            http = http.bearer_auth(key);
        }
        let mut response = match http.send().await {
            Ok(r) => r,
            Err(e) => {
                let outcome = if e.is_timeout() {
                    Outcome::Timeout
                } else {
                    Outcome::Retry
                };
                a.failure = Some((outcome, error_chain(&e)));
                return;
            }
        };
        let status = response.status().as_u16();
        a.status = Some(status);
        a.retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        let is_sse = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !(200..300).contains(&status) {
            let _ = self.read_body(a, &mut response).await;
            a.failure = Some(status_failure(status, &String::from_utf8_lossy(&a.raw)));
        } else if is_sse {
            self.read_stream(a, &mut response, started, on_delta).await;
        } else if self.read_body(a, &mut response).await {
            a.first_token = Some(started.elapsed());
            let body = String::from_utf8_lossy(&a.raw).into_owned();
            if let Err(e) = a.progress.apply_whole(p.api, &body) {
                a.failure = Some((Outcome::Error, e));
            }
            if !a.progress.text.is_empty() {
                on_delta(a.progress.text.len());
            }
        }
        if a.failure.is_none()
            && let Some(e) = a.progress.server_error.take()
        {
            a.failure = Some((
                Outcome::ServerError,
                format!("the server reported an error: {e}"),
            ));
        }
    }

    /// Reads the whole body into `a.raw`; false (with the failure noted) when it broke.
    async fn read_body(&self, a: &mut Attempt, response: &mut reqwest::Response) -> bool {
        loop {
            match response.chunk().await {
                Ok(Some(bytes)) => a.raw.extend_from_slice(&bytes),
                Ok(None) => return true,
                Err(e) => {
                    a.failure = Some(body_failure(&e));
                    return false;
                }
            }
        }
    }

    async fn read_stream(
        &self,
        a: &mut Attempt,
        response: &mut reqwest::Response,
        started: Instant,
        on_delta: &mut impl FnMut(usize),
    ) {
        let mut sse = SseReader::new();
        a.streamed = true;
        loop {
            let bytes = match response.chunk().await {
                Ok(Some(bytes)) => bytes,
                Ok(None) => break,
                Err(e) => {
                    a.failure = Some(body_failure(&e));
                    return;
                }
            };
            for event in sse.feed(&bytes) {
                match a.progress.apply_event(self.provider.api, &event) {
                    Ok(Arrived::Tokens(n)) => {
                        a.first_token.get_or_insert_with(|| started.elapsed());
                        if n > 0 {
                            on_delta(n);
                        }
                    }
                    Ok(Arrived::Nothing) => {}
                    Err(e) => {
                        a.failure = Some((Outcome::Error, e));
                        return;
                    }
                }
            }
        }
        if !a.progress.finished && a.progress.server_error.is_none() {
            let why = "the stream ended before [DONE] or a finish";
            a.failure = Some((Outcome::BrokenStream, why.into()));
        }
    }
}

fn status_failure(status: u16, body: &str) -> (Outcome, String) {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| body.trim().to_string());
    let outcome = match status {
        429 => Outcome::RateLimited,
        408 => Outcome::Timeout,
        500..=599 => Outcome::ServerError,
        _ => Outcome::Error,
    };
    (outcome, format!("HTTP {status}: {message}"))
}

fn body_failure(e: &reqwest::Error) -> (Outcome, String) {
    if e.is_timeout() {
        (Outcome::Timeout, error_chain(e))
    } else {
        (
            Outcome::BrokenStream,
            format!("the answer broke off: {}", error_chain(e)),
        )
    }
}

/// An error and its causes on one line: reqwest's own message alone says little.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests;
