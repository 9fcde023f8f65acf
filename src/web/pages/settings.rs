//! The settings page (`/settings`, admin): the model providers of the service config
//! (names, base URLs, models and prices, and whether the key's environment variable is
//! set; a key is never shown), the users (list, add with a role), and the API tokens
//! (list without their secret; a new token is shown once, on the page that made it).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{answer, context, html, render, see_other};
use crate::edit::model::provider::ServiceConfig;
use crate::web::app::AppState;
use crate::web::auth::{self, Caller, Role};
use crate::web::error::ApiError;

/// `GET /settings`.
pub async fn settings(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let c = page(&state, &caller, None).await?;
    Ok(html(render(&state, "settings.html", &c)?))
}

/// The page's context; `new_token` is a token just made, shown this once.
async fn page(
    state: &AppState,
    caller: &Caller,
    new_token: Option<(&str, &str)>,
) -> Result<tera::Context, ApiError> {
    let users: Vec<Value> = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| json!({"name": u.name, "role": u.role, "created_at": u.created_at.format("%Y-%m-%d").to_string()}))
        .collect();
    let tokens: Vec<Value> = state
        .store
        .api_tokens()
        .await?
        .into_iter()
        .map(|t| json!({"id": t.id, "user": t.user, "created_at": t.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}))
        .collect();
    let (providers, config_error) = providers(state);
    let mut c = context(caller);
    c.insert("providers", &providers);
    c.insert("config_error", &config_error);
    c.insert("users", &users);
    c.insert("tokens", &tokens);
    c.insert("roles", &Role::ALL);
    if let Some((user, token)) = new_token {
        c.insert("new_token", &json!({"user": user, "token": token}));
    }
    Ok(c)
}

/// The providers as shown (never a key), or why the config could not be read.
fn providers(state: &AppState) -> (Vec<Value>, Option<String>) {
    let config = match ServiceConfig::load(state.config.as_deref(), &state.data_dir) {
        Ok(c) => c,
        Err(e) => return (Vec::new(), Some(e.to_string())),
    };
    let shown = config
        .providers
        .iter()
        .map(|(name, p)| {
            let models: Vec<Value> = p
                .models
                .iter()
                .map(|m| json!({"name": m.name, "input": m.input_usd_per_mtok, "output": m.output_usd_per_mtok}))
                .collect();
            json!({
                "name": name,
                "base_url": p.base_url,
                "api_key_env": p.api_key_env,
                "key_is_set": p.api_key().is_some(),
                "models": models,
            })
        })
        .collect();
    (shown, None)
}

/// The add-user form.
#[derive(Debug, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf_token: String,
    name: String,
    role: String,
    password: String,
}

/// `POST /settings/users` (a form).
pub async fn add_user(
    state: web::Data<AppState>,
    caller: Caller,
    form: web::Form<UserForm>,
) -> HttpResponse {
    let outcome = async {
        caller.check_csrf(Some(&form.csrf_token))?;
        let role: Role = form
            .role
            .parse()
            .map_err(|m: String| ApiError::bad_request("bad_role", m))?;
        if form.password.chars().count() < 12 {
            return Err(ApiError::bad_request(
                "weak_password",
                "a password has at least 12 characters",
            ));
        }
        auth::add_user(&state.store, form.name.trim(), role, &form.password)
            .await
            .map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_user", m))?;
        Ok(see_other("/settings#users"))
    };
    answer(&state, &caller, outcome.await)
}

/// The create-token form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
    user: String,
}

/// `POST /settings/tokens` (a form): the settings page with the new token shown once.
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    form: web::Form<TokenForm>,
) -> HttpResponse {
    let outcome = async {
        caller.check_csrf(Some(&form.csrf_token))?;
        let token = auth::create_token(&state.store, &form.user)
            .await
            .map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_user", m))?;
        let c = page(&state, &caller, Some((&form.user, &token))).await?;
        // The token is on this page only: no cache may keep it.
        Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .body(render(&state, "settings.html", &c)?))
    };
    answer(&state, &caller, outcome.await)
}
