//! Access over HTTP: who may do what, CSRF, the OpenAPI document against the routes, and
//! ids and paths that could leave their folder.

use reqwest::{Method, StatusCode};
use serde_json::json;
use sitewide::web::Role;

use super::app::{ADMIN_PASSWORD, Auth, TestApp};

/// Who may do what: `(method, path, least role)`; `{id}` and `{change}` are filled in.
const ACTIONS: &[(&str, &str, Role)] = &[
    ("GET", "/api/v1/runs", Role::Viewer),
    ("GET", "/api/v1/jobs", Role::Viewer),
    ("GET", "/api/v1/workspaces", Role::Viewer),
    ("GET", "/api/v1/me", Role::Viewer),
    ("GET", "/api/v1/runs/{id}", Role::Viewer),
    ("GET", "/api/v1/runs/{id}/changes", Role::Viewer),
    ("GET", "/api/v1/runs/{id}/findings", Role::Viewer),
    ("GET", "/api/v1/runs/{id}/report", Role::Viewer),
    ("POST", "/api/v1/runs", Role::Editor),
    ("POST", "/api/v1/runs/{other}/cancel", Role::Editor),
    (
        "POST",
        "/api/v1/runs/{id}/changes/{change}/decision",
        Role::Approver,
    ),
    ("POST", "/api/v1/runs/{id}/apply", Role::Approver),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_is_allowed_exactly_the_actions_of_its_rank() {
    let app = TestApp::start().await;
    let starter = app.user("starter", Role::Editor).await;
    let id = app.start_run(&starter).await;
    let run = app.settled(&id, &starter).await;
    let other = app.start_run(&starter).await;
    let change = run["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["state"] == "proposed")
        .unwrap()
        .clone();
    let mut users = Vec::new();
    for role in Role::ALL {
        users.push((role, app.user(&format!("u-{role}"), role).await));
    }
    for (method, template, least) in ACTIONS {
        let path = template
            .replace("{id}", &id)
            .replace("{other}", &other)
            .replace("{change}", &change["id"].to_string());
        let body = match *template {
            "/api/v1/runs" => json!({"job": "strip-internal-utms", "workspace": "demo"}),
            _ => json!({"decision": "approve", "diff_hash": change["diff_hash"]}),
        };
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let anonymous = app
            .send(
                app.request(method.clone(), &path, &Auth::None)
                    .body(body.to_string()),
            )
            .await;
        assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED, "{method} {path}");
        for (role, auth) in &users {
            let (status, answer) = app
                .send(
                    app.request(method.clone(), &path, auth)
                        .body(body.to_string()),
                )
                .await;
            if role >= least {
                assert!(
                    status != StatusCode::FORBIDDEN
                        && status != StatusCode::UNAUTHORIZED
                        && !status.is_server_error(),
                    "{role} may {method} {path}: {status} {answer}"
                );
            } else {
                assert_eq!(
                    (status, answer["code"].as_str()),
                    (StatusCode::FORBIDDEN, Some("forbidden")),
                    "{role} may not {method} {path}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spec_that_forbids_self_approval_refuses_the_starter_s_approval() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let id = app.start_run(&admin).await;
    let run = app.settled(&id, &admin).await;
    let c = &run["changes"][0];
    let path = format!("/api/v1/runs/{id}/changes/{}/decision", c["id"]);
    let body = json!({"decision": "approve", "diff_hash": c["diff_hash"]});
    let (status, err) = app.post(&path, &admin, &body).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{err}"
    );
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("allow_self_approval"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_change_with_the_session_cookie_needs_the_csrf_token() {
    let app = TestApp::start().await;
    let (status, none) = app.login("admin", "wrong").await;
    assert_eq!((status, none.is_none()), (StatusCode::UNAUTHORIZED, true));
    let (status, session) = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (cookie, set_cookie) = session.unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains("Secure"), "plain HTTP: {set_cookie}");
    let bare = Auth::Session {
        cookie: cookie.clone(),
        csrf: None,
    };
    let (status, me) = app.get("/api/v1/me", &bare).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = me["csrf_token"].as_str().unwrap().to_string();
    let body = json!({"job": "strip-internal-utms", "workspace": "demo"});
    let (status, err) = app.post("/api/v1/runs", &bare, &body).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("csrf")),
        "{err}"
    );
    let wrong = Auth::Session {
        cookie: cookie.clone(),
        csrf: Some("0".repeat(64)),
    };
    assert_eq!(
        app.post("/api/v1/runs", &wrong, &body).await.0,
        StatusCode::FORBIDDEN
    );
    assert!(
        app.store.runs().await.unwrap().is_empty(),
        "nothing was started"
    );
    let good = Auth::Session {
        cookie: cookie.clone(),
        csrf: Some(csrf.clone()),
    };
    assert_eq!(
        app.post("/api/v1/runs", &good, &body).await.0,
        StatusCode::CREATED
    );
    let form = |field: &str| {
        app.request(Method::POST, "/logout", &bare)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(field.to_string())
    };
    assert_eq!(app.send(form("")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.send(form(&format!("csrf_token={csrf}"))).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get("/api/v1/me", &bare).await.0,
        StatusCode::UNAUTHORIZED,
        "logged out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_hold_that_name_and_only_that_name() {
    let app = TestApp::start().await;
    for _ in 0..5 {
        let (status, _) = app.login("admin", "wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now, with a Retry-After saying how long.
    let resp = app
        .request(Method::POST, "/login", &Auth::None)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("name=admin&password={ADMIN_PASSWORD}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((800..=900).contains(&wait), "{wait}");
    assert!(resp.headers().get("set-cookie").is_none());
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("Too many wrong passwords for this name. Try again in 15 minutes."),
        "{page}"
    );
    // Another name is not held.
    let (status, _) = app.login("nobody", "wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_exactly_the_routes_the_app_serves() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, doc) = app.get("/api/v1/openapi.json", &Auth::None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.0.3");
    let mut documented = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    let mut served: Vec<(String, String)> = sitewide::web::routes()
        .iter()
        .map(|r| (r.method.as_str().to_uppercase(), r.path.to_string()))
        .collect();
    documented.sort();
    served.sort();
    assert_eq!(documented, served);
    // Every documented operation reaches a handler: nothing answers the router's 404.
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", "no-such-run")
            .replace("{change}", "1")
            .replace("{file}", "style.css");
        let req = app
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                &concrete,
                &admin,
            )
            .body("{}");
        let (status, answer) = app.send(req).await;
        assert_ne!(answer["code"], "no_route", "{method} {concrete}: {status}");
    }
    let (status, answer) = app.get("/api/v1/nothing-here", &admin).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_route"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_and_paths_that_could_leave_their_folder_are_refused() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    for path in [
        "/api/v1/runs/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/runs/..%5C..%5Cx/changes",
        "/api/v1/runs/a%2Fb/events",
    ] {
        let (status, err) = app.get(path, &admin).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_id")),
            "{path}: {err}"
        );
    }
    let decision = json!({"decision": "approve", "diff_hash": "x"});
    let (status, err) = app
        .post("/api/v1/runs/r1/changes/..%2F1/decision", &admin, &decision)
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_id")),
        "{err}"
    );
    for job in [
        "../../etc/passwd.toml",
        "/etc/x.toml",
        "jobs/../../x.toml",
        "jobs\\x.toml",
    ] {
        let body = json!({"job": job, "workspace": "demo"});
        let (status, err) = app.post("/api/v1/runs", &admin, &body).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_path")),
            "{job}: {err}"
        );
    }
    for file in ["..%2FCargo.toml", "..%5CCargo.toml", ".hidden"] {
        let (status, err) = app.get(&format!("/static/{file}"), &Auth::None).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_path")),
            "{file}: {err}"
        );
    }
    let body = json!({"job": "jobs/none.toml", "workspace": "demo"});
    let (status, err) = app.post("/api/v1/runs", &admin, &body).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_job")),
        "{err}"
    );
    let body = json!({"job": "strip-internal-utms", "workspace": "/tmp"});
    let (status, err) = app.post("/api/v1/runs", &admin, &body).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_workspace")),
        "{err}"
    );
}
