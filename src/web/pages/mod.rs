//! The HTML side, kept small here: the login page and its form posts, a placeholder
//! dashboard, `/healthz`, and static assets from `web/`. Pages are tera templates from
//! `templates/`, autoescaped; a template error is logged and answered as a plain 500.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::app::AppState;
use super::auth::{self, Caller, MaybeCaller, SESSION_COOKIE};
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
        let mut context = tera::Context::new();
        context.insert("error", "Wrong name or password.");
        context.insert("name", &form.name);
        let page = render(&state, "login.html", &context)?;
        return Ok(HttpResponse::Unauthorized()
            .content_type("text/html; charset=utf-8")
            .body(page));
    };
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

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
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

/// `GET /`: workspaces and recent runs (the pages issue builds the real dashboard).
pub async fn dashboard(
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let Some(caller) = caller.0 else {
        return Ok(see_other("/login"));
    };
    let runs: Vec<_> = state
        .store
        .runs()
        .await?
        .into_iter()
        .take(20)
        .map(|r| {
            json!({"id": r.id, "state": r.state, "created_by": r.created_by,
            "created_at": r.created_at.format("%Y-%m-%d %H:%M").to_string()})
        })
        .collect();
    let workspaces: Vec<String> = state
        .store
        .workspaces()
        .await?
        .into_iter()
        .map(|w| w.name)
        .collect();
    let mut context = tera::Context::new();
    context.insert("user", &caller.name);
    context.insert("role", &caller.role);
    context.insert("csrf_token", &caller.csrf().unwrap_or_default());
    context.insert("runs", &runs);
    context.insert("workspaces", &workspaces);
    context.insert("jobs", &state.jobs);
    Ok(html(render(&state, "dashboard.html", &context)?))
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
