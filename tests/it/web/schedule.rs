//! Scheduled audits end to end: a job with a `schedule`, a `workspace` and `[[notify]]`
//! targets, its scheduler driven through two slots by an injected clock against a
//! running server (whose worker does the audits and whose notifier sends the notices).
//! Between the slots the demo workspace gets one finding fixed, one new and one that only
//! moved lines; the second run shows that comparison in its JSON, its page and its
//! report page, and the receiver gets the signed JSON notices (the first attempt fails
//! and is retried) and the Slack message, with the new finding.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sitewide::run::{Scheduler, schedule::load_jobs};
use sitewide::web::webhooks::{Retry, signature};

use super::app::{Auth, TestApp};
use super::webhooks::Receiver;
use crate::support::commit_all;

fn spec(receiver: &str) -> String {
    format!(
        r#"name = "daily-tagging"
kind = "audit"
targets = ["**/*.html", "**/*.md", "assets/js/**", "!README.md", "!DEFECTS.md", "!_site/**"]
schedule = "0 6 * * *"
workspace = "demo"

[qa]
rules = ["TAG-*"]

[[notify]]
url = "{receiver}/flaky-json?token=not-logged"
on = ["end", "new_findings"]
secret_env = "TEST_NOTIFY_SECRET"

[[notify]]
url = "{receiver}/slack"
format = "slack"
on = ["new_findings"]
"#
    )
}

fn day(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap()
}

/// Fixes TAG-006 `demo_booked` (the line goes), adds an unplanned event at the end of
/// site.js, and moves contact.html's TAG-009 down two lines.
fn plant_changes(app: &TestApp) {
    let repo = app.demo_repo();
    let js = repo.join("assets/js/site.js");
    let text = std::fs::read_to_string(&js).unwrap();
    let text = text.replace(
        "window.dataLayer.push({event: 'demo_booked', meeting_minutes: event.data.minutes});",
        "// booked demos are counted by the calendar tool",
    );
    let text = format!("{text}\nwindow.dataLayer.push({{event: 'pricing_toggled'}});\n");
    std::fs::write(&js, text).unwrap();
    let contact = repo.join("contact.html");
    let text = std::fs::read_to_string(&contact).unwrap();
    let (front, body) = text[4..].split_once("\n---\n").unwrap();
    let moved = format!("---\n{front}\n---\n<!-- moved -->\n<!-- down -->\n{body}");
    std::fs::write(&contact, moved).unwrap();
    commit_all(&repo, "plant: one fixed, one new, one moved");
}

fn finding_of<'a>(report: &'a Value, rule: &str, file: &str) -> &'a Value {
    report["check"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["file"] == file)
        .unwrap_or_else(|| panic!("no {rule} in {file}"))
}

