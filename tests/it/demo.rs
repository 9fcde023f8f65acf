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
