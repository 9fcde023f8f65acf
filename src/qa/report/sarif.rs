//! SARIF 2.1.0 (OASIS), as GitHub code scanning reads it: one run, the rule catalogue in the
//! driver, columns in Unicode code points, paths relative to `%SRCROOT%`.

use serde_json::{Value, json};

use crate::qa::engine::Report;
use crate::qa::finding::{Finding, Severity};

pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn sarif(report: &Report) -> String {
    sarif_of(&report.findings)
}

/// SARIF of `findings` (an audit run's stored report read back, say).
pub fn sarif_of(findings: &[Finding]) -> String {
    let rules = crate::qa::rules::all();
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|r| {
            let m = r.meta();
            json!({
                "id": m.id,
                "name": m.name,
                "shortDescription": { "text": m.summary },
                "fullDescription": { "text": m.why },
                "help": { "text": format!("{}\n\nBad:\n{}\n\nGood:\n{}\n\nSource: {}", m.why, m.bad, m.good, m.source) },
                "defaultConfiguration": { "level": level(m.severity) },
                "properties": { "fix": m.fix.as_str(), "tags": [m.id.split('-').next().unwrap_or("")] },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| result(f, rules.iter().position(|r| r.meta().id == f.rule.id)))
        .collect();
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "sitewide",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/sitewide/sitewide",
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn result(f: &Finding, index: Option<usize>) -> Value {
    let location = json!({
        "artifactLocation": { "uri": f.file.as_ref(), "uriBaseId": "%SRCROOT%" },
        "region": {
            "startLine": f.line,
            "startColumn": f.column,
            "endLine": f.end_line,
            "endColumn": f.end_column,
        },
    });
    let mut text = f.message.clone();
    if let Some(h) = &f.hint {
        text.push_str(". ");
        text.push_str(h);
    }
    let mut r = json!({
        "ruleId": f.rule.id,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [{ "physicalLocation": location }],
    });
    if let Some(i) = index {
        r["ruleIndex"] = json!(i);
    }
    if let Some(fix) = &f.fix {
        r["fixes"] = json!([{
            "description": { "text": format!("{}: replace with {:?}", f.rule.id, fix.replacement) },
            "artifactChanges": [{
                "artifactLocation": { "uri": f.file.as_ref(), "uriBaseId": "%SRCROOT%" },
                "replacements": [{
                    "deletedRegion": { "byteOffset": fix.start, "byteLength": fix.end - fix.start },
                    "insertedContent": { "text": fix.replacement },
                }],
            }],
        }]);
    }
    r
}
