//! The harness of the crash tests: a site big enough for three edit batches in a real
//! git repository, the texts the recipe must make of its pages, `sitewide` processes
//! that pause at a `SITEWIDE_PAUSE_AT` point and are killed there, and what the store
//! holds for a run.

use std::collections::HashMap;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sitewide::store::{Db, Event, Store};

use crate::support::{git, git_repo};

/// Pages with an internal link that carries UTMs: the recipe edits each of them.
pub(super) const EDITED: usize = 450;
/// Pages whose internal link carries no UTM: no change.
const CLEAN: usize = 30;
const HOST: &str = "https://www.crash.example";
/// How long any one step (a pause point reached, a process ending) may take.
const LIMIT: Duration = Duration::from_secs(60);

const SPEC: &str = r#"name = "strip-internal-utms"
description = "Internal links must not carry UTMs"
kind = "edit"
engine = "recipe"
targets = ["**/*.html"]

[[steps]]
recipe = "utm.strip_internal"

[budget]
max_files = 1000

[qa]
block_on = "error"
rules = ["UTM-*"]

[approval]
required = true
allow_self_approval = false
"#;

/// A workspace repository (482 HTML files: 3 edit batches of 200) and a folder holding
/// the spec and the data directory.
pub(super) struct Site {
    pub(super) repo: tempfile::TempDir,
    work: tempfile::TempDir,
    pub(super) main: String,
    /// The PostgreSQL database every process of the site uses (`DATABASE_URL`); `None`:
    /// the data directory's SQLite file.
    pub(super) database: Option<String>,
}

impl Site {
    pub(super) fn new() -> Site {
        let mut files = vec![
            (
                "_config.yml".to_string(),
                format!("title: Crash\nurl: \"{HOST}\"\n"),
            ),
            (
                "_layouts/default.html".to_string(),
                "<!doctype html>\n<html lang=\"en\">\n<head><title>{{ page.title }}</title></head>\n<body>\n{{ content }}\n</body>\n</html>\n".to_string(),
            ),
            (
                "pricing.html".to_string(),
                "---\nlayout: default\ntitle: Pricing\n---\n<h1>Pricing</h1>\n<p>Plans.</p>\n"
                    .to_string(),
            ),
        ];
        files.extend((1..=EDITED).map(|n| (edited_path(n), page(n, true))));
        files.extend((1..=CLEAN).map(|n| (format!("pages/c{n:03}.html"), page(n, false))));
        let repo = git_repo(&files);
        let main = git(repo.path(), &["rev-parse", "main"]).trim().to_string();
        let work = tempfile::tempdir().expect("temp dir");
        std::fs::write(work.path().join("strip.toml"), SPEC).expect("write the spec");
        Site {
            repo,
            work,
            main,
            database: None,
        }
    }

    /// The same site with its runs, queue and locks in the PostgreSQL database `url`.
    pub(super) fn on_postgres(url: String) -> Site {
        Site {
            database: Some(url),
            ..Site::new()
        }
    }

    pub(super) fn data(&self) -> PathBuf {
        self.work.path().join("data")
    }

    pub(super) fn repo_path(&self) -> &str {
        self.repo.path().to_str().expect("utf-8 temp path")
    }
}

pub(super) fn edited_path(n: usize) -> String {
    format!("pages/p{n:03}.html")
}

fn link(n: usize, utm: bool) -> String {
    let utm = if utm {
        "utm_source=newsletter&utm_medium=email&"
    } else {
        ""
    };
    format!("<p><a href=\"{HOST}/pricing/?{utm}ref=p{n:03}\">Pricing</a></p>")
}

/// Page `n`; without UTMs it is also what the recipe makes of the page with them.
pub(super) fn page(n: usize, utm: bool) -> String {
    format!(
        "---\nlayout: default\ntitle: Page {n:03}\n---\n<h1>Page {n:03}</h1>\n{}\n",
        link(n, utm)
    )
}

pub(super) fn expected_diff(n: usize) -> String {
    let p = edited_path(n);
    format!(
        "--- a/{p}\n+++ b/{p}\n@@ -3,4 +3,4 @@\n title: Page {n:03}\n ---\n <h1>Page {n:03}</h1>\n-{}\n+{}\n",
        link(n, true),
        link(n, false)
    )
}

