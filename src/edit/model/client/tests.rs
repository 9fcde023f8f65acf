//! Every client behaviour end to end through the scripted server on 127.0.0.1:0.

use std::time::{Duration, Instant};

use super::*;
use crate::edit::model::fake::{Behaviour, FakeModel, Reply, Script};
use crate::edit::model::provider::ModelPrice;

/// 200 characters: 50 tokens at the fake's 4 characters a token.
const TEXT: &str = "Replace the call to action on the pricing page with the new wording, keep every other byte as it was, and answer with search and replace blocks only, one per change, in the order of the file.!!!!!!!!!";

fn provider(fake: &FakeModel) -> Provider {
    let mut p = Provider::new(&fake.url);
    (p.backoff_ms, p.max_retries, p.timeout_s) = (10, 2, 5);
    p
}

fn request() -> ModelRequest {
    ModelRequest {
        model: "test-model".into(),
        messages: vec![
            Message::new(Role::System, "You edit files."),
            Message::new(Role::User, "Edit this file, please."),
        ],
        temperature: Some(0.0),
        max_output_tokens: None,
    }
}

async fn run(provider: &Provider) -> (CallResult, usize) {
    let mut heard = 0;
    let result = call(provider, "fake", &request(), |n| heard += n).await;
    (result, heard)
}

fn outcomes(r: &CallResult) -> Vec<Outcome> {
    r.receipts.iter().map(|r| r.outcome).collect()
}

#[test]
fn the_text_is_200_characters() {
    assert_eq!(TEXT.len(), 200);
}

#[tokio::test]
async fn a_stream_gives_text_usage_speed_time_to_first_token_and_cost() {
    let fake = FakeModel::start(Script::always(Reply::text(TEXT).tokens_per_s(500.0))).await;
    let mut p = provider(&fake);
    (p.min_tokens_per_s, p.max_ttft_ms) = (Some(100.0), Some(1000));
    p.models = vec![ModelPrice {
        name: "test-model".into(),
        input_usd_per_mtok: 1.0,
        output_usd_per_mtok: 2.0,
    }];
    let (result, heard) = run(&p).await;
    assert_eq!((result.text.as_deref(), heard), (Some(TEXT), TEXT.len()));
    let [r] = &result.receipts[..] else {
        panic!("{:?}", result.receipts)
    };
    assert_eq!(
        (r.outcome, r.http_status, r.attempt),
        (Outcome::Ok, Some(200), 1)
    );
    assert_eq!(
        (r.input_tokens, r.output_tokens, r.tokens_estimated),
        (10, 50, false)
    );
    assert_eq!(r.cost_usd, (10.0 + 100.0) / 1e6);
    assert_eq!(r.model_answered.as_deref(), Some("test-model"));
    let tps = r.tokens_per_s.unwrap();
    assert!(
        (100.0..700.0).contains(&tps),
        "{tps} tokens/s at a 500 tokens/s stream"
    );
    assert!(
        r.ttft_ms.unwrap() < r.duration_ms && r.duration_ms >= 90,
        "{r:?}"
    );
    assert!(!r.possible_reroute && !r.mismatch);
    let sent = &fake.requests()[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.body["stream_options"]["include_usage"], true);
    assert_eq!(r.request, sent.body);
    assert_eq!(
        r.response, TEXT,
        "a stream's receipt keeps the assembled text"
    );
}

#[tokio::test]
async fn a_provider_without_streaming_gets_one_whole_answer() {
    let fake = FakeModel::start(Script::always(Behaviour::reply(TEXT))).await;
    let mut p = provider(&fake);
    p.stream = false;
    let (result, heard) = run(&p).await;
    assert_eq!((result.text.as_deref(), heard), (Some(TEXT), TEXT.len()));
    let r = &result.receipts[0];
    assert_eq!(
        (r.outcome, r.output_tokens, r.tokens_estimated),
        (Outcome::Ok, 50, false)
    );
    assert_eq!(fake.requests()[0].body["stream"], false);
}

