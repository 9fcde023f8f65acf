//! The two OpenAI-compatible wire formats: the JSON body sent to Chat Completions or the
//! Responses API, and what is read back from each stream event or whole answer (text,
//! every model named, usage, whether it finished). No HTTP and no clock here.

use serde_json::{Value, json};

use super::client::ModelRequest;
use super::provider::{Api, MaxTokensKey, Provider};
use super::sse::Event;

/// The body to send for `request` to `provider`.
pub fn request_body(provider: &Provider, request: &ModelRequest) -> Value {
    let mut body = json!({ "model": request.model, "stream": provider.stream });
    match provider.api {
        Api::Chat => {
            body["messages"] = json!(request.messages);
            if provider.stream {
                body["stream_options"] = json!({ "include_usage": true });
            }
            if let Some(n) = request.max_output_tokens {
                let key = match provider.max_tokens_key {
                    MaxTokensKey::MaxCompletionTokens => "max_completion_tokens",
                    MaxTokensKey::MaxTokens => "max_tokens",
                };
                body[key] = json!(n);
            }
        }
        Api::Responses => {
            body["input"] = json!(request.messages);
            // Sitewide keeps its own receipts; the provider need not keep the answer.
            body["store"] = json!(false);
            if let Some(n) = request.max_output_tokens {
                body["max_output_tokens"] = json!(n);
            }
        }
    }
    if let Some(t) = request.temperature {
        body["temperature"] = json!(t);
    }
    body
}

/// Usage as the server reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub input: u64,
    pub output: u64,
}

/// What an attempt has read so far.
#[derive(Debug, Default)]
pub struct Progress {
    pub text: String,
    /// Every model named, in order, without repeats of the one just before.
    pub models: Vec<String>,
    pub usage: Option<Usage>,
    /// `[DONE]`, a finish reason or `response.completed` arrived.
    pub finished: bool,
    /// An error the server sent inside a 200 answer.
    pub server_error: Option<String>,
    pub notes: Vec<String>,
}

/// What one stream event brought.
#[derive(Debug, PartialEq, Eq)]
pub enum Arrived {
    Nothing,
    /// Output text of this many bytes (0 for reasoning, which is output but not text).
    Tokens(usize),
}

impl Progress {
    /// Reads one stream event; an `Err` is an event that is not what the API sends.
    pub fn apply_event(&mut self, api: Api, event: &Event) -> Result<Arrived, String> {
        if event.is_done() {
            // Chat Completions ends with it; a Responses stream may, and ends on its own.
            self.finished |= api == Api::Chat;
            return Ok(Arrived::Nothing);
        }
        let value: Value = serde_json::from_str(&event.data)
            .map_err(|e| format!("a stream event is not JSON ({e}): {}", event.data))?;
        match api {
            Api::Chat => Ok(self.apply_chat(&value)),
            Api::Responses => Ok(self.apply_responses(event.event.as_deref(), &value)),
        }
    }

    /// Reads a whole (non-streamed) answer.
    pub fn apply_whole(&mut self, api: Api, body: &str) -> Result<(), String> {
        let value: Value =
            serde_json::from_str(body).map_err(|e| format!("the answer is not JSON ({e})"))?;
        match api {
            Api::Chat => {
                self.apply_chat(&value);
                if let Some(t) = value
                    .pointer("/choices/0/message/content")
                    .and_then(Value::as_str)
                {
                    self.text.push_str(t);
                }
                self.finished |= value.pointer("/choices/0").is_some();
            }
            Api::Responses => {
                self.apply_response_object(&value, true);
                for item in value["output"].as_array().into_iter().flatten() {
                    for part in item["content"].as_array().into_iter().flatten() {
                        if part["type"] == "output_text" {
                            self.text
                                .push_str(part["text"].as_str().unwrap_or_default());
                        }
                    }
                }
            }
        }
        if self.server_error.is_none() && !self.finished {
            return Err("the answer has no choices or output".into());
        }
        Ok(())
    }

    fn note_model(&mut self, value: &Value) {
        if let Some(m) = value["model"].as_str()
            && self.models.last().is_none_or(|last| last != m)
        {
            self.models.push(m.to_string());
        }
    }

    fn apply_chat(&mut self, value: &Value) -> Arrived {
        self.note_model(value);
        if let Some(e) = value.get("error").filter(|e| !e.is_null()) {
            self.server_error = Some(error_message(e));
        }
        if let Some(u) = value.get("usage").filter(|u| u.is_object()) {
            self.usage = usage(u, "prompt_tokens", "completion_tokens");
        }
        let choice = &value["choices"][0];
        if !choice["finish_reason"].is_null() {
            self.finished = true;
        }
        let delta = &choice["delta"];
        if let Some(t) = delta["content"].as_str().filter(|t| !t.is_empty()) {
            self.text.push_str(t);
            return Arrived::Tokens(t.len());
        }
        let reasoning = ["reasoning_content", "reasoning"]
            .iter()
            .any(|k| delta[k].as_str().is_some_and(|t| !t.is_empty()));
        if reasoning {
            Arrived::Tokens(0)
        } else {
            Arrived::Nothing
        }
    }

