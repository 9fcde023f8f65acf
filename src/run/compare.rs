//! An audit run compared with the previous completed audit of the same job in the same
//! workspace: which findings are new, fixed and still open. A finding is keyed by its
//! rule, its file and its message with whitespace and line references taken out, never by
//! its line or column, so a finding that only moved is the same finding; two findings
//! with one key in one file are counted (two before and three now is one new). Also the
//! trend: findings by severity for the job's recent runs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::store::{Store, StoreError};

/// How many findings each list of a comparison keeps; the counts are always whole.
pub const LISTED: usize = 200;

/// How many runs the trend shows.
pub const TREND_RUNS: i64 = 20;

/// The key a finding is matched by across runs: rule, file, normalised message. A broken
/// external link (LNK-004) is the same finding whatever its server answers this time (a
/// 502 that became a 503, another timeout): its key is the link itself, the first
/// `` `…` `` of its message.
pub fn finding_key(finding: &Value) -> String {
    let text = |k: &str| finding[k].as_str().unwrap_or("").to_string();
    let message = text("message");
    let subject = match text("rule").as_str() {
        "LNK-004" => message.split('`').nth(1).map(str::to_string),
        _ => None,
    };
    format!(
        "{}\u{1f}{}\u{1f}{}",
        text("rule"),
        text("file"),
        subject.unwrap_or_else(|| normalise(&message))
    )
}

