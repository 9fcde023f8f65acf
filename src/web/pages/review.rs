//! A change's review page (`/runs/{id}/changes/{change}`): its diff unified or side by
//! side (every byte escaped by the template), its findings before and after with the new
//! ones marked, every attempt with its receipts, its decisions so far, and the form that
//! approves, rejects or requests changes on the diff whose hash the page shows, so a diff
//! that changed since is refused. `web/review.js` adds the keyboard shortcuts.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::diff::{lines, side_by_side};
use super::findings::{compare, new_count};
use super::{answer, context, html, render, see_other};
use crate::run::{self, Verdict};
use crate::store::{Change, ChangeState, ChangeStatus, RunState};
use crate::web::api::review::DecisionKind;
use crate::web::api::{change_id, run_id};
use crate::web::app::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;

#[derive(Debug, Deserialize)]
pub struct ViewQuery {
    /// `split` for side by side; anything else is unified.
    #[serde(default)]
    view: String,
}

/// The change `change` of run `id`, refused (404) when it belongs to another run.
async fn change_of(state: &AppState, id: &str, change: i64) -> Result<Change, ApiError> {
    let found = state.store.change_by_id(change).await?;
    if found.run_id != id {
        return Err(ApiError::not_found(format!(
            "run {id} has no change {change}"
        )));
    }
    Ok(found)
}

/// `GET /runs/{id}/changes/{change}`.
pub async fn change(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(String, String)>,
    query: web::Query<ViewQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = run_id(&ids.0)?;
    let found = change_of(&state, id, change_id(&ids.1)?).await?;
    let store = &state.store;
    let stored = store.run_by_id(id).await?;
    let statuses = store.change_statuses(id).await?;
    let (before, after) = compare(&found.findings_before, &found.findings_after);
    let split = query.view == "split";
    let diff_lines = lines(&found.diff);
    let mut c = context(&caller);
    c.insert("run", &json!({"id": id, "state": stored.state}));
    c.insert(
        "change",
        &json!({"id": found.id, "file": found.path, "state": found.state,
            "diff_hash": found.diff_hash, "new_findings": new_count(&found.findings_before, &found.findings_after)}),
    );
    if split {
        c.insert("rows", &side_by_side(&diff_lines));
    } else {
        c.insert("lines", &diff_lines);
    }
    c.insert("split", &split);
    c.insert("before", &before);
    c.insert("after", &after);
    c.insert("attempts", &attempts(&state, &found).await?);
    c.insert("decisions", &decisions(&state, &found).await?);
    c.insert("nav", &neighbours(&statuses, found.id));
    c.insert(
        "may_decide",
        &(caller.role >= crate::web::auth::Role::Approver
            && stored.state == RunState::AwaitingReview
            && decidable(found.state)),
    );
    c.insert(
        "may_approve",
        &super::dashboard::may_approve(store, &caller, &stored).await?,
    );
    Ok(html(render(&state, "change.html", &c)?))
}

fn decidable(s: ChangeState) -> bool {
    matches!(
        s,
        ChangeState::Proposed
            | ChangeState::Approved
            | ChangeState::Rejected
            | ChangeState::ChangesRequested
    )
}

/// The previous and next change of the run, and the position of this one.
fn neighbours(statuses: &[ChangeStatus], id: i64) -> Value {
    let at = statuses.iter().position(|c| c.id == id).unwrap_or(0);
    let prev = at
        .checked_sub(1)
        .and_then(|i| statuses.get(i))
        .map(|c| c.id);
    let next = statuses.get(at + 1).map(|c| c.id);
    json!({"prev": prev, "next": next, "position": at + 1, "count": statuses.len()})
}

/// Each attempt with the receipts of its model calls.
async fn attempts(state: &AppState, change: &Change) -> Result<Vec<Value>, ApiError> {
    let receipts: Vec<Value> = state
        .store
        .receipts(&change.run_id)
        .await?
        .into_iter()
        .filter(|r| r["file"].as_str() == Some(change.path.as_str()))
        .collect();
    let list = change.attempts.as_array().cloned().unwrap_or_default();
    Ok(list
        .into_iter()
        .map(|mut a| {
            if !a.is_object() {
                a = json!({});
            }
            let n = a["attempt"].as_i64();
            let mine: Vec<&Value> = receipts
                .iter()
                .filter(|r| r["attempt"].as_i64() == n)
                .collect();
            a["receipt_rows"] = json!(mine);
            // The template reads these on every attempt; recipes leave some out.
            for key in ["steps", "reasons", "outcome", "engine"] {
                if a.get(key).is_none() {
                    a[key] = Value::Null;
                }
            }
            a
        })
        .collect())
}

