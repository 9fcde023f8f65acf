//! The web pages against the real server, in-process on 127.0.0.1:0 with a temporary
//! data directory: the run page of a run with 2,000 changes (10-line diffs, findings
//! before and after, attempts, each file's new text) and the review page of a change
//! whose diff is 5,000 lines (unified and side by side), each fetched N times (default
//! 200, after 20 to warm up) by C clients at once (default 4) with the admin's session
//! cookie; then, when Debian's `wrk` is on the PATH, each page again under `wrk` for 5 s.
//! Last, the SSE latency: a run in `running` is watched on `/api/v1/runs/{id}/events`,
//! moved to `awaiting_review` through the store, and the time until its `run` event
//! arrives is taken, R times (default 20), each on a new run.
//!
//!   cargo bench --bench web_pages [-- REQUESTS [CONCURRENCY [SSE_ROUNDS]]]
//!
//! Writes benches/results-web.md and .json.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sitewide::spec::Kind;
use sitewide::store::{ChangeState, NewChange, NewRun, RunState, Store};
use sitewide::web::{self, WebConfig};

const PASSWORD: &str = "bench-admin-password";
const CHANGES: usize = 2000;
const BIG_DIFF_LINES: usize = 5000;

fn hash(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// A marketing page as the run left it: front matter, a nav, 60 paragraphs.
fn page(i: usize) -> String {
    let body: String = (0..60)
        .map(|j| format!("<p>Section {j} of offer {i}: analytics dashboards for every team &amp; every budget.</p>\n"))
        .collect();
    format!(
        "---\nlayout: default\ntitle: Offer {i}\n---\n<nav><a href=\"/pricing/\">Pricing</a></nav>\n<h1>Offer {i}</h1>\n{body}"
    )
}

/// The 10-line diff that dropped an internal UTM from the nav link.
fn small_diff(path: &str, i: usize) -> String {
    let ctx = |k: usize| format!(" <p>Section {k} of offer {i}: analytics dashboards.</p>\n");
    format!(
        "--- a/{path}\n+++ b/{path}\n@@ -4,7 +4,7 @@\n{}{}{}-<nav><a href=\"/pricing/?utm_source=site&utm_medium=nav\">Pricing</a></nav>\n+<nav><a href=\"/pricing/\">Pricing</a></nav>\n{}{}{}",
        ctx(1),
        ctx(2),
        ctx(3),
        ctx(4),
        ctx(5),
        ctx(6)
    )
}

fn finding(rule: &str, line: u64, message: &str) -> Value {
    json!({"rule": rule, "severity": "warning", "line": line, "column": 14,
        "message": message, "hint": "drop utm_* parameters from links inside the site"})
}

/// Change `i` of the big run: mostly proposed, every 25th blocked, every 10th with a new
/// finding after.
fn change(run: &str, i: usize) -> NewChange {
    let path = format!("pages/offers/offer-{i:04}.html");
    let diff = small_diff(&path, i);
    let before = json!([
        finding("UTM-008", 7, "internal link carries utm_source"),
        finding("UTM-008", 7, "internal link carries utm_medium"),
        finding("SEO-002", 1, "title is shorter than 30 characters"),
    ]);
    let mut after = vec![finding("SEO-002", 1, "title is shorter than 30 characters")];
    if i.is_multiple_of(10) {
        after.push(finding(
            "LNK-001",
            7,
            "link target /pricing/ does not exist",
        ));
    }
    let blocked = i.is_multiple_of(25);
    let mut attempts = vec![json!({"attempt": 1, "engine": "recipe", "steps": ["strip-utm"]})];
    if blocked {
        attempts.push(
            json!({"attempt": 2, "engine": "recipe", "outcome": "blocked",
            "reasons": ["QA: a new finding LNK-001 after the edit"]}),
        );
    }
    NewChange {
        run_id: run.to_string(),
        state: if blocked {
            ChangeState::Blocked
        } else {
            ChangeState::Proposed
        },
        base_hash: hash(&format!("base {i}")),
        new_hash: Some(hash(&page(i))),
        diff_hash: hash(&diff),
        diff,
        findings_before: before,
        findings_after: json!(after),
        attempts: json!(attempts),
        new_content: Some(page(i)),
        path,
    }
}

/// The one change whose diff is 5,000 lines: context, removed and added lines in turn,
/// with markup to escape.
fn big_change(run: &str) -> NewChange {
    let path = "pages/handbook.html".to_string();
    let mut diff = format!("--- a/{path}\n+++ b/{path}\n@@ -1,3334 +1,3333 @@\n");
    for k in 0..BIG_DIFF_LINES - 3 {
        let text = format!(
            "<li><a href=\"/docs/{k}/?ref=nav&x=\"1\"\">Chapter {k} &lt;draft&gt;</a></li>"
        );
        let mark = [' ', '-', '+'][k % 3];
        diff.push_str(&format!("{mark}{text}\n"));
    }
    let mut c = change(run, 0);
    c.state = ChangeState::Proposed;
    c.diff_hash = hash(&diff);
    c.diff = diff;
    c.path = path;
    c
}

/// A new run of `spec_id` on workspace 1 (the demo), moved to `running`.
async fn running_run(store: &Store, id: &str, spec_id: i64, files: i64) {
    let run = NewRun {
        id: id.to_string(),
        workspace_id: store.workspace_by_name("demo").await.unwrap().unwrap().id,
        spec_id,
        kind: Kind::Edit,
        base_commit: hash(id),
        created_by: "bench".into(),
        target_branch: "main".into(),
        batches: 1,
        files,
        forecast: json!({}),
        webhook: None,
    };
    store.insert_run(&run, "bench").await.unwrap();
    store
        .set_run_state(id, RunState::Queued, RunState::Running, "bench")
        .await
        .unwrap();
}

/// The big run and the run with the big diff, both awaiting review; the big diff's
/// change id.
async fn seed(store: &Store) -> i64 {
    let text = include_str!("../jobs/strip-internal-utms.toml");
    let spec = store
        .add_spec("strip-internal-utms", text, &hash(text))
        .await
        .unwrap();
    running_run(store, "bench-2000", spec.id, CHANGES as i64).await;
    let changes: Vec<NewChange> = (1..=CHANGES).map(|i| change("bench-2000", i)).collect();
    let qa = json!({"scripts": [], "notes": []});
    let to = RunState::AwaitingReview;
    store
        .settle_run("bench-2000", &changes, &[], &qa, to, "bench")
        .await
        .unwrap();
    running_run(store, "bench-diff", spec.id, 1).await;
    let big = big_change("bench-diff");
    store
        .settle_run("bench-diff", &[big], &[], &qa, to, "bench")
        .await
        .unwrap();
    store.changes_of_run("bench-diff").await.unwrap()[0].id
}

/// Logs in as the admin through the form; the session cookie (`name=value`).
async fn login(client: &reqwest::Client, base: &str) -> String {
    let resp = client
        .post(format!("{base}/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("name=admin&password={PASSWORD}"))
        .send()
        .await
        .unwrap();
    let set = resp.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_string()
}

/// Latencies in ms, sorted, and the requests per second of `n` GETs of `url` by
/// `concurrency` clients at once; each answer must be 200 and contain `expect`.
async fn load(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    n: usize,
    concurrency: usize,
    expect: &str,
) -> (Vec<f64>, f64) {
    let left = Arc::new(AtomicUsize::new(n));
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, cookie, left) = (
                client.clone(),
                url.to_string(),
                cookie.to_string(),
                left.clone(),
            );
            let expect = expect.to_string();
            tokio::spawn(async move {
                let mut times = Vec::new();
                while left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| l.checked_sub(1))
                    .is_ok()
                {
                    let t = Instant::now();
                    let resp = client
                        .get(&url)
                        .header("Cookie", &cookie)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(resp.status(), 200, "{url}");
                    let body = resp.text().await.unwrap();
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                    assert!(body.contains(&expect), "{url}: no {expect:?}");
                }
                times
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let rps = n as f64 / start.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    (all, rps)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len());
    sorted[at - 1]
}

/// `wrk` on `url` for 5 s with 2 threads (1 for 1 connection) and `concurrency` connections: its median and
/// 99th percentile (ms) and requests/s; `None` when `wrk` is not installed.
fn wrk(url: &str, cookie: &str, concurrency: usize) -> Option<Value> {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{concurrency}"),
            "-d5s",
            "--latency",
            "-H",
        ])
        .arg(format!("Cookie: {cookie}"))
        .arg(url)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let ms = |label: &str| -> Option<f64> {
        let line = text.lines().find(|l| l.trim_start().starts_with(label))?;
        let v = line.split_whitespace().nth(1)?;
        let (num, factor) = if let Some(n) = v.strip_suffix("ms") {
            (n, 1.0)
        } else if let Some(n) = v.strip_suffix("us") {
            (n, 0.001)
        } else {
            (v.strip_suffix('s')?, 1000.0)
        };
        num.parse::<f64>().ok().map(|x| x * factor)
    };
    let rps = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok());
    let non_2xx = text.contains("Non-2xx");
    Some(json!({"p50_ms": ms("50%"), "p99_ms": ms("99%"), "rps": rps, "non_2xx": non_2xx}))
}