/// The message without runs of whitespace and without positions (`line 12`, `lines 3-5`,
/// `at 12:4`, `:12:4`, `byte 80`), which change when a file gains lines above the finding. A lone
/// `:443` (a URL's port) stays.
fn normalise(message: &str) -> String {
    static LINES: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = LINES.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\blines? \d+(?:\s*[-–]\s*\d+)?|\bbyte \d+|\bat \d+:\d+\b|:\d+:\d+\b",
        )
        .ok()
    });
    let cut = match re {
        Some(re) => re.replace_all(message, "").into_owned(),
        None => message.to_string(),
    };
    cut.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The findings of an audit report (its JSON contract's `check.findings`).
fn findings(report: &Value) -> &[Value] {
    report["check"]["findings"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
}

/// `report` compared with `previous` (run `previous_run`): counts of new, fixed and
/// still-open findings, and the new and fixed ones listed (at most [`LISTED`] each).
pub fn compare(previous_run: &str, previous: &Value, report: &Value) -> Value {
    let mut before: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for f in findings(previous) {
        before.entry(finding_key(f)).or_default().push(f);
    }
    let mut now: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for f in findings(report) {
        now.entry(finding_key(f)).or_default().push(f);
    }
    let (mut new, mut fixed, mut open) = (Vec::new(), Vec::new(), 0usize);
    for (key, list) in &now {
        let had = before.get(key).map_or(0, Vec::len);
        open += had.min(list.len());
        new.extend(list.iter().skip(had).map(|f| brief(f)));
    }
    for (key, list) in &before {
        let has = now.get(key).map_or(0, Vec::len);
        fixed.extend(list.iter().skip(has).map(|f| brief(f)));
    }
    json!({
        "previous_run": previous_run,
        "new": new.len(),
        "fixed": fixed.len(),
        "open": open,
        "new_findings": new.iter().take(LISTED).collect::<Vec<_>>(),
        "fixed_findings": fixed.iter().take(LISTED).collect::<Vec<_>>(),
        "listed": LISTED,
    })
}

/// The fields of a finding a comparison lists.
fn brief(f: &Value) -> Value {
    json!({
        "rule": f["rule"],
        "severity": f["severity"],
        "file": f["file"],
        "line": f["line"],
        "message": f["message"],
    })
}

/// The comparison of a new audit report (`report`, JSON text) of job `spec` in workspace
/// `workspace_id` with the job's previous completed audit there, started before
/// `created_at`; `None` when there is no previous run (or its report does not read).
pub async fn with_previous(
    store: &Store,
    spec: &str,
    workspace_id: i64,
    created_at: DateTime<Utc>,
    report: &str,
) -> Result<Option<Value>, StoreError> {
    let Some(previous) = store.previous_audit(spec, workspace_id, created_at).await? else {
        return Ok(None);
    };
    let Some(text) = store.audit_report(&previous.run_id).await? else {
        return Ok(None);
    };
    let (Ok(before), Ok(now)) = (
        serde_json::from_str::<Value>(&text),
        serde_json::from_str::<Value>(report),
    ) else {
        return Ok(None);
    };
    Ok(Some(compare(&previous.run_id, &before, &now)))
}

/// Findings by severity of the job's last [`TREND_RUNS`] completed audits in the
/// workspace up to `until`, oldest first: `[{run, at, error, warning, info, total}]`.
pub async fn trend(
    store: &Store,
    spec: &str,
    workspace_id: i64,
    until: DateTime<Utc>,
) -> Result<Vec<Value>, StoreError> {
    let points = store
        .audit_history(spec, workspace_id, until, TREND_RUNS)
        .await?;
    Ok(points
        .iter()
        .map(|p| {
            let audit = &p.qa.0["audit"];
            let n = |k: &str| audit["findings"][k].as_u64().unwrap_or(0);
            json!({
                "run": p.run_id,
                "at": p.created_at.to_rfc3339(),
                "error": n("error"),
                "warning": n("warning"),
                "info": n("info"),
                "total": audit["total_findings"].as_u64().unwrap_or(0),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, file: &str, line: u64, message: &str) -> Value {
        json!({"rule": rule, "severity": "error", "file": file, "line": line, "column": 3, "message": message})
    }

    fn report(findings: Vec<Value>) -> Value {
        json!({"check": {"findings": findings}})
    }

    #[test]
    fn a_finding_that_only_moved_lines_is_still_open() {
        let before = report(vec![
            finding("TAG-001", "a.html", 10, "no tag on this page (line 10)"),
            finding("TAG-002", "b.html", 4, "unknown id G-1"),
        ]);
        let now = report(vec![
            finding("TAG-001", "a.html", 14, "no tag on this  page (line 14)"),
            finding("TAG-003", "c.html", 1, "UA id"),
        ]);
        let c = compare("r1", &before, &now);
        assert_eq!(
            (c["new"].as_u64(), c["fixed"].as_u64(), c["open"].as_u64()),
            (Some(1), Some(1), Some(1))
        );
        assert_eq!(c["new_findings"][0]["rule"], "TAG-003");
        assert_eq!(c["fixed_findings"][0]["rule"], "TAG-002");
        assert_eq!(c["previous_run"], "r1");
    }

    #[test]
    fn identical_findings_in_one_file_are_counted_by_key() {
        let same = |line| finding("LEG-001", "a.html", line, "script before consent");
        let c = compare(
            "r1",
            &report(vec![same(1), same(2)]),
            &report(vec![same(5), same(7), same(9)]),
        );
        assert_eq!(
            (c["new"].as_u64(), c["fixed"].as_u64(), c["open"].as_u64()),
            (Some(1), Some(0), Some(2))
        );
        let c = compare(
            "r1",
            &report(vec![same(1), same(2)]),
            &report(vec![same(3)]),
        );
        assert_eq!(
            (c["new"].as_u64(), c["fixed"].as_u64(), c["open"].as_u64()),
            (Some(0), Some(1), Some(1))
        );
    }

    #[test]
    fn the_same_message_in_another_file_or_rule_is_another_finding() {
        let a = finding("TAG-001", "a.html", 1, "m");
        assert_ne!(
            finding_key(&a),
            finding_key(&finding("TAG-001", "b.html", 1, "m"))
        );
        assert_ne!(
            finding_key(&a),
            finding_key(&finding("TAG-002", "a.html", 1, "m"))
        );
        assert_eq!(
            finding_key(&a),
            finding_key(&finding("TAG-001", "a.html", 90, "m"))
        );
    }

    #[test]
    fn a_link_still_broken_with_another_answer_is_still_open_and_ports_tell_urls_apart() {
        let broken = |why: &str| {
            finding(
                "LNK-004",
                "a.html",
                3,
                &format!("broken external link: `https://partner.example/offer` {why}"),
            )
        };
        assert_eq!(
            finding_key(&broken("answers 502")),
            finding_key(&broken("timed out after 10 s"))
        );
        let at = |url: &str| finding("LNK-001", "a.html", 3, &format!("no page at `{url}`"));
        assert_ne!(
            finding_key(&at("http://localhost:8080/a")),
            finding_key(&at("http://localhost:9090/a"))
        );
        let utf8 = |line| {
            finding(
                "CNT-001",
                "a.html",
                line,
                &format!("invalid byte at {line}:4, byte {line}0"),
            )
        };
        assert_eq!(finding_key(&utf8(12)), finding_key(&utf8(40)));
    }
}