    fn apply_responses(&mut self, name: Option<&str>, value: &Value) -> Arrived {
        let kind = value["type"].as_str().or(name).unwrap_or_default();
        if let Some(r) = value.get("response").filter(|r| r.is_object()) {
            self.apply_response_object(r, kind == "response.completed");
        }
        match kind {
            "response.output_text.delta" => {
                let t = value["delta"].as_str().unwrap_or_default();
                self.text.push_str(t);
                Arrived::Tokens(t.len())
            }
            k if k.starts_with("response.reasoning") && k.ends_with(".delta") => Arrived::Tokens(0),
            "error" => {
                self.server_error = Some(error_message(value));
                Arrived::Nothing
            }
            _ => Arrived::Nothing,
        }
    }

    /// A Responses API `response` object: in `response.created`, `response.completed` and
    /// friends while streaming, or the whole answer.
    fn apply_response_object(&mut self, r: &Value, completed: bool) {
        self.note_model(r);
        if let Some(u) = r.get("usage").filter(|u| u.is_object()) {
            self.usage = usage(u, "input_tokens", "output_tokens");
        }
        match r["status"].as_str() {
            Some("completed") => self.finished = true,
            Some("incomplete") => {
                self.finished = true;
                let why = r
                    .pointer("/incomplete_details/reason")
                    .and_then(Value::as_str);
                self.notes.push(format!(
                    "answer incomplete: {}",
                    why.unwrap_or("no reason given")
                ));
            }
            Some("failed") => {
                self.server_error = Some(error_message(&r["error"]));
            }
            _ => self.finished |= completed,
        }
    }
}

fn usage(u: &Value, input: &str, output: &str) -> Option<Usage> {
    Some(Usage {
        input: u[input].as_u64()?,
        output: u[output].as_u64()?,
    })
}

fn error_message(e: &Value) -> String {
    e["message"]
        .as_str()
        .or_else(|| e["error"]["message"].as_str())
        .or_else(|| e.as_str())
        .map_or_else(|| e.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::model::client::{Message, Role};

    fn event(data: &str) -> Event {
        Event {
            event: None,
            data: data.into(),
        }
    }

    fn request() -> ModelRequest {
        ModelRequest {
            model: "m".into(),
            messages: vec![Message::new(Role::User, "hi")],
            temperature: Some(0.0),
            max_output_tokens: Some(100),
        }
    }

    #[test]
    fn chat_bodies_ask_for_usage_in_the_stream_and_name_the_output_cap() {
        let body = request_body(&Provider::new("http://x/v1"), &request());
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert_eq!(body["max_completion_tokens"], 100);
        assert_eq!(body["messages"][0]["role"], "user");
        let mut old = Provider::new("http://x/v1");
        (old.stream, old.max_tokens_key) = (false, MaxTokensKey::MaxTokens);
        let body = request_body(&old, &request());
        assert_eq!(
            (body.get("stream_options"), &body["max_tokens"]),
            (None, &json!(100))
        );
    }

    #[test]
    fn chat_chunks_give_text_models_finish_and_usage() {
        let mut p = Progress::default();
        let chunk = r#"{"model":"a","choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}"#;
        assert_eq!(
            p.apply_event(Api::Chat, &event(chunk)),
            Ok(Arrived::Tokens(2))
        );
        let stop = r#"{"model":"b","choices":[{"delta":{},"finish_reason":"stop"}]}"#;
        p.apply_event(Api::Chat, &event(stop)).unwrap();
        let usage =
            r#"{"model":"b","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1}}"#;
        p.apply_event(Api::Chat, &event(usage)).unwrap();
        assert_eq!(
            (p.text.as_str(), p.models.clone()),
            ("Hi", vec!["a".into(), "b".into()])
        );
        assert_eq!(
            p.usage,
            Some(Usage {
                input: 5,
                output: 1
            })
        );
        assert!(p.finished);
        assert!(p.apply_event(Api::Chat, &event("{not json")).is_err());
    }

    #[test]
    fn a_responses_stream_reads_deltas_and_the_completed_response() {
        let mut p = Progress::default();
        let delta = r#"{"type":"response.output_text.delta","delta":"Yo"}"#;
        assert_eq!(
            p.apply_event(Api::Responses, &event(delta)),
            Ok(Arrived::Tokens(2))
        );
        assert!(!p.finished);
        let done = r#"{"type":"response.completed","response":{"model":"m","status":"completed","usage":{"input_tokens":3,"output_tokens":1}}}"#;
        p.apply_event(Api::Responses, &event(done)).unwrap();
        assert!(p.finished);
        assert_eq!(
            p.usage,
            Some(Usage {
                input: 3,
                output: 1
            })
        );
    }

    #[test]
    fn whole_answers_of_both_apis_read_alike() {
        let mut chat = Progress::default();
        let body =
            r#"{"model":"m","choices":[{"message":{"content":"ok"},"finish_reason":"stop"}]}"#;
        chat.apply_whole(Api::Chat, body).unwrap();
        let mut resp = Progress::default();
        let body = r#"{"model":"m","status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"ok"}]}]}"#;
        resp.apply_whole(Api::Responses, body).unwrap();
        assert_eq!((chat.text, resp.text), ("ok".to_string(), "ok".to_string()));
        assert!(Progress::default().apply_whole(Api::Chat, "{}").is_err());
    }
}