async fn page(app: &TestApp, path: &str, auth: &Auth) -> String {
    let resp = app.request(Method::GET, path, auth).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_audit_compares_with_the_previous_slot_and_notifies_its_new_findings() {
    let receiver = Receiver::start();
    let app = TestApp::start_with(|c| {
        c.webhook_secrets
            .insert("TEST_NOTIFY_SECRET".into(), "notify-secret".into());
        c.webhook_retry = Retry {
            retries: 3,
            backoff: Duration::from_millis(50),
            timeout: Duration::from_secs(5),
        };
    })
    .await;
    let admin = app.admin().await;
    let jobs = tempfile::tempdir().unwrap();
    std::fs::write(jobs.path().join("daily.toml"), spec(&receiver.base)).unwrap();
    let (jobs, problems) = load_jobs(jobs.path());
    assert!(problems.is_empty(), "{problems:?}");
    let scheduler = Scheduler::new(app.store.clone(), &app.data, None, jobs, day(2, 5, 59));

    let first = scheduler.tick(day(2, 6, 0)).await.unwrap();
    assert_eq!(first.len(), 1, "{first:?}");
    let run1 = app.settled(&first[0].run_id, &admin).await;
    assert_eq!(run1["state"], "completed", "{run1}");
    assert_eq!(run1["created_by"], "scheduler");
    assert_eq!(
        run1["comparison"],
        Value::Null,
        "the first run has no previous one"
    );
    let (_, report1) = app
        .get(&format!("/api/v1/runs/{}/report", first[0].run_id), &admin)
        .await;

    plant_changes(&app);
    assert!(
        scheduler.tick(day(2, 12, 0)).await.unwrap().is_empty(),
        "one run per slot"
    );
    let second = scheduler.tick(day(3, 6, 0)).await.unwrap();
    assert_eq!(second.len(), 1, "{second:?}");
    let id2 = second[0].run_id.clone();
    let run2 = app.settled(&id2, &admin).await;
    assert_eq!(run2["state"], "completed", "{run2}");
    let (_, report2) = app.get(&format!("/api/v1/runs/{id2}/report"), &admin).await;

    let c = &run2["comparison"];
    assert_eq!(c["previous_run"], first[0].run_id.as_str(), "{c}");
    assert_eq!(
        (c["new"].as_u64(), c["fixed"].as_u64()),
        (Some(1), Some(1)),
        "{c}"
    );
    assert!(
        c["new_findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("pricing_toggled"),
        "{c}"
    );
    assert!(
        c["fixed_findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("demo_booked"),
        "{c}"
    );
    let before = finding_of(&report1, "TAG-009", "contact.html");
    let after = finding_of(&report2, "TAG-009", "contact.html");
    assert_eq!(
        after["line"].as_u64(),
        before["line"].as_u64().map(|l| l + 2)
    );
    let open = report2["check"]["findings"].as_array().unwrap().len() as u64 - 1;
    assert_eq!(
        c["open"].as_u64(),
        Some(open),
        "every other finding is still open: {c}"
    );
    let trend = run2["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 2, "{trend:?}");
    assert_eq!(trend[1]["run"], id2.as_str());

    for path in [format!("/runs/{id2}"), format!("/runs/{id2}/report")] {
        let html = page(&app, &path, &admin).await;
        assert!(html.contains("Since the previous run"), "{path}");
        assert!(html.contains("pricing_toggled"), "{path}");
        assert!(html.contains("<svg class=\"trend\" role=\"img\""), "{path}");
        assert!(html.contains("Findings per run by severity"), "{path}");
    }

    // The JSON target: run 1's end (its first attempt answered 500, so sent twice),
    // run 2's end and run 2's new findings, each signed.
    let got = receiver.wait_for("/flaky-json", 4).await;
    for r in &got {
        assert_eq!(r.signature, signature("notify-secret", &r.body));
    }
    let notices: Vec<Value> = got.iter().map(|r| r.json()).collect();
    // The retry waits its backoff, so run 2's notices may come before it.
    assert!(
        notices[1..].contains(&notices[0]),
        "the retry sends the same notice: {notices:?}"
    );
    let new = notices
        .iter()
        .find(|n| n["event"] == "new_findings")
        .expect("a new_findings notice");
    assert_eq!(new["run"]["id"], id2.as_str());
    assert_eq!(new["run"]["scheduled"], true);
    assert_eq!(new["comparison"]["new"], 1);
    assert!(
        new["new_findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("pricing_toggled")
    );
    assert_eq!(notices.iter().filter(|n| n["event"] == "end").count(), 3);
    let slack = receiver.wait_for("/slack", 1).await.remove(0);
    assert_eq!(
        slack.signature, "",
        "a Slack target without a secret is not signed"
    );
    let message = slack.json();
    assert!(
        message["text"]
            .as_str()
            .unwrap()
            .contains("1 new finding(s) in daily-tagging"),
        "{message}"
    );
    assert!(
        message["blocks"].to_string().contains("pricing_toggled"),
        "{message}"
    );
}