/// Opens the event stream of a new `running` run, moves the run to `awaiting_review`
/// and returns the ms until its `run` event arrives.
async fn sse_once(
    store: &Store,
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    spec_id: i64,
    round: usize,
) -> f64 {
    let id = format!("bench-sse-{round}");
    running_run(store, &id, spec_id, 1).await;
    let mut resp = client
        .get(format!("{base}/api/v1/runs/{id}/events"))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut text = String::new();
    while !text.contains("\"state\":\"running\"") {
        let chunk = resp.chunk().await.unwrap().expect("the stream goes on");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    // Somewhere inside the server's 100 ms poll, as a state change would come.
    tokio::time::sleep(Duration::from_millis(fastrand::u64(0..100))).await;
    let t = Instant::now();
    store
        .set_run_state(&id, RunState::Running, RunState::AwaitingReview, "bench")
        .await
        .unwrap();
    text.clear();
    while !text.contains("\"state\":\"awaiting_review\"") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), resp.chunk()).await;
        let chunk = chunk
            .expect("the event comes")
            .unwrap()
            .expect("the stream goes on");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    t.elapsed().as_secs_f64() * 1000.0
}

struct Args {
    requests: usize,
    concurrency: usize,
    sse_rounds: usize,
}

fn args() -> Args {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let num =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    Args {
        requests: num(0, 200),
        concurrency: num(1, 4),
        sse_rounds: num(2, 20),
    }
}

