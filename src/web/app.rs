//! The actix-web app: its shared state, the routes of [`super::routes::ROUTES`] grouped by
//! path, and the middleware that enforces each route's [`Access`] before its handler
//! runs (401 or a redirect to the login page, 403 for a role too low or a missing CSRF
//! token). Unknown paths answer a JSON 404 with the code `no_route`.

use std::path::PathBuf;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpMessage, HttpResponse, web};

use super::auth::{CSRF_HEADER, Role, identify};
use super::error::ApiError;
use super::jobs::Job;
use super::routes::{Access, Method, ROUTES};
use crate::store::Store;

/// What every handler shares.
pub struct AppState {
    pub store: Store,
    pub data_dir: PathBuf,
    /// The service config with the model providers (`--config`).
    pub config: Option<PathBuf>,
    /// The job specs loaded at start (the repository's `jobs/`).
    pub jobs: Vec<Job>,
    pub templates: tera::Tera,
    /// The web assets folder (`web/`).
    pub assets: PathBuf,
    /// Mark cookies `Secure` even on plain HTTP (behind a TLS proxy that strips headers).
    pub secure_cookies: bool,
    /// The service config's webhooks; a run's own webhook is signed with the secret
    /// named `run_secret_env`.
    pub webhooks: super::webhooks::WebhookConfig,
    pub webhook_secrets: super::webhooks::Secrets,
    /// Failed logins per name (`POST /login`).
    pub login_throttle: super::throttle::LoginThrottle,
}

/// Registers every route of [`ROUTES`], one resource per path with its access rules.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut paths: Vec<&'static str> = ROUTES.iter().map(|r| r.path).collect();
    paths.dedup();
    let mut seen = Vec::new();
    for path in paths {
        if seen.contains(&path) {
            continue;
        }
        seen.push(path);
        let defs: Vec<_> = ROUTES.iter().filter(|r| r.path == path).collect();
        let rules: Vec<(Method, Access)> = defs.iter().map(|r| (r.method, r.access)).collect();
        let mut resource = web::resource(path);
        for def in &defs {
            resource = resource.route((def.handler)());
        }
        let resource = resource.wrap(from_fn(move |req, next| {
            let rules = rules.clone();
            async move { authorize(req, next, rules).await }
        }));
        cfg.service(resource);
    }
    cfg.default_service(web::to(no_route));
}

async fn no_route() -> HttpResponse {
    use actix_web::ResponseError;
    ApiError::new(StatusCode::NOT_FOUND, "no_route", "no such route").error_response()
}

fn method_of(req: &ServiceRequest) -> Option<Method> {
    match *req.method() {
        actix_web::http::Method::GET | actix_web::http::Method::HEAD => Some(Method::Get),
        actix_web::http::Method::POST => Some(Method::Post),
        _ => None,
    }
}

/// Enforces the route's access rule; the caller it found is left in the request's
/// extensions for the handler's `Caller` extractor.
async fn authorize(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
    rules: Vec<(Method, Access)>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let access = method_of(&req).and_then(|m| rules.iter().find(|(rm, _)| *rm == m));
    let (needed, form) = match access {
        None | Some((_, Access::Public)) => {
            return Ok(next.call(req).await?.map_into_left_body());
        }
        Some((_, Access::Role(role))) => (*role, false),
        Some((_, Access::Form(role))) => (*role, true),
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(&"the app state is missing"))?;
    let caller = identify(req.request(), &state.store).await?;
    let Some(caller) = caller else {
        if !req.path().starts_with("/api/") && method_of(&req) == Some(Method::Get) {
            let to_login = HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/login"))
                .finish();
            return Ok(req.into_response(to_login).map_into_right_body());
        }
        return Err(ApiError::unauthorized().into());
    };
    caller.require(needed)?;
    if !form && method_of(&req) == Some(Method::Post) {
        let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        caller.check_csrf(sent)?;
    }
    req.extensions_mut().insert(caller);
    Ok(next.call(req).await?.map_into_left_body())
}

/// The role a route needs, for the OpenAPI document and the role table test.
pub fn needed_role(access: Access) -> Option<Role> {
    match access {
        Access::Public => None,
        Access::Role(r) | Access::Form(r) => Some(r),
    }
}