/// A `sitewide` process; killed (SIGKILL) when dropped, so a failing test leaves no
/// paused process behind.
pub(super) struct Proc {
    child: Child,
    what: String,
    out: PathBuf,
    err: PathBuf,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    pub(super) fn stderr(&self) -> String {
        std::fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// Waits for the process to end (at most [`LIMIT`]); panics unless it succeeds.
    pub(super) fn success(mut self) -> String {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(
                start.elapsed() < LIMIT,
                "`{}` did not end within {LIMIT:?}; stderr:\n{}",
                self.what,
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(
            status.success(),
            "`{}` failed ({status}); stderr:\n{}",
            self.what,
            self.stderr()
        );
        std::fs::read_to_string(&self.out).expect("stdout")
    }

    /// Waits until the process pauses at `point` (at most [`LIMIT`]), then kills it with
    /// SIGKILL.
    pub(super) fn kill_at(self, site: &Site, point: &str) {
        let mut me = self.paused_at(site, point);
        me.child.kill().expect("SIGKILL");
        let status = me.child.wait().expect("wait");
        assert_eq!(status.signal(), Some(9), "`{}` was killed", me.what);
        std::fs::remove_file(site.data().join(format!("paused-{point}")))
            .expect("remove the pause marker");
    }

    /// Whether the process is still running.
    pub(super) fn running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// Waits until the process pauses at `point` (at most [`LIMIT`]); returns it, paused.
    pub(super) fn paused_at(mut self, site: &Site, point: &str) -> Proc {
        let marker = site.data().join(format!("paused-{point}"));
        let start = Instant::now();
        while !marker.exists() {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                panic!(
                    "`{}` ended ({status}) before pausing at {point}; stderr:\n{}",
                    self.what,
                    self.stderr()
                );
            }
            assert!(
                start.elapsed() < LIMIT,
                "`{}` did not pause at {point} within {LIMIT:?}; stderr:\n{}",
                self.what,
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        self
    }
}

/// Starts `sitewide ARGS --data-dir D`, pausing at `pause` when given.
pub(super) fn start(site: &Site, args: &[&str], pause: Option<&str>) -> Proc {
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = site.work.path().join(format!("{n}.out"));
    let err = site.work.path().join(format!("{n}.err"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitewide"));
    cmd.args(args)
        // Relative, from the work folder: git runs elsewhere, and must still find it.
        .args(["--data-dir", "data"])
        .current_dir(site.work.path())
        .env("SITEWIDE_NOW", "2026-11-27")
        .env_remove("SITEWIDE_DATA_DIR")
        .env_remove("SITEWIDE_PAUSE_AT")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"));
    if let Some(point) = pause {
        cmd.env("SITEWIDE_PAUSE_AT", point);
    }
    match &site.database {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
    let child = cmd.spawn().expect("the sitewide binary starts");
    Proc {
        child,
        what: format!("sitewide {}", args.join(" ")),
        out,
        err,
    }
}

pub(super) fn sitewide_ok(site: &Site, args: &[&str]) -> String {
    start(site, args, None).success()
}

pub(super) fn start_run(site: &Site, pause: Option<&str>) -> Proc {
    let args = [
        "run",
        "strip.toml",
        "--workspace",
        site.repo_path(),
        "--json",
    ];
    start(site, &[&args[..], &["--as", "alice"]].concat(), pause)
}

/// The id of the only run, from the first column of `sitewide runs`.
pub(super) fn run_id(site: &Site) -> String {
    let list = sitewide_ok(site, &["runs"]);
    let first = list.lines().next().unwrap_or_default();
    let id = first.split_whitespace().next().unwrap_or_default();
    assert!(!id.is_empty(), "no run listed:\n{list}");
    assert_eq!(list.lines().count(), 1, "one run:\n{list}");
    id.to_string()
}

pub(super) fn show(site: &Site, id: &str) -> Value {
    let out = sitewide_ok(site, &["runs", "show", id, "--json"]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("JSON ({e}):\n{out}"))
}

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(f)
}

/// What the store holds for a run: its events, edit batches done, drafts waiting for QA,
/// and its queue's tasks by status.
pub(super) struct Stored {
    pub(super) events: Vec<Event>,
    pub(super) batches_done: i64,
    pub(super) drafts: usize,
    pub(super) tasks: HashMap<String, i64>,
}

pub(super) fn stored(site: &Site, id: &str) -> Stored {
    block_on(async {
        let store = Store::connect(site.database.as_deref(), &site.data())
            .await
            .expect("the store opens");
        let by_status = "SELECT status, COUNT(*) FROM {} WHERE job_type = $1 GROUP BY status";
        let tasks: Vec<(String, i64)> = match store.db() {
            Db::Sqlite(pool) => {
                sqlx::query_as(sqlx::AssertSqlSafe(by_status.replace("{}", "Jobs")))
                    .bind(sitewide::store::QUEUE)
                    .fetch_all(pool)
                    .await
            }
            Db::Postgres(pool) => {
                sqlx::query_as(sqlx::AssertSqlSafe(by_status.replace("{}", "apalis.jobs")))
                    .bind(sitewide::store::QUEUE)
                    .fetch_all(pool)
                    .await
            }
        }
        .expect("the queue's tasks");
        let stored = Stored {
            events: store.events_of_run(id).await.expect("events"),
            batches_done: store.batches_done(id).await.expect("batches"),
            drafts: store.drafts(id).await.expect("drafts").len(),
            tasks: tasks.into_iter().collect(),
        };
        store.close().await;
        stored
    })
}
