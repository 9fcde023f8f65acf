//! Webhooks: a run tells automation tools when it awaits review and when it ends
//! (applied, completed, failed, cancelled). The [`Notifier`] follows the store's event
//! log, as the SSE stream does, so it sees every state change whoever made it (the
//! worker, the API, the CLI) once its transaction is committed; its place in the log is
//! stored, so a restart neither repeats nor skips a notice. Each notice goes to the
//! configured `[[webhooks]]` that asked for it and to the run's own webhook (given when
//! it was started), each in its own task with retries, and to the `[[notify]]` targets of
//! the run's job spec ([`spec_notify`]).

pub mod config;
pub mod deliver;
pub mod spec_notify;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

pub use config::{Hook, Notice, WebhookConfig};
pub use deliver::{Delivery, Retry, SIGNATURE_HEADER, signature};

use crate::store::{Event, Store, StoreError};

/// How often the event log is read.
const POLL: Duration = Duration::from_millis(200);

/// Secrets handed over directly (a secret store, a test), by the name of the variable
/// they stand for; any other name is read from the environment when a notice is sent.
pub type Secrets = Arc<HashMap<String, String>>;

/// Follows the event log and sends the notices.
pub struct Notifier {
    pub store: Store,
    pub config: WebhookConfig,
    /// The UI's address for the links in a notice, without a trailing slash.
    pub base_url: String,
    pub secrets: Secrets,
    pub retry: Retry,
    pub client: reqwest::Client,
}

impl Notifier {
    /// Reads the log every [`POLL`] until `stop` resolves. A store error is logged and
    /// the same events are read again at the next poll.
    pub async fn run_until(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        let mut place = None;
        loop {
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(POLL) => {}
            }
            if let Err(e) = self.tick(&mut place).await {
                tracing::warn!(error = %e, "webhooks: the event log could not be read");
            }
        }
    }

    /// Announces what was logged since `place` (read from the store the first time), and
    /// moves the place on, in memory and in the store.
    async fn tick(&self, place: &mut Option<i64>) -> Result<(), StoreError> {
        let after = match *place {
            Some(p) => p,
            None => *place.insert(self.store.webhook_cursor().await?),
        };
        let events = self.store.run_state_events_after(after, 100).await?;
        for e in &events {
            if let Some(notice) = Notice::of_state(&e.to_state) {
                self.announce(e, notice).await?;
                self.announce_to_spec(e).await;
            }
            self.store.set_webhook_cursor(e.id).await?;
            *place = Some(e.id);
        }
        Ok(())
    }

    /// Starts one delivery for each webhook that wants `notice`.
    async fn announce(&self, e: &Event, notice: Notice) -> Result<(), StoreError> {
        let mut targets: Vec<(String, &str)> = self
            .config
            .hooks
            .iter()
            .filter(|h| h.events.contains(&notice))
            .map(|h| (h.url.clone(), h.secret_env.as_str()))
            .collect();
        if let Some(url) = self.store.run_webhook(&e.run_id).await? {
            targets.push((url, self.config.run_secret_env.as_str()));
        }
        if targets.is_empty() {
            return Ok(());
        }
        let body = match self.body(e, notice).await {
            Ok(body) => body,
            Err(err) => {
                tracing::warn!(run = %e.run_id, error = %err, "webhooks: the run could not be read");
                return Ok(());
            }
        };
        let body = body.to_string().into_bytes();
        for (url, secret_env) in targets {
            let Some(secret) = secret(&self.secrets, secret_env) else {
                tracing::warn!(webhook = %deliver::redacted(&url), secret_env,
                    "webhooks: the secret's environment variable is not set; nothing sent");
                continue;
            };
            let delivery = Delivery {
                url,
                secret,
                event: notice.as_str(),
                id: e.id.to_string(),
                body: body.clone(),
            };
            let (client, retry) = (self.client.clone(), self.retry);
            tokio::spawn(async move { deliver::send(&client, &delivery, retry).await });
        }
        Ok(())
    }

    /// The notice's JSON: what happened, to which run, and where to look at it.
    async fn body(&self, e: &Event, notice: Notice) -> Result<Value, crate::run::RunError> {
        let report = crate::run::report(&self.store, &e.run_id).await?;
        let t = &report.totals;
        let mut counts = serde_json::Map::new();
        counts.insert("files".into(), json!(t.files));
        counts.insert("changes".into(), json!(report.changes.len()));
        for (state, n) in &t.changes {
            counts.insert(state.as_str().into(), json!(n));
        }
        counts.insert("skipped".into(), json!(t.skipped));
        let id = &report.id;
        Ok(json!({
            "event": notice.as_str(),
            "delivery": e.id.to_string(),
            "at": e.at.to_rfc3339(),
            "actor": e.actor,
            "run": {
                "id": id,
                "kind": report.kind,
                "state": notice.as_str(),
                "job": report.spec,
                "workspace": report.workspace,
                "base": report.base,
                "created_by": report.created_by,
                "budget_exhausted": report.budget_exhausted,
                "counts": counts,
                "cost_usd": t.cost_usd,
                "branch": report.branch,
                "commit": report.commit,
                "pushed_to": report.pushed_to,
                "pull_request_url": report.pull_request_url,
                "pull_request_error": report.pull_request_error,
                "ui_url": format!("{}/runs/{id}", self.base_url),
                "api_url": format!("{}/api/v1/runs/{id}", self.base_url),
                "audit": report.audit,
                "report_url": report
                    .audit
                    .as_ref()
                    .map(|_| format!("{}/api/v1/runs/{id}/report", self.base_url)),
            },
        }))
    }
}

/// The secret named `env`: handed over in `secrets`, else the environment variable, read
/// now; an empty value is no secret.
pub fn secret(secrets: &Secrets, env: &str) -> Option<String> {
    secrets
        .get(env)
        .cloned()
        .or_else(|| std::env::var(env).ok())
        .filter(|s| !s.is_empty())
}