/// The review decisions made on this change: who, when, to what, on which diff.
async fn decisions(state: &AppState, change: &Change) -> Result<Vec<Value>, ApiError> {
    let events = state.store.events_of_run(&change.run_id).await?;
    Ok(events
        .iter()
        .filter(|e| e.change_id == Some(change.id) && e.diff_hash.is_some())
        .map(|e| {
            json!({"at": e.at.format("%Y-%m-%d %H:%M UTC").to_string(), "actor": e.actor,
                "to": e.to_state, "detail": e.detail,
                "diff_hash": e.diff_hash.as_deref().map(|h| &h[..h.len().min(12)])})
        })
        .collect())
}

/// The review form.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf_token: String,
    decision: DecisionKind,
    #[serde(default)]
    comment: String,
    diff_hash: String,
}

/// `POST /runs/{id}/changes/{change}/decision` (a form): the decision, then the next
/// change still to decide, or the run page when none is left.
pub async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(String, String)>,
    form: web::Form<DecisionForm>,
) -> HttpResponse {
    let outcome = async {
        caller.check_csrf(Some(&form.csrf_token))?;
        let id = run_id(&ids.0)?;
        let change = change_id(&ids.1)?;
        let verdict = match form.decision {
            DecisionKind::Approve => Verdict::Approve,
            DecisionKind::Reject => Verdict::Reject,
            DecisionKind::RequestChanges => Verdict::RequestChanges,
        };
        let store = &state.store;
        let comment = form.comment.trim();
        run::decide(
            store,
            id,
            change,
            verdict,
            &form.diff_hash,
            &caller.name,
            comment,
        )
        .await?;
        let statuses = store.change_statuses(id).await?;
        let at = statuses.iter().position(|c| c.id == change).unwrap_or(0);
        let next = statuses
            .iter()
            .cycle()
            .skip(at + 1)
            .take(statuses.len())
            .find(|c| c.state.is_open() && c.id != change);
        Ok(match next {
            Some(c) => see_other(&format!("/runs/{id}/changes/{}", c.id)),
            None => see_other(&format!("/runs/{id}")),
        })
    };
    answer(&state, &caller, outcome.await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> tera::Tera {
        tera::Tera::new(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/**/*.html")).unwrap()
    }

    #[test]
    fn a_model_attempt_shows_its_receipts_and_the_diff_stays_text() {
        let diff = "--- a/x.html\n+++ b/x.html\n@@ -1 +1 @@\n-<b>old</b>\n+<script>x()</script>\n";
        let mut c = tera::Context::new();
        c.insert("user", "ana");
        c.insert("role", "approver");
        c.insert("csrf_token", "t0k");
        c.insert("can_approve", &true);
        c.insert("run", &json!({"id": "r1", "state": "awaiting_review"}));
        c.insert(
            "change",
            &json!({"id": 7, "file": "x.html", "state": "proposed", "diff_hash": "abc", "new_findings": 0}),
        );
        c.insert("split", &false);
        c.insert("lines", &lines(diff));
        c.insert("before", &Vec::<Value>::new());
        c.insert("after", &Vec::<Value>::new());
        let receipt = json!({"model_requested": "gpt-x", "model_answered": "gpt-y", "mismatch": true,
            "input_tokens": 1200, "output_tokens": 80, "ttft_ms": 350, "duration_ms": 900,
            "cost_usd": 0.0012, "outcome": "mismatch", "error": null});
        c.insert(
            "attempts",
            &json!([{"attempt": 1, "engine": "model", "outcome": "proposed", "steps": null,
                "reasons": ["retried: bad block"], "receipt_rows": [receipt]}]),
        );
        c.insert("decisions", &Vec::<Value>::new());
        c.insert(
            "nav",
            &json!({"prev": null, "next": 8, "position": 1, "count": 2}),
        );
        c.insert("may_decide", &true);
        c.insert("may_approve", &true);
        let page = templates().render("change.html", &c).unwrap();
        for shown in [
            "gpt-x",
            "gpt-y",
            "1200 / 80",
            "350 ms",
            "retried: bad block",
            "id=\"next-change\"",
        ] {
            assert!(page.contains(shown), "{shown}: {page}");
        }
        assert!(page.contains("&lt;script&gt;x()") && !page.contains("<script>x()"));
    }
}
