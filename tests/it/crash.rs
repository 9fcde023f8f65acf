//! Crash safety (issue 4): `sitewide run` and `sitewide apply` are killed with SIGKILL at
//! three points, reached through the `SITEWIDE_PAUSE_AT` hook: while a task runs (the
//! `finish` task, after QA and before it settles the run), after edit batches are stored,
//! and during apply (after the branch is written, before the outcome is recorded). A
//! restarted `sitewide worker` or `sitewide apply` then finishes the run, and each test
//! checks that every file that needs the edit has exactly one change with the right diff,
//! that the events log records every move once, that the queue is drained, and that the
//! branch is absent or one whole commit on `main` with exactly the approved files.

mod harness;
mod scale;

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::support::{git, texts_at};
use harness::{
    EDITED, Site, edited_path, expected_diff, page, run_id, show, sitewide_ok, start, start_run,
    stored,
};

/// Edited pages the reviewer rejects; the rest are approved.
const REJECTED: [usize; 2] = [7, 301];

fn state(report: &Value) -> &str {
    report["state"].as_str().unwrap_or_default()
}

/// The run's state moves, in order, and each change's, by file.
fn moves(site: &Site, id: &str, report: &Value) -> (Vec<String>, HashMap<String, Vec<String>>) {
    let events = stored(site, id).events;
    let file_of: HashMap<i64, String> = report["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            let id = c["id"].as_i64().expect("a change id");
            (id, c["file"].as_str().expect("a file").to_string())
        })
        .collect();
    let mut run = Vec::new();
    let mut changes: HashMap<String, Vec<String>> = HashMap::new();
    for e in events {
        match e.change_id {
            None => run.push(e.to_state),
            Some(c) => {
                let file = file_of
                    .get(&c)
                    .unwrap_or_else(|| panic!("an event for change {c}, which is not stored"));
                changes.entry(file.clone()).or_default().push(e.to_state);
            }
        }
    }
    (run, changes)
}

/// The run's work is done after the crash: exactly one `proposed` change per page that
/// needed the edit, each with its exact diff, every move logged once, the queue drained.
fn assert_settled(site: &Site, id: &str) {
    let report = show(site, id);
    assert_eq!(state(&report), "awaiting_review", "{report:#}");
    let changes = report["changes"].as_array().expect("changes");
    let files: Vec<&str> = changes
        .iter()
        .map(|c| c["file"].as_str().expect("file"))
        .collect();
    let unique: BTreeSet<&str> = files.iter().copied().collect();
    assert_eq!(files.len(), unique.len(), "a file has two changes");
    let expected: BTreeSet<String> = (1..=EDITED).map(edited_path).collect();
    let missing: Vec<_> = expected
        .iter()
        .filter(|p| !unique.contains(p.as_str()))
        .collect();
    let extra: Vec<_> = unique.iter().filter(|p| !expected.contains(**p)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "changes lost: {missing:?}; changes not expected: {extra:?}"
    );
    for c in changes {
        let file = c["file"].as_str().expect("file");
        let n: usize = file["pages/p".len()..file.len() - ".html".len()]
            .parse()
            .expect("a page number");
        assert_eq!(c["state"], "proposed", "{file}");
        assert_eq!(
            c["diff"].as_str(),
            Some(expected_diff(n).as_str()),
            "{file}"
        );
        let before: Vec<&Value> = c["findings_before"]
            .as_array()
            .expect("findings")
            .iter()
            .collect();
        assert!(
            before.len() == 1 && before[0]["rule"] == "UTM-008",
            "{file}: QA before ran on the base tree: {before:?}"
        );
        assert_eq!(c["findings_after"], serde_json::json!([]), "{file}");
    }
    assert_eq!(report["skipped"], serde_json::json!([]), "nothing skipped");
    let (run, by_file) = moves(site, id, &report);
    assert_eq!(
        run,
        ["queued", "running", "awaiting_review"],
        "the run's moves"
    );
    assert_eq!(by_file.len(), EDITED, "every change has its events");
    for (file, moved) in &by_file {
        assert_eq!(moved, &["proposed"], "{file}: logged once");
    }
    let after = stored(site, id);
    assert_eq!(after.batches_done, 3, "every edit batch recorded");
    assert_eq!(after.drafts, 0, "drafts are gone once the run settled");
    let copy = site.data().join("runs").join(id);
    assert!(!copy.exists(), "the run's copy of the tree is removed");
    assert_eq!(
        after.tasks.keys().collect::<Vec<_>>(),
        ["Done"],
        "every task of the queue is done: {:?}",
        after.tasks
    );
}

fn review(site: &Site, id: &str) {
    let mut reject = vec!["review".to_string(), id.to_string()];
    for n in REJECTED {
        reject.extend(["--reject".to_string(), edited_path(n)]);
    }
    reject.extend(["--as", "bob"].map(String::from));
    let reject: Vec<&str> = reject.iter().map(String::as_str).collect();
    sitewide_ok(site, &reject);
    sitewide_ok(site, &["review", id, "--approve-all", "--as", "bob"]);
}