#[tokio::test]
async fn the_responses_api_streams_and_answers_whole() {
    let fake = FakeModel::start(Script::always(Behaviour::reply(TEXT))).await;
    let mut p = provider(&fake);
    p.api = Api::Responses;
    for stream in [true, false] {
        p.stream = stream;
        let (result, _) = run(&p).await;
        assert_eq!(result.text.as_deref(), Some(TEXT), "stream = {stream}");
        let r = &result.receipts[0];
        assert_eq!(
            (r.outcome, r.input_tokens, r.output_tokens),
            (Outcome::Ok, 10, 50)
        );
        assert_eq!(r.model_answered.as_deref(), Some("test-model"));
    }
    let sent = fake.requests();
    assert!(
        sent.iter()
            .all(|s| s.path == "/v1/responses" && s.body["input"][1]["role"] == "user")
    );
}

#[tokio::test]
async fn one_chunk_from_another_model_is_a_mismatch_and_is_not_retried() {
    let reply = Reply::text(TEXT).answering_as_on_chunk(7, "cheaper-model");
    let fake = FakeModel::start(Script::always(reply)).await;
    let (result, _) = run(&provider(&fake)).await;
    assert!(result.is_mismatch() && result.error.is_none());
    let [r] = &result.receipts[..] else {
        panic!("{:?}", result.receipts)
    };
    assert_eq!(r.outcome, Outcome::Mismatch);
    assert_eq!(r.model_answered.as_deref(), Some("cheaper-model"));
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("test-model, cheaper-model, test-model")),
        "{:?}",
        r.notes
    );
}

