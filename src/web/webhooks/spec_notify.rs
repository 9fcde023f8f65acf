//! Per-job notifications: the `[[notify]]` tables of the spec a run was started with
//! (as stored with the run, so an edit of the file later changes nothing for it). When a
//! run ends (`end`: awaiting review, completed, failed or cancelled) and when an audit
//! finds something its job's previous audit in the workspace had not (`new_findings`),
//! each table that asked is sent one notice: the JSON contract below, signed with the
//! HMAC of its `secret_env`, or a Slack incoming-webhook message (`text` and `blocks`).
//! Delivery, signing and retries are the server's webhooks' own ([`super::deliver`]).

use serde_json::{Value, json};

use super::deliver::{self, Delivery};
use super::{Notifier, secret};
use crate::spec::{Notify, NotifyFormat, NotifyOn};
use crate::store::Event;

/// How many new findings a Slack message lists.
const SLACK_LISTED: usize = 10;

/// The run states a run ends in (for `on = ["end"]`).
const ENDS: [&str; 4] = ["awaiting_review", "completed", "failed", "cancelled"];

impl Notifier {
    /// Sends the notices the run's spec asks for on event `e`; a run or spec that cannot
    /// be read is logged and skipped.
    pub(super) async fn announce_to_spec(&self, e: &Event) {
        if !ENDS.contains(&e.to_state.as_str()) {
            return;
        }
        let notices = match self.spec_notices(e).await {
            Ok(n) => n,
            Err(err) => {
                tracing::warn!(run = %e.run_id, error = %err, "notify: the run could not be read");
                return;
            }
        };
        for (i, (target, on, body)) in notices.into_iter().enumerate() {
            self.send_notice(e, i, &target, on, &body);
        }
    }

    /// Each (target, why, body) the run's spec asks for on `e`.
    async fn spec_notices(
        &self,
        e: &Event,
    ) -> Result<Vec<(Notify, NotifyOn, Value)>, crate::run::RunError> {
        let run = self.store.run_by_id(&e.run_id).await?;
        let Some(stored) = self.store.spec_by_id(run.spec_id).await? else {
            return Ok(Vec::new());
        };
        let path = std::path::PathBuf::from(format!("{}.toml", stored.name));
        let Ok(spec) = crate::spec::parse(&path, &stored.text) else {
            return Ok(Vec::new());
        };
        if spec.notify.is_empty() {
            return Ok(Vec::new());
        }
        let report = crate::run::overview(&self.store, &e.run_id, &[]).await?;
        let new = report
            .comparison
            .as_ref()
            .and_then(|c| c["new"].as_u64())
            .unwrap_or(0);
        let mut out = Vec::new();
        for target in spec.notify {
            for on in target.on.clone() {
                let wanted = match on {
                    NotifyOn::End => true,
                    NotifyOn::NewFindings => e.to_state == "completed" && new > 0,
                };
                if wanted {
                    let body = self.notice_body(e, on, &report);
                    out.push((target.clone(), on, body));
                }
            }
        }
        Ok(out)
    }

    /// The JSON contract of a notice (docs/scheduling.md#notifications).
    fn notice_body(&self, e: &Event, on: NotifyOn, r: &crate::run::RunReport) -> Value {
        let id = &r.id;
        let comparison = r.comparison.as_ref();
        let counts = |c: &Value| json!({"new": c["new"], "fixed": c["fixed"], "open": c["open"], "previous_run": c["previous_run"]});
        json!({
            "event": on.as_str(),
            "delivery": format!("{}-{}", e.id, on.as_str()),
            "at": e.at.to_rfc3339(),
            "run": {
                "id": id,
                "kind": r.kind,
                "state": e.to_state,
                "job": r.spec,
                "workspace": r.workspace,
                "base": r.base,
                "created_by": r.created_by,
                "scheduled": r.created_by == crate::run::schedule::ACTOR,
                "ui_url": format!("{}/runs/{id}", self.base_url),
                "api_url": format!("{}/api/v1/runs/{id}", self.base_url),
                "report_url": r.audit.as_ref().map(|_| format!("{}/runs/{id}/report", self.base_url)),
            },
            "findings": r.audit.as_ref().map(|a| json!({
                "error": a["findings"]["error"].as_u64().unwrap_or(0),
                "warning": a["findings"]["warning"].as_u64().unwrap_or(0),
                "info": a["findings"]["info"].as_u64().unwrap_or(0),
                "total": a["total_findings"].as_u64().unwrap_or(0),
            })),
            "changes": r.totals.changes.values().sum::<usize>(),
            "comparison": comparison.map(counts),
            "new_findings": comparison.map_or(json!([]), |c| c["new_findings"].clone()),
            "fixed_findings": comparison.map_or(json!([]), |c| c["fixed_findings"].clone()),
        })
    }

