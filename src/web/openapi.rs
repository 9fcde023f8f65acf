//! The OpenAPI 3.0 document of the app, built from [`super::routes::ROUTES`] (so every
//! route served is documented and nothing else is) and the schemas below, which describe
//! the JSON the handlers write.

use serde_json::{Map, Value, json};

use super::app::needed_role;
use super::routes::{Access, Answer, ROUTES, RouteDef};

/// The document served at `/api/v1/openapi.json`.
pub fn document() -> Value {
    let mut paths = Map::new();
    for r in ROUTES {
        let entry = paths.entry(r.path).or_insert_with(|| json!({}));
        entry[r.method.as_str()] = operation(r);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Sitewide",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Start runs of job specs on workspaces, watch them, review every change, apply. Authenticate with `Authorization: Bearer <token>` (`sitewide tokens create --user NAME`) or the session cookie of the login page; a state-changing request made with the cookie carries the session's CSRF token in `X-CSRF-Token`. Errors are JSON: `{\"code\", \"message\"}`.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": super::auth::SESSION_COOKIE},
            },
            "schemas": schemas(),
        },
    })
}

fn operation(r: &RouteDef) -> Value {
    let mut op = json!({
        "operationId": r.operation,
        "summary": r.summary,
        "responses": responses(r),
    });
    let mut params = parameters(r.path);
    params.extend(r.query.iter().map(|(name, about)| {
        json!({"name": name, "in": "query", "required": false, "description": about,
            "schema": {"type": "string"}})
    }));
    if !params.is_empty() {
        op["parameters"] = Value::Array(params);
    }
    if r.path == "/api/v1/runs" && r.method == super::routes::Method::Post {
        op["parameters"] = json!([{
            "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "The same key again answers 200 with the run it started",
            "schema": {"type": "string", "maxLength": 200},
        }]);
    }
    match r.body {
        Some(form) if form.starts_with("form:") => {
            op["requestBody"] = json!({"required": true, "content": {
                "application/x-www-form-urlencoded": {"schema": reference(&form[5..])}}});
        }
        Some(schema) => {
            op["requestBody"] = json!({"required": true, "content": {
                "application/json": {"schema": reference(schema)}}});
        }
        None => {}
    }
    match r.access {
        Access::Public => op["security"] = json!([]),
        Access::Role(_) | Access::Form(_) => {
            op["security"] = json!([{"bearer": []}, {"session": []}]);
        }
    }
    if let Some(role) = needed_role(r.access) {
        op["x-sitewide-role"] = json!(role);
    }
    op
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
        })
        .collect()
}

fn responses(r: &RouteDef) -> Value {
    let error = json!({"description": "An error", "content": {
        "application/json": {"schema": reference("Error")}}});
    let ok = match r.answer {
        Answer::Json(status, schema) => (
            status,
            json!({"description": "OK", "content": {
            "application/json": {"schema": reference(schema)}}}),
        ),
        Answer::JsonList(schema) => (
            200,
            json!({"description": "OK", "content": {
            "application/json": {"schema": {"type": "array", "items": reference(schema)}}}}),
        ),
        Answer::Html => (
            200,
            json!({"description": "An HTML page", "content": {
            "text/html": {"schema": {"type": "string"}}}}),
        ),
        Answer::Redirect => (303, json!({"description": "See Other"})),
        Answer::Events => (
            200,
            json!({"description": "Events named run, progress and change, with JSON data", "content": {
            "text/event-stream": {"schema": {"type": "string"}}}}),
        ),
        Answer::Asset => (200, json!({"description": "The file"})),
        Answer::Report(schema) => (
            200,
            json!({"description": "The report, as a file (Content-Disposition names it)", "content": {
            "application/json": {"schema": reference(schema)},
            "application/sarif+json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string", "description": "rule,severity,file,line,column,message,hint,file_kind,coverage_status,pages_affected"}}}}),
        ),
    };
    let mut out = Map::new();
    out.insert(ok.0.to_string(), ok.1);
    if r.path.starts_with("/api/v1/runs") && r.method == super::routes::Method::Post {
        out.insert(
            "200".into(),
            json!({"description": "The run this Idempotency-Key started"}),
        );
    }
    out.insert("default".into(), error);
    Value::Object(out)
}

