//! Remote workspaces against a real bare repository reached by `file://` (the HTTPS and
//! forge paths are tested end to end in `tests/it/remote.rs`).

use super::*;
use crate::workspace::testing::Repo;

fn remote(url: &str) -> Remote {
    Remote {
        url: url.into(),
        ..Remote::default()
    }
}

/// A work tree with one commit and a bare copy of it to serve as the remote.
fn origin() -> (Repo, tempfile::TempDir, String) {
    let repo = Repo::new();
    repo.commit_file("index.html", b"<h1>Hi</h1>\n", "first");
    let bare = tempfile::tempdir().expect("tempdir");
    let path = bare.path().join("site.git");
    repo.git(&["clone", "--bare", "-q", ".", &path.display().to_string()]);
    (repo, bare, format!("file://{}", path.display()))
}

#[test]
fn urls_with_credentials_or_of_unknown_kinds_are_refused() {
    for bad in [
        "https://bot:ghp_secret@github.com/acme/site.git",
        "https://ghp_secret@github.com/acme/site.git",
        "ssh://git:hunter2@host/acme/site.git",
        "ftp://host/acme/site.git",
        "acme/site",
    ] {
        let err = remote(bad).check().expect_err(bad).to_string();
        assert!(
            !err.contains("ghp_secret") && !err.contains("hunter2"),
            "{err}"
        );
        assert!(err.contains("hint"), "{err}");
    }
    for good in [
        "https://github.com/acme/site.git",
        "ssh://git@github.com/acme/site.git",
        "git@github.com:acme/site.git",
        "file:///srv/git/site.git",
    ] {
        remote(good).check().expect(good);
    }
    let over_http = Remote {
        token_env: Some("T".into()),
        ..remote("http://git.example/acme/site.git")
    };
    assert!(over_http.check().is_err());
    let loopback = Remote {
        token_env: Some("T".into()),
        ..remote("http://127.0.0.1:9/acme/site.git")
    };
    loopback.check().expect("a token to this machine over http");
    let key_over_https = Remote {
        ssh_key: Some("/k".into()),
        ..remote("https://github.com/acme/site.git")
    };
    assert!(key_over_https.check().is_err());
}

#[test]
fn the_repository_path_comes_from_any_url_form() {
    for (url, path) in [
        ("https://github.com/acme/site.git", "acme/site"),
        ("https://ghe.acme.example/web/site", "web/site"),
        ("git@gitlab.com:acme/web/site.git", "acme/web/site"),
        ("ssh://git@gitlab.example:2222/acme/site.git", "acme/site"),
    ] {
        assert_eq!(remote(url).repo_path().as_deref(), Some(path), "{url}");
    }
    assert_eq!(remote("https://github.com/").repo_path(), None);
}

#[test]
fn a_token_goes_in_the_environment_and_never_in_an_error() {
    let git = with_auth(Git::new(None), &Auth::Token("tok-123".into()));
    assert!(!git.shown().contains("tok-123"));
    let err = WorkspaceError::Git {
        command: "git fetch".into(),
        stderr: "bad token tok-123 / eC1hY2Nlc3MtdG9rZW46dG9rLTEyMw==".into(),
    };
    let clean = scrub(err, &Auth::Token("tok-123".into())).to_string();
    assert!(
        !clean.contains("tok-123") && !clean.contains("eC1hY2Nl"),
        "{clean}"
    );
    assert_eq!(format!("{:?}", Auth::Token("tok-123".into())), "Token(***)");
}

#[test]
fn an_unset_token_variable_is_named_in_the_error() {
    let r = Remote {
        token_env: Some("SITEWIDE_TEST_UNSET_TOKEN_VAR".into()),
        ..remote("https://github.com/acme/site.git")
    };
    let err = r.auth().expect_err("unset").to_string();
    assert!(
        err.contains("SITEWIDE_TEST_UNSET_TOKEN_VAR is not set"),
        "{err}"
    );
}

#[test]
fn ssh_keys_are_quoted_for_the_shell() {
    assert_eq!(shell_quote("/k/it's key"), r"'/k/it'\''s key'");
}

#[test]
fn clone_fetch_and_push_keep_the_clone_and_the_remote_in_step() {
    let (repo, _bare, url) = origin();
    let r = remote(&url);
    let data = tempfile::tempdir().expect("tempdir");
    let ws = r
        .clone_into(&Auth::None, &data.path().join("clones/site.git"))
        .expect("clone");
    assert_eq!(ws.default_branch().expect("branch"), "main");
    // The remote moves: a fetch brings the new head into the clone's own branch.
    let moved = repo.commit_file("about.html", b"about\n", "second");
    repo.git(&["push", "-q", &url, "main"]);
    r.fetch(&ws, &Auth::None).expect("fetch");
    assert_eq!(ws.resolve("refs/heads/main").expect("main").0, moved);
    // A branch made in the clone is pushed under its own name.
    ws.git()
        .args(["update-ref", "refs/heads/sitewide/r1", &moved])
        .run()
        .expect("branch");
    r.push(&ws, &Auth::None, "sitewide/r1").expect("push");
    let listed = repo.git(&["ls-remote", &url, "refs/heads/sitewide/r1"]);
    assert!(listed.starts_with(&moved), "{listed}");
    // A later fetch keeps it.
    r.fetch(&ws, &Auth::None).expect("fetch again");
    assert!(ws.resolve("refs/heads/sitewide/r1").is_ok());
}

#[test]
fn a_failing_fetch_names_the_url_and_not_the_token() {
    let r = remote("file:///nonexistent/sitewide/site.git");
    let data = tempfile::tempdir().expect("tempdir");
    let err = r
        .clone_into(
            &Auth::Token("tok-secret-9".into()),
            &data.path().join("c.git"),
        )
        .expect_err("no such remote")
        .to_string();
    assert!(err.contains("/nonexistent/sitewide/site.git"), "{err}");
    assert!(!err.contains("tok-secret-9"), "{err}");
}
