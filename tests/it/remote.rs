//! Remote workspaces end to end: a real git server on loopback (`git http-backend` behind
//! a small HTTP server that requires a token) and scripted GitHub and GitLab APIs that
//! record the requests Sitewide makes. Register → run → approve → apply → the branch is
//! on the server, the pull request was asked for and its link is stored and shown; a
//! base that moved after the run; a pull request that fails; a wrong token. No token
//! ever appears in an output, the database or the clone's config.

mod servers;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::runs::{Site, files, pair};
use crate::support::{stderr, stdout};
use servers::{Server, forge_server, git_server};

const TOKEN: &str = "tok-remote-test-5f3a9c";
const TOKEN_ENV: &str = "SW_IT_REMOTE_TOKEN";

const STRIP: &str = r#"name = "strip-internal-utms"
kind = "edit"
engine = "recipe"
targets = ["**/*.html", "**/*.md", "!_layouts/**"]

[[steps]]
recipe = "utm.strip_internal"
"#;

/// A site whose repository is served over HTTP as `acme/site.git`.
struct Hosted {
    site: Site,
    _root: tempfile::TempDir,
    bare: PathBuf,
    git: Server,
}

impl Hosted {
    fn new() -> Hosted {
        let site = Site::new();
        let root = tempfile::tempdir().unwrap();
        let bare = root.path().join("acme/site.git");
        site.git(&["clone", "--bare", "-q", ".", bare.to_str().unwrap()]);
        let git = git_server(root.path().to_path_buf(), TOKEN);
        Hosted {
            site,
            _root: root,
            bare,
            git,
        }
    }

    fn url(&self) -> String {
        format!("{}/acme/site.git", self.git.base)
    }

    /// `sitewide ARGS --data-dir …` with the token variable set to `token`.
    fn sitewide_with(&self, token: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_sitewide"))
            .args(args)
            .arg("--data-dir")
            .arg(self.site.data.path())
            .current_dir(self.site.jobs.path())
            .env("SITEWIDE_NOW", "2026-11-27T09:00:00Z")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env(TOKEN_ENV, token)
            .env_remove("SITEWIDE_DATA_DIR")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.sitewide_with(TOKEN, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        no_token(&stdout(&out));
        no_token(&stderr(&out));
        stdout(&out)
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Registers the remote as `site` with `extra` flags, runs the job and approves all.
    fn run_and_approve(&self, extra: &[&str]) -> String {
        let url = self.url();
        let mut add = vec!["workspaces", "add", "site", &url, "--token-env", TOKEN_ENV];
        add.extend_from_slice(extra);
        let said = self.ok(&add);
        assert!(said.contains("default branch main"), "{said}");
        let job = self.site.job("strip.toml", STRIP);
        let run = self.json(&[
            "run",
            job.to_str().unwrap(),
            "--workspace",
            "site",
            "--json",
            "--as",
            "ana",
        ]);
        assert_eq!(run["state"], "awaiting_review", "{run}");
        let id = run["id"].as_str().unwrap().to_string();
        self.ok(&["review", &id, "--approve-all", "--as", "bob"]);
        id
    }

    /// `git` in the server's bare repository.
    fn on_server(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(&self.bare)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out).trim().to_string()
    }

    /// Every file of the data directory that could hold a secret holds no token.
    fn assert_no_token_stored(&self) {
        let data = self.site.data.path();
        for name in ["sitewide.db", "sitewide.db-wal", "clones/site.git/config"] {
            if let Ok(bytes) = std::fs::read(data.join(name)) {
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(TOKEN),
                    "{name} holds the token"
                );
            }
        }
    }
}

fn no_token(text: &str) {
    assert!(!text.contains(TOKEN), "the token leaked: {text}");
}

fn body_of(req: &servers::Request) -> Value {
    serde_json::from_slice(&req.body).unwrap()
}

