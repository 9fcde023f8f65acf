//! The record of one HTTP attempt at a model call: who was asked, who answered, tokens,
//! speed, cost and outcome, with the request and response. A receipt never holds a key:
//! every text in it goes through `Redactor` before it is stored or shown.

use serde::{Deserialize, Serialize};

/// The most of a response's text a receipt keeps.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// What became of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An answer from the model that was asked for.
    Ok,
    /// The connection failed (refused, reset, unreachable); the call tries again.
    Retry,
    /// HTTP 429; the call waits (`Retry-After` when given) and tries again.
    RateLimited,
    /// HTTP 5xx, or an error event inside a stream; the call tries again.
    ServerError,
    /// No complete answer within the provider's `timeout_s`; the call tries again.
    Timeout,
    /// The stream ended before `[DONE]` or a finish; the call tries again.
    BrokenStream,
    /// A complete answer, but some response or chunk named another model.
    Mismatch,
    /// Refused (another 4xx) or unreadable; not retried.
    Error,
}

impl Outcome {
    /// Whether an attempt that ended so is tried again (budget allowing).
    pub fn is_retried(self) -> bool {
        matches!(
            self,
            Outcome::Retry
                | Outcome::RateLimited
                | Outcome::ServerError
                | Outcome::Timeout
                | Outcome::BrokenStream
        )
    }
}

/// One HTTP attempt, as stored and shown (`sitewide runs show ID --receipts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub provider: String,
    pub model_requested: String,
    /// The model named by the response; the first one that differs, when any does.
    pub model_answered: Option<String>,
    pub mismatch: bool,
    /// 1 for the first attempt of a call.
    pub attempt: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// The server reported no usage; tokens were estimated at about 4 characters each.
    pub tokens_estimated: bool,
    /// Time to the first token (to the whole answer when not streaming).
    pub ttft_ms: Option<u64>,
    /// Output tokens per second after the first token.
    pub tokens_per_s: Option<f64>,
    pub duration_ms: u64,
    pub cost_usd: f64,
    pub http_status: Option<u16>,
    pub outcome: Outcome,
    pub error: Option<String>,
    /// Far below the provider's promised speed: another model may have answered under
    /// the requested name.
    pub possible_reroute: bool,
    /// What a reader should know: an unknown price, estimated tokens, every model named.
    pub notes: Vec<String>,
    /// The JSON body sent, redacted.
    pub request: serde_json::Value,
    /// What came back: a stream's text as assembled from its events, or the whole body;
    /// redacted and cut to `MAX_RESPONSE_BYTES`.
    pub response: String,
}

/// Whether `answered` is the model that was asked for: the same name, or that name with a
/// date the provider appended (`gpt-4o` answered as `gpt-4o-2024-08-06`). Nothing else: no
/// prefixes, no case folding, no aliases.
pub fn model_matches(requested: &str, answered: &str) -> bool {
    answered == requested
        || answered
            .strip_prefix(requested)
            .is_some_and(|rest| rest.starts_with("-20"))
}

/// Removes a key from text: every occurrence of the key itself, and whatever follows
/// `Bearer ` (an echoed `Authorization` header).
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    key: Option<String>,
}

const REDACTED: &str = "[REDACTED]";

impl Redactor {
    pub fn new(key: Option<&str>) -> Redactor {
        Redactor {
            key: key.filter(|k| !k.is_empty()).map(str::to_string),
        }
    }

    pub fn text(&self, text: &str) -> String {
        let mut out = match &self.key {
            Some(k) => text.replace(k.as_str(), REDACTED),
            None => text.to_string(),
        };
        let mut from = 0;
        while let Some(at) = find_ascii_ci(&out[from..], "bearer ") {
            let start = from + at + "bearer ".len();
            // A token is what RFC 6750's b64token allows, and long: prose such as "bearer
            // of good news" stays. The key itself, already replaced, starts with `[`.
            let end = out[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || "-._~+/=".contains(c)))
                .map_or(out.len(), |e| start + e);
            let kept = if end - start >= 16 {
                out.replace_range(start..end, REDACTED);
                REDACTED.len()
            } else {
                0
            };
            from = start + kept;
        }
        out
    }

    /// A JSON value with every string redacted.
    pub fn json(&self, value: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.json(v)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (self.text(k), self.json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// `text` cut to at most `max` bytes at a character boundary, with a note when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n[… cut at {max} of {} bytes]", &text[..end], text.len())
}

/// Tokens in `chars` characters at about 4 characters a token, rounded up.
pub fn estimate_tokens(chars: usize) -> u64 {
    chars.div_ceil(4) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_name_or_a_dated_variant_matches() {
        assert!(model_matches("gpt-4o", "gpt-4o"));
        assert!(model_matches("gpt-4o", "gpt-4o-2024-08-06"));
        assert!(!model_matches("gpt-4o", "gpt-4o-mini"));
        assert!(!model_matches("gpt-4o", "gpt-4o-mini-2024-07-18"));
        assert!(!model_matches("gpt-4o", "GPT-4o"));
        assert!(!model_matches("gpt-oss-120b", "openai/gpt-oss-120b"));
    }

    #[test]
    fn the_key_and_any_bearer_token_are_redacted() {
        let r = Redactor::new(Some("sk-live-123"));
        let text = "key sk-live-123 and Authorization: Bearer sk-live-123, bearer other-token-0123456789 of news\n";
        let out = r.text(text);
        assert!(
            !out.contains("sk-live-123") && !out.contains("other-token"),
            "{out}"
        );
        assert!(out.ends_with("[REDACTED] of news\n"), "{out}");
        assert_eq!(out.matches(REDACTED).count(), 3, "{out}");
        let v = r.json(&serde_json::json!({"a": ["x sk-live-123"], "sk-live-123": 1}));
        assert!(!v.to_string().contains("sk-live"), "{v}");
        assert_eq!(Redactor::new(None).text("Bearer "), "Bearer ");
    }

    #[test]
    fn truncation_keeps_whole_characters_and_says_so() {
        assert_eq!(truncate("abc", 3), "abc");
        let cut = truncate("éé", 3);
        assert!(cut.starts_with("é\n[… cut at 3 of 4 bytes]"), "{cut}");
    }

    #[test]
    fn outcomes_serialize_as_the_documented_strings() {
        let s = serde_json::to_string(&[Outcome::RateLimited, Outcome::BrokenStream]).unwrap();
        assert_eq!(s, r#"["rate_limited","broken_stream"]"#);
    }
}
