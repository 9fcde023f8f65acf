//! Audit runs through the real binary: `sitewide run jobs/tagging-audit.toml` on the demo
//! workspace completes with its counts, `runs` and `runs show` show them, `review` and
//! `apply` refuse it, a job's targets narrow the report, and a broken `sitewide.toml` or
//! tracking plan fails the run with its error.

use serde_json::Value;

use crate::support::{git_repo, json, sitewide, stderr, stdout};

fn data_arg(data: &tempfile::TempDir) -> String {
    data.path().to_string_lossy().into_owned()
}

fn run_json(spec: &str, workspace: &str, data: &tempfile::TempDir) -> (Option<i32>, Value, String) {
    let d = data_arg(data);
    let out = sitewide(&[
        "run",
        spec,
        "--workspace",
        workspace,
        "--json",
        "--data-dir",
        &d,
    ]);
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), report, stderr(&out))
}

#[test]
fn the_tagging_audit_of_the_demo_completes_with_its_counts_and_refuses_review_and_apply() {
    let data = tempfile::tempdir().unwrap();
    let d = data_arg(&data);
    let (code, run, err) = run_json("jobs/tagging-audit.toml", "demo", &data);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        (run["kind"].as_str(), run["state"].as_str()),
        (Some("audit"), Some("completed"))
    );
    let audit = &run["audit"];
    for rule in [
        "TAG-001", "TAG-002", "TAG-003", "TAG-006", "TAG-009", "CON-001", "CON-005",
    ] {
        assert!(audit["by_rule"][rule].as_u64() > Some(0), "{rule}: {audit}");
    }
    assert_eq!(audit["coverage"]["not_tagged"], 2);
    assert_eq!(audit["coverage"]["tagged_twice"], 1);
    assert_eq!(audit["coverage"]["consent_after_tags"], 1);
    assert_eq!(audit["pages"], 31);
    let id = run["id"].as_str().unwrap();
    let shown = json(&sitewide(&["runs", "show", id, "--json", "--data-dir", &d]));
    assert_eq!(shown["audit"], run["audit"]);
    let summary = stdout(&sitewide(&["runs", "show", id, "--data-dir", &d]));
    assert!(
        summary.contains("findings: 14 errors, 1 warning, 0 info"),
        "{summary}"
    );
    assert!(
        summary.contains("2 not tagged") && summary.contains(&format!("/api/v1/runs/{id}/report")),
        "{summary}"
    );
    let list = stdout(&sitewide(&["runs", "--data-dir", &d]));
    assert!(list.contains("15 findings"), "{list}");
    for args in [vec!["review", id, "--approve-all"], vec!["apply", id]] {
        let mut args = args.clone();
        args.extend(["--data-dir", &d]);
        let out = sitewide(&args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains("is an audit"), "{}", stderr(&out));
    }
}

#[test]
fn a_job_s_targets_keep_their_files_while_layouts_outside_still_resolve_the_pages() {
    let data = tempfile::tempdir().unwrap();
    let jobs = tempfile::tempdir().unwrap();
    let spec = jobs.path().join("legal-audit.toml");
    std::fs::write(
        &spec,
        "name = \"legal-audit\"\nkind = \"audit\"\ntargets = [\"legal/**\"]\n",
    )
    .unwrap();
    let (code, run, err) = run_json(spec.to_str().unwrap(), "demo", &data);
    assert_eq!(code, Some(0), "{err}");
    let audit = &run["audit"];
    assert_eq!(
        (&audit["pages"], &audit["coverage"]["not_tagged"]),
        (&Value::from(2), &Value::from(2)),
        "{audit}"
    );
    // TAG-001 is written in _layouts/minimal.html, outside the targets.
    assert_eq!(audit["total_findings"], 0, "{audit}");
}

#[test]
fn a_broken_sitewide_toml_or_tracking_plan_fails_the_audit_with_its_error() {
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/jobs/tagging-audit.toml");
    let page = "<html><head><title>x</title></head><body>x</body></html>\n".to_string();
    for (config, extra, expected) in [
        ("[utm\ncase = 1\n", None, "sitewide.toml"),
        (
            "tracking_plan = \"plan.yaml\"\n",
            Some(("plan.yaml".to_string(), "events: [\n".to_string())),
            "plan.yaml",
        ),
    ] {
        let mut files = vec![
            ("sitewide.toml".to_string(), config.to_string()),
            ("index.html".to_string(), page.clone()),
        ];
        files.extend(extra);
        let repo = git_repo(&files);
        let data = tempfile::tempdir().unwrap();
        let (code, run, err) = run_json(spec, repo.path().to_str().unwrap(), &data);
        assert_eq!(code, Some(1), "{err}");
        assert_eq!(run["state"], "failed", "{run}");
        assert!(
            err.contains("failed") && err.contains(expected),
            "{expected}: {err}"
        );
    }
}
