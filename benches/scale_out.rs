//! Scale-out: one model run of FILES files (default 2,000) against the scripted
//! OpenAI-compatible server, worked by 1, 2 and 4 `sitewide worker` processes over
//! PostgreSQL, each keeping at most CALLS model calls in flight (`--calls`, default 8;
//! the run's `concurrency` is set high enough not to bind). The model is the bottleneck:
//! every answer streams REPLY tokens at RATE tokens/s. Reports each run's throughput
//! (changes per minute, from `sitewide run --no-wait` to the run settled), the scaling
//! ratio against one worker, and the queue's pickup latency: from a task's push to a free
//! worker's lock of it (each run's `finish` task, pushed by its last edit batch).
//!
//!   SITEWIDE_BENCH_POSTGRES=postgres://user:pw@127.0.0.1/postgres \
//!     cargo bench --bench scale_out [-- FILES [RATE [REPLY [CALLS]]]]
//!
//! Each worker count gets a new database on that server. Writes
//! benches/results-scale-out-FILES.md and .json.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/fake_model.rs"]
mod fake_model;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_model::{FakeModel, Reply, Script};
use serde_json::{Value, json};
use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;

const WORKERS: [usize; 3] = [1, 2, 4];

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git {args:?}");
}

fn page(i: usize) -> String {
    let body: String = (0..10)
        .map(|j| format!("<p>Section {j} of offer {i}: analytics dashboards for every team.</p>\n"))
        .collect();
    format!(
        "---\nlayout: default\ntitle: Offer {i}\n---\n<h1>Offer {i}</h1>\n{body}<p><a class=\"btn\" href=\"/signup/\">Start free trial</a></p>\n"
    )
}

