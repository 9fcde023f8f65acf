//! The HTML pages over HTTP: who may see each page, form posts and their CSRF token, the
//! review page's escaping, stale decisions, the bulk approval, the spec editor and the
//! settings page.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sitewide::web::Role;

use super::app::{Auth, TestApp};
use crate::support::commit_all;

/// The password `TestApp::user` gives.
const PASSWORD: &str = "pw-of-test-user";

/// Logs `name` in through the form: the session (without CSRF header) and its CSRF token.
async fn session(app: &TestApp, name: &str) -> (Auth, String) {
    let (status, pair) = app.login(name, PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = pair.unwrap().0;
    let auth = Auth::Session { cookie, csrf: None };
    let (_, me) = app.get("/api/v1/me", &auth).await;
    (auth, me["csrf_token"].as_str().unwrap().to_string())
}

/// A page's status, body and `Location`.
async fn page(app: &TestApp, path: &str, auth: &Auth) -> (StatusCode, String, String) {
    let resp = app.request(Method::GET, path, auth).send().await.unwrap();
    read(resp).await
}

async fn read(resp: reqwest::Response) -> (StatusCode, String, String) {
    let status = resp.status();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, resp.text().await.unwrap_or_default(), location)
}

/// Posts a form with `fields`, URL-encoded.
async fn form(
    app: &TestApp,
    path: &str,
    auth: &Auth,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect();
    let req = app
        .request(Method::POST, path, auth)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.join("&"));
    read(req.send().await.unwrap()).await
}

