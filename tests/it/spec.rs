//! `sitewide spec check`, `sitewide recipes`, and the shipped job specs.

use crate::support::{Tree, sitewide, stderr, stdout};

#[test]
fn every_shipped_job_spec_validates() {
    let jobs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("jobs");
    let mut files: Vec<String> = std::fs::read_dir(&jobs)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 13, "one example job per recipe: {files:?}");
    let mut args = vec!["spec", "check"];
    args.extend(files.iter().map(String::as_str));
    let out = sitewide(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for recipe in sitewide::edit::recipes::NAMES {
        let used = files.iter().any(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .contains(&format!("recipe = \"{recipe}\""))
        });
        assert!(used, "no example job uses {recipe}");
    }
}

#[test]
fn a_bad_spec_reports_every_error_with_its_position_and_exits_1() {
    let t = Tree::new(&[(
        "jobs/bad.toml",
        "name = \"x\"\nkind = \"edit\"\nengine = \"recipe\"\ntargets = [\"[\"]\nschedul = \"0 6 * * 1-5\"\n\n[[steps]]\nrecipe = \"utm.strip_interal\"\n\n[qa]\nrules = [\"UTM-999\"]\n",
    )]);
    let file = t.path().join("jobs/bad.toml");
    let out = sitewide(&["spec", "check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for expected in [
        "bad.toml:4:",
        "bad.toml:5:1",
        "did you mean `schedule`?",
        "bad.toml:8:",
        "utm.strip_internal",
        "bad.toml:11:",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

#[test]
fn a_missing_spec_file_is_a_usage_error() {
    assert_eq!(
        sitewide(&["spec", "check", "/nonexistent/x.toml"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn recipes_lists_every_contract_name_and_docs_are_generated() {
    let text = stdout(&sitewide(&["recipes"]));
    for name in sitewide::edit::recipes::NAMES {
        assert!(
            text.lines().any(|l| l.starts_with(name)),
            "{name} missing:\n{text}"
        );
    }
    let generated = sitewide::cli::recipes_markdown();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/recipes.md");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk != generated && std::env::var("SITEWIDE_BLESS").is_ok() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    assert!(
        on_disk == generated,
        "docs/recipes.md is stale: run SITEWIDE_BLESS=1 cargo test --test it recipes_lists"
    );
}

#[test]
fn demo_makes_a_git_workspace_of_the_demo_site_in_the_data_dir_and_resets_it() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let out = sitewide(&["demo", "--data-dir", dir]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let repo = data.path().join("workspaces/demo");
    assert!(repo.join("_layouts/default.html").is_file());
    let log = std::process::Command::new("git")
        .arg("-C")
        .arg(&repo)
        .args(["log", "--format=%s"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&log.stdout).lines().count(), 1);
    std::fs::write(repo.join("scratch.html"), "x").unwrap();
    assert_eq!(
        sitewide(&["demo", "--data-dir", dir]).status.code(),
        Some(0)
    );
    assert!(
        !repo.join("scratch.html").exists(),
        "a second `sitewide demo` resets the workspace"
    );
    let report = sitewide(&[
        "check",
        repo.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(report.status.code(), Some(0));
}

#[test]
fn workspaces_are_registered_by_name_listed_and_refused_twice() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    assert_eq!(
        sitewide(&["demo", "--data-dir", dir]).status.code(),
        Some(0)
    );
    let repo = data.path().join("workspaces/demo");
    let add = sitewide(&[
        "workspaces",
        "add",
        "acme",
        repo.to_str().unwrap(),
        "--data-dir",
        dir,
    ]);
    assert_eq!(add.status.code(), Some(0), "{}", stderr(&add));
    assert!(
        stdout(&add).contains("default branch main"),
        "{}",
        stdout(&add)
    );
    let again = sitewide(&[
        "workspaces",
        "add",
        "acme",
        repo.to_str().unwrap(),
        "--data-dir",
        dir,
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("exists already"),
        "{}",
        stderr(&again)
    );
    let plain = tempfile::tempdir().unwrap();
    let not_git = sitewide(&[
        "workspaces",
        "add",
        "x",
        plain.path().to_str().unwrap(),
        "--data-dir",
        dir,
    ]);
    assert_eq!(not_git.status.code(), Some(2));
    let remote = sitewide(&[
        "workspaces",
        "add",
        "r",
        "https://user:secret@git.example/a.git",
        "--data-dir",
        dir,
    ]);
    assert_eq!(remote.status.code(), Some(2));
    assert!(
        !stderr(&remote).contains("secret"),
        "credentials are redacted: {}",
        stderr(&remote)
    );
    let list = sitewide(&["workspaces", "--data-dir", dir]);
    assert!(stdout(&list).starts_with("acme"), "{}", stdout(&list));
    assert!(
        data.path().join("sitewide.db").is_file(),
        "the store lives in the data directory"
    );
}