#[tokio::test]
async fn a_remote_run_is_pushed_and_its_github_pull_request_opened_on_the_moved_base() {
    let hosted = Hosted::new();
    let forge = forge_server(
        201,
        json!({"number": 7, "html_url": "https://github.example/acme/site/pull/7"}),
    );
    let id = hosted.run_and_approve(&["--forge", "github", "--api-url", &forge.base]);
    // After the run, main moves on the server: pricing.html's edited line changes (stale),
    // index.html gets a line that merges.
    let site = &hosted.site;
    let moved = site.commit(
        &[
            (
                "pricing.html",
                site.git(&["show", "HEAD:pricing.html"])
                    .replace("utm_medium=footer", "utm_medium=nav")
                    .as_bytes(),
            ),
            (
                "index.html",
                format!(
                    "{}\n<!-- reviewed -->\n",
                    site.git(&["show", "HEAD:index.html"])
                )
                .as_bytes(),
            ),
        ],
        "Edit on main",
    );
    site.git(&["push", "-q", hosted.bare.to_str().unwrap(), "main"]);

    let applied = hosted.json(&["apply", &id, "--json", "--as", "bob"]);
    assert_eq!(applied["state"], "applied");
    assert_eq!(
        files(&applied),
        vec![pair("index.html", "applied"), pair("pricing.html", "stale")]
    );
    assert_eq!(
        applied["pull_request_url"],
        "https://github.example/acme/site/pull/7"
    );
    assert_eq!(applied["pushed_to"], hosted.url().as_str());
    assert_eq!(applied["pull_request_error"], Value::Null);
    // The branch is on the server, on top of the moved main.
    let branch = format!("sitewide/{id}");
    assert_eq!(
        hosted.on_server(&["rev-parse", &branch]),
        applied["commit"].as_str().unwrap()
    );
    assert_eq!(
        hosted.on_server(&["rev-parse", &format!("{branch}^")]),
        moved
    );

    let requests = forge.requests();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/repos/acme/site/pulls")
    );
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(req.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(req.header("x-github-api-version"), Some("2022-11-28"));
    let sent = body_of(req);
    assert_eq!(sent["title"], "Sitewide: strip-internal-utms");
    assert_eq!(sent["head"], branch.as_str());
    assert_eq!(sent["base"], "main");
    let text = sent["body"].as_str().unwrap();
    for part in [
        "1 file changed",
        "UTM-008",
        "cost: $0.0000 (0 model calls)",
        "left out as stale",
        "`index.html`",
    ] {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
    assert!(!text.contains("pricing.html"), "{text}");

    let shown = hosted.ok(&["runs", "show", &id]);
    assert!(
        shown.contains("pull request: https://github.example/acme/site/pull/7"),
        "{shown}"
    );
    hosted.assert_no_token_stored();
    shown_on_the_web(
        site.data.path(),
        &id,
        "https://github.example/acme/site/pull/7",
    )
    .await;
}

/// The run page and the API's run JSON show the pull request.
async fn shown_on_the_web(data: &Path, id: &str, link: &str) {
    use crate::web::app::{ADMIN_PASSWORD, Auth, TestApp};
    let data = data.to_path_buf();
    let app = TestApp::start_with(move |c| c.data_dir = data).await;
    let (_, cookie) = app.login("admin", ADMIN_PASSWORD).await;
    let session = Auth::Session {
        cookie: cookie.unwrap().0,
        csrf: None,
    };
    let page = app
        .request(reqwest::Method::GET, &format!("/runs/{id}"), &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Tera escapes `/` in attributes.
    let href = format!(
        "id=\"pull-request\" href=\"{}\"",
        link.replace('/', "&#x2F;")
    );
    assert!(page.contains(&href), "{page}");
    let (status, run) = app.get(&format!("/api/v1/runs/{id}"), &session).await;
    assert!(status.is_success(), "{run}");
    assert_eq!(run["pull_request_url"], link);
}

#[test]
fn a_gitlab_merge_request_is_asked_for_with_the_project_path_and_private_token() {
    let hosted = Hosted::new();
    let forge = forge_server(
        201,
        json!({"iid": 3, "web_url": "https://gitlab.example/acme/site/-/merge_requests/3"}),
    );
    let api = format!("{}/api/v4", forge.base);
    let id = hosted.run_and_approve(&["--forge", "gitlab", "--api-url", &api]);
    let applied = hosted.json(&["apply", &id, "--json", "--as", "bob"]);
    assert_eq!(
        applied["pull_request_url"],
        "https://gitlab.example/acme/site/-/merge_requests/3"
    );
    let requests = forge.requests();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/api/v4/projects/acme%2Fsite/merge_requests")
    );
    assert_eq!(req.header("private-token"), Some(TOKEN));
    assert_eq!(req.header("authorization"), None);
    let sent = body_of(req);
    assert_eq!(sent["source_branch"], format!("sitewide/{id}").as_str());
    assert_eq!(sent["target_branch"], "main");
    assert!(
        sent["description"]
            .as_str()
            .unwrap()
            .contains("2 files changed"),
        "{sent}"
    );
    hosted.on_server(&["rev-parse", &format!("sitewide/{id}")]);
}

#[test]
fn a_pull_request_that_fails_leaves_the_push_and_the_error_and_applying_again_retries() {
    let hosted = Hosted::new();
    let forge = forge_server(
        422,
        json!({"message": "Validation Failed", "errors": [{"message": "A pull request already exists for acme:x."}]}),
    );
    let id = hosted.run_and_approve(&["--forge", "github", "--api-url", &forge.base]);
    let applied = hosted.json(&["apply", &id, "--json", "--as", "bob"]);
    assert_eq!(applied["state"], "applied");
    assert_eq!(applied["pull_request_url"], Value::Null);
    let error = applied["pull_request_error"].as_str().unwrap();
    assert!(
        error.contains("422") && error.contains("A pull request already exists"),
        "{error}"
    );
    hosted.on_server(&["rev-parse", &format!("sitewide/{id}")]);
    // Applying again asks the forge again, and nothing else.
    let again = hosted.json(&["apply", &id, "--json", "--as", "bob"]);
    assert_eq!(again["state"], "applied");
    assert_eq!(forge.requests().len(), 2);
    assert!(
        hosted
            .ok(&["runs", "show", &id])
            .contains("could not be opened")
    );
    hosted.assert_no_token_stored();
}

#[test]
fn a_wrong_token_is_a_clear_error_that_never_shows_the_token() {
    let hosted = Hosted::new();
    let url = hosted.url();
    let wrong = "tok-wrong-88e1";
    let out = hosted.sitewide_with(
        wrong,
        &["workspaces", "add", "site", &url, "--token-env", TOKEN_ENV],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("/acme/site.git") && err.contains("refused the token"),
        "{err}"
    );
    assert!(err.contains(TOKEN_ENV), "{err}");
    assert!(
        !err.contains(wrong) && !stdout(&out).contains(wrong),
        "{err}"
    );
    assert_eq!(hosted.ok(&["workspaces", "list"]), "");
    // Registered with the right token, a run with a wrong one fails at its fetch.
    hosted.ok(&["workspaces", "add", "site", &url, "--token-env", TOKEN_ENV]);
    let listed = hosted.ok(&["workspaces", "list"]);
    assert!(listed.contains(&url), "{listed}");
    let job = hosted.site.job("strip.toml", STRIP);
    let out = hosted.sitewide_with(
        wrong,
        &[
            "run",
            job.to_str().unwrap(),
            "--workspace",
            "site",
            "--as",
            "ana",
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("could not be fetched") && err.contains("refused the token"),
        "{err}"
    );
    assert!(!err.contains(wrong), "{err}");
    // A URL with a credential in it is refused before anything is stored.
    let with_token = url.replace("http://", &format!("http://bot:{TOKEN}@"));
    let out = hosted.sitewide_with(TOKEN, &["workspaces", "add", "other", &with_token]);
    assert!(!out.status.success());
    no_token(&stderr(&out));
    assert!(stderr(&out).contains("--token-env"), "{}", stderr(&out));
    hosted.assert_no_token_stored();
}

/// Scale-out with a remote workspace (PostgreSQL): a run planned on one machine is worked
/// by a worker on another, whose data directory has no clone yet: it clones the remote
/// into its own data directory and works the run.
#[test]
fn a_run_planned_on_one_machine_is_worked_by_a_worker_with_its_own_clone() {
    let Some(db) = crate::support::postgres() else {
        return;
    };
    let hosted = Hosted::new();
    let other = tempfile::tempdir().unwrap();
    let on = |data: &Path, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_sitewide"))
            .args(args)
            .arg("--data-dir")
            .arg(data)
            .current_dir(hosted.site.jobs.path())
            .env("SITEWIDE_NOW", "2026-11-27T09:00:00Z")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("DATABASE_URL", &db)
            .env(TOKEN_ENV, TOKEN)
            .env_remove("SITEWIDE_DATA_DIR")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        no_token(&stdout(&out));
        no_token(&stderr(&out));
        stdout(&out)
    };
    let here = hosted.site.data.path();
    let url = hosted.url();
    on(
        here,
        &["workspaces", "add", "site", &url, "--token-env", TOKEN_ENV],
    );
    let job = hosted.site.job("strip.toml", STRIP);
    let id = on(
        here,
        &[
            "run",
            job.to_str().unwrap(),
            "--workspace",
            "site",
            "--no-wait",
        ],
    )
    .trim()
    .to_string();
    let clone = other.path().join("clones").join("site.git");
    assert!(!clone.exists());
    on(other.path(), &["worker", "--exit-when-idle"]);
    assert!(
        clone.exists(),
        "the worker cloned the remote into its own data directory"
    );
    let run: Value =
        serde_json::from_str(&on(other.path(), &["runs", "show", &id, "--json"])).unwrap();
    assert_eq!(run["state"], "awaiting_review", "{run}");
    assert!(!run["changes"].as_array().unwrap().is_empty(), "{run}");
}
