//! Runs over HTTP: start one (by job name or by a spec's path in the workspace, at most
//! once per `Idempotency-Key`), list them, read one whole or its changes, apply, cancel.

use std::path::PathBuf;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{body, relative_path, run_id};
use crate::run::{self, PlanRequest};
use crate::store::{Idempotency, Workspace as Registered};
use crate::web::app::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::webhooks::config::check_url;
use crate::web::webhooks::secret;

/// The body of `POST /api/v1/runs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRun {
    /// A loaded job's name, or a spec's path in the workspace at the base commit.
    pub job: String,
    /// A registered workspace's name.
    pub workspace: String,
    /// A branch, tag or commit; default: the head of the default branch.
    #[serde(default)]
    pub base: Option<String>,
}

/// A run's own webhook: the body's `webhook` field, read apart from [`StartRun`] (which
/// the UI's start form fills too), to announce this run's review and end.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunWebhook {
    pub url: String,
}

/// The body of `POST /api/v1/runs`: the run, and its webhook if any.
fn start_body(bytes: &[u8]) -> Result<(StartRun, Option<RunWebhook>), ApiError> {
    let mut value: serde_json::Value = body(bytes)?;
    let hook = match value.as_object_mut().and_then(|o| o.remove("webhook")) {
        None | Some(serde_json::Value::Null) => None,
        Some(h) => Some(serde_json::from_value(h).map_err(|e| {
            ApiError::bad_request(
                "bad_json",
                format!("webhook: {e}; write {{\"url\": \"https://...\"}}"),
            )
        })?),
    };
    let wanted = serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request("bad_json", e.to_string()))?;
    Ok((wanted, hook))
}

/// `GET /api/v1/runs`: summaries, newest first.
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let store = &state.store;
    let workspaces = store.workspaces().await?;
    let counts = store.change_counts().await?;
    let mut out = Vec::new();
    for r in store.runs().await?.into_iter().take(500) {
        let spec = store.spec_by_id(r.spec_id).await?.map(|s| s.name);
        let ws = workspaces.iter().find(|w| w.id == r.workspace_id);
        out.push(json!({
            "id": r.id,
            "kind": r.kind,
            "state": r.state,
            "spec": spec,
            "workspace": ws.map(|w| w.name.as_str()),
            "base": r.base_commit,
            "target_branch": r.target_branch,
            "created_by": r.created_by,
            "created_at": r.created_at.to_rfc3339(),
            "finished_at": r.finished_at.map(|t| t.to_rfc3339()),
            "changes": counts.get(&r.id).copied().unwrap_or(0),
            "commit": r.commit_id,
            "audit": r.qa.get("audit"),
        }));
    }
    Ok(HttpResponse::Ok().json(out))
}

/// `GET /api/v1/runs/{id}`.
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let report = run::report(&state.store, run_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `GET /api/v1/runs/{id}/changes`.
pub async fn changes(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let report = run::report(&state.store, run_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(report.changes))
}

/// `GET /api/v1/runs/{id}/findings`: every finding after the run's changes, one list:
/// each change's findings (`new` when the change brought it: the file had fewer of the
/// same rule before), then the findings the run raised in files it did not
/// change (`change_id` null).
pub async fn findings(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let report = run::report(&state.store, run_id(&id)?).await?;
    let mut out = Vec::new();
    for c in &report.changes {
        let (_, after) =
            crate::web::pages::findings::compare(&c.findings_before, &c.findings_after);
        for (f, shown) in c.findings_after.as_array().into_iter().flatten().zip(after) {
            let mut f = f.clone();
            f["change_id"] = serde_json::json!(c.id);
            f["change_state"] = serde_json::json!(c.state);
            f["new"] = serde_json::json!(shown.is_new);
            out.push(f);
        }
    }
    for f in report.qa["side_findings"].as_array().into_iter().flatten() {
        let mut f = f.clone();
        f["change_id"] = serde_json::Value::Null;
        f["new"] = serde_json::json!(true);
        out.push(f);
    }
    Ok(HttpResponse::Ok().json(out))
}

/// `POST /api/v1/runs/{id}/apply`.
pub async fn apply(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = run_id(&id)?;
    run::apply(&state.store, &state.data_dir, id, &caller.name).await?;
    let report = run::report(&state.store, id).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `POST /api/v1/runs/{id}/cancel`.
pub async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = run_id(&id)?;
    run::cancel(&state.store, id, &caller.name).await?;
    let report = run::report(&state.store, id).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `POST /api/v1/runs`: 201 and the run; with an `Idempotency-Key` seen before, 200 and
/// the run that key started.
pub async fn start(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (wanted, hook) = start_body(&bytes)?;
    let hook = run_webhook(&state, hook.as_ref())?;
    let key = idempotency_key(&req)?;
    let store = &state.store;
    if let Some(key) = &key {
        match store.reserve_idempotency_key(&caller.name, key).await? {
            Idempotency::Reserved => {}
            Idempotency::Started(id) => {
                let report = run::report(store, &id).await?;
                return Ok(HttpResponse::Ok().json(report));
            }
            Idempotency::InFlight => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "idempotency_in_flight",
                    "a request with this Idempotency-Key is starting its run; ask again in a moment",
                ));
            }
        }
    }
    let started = plan(&state, &caller, &wanted, hook.map(str::to_string)).await;
    let run_id = match (started, &key) {
        (Ok(id), Some(key)) => {
            store.fill_idempotency_key(&caller.name, key, &id).await?;
            id
        }
        (Ok(id), None) => id,
        (Err(e), Some(key)) => {
            store.release_idempotency_key(&caller.name, key).await?;
            return Err(e);
        }
        (Err(e), None) => return Err(e),
    };
    let report = run::report(store, &run_id).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/runs/{run_id}")))
        .json(report))
}