fn approved() -> Vec<String> {
    (1..=EDITED)
        .filter(|n| !REJECTED.contains(n))
        .map(edited_path)
        .collect()
}

/// `sitewide/<id>` is one commit on `main` that changes exactly the approved files, as
/// the recipe edits them, with the run's trailers; `main` and the work tree are as made.
fn assert_branch(site: &Site, id: &str) {
    let repo = site.repo.path();
    let branch = format!("sitewide/{id}");
    let count = git(repo, &["rev-list", "--count", &format!("main..{branch}")]);
    assert_eq!(count.trim(), "1", "one commit on {branch}");
    let parent = git(repo, &["rev-parse", &format!("{branch}^")]);
    assert_eq!(parent.trim(), site.main, "its parent is main's head");
    assert_eq!(git(repo, &["rev-parse", "main"]).trim(), site.main);
    assert_eq!(
        git(repo, &["status", "--porcelain"]),
        "",
        "work tree untouched"
    );
    let names = git(
        repo,
        &["diff-tree", "-r", "--name-only", "--no-commit-id", &branch],
    );
    let names: Vec<String> = names.lines().map(str::to_string).collect();
    let approved = approved();
    assert_eq!(
        names, approved,
        "the commit changes exactly the approved files"
    );
    let texts = texts_at(repo, &branch, &approved);
    for (n, text) in (1..=EDITED).filter(|n| !REJECTED.contains(n)).zip(texts) {
        assert_eq!(text, page(n, false), "{} on {branch}", edited_path(n));
    }
    let message = git(repo, &["log", "-1", "--format=%B", &branch]);
    for trailer in [
        format!("Sitewide-Run: {id}"),
        "Sitewide-Spec: strip-internal-utms".to_string(),
        "Approved-by: bob".to_string(),
    ] {
        assert!(
            message.lines().any(|l| l == trailer),
            "{trailer}:\n{message}"
        );
    }
}

/// After review and apply: the run is `applied`, each change moved once per decision.
fn assert_applied(site: &Site, id: &str) {
    let report = show(site, id);
    assert_eq!(state(&report), "applied", "{report:#}");
    let (run, by_file) = moves(site, id, &report);
    assert_eq!(
        run,
        [
            "queued",
            "running",
            "awaiting_review",
            "applying",
            "applied"
        ],
        "the run's moves"
    );
    for n in 1..=EDITED {
        let file = edited_path(n);
        let want: &[&str] = if REJECTED.contains(&n) {
            &["proposed", "rejected"]
        } else {
            &["proposed", "approved", "applied"]
        };
        assert_eq!(
            by_file.get(&file).cloned().unwrap_or_default(),
            want,
            "{file}"
        );
    }
    assert_branch(site, id);
}

fn review_apply_and_check(site: &Site, id: &str) {
    review(site, id);
    sitewide_ok(site, &["apply", id, "--as", "bob"]);
    assert_applied(site, id);
}

#[test]
fn a_run_killed_while_its_finish_task_runs_is_settled_once_by_a_new_worker() {
    let site = Site::new();
    start_run(&site, Some("before-settle")).kill_at(&site, "before-settle");
    let id = run_id(&site);
    let report = show(&site, &id);
    assert_eq!(state(&report), "running", "killed before it settled");
    assert_eq!(
        report["changes"],
        serde_json::json!([]),
        "no change stored yet"
    );
    assert_eq!(stored(&site, &id).drafts, EDITED, "the drafts wait for QA");
    sitewide_ok(&site, &["worker", "--exit-when-idle"]);
    assert_settled(&site, &id);
    review_apply_and_check(&site, &id);
}

#[test]
fn a_run_killed_after_an_edit_batch_is_stored_loses_and_duplicates_no_change() {
    let site = Site::new();
    start_run(&site, Some("batch-stored")).kill_at(&site, "batch-stored");
    let id = run_id(&site);
    let at_kill = stored(&site, &id);
    assert!(
        at_kill.batches_done >= 1 && at_kill.drafts > 0,
        "a batch was stored before the kill"
    );
    assert_eq!(state(&show(&site, &id)), "running");
    sitewide_ok(&site, &["worker", "--exit-when-idle"]);
    assert_settled(&site, &id);
    review_apply_and_check(&site, &id);
}

#[test]
fn an_apply_killed_after_the_branch_is_written_is_recorded_by_the_next_apply() {
    let site = Site::new();
    start_run(&site, None).success();
    let id = run_id(&site);
    assert_settled(&site, &id);
    review(&site, &id);
    start(&site, &["apply", &id, "--as", "bob"], Some("after-branch"))
        .kill_at(&site, "after-branch");
    assert_eq!(state(&show(&site, &id)), "applying", "killed mid-apply");
    assert_branch(&site, &id);
    let branch = format!("sitewide/{id}");
    let written = git(site.repo.path(), &["rev-parse", &branch]);
    sitewide_ok(&site, &["apply", &id, "--as", "bob"]);
    assert_applied(&site, &id);
    let now = git(site.repo.path(), &["rev-parse", &branch]);
    assert_eq!(now, written, "the branch is written once, never moved");
}
