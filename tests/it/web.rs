//! The web app over HTTP: the real server on 127.0.0.1:0 with a temporary data directory
//! (SQLite, the demo workspace, the repository's jobs, an in-process worker), driven by a
//! plain HTTP client.

mod access;
pub(crate) mod app;
mod audits;
mod axe;
mod browser;
mod integrations;
mod pages;
mod postgres;
mod schedule;
mod webdriver;
mod webhooks;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use app::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sitewide::web::Role;

use crate::support::{commit_all, git};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_started_over_the_api_is_reviewed_and_applied_as_a_commit_on_its_branch() {
    let app = TestApp::start().await;
    let editor = app.user("ed", Role::Editor).await;
    let approver = app.user("ap", Role::Approver).await;
    let id = app.start_run(&editor).await;
    let run = app.settled(&id, &approver).await;
    assert_eq!(run["state"], "awaiting_review", "{run}");
    assert_eq!(
        (run["spec"].as_str(), run["created_by"].as_str()),
        (Some("strip-internal-utms"), Some("ed"))
    );
    let (status, changes) = app
        .get(&format!("/api/v1/runs/{id}/changes"), &approver)
        .await;
    assert_eq!(status, StatusCode::OK);
    let changes = changes.as_array().unwrap().clone();
    let proposed: Vec<&Value> = changes
        .iter()
        .filter(|c| c["state"] == "proposed")
        .collect();
    assert!(!proposed.is_empty(), "{changes:?}");
    for c in &proposed {
        let path = format!("/api/v1/runs/{id}/changes/{}/decision", c["id"]);
        let stale = json!({"decision": "approve", "diff_hash": "not-the-hash"});
        let (status, err) = app.post(&path, &approver, &stale).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::CONFLICT, Some("diff_changed")),
            "{err}"
        );
        let body =
            json!({"decision": "approve", "comment": "looks right", "diff_hash": c["diff_hash"]});
        let (status, decided) = app.post(&path, &approver, &body).await;
        assert_eq!(status, StatusCode::OK, "{decided}");
        assert_eq!(decided["state"], "approved");
    }
    let events = app.store.events_of_run(&id).await.unwrap();
    let approval = events.iter().find(|e| e.to_state == "approved").unwrap();
    assert_eq!(approval.actor, "ap");
    assert_eq!(
        approval.diff_hash.as_deref(),
        proposed[0]["diff_hash"].as_str()
    );
    let (status, applied) = app
        .post(&format!("/api/v1/runs/{id}/apply"), &approver, &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(applied["state"], "applied");
    let branch = format!("sitewide/{id}");
    assert_eq!(applied["branch"].as_str(), Some(branch.as_str()));
    let log = git(&app.demo_repo(), &["log", "-1", "--format=%H%n%B", &branch]);
    assert!(
        log.starts_with(applied["commit"].as_str().unwrap()),
        "{log}"
    );
    assert!(
        log.contains(&format!("Sitewide-Run: {id}")) && log.contains("Approved-by: ap"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_idempotency_key_answers_200_with_the_run_it_started() {
    let app = TestApp::start().await;
    let editor = app.user("ed", Role::Editor).await;
    let body = json!({"job": "strip-internal-utms", "workspace": "demo"});
    let post = |key: &'static str| {
        app.send(
            app.request(Method::POST, "/api/v1/runs", &editor)
                .header("Idempotency-Key", key)
                .body(body.to_string()),
        )
    };
    let (first, run) = post("n8n-42").await;
    assert_eq!(first, StatusCode::CREATED, "{run}");
    let (again, same) = post("n8n-42").await;
    assert_eq!(again, StatusCode::OK, "{same}");
    assert_eq!(same["id"], run["id"]);
    let (other, new) = post("n8n-43").await;
    assert_eq!(other, StatusCode::CREATED);
    assert_ne!(new["id"], run["id"]);
    let (_, runs) = app.get("/api/v1/runs", &editor).await;
    assert_eq!(runs.as_array().unwrap().len(), 2, "{runs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spec_read_from_the_workspace_starts_a_run_and_scripts_outside_jobs_are_refused() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let repo = app.demo_repo();
    let spec = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/jobs/strip-internal-utms.toml"
    ))
    .unwrap();
    std::fs::create_dir_all(repo.join("jobs")).unwrap();
    std::fs::create_dir_all(repo.join("specs")).unwrap();
    std::fs::write(repo.join("jobs/strip.toml"), &spec).unwrap();
    std::fs::write(repo.join("specs/scripted.toml"), scripted_in_qa(&spec)).unwrap();
    commit_all(&repo, "specs");
    let body = json!({"job": "jobs/strip.toml", "workspace": "demo", "base": "main"});
    let (status, run) = app.post("/api/v1/runs", &admin, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    assert_eq!(run["spec"], "strip-internal-utms");
    let body = json!({"job": "specs/scripted.toml", "workspace": "demo"});
    let (status, err) = app.post("/api/v1/runs", &admin, &body).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{err}"
    );
}

/// The spec with a QA script added to its `[qa]` table.
fn scripted_in_qa(spec: &str) -> String {
    spec.replace(
        "[qa]\n",
        "[qa]\nscripts = [{ name = \"x\", run = \"true\" }]\n",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_stream_sends_run_events_until_the_run_is_applied() {
    let app = TestApp::start().await;
    let editor = app.user("ed", Role::Editor).await;
    let approver = app.user("ap", Role::Approver).await;
    let id = app.start_run(&editor).await;
    let mut resp = app
        .request(Method::GET, &format!("/api/v1/runs/{id}/events"), &approver)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !text.contains("\"state\":\"awaiting_review\"") {
        assert!(
            Instant::now() < deadline,
            "no awaiting_review event: {text}"
        );
        let chunk = tokio::time::timeout(Duration::from_secs(30), resp.chunk())
            .await
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(
            &chunk.expect("the stream goes on until the run ends"),
        ));
    }
    let run = app.settled(&id, &approver).await;
    for c in run["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["state"] == "proposed")
    {
        let body = json!({"decision": "approve", "diff_hash": c["diff_hash"]});
        let path = format!("/api/v1/runs/{id}/changes/{}/decision", c["id"]);
        assert_eq!(app.post(&path, &approver, &body).await.0, StatusCode::OK);
    }
    assert_eq!(
        app.post(&format!("/api/v1/runs/{id}/apply"), &approver, &json!({}))
            .await
            .0,
        StatusCode::OK
    );
    loop {
        let chunk = tokio::time::timeout(Duration::from_secs(30), resp.chunk())
            .await
            .unwrap()
            .unwrap();
        match chunk {
            Some(bytes) => text.push_str(&String::from_utf8_lossy(&bytes)),
            None => break,
        }
    }
    let runs: Vec<Value> = events(&text, "run");
    let states: Vec<&str> = runs.iter().filter_map(|r| r["state"].as_str()).collect();
    let first = states.first().copied().unwrap_or("");
    assert!(
        ["queued", "running", "awaiting_review"].contains(&first),
        "{states:?}"
    );
    assert_eq!(states.last(), Some(&"applied"), "{text}");
    assert!(states.contains(&"awaiting_review"), "{states:?}");
    assert!(!events(&text, "progress").is_empty(), "{text}");
    let changes = events(&text, "change");
    assert!(changes.iter().any(|c| c["state"] == "approved"), "{text}");
    assert!(changes.iter().any(|c| c["state"] == "applied"), "{text}");
}

/// The JSON data of every event named `name` in an SSE text.
fn events(text: &str, name: &str) -> Vec<Value> {
    text.split("\n\n")
        .filter_map(|block| {
            let mut lines = block.lines();
            let event = lines.next()?.strip_prefix("event: ")?;
            let data = lines.next()?.strip_prefix("data: ")?;
            (event == name).then(|| serde_json::from_str(data).unwrap())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_run_stays_cancelled_and_a_finished_one_cannot_be_cancelled() {
    let app = TestApp::start().await;
    let editor = app.user("ed", Role::Editor).await;
    let id = app.start_run(&editor).await;
    let (status, run) = app
        .post(&format!("/api/v1/runs/{id}/cancel"), &editor, &json!({}))
        .await;
    if status == StatusCode::OK {
        assert_eq!(run["state"], "cancelled");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let (_, later) = app.get(&format!("/api/v1/runs/{id}"), &editor).await;
        assert_eq!(
            later["state"], "cancelled",
            "the worker did not go on: {later}"
        );
        assert!(later["changes"].as_array().unwrap().is_empty(), "{later}");
    } else {
        assert_eq!(
            (status, run["code"].as_str()),
            (StatusCode::CONFLICT, Some("refused")),
            "{run}"
        );
    }
    let finished = app.start_run(&editor).await;
    app.settled(&finished, &editor).await;
    let (status, err) = app
        .post(
            &format!("/api/v1/runs/{finished}/cancel"),
            &editor,
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("refused")),
        "{err}"
    );
}

#[test]
fn no_arguments_serves_the_ui_and_prints_a_one_time_admin_password() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sitewide"))
        .env("SITEWIDE_BIND", "127.0.0.1:0")
        .env("SITEWIDE_DATA_DIR", data.path())
        .env_remove("SITEWIDE_ADMIN_PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    let password = second
        .split("one-time password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{second}"))
        .to_string();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let outcome = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let health = client.get(format!("{url}/healthz")).send().await.unwrap();
        let login = client
            .post(format!("{url}/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!("name=admin&password={password}"))
            .send()
            .await
            .unwrap();
        (health.status(), login.status())
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        outcome,
        (StatusCode::OK, StatusCode::SEE_OTHER),
        "{first}\n{second}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runs_findings_list_every_finding_after_its_changes_with_the_new_ones_marked() {
    let app = app::TestApp::start().await;
    let editor = app.user("ed", sitewide::web::Role::Editor).await;
    // Normalizing UTMs leaves the changed landing pages with findings of other kinds.
    let body = serde_json::json!({"job": "normalize-utms", "workspace": "demo"});
    let (status, started) = app.post("/api/v1/runs", &editor, &body).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{started}");
    let id = started["id"].as_str().expect("id").to_string();
    let run = app.settled(&id, &editor).await;
    let (status, findings) = app
        .get(&format!("/api/v1/runs/{id}/findings"), &editor)
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let findings = findings.as_array().expect("a list");
    let expected: usize = run["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["findings_after"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(
        expected > 0,
        "the changed demo pages keep findings of their own"
    );
    assert_eq!(findings.len(), expected, "{findings:?}");
    let ids: Vec<i64> = run["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    for f in findings {
        assert!(f["rule"].is_string() && f["new"].is_boolean(), "{f}");
        assert!(
            ids.contains(&f["change_id"].as_i64().expect("change id")),
            "{f}"
        );
    }
    // The recipe brings no finding: none is marked new.
    assert!(findings.iter().all(|f| f["new"] == false), "{findings:?}");
}
