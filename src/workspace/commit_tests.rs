//! Tests of `commit_changes` against real repositories.

use super::super::testing::Repo;
use super::*;

const LINES: &[u8] = b"one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n";

/// A repository with three files on `main`, its workspace and the base commit.
fn site() -> (Repo, Workspace, Commit) {
    let repo = Repo::new();
    repo.write("index.html", b"<a href=\"/x?utm_source=a\">x</a>\n");
    repo.write("blog/post one.md", LINES);
    repo.write("about.txt", b"about\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "site"]);
    let ws = Workspace::open(repo.path()).expect("open");
    let base = ws.resolve("main").expect("main");
    (repo, ws, base)
}

fn change(repo: &Repo, path: &str, bytes: &[u8]) -> (String, Blob, Vec<u8>) {
    (
        path.to_string(),
        Blob(repo.blob("main", path)),
        bytes.to_vec(),
    )
}

fn set(base: &Commit, changes: Vec<(String, Blob, Vec<u8>)>) -> ChangeSet {
    ChangeSet {
        base: base.clone(),
        target_branch: "main".into(),
        branch: "sitewide/r1".into(),
        changes,
        message: "Strip internal UTMs\n\nTwo files changed by utm.strip_internal.".into(),
        trailers: vec![
            ("Sitewide-Run".into(), "r1".into()),
            ("Sitewide-Spec".into(), "strip-internal-utms".into()),
            (
                "Approved-by".into(),
                "Ada Lovelace <ada@example.com>".into(),
            ),
        ],
    }
}

fn rev(repo: &Repo, rev: &str) -> String {
    repo.git(&["rev-parse", rev]).trim().to_string()
}

#[test]
fn commit_changes_creates_the_branch_with_exact_tree_message_and_trailers() {
    let (repo, ws, base) = site();
    let index_before = std::fs::read(repo.path().join(".git/index")).expect("index");
    let new_post = b"one\ntwo\n\xff\xfe not utf-8\n".to_vec();
    let changes = vec![
        change(&repo, "index.html", b"<a href=\"/x\">x</a>\n"),
        change(&repo, "blog/post one.md", &new_post),
    ];
    let outcome = ws.commit_changes(&set(&base, changes)).expect("commit");
    assert_eq!(outcome.applied, ["index.html", "blog/post one.md"]);
    assert!(outcome.stale.is_empty());
    let commit = outcome.commit.expect("a commit");
    assert_eq!(rev(&repo, "sitewide/r1"), commit.0);
    assert_eq!(rev(&repo, "sitewide/r1^"), base.0);
    assert_eq!(
        repo.git(&["rev-list", "--count", "sitewide/r1"]).trim(),
        "2"
    );
    assert_eq!(
        repo.show("sitewide/r1", "index.html"),
        b"<a href=\"/x\">x</a>\n"
    );
    assert_eq!(repo.show("sitewide/r1", "blog/post one.md"), new_post);
    assert_eq!(repo.show("sitewide/r1", "about.txt"), b"about\n");
    let names = repo.git(&["diff", "--name-only", "-z", "main", "sitewide/r1"]);
    assert_eq!(names, "blog/post one.md\0index.html\0");
    let message = repo.git(&["log", "-1", "--format=%B", "sitewide/r1"]);
    assert_eq!(
        message,
        "Strip internal UTMs\n\nTwo files changed by utm.strip_internal.\n\nSitewide-Run: r1\nSitewide-Spec: strip-internal-utms\nApproved-by: Ada Lovelace <ada@example.com>\n\n"
    );
    let trailers = repo.git(&[
        "log",
        "-1",
        "--format=%(trailers:only,unfold)",
        "sitewide/r1",
    ]);
    assert!(
        trailers
            .starts_with("Sitewide-Run: r1\nSitewide-Spec: strip-internal-utms\nApproved-by: Ada"),
        "{trailers}"
    );
    // Work tree, index, HEAD and other branches untouched.
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
    assert_eq!(rev(&repo, "HEAD"), base.0);
    assert_eq!(
        repo.git(&["symbolic-ref", "HEAD"]).trim(),
        "refs/heads/main"
    );
    assert_eq!(
        std::fs::read(repo.path().join(".git/index")).expect("index"),
        index_before
    );
    assert_eq!(
        repo.git(&["branch", "--format=%(refname)"]),
        "refs/heads/main\nrefs/heads/sitewide/r1\n"
    );
}

#[test]
fn a_target_branch_moved_by_an_unrelated_file_becomes_the_parent() {
    let (repo, ws, base) = site();
    let edit = change(&repo, "index.html", b"<a href=\"/x\">x</a>\n");
    let moved = repo.commit_file("about.txt", b"about us\n", "about");
    let outcome = ws.commit_changes(&set(&base, vec![edit])).expect("commit");
    assert_eq!(outcome.applied, ["index.html"]);
    assert_eq!(rev(&repo, "sitewide/r1^"), moved);
    assert_eq!(repo.show("sitewide/r1", "about.txt"), b"about us\n");
    assert_eq!(
        repo.show("sitewide/r1", "index.html"),
        b"<a href=\"/x\">x</a>\n"
    );
}

#[test]
fn a_file_edited_elsewhere_on_the_branch_is_merged_when_the_edits_do_not_overlap() {
    let (repo, ws, base) = site();
    let text = String::from_utf8_lossy(LINES).to_string();
    let edit = change(
        &repo,
        "blog/post one.md",
        text.replace("eight", "EIGHT").as_bytes(),
    );
    repo.commit_file(
        "blog/post one.md",
        text.replace("one", "ONE").as_bytes(),
        "caps",
    );
    let outcome = ws.commit_changes(&set(&base, vec![edit])).expect("commit");
    assert_eq!(outcome.applied, ["blog/post one.md"]);
    let merged = String::from_utf8(repo.show("sitewide/r1", "blog/post one.md")).expect("utf-8");
    assert_eq!(
        merged,
        "ONE\ntwo\nthree\nfour\nfive\nsix\nseven\nEIGHT\nnine\n"
    );
}

#[test]
fn a_conflicting_edit_is_stale_and_left_out_while_the_rest_applies() {
    let (repo, ws, base) = site();
    let text = String::from_utf8_lossy(LINES).to_string();
    let conflicting = change(
        &repo,
        "blog/post one.md",
        text.replace("five", "FIVE (run)").as_bytes(),
    );
    let clean = change(&repo, "index.html", b"<a href=\"/x\">x</a>\n");
    let head = repo.commit_file(
        "blog/post one.md",
        text.replace("five", "5 (branch)").as_bytes(),
        "five",
    );
    let outcome = ws
        .commit_changes(&set(&base, vec![conflicting, clean]))
        .expect("commit");
    assert_eq!(outcome.applied, ["index.html"]);
    assert_eq!(outcome.stale, ["blog/post one.md"]);
    assert_eq!(rev(&repo, "sitewide/r1^"), head);
    assert_eq!(
        repo.show("sitewide/r1", "blog/post one.md"),
        text.replace("five", "5 (branch)").into_bytes()
    );
    assert_eq!(
        repo.git(&["diff", "--name-only", "main", "sitewide/r1"]),
        "index.html\n"
    );
}

#[test]
fn nothing_applies_means_no_commit_and_no_branch() {
    let (repo, ws, base) = site();
    let text = String::from_utf8_lossy(LINES).to_string();
    let conflicting = change(
        &repo,
        "blog/post one.md",
        text.replace("two", "TWO").as_bytes(),
    );
    let deleted = change(&repo, "about.txt", b"new about\n");
    repo.write("blog/post one.md", text.replace("two", "2").as_bytes());
    repo.git(&["rm", "-q", "about.txt"]);
    repo.git(&["commit", "-q", "-am", "edit and delete"]);
    let outcome = ws
        .commit_changes(&set(&base, vec![conflicting, deleted]))
        .expect("no commit");
    assert_eq!(
        outcome,
        Outcome {
            commit: None,
            applied: vec![],
            stale: vec!["blog/post one.md".into(), "about.txt".into()]
        }
    );
    assert_eq!(repo.git(&["branch", "--list", "sitewide/*"]), "");
}

#[test]
fn an_existing_branch_elsewhere_is_not_moved() {
    let (repo, ws, base) = site();
    repo.git(&["branch", "sitewide/r1", "main"]);
    let err = ws
        .commit_changes(&set(&base, vec![change(&repo, "about.txt", b"x\n")]))
        .expect_err("exists");
    assert!(matches!(err, WorkspaceError::BranchExists { .. }), "{err}");
    assert!(err.to_string().contains("sitewide/r1"), "{err}");
    assert_eq!(rev(&repo, "sitewide/r1"), base.0);
}

#[test]
fn the_executable_bit_is_kept() {
    let repo = Repo::new();
    repo.write("build.sh", b"echo a\n");
    repo.git(&["add", "--chmod=+x", "build.sh"]);
    repo.git(&["commit", "-q", "-m", "x"]);
    let ws = Workspace::open(repo.path()).expect("open");
    let base = ws.resolve("main").expect("main");
    ws.commit_changes(&set(&base, vec![change(&repo, "build.sh", b"echo b\n")]))
        .expect("commit");
    assert!(
        repo.git(&["ls-tree", "sitewide/r1", "build.sh"])
            .starts_with("100755 blob")
    );
}

#[test]
fn bad_change_sets_and_revisions_are_refused_before_anything_is_written() {
    let (repo, ws, base) = site();
    let edit = || vec![change(&repo, "about.txt", b"x\n")];
    let mut other = set(&base, edit());
    other.branch = "main".into();
    assert!(matches!(
        ws.commit_changes(&other),
        Err(WorkspaceError::InvalidChangeSet(_))
    ));
    let mut bad_ref = set(&base, edit());
    bad_ref.branch = "sitewide/a..b".into();
    assert!(matches!(
        ws.commit_changes(&bad_ref),
        Err(WorkspaceError::InvalidChangeSet(_))
    ));
    let mut twice = set(&base, edit());
    twice.changes.extend(edit());
    assert!(matches!(
        ws.commit_changes(&twice),
        Err(WorkspaceError::InvalidChangeSet(_))
    ));
    let mut trailer = set(&base, edit());
    trailer.trailers.push(("Approved-by".into(), "a\nb".into()));
    assert!(matches!(
        ws.commit_changes(&trailer),
        Err(WorkspaceError::InvalidChangeSet(_))
    ));
    let unknown = set(
        &Commit("0123456789abcdef0123456789abcdef01234567".into()),
        edit(),
    );
    let err = ws.commit_changes(&unknown).expect_err("unknown base");
    assert!(
        matches!(err, WorkspaceError::UnknownRevision { .. }),
        "{err}"
    );
    let mut no_target = set(&base, edit());
    no_target.target_branch = "develop".into();
    let err = ws.commit_changes(&no_target).expect_err("no target");
    assert!(
        err.to_string()
            .contains("refs/heads/develop is not a commit"),
        "{err}"
    );
    assert_eq!(repo.git(&["branch", "--list", "sitewide/*"]), "");
}

#[test]
fn export_to_a_relative_folder_writes_there_and_not_inside_the_repository() {
    let (repo, ws, base) = site();
    let out = tempfile::tempdir().expect("tempdir");
    let cwd = std::env::current_dir().expect("cwd");
    let up = "../".repeat(cwd.components().count() - 1);
    let target = out.path().join("tree");
    let relative = Path::new(&up).join(target.strip_prefix("/").expect("absolute"));
    ws.export(&base, &relative).expect("export");
    assert!(target.join("blog/post one.md").is_file());
    assert_eq!(repo.git(&["status", "--porcelain", "--ignored"]), "");
    // Resolved from `.git`, the relative path could land on the target
    // itself when both sit at the same depth, so look for the files instead.
    let stray: Vec<_> = ignore::WalkBuilder::new(repo.path().join(".git"))
        .standard_filters(false)
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name() == "post one.md")
        .map(|entry| entry.path().display().to_string())
        .collect();
    assert!(stray.is_empty(), "nothing under .git: {stray:?}");
}
