//! Runs end to end through the real binary, the real queue and a real SQLite file, on
//! real git repositories made here: plan, edit, QA, review, apply, with the branch's
//! tree, commit message and trailers checked byte for byte; and bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{stderr, stdout};

/// A git repository of a small Jekyll site, and a data directory, both temporary.
pub(crate) struct Site {
    pub(crate) repo: tempfile::TempDir,
    pub(crate) data: tempfile::TempDir,
    pub(crate) jobs: tempfile::TempDir,
}

const CONFIG: &str = "url: \"https://www.acme.example\"\ntitle: Acme\n";
const LAYOUT: &str = "<!doctype html>\n<html lang=\"en\">\n<head><title>{{ page.title }}</title></head>\n<body>{{ content }}</body>\n</html>\n";
const INDEX: &str = "---\nlayout: default\ntitle: Home\n---\n<h1>Acme</h1>\n<p><a href=\"/pricing/?utm_source=home&utm_medium=banner&ref=nav\">Pricing</a></p>\n<p><a href=\"https://partner.example/?utm_source=acme&utm_medium=referral&utm_campaign=spring\">Partner</a></p>\n";
const PRICING: &str = "---\nlayout: default\ntitle: Pricing\npermalink: /pricing/\n---\n<h1>Pricing</h1>\n<p><a href=\"https://www.acme.example/?utm_source=pricing&utm_medium=footer\">Home</a></p>\n";
const ABOUT: &str =
    "---\nlayout: default\ntitle: About\n---\n# About\n\nWe make [dashboards](/pricing/).\n";

const STRIP: &str = r#"name = "strip-internal-utms"
description = "Internal links must not carry UTMs"
kind = "edit"
engine = "recipe"
targets = ["**/*.html", "**/*.md", "!_layouts/**"]

[[steps]]
recipe = "utm.strip_internal"

[qa]
block_on = "error"

[approval]
required = true
allow_self_approval = false
"#;

impl Site {
    pub(crate) fn new() -> Site {
        let site = Site {
            repo: tempfile::tempdir().expect("temp"),
            data: tempfile::tempdir().expect("temp"),
            jobs: tempfile::tempdir().expect("temp"),
        };
        site.git(&["init", "-q", "-b", "main"]);
        site.commit(
            &[
                ("_config.yml", CONFIG.as_bytes()),
                ("_layouts/default.html", LAYOUT.as_bytes()),
                ("index.html", INDEX.as_bytes()),
                ("pricing.html", PRICING.as_bytes()),
                ("about.md", ABOUT.as_bytes()),
            ],
            "Site",
        );
        site
    }

    pub(crate) fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.repo.path())
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@acme.example")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@acme.example")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
        stdout(&out).trim_end().to_string()
    }

    pub(crate) fn commit(&self, files: &[(&str, &[u8])], message: &str) -> String {
        for (path, bytes) in files {
            let p = self.repo.path().join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, bytes).expect("write");
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-gpg-sign", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    pub(crate) fn job(&self, name: &str, text: &str) -> PathBuf {
        let p = self.jobs.path().join(name);
        std::fs::write(&p, text).expect("write job");
        p
    }

    pub(crate) fn sitewide(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_sitewide"))
            .args(args)
            .arg("--data-dir")
            .arg(self.data.path())
            .current_dir(self.jobs.path())
            .env("SITEWIDE_NOW", "2026-11-27T09:00:00Z")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("SITEWIDE_DATA_DIR")
            .output()
            .expect("the sitewide binary runs")
    }

    /// `sitewide run JOB --workspace REPO --json --as ana`, which must succeed.
    pub(crate) fn run(&self, job: &Path, extra: &[&str]) -> Value {
        let repo = self.repo.path().to_str().expect("utf-8");
        let job = job.to_str().expect("utf-8");
        let mut args = vec!["run", job, "--workspace", repo, "--json", "--as", "ana"];
        args.extend_from_slice(extra);
        let out = self.sitewide(&args);
        assert!(out.status.success(), "run failed: {}", stderr(&out));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("run --json prints JSON ({e}): {}", stdout(&out)))
    }

    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let out = self.sitewide(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    }
}

pub(crate) fn files(run: &Value) -> Vec<(String, String)> {
    run["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["file"].as_str().expect("file").to_string(),
                c["state"].as_str().expect("state").to_string(),
            )
        })
        .collect()
}

pub(crate) fn pair(file: &str, state: &str) -> (String, String) {
    (file.to_string(), state.to_string())
}

