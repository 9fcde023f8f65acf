//! The HTML pages a marketing-ops person uses: the login page, `/healthz`, static assets
//! from `web/`, and the helpers every page shares (its context, rendering, the error
//! page); one file per page family beside it. Pages are tera templates from `templates/`,
//! autoescaped, so every byte a page shows is text; a template error is logged and
//! answered as a plain 500. Form posts check their `csrf_token` field first.

mod audit;
mod dashboard;
mod diff;
pub(crate) mod findings;
mod jobs;
mod review;
mod run;
mod settings;
mod trend;

pub use audit::audit_report;
pub use dashboard::dashboard;
pub use jobs::{edit_job, jobs, save_job, start_run};
pub use review::{change, decide};
pub use run::{apply, approve_clean, cancel, run};
pub use settings::{add_user, create_token, settings};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::app::AppState;
use super::auth::{self, Caller, Role, SESSION_COOKIE};
use super::error::ApiError;

/// `GET /healthz`.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Renders `name` with `context`.
fn render(state: &AppState, name: &str, context: &tera::Context) -> Result<String, ApiError> {
    state
        .templates
        .render(name, context)
        .map_err(|e| ApiError::internal(&format!("template {name}: {e:?}")))
}

fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// What every page's template needs: who is looking, what they may do, the CSRF token
/// for its forms.
fn context(caller: &Caller) -> tera::Context {
    let mut c = tera::Context::new();
    c.insert("user", &caller.name);
    c.insert("role", &caller.role);
    c.insert("csrf_token", &caller.csrf().unwrap_or_default());
    c.insert("can_edit", &(caller.role >= Role::Editor));
    c.insert("can_approve", &(caller.role >= Role::Approver));
    c.insert("is_admin", &(caller.role >= Role::Admin));
    c
}

/// An error as a page, with its status: what went wrong and what to do, never internals
/// (an [`ApiError`] carries none).
fn error_page(state: &AppState, caller: &Caller, e: &ApiError) -> HttpResponse {
    use actix_web::ResponseError;
    let mut c = context(caller);
    c.insert("status", &e.status.as_u16());
    c.insert("code", e.code);
    c.insert("message", &e.message);
    match render(state, "error.html", &c) {
        Ok(body) => HttpResponse::build(e.status)
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(broken) => broken.error_response(),
    }
}

/// A form handler's outcome: its answer, or its error as a page.
fn answer(
    state: &AppState,
    caller: &Caller,
    outcome: Result<HttpResponse, ApiError>,
) -> HttpResponse {
    outcome.unwrap_or_else(|e| error_page(state, caller, &e))
}

/// `GET /login`.
pub async fn login_page(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let page = render(&state, "login.html", &tera::Context::new())?;
    Ok(html(page))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
}

/// `POST /login`: a session cookie and the dashboard, or the page again with an error.
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    if let Some(wait) = state.login_throttle.blocked(&form.name) {
        let minutes = wait.as_secs().div_ceil(60);
        let mut context = tera::Context::new();
        context.insert(
            "error",
            &format!(
                "Too many wrong passwords for this name. Try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            ),
        );
        context.insert("name", &form.name);
        let page = render(&state, "login.html", &context)?;
        return Ok(HttpResponse::TooManyRequests()
            .insert_header((header::RETRY_AFTER, wait.as_secs().max(1).to_string()))
            .content_type("text/html; charset=utf-8")
            .body(page));
    }
    let user = state.store.user_by_name(&form.name).await?;
    // Verify against a hash even for an unknown name, so timing does not tell names.
    let hash = user
        .as_ref()
        .map_or_else(dummy_hash, |u| u.password_hash.clone());
    let password = form.password;
    let matches = web::block(move || auth::verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let Some(user) = user.filter(|_| matches) else {
        state.login_throttle.failed(&form.name);
        let mut context = tera::Context::new();
        context.insert("error", "Wrong name or password.");
        context.insert("name", &form.name);
        let page = render(&state, "login.html", &context)?;
        return Ok(HttpResponse::Unauthorized()
            .content_type("text/html; charset=utf-8")
            .body(page));
    };
    state.login_throttle.succeeded(&form.name);
    let (token, _csrf) = auth::open_session(&state.store, &user).await?;
    let secure = state.secure_cookies || req.connection_info().scheme() == "https";
    let cookie = Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish();
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/"))
        .cookie(cookie)
        .finish())
}

/// A real hash of nothing anyone knows, made once: an unknown name costs a verification
/// like a known one.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| auth::hash_password(&auth::random_hex(16)).unwrap_or_default())
        .clone()
}

/// A form that carries nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf_token: String,
}

/// `POST /logout`: ends the session (the form carries its CSRF token).
pub async fn logout(
    state: web::Data<AppState>,
    caller: Caller,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    caller.check_csrf(Some(&form.csrf_token))?;
    if let auth::Via::Session { token, .. } = &caller.via {
        state.store.delete_session(&auth::token_hash(token)).await?;
    }
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/login"))
        .cookie(gone)
        .finish())
}

/// `GET /static/{file}`: one file of `web/`, by a plain name (no folders, no dot files).
pub async fn asset(
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = file.as_str();
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !plain {
        return Err(ApiError::bad_request(
            "bad_path",
            format!("{name:?} is not an asset name"),
        ));
    }
    let bytes = std::fs::read(state.assets.join(name))
        .map_err(|_| ApiError::not_found(format!("no asset {name:?}")))?;
    let kind = match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    };
    Ok(HttpResponse::Ok()
        .content_type(kind)
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(bytes))
}
