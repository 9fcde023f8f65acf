//! Review over HTTP: one decision on one change, made on the diff whose hash the client
//! was shown. A diff that changed since is refused with 409 `diff_changed`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{body, change_id, run_id};
use crate::run::{self, Verdict};
use crate::web::app::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;

/// The body of `POST /api/v1/runs/{id}/changes/{change}/decision`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    pub decision: DecisionKind,
    #[serde(default)]
    pub comment: String,
    /// The `diff_hash` of the change as the reviewer saw it.
    pub diff_hash: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    Reject,
    RequestChanges,
}

/// `POST /api/v1/runs/{id}/changes/{change}/decision`: the change as it is now.
pub async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(String, String)>,
    bytes: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = run_id(&ids.0)?;
    let change = change_id(&ids.1)?;
    let wanted: DecisionBody = body(&bytes)?;
    let verdict = match wanted.decision {
        DecisionKind::Approve => Verdict::Approve,
        DecisionKind::Reject => Verdict::Reject,
        DecisionKind::RequestChanges => Verdict::RequestChanges,
    };
    run::decide(
        &state.store,
        id,
        change,
        verdict,
        &wanted.diff_hash,
        &caller.name,
        &wanted.comment,
    )
    .await?;
    let report = run::report(&state.store, id).await?;
    let shown = report.changes.into_iter().find(|c| c.id == change);
    Ok(HttpResponse::Ok().json(shown))
}