#[test]
fn a_recipe_run_goes_from_spec_to_an_approved_commit_on_its_own_branch() {
    let site = Site::new();
    let head = site.git(&["rev-parse", "main"]);
    let job = site.job("strip.toml", STRIP);
    let run = site.run(&job, &[]);
    let id = run["id"].as_str().expect("id").to_string();
    assert_eq!(run["state"], "awaiting_review");
    assert_eq!(run["base"], head.as_str());
    assert_eq!(run["budget_exhausted"], false);
    assert_eq!(
        files(&run),
        vec![
            pair("index.html", "proposed"),
            pair("pricing.html", "proposed")
        ]
    );
    let index = &run["changes"][0];
    assert_eq!(
        index["diff"],
        "--- a/index.html\n+++ b/index.html\n@@ -3,5 +3,5 @@\n title: Home\n ---\n <h1>Acme</h1>\n-<p><a href=\"/pricing/?utm_source=home&utm_medium=banner&ref=nav\">Pricing</a></p>\n+<p><a href=\"/pricing/?ref=nav\">Pricing</a></p>\n <p><a href=\"https://partner.example/?utm_source=acme&utm_medium=referral&utm_campaign=spring\">Partner</a></p>\n"
    );
    let before: Vec<&str> = index["findings_before"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(before.contains(&"UTM-008"), "{before:?}");
    assert!(
        index["findings_after"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["rule"] != "UTM-008")
    );
    assert_eq!(index["attempts"][0]["engine"], "recipe");
    assert_eq!(index["attempts"][0]["outcome"], "proposed");
    assert_eq!(index["diff_hash"].as_str().map(str::len), Some(64));
    assert_eq!(run["totals"]["files"], 3);
    assert_eq!(run["totals"]["changes"]["proposed"], 2);
    assert_eq!(run["receipts"], serde_json::json!([]));

    // The person who started the run may not approve it; another may.
    let refused = site.sitewide(&["review", &id, "--approve-all", "--as", "ana"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("allow_self_approval"),
        "{}",
        stderr(&refused)
    );
    site.ok(&[
        "review",
        &id,
        "--approve",
        "index.html",
        "--as",
        "bob",
        "--comment",
        "ok",
    ]);
    site.ok(&["review", &id, "--approve", "pricing.html", "--as", "cy"]);
    let applied: Value = serde_json::from_str(&site.ok(&["apply", &id, "--json", "--as", "bob"]))
        .expect("apply --json prints JSON");
    assert_eq!(applied["state"], "applied");
    assert_eq!(
        files(&applied),
        vec![
            pair("index.html", "applied"),
            pair("pricing.html", "applied")
        ]
    );

    let branch = format!("sitewide/{id}");
    assert_eq!(site.git(&["rev-parse", &format!("{branch}^")]), head);
    assert_eq!(
        site.git(&["log", "-1", "--format=%B", &branch]),
        format!(
            "Sitewide: strip-internal-utms\n\nThe reviewed changes of run {id} of job strip-internal-utms.\n\nSitewide-Run: {id}\nSitewide-Spec: strip-internal-utms\nApproved-by: bob\nApproved-by: cy"
        )
    );
    assert_eq!(
        site.git(&["show", &format!("{branch}:index.html")]),
        INDEX
            .replace("?utm_source=home&utm_medium=banner&ref=nav", "?ref=nav")
            .trim_end()
    );
    assert_eq!(
        site.git(&["show", &format!("{branch}:pricing.html")]),
        PRICING
            .replace("/?utm_source=pricing&utm_medium=footer", "/")
            .trim_end()
    );
    assert_eq!(
        site.git(&["diff", "--name-only", &head, &branch]),
        "index.html\npricing.html"
    );
    // The workspace itself is untouched: same HEAD, clean tree, only one new branch.
    assert_eq!(site.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(site.git(&["status", "--porcelain"]), "");
    assert_eq!(
        site.git(&["branch", "--format=%(refname:short)"]),
        format!("main\n{branch}")
    );
    // `runs show --json` prints the same run.
    let shown: Value =
        serde_json::from_str(&site.ok(&["runs", "show", &id, "--json"])).expect("json");
    assert_eq!(shown["changes"], applied["changes"]);
    assert!(site.ok(&["runs"]).contains(&id));
}

#[test]
fn apply_commits_on_the_moved_branch_and_leaves_a_conflicting_edit_stale() {
    let site = Site::new();
    let job = site.job("strip.toml", STRIP);
    let run = site.run(&job, &[]);
    let id = run["id"].as_str().expect("id").to_string();
    // After the run: main moves. pricing.html's edited line changes (conflict); a new
    // line at the top of index.html merges cleanly.
    let moved = site.commit(
        &[
            (
                "pricing.html",
                PRICING
                    .replace("utm_medium=footer", "utm_medium=nav")
                    .as_bytes(),
            ),
            (
                "index.html",
                format!("{INDEX}<!-- reviewed -->\n").as_bytes(),
            ),
        ],
        "Edit on main",
    );
    site.ok(&["review", &id, "--approve-all", "--as", "bob"]);
    let applied: Value =
        serde_json::from_str(&site.ok(&["apply", &id, "--json", "--as", "bob"])).expect("json");
    assert_eq!(
        files(&applied),
        vec![pair("index.html", "applied"), pair("pricing.html", "stale")]
    );
    let branch = format!("sitewide/{id}");
    assert_eq!(site.git(&["rev-parse", &format!("{branch}^")]), moved);
    assert_eq!(
        site.git(&["show", &format!("{branch}:index.html")]),
        format!(
            "{}<!-- reviewed -->",
            INDEX.replace("?utm_source=home&utm_medium=banner&ref=nav", "?ref=nav")
        )
    );
    assert_eq!(
        site.git(&["diff", "--name-only", &moved, &branch]),
        "index.html"
    );
}

#[test]
fn a_change_that_introduces_a_blocking_finding_is_blocked_and_not_approvable() {
    let site = Site::new();
    let job = site.job(
        "break.toml",
        r#"name = "break-links"
targets = ["index.html"]

[[steps]]
recipe = "cta.swap"
selector = "a[href^='/pricing/']"
href = "/pricing-old/"
"#,
    );
    let run = site.run(&job, &[]);
    let id = run["id"].as_str().expect("id").to_string();
    let states = files(&run);
    assert!(states.iter().all(|(_, s)| s == "blocked"), "{states:?}");
    let reasons = run["changes"][0]["attempts"][0]["reasons"].to_string();
    assert!(reasons.contains("LNK-001"), "{reasons}");
    // Nothing is reviewable: the run is completed and approving is refused.
    assert_eq!(run["state"], "completed");
    let out = site.sitewide(&["review", &id, "--approve", "index.html", "--as", "bob"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn qa_scripts_run_in_the_changed_tree_and_a_failing_one_blocks() {
    let site = Site::new();
    let spec = STRIP.replace(
        "[qa]\nblock_on = \"error\"",
        "[qa]\nblock_on = \"error\"\nscripts = [\n  { name = \"grep\", run = \"! grep -rq utm_medium=banner index.html && echo clean\", timeout_s = 30 },\n  { name = \"fail\", run = \"echo broken >&2; exit 4\", timeout_s = 30 },\n]",
    );
    let run = site.run(&site.job("scripts.toml", &spec), &[]);
    let scripts = run["qa"]["scripts"].as_array().expect("scripts");
    assert_eq!(scripts.len(), 2);
    assert_eq!(scripts[0]["passed"], true, "{}", scripts[0]);
    assert_eq!(scripts[0]["output"], "clean\n");
    assert_eq!(
        (
            scripts[1]["passed"].clone(),
            scripts[1]["exit_code"].clone()
        ),
        (Value::Bool(false), Value::from(4))
    );
    assert_eq!(scripts[1]["output"], "broken\n");
    assert!(files(&run).iter().all(|(_, s)| s == "blocked"));
    assert!(
        run["changes"][0]["attempts"][0]["reasons"]
            .to_string()
            .contains("QA script \\\"fail\\\" failed with exit code 4")
    );
    // The scripts' checkout is the only copy of the tree a run makes, and it is gone.
    let id = run["id"].as_str().expect("id");
    assert!(!site.data.path().join("runs").join(id).exists());
}

#[test]
fn budgets_skip_files_past_max_files_and_block_edits_over_the_line_limit() {
    let site = Site::new();
    let spec = format!("{STRIP}\n[budget]\nmax_files = 2\n");
    let run = site.run(&site.job("budget.toml", &spec), &[]);
    assert_eq!(run["budget_exhausted"], true);
    assert_eq!(run["state"], "awaiting_review");
    assert_eq!(run["skipped"][0]["file"], "pricing.html");
    assert!(
        run["skipped"][0]["reason"]
            .as_str()
            .expect("reason")
            .contains("max_files = 2"),
        "{}",
        run["skipped"]
    );
    assert_eq!(files(&run), vec![pair("index.html", "proposed")]);

    site.commit(
        &[(
            "two.html",
            b"<p><a href=\"/?utm_source=a&utm_medium=b\">A</a></p>\n<p>and</p>\n<p><a href=\"/?utm_source=c&utm_medium=d\">B</a></p>\n".as_slice(),
        )],
        "Two links",
    );
    let spec = format!("{STRIP}\n[budget]\nmax_changed_lines_per_file = 1\n");
    let run = site.run(&site.job("lines.toml", &spec), &[]);
    assert_eq!(
        files(&run),
        vec![
            pair("index.html", "proposed"),
            pair("pricing.html", "proposed"),
            pair("two.html", "blocked")
        ]
    );
    assert!(
        run["changes"][2]["attempts"][0]["reasons"]
            .to_string()
            .contains("changes 2 lines, over budget.max_changed_lines_per_file = 1")
    );
}

#[test]
fn a_glob_that_matches_nothing_completes_with_zero_changes_and_says_so() {
    let site = Site::new();
    let spec = STRIP.replace(
        r#"targets = ["**/*.html", "**/*.md", "!_layouts/**"]"#,
        r#"targets = ["landing/**/*.html"]"#,
    );
    let job = site.job("none.toml", &spec);
    let run = site.run(&job, &[]);
    assert_eq!(run["state"], "completed");
    assert_eq!(run["changes"], serde_json::json!([]));
    assert_eq!(run["totals"]["files"], 0);
    let notes = run["qa"]["notes"].to_string();
    assert!(notes.contains("landing/**/*.html"), "{notes}");
    let out = site.sitewide(&[
        "run",
        job.to_str().expect("utf-8"),
        "--workspace",
        site.repo.path().to_str().expect("utf-8"),
        "--as",
        "ana",
    ]);
    assert!(
        stdout(&out).contains("no file at the base commit matches"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_file_that_is_not_utf8_is_skipped_with_why_and_the_rest_is_edited() {
    let site = Site::new();
    site.commit(
        &[(
            "latin1.html",
            b"<p><a href=\"/?utm_source=x&utm_medium=y\">caf\xe9</a></p>\n".as_slice(),
        )],
        "Latin-1 page",
    );
    let run = site.run(&site.job("strip.toml", STRIP), &[]);
    assert_eq!(run["skipped"][0]["file"], "latin1.html");
    assert!(
        run["skipped"][0]["reason"]
            .as_str()
            .expect("reason")
            .contains("not valid UTF-8"),
        "{}",
        run["skipped"]
    );
    assert_eq!(files(&run).len(), 2);
}

#[test]
fn a_target_that_is_a_symbolic_link_is_skipped_with_why() {
    let site = Site::new();
    std::os::unix::fs::symlink("index.html", site.repo.path().join("home.html")).expect("symlink");
    site.git(&["add", "-A"]);
    site.git(&["commit", "-q", "--no-gpg-sign", "-m", "Link"]);
    let run = site.run(&site.job("strip.toml", STRIP), &[]);
    assert_eq!(run["skipped"][0]["file"], "home.html");
    assert!(
        run["skipped"][0]["reason"]
            .as_str()
            .expect("reason")
            .contains("a symbolic link"),
        "{}",
        run["skipped"]
    );
    assert_eq!(run["budget_exhausted"], false);
}

#[test]
fn bad_input_is_refused_with_a_clear_message_and_stores_nothing() {
    let site = Site::new();
    let repo = site.repo.path().to_str().expect("utf-8").to_string();
    let good = site.job("strip.toml", STRIP);
    let good = good.to_str().expect("utf-8");
    let bad = site.job(
        "bad.toml",
        "name = \"x\"\ntargets = [\"[\"]\n[[steps]]\nrecipe = \"utm.strp_internal\"\n",
    );
    let plain = tempfile::tempdir().expect("temp");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["run", bad.to_str().expect("utf-8"), "--workspace", &repo],
            "bad.toml:4:10",
        ),
        (
            vec![
                "run",
                good,
                "--workspace",
                plain.path().to_str().expect("utf-8"),
            ],
            "is not a git repository",
        ),
        (
            vec!["run", good, "--workspace", &repo, "--base", "v9.9.9"],
            "v9.9.9 is not a commit",
        ),
        (
            vec!["run", good, "--workspace", "nosuchname"],
            "no workspace named",
        ),
        (vec!["runs", "show", "nope"], "no run \"nope\""),
        (vec!["apply", "nope"], "no run \"nope\""),
    ];
    for (args, expected) in cases {
        let out = site.sitewide(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(site.ok(&["runs"]), "", "no run was stored");
    assert_eq!(
        site.ok(&["workspaces", "list"]),
        "",
        "no workspace was registered by a run that did not start"
    );
}

#[test]
fn a_workspace_path_is_registered_on_first_use_and_then_named() {
    let site = Site::new();
    let job = site.job("strip.toml", STRIP);
    site.run(&job, &[]);
    let listed = site.ok(&["workspaces", "list"]);
    let name = site
        .repo
        .path()
        .file_name()
        .expect("name")
        .to_str()
        .expect("utf-8");
    assert!(listed.starts_with(name), "{listed}");
    let out = site.sitewide(&[
        "run",
        job.to_str().expect("utf-8"),
        "--workspace",
        name,
        "--base",
        "main",
        "--json",
        "--as",
        "ana",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(site.ok(&["workspaces", "list"]).lines().count(), 1);
}