fn schemas() -> Value {
    let string = json!({"type": "string"});
    let nullable = json!({"type": "string", "nullable": true});
    let mut all = json!({
        "Error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "description": "Stable: unauthorized, forbidden, csrf, not_found, no_route, bad_id, bad_path, bad_json, bad_base, bad_format, unknown_workspace, unknown_job, invalid_spec, unknown_revision, state_conflict, diff_changed, refused, audit_run, not_an_audit, audit_not_finished, idempotency_in_flight, internal"},
            "message": string}},
        "Health": {"type": "object", "properties": {"status": string}},
        "OpenApi": {"type": "object"},
        "Me": {"type": "object", "properties": {"name": string, "role": role(), "csrf_token": nullable}},
        "Login": {"type": "object", "required": ["name", "password"], "properties": {"name": string, "password": string}},
        "Csrf": {"type": "object", "required": ["csrf_token"], "properties": {"csrf_token": string}},
        "StartRunForm": {"type": "object", "required": ["csrf_token", "job", "workspace"], "properties": {
            "csrf_token": string, "job": string, "workspace": string, "base": string}},
        "JobSpecForm": {"type": "object", "required": ["csrf_token", "text"], "properties": {
            "csrf_token": string, "text": {"type": "string", "description": "The job spec's TOML"}}},
        "DecisionForm": {"type": "object", "required": ["csrf_token", "decision", "diff_hash"], "properties": {
            "csrf_token": string, "decision": {"type": "string", "enum": ["approve", "reject", "request_changes"]},
            "comment": string, "diff_hash": string}},
        "UserForm": {"type": "object", "required": ["csrf_token", "name", "role", "password"], "properties": {
            "csrf_token": string, "name": string, "role": role(), "password": string}},
        "TokenForm": {"type": "object", "required": ["csrf_token", "user"], "properties": {
            "csrf_token": string, "user": string}},
        "Job": {"type": "object", "properties": {"name": string, "description": string,
            "kind": {"type": "string", "enum": ["edit", "audit"]},
            "engine": {"type": "string", "enum": ["recipe", "model"]}, "file": string,
            "targets": {"type": "array", "items": string},
            "source": {"type": "string", "enum": ["repository", "saved"]}}},
        "Workspace": {"type": "object", "properties": {"name": string, "default_branch": string, "created_at": string}},
        "StartRun": {"type": "object", "required": ["job", "workspace"], "additionalProperties": false, "properties": {
            "job": {"type": "string", "description": "A job's name (GET /api/v1/jobs) or a spec's path in the workspace"},
            "workspace": string,
            "base": {"type": "string", "description": "Branch, tag or commit; default: the default branch's head"},
            "webhook": {"type": "object", "required": ["url"], "additionalProperties": false,
                "description": "Where to announce this run's review and end (signed with the service's run webhook secret; 422 webhooks_unavailable when none is set)",
                "properties": {"url": string}}}},
        "Decision": {"type": "object", "required": ["decision", "diff_hash"], "additionalProperties": false, "properties": {
            "decision": {"type": "string", "enum": ["approve", "reject", "request_changes"]},
            "comment": string,
            "diff_hash": {"type": "string", "description": "The change's diff_hash as it was shown; a changed diff is refused with 409 diff_changed"}}},
        "RunSummary": {"type": "object", "properties": {"id": string, "state": run_state(), "spec": string,
            "workspace": string, "base": string, "target_branch": string, "created_by": string,
            "created_at": string, "finished_at": nullable, "changes": {"type": "integer"}, "commit": nullable}},
        "Change": {"type": "object", "properties": {"id": {"type": "integer"}, "file": string,
            "state": change_state(), "diff": string, "diff_hash": string,
            "findings_before": {"type": "array", "items": {"type": "object"}},
            "findings_after": {"type": "array", "items": {"type": "object"}},
            "attempts": {"type": "array", "items": {"type": "object"}},
            "base_hash": string, "new_hash": nullable}},
        "RunReport": {"type": "object", "description": "The shape of `sitewide runs show ID --json`", "properties": {
            "id": string, "state": run_state(), "base": string, "budget_exhausted": {"type": "boolean"},
            "changes": {"type": "array", "items": reference("Change")},
            "skipped": {"type": "array", "items": {"type": "object", "properties": {"file": string, "reason": string}}},
            "receipts": {"type": "array", "items": {"type": "object"}},
            "totals": {"type": "object"}, "spec": string, "workspace": string, "target_branch": string,
            "branch": nullable, "commit": nullable, "created_by": string, "created_at": string,
            "finished_at": nullable, "qa": {"type": "object"}, "forecast": {"type": "object"}}},
    });
    // Beside the rest: one more entry would pass `json!`'s recursion limit.
    all["RunFinding"] = json!({"type": "object", "description": "A finding as `sitewide check --format json` writes it, with the change it belongs to", "properties": {
            "rule": string, "severity": string, "file": string, "line": {"type": "integer"},
            "column": {"type": "integer"}, "message": string, "hint": nullable,
            "change_id": {"type": ["integer", "null"]}, "change_state": string,
            "new": {"type": "boolean"}}});
    let counts = json!({"type": "object", "nullable": true,
        "description": "An audit run's counts: findings by severity and by rule, pages per coverage status; null for edit runs"});
    for name in ["RunSummary", "RunReport"] {
        all[name]["properties"]["kind"] = kind();
        all[name]["properties"]["audit"] = counts.clone();
    }
    let pushed = json!({"type": ["string", "null"], "description": "A remote workspace's URL the applied branch was pushed to"});
    let pr = json!({"type": ["string", "null"], "description": "The pull (merge) request opened for the pushed branch"});
    let pr_error = json!({"type": ["string", "null"], "description": "Why the pull request could not be opened; the push stands, applying again retries"});
    for (key, schema) in [
        ("pushed_to", pushed),
        ("pull_request_url", pr),
        ("pull_request_error", pr_error),
    ] {
        all["RunReport"]["properties"][key] = schema;
    }
    all["AuditReport"] = json!({"type": "object", "description": "The audit JSON contract (docs/audit.md), kept to the job's targets", "properties": {
            "check": {"type": "object", "properties": {"findings": {"type": "array", "items": {"type": "object"}}, "summary": {"type": "object"}}},
            "coverage": {"type": "array", "items": {"type": "object"}},
            "ids": {"type": "array", "items": {"type": "object"}},
            "events": {"type": "array", "items": {"type": "object"}}}});
    all
}

fn role() -> Value {
    json!({"type": "string", "enum": ["viewer", "editor", "approver", "admin"]})
}

fn kind() -> Value {
    json!({"type": "string", "enum": ["edit", "audit"]})
}

fn run_state() -> Value {
    let all: Vec<&str> = crate::store::RunState::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    json!({"type": "string", "enum": all})
}

fn change_state() -> Value {
    let all: Vec<&str> = crate::store::ChangeState::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    json!({"type": "string", "enum": all})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_in_the_document_and_every_operation_is_a_route() {
        let doc = document();
        for r in ROUTES {
            assert!(
                doc["paths"][r.path][r.method.as_str()].is_object(),
                "{}",
                r.path
            );
        }
        let mut documented = 0;
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                documented += 1;
                assert!(
                    ROUTES
                        .iter()
                        .any(|r| r.path == path && r.method.as_str() == method),
                    "{method} {path}"
                );
            }
        }
        assert_eq!(documented, ROUTES.len());
    }

    #[test]
    fn every_schema_the_routes_name_is_defined() {
        let doc = document();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(schemas.contains_key(&name), "{name}");
        }
    }
}
