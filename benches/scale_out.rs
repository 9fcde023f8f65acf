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
#[path = "support/offers.rs"]
mod offers;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use offers::{median, offers_repo, start_model, write_config};
use serde_json::{Value, json};

const WORKERS: [usize; 3] = [1, 2, 4];

fn page(i: usize) -> String {
    let body: String = (0..10)
        .map(|j| format!("<p>Section {j} of offer {i}: analytics dashboards for every team.</p>\n"))
        .collect();
    format!(
        "---\nlayout: default\ntitle: Offer {i}\n---\n<h1>Offer {i}</h1>\n{body}<p><a class=\"btn\" href=\"/signup/\">Start free trial</a></p>\n"
    )
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
async fn one(server: &str, setup: &Setup, workers: usize) -> (f64, usize, Vec<f64>) {
    let db = sitewide::store::new_database(server)
        .await
        .expect("a database on SITEWIDE_BENCH_POSTGRES");
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
    let fake = start_model(&runtime, reply, rate);
    let work = tempfile::tempdir().expect("temp");
    let repo = offers_repo(work.path(), files, page);
    let config = write_config(work.path(), &fake.url, "");
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
