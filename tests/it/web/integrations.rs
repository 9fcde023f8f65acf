//! The HTTP calls written in docs/integrations/README.md, replayed against the real server:
//! each ```` ```http ```` block is read (its `# step:` and `# expect:` comments, request line,
//! headers and body), its `{{placeholders}}` filled from the server and from earlier
//! answers, sent, and its status checked; the webhook the run sends in between is verified
//! as the README says a tool must.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sitewide::web::Role;
use sitewide::web::webhooks::signature;

use super::app::Auth;
use super::webhooks::{Receiver, app_with_webhooks};

/// One ```http block.
#[derive(Debug)]
struct Call {
    step: String,
    expect: String,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: String,
}

fn calls(readme: &str) -> Vec<Call> {
    let mut out = Vec::new();
    let mut rest = readme;
    while let Some(start) = rest.find("```http\n") {
        let after = &rest[start + "```http\n".len()..];
        let end = after.find("\n```").expect("a closed ```http block");
        out.push(parse(&after[..end]));
        rest = &after[end..];
    }
    out
}

fn parse(block: &str) -> Call {
    let (head, body) = block.split_once("\n\n").unwrap_or((block, ""));
    let mut call = Call {
        step: String::new(),
        expect: String::new(),
        method: String::new(),
        url: String::new(),
        headers: Vec::new(),
        body: body.trim().to_string(),
    };
    for line in head.lines() {
        if let Some(c) = line.strip_prefix("# ") {
            let (k, v) = c.split_once(": ").expect("a `# key: value` comment");
            match k {
                "step" => call.step = v.into(),
                "expect" => call.expect = v.into(),
                other => panic!("unknown comment {other:?}"),
            }
        } else if call.method.is_empty() {
            let (m, u) = line.split_once(' ').expect("METHOD URL");
            (call.method, call.url) = (m.into(), u.into());
        } else {
            let (k, v) = line.split_once(": ").expect("Header: value");
            call.headers.push((k.into(), v.into()));
        }
    }
    assert!(!call.step.is_empty() && !call.expect.is_empty(), "{call:?}");
    call
}

fn fill(text: &str, vars: &HashMap<&str, String>) -> String {
    let mut out = text.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{{{k}}}}}"), v);
    }
    assert!(!out.contains("{{"), "a placeholder is left in {out}");
    out
}

async fn send(call: &Call, vars: &HashMap<&str, String>) -> (StatusCode, Value) {
    let client = reqwest::Client::new();
    let method = Method::from_bytes(call.method.as_bytes()).unwrap();
    let mut req = client.request(method, fill(&call.url, vars));
    for (k, v) in &call.headers {
        req = req.header(k.as_str(), fill(v, vars));
    }
    if !call.body.is_empty() {
        req = req.body(fill(&call.body, vars));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    let expected = match call.expect.as_str() {
        "2xx" => status.is_success(),
        code => status.as_str() == code,
    };
    assert!(expected, "step {}: {status} {text}", call.step);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calls_in_the_integrations_readme_start_a_run_and_post_its_review_link() {
    let readme = include_str!("../../../docs/integrations/README.md");
    let calls = calls(readme);
    let steps: Vec<&str> = calls.iter().map(|c| c.step.as_str()).collect();
    assert_eq!(steps, ["start", "retry", "read", "post-link"]);
    let receiver = Receiver::start();
    let app = app_with_webhooks(&receiver).await;
    let Auth::Bearer(token) = app.user("n8n", Role::Editor).await else {
        unreachable!()
    };
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("base", app.base.clone()),
        ("token", token),
        ("key", "n8n-execution-1".to_string()),
        ("webhook_url", format!("{}/n8n-resume", receiver.base)),
        ("chat_url", format!("{}/chat", receiver.base)),
    ]);
    let (_, started) = send(&calls[0], &vars).await;
    let (_, again) = send(&calls[1], &vars).await;
    assert_eq!(again["id"], started["id"], "the retry answers the same run");
    let notice = receiver.wait_for("/n8n-resume", 1).await.remove(0);
    assert_eq!(notice.signature, signature("run-secret", &notice.body));
    let notice = notice.json();
    assert_eq!(notice["event"], "awaiting_review");
    let run = &notice["run"];
    vars.insert("run_id", run["id"].as_str().unwrap().into());
    vars.insert("ui_url", run["ui_url"].as_str().unwrap().into());
    vars.insert("job", run["job"].as_str().unwrap().into());
    vars.insert("workspace", run["workspace"].as_str().unwrap().into());
    vars.insert("proposed", run["counts"]["proposed"].to_string());
    assert_eq!(run["id"], started["id"]);
    let (_, read) = send(&calls[2], &vars).await;
    assert_eq!(read["state"], "awaiting_review");
    send(&calls[3], &vars).await;
    let posted = receiver.wait_for("/chat", 1).await.remove(0).json();
    let text = posted["text"].as_str().unwrap();
    assert!(
        text.ends_with(&format!("/runs/{}", vars["run_id"])),
        "{text}"
    );
    let (_, runs) = app
        .get("/api/v1/runs", &Auth::Bearer(vars["token"].clone()))
        .await;
    assert_eq!(
        runs.as_array().unwrap().len(),
        1,
        "one run for one key: {runs}"
    );
}

#[test]
fn the_n8n_workflow_sends_the_readme_calls() {
    let text = include_str!("../../../docs/integrations/n8n-start-run-and-wait.json");
    let workflow: Value = serde_json::from_str(text).unwrap();
    let nodes = workflow["nodes"].as_array().unwrap();
    let start = nodes.iter().find(|n| n["name"] == "Start run").unwrap();
    let p = &start["parameters"];
    assert_eq!(p["method"], "POST");
    assert!(p["url"].as_str().unwrap().ends_with("/api/v1/runs"));
    assert_eq!(
        p["headerParameters"]["parameters"][0]["name"],
        "Idempotency-Key"
    );
    for n in nodes {
        let name = n["name"].as_str().unwrap();
        assert!(
            workflow["connections"].get(name).is_some()
                || workflow["connections"]
                    .to_string()
                    .contains(&format!("\"node\":\"{name}\"")),
            "{name} is not connected"
        );
    }
}
