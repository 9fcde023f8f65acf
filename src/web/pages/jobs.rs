//! The jobs page (`/jobs`): the job specs that can be started, and the form that starts
//! a run of one (through the API's own planning) and goes to its page; and the spec
//! editor (`/jobs/new`), which validates a spec exactly as the CLI does and shows each
//! error at its line. Saved specs go to the data directory's `jobs/`; only an admin may
//! save one that carries `[qa] scripts`, since they run commands on the server.

use std::path::Path;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{answer, context, html, render, see_other};
use crate::config::ConfigError;
use crate::spec::SpecError;
use crate::web::api::runs::{StartRun, plan};
use crate::web::app::AppState;
use crate::web::auth::{Caller, Role};
use crate::web::error::ApiError;
use crate::web::jobs::{all, saved_dir};

#[derive(Debug, Deserialize)]
pub struct JobsQuery {
    /// The job the start form has chosen.
    #[serde(default)]
    job: String,
    /// The job just saved.
    #[serde(default)]
    saved: String,
}

/// `GET /jobs`.
pub async fn jobs(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<JobsQuery>,
) -> Result<HttpResponse, ApiError> {
    let workspaces: Vec<_> = state
        .store
        .workspaces()
        .await?
        .into_iter()
        .map(|w| json!({"name": w.name, "default_branch": w.default_branch}))
        .collect();
    let mut c = context(&caller);
    c.insert("jobs", &all(&state.jobs, &state.data_dir));
    c.insert("workspaces", &workspaces);
    c.insert("chosen", &query.job);
    c.insert("saved", &query.saved);
    Ok(html(render(&state, "jobs.html", &c)?))
}

/// The start form.
#[derive(Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    csrf_token: String,
    job: String,
    workspace: String,
    #[serde(default)]
    base: String,
}

/// `POST /runs` (a form): starts the run and goes to its page.
pub async fn start_run(
    state: web::Data<AppState>,
    caller: Caller,
    form: web::Form<StartForm>,
) -> HttpResponse {
    let outcome = async {
        caller.check_csrf(Some(&form.csrf_token))?;
        let base = form.base.trim();
        let wanted = StartRun {
            job: form.job.clone(),
            workspace: form.workspace.clone(),
            base: (!base.is_empty()).then(|| base.to_string()),
        };
        let id = plan(&state, &caller, &wanted, None).await?;
        Ok(see_other(&format!("/runs/{id}")))
    };
    answer(&state, &caller, outcome.await)
}

#[derive(Debug, Deserialize)]
pub struct EditQuery {
    /// The job whose text to start from.
    #[serde(default)]
    from: String,
}

/// What a new spec starts as.
const SKELETON: &str = r#"name = "my-job"
description = "What this job does, in one sentence"
kind = "edit"
engine = "recipe"
targets = ["**/*.html", "**/*.md"]

[[steps]]
recipe = "utm.strip_internal"

[qa]
block_on = "error"

[approval]
required = true
"#;

/// `GET /jobs/new`: the editor, empty or with a job's text (`?from=NAME`).
pub async fn edit_job(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, ApiError> {
    let jobs = all(&state.jobs, &state.data_dir);
    let text = match jobs.iter().find(|j| j.name == query.from) {
        Some(job) => std::fs::read_to_string(&job.path).map_err(|e| ApiError::internal(&e))?,
        None => SKELETON.to_string(),
    };
    let mut c = context(&caller);
    c.insert("text", &text);
    c.insert("errors", &Vec::<ShownError>::new());
    Ok(html(render(&state, "job_edit.html", &c)?))
}

/// The editor's form.
#[derive(Debug, Deserialize)]
pub struct SpecForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    text: String,
}

/// A spec error as the editor shows it, at its line.
#[derive(Debug, Serialize)]
struct ShownError {
    line: usize,
    column: usize,
    message: String,
    hint: Option<String>,
    excerpt: String,
}

fn shown(e: &ConfigError) -> ShownError {
    match e {
        ConfigError::Invalid {
            line,
            column,
            message,
            hint,
            excerpt,
            ..
        } => ShownError {
            line: *line,
            column: *column,
            message: message.clone(),
            hint: hint.clone(),
            excerpt: excerpt.clone(),
        },
        ConfigError::Read { .. } => ShownError {
            line: 1,
            column: 1,
            message: e.to_string(),
            hint: None,
            excerpt: String::new(),
        },
    }
}

/// `POST /jobs/new` (a form): saves a valid spec and goes to the jobs page; an invalid
/// one comes back with its errors (422).
pub async fn save_job(
    state: web::Data<AppState>,
    caller: Caller,
    form: web::Form<SpecForm>,
) -> HttpResponse {
    let outcome = async {
        caller.check_csrf(Some(&form.csrf_token))?;
        let text = form.text.replace("\r\n", "\n");
        let errors = match validate(&state, &caller, &text) {
            Ok(name) => {
                write_spec(&state.data_dir, &name, &text)?;
                return Ok(see_other(&format!("/jobs?saved={name}")));
            }
            Err(errors) => errors,
        };
        let mut c = context(&caller);
        c.insert("text", &text);
        c.insert("errors", &errors);
        let page = render(&state, "job_edit.html", &c)?;
        Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
            .content_type("text/html; charset=utf-8")
            .body(page))
    };
    answer(&state, &caller, outcome.await)
}

/// The spec's name when it may be saved by `caller`; else what is wrong, at its line.
fn validate(state: &AppState, caller: &Caller, text: &str) -> Result<String, Vec<ShownError>> {
    let at_top = |message: String| {
        vec![ShownError {
            line: 1,
            column: 1,
            message,
            hint: None,
            excerpt: text.lines().next().unwrap_or_default().to_string(),
        }]
    };
    let spec = match crate::spec::parse(Path::new("job spec"), text) {
        Ok(spec) => spec,
        Err(SpecError::Invalid { errors }) => return Err(errors.iter().map(shown).collect()),
        Err(e) => return Err(at_top(e.to_string())),
    };
    let name = spec.name;
    let plain = !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !plain {
        return Err(at_top(format!(
            "the name {name:?} cannot be a file name: use letters, digits, - _ and ."
        )));
    }
    if state.jobs.iter().any(|j| j.name == name) {
        return Err(at_top(format!(
            "a job named {name:?} is in the server's jobs folder; give this one another name"
        )));
    }
    if !spec.qa.scripts.is_empty() && caller.role < Role::Admin {
        return Err(at_top(
            "[qa] scripts run commands on the server: only an admin may save a spec that has them"
                .to_string(),
        ));
    }
    Ok(name)
}

fn write_spec(data_dir: &Path, name: &str, text: &str) -> Result<(), ApiError> {
    let dir = saved_dir(data_dir);
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(format!("{name}.toml")), text))
        .map_err(|e| ApiError::internal(&e))
}
