//! The JSON report: `{"findings": [...], "summary": {...}}`. Fields are only ever added.

use std::collections::BTreeMap;

use serde_json::{Value, json as j};

use crate::qa::engine::Report;

pub fn summary(report: &Report) -> Value {
    let mut by_severity: BTreeMap<&str, usize> = [("error", 0), ("warning", 0), ("info", 0)]
        .into_iter()
        .collect();
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        *by_severity.entry(f.severity.as_str()).or_default() += 1;
        *by_rule.entry(f.rule.id).or_default() += 1;
    }
    j!({
        "files_checked": report.files_checked(),
        "pages": report.pages,
        "templates": report.templates,
        "generator": report.generator,
        "by_severity": by_severity,
        "by_rule": by_rule,
        "fixable": report.findings.iter().filter(|f| f.fix.is_some()).count(),
        "unchecked": report.unchecked,
        "skipped": report.skipped,
    })
}

/// The whole report, serialised straight into `out` (a report of 100,000 findings is never
/// held twice in memory).
pub fn json(report: &Report, out: &mut impl std::io::Write) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        findings: &'a [crate::qa::finding::Finding],
        summary: Value,
    }
    let doc = Doc {
        findings: &report.findings,
        summary: summary(report),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