fn main() {
    let a = args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let results = runtime.block_on(bench(&a));
    let md = markdown(&a, &results);
    println!("{md}");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/benches");
    std::fs::write(format!("{dir}/results-web.md"), &md).unwrap();
    let json = serde_json::to_string_pretty(&results).unwrap();
    std::fs::write(format!("{dir}/results-web.json"), json + "\n").unwrap();
}

async fn bench(a: &Args) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut config = WebConfig::new(&data);
    config.bind = "127.0.0.1:0".into();
    config.admin_password = Some(PASSWORD.into());
    config.workers = 2;
    let running = web::start(config).await.expect("the server starts");
    let base = format!("http://{}", running.addr);
    let store = Store::open(&data).await.unwrap();
    let t = Instant::now();
    let big_change = seed(&store).await;
    eprintln!("seeded in {:.1} s", t.elapsed().as_secs_f64());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = login(&client, &base).await;
    let pages = [
        (
            "run page, 2,000 changes",
            "/runs/bench-2000".to_string(),
            "Changes (2000)",
        ),
        (
            "review page, 5,000-line diff (unified)",
            format!("/runs/bench-diff/changes/{big_change}"),
            "Chapter 4996",
        ),
        (
            "review page, 5,000-line diff (side by side)",
            format!("/runs/bench-diff/changes/{big_change}?view=split"),
            "Chapter 4996",
        ),
    ];
    let mut rows = Vec::new();
    for (name, path, expect) in &pages {
        let url = format!("{base}{path}");
        load(&client, &url, &cookie, 20, a.concurrency, expect).await;
        let (times, rps) = load(&client, &url, &cookie, a.requests, a.concurrency, expect).await;
        let one = load(&client, &url, &cookie, a.requests.min(50), 1, expect)
            .await
            .0;
        let (u, c) = (url.clone(), cookie.clone());
        let concurrency = a.concurrency;
        let wrk = tokio::task::spawn_blocking(move || wrk(&u, &c, concurrency))
            .await
            .unwrap();
        let bytes = client
            .get(&url)
            .header("Cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .len();
        rows.push(
            json!({"page": name, "path": path, "bytes": bytes, "requests": times.len(),
            "p50_ms": quantile(&times, 0.5), "p95_ms": quantile(&times, 0.95),
            "max_ms": quantile(&times, 1.0), "rps": rps,
            "alone_p50_ms": quantile(&one, 0.5), "wrk": wrk}),
        );
        eprintln!("{}", rows.last().unwrap());
    }
    let spec_id = store.run_by_id("bench-2000").await.unwrap().spec_id;
    let mut sse = Vec::new();
    for round in 0..a.sse_rounds {
        sse.push(sse_once(&store, &client, &base, &cookie, spec_id, round).await);
    }
    sse.sort_by(f64::total_cmp);
    running.handle.stop().await;
    json!({"concurrency": a.concurrency, "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "pages": rows, "sse": {"rounds": sse.len(), "p50_ms": quantile(&sse, 0.5), "max_ms": quantile(&sse, 1.0), "all_ms": sse}})
}

fn markdown(a: &Args, r: &Value) -> String {
    let f = |v: &Value| v.as_f64().map_or("–".to_string(), |x| format!("{x:.1}"));
    let mut md = format!(
        "Web pages: {} requests per page after 20 to warm up, {} clients at once, {} CPUs; \
         `wrk -t2 -c{} -d5s` beside it.\n\n\
         | Page | HTML | median | p95 | max | req/s | median, 1 client | wrk median | wrk p99 | wrk req/s |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        a.requests, a.concurrency, r["cpus"], a.concurrency
    );
    for p in r["pages"].as_array().unwrap() {
        md.push_str(&format!(
            "| {} | {} KB | {} ms | {} ms | {} ms | {} | {} ms | {} ms | {} ms | {} |\n",
            p["page"].as_str().unwrap(),
            p["bytes"].as_u64().unwrap() / 1024,
            f(&p["p50_ms"]),
            f(&p["p95_ms"]),
            f(&p["max_ms"]),
            f(&p["rps"]),
            f(&p["alone_p50_ms"]),
            f(&p["wrk"]["p50_ms"]),
            f(&p["wrk"]["p99_ms"]),
            f(&p["wrk"]["rps"]),
        ));
    }
    let s = &r["sse"];
    md.push_str(&format!(
        "\nSSE: a run moved to `awaiting_review` through the store reaches the client's event \
         stream in {} ms at the median, {} ms at most ({} rounds).\n",
        f(&s["p50_ms"]),
        f(&s["max_ms"]),
        s["rounds"]
    ));
    md
}
