//! Scale-out (issue 8) on a real PostgreSQL server (`SITEWIDE_TEST_POSTGRES`, a URL of
//! any database on it; `.ci/run` starts one): a run queued with `--no-wait` and worked by
//! three `sitewide worker` processes, the same with one worker killed (SIGKILL) in the
//! middle, and two applies of one workspace at once, on PostgreSQL and on SQLite. Each
//! test gets a database of its own.

use std::time::{Duration, Instant};

use super::harness::{Proc, Site, show, sitewide_ok, start};
use super::{assert_settled, review_apply_and_check, state};
use crate::support::postgres;

/// Queues the crash site's run without waiting; returns its id.
fn queue(site: &Site) -> String {
    let out = sitewide_ok(
        site,
        &[
            "run",
            "strip.toml",
            "--workspace",
            site.repo_path(),
            "--no-wait",
            "--as",
            "alice",
        ],
    );
    let id = out.trim().to_string();
    assert!(!id.is_empty() && !id.contains(char::is_whitespace), "{out}");
    assert_eq!(state(&show(site, &id)), "queued", "nothing works it yet");
    id
}

fn worker(site: &Site) -> Proc {
    start(site, &["worker", "--no-scheduler"], None)
}

/// Waits until run `id` leaves `queued` and `running`.
fn settled(site: &Site, id: &str, workers: &mut [Proc]) {
    let start = Instant::now();
    loop {
        let report = show(site, id);
        if !matches!(state(&report), "queued" | "running") {
            return;
        }
        for w in workers.iter_mut() {
            assert!(w.running(), "a worker ended early:\n{}", w.stderr());
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "run {id} never settled: {report:#}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_run_queued_without_waiting_is_worked_by_three_workers_losing_and_repeating_nothing() {
    let Some(db) = postgres() else { return };
    let site = Site::on_postgres(db);
    let id = queue(&site);
    let mut workers: Vec<Proc> = (0..3).map(|_| worker(&site)).collect();
    settled(&site, &id, &mut workers);
    drop(workers);
    assert_settled(&site, &id);
    review_apply_and_check(&site, &id);
}

#[test]
fn a_worker_killed_mid_run_leaves_the_run_to_the_others_with_nothing_lost_or_repeated() {
    let Some(db) = postgres() else { return };
    let site = Site::on_postgres(db);
    let id = queue(&site);
    start(&site, &["worker", "--no-scheduler"], Some("batch-stored"))
        .kill_at(&site, "batch-stored");
    assert_eq!(state(&show(&site, &id)), "running", "killed mid-run");
    let mut workers: Vec<Proc> = (0..2).map(|_| worker(&site)).collect();
    settled(&site, &id, &mut workers);
    drop(workers);
    assert_settled(&site, &id);
    review_apply_and_check(&site, &id);
}

/// Two runs of the same workspace, settled and approved; the first apply pauses with the
/// workspace lock held, and the second waits for it.
fn two_applies_take_turns(site: &Site) {
    let first = queue(site);
    let second = queue(site);
    sitewide_ok(site, &["worker", "--exit-when-idle"]);
    for id in [&first, &second] {
        assert_eq!(state(&show(site, id)), "awaiting_review");
        sitewide_ok(site, &["review", id, "--approve-all", "--as", "bob"]);
    }
    let holder = start(
        site,
        &["apply", &first, "--as", "bob"],
        Some("after-branch"),
    )
    .paused_at(site, "after-branch");
    let mut waiter = start(site, &["apply", &second, "--as", "bob"], None);
    std::thread::sleep(Duration::from_secs(2));
    assert!(waiter.running(), "the second apply waits for the lock");
    assert_eq!(
        state(&show(site, &second)),
        "awaiting_review",
        "and has not begun"
    );
    holder.kill_at(site, "after-branch");
    waiter.success();
    assert_eq!(state(&show(site, &second)), "applied");
    sitewide_ok(site, &["apply", &first, "--as", "bob"]);
    assert_eq!(state(&show(site, &first)), "applied");
}

#[test]
fn two_applies_of_one_workspace_on_postgres_take_turns() {
    let Some(db) = postgres() else { return };
    two_applies_take_turns(&Site::on_postgres(db));
}

#[test]
fn two_applies_of_one_workspace_on_sqlite_take_turns() {
    two_applies_take_turns(&Site::new());
}
