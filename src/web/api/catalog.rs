//! What can be started and where: the loaded jobs, the registered workspaces, and the
//! caller's own name, role and CSRF token.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::web::app::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;

/// `GET /api/v1/me`.
pub async fn me(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "name": caller.name,
        "role": caller.role,
        "csrf_token": caller.csrf(),
    }))
}

/// `GET /api/v1/jobs`: the jobs folder's and the saved ones.
pub async fn jobs(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(crate::web::jobs::all(&state.jobs, &state.data_dir))
}

/// `GET /api/v1/workspaces`: names and default branches (never server paths).
pub async fn workspaces(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let all = state.store.workspaces().await?;
    let shown: Vec<_> = all
        .iter()
        .map(|w| {
            json!({
                "name": w.name,
                "default_branch": w.default_branch,
                "created_at": w.created_at.to_rfc3339(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(shown))
}
