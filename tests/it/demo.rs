//! The bundled demo site: its full report in each format, as snapshots, and SARIF validated
//! against the OASIS schema by Microsoft's SARIF multitool when it is installed.

use std::path::PathBuf;
use std::process::Command;

use crate::support::{sitewide, stdout};

fn report(format: &str) -> String {
    let out = sitewide(&[
        "check",
        "examples/demo-site",
        "--format",
        format,
        "--fail-on",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(0));
    stdout(&out)
}

#[test]
fn demo_site_table_report() {
    insta::assert_snapshot!(report("table"));
}

#[test]
fn demo_site_json_report() {
    insta::assert_snapshot!(report("json"));
}

#[test]
fn demo_site_sarif_report() {
    let sarif = report("sarif");
    validate_sarif(&sarif);
    insta::assert_snapshot!(sarif);
}

fn validator() -> Option<PathBuf> {
    let candidates = [
        std::env::var("SITEWIDE_SARIF_VALIDATOR")
            .ok()
            .map(PathBuf::from),
        std::env::var("HOME").ok().map(|h| {
            PathBuf::from(h).join(".cache/sitewide-tools/node_modules/.bin/sarif-multitool")
        }),
    ];
    candidates.into_iter().flatten().find(|p| p.exists())
}

/// Runs `sarif-multitool validate` (schema and SARIF rules); error-level results fail.
pub fn validate_sarif(sarif: &str) {
    let Some(tool) = validator() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true but the SARIF validator is not installed (.ci/run installs it)"
        );
        eprintln!(
            "skipped SARIF schema validation: sarif-multitool not installed (npm i @microsoft/sarif-multitool)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("report.sarif");
    let output = dir.path().join("validation.sarif");
    std::fs::write(&input, sarif).unwrap();
    let run = Command::new(&tool)
        .arg("validate")
        .arg("-o")
        .arg(&output)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "validator failed: {}",
        String::from_utf8_lossy(&run.stdout)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    let errors: Vec<&serde_json::Value> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "error")
        .collect();
    assert!(errors.is_empty(), "SARIF validation errors: {errors:#?}");
}

/// `(rule ids named anywhere in the row, files in the File column)` per DEFECTS.md row.
fn documented_defects() -> Vec<(Vec<String>, Vec<String>)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/demo-site/DEFECTS.md"
    ))
    .unwrap();
    let id = regex::Regex::new(r"\b[A-Z][A-Z0-9]{1,4}-\d{3}\b").unwrap();
    let path = regex::Regex::new(r"`([^`\s]+\.[a-z]+)`").unwrap();
    text.lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| #"))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            let rules: Vec<String> = id.find_iter(l).map(|m| m.as_str().to_string()).collect();
            let files: Vec<String> = path
                .captures_iter(cols.get(3)?)
                .map(|c| c[1].to_string())
                .collect();
            (!rules.is_empty() && !files.is_empty()).then_some((rules, files))
        })
        .collect()
}

#[test]
fn every_documented_demo_defect_is_found_and_nothing_else() {
    let v: serde_json::Value = serde_json::from_str(&report("json")).unwrap();
    let findings: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let rows = documented_defects();
    assert!(rows.len() >= 20, "DEFECTS.md lists the planted defects");
    for (rules, files) in &rows {
        let planted = &rules[0];
        if sitewide::qa::rules::find(planted).is_none() {
            continue; // a rule of a later issue (TAG-*, CON-*)
        }
        for file in files {
            assert!(
                findings.iter().any(|(r, f)| r == planted && f == file),
                "{planted} in {file} is not reported"
            );
        }
    }
    for (rule, file) in &findings {
        let documented = rows
            .iter()
            .any(|(rules, files)| rules.contains(rule) && files.contains(file));
        assert!(
            documented,
            "{rule} in {file} is reported but not documented in DEFECTS.md"
        );
    }
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn snapshot(dir: &std::path::Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(snapshot(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn fix_on_the_demo_site_writes_fixes_once_and_then_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site"),
        dir.path(),
    );
    let path = dir.path().to_str().unwrap();
    let before = snapshot(dir.path());
    let first = sitewide(&[
        "check",
        path,
        "--fix",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    let after_first = snapshot(dir.path());
    assert_ne!(before, after_first, "the demo has fixable findings");
    let left: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert!(
        left["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f.get("fix").is_none()),
        "a fixable finding survived --fix: {left}"
    );
    sitewide(&["check", path, "--fix", "--fail-on", "never"]);
    assert_eq!(
        after_first,
        snapshot(dir.path()),
        "a second --fix changes nothing"
    );
}
