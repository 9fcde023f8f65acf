//! Turns one HTTP attempt into its receipt: tokens (reported, or estimated and marked so),
//! speed, cost from the price table, the model that answered and whether the speed hints
//! at a reroute. Everything a receipt keeps passes the call's redactor here.

use std::time::Duration;

use super::client::{Attempt, Call};
use super::receipt::{
    MAX_RESPONSE_BYTES, Outcome, Receipt, estimate_tokens, model_matches, truncate,
};

/// Fewer output tokens than this measure latency, not speed: no reroute is read from them.
const MIN_TOKENS_FOR_SPEED: u64 = 32;

impl Call<'_> {
    pub(super) fn receipt(&self, a: &Attempt, attempt: u32) -> Receipt {
        let requested = &self.request.model;
        let models = &a.progress.models;
        let mismatch = models.iter().any(|m| !model_matches(requested, m));
        let answered = models
            .iter()
            .find(|m| !model_matches(requested, m))
            .or(models.first())
            .cloned();
        let outcome = match &a.failure {
            Some((outcome, _)) => *outcome,
            None if mismatch => Outcome::Mismatch,
            None => Outcome::Ok,
        };
        let mut notes = a.progress.notes.clone();
        let (input_tokens, output_tokens, tokens_estimated) = self.tokens(a, &mut notes);
        let tokens_per_s = speed(a, output_tokens);
        let answered_fully = matches!(outcome, Outcome::Ok | Outcome::Mismatch);
        let possible_reroute =
            answered_fully && self.is_far_below_promise(a, output_tokens, tokens_per_s);
        if models.len() > 1 {
            notes.push(format!(
                "models named in the answer, in order: {}",
                models.join(", ")
            ));
        }
        if answered_fully && models.is_empty() {
            notes.push("the server named no model, so which one answered is unknown".into());
        }
        Receipt {
            provider: self.provider_name.to_string(),
            model_requested: requested.clone(),
            model_answered: answered,
            mismatch,
            attempt,
            input_tokens,
            output_tokens,
            tokens_estimated,
            ttft_ms: a.first_token.map(millis),
            tokens_per_s,
            duration_ms: millis(a.duration),
            cost_usd: self.cost(input_tokens, output_tokens, &mut notes),
            http_status: a.status,
            outcome,
            // Redact first, then cut: a key cut at the boundary would escape redaction.
            error: a
                .failure
                .as_ref()
                .map(|(_, e)| truncate(&self.redactor.text(e), 500)),
            possible_reroute,
            notes,
            request: self.redactor.json(&self.body),
            response: truncate(&self.redactor.text(&response_text(a)), MAX_RESPONSE_BYTES),
        }
    }

    /// Reported usage, else an estimate when the model produced something (a cut stream
    /// is billed too), else nothing: a refused request costs no tokens.
    fn tokens(&self, a: &Attempt, notes: &mut Vec<String>) -> (u64, u64, bool) {
        if let Some(u) = a.progress.usage {
            return (u.input, u.output, false);
        }
        let produced = a.first_token.is_some() || a.status.is_some_and(|s| (200..300).contains(&s));
        if !produced {
            return (0, 0, false);
        }
        notes.push("the server reported no usage; tokens estimated at 4 characters each".into());
        let chars: usize = self
            .request
            .messages
            .iter()
            .map(|m| m.content.chars().count())
            .sum();
        let output = estimate_tokens(a.progress.text.chars().count());
        (estimate_tokens(chars), output, true)
    }

    fn cost(&self, input: u64, output: u64, notes: &mut Vec<String>) -> f64 {
        match self.provider.price(&self.request.model) {
            Some((i, o)) => (input as f64 * i + output as f64 * o) / 1_000_000.0,
            None => {
                if input + output > 0 {
                    notes.push(format!(
                        "no price for {:?} in provider {:?}; cost counted as 0",
                        self.request.model, self.provider_name
                    ));
                }
                0.0
            }
        }
    }

    /// Below half the promised tokens per second, or over twice the promised time to first
    /// token: the right name may hide another model. A whole (not streamed) answer has no
    /// first token of its own, so only its speed is judged.
    fn is_far_below_promise(&self, a: &Attempt, output: u64, tokens_per_s: Option<f64>) -> bool {
        let slow = match (self.provider.min_tokens_per_s, tokens_per_s) {
            (Some(min), Some(tps)) => output >= MIN_TOKENS_FOR_SPEED && tps < min / 2.0,
            _ => false,
        };
        let late = match (self.provider.max_ttft_ms, a.first_token) {
            (Some(max), Some(ttft)) if a.streamed => millis(ttft) > max.saturating_mul(2),
            _ => false,
        };
        slow || late
    }
}

/// What a receipt keeps of the answer: a stream's text as assembled, else the body.
fn response_text(a: &Attempt) -> String {
    if a.streamed {
        return a.progress.text.clone();
    }
    String::from_utf8_lossy(&a.raw).into_owned()
}

/// Output tokens per second after the first token; over the whole duration when the answer
/// came at once (not streamed).
fn speed(a: &Attempt, output: u64) -> Option<f64> {
    let first = a.first_token?;
    if output == 0 {
        return None;
    }
    let generating = a.duration.saturating_sub(first);
    let window = if generating >= Duration::from_millis(1) {
        generating
    } else {
        a.duration
    };
    (window > Duration::ZERO).then(|| output as f64 / window.as_secs_f64())
}

fn millis(d: Duration) -> u64 {
    d.as_millis().min(u128::from(u64::MAX)) as u64
}
