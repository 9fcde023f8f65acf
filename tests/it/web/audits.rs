//! Audit runs over HTTP: started with `POST /api/v1/runs` on the demo workspace, their
//! stored report in JSON, SARIF and CSV, its webhook, the refusals (unknown run, an edit
//! run, an unfinished or failed audit, review and apply), and the report page's groups,
//! filters and escaping.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sitewide::web::Role;

use super::app::{Auth, TestApp};
use super::webhooks::{Receiver, app_with_webhooks};
use crate::support::commit_all;

/// Starts the tagging audit on the demo workspace and waits for it; returns its id.
async fn audited(app: &TestApp, auth: &Auth) -> (String, Value) {
    let body = json!({"job": "tagging-audit", "workspace": "demo"});
    let (status, run) = app.post("/api/v1/runs", auth, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    assert_eq!(run["kind"], "audit", "{run}");
    let id = run["id"].as_str().unwrap().to_string();
    let run = app.settled(&id, auth).await;
    (id, run)
}

/// A GET's status, content type, content disposition and body.
async fn fetch(app: &TestApp, path: &str, auth: &Auth) -> (StatusCode, String, String, String) {
    let resp = app.request(Method::GET, path, auth).send().await.unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (kind, disposition) = (header("content-type"), header("content-disposition"));
    (resp.status(), kind, disposition, resp.text().await.unwrap())
}

fn rule_files(report: &Value) -> Vec<(String, String)> {
    report["check"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (s("rule"), s("file"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_run_completes_with_its_report_in_json_sarif_and_csv_and_announces_its_end() {
    let receiver = Receiver::start();
    let app = app_with_webhooks(&receiver).await;
    let editor = app.user("ed", Role::Editor).await;
    let viewer = app.user("vi", Role::Viewer).await;
    let body = json!({"job": "tagging-audit", "workspace": "demo",
        "webhook": {"url": format!("{}/own", receiver.base)}});
    let (status, run) = app.post("/api/v1/runs", &editor, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let id = run["id"].as_str().unwrap().to_string();
    let run = app.settled(&id, &viewer).await;
    assert_eq!(
        (run["state"].as_str(), run["kind"].as_str()),
        (Some("completed"), Some("audit")),
        "{run}"
    );
    assert_eq!(run["changes"], json!([]));
    let coverage = &run["audit"]["coverage"];
    assert_eq!(
        (
            &coverage["not_tagged"],
            &coverage["tagged_twice"],
            &coverage["consent_after_tags"]
        ),
        (&json!(2), &json!(1), &json!(1)),
        "{run}"
    );
    // The planted defects of examples/demo-site/DEFECTS.md (#26 to #31).
    let (status, kind, disposition, text) =
        fetch(&app, &format!("/api/v1/runs/{id}/report"), &viewer).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(kind.starts_with("application/json"), "{kind}");
    assert!(
        disposition.contains(&format!("filename=\"sitewide-audit-{id}.json\"")),
        "{disposition}"
    );
    let report: Value = serde_json::from_str(&text).unwrap();
    let found = rule_files(&report);
    for (rule, file) in [
        ("TAG-001", "_layouts/minimal.html"),
        ("TAG-002", "landing/partner-globex.html"),
        ("TAG-003", "_layouts/page.html"),
        ("TAG-004", "landing/attribution-ebook.html"),
        ("TAG-006", "assets/js/site.js"),
        ("TAG-009", "contact.html"),
        ("CON-001", "analytics/scripts/pull_google_ads_spend.py"),
    ] {
        assert!(
            found.contains(&(rule.into(), file.into())),
            "{rule} in {file}: {found:?}"
        );
    }
    let status_of = |file: &str| {
        report["coverage"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["file"] == file)
            .map(|c| c["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status_of("legal/terms.md").as_deref(), Some("not_tagged"));
    assert_eq!(status_of("legal/dpa.md").as_deref(), Some("not_tagged"));
    assert_eq!(
        status_of("landing/partner-globex.html").as_deref(),
        Some("tagged_twice")
    );
    assert_eq!(
        status_of("landing/attribution-ebook.html").as_deref(),
        Some("consent_after_tags")
    );
    assert_eq!(status_of("pricing.html").as_deref(), Some("tagged"));
    assert_eq!(status_of("README.md"), None, "outside the job's targets");

    let (status, kind, disposition, text) = fetch(
        &app,
        &format!("/api/v1/runs/{id}/report?format=sarif"),
        &viewer,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("application/sarif+json"), "{kind}");
    assert!(disposition.contains(".sarif\""), "{disposition}");
    let sarif: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), found.len());
    assert!(results.iter().any(|r| r["ruleId"] == "TAG-002"));

    let (status, kind, disposition, text) = fetch(
        &app,
        &format!("/api/v1/runs/{id}/report?format=csv"),
        &viewer,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(".csv\""),
        "{disposition}"
    );
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "rule,severity,file,line,column,message,hint,file_kind,coverage_status,pages_affected"
        )
    );
    assert!(
        text.contains("TAG-001,error,_layouts/minimal.html,3,1,"),
        "{text}"
    );
    assert!(
        text.contains("TAG-002,error,landing/partner-globex.html,48,"),
        "{text}"
    );

    let (status, err) = app
        .get(&format!("/api/v1/runs/{id}/report?format=xml"), &viewer)
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_format"))
    );
    let (_, runs) = app.get("/api/v1/runs", &viewer).await;
    assert_eq!(runs[0]["kind"], "audit");
    assert_eq!(runs[0]["audit"]["findings"]["warning"], 1, "{runs}");

    let end = receiver.wait_for("/own", 1).await.remove(0).json();
    assert_eq!(
        (end["event"].as_str(), end["run"]["kind"].as_str()),
        (Some("completed"), Some("audit"))
    );
    assert_eq!(
        end["run"]["report_url"],
        format!("https://sitewide.example.com/api/v1/runs/{id}/report")
    );
    assert_eq!(end["run"]["audit"]["coverage"]["not_tagged"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_is_refused_for_an_unknown_run_an_edit_run_an_unfinished_or_failed_audit() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, err) = app.get("/api/v1/runs/no-such-run/report", &admin).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = app
        .get("/api/v1/runs/no-such-run/report", &Auth::None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let edit = app.start_run(&admin).await;
    app.settled(&edit, &admin).await;
    let (status, err) = app
        .get(&format!("/api/v1/runs/{edit}/report"), &admin)
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_an_audit")),
        "{err}"
    );

    let ws = app.store.workspace_by_name("demo").await.unwrap().unwrap();
    let spec = app
        .store
        .add_spec("tagging-audit", "name = \"x\"", "h")
        .await
        .unwrap();
    let queued = sitewide::store::NewRun {
        id: "audit-queued".into(),
        workspace_id: ws.id,
        spec_id: spec.id,
        kind: sitewide::spec::Kind::Audit,
        base_commit: "abc".into(),
        ..Default::default()
    };
    app.store.insert_run(&queued, "admin").await.unwrap();
    let (status, err) = app.get("/api/v1/runs/audit-queued/report", &admin).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("audit_not_finished")),
        "{err}"
    );

    // A sitewide.toml that does not read fails the audit with its error, stored and shown.
    let repo = app.demo_repo();
    std::fs::write(repo.join("sitewide.toml"), "[utm\ncase = \"lower\"\n").unwrap();
    commit_all(&repo, "broken config");
    let body = json!({"job": "tagging-audit", "workspace": "demo"});
    let (_, run) = app.post("/api/v1/runs", &admin, &body).await;
    let id = run["id"].as_str().unwrap().to_string();
    let run = app.settled(&id, &admin).await;
    assert_eq!(run["state"], "failed", "{run}");
    let (status, err) = app.get(&format!("/api/v1/runs/{id}/report"), &admin).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("audit_not_finished"))
    );
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("sitewide.toml"), "{message}");
    let (status, _, _, page) = fetch(&app, &format!("/runs/{id}"), &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("The audit failed") && page.contains("sitewide.toml"),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_run_cannot_be_reviewed_or_applied() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (id, _) = audited(&app, &admin).await;
    let (status, err) = app
        .post(&format!("/api/v1/runs/{id}/apply"), &admin, &json!({}))
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("audit_run")),
        "{err}"
    );
    assert!(
        err["message"].as_str().unwrap().contains("is an audit"),
        "{err}"
    );
    let (status, _) = app.get(&format!("/api/v1/runs/{id}/changes"), &admin).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_page_groups_and_filters_the_findings_and_the_run_page_links_it() {
    let app = TestApp::start().await;
    let editor = app.user("ed", Role::Editor).await;
    let viewer = app.user("vi", Role::Viewer).await;
    let (id, _) = audited(&app, &editor).await;
    let (status, _, _, run_page) = fetch(&app, &format!("/runs/{id}"), &viewer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        run_page.contains(&format!("href=\"/runs/{id}/report\"")),
        "{run_page}"
    );
    assert!(run_page.contains("Open the audit report"));
    let (_, _, _, dashboard) = fetch(&app, "/", &viewer).await;
    assert!(
        dashboard.contains("audit: 14 errors, 1 warning"),
        "{dashboard}"
    );

    let base = format!("/runs/{id}/report");
    let report = |query: &'static str| {
        let path = format!("{base}{query}");
        let (app, viewer) = (&app, &viewer);
        async move { fetch(app, &path, viewer).await }
    };
    let (status, kind, _, by_rule) = report("").await;
    assert_eq!(status, StatusCode::OK, "{by_rule}");
    assert!(kind.starts_with("text/html"));
    for expected in [
        "<code>TAG-002</code>",
        "Findings (15 of 15)",
        "legal&#x2F;terms.md",
        "G-7QX2LM9KPD",
        "demo_booked",
        "value: string = &quot;250&quot;",
        &format!("/api/v1/runs/{id}/report?format=sarif"),
        &format!("/api/v1/runs/{id}/report?format=csv"),
    ] {
        assert!(by_rule.contains(expected), "{expected}: {by_rule}");
    }
    let (_, _, _, by_layout) = report("?group=layout").await;
    assert!(by_layout.contains("used by 2 pages"), "{by_layout}");
    assert!(by_layout.contains("Pages and other files (not in a layout or include)"));
    let (_, _, _, by_page) = report("?group=page&file=landing%2F").await;
    assert!(
        by_page.contains("landing&#x2F;partner-globex.html"),
        "{by_page}"
    );
    assert!(by_page.contains("tagged twice"), "{by_page}");
    assert!(
        by_page.contains("plus 2 findings in the layouts and includes"),
        "{by_page}"
    );
    let findings = by_page.split("id=\"coverage\"").next().unwrap();
    assert!(
        !findings.contains("site.js") && !findings.contains("contact.html"),
        "{findings}"
    );
    let (_, _, _, warnings) = report("?severity=warning").await;
    assert!(
        warnings.contains("Findings (1 of 15)") && warnings.contains("CON-005"),
        "{warnings}"
    );
    assert!(!warnings.contains("<code>TAG-002</code>"));
    let (_, _, _, family) = report("?rule=con").await;
    assert!(family.contains("Findings (2 of 15)"), "{family}");
    let (status, _, _, _) = fetch(&app, &format!("/runs/{id}/report"), &Auth::None).await;
    assert_ne!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_name_or_finding_message_holding_markup_shows_as_text_on_the_report_page() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let repo = app.demo_repo();
    let name = "landing/<img src=x onerror=alert(1)>.html";
    std::fs::write(
        repo.join(name),
        "<!doctype html><html><head><title>x</title></head><body><script>dataLayer.push({event: '<b onmouseover=alert(2)>'});</script></body></html>\n",
    )
    .unwrap();
    commit_all(&repo, "markup");
    let (id, run) = audited(&app, &admin).await;
    assert_eq!(run["state"], "completed", "{run}");
    let (_, _, _, json) = fetch(&app, &format!("/api/v1/runs/{id}/report"), &admin).await;
    assert!(
        json.contains("<b onmouseover=alert(2)>"),
        "the event is in the report"
    );
    for query in ["", "?group=page", "?group=layout"] {
        let (status, _, _, page) = fetch(&app, &format!("/runs/{id}/report{query}"), &admin).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !page.contains("<img src=x") && !page.contains("<b onmouseover"),
            "{page}"
        );
        assert!(
            page.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{page}"
        );
        assert!(page.contains("&lt;b onmouseover=alert(2)&gt;"), "{page}");
    }
}
