//! The web app on PostgreSQL (issue 8): `serve --no-worker` queues the runs it starts, a
//! `sitewide worker` process on the same database works them, and the run is reviewed
//! and applied over the API as on SQLite.

use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sitewide::web::Role;

use super::app::TestApp;
use crate::support::{git, postgres};

/// A `sitewide worker` process, killed when dropped.
struct WorkerProc(std::process::Child);

impl Drop for WorkerProc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_run_started_on_a_server_without_workers_is_worked_by_a_worker_and_applied() {
    // It makes the database on a runtime of its own.
    let Some(db) = tokio::task::spawn_blocking(postgres).await.unwrap() else {
        return;
    };
    let url = db.clone();
    let app = TestApp::start_with(move |c| {
        c.database_url = Some(url);
        c.run_worker = false;
    })
    .await;
    let editor = app.user("ed", Role::Editor).await;
    let approver = app.user("ap", Role::Approver).await;
    let id = app.start_run(&editor).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (_, run) = app.get(&format!("/api/v1/runs/{id}"), &approver).await;
    assert_eq!(run["state"], "queued", "no worker of its own: {run}");

    let _worker = WorkerProc(
        Command::new(env!("CARGO_BIN_EXE_sitewide"))
            .args(["worker", "--no-scheduler", "--data-dir"])
            .arg(&app.data)
            .env("DATABASE_URL", &db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the worker starts"),
    );
    let run = app.settled(&id, &approver).await;
    assert_eq!(run["state"], "awaiting_review", "{run}");
    let (status, changes) = app
        .get(&format!("/api/v1/runs/{id}/changes"), &approver)
        .await;
    assert_eq!(status, StatusCode::OK);
    let proposed: Vec<Value> = changes
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["state"] == "proposed")
        .cloned()
        .collect();
    assert!(!proposed.is_empty(), "{changes}");
    for c in &proposed {
        let path = format!("/api/v1/runs/{id}/changes/{}/decision", c["id"]);
        let body = json!({"decision": "approve", "diff_hash": c["diff_hash"]});
        let (status, decided) = app.post(&path, &approver, &body).await;
        assert_eq!(status, StatusCode::OK, "{decided}");
    }
    let (status, applied) = app
        .post(&format!("/api/v1/runs/{id}/apply"), &approver, &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(applied["state"], "applied");
    let branch = format!("sitewide/{id}");
    let log = git(&app.demo_repo(), &["log", "-1", "--format=%B", &branch]);
    assert!(log.contains(&format!("Sitewide-Run: {id}")), "{log}");
    let events = app.store.events_of_run(&id).await.unwrap();
    let moves: Vec<&str> = events
        .iter()
        .filter(|e| e.change_id.is_none())
        .map(|e| e.to_state.as_str())
        .collect();
    assert_eq!(
        moves,
        [
            "queued",
            "running",
            "awaiting_review",
            "applying",
            "applied"
        ]
    );
}