    /// Starts one delivery of `body` to `target`, in its own task with retries.
    fn send_notice(&self, e: &Event, i: usize, target: &Notify, on: NotifyOn, body: &Value) {
        let signing = match &target.secret_env {
            Some(env) => match secret(&self.secrets, env) {
                Some(s) => s,
                None => {
                    tracing::warn!(notify = %deliver::redacted(&target.url), secret_env = %env,
                        "notify: the secret's environment variable is not set; nothing sent");
                    return;
                }
            },
            // Only a Slack message goes unsigned: `spec check` refuses JSON without a secret.
            None => String::new(),
        };
        let body = match target.format {
            NotifyFormat::Json => body.clone(),
            NotifyFormat::Slack => slack(body),
        };
        let delivery = Delivery {
            url: target.url.clone(),
            secret: signing,
            event: on.as_str(),
            id: format!("{}-{i}-{}", e.id, on.as_str()),
            body: body.to_string().into_bytes(),
        };
        let (client, retry) = (self.client.clone(), self.retry);
        tokio::spawn(async move { deliver::send(&client, &delivery, retry).await });
    }
}

/// Text for Slack's mrkdwn: `&`, `<` and `>` escaped as Slack asks.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A Slack incoming-webhook message for a notice: `text` (the fallback and the
/// notification line) and `blocks` (the summary, the new findings, the link).
pub fn slack(notice: &Value) -> Value {
    let run = &notice["run"];
    let s = |v: &Value| esc(v.as_str().unwrap_or(""));
    let mut headline = match notice["event"].as_str() {
        Some("new_findings") => format!(
            "Sitewide: {} new finding(s) in {} on {}",
            notice["comparison"]["new"].as_u64().unwrap_or(0),
            s(&run["job"]),
            s(&run["workspace"])
        ),
        _ => format!(
            "Sitewide: run {} of {} on {} is {}",
            s(&run["id"]),
            s(&run["job"]),
            s(&run["workspace"]),
            s(&run["state"]).replace('_', " ")
        ),
    };
    let f = &notice["findings"];
    if f.is_object() {
        headline.push_str(&format!(
            " ({} error(s), {} warning(s), {} info)",
            f["error"], f["warning"], f["info"]
        ));
    }
    let mut blocks = vec![json!({"type": "section", "text": {"type": "mrkdwn", "text": headline}})];
    let c = &notice["comparison"];
    if c.is_object() {
        let line = format!(
            "*{}* new, *{}* fixed, *{}* still open since the previous run",
            c["new"], c["fixed"], c["open"]
        );
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": line}}));
    }
    let new: Vec<String> = notice["new_findings"]
        .as_array()
        .into_iter()
        .flatten()
        .take(SLACK_LISTED)
        .map(|f| {
            format!(
                "• `{}` {}:{} {}",
                s(&f["rule"]),
                s(&f["file"]),
                f["line"],
                s(&f["message"])
            )
        })
        .collect();
    if !new.is_empty() {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": new.join("\n")}}));
    }
    let link = run["report_url"]
        .as_str()
        .or(run["ui_url"].as_str())
        .unwrap_or("");
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": format!("<{}|Open run {}>", esc(link), s(&run["id"]))}]}));
    json!({"text": headline, "blocks": blocks})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slack_message_escapes_what_the_site_wrote_and_lists_the_new_findings() {
        let notice = json!({
            "event": "new_findings",
            "run": {"id": "r1", "job": "weekly", "workspace": "demo", "state": "completed",
                    "ui_url": "https://s.example/runs/r1", "report_url": "https://s.example/runs/r1/report"},
            "findings": {"error": 1, "warning": 0, "info": 0, "total": 1},
            "comparison": {"new": 1, "fixed": 2, "open": 3, "previous_run": "r0"},
            "new_findings": [{"rule": "TAG-001", "file": "a.html", "line": 4, "message": "<script> & more"}],
        });
        let m = slack(&notice);
        assert!(
            m["text"]
                .as_str()
                .unwrap()
                .starts_with("Sitewide: 1 new finding(s) in weekly on demo")
        );
        let all = m["blocks"].to_string();
        assert!(all.contains("&lt;script&gt; &amp; more"), "{all}");
        assert!(!all.contains("<script>"), "{all}");
        assert!(all.contains("*1* new, *2* fixed, *3* still open"), "{all}");
        assert!(
            all.contains("<https://s.example/runs/r1/report|Open run r1>"),
            "{all}"
        );
    }
}