/// A settled run of the recipe job started by a new editor; its report.
async fn settled_run(app: &TestApp) -> Value {
    let starter = app.user("starter", Role::Editor).await;
    let id = app.start_run(&starter).await;
    let run = app.settled(&id, &starter).await;
    assert_eq!(run["state"], "awaiting_review", "{run}");
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_answers_the_roles_that_may_see_it_and_refuses_the_others() {
    let app = TestApp::start().await;
    let run = settled_run(&app).await;
    let id = run["id"].as_str().unwrap();
    let change = &run["changes"][0]["id"];
    let pages = [
        ("/".to_string(), Role::Viewer, "Dashboard"),
        ("/jobs".to_string(), Role::Viewer, "Job specs"),
        ("/jobs/new".to_string(), Role::Editor, "Job spec editor"),
        (format!("/runs/{id}"), Role::Viewer, "Changes"),
        (format!("/runs/{id}/changes/{change}"), Role::Viewer, "Diff"),
        (
            format!("/runs/{id}/changes/{change}?view=split"),
            Role::Viewer,
            "side by side",
        ),
        ("/settings".to_string(), Role::Admin, "API tokens"),
    ];
    let mut users = Vec::new();
    for role in Role::ALL {
        users.push((role, app.user(&format!("u-{role}"), role).await));
    }
    for (path, least, heading) in &pages {
        let (status, _, location) = page(&app, path, &Auth::None).await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/login"),
            "{path}"
        );
        for (role, auth) in &users {
            let (status, body, _) = page(&app, path, auth).await;
            if role >= least {
                assert_eq!(status, StatusCode::OK, "{role} sees {path}: {body}");
                assert!(body.contains(heading), "{path}: {body}");
                assert!(body.contains("<main id=\"main\""), "{path}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role} may not see {path}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diff_with_markup_is_shown_escaped_on_the_review_page() {
    let app = TestApp::start().await;
    let repo = app.demo_repo();
    let hostile = "<p><script>alert(1)</script></p>\n<a href=\"https://www.acme-analytics.example/pricing/?utm_source=homepage&utm_medium=banner&utm_campaign=2026-spring-sale\" title=\"x\" onmouseover=\"alert(1)\">Pricing</a>\n";
    std::fs::write(repo.join("hostile.html"), hostile).unwrap();
    commit_all(&repo, "hostile");
    let run = settled_run(&app).await;
    let id = run["id"].as_str().unwrap();
    let change = run["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["file"] == "hostile.html")
        .unwrap_or_else(|| panic!("no change to hostile.html: {run}"));
    let diff = change["diff"].as_str().unwrap();
    assert!(
        diff.contains("<script>") && diff.contains("\" onmouseover="),
        "{diff}"
    );
    let viewer = app.user("viewer", Role::Viewer).await;
    for view in ["", "?view=split"] {
        let path = format!("/runs/{id}/changes/{}{view}", change["id"]);
        let (status, body, _) = page(&app, &path, &viewer).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("&lt;script&gt;alert(1)"), "{view}: {body}");
        assert!(body.contains("&quot; onmouseover="), "{view}: {body}");
        assert!(!body.contains("<script>alert"), "{view}: {body}");
        assert!(!body.contains("\" onmouseover="), "{view}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_post_without_the_session_s_csrf_token_is_refused() {
    let app = TestApp::start().await;
    app.user("ed", Role::Editor).await;
    let (ed, csrf) = session(&app, "ed").await;
    let fields = [("job", "strip-internal-utms"), ("workspace", "demo")];
    let (status, _, _) = form(&app, "/runs", &ed, &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let wrong = [fields[0], fields[1], ("csrf_token", "0000")];
    assert_eq!(
        form(&app, "/runs", &ed, &wrong).await.0,
        StatusCode::FORBIDDEN
    );
    assert!(
        app.store.runs().await.unwrap().is_empty(),
        "nothing started"
    );
    let good = [
        fields[0],
        fields[1],
        ("csrf_token", &csrf),
        ("base", "main"),
    ];
    let (status, body, location) = form(&app, "/runs", &ed, &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let id = location.strip_prefix("/runs/").unwrap();
    let (status, body, _) = page(&app, &location, &ed).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(id) && body.contains("strip-internal-utms"),
        "{body}"
    );
}

/// How many of `after` the file did not have in `before`, by rule and message.
fn new_findings(before: &Value, after: &Value) -> usize {
    let key = |f: &Value| (f["rule"].to_string(), f["message"].to_string());
    let mut left: Vec<_> = before.as_array().unwrap().iter().map(key).collect();
    let mut new = 0;
    for f in after.as_array().unwrap() {
        match left.iter().position(|k| *k == key(f)) {
            Some(i) => {
                left.remove(i);
            }
            None => new += 1,
        }
    }
    new
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulk_approval_approves_only_the_changes_with_no_new_finding() {
    let app = TestApp::start().await;
    let run = settled_run(&app).await;
    let id = run["id"].as_str().unwrap();
    let proposed: Vec<&Value> = run["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["state"] == "proposed")
        .collect();
    assert!(proposed.len() >= 2, "{run}");
    let marked = proposed[0];
    let mut after = marked["findings_after"].as_array().unwrap().clone();
    after.push(
        json!({"rule": "LNK-001", "severity": "warning", "file": marked["file"],
        "line": 1, "column": 1, "end_line": 1, "end_column": 2, "message": "a new one"}),
    );
    let sitewide::store::Db::Sqlite(pool) = app.store.db() else {
        unreachable!("the web tests run on SQLite")
    };
    sqlx::query("UPDATE changes SET findings_after = $1 WHERE id = $2")
        .bind(Value::Array(after).to_string())
        .bind(marked["id"].as_i64().unwrap())
        .execute(pool)
        .await
        .unwrap();
    app.user("ap", Role::Approver).await;
    let (ap, csrf) = session(&app, "ap").await;
    let path = format!("/runs/{id}/approve-clean");
    assert_eq!(form(&app, &path, &ap, &[]).await.0, StatusCode::FORBIDDEN);
    let (status, body, _) = form(&app, &path, &ap, &[("csrf_token", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, now) = app.get(&format!("/api/v1/runs/{id}"), &ap).await;
    let mut approved = 0;
    for c in now["changes"].as_array().unwrap() {
        let was = proposed.iter().find(|p| p["id"] == c["id"]);
        let Some(_) = was else { continue };
        let clean = new_findings(&c["findings_before"], &c["findings_after"]) == 0;
        let expected = if clean { "approved" } else { "proposed" };
        assert_eq!(c["state"], expected, "{}", c["file"]);
        approved += usize::from(clean);
    }
    assert!(approved >= 1, "{now}");
    let still = now["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == marked["id"])
        .unwrap();
    assert_eq!(still["state"], "proposed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_from_the_review_page_on_a_stale_diff_is_refused() {
    let app = TestApp::start().await;
    let run = settled_run(&app).await;
    let id = run["id"].as_str().unwrap();
    let change = run["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["state"] == "proposed")
        .unwrap();
    app.user("ap", Role::Approver).await;
    let (ap, csrf) = session(&app, "ap").await;
    let path = format!("/runs/{id}/changes/{}", change["id"]);
    let (status, body, _) = page(&app, &path, &ap).await;
    assert_eq!(status, StatusCode::OK);
    let shown = body
        .split("name=\"diff_hash\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no diff_hash field: {body}"))
        .to_string();
    assert_eq!(shown, change["diff_hash"].as_str().unwrap());
    let decide = format!("{path}/decision");
    let stale = [
        ("csrf_token", csrf.as_str()),
        ("decision", "approve"),
        ("diff_hash", "0123abcd"),
    ];
    let (status, body, _) = form(&app, &decide, &ap, &stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("diff_changed"), "{body}");
    let good = [
        ("csrf_token", csrf.as_str()),
        ("decision", "approve"),
        ("comment", "fine"),
        ("diff_hash", shown.as_str()),
    ];
    let (status, body, location) = form(&app, &decide, &ap, &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.starts_with(&format!("/runs/{id}")), "{location}");
    let (_, now) = app.get(&format!("/api/v1/runs/{id}"), &ap).await;
    let decided = now["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == change["id"])
        .unwrap();
    assert_eq!(decided["state"], "approved");
    let (_, body, _) = page(&app, &format!("/runs/{id}"), &ap).await;
    assert!(body.contains("Apply 1 approved change"), "{body}");
    let apply = format!("/runs/{id}/apply");
    let (status, body, _) = form(&app, &apply, &ap, &[("csrf_token", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, body, _) = page(&app, &format!("/runs/{id}"), &ap).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Tera escapes `/` too.
    assert!(body.contains(&format!("sitewide&#x2F;{id}")), "{body}");
    assert!(
        !body.contains("Open a pull request"),
        "the demo has no origin"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spec_editor_shows_errors_at_their_line_and_saves_a_valid_spec() {
    let app = TestApp::start().await;
    app.user("ed", Role::Editor).await;
    let (ed, csrf) = session(&app, "ed").await;
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/jobs/strip-internal-utms.toml"
    ))
    .unwrap()
    .replace("name = \"strip-internal-utms\"", "name = \"my-strip\"");
    let bad = good.replace("engine = \"recipe\"", "engine = \"gpt\"");
    let line = bad.lines().position(|l| l.contains("gpt")).unwrap() + 1;
    let (status, body, _) = form(
        &app,
        "/jobs/new",
        &ed,
        &[("csrf_token", &csrf), ("text", &bad)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains(&format!("Line {line}, column")), "{body}");
    assert!(body.contains("gpt"), "the text comes back: {body}");
    let scripted = good.replace(
        "[qa]\n",
        "[qa]\nscripts = [{ name = \"x\", run = \"true\" }]\n",
    );
    let (status, body, _) = form(
        &app,
        "/jobs/new",
        &ed,
        &[("csrf_token", &csrf), ("text", &scripted)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("only an admin"), "{body}");
    let (status, body, location) = form(
        &app,
        "/jobs/new",
        &ed,
        &[("csrf_token", &csrf), ("text", &good)],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/jobs?saved=my-strip"),
        "{body}"
    );
    let (_, jobs) = app.get("/api/v1/jobs", &ed).await;
    let mine = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "my-strip");
    assert_eq!(
        mine.map(|j| j["source"].clone()),
        Some(json!("saved")),
        "{jobs}"
    );
    let start = [
        ("csrf_token", csrf.as_str()),
        ("job", "my-strip"),
        ("workspace", "demo"),
    ];
    let (status, body, location) = form(&app, "/runs", &ed, &start).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.starts_with("/runs/"), "{location}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_settings_page_shows_a_new_token_once_and_adds_users() {
    let app = TestApp::start().await;
    app.user("boss", Role::Admin).await;
    let (boss, csrf) = session(&app, "boss").await;
    let (status, body, _) = page(&app, "/settings", &boss).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("OPENAI_API_KEY"), "{body}");
    let add = [
        ("csrf_token", csrf.as_str()),
        ("name", "mia"),
        ("role", "approver"),
        ("password", "a-long-enough-password"),
    ];
    let (status, body, _) = form(&app, "/settings/users", &boss, &add).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let mia = app.store.user_by_name("mia").await.unwrap().unwrap();
    assert_eq!(mia.role, "approver");
    let (status, body, _) = form(
        &app,
        "/settings/tokens",
        &boss,
        &[("csrf_token", &csrf), ("user", "mia")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let token = body
        .split("id=\"new-token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert!(token.starts_with("sw_"), "{token}");
    let (status, me) = app.get("/api/v1/me", &Auth::Bearer(token.clone())).await;
    assert_eq!((status, me["name"].as_str()), (StatusCode::OK, Some("mia")));
    let (_, again, _) = page(&app, "/settings", &boss).await;
    assert!(!again.contains(&token), "the token is shown once");
}
