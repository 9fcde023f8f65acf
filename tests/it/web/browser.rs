//! The UI in headless Chromium, driven over WebDriver: an editor logs in and starts the
//! recipe job on the demo site from the Jobs page, watches the run page until the run
//! awaits review; an approver approves one change and rejects another on their review
//! pages, applies, and sees the commit. Every page is saved as a PNG under
//! `$CARGO_TARGET_DIR/screenshots/` (printed) and checked with axe-core where it is
//! installed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use sitewide::web::Role;

use super::app::TestApp;
use super::webdriver::{Browser, chromium};
use crate::support::git;

/// Where the screenshots go.
fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("screenshots")
}

async fn log_in(b: &Browser, app: &TestApp, name: &str) {
    b.forget_cookies().await;
    b.goto(&format!("{}/login", app.base)).await;
    let field = b.wait_for("#name", 10).await;
    b.type_into(&field, name).await;
    let password = b.wait_for("#password", 10).await;
    b.type_into(&password, "pw-of-test-user").await;
    let submit = b.wait_for("//button[normalize-space()='Log in']", 10).await;
    b.click(&submit).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.url().await.ends_with("/login") {
        assert!(Instant::now() < deadline, "{name} could not log in");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.wait_for("main", 10).await;
}

/// Clicks the button whose visible text is `text`; the page it leads to is waited for by
/// the caller.
async fn press(b: &Browser, text: &str) {
    let xpath = format!("//button[starts-with(normalize-space(), '{text}')]");
    let button = b.wait_for(&xpath, 20).await;
    b.click(&button).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_marketer_starts_reviews_and_applies_a_run_in_the_browser() {
    let Some((driver, binary)) = chromium() else {
        return;
    };
    if !sitewide::web::routes()
        .iter()
        .any(|r| r.path == "/runs/{id}")
    {
        eprintln!("skipped: the UI's run page (/runs/{{id}}) is not built yet");
        return;
    }
    let app = TestApp::start().await;
    let editor = app.user("ed", Role::Editor).await;
    let approver = app.user("ap", Role::Approver).await;
    let b = Browser::start(&driver, &binary).await;
    let shots = screenshots();
    let mut a11y = super::axe::Axe::load();

    b.goto(&format!("{}/login", app.base)).await;
    b.wait_for("#name", 10).await;
    a11y.check(&b, "login").await;
    log_in(&b, &app, "ed").await;
    b.screenshot(&shots, "01-dashboard").await;
    a11y.check(&b, "dashboard").await;
    b.goto(&format!("{}/jobs?job=strip-internal-utms", app.base))
        .await;
    let job = b.wait_for("#job", 10).await;
    b.script(
        "document.getElementById('job').value = arguments[0]; document.getElementById('workspace').value = arguments[1];",
        json!(["strip-internal-utms", "demo"]),
    )
    .await;
    assert_eq!(
        b.property(&job, "value").await.as_deref(),
        Some("strip-internal-utms")
    );
    b.screenshot(&shots, "02-jobs").await;
    a11y.check(&b, "jobs").await;
    press(&b, "Start the run").await;

    b.wait_for("#run-state", 20).await;
    let url = b.url().await;
    let id = url.rsplit("/runs/").next().unwrap().to_string();
    b.screenshot(&shots, "03-run-started").await;
    // The page follows the run over SSE and reloads when its state changes.
    b.wait_for("#run-state[data-state='awaiting_review']", 90)
        .await;
    b.screenshot(&shots, "04-run-awaiting-review").await;
    a11y.check(&b, "run awaiting review").await;

    log_in(&b, &app, "ap").await;
    let (_, changes) = app
        .get(&format!("/api/v1/runs/{id}/changes"), &approver)
        .await;
    let proposed: Vec<i64> = changes
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["state"] == "proposed")
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(
        proposed.len() >= 2,
        "the demo run proposes two changes or more: {changes}"
    );
    b.goto(&format!("{}/runs/{id}/changes/{}", app.base, proposed[0]))
        .await;
    b.wait_for("#approve", 10).await;
    b.screenshot(&shots, "05-review").await;
    a11y.check(&b, "change review").await;
    b.script(
        "document.getElementById('diff-title').scrollIntoView();",
        json!([]),
    )
    .await;
    b.screenshot(&shots, "05b-review-diff").await;
    press(&b, "Approve").await;
    b.wait_for(
        &format!(
            "//main[not(.//form[contains(@action, '/changes/{}/decision')])]",
            proposed[0]
        ),
        10,
    )
    .await;
    b.goto(&format!(
        "{}/runs/{id}/changes/{}?view=split",
        app.base, proposed[1]
    ))
    .await;
    b.wait_for("#reject", 10).await;
    b.script(
        "document.getElementById('diff-title').scrollIntoView();",
        json!([]),
    )
    .await;
    b.screenshot(&shots, "06-review-side-by-side").await;
    a11y.check(&b, "change review, side by side").await;
    press(&b, "Reject").await;

    b.goto(&format!("{}/runs/{id}", app.base)).await;
    b.wait_for("//button[starts-with(normalize-space(), 'Apply')]", 10)
        .await;
    b.screenshot(&shots, "07-run-decided").await;
    press(&b, "Apply").await;
    let applied = b.wait_for("#applied", 60).await;
    let shown = b.text(&applied).await;
    b.screenshot(&shots, "08-applied").await;
    a11y.check(&b, "run applied").await;

    let (_, run) = app.get(&format!("/api/v1/runs/{id}"), &approver).await;
    assert_eq!(run["state"], "applied", "{run}");
    let commit = run["commit"].as_str().unwrap();
    assert!(
        shown.contains(&commit[..10]) && !shown.contains(commit),
        "the page shows the commit {commit} short: {shown}"
    );
    let states: Vec<&str> = run["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["state"].as_str())
        .collect();
    assert!(
        states.contains(&"applied") && states.contains(&"rejected"),
        "{states:?}"
    );
    let log = git(
        &app.demo_repo(),
        &["log", "-1", "--format=%H%n%B", &format!("sitewide/{id}")],
    );
    assert!(
        log.starts_with(commit) && log.contains("Approved-by: ap"),
        "{log}"
    );

    // An audit run's report page, grouped by layout: readable and accessible too.
    let body = serde_json::json!({"job": "tagging-audit", "workspace": "demo"});
    let (status, audit) = app.post("/api/v1/runs", &editor, &body).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{audit}");
    let audit_id = audit["id"].as_str().unwrap().to_string();
    let done = app.settled(&audit_id, &editor).await;
    assert_eq!(done["state"], "completed", "{done}");
    b.goto(&format!("{}/runs/{audit_id}/report?group=layout", app.base))
        .await;
    let main = b.wait_for("main", 10).await;
    let report = b.text(&main).await;
    b.screenshot(&shots, "09-audit-report").await;
    a11y.check(&b, "audit report").await;
    assert!(
        report.contains("_layouts/minimal.html") && report.contains("TAG-001"),
        "{report}"
    );

    // The job editor, and (as an admin) the settings: every page of the UI passes axe.
    b.goto(&format!("{}/jobs/new", app.base)).await;
    b.wait_for("main", 10).await;
    b.screenshot(&shots, "10-job-editor").await;
    a11y.check(&b, "job editor").await;
    let _admin = app.user("adm", Role::Admin).await;
    log_in(&b, &app, "adm").await;
    b.goto(&format!("{}/settings", app.base)).await;
    b.wait_for("main", 10).await;
    b.screenshot(&shots, "11-settings").await;
    a11y.check(&b, "settings").await;
    b.quit().await;
    a11y.finish();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_core_reports_an_image_without_alt_text_as_critical() {
    let Some((driver, binary)) = chromium() else {
        return;
    };
    let mut a11y = super::axe::Axe::load();
    if !a11y.loaded() {
        return;
    }
    let b = Browser::start(&driver, &binary).await;
    b.goto("data:text/html,<html lang=en><title>t</title><main><img src=x.png></main></html>")
        .await;
    b.wait_for("img", 10).await;
    a11y.check(&b, "a page with an image and no alt").await;
    b.quit().await;
    assert!(
        a11y.failures().iter().any(|f| f.contains("image-alt")),
        "{:?}",
        a11y.failures()
    );
}