/// The CTA swap for `path`, padded to stream about `tokens` tokens (4 characters each).
fn answer(path: &str, tokens: usize) -> String {
    let block = format!(
        "{path}\n<<<<<<< SEARCH\n<p><a class=\"btn\" href=\"/signup/\">Start free trial</a></p>\n=======\n<p><a class=\"btn\" href=\"/signup/\">Get started</a></p>\n>>>>>>> REPLACE\n"
    );
    let pad = (tokens * 4).saturating_sub(block.len());
    let mut out = String::from("I replaced the CTA text as asked.");
    while out.len() < pad {
        out.push_str(" The rest of the page stays as it was.");
    }
    format!("{out}\n\n{block}")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

struct Killed(Vec<Child>);

impl Drop for Killed {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `sitewide SUBCOMMAND --data-dir DATA` on database `db`; more arguments follow.
fn sitewide(db: &str, data: &Path, subcommand: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitewide"));
    cmd.env("DATABASE_URL", db)
        .env_remove("SITEWIDE_PAUSE_AT")
        .arg(subcommand)
        .arg("--data-dir")
        .arg(data);
    cmd
}

fn show(db: &str, data: &Path, id: &str) -> Value {
    let out = sitewide(db, data, "runs")
        .args(["show", id, "--json"])
        .output()
        .expect("runs show");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

struct Setup {
    repo: PathBuf,
    config: PathBuf,
    job: PathBuf,
    work: PathBuf,
    calls: usize,
}

/// One run worked by `workers` processes on a new database: seconds, changes proposed,
/// and the pickup latency of its `finish` task (ms).
async fn one(server: &PgConnectOptions, setup: &Setup, workers: usize) -> (f64, usize, Vec<f64>) {
    let name = format!(
        "sw_bench_{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    );
    let mut admin = server.connect().await.expect("the server answers");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create database");
    let db = server.clone().database(&name).to_url_lossy().to_string();
    let data = setup.work.join(format!("data-{workers}"));
    // Migrate once before the workers start, so they all start at once.
    let ok = sitewide(&db, &data, "runs").output().expect("migrate");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let calls = setup.calls.to_string();
    let spawned: Vec<Child> = (0..workers)
        .map(|_| {
            sitewide(&db, &data, "worker")
                .args(["--no-scheduler", "--calls", &calls, "--config"])
                .arg(&setup.config)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("worker starts")
        })
        .collect();
    let _workers = Killed(spawned);
    // Every worker registered and polling before the run is queued.
    let pool = sqlx::PgPool::connect(&db).await.expect("connect");
    let wait = Instant::now();
    loop {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM apalis.workers")
            .fetch_one(&pool)
            .await
            .expect("workers");
        if n >= workers as i64 {
            break;
        }
        assert!(
            wait.elapsed() < Duration::from_secs(60),
            "the workers never registered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let out = sitewide(&db, &data, "run")
        .arg(&setup.job)
        .arg("--workspace")
        .arg(&setup.repo)
        .arg("--config")
        .arg(&setup.config)
        .args(["--no-wait", "--as", "bench"])
        .output()
        .expect("run --no-wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let run = loop {
        let run = show(&db, &data, &id);
        if !matches!(run["state"].as_str(), Some("queued" | "running")) {
            break run;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let secs = started.elapsed().as_secs_f64();
    let proposed = run["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["state"] == "proposed")
        .count();
    // The run's `finish` task: pushed by the last edit batch, when a worker is free.
    let pickups: Vec<(f64,)> = sqlx::query_as(
        "SELECT CAST(EXTRACT(EPOCH FROM (lock_at - run_at)) * 1000 AS DOUBLE PRECISION) \
         FROM apalis.jobs WHERE lock_at IS NOT NULL \
         AND convert_from(job, 'UTF8') LIKE '%\"finish\"%'",
    )
    .fetch_all(&pool)
    .await
    .expect("pickups");
    pool.close().await;
    (
        secs,
        proposed,
        pickups.into_iter().map(|(ms,)| ms).collect(),
    )
}

fn main() {
    let Ok(server) = std::env::var("SITEWIDE_BENCH_POSTGRES") else {
        eprintln!("scale_out: set SITEWIDE_BENCH_POSTGRES to a PostgreSQL server's URL");
        std::process::exit(2);
    };
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let num = |i: usize, d: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    let (files, rate, reply, calls) = (num(0, 2000), num(1, 1000), num(2, 400), num(3, 8));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let fake = runtime.block_on(FakeModel::start(Script::from_fn(move |body| {
        let user = body["messages"][1]["content"].as_str().unwrap_or_default();
        let path = user
            .lines()
            .find(|l| l.starts_with("offers/") && l.ends_with(".html"))
            .unwrap_or("offers/unknown.html")
            .to_string();
        Reply::text(answer(&path, reply))
            .tokens_per_s(rate as f64)
            .into()
    })));
    let work = tempfile::tempdir().expect("temp");
    let repo = work.path().join("site");
    std::fs::create_dir_all(repo.join("offers")).expect("mkdir");
    std::fs::create_dir_all(repo.join("_layouts")).expect("mkdir");
    std::fs::write(
        repo.join("_config.yml"),
        "url: \"https://www.acme.example\"\n",
    )
    .expect("write");
    std::fs::write(
        repo.join("_layouts/default.html"),
        "<!doctype html>\n<html lang=\"en\"><head><title>{{ page.title }}</title></head><body>{{ content }}</body></html>\n",
    )
    .expect("write");
    for i in 0..files {
        std::fs::write(repo.join(format!("offers/o{i:04}.html")), page(i)).expect("write");
    }
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "Offers"]);
    let config = work.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.fake]\nbase_url = \"{}\"\n\n[[providers.fake.models]]\nname = \"fast-1\"\ninput_usd_per_mtok = 0.25\noutput_usd_per_mtok = 0.69\n",
            fake.url
        ),
    )
    .expect("write");
    let job = work.path().join("cta.toml");
    let concurrency = calls * WORKERS.iter().max().copied().unwrap_or(1);
    std::fs::write(
        &job,
        format!(
            "name = \"cta-get-started\"\nengine = \"model\"\ntargets = [\"offers/*.html\"]\ninstruction = 'Replace the CTA text \"Start free trial\" with \"Get started\".'\n\n[model]\nprovider = \"fake\"\nname = \"fast-1\"\n\n[budget]\nmax_files = {files}\nattempts = 1\nconcurrency = {concurrency}\n"
        ),
    )
    .expect("write");
    let setup = Setup {
        repo,
        config,
        job,
        work: work.path().to_path_buf(),
        calls,
    };
    let server: PgConnectOptions = server.parse().expect("a postgres URL");
    let mut rows = Vec::new();
    let mut pickups = Vec::new();
    for workers in WORKERS {
        let (secs, proposed, picked) = runtime.block_on(one(&server, &setup, workers));
        assert_eq!(proposed, files, "every file changed once");
        eprintln!("{workers} worker(s): {proposed} changes in {secs:.2} s");
        pickups.extend(picked);
        rows.push((workers, secs, proposed as f64 / secs * 60.0));
    }
    let base = rows[0].2;
    let pickup_median = median(pickups.clone());
    let bound = |w: usize| files as f64 * reply as f64 / rate as f64 / (w * calls) as f64;
    let mut md = format!(
        "# Scale-out: a {files}-file model run on 1, 2 and 4 workers over PostgreSQL\n\n\
         `SITEWIDE_BENCH_POSTGRES=… cargo bench --bench scale_out -- {files} {rate} {reply} {calls}`: the scripted\n\
         model server streams each answer ({reply} tokens) at {rate} tokens/s; each worker keeps at most\n\
         {calls} calls in flight (`--calls {calls}`), the run's `concurrency` is {concurrency}.\n\n\
         | workers | wall time | model-bound time | changes per minute | scaling vs 1 worker |\n|--:|--:|--:|--:|--:|\n"
    );
    for (w, secs, cpm) in &rows {
        md.push_str(&format!(
            "| {w} | {secs:.1} s | {:.1} s | {cpm:.0} | {:.2}× |\n",
            bound(*w),
            cpm / base
        ));
    }
    md.push_str(&format!(
        "\nQueue pickup latency (a task's push to a free worker's lock: each run's `finish` task, pushed by its last edit batch), median of {} runs: {pickup_median:.1} ms\n",
        pickups.len()
    ));
    let json = json!({
        "files": files, "rate": rate, "reply_tokens": reply, "calls_per_worker": calls,
        "concurrency": concurrency,
        "runs": rows.iter().map(|(w, s, c)| json!({"workers": w, "wall_s": s, "changes_per_minute": c, "scaling": c / base})).collect::<Vec<_>>(),
        "pickup_ms_median": pickup_median, "pickup_ms": pickups,
    });
    print!("{md}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
    std::fs::write(dir.join(format!("results-scale-out-{files}.md")), &md).expect("write md");
    std::fs::write(
        dir.join(format!("results-scale-out-{files}.json")),
        serde_json::to_string_pretty(&json).expect("json"),
    )
    .expect("write json");
}