#[tokio::test]
async fn a_dated_variant_of_the_requested_model_is_no_mismatch() {
    let fake = FakeModel::start(Script::always(
        Reply::text(TEXT).answering_as("test-model-2025-01-31"),
    ))
    .await;
    let (result, _) = run(&provider(&fake)).await;
    assert!(!result.is_mismatch());
    assert_eq!(
        result.receipts[0].model_answered.as_deref(),
        Some("test-model-2025-01-31")
    );
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_says() {
    let script = Script::queue(vec![Behaviour::rate_limited("1"), Behaviour::reply(TEXT)]);
    let fake = FakeModel::start(script).await;
    let started = Instant::now();
    let (result, _) = run(&provider(&fake)).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(outcomes(&result), [Outcome::RateLimited, Outcome::Ok]);
    assert_eq!(result.receipts[0].http_status, Some(429));
    assert_eq!(result.receipts[0].input_tokens, 0);
    assert_eq!(result.text.as_deref(), Some(TEXT));
}

#[tokio::test]
async fn a_retry_after_too_long_to_wait_fails_the_call() {
    let fake = FakeModel::start(Script::always(Behaviour::rate_limited("3600"))).await;
    let (result, _) = run(&provider(&fake)).await;
    assert!(
        matches!(result.error, Some(CallError::WaitTooLong { .. })),
        "{:?}",
        result.error
    );
    assert_eq!(result.receipts.len(), 1);
}

#[tokio::test]
async fn a_500_is_tried_again() {
    let fake = FakeModel::start(Script::queue(vec![
        Behaviour::ServerError,
        Behaviour::reply(TEXT),
    ]))
    .await;
    let (result, _) = run(&provider(&fake)).await;
    assert_eq!(outcomes(&result), [Outcome::ServerError, Outcome::Ok]);
    assert_eq!(result.receipts[0].http_status, Some(500));
    assert_eq!(result.receipts[1].attempt, 2);
    assert_eq!(result.text.as_deref(), Some(TEXT));
}

#[tokio::test]
async fn a_stream_cut_half_way_is_tried_again_and_its_tokens_counted() {
    let script = Script::queue(vec![
        Reply::text(TEXT).cut_half_way().into(),
        Behaviour::reply(TEXT),
    ]);
    let fake = FakeModel::start(script).await;
    let (result, heard) = run(&provider(&fake)).await;
    assert_eq!(outcomes(&result), [Outcome::BrokenStream, Outcome::Ok]);
    assert_eq!(
        result.text.as_deref(),
        Some(TEXT),
        "the answer is the second attempt's alone"
    );
    assert_eq!(heard, TEXT.len() + TEXT.len() / 2);
    let cut = &result.receipts[0];
    assert_eq!((cut.output_tokens, cut.tokens_estimated), (25, true));
}

#[tokio::test]
async fn a_call_that_keeps_failing_returns_its_error_and_a_receipt_per_attempt() {
    let fake = FakeModel::start(Script::always(Behaviour::ServerError)).await;
    let (result, _) = run(&provider(&fake)).await;
    assert_eq!(outcomes(&result), [Outcome::ServerError; 3]);
    assert_eq!(fake.requests().len(), 3);
    assert!(result.text.is_none());
    let Some(CallError::RetriesExhausted { attempts: 3, last }) = &result.error else {
        panic!("{:?}", result.error)
    };
    assert!(last.contains("HTTP 500: scripted HTTP 500"), "{last}");
}

#[tokio::test]
async fn a_slow_first_token_is_flagged_as_a_possible_reroute() {
    let reply = Reply::text(TEXT).first_token_after(Duration::from_millis(300));
    let fake = FakeModel::start(Script::always(reply)).await;
    let mut p = provider(&fake);
    p.max_ttft_ms = Some(100);
    let (result, _) = run(&p).await;
    let r = &result.receipts[0];
    assert!(r.possible_reroute && r.ttft_ms.unwrap() >= 300, "{r:?}");
    assert_eq!(r.outcome, Outcome::Ok, "a flag, not a failure");
}

#[tokio::test]
async fn without_usage_the_tokens_are_estimated_and_marked() {
    for stream in [true, false] {
        let fake = FakeModel::start(Script::always(Reply::text(TEXT).without_usage())).await;
        let mut p = provider(&fake);
        p.stream = stream;
        let (result, _) = run(&p).await;
        let r = &result.receipts[0];
        assert_eq!(
            (r.input_tokens, r.output_tokens, r.tokens_estimated),
            (10, 50, true),
            "stream = {stream}"
        );
        assert!(
            r.notes.iter().any(|n| n.contains("no usage"))
                && r.notes.iter().any(|n| n.contains("no price"))
        );
    }
}

#[tokio::test]
async fn the_api_key_is_sent_but_never_kept_in_a_receipt() {
    const KEY: &str = "sk-fake-SECRET-0123456789abcdef";
    let script = Script::queue(vec![
        Behaviour::ServerError,
        Reply::text(TEXT).echo_authorization().into(),
    ]);
    let fake = FakeModel::start(script).await;
    let p = provider(&fake).with_api_key(KEY);
    let (result, _) = run(&p).await;
    assert_eq!(
        fake.requests()[0].authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert!(
        result.text.unwrap().contains(KEY),
        "the fake echoed the key"
    );
    let stored = serde_json::to_string(&result.receipts).unwrap();
    assert!(!stored.contains("SECRET"), "{stored}");
    assert!(
        stored.contains("authorization: Bearer [REDACTED]"),
        "{stored}"
    );
}

#[tokio::test]
async fn a_missing_key_fails_before_any_request() {
    let fake = FakeModel::start(Script::always(Behaviour::reply(TEXT))).await;
    let mut p = provider(&fake);
    p.api_key_env = Some("SITEWIDE_TEST_KEY_THAT_IS_NEVER_SET".into());
    let (result, _) = run(&p).await;
    assert!(
        matches!(result.error, Some(CallError::NoKey { .. })),
        "{:?}",
        result.error
    );
    assert!(result.receipts.is_empty() && fake.requests().is_empty());
}