/// The run's webhook URL, checked: an http(s) URL, and a secret to sign with.
fn run_webhook<'a>(
    state: &AppState,
    hook: Option<&'a RunWebhook>,
) -> Result<Option<&'a str>, ApiError> {
    let Some(hook) = hook else {
        return Ok(None);
    };
    if hook.url.len() > 2000 {
        return Err(ApiError::bad_request(
            "bad_webhook",
            "the webhook URL is over 2,000 characters",
        ));
    }
    check_url(&hook.url).map_err(|m| ApiError::bad_request("bad_webhook", m))?;
    let env = &state.webhooks.run_secret_env;
    if secret(&state.webhook_secrets, env).is_none() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "webhooks_unavailable",
            format!(
                "this server signs run webhooks with the secret in {env}, which is not set; ask an admin to set it, or configure [[webhooks]] in config.toml"
            ),
        ));
    }
    Ok(Some(&hook.url))
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().ok().map(str::trim).unwrap_or("");
    if key.is_empty() || key.len() > 200 {
        return Err(ApiError::bad_request(
            "bad_idempotency_key",
            "Idempotency-Key must be 1 to 200 visible ASCII characters",
        ));
    }
    Ok(Some(key.to_string()))
}

/// Plans the run `wanted` asks for as `caller`; returns its id (the jobs page's form
/// starts runs through it too).
pub async fn plan(
    state: &AppState,
    caller: &Caller,
    wanted: &StartRun,
    webhook: Option<String>,
) -> Result<String, ApiError> {
    let store = &state.store;
    let registered = store
        .workspace_by_name(&wanted.workspace)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_workspace",
                format!(
                    "no workspace named {:?}; GET /api/v1/workspaces lists them",
                    wanted.workspace
                ),
            )
        })?;
    if let Some(base) = &wanted.base
        && (base.is_empty()
            || base.len() > 200
            || base.starts_with('-')
            || base.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(ApiError::bad_request(
            "bad_base",
            format!("{base:?} is not a revision"),
        ));
    }
    let jobs = crate::web::jobs::all(&state.jobs, &state.data_dir);
    let spec = match jobs.iter().find(|j| j.name == wanted.job) {
        Some(job) => job.path.clone(),
        None => spec_from_workspace(state, &registered, wanted).await?,
    };
    let request = PlanRequest {
        spec,
        workspace: registered.name.clone(),
        base: wanted.base.clone(),
        actor: caller.name.clone(),
        config: state.config.clone(),
        webhook,
    };
    let planned = run::plan(store, &state.data_dir, &request).await?;
    Ok(planned.id)
}

/// Reads the spec at `wanted.job` in the workspace at the base commit into the data
/// directory (plan reads a file). Only specs under the workspace's `jobs/` may carry
/// `[qa] scripts`: they run shell commands on the server.
async fn spec_from_workspace(
    state: &AppState,
    registered: &Registered,
    wanted: &StartRun,
) -> Result<PathBuf, ApiError> {
    let path = relative_path(&wanted.job)?.to_string();
    if !path.ends_with(".toml") {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_job",
            format!(
                "{path:?} is neither a job's name (GET /api/v1/jobs) nor a .toml path in the workspace"
            ),
        ));
    }
    let root = registered.clone();
    let data_dir = state.data_dir.clone();
    let rev = wanted
        .base
        .clone()
        .unwrap_or_else(|| format!("refs/heads/{}", registered.default_branch));
    let wanted_path = path.clone();
    let text = web::block(move || read_at(&root, &data_dir, &rev, &wanted_path))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    let spec = crate::spec::parse(std::path::Path::new(&path), &text);
    if let Ok(spec) = &spec
        && !spec.qa.scripts.is_empty()
        && !path.starts_with("jobs/")
    {
        return Err(ApiError::forbidden(format!(
            "{path}: [qa] scripts run commands on the server; only specs in the workspace's jobs/ folder may carry them"
        )));
    }
    let hash = format!("{:x}", Sha256::digest(text.as_bytes()));
    let dir = state.data_dir.join("specs").join(&hash[..16]);
    let name = path.rsplit('/').next().unwrap_or("spec.toml");
    let file = dir.join(name);
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&file, &text))
        .map_err(|e| ApiError::internal(&e))?;
    Ok(file)
}

/// The text of `path` at `rev` in the repository at `root`.
fn read_at(
    registered: &Registered,
    data_dir: &std::path::Path,
    rev: &str,
    path: &str,
) -> Result<String, ApiError> {
    // A remote workspace is fetched first, as planning the run will.
    let fetch = crate::run::Fetch::Always;
    let ws = crate::run::open_workspace(registered, data_dir, &fetch)?;
    let commit = ws
        .resolve(rev)
        .map_err(|e| ApiError::from(crate::run::RunError::from(e)))?;
    let files = ws.files(&commit).map_err(|e| ApiError::internal(&e))?;
    let Some(file) = files.into_iter().find(|f| f.path == path) else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_job",
            format!("no job named {path:?}, and no such file in the workspace at {rev}"),
        ));
    };
    let bytes = ws
        .read_blobs(&[file.blob])
        .map_err(|e| ApiError::internal(&e))?
        .pop()
        .unwrap_or_default();
    String::from_utf8(bytes).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_spec",
            format!("{path} is not UTF-8"),
        )
    })
}
