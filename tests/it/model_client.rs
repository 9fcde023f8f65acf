//! The model client from outside the crate, against the scripted server that the unit
//! tests and the benches share: the public API is enough to call a model and read receipts.

use sitewide::edit::model::client::{Message, ModelRequest, Role, call};
use sitewide::edit::model::provider::Provider;
use sitewide::edit::model::receipt::Outcome;

use crate::fake_model::{Behaviour, FakeModel, Reply, Script};

#[tokio::test]
async fn a_call_through_the_public_api_retries_and_leaves_receipts() {
    let script = Script::queue(vec![
        Behaviour::ServerError,
        Reply::text("<<<<<<< SEARCH").tokens_per_s(2000.0).into(),
    ]);
    let fake = FakeModel::start(script).await;
    let mut provider = Provider::new(&fake.url);
    provider.backoff_ms = 10;
    let request = ModelRequest {
        model: "m".into(),
        messages: vec![Message::new(Role::User, "edit")],
        temperature: None,
        max_output_tokens: Some(64),
    };
    let result = call(&provider, "fake", &request, |_| {}).await;
    assert_eq!(result.text.as_deref(), Some("<<<<<<< SEARCH"));
    let outcomes: Vec<Outcome> = result.receipts.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [Outcome::ServerError, Outcome::Ok]);
    assert_eq!(fake.requests()[1].body["max_completion_tokens"], 64);
}
