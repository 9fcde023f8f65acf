//! The one list of the app's routes: the router is built from it, and so is the OpenAPI
//! document, so neither can name a route the other lacks. Each route says who may call it
//! (enforced by [`super::app`]'s middleware before the handler runs) and what it answers.

use actix_web::{Route as ActixRoute, web};

use super::auth::Role;
use super::{api, events, pages};

/// An HTTP method the app answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// Lowercase, as OpenAPI names operations.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
        }
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// A caller with at least this role. State-changing requests by session cookie carry
    /// the CSRF token in the `X-CSRF-Token` header.
    Role(Role),
    /// A logged-in caller submitting an HTML form: the handler checks the form's
    /// `csrf_token` field.
    Form(Role),
}

/// What a route answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// JSON of a named schema (`components/schemas`), with this status.
    Json(u16, &'static str),
    /// A JSON array of a named schema.
    JsonList(&'static str),
    /// An HTML page.
    Html,
    /// A redirect (303 See Other).
    Redirect,
    /// Server-Sent Events.
    Events,
    /// A static file.
    Asset,
    /// An audit report: JSON of a named schema, or SARIF or CSV (`?format=`), as a file.
    Report(&'static str),
}

/// One route of the app.
#[derive(Debug, Clone, Copy)]
pub struct RouteDef {
    pub method: Method,
    /// The path with `{name}` parameters, as both actix-web and OpenAPI write it.
    pub path: &'static str,
    pub operation: &'static str,
    pub summary: &'static str,
    pub access: Access,
    /// The request body's schema: JSON, or an HTML form (`form:` prefix).
    pub body: Option<&'static str>,
    /// The query parameters it reads: `(name, description)`.
    pub query: &'static [(&'static str, &'static str)],
    pub answer: Answer,
    /// The handler, as an actix-web route with its method.
    pub handler: fn() -> ActixRoute,
}

use Access::{Form, Public};
use Answer::{Asset, Events, Html, Json, JsonList, Redirect, Report};
use Method::{Get, Post};

const fn route(
    method: Method,
    path: &'static str,
    operation: &'static str,
    summary: &'static str,
    access: Access,
    answer: Answer,
    handler: fn() -> ActixRoute,
) -> RouteDef {
    RouteDef {
        method,
        path,
        operation,
        summary,
        access,
        body: None,
        query: &[],
        answer,
        handler,
    }
}

const fn with_body(mut r: RouteDef, body: &'static str) -> RouteDef {
    r.body = Some(body);
    r
}

const fn with_query(mut r: RouteDef, query: &'static [(&'static str, &'static str)]) -> RouteDef {
    r.query = query;
    r
}

/// The filters of the audit report page.
const REPORT_FILTERS: &[(&str, &str)] = &[
    (
        "group",
        "How findings are grouped: rule (default), page or layout",
    ),
    (
        "severity",
        "Only findings of this severity: error, warning or info",
    ),
    ("rule", "Only this rule id or family: TAG-002, TAG, TAG-*"),
    (
        "file",
        "Only findings in files whose path contains this text",
    ),
];

const VIEWER: Access = Access::Role(Role::Viewer);
const EDITOR: Access = Access::Role(Role::Editor);
const APPROVER: Access = Access::Role(Role::Approver);

/// Every route of the app.
pub const ROUTES: &[RouteDef] = &[
    route(
        Get,
        "/healthz",
        "health",
        "Whether the server is up; no login needed",
        Public,
        Json(200, "Health"),
        || web::get().to(pages::healthz),
    ),
    route(
        Get,
        "/login",
        "login_page",
        "The login page",
        Public,
        Html,
        || web::get().to(pages::login_page),
    ),
    with_body(
        route(
            Post,
            "/login",
            "login",
            "Log in: sets the session cookie and goes to the dashboard",
            Public,
            Redirect,
            || web::post().to(pages::login),
        ),
        "form:Login",
    ),
    with_body(
        route(
            Post,
            "/logout",
            "logout",
            "Log out: ends the session",
            Form(Role::Viewer),
            Redirect,
            || web::post().to(pages::logout),
        ),
        "form:Csrf",
    ),
    route(
        Get,
        "/",
        "dashboard",
        "The dashboard: workspaces and recent runs",
        VIEWER,
        Html,
        || web::get().to(pages::dashboard),
    ),
    route(
        Get,
        "/jobs",
        "jobs_page",
        "The jobs page: the job specs and the form that starts a run",
        VIEWER,
        Html,
        || web::get().to(pages::jobs),
    ),
    with_body(
        route(
            Post,
            "/runs",
            "start_run_form",
            "Start a run from the jobs page's form; goes to the run's page",
            Form(Role::Editor),
            Redirect,
            || web::post().to(pages::start_run),
        ),
        "form:StartRunForm",
    ),
    route(
        Get,
        "/jobs/new",
        "job_editor",
        "The job spec editor (`?from=NAME` starts from a job's text)",
        Access::Role(Role::Editor),
        Html,
        || web::get().to(pages::edit_job),
    ),
    with_body(
        route(
            Post,
            "/jobs/new",
            "save_job",
            "Validate and save a job spec (errors shown at their line); only admins may save [qa] scripts",
            Form(Role::Editor),
            Redirect,
            || web::post().to(pages::save_job),
        ),
        "form:JobSpecForm",
    ),
    route(
        Get,
        "/runs/{id}",
        "run_page",
        "A run's page: live progress, changes, skipped files, receipts, QA scripts, history",
        VIEWER,
        Html,
        || web::get().to(pages::run),
    ),
    with_body(
        route(
            Post,
            "/runs/{id}/cancel",
            "cancel_run_form",
            "Cancel a queued or running run from its page",
            Form(Role::Editor),
            Redirect,
            || web::post().to(pages::cancel),
        ),
        "form:Csrf",
    ),
    with_body(
        route(
            Post,
            "/runs/{id}/apply",
            "apply_run_form",
            "Apply a run's approved changes from its page",
            Form(Role::Approver),
            Redirect,
            || web::post().to(pages::apply),
        ),
        "form:Csrf",
    ),
    with_body(
        route(
            Post,
            "/runs/{id}/approve-clean",
            "approve_clean_form",
            "Approve every proposed change of a run that brings no new finding",
            Form(Role::Approver),
            Redirect,
            || web::post().to(pages::approve_clean),
        ),
        "form:Csrf",
    ),
    with_query(
        route(
            Get,
            "/runs/{id}/report",
            "audit_report_page",
            "An audit run's report: findings grouped by rule, page or layout, filters, coverage, ids, events, exports",
            VIEWER,
            Html,
            || web::get().to(pages::audit_report),
        ),
        REPORT_FILTERS,
    ),
    route(
        Get,
        "/runs/{id}/changes/{change}",
        "change_page",
        "A change's review page: diff (`?view=split` side by side), findings, attempts, receipts",
        VIEWER,
        Html,
        || web::get().to(pages::change),
    ),
    with_body(
        route(
            Post,
            "/runs/{id}/changes/{change}/decision",
            "decide_change_form",
            "Approve, reject or request changes from the review page, on the diff hash shown",
            Form(Role::Approver),
            Redirect,
            || web::post().to(pages::decide),
        ),
        "form:DecisionForm",
    ),
    route(
        Get,
        "/settings",
        "settings_page",
        "Settings: providers (keys never shown), users, API tokens",
        Access::Role(Role::Admin),
        Html,
        || web::get().to(pages::settings),
    ),
    with_body(
        route(
            Post,
            "/settings/users",
            "add_user_form",
            "Add a user with a role",
            Form(Role::Admin),
            Redirect,
            || web::post().to(pages::add_user),
        ),
        "form:UserForm",
    ),
    with_body(
        route(
            Post,
            "/settings/tokens",
            "create_token_form",
            "Create an API token for a user; the page shows it once",
            Form(Role::Admin),
            Html,
            || web::post().to(pages::create_token),
        ),
        "form:TokenForm",
    ),
    route(
        Get,
        "/static/{file}",
        "asset",
        "A static asset from web/ (CSS, JS)",
        Public,
        Asset,
        || web::get().to(pages::asset),
    ),
    route(
        Get,
        "/api/v1/openapi.json",
        "openapi",
        "This document",
        Public,
        Json(200, "OpenApi"),
        || web::get().to(api::openapi),
    ),
    route(
        Get,
        "/api/v1/me",
        "me",
        "The caller: name, role, and the session's CSRF token",
        VIEWER,
        Json(200, "Me"),
        || web::get().to(api::catalog::me),
    ),
    route(
        Get,
        "/api/v1/jobs",
        "list_jobs",
        "The job specs that can be started by name",
        VIEWER,
        JsonList("Job"),
        || web::get().to(api::catalog::jobs),
    ),
    route(
        Get,
        "/api/v1/workspaces",
        "list_workspaces",
        "The registered workspaces",
        VIEWER,
        JsonList("Workspace"),
        || web::get().to(api::catalog::workspaces),
    ),
    route(
        Get,
        "/api/v1/runs",
        "list_runs",
        "The runs, newest first",
        VIEWER,
        JsonList("RunSummary"),
        || web::get().to(api::runs::list),
    ),
    with_body(
        route(
            Post,
            "/api/v1/runs",
            "start_run",
            "Start a run of a job (by name or by its path in the workspace); honours Idempotency-Key",
            EDITOR,
            Json(201, "RunReport"),
            || web::post().to(api::runs::start),
        ),
        "StartRun",
    ),
    route(
        Get,
        "/api/v1/runs/{id}",
        "get_run",
        "One run, whole (as `sitewide runs show ID --json`)",
        VIEWER,
        Json(200, "RunReport"),
        || web::get().to(api::runs::show),
    ),
    with_query(
        route(
            Get,
            "/api/v1/runs/{id}/report",
            "get_run_report",
            "An audit run's stored report: its JSON (docs/audit.md), or `?format=sarif` (SARIF 2.1.0) or `?format=csv` (one row per finding); 409 not_an_audit or audit_not_finished",
            VIEWER,
            Report("AuditReport"),
            || web::get().to(api::report::report),
        ),
        &[("format", "json (default), sarif or csv")],
    ),
    route(
        Get,
        "/api/v1/runs/{id}/changes",
        "list_changes",
        "A run's changes",
        VIEWER,
        JsonList("Change"),
        || web::get().to(api::runs::changes),
    ),
    route(
        Get,
        "/api/v1/runs/{id}/findings",
        "list_run_findings",
        "Every finding after a run's changes, each change's marked `new` when the change brought it",
        VIEWER,
        JsonList("RunFinding"),
        || web::get().to(api::runs::findings),
    ),
    with_body(
        route(
            Post,
            "/api/v1/runs/{id}/changes/{change}/decision",
            "decide_change",
            "Approve, reject or request changes on one change, on the diff whose hash is given",
            APPROVER,
            Json(200, "Change"),
            || web::post().to(api::review::decide),
        ),
        "Decision",
    ),
    route(
        Post,
        "/api/v1/runs/{id}/apply",
        "apply_run",
        "Commit the run's approved changes on sitewide/<id>",
        APPROVER,
        Json(200, "RunReport"),
        || web::post().to(api::runs::apply),
    ),
    route(
        Post,
        "/api/v1/runs/{id}/cancel",
        "cancel_run",
        "Stop a queued or running run",
        EDITOR,
        Json(200, "RunReport"),
        || web::post().to(api::runs::cancel),
    ),
    route(
        Get,
        "/api/v1/runs/{id}/events",
        "run_events",
        "Server-Sent Events of a run (`run`, `progress`, `change`) until it is finished",
        VIEWER,
        Events,
        || web::get().to(events::stream),
    ),
];

/// The routes, for tests and the docs.
pub fn routes() -> &'static [RouteDef] {
    ROUTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_routes_share_a_method_and_path_or_an_operation() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "{} {}",
                    a.method.as_str(),
                    a.path
                );
                assert_ne!(a.operation, b.operation);
            }
        }
    }

    #[test]
    fn every_state_changing_api_route_needs_more_than_a_viewer() {
        for r in ROUTES
            .iter()
            .filter(|r| r.path.starts_with("/api/") && r.method == Method::Post)
        {
            assert!(
                matches!(r.access, Access::Role(role) if role > Role::Viewer),
                "{}",
                r.path
            );
        }
    }
}
