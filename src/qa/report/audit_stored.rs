//! An audit report read back from its JSON contract (as an audit run stores it): its
//! findings again as [`Finding`]s (for SARIF), one CSV row per finding, and the findings
//! filtered and grouped by rule, by page or by layout, each file said for what it is: a
//! page (with its coverage status), a layout or include (with how many pages are built
//! from it), or another file (a script, a connector config).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::qa::finding::{Finding, Fix, Severity};
use crate::qa::source::{LineCol, Span};

/// The audit JSON document (`docs/audit.md`), read back.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredAudit {
    pub check: StoredCheck,
    #[serde(default)]
    pub coverage: Vec<CoverageRow>,
    #[serde(default)]
    pub ids: Vec<IdRow>,
    /// Events as the contract writes them (`name`, `properties`, `file`, `line`, …).
    #[serde(default)]
    pub events: Vec<Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredCheck {
    pub findings: Vec<StoredFinding>,
    #[serde(default)]
    pub summary: Value,
}

/// A finding as `check --format json` writes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct StoredFinding {
    pub rule: String,
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub column: usize,
    #[serde(default)]
    pub end_line: usize,
    #[serde(default)]
    pub end_column: usize,
    pub message: String,
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default)]
    pub fix: Option<StoredFix>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct StoredFix {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

/// One page's coverage row.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CoverageRow {
    pub file: String,
    pub status: String,
    #[serde(default)]
    pub tags: Vec<TagRow>,
    #[serde(default)]
    pub built_from: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TagRow {
    pub kind: String,
    pub id: String,
    pub file: String,
    pub line: usize,
}

/// An id and where it is written.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct IdRow {
    pub kind: String,
    pub id: String,
    pub pages: usize,
    pub places: Vec<Place>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Place {
    pub file: String,
    pub line: usize,
}

/// What a file is to the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Page,
    /// A layout or include some page is built from.
    Template,
    /// A script file, a connector config, …: not part of a page.
    Other,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Page => "page",
            FileKind::Template => "template",
            FileKind::Other => "other",
        }
    }
}

/// What the report says about one file: its kind, its coverage status when it is a page,
/// and how many pages it reaches (1 for a page, the pages built from a template).
#[derive(Debug, Clone, Serialize)]
pub struct FileRole {
    pub kind: FileKind,
    pub status: Option<String>,
    pub pages: usize,
}

/// How the findings are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    #[default]
    Rule,
    Page,
    Layout,
}

/// Which findings to show: a severity, a rule id or family (`TAG`, `TAG-*`, `TAG-002`),
/// a part of the file's path. Empty fields match every finding.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub severity: Option<Severity>,
    pub rule: String,
    pub file: String,
}

impl Filter {
    pub fn matches(&self, f: &StoredFinding) -> bool {
        let rule = self.rule.trim().to_ascii_uppercase();
        let rule_ok = rule.is_empty()
            || if rule.contains('*') {
                crate::qa::engine::id_matches(&rule, &f.rule)
            } else {
                f.rule == rule || f.rule.starts_with(&format!("{rule}-"))
            };
        rule_ok
            && self.severity.is_none_or(|s| f.severity == s)
            && (self.file.is_empty() || f.file.contains(self.file.trim()))
    }
}

/// One group of findings: its key (a rule id or a file), what the file is, and the
/// findings in it.
#[derive(Debug, Clone, Serialize)]
pub struct Group<'a> {
    pub key: String,
    /// The file's role (page and layout groups; `None` for a rule or the catch-all group).
    pub role: Option<FileRole>,
    /// For a page: the findings in the layouts and includes it is built from (of the
    /// filter's severity and rule, whatever their path).
    pub inherited: usize,
    pub findings: Vec<&'a StoredFinding>,
}

impl StoredAudit {
    pub fn parse(text: &str) -> Result<StoredAudit, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The findings as the QA engine made them, for the SARIF writer. A rule this version
    /// of Sitewide does not know any more is left out.
    pub fn findings(&self) -> Vec<Finding> {
        let rules = crate::qa::rules::all();
        self.check
            .findings
            .iter()
            .filter_map(|f| {
                let meta = rules.iter().find(|r| r.meta().id == f.rule)?.meta();
                let mut out = Finding::located(
                    meta,
                    Arc::from(f.file.as_str()),
                    Span::default(),
                    LineCol {
                        line: f.line,
                        column: f.column,
                    },
                    LineCol {
                        line: f.end_line,
                        column: f.end_column,
                    },
                    f.message.clone(),
                )
                .maybe_hint(f.hint.clone());
                out.severity = f.severity;
                out.fix = f.fix.as_ref().map(|x| Fix {
                    start: x.start,
                    end: x.end,
                    replacement: x.replacement.clone(),
                });
                Some(out)
            })
            .collect()
    }

    /// Every file's role: pages from the coverage rows, templates from the files the
    /// pages are built from (with how many pages use each).
    pub fn roles(&self) -> HashMap<&str, FileRole> {
        let mut out: HashMap<&str, FileRole> = HashMap::new();
        for row in &self.coverage {
            for t in &row.built_from {
                let role = out.entry(t.as_str()).or_insert(FileRole {
                    kind: FileKind::Template,
                    status: None,
                    pages: 0,
                });
                role.pages += 1;
            }
        }
        for row in &self.coverage {
            out.insert(
                &row.file,
                FileRole {
                    kind: FileKind::Page,
                    status: Some(row.status.clone()),
                    pages: 1,
                },
            );
        }
        out
    }

    /// Pages per coverage status, in the order the statuses are listed.
    pub fn status_counts(&self) -> Vec<(&'static str, usize)> {
        use crate::qa::tagging::coverage::Status;
        Status::ALL
            .iter()
            .map(|s| {
                let n = self
                    .coverage
                    .iter()
                    .filter(|c| c.status == s.as_str())
                    .count();
                (s.as_str(), n)
            })
            .collect()
    }
}

/// The findings `filter` keeps, grouped `by` rule (rule id order), by page (each file
/// holding findings, with what it is) or by layout (each layout or include with its
/// findings and the pages built from it; the findings in other files last, in one group
/// keyed `""`).
pub fn group<'a>(audit: &'a StoredAudit, by: GroupBy, filter: &Filter) -> Vec<Group<'a>> {
    let roles = audit.roles();
    let kept: Vec<&StoredFinding> = audit
        .check
        .findings
        .iter()
        .filter(|f| filter.matches(f))
        .collect();
    let mut groups: BTreeMap<String, Vec<&StoredFinding>> = BTreeMap::new();
    let mut rest = Vec::new();
    for f in kept {
        let key = match by {
            GroupBy::Rule => f.rule.clone(),
            GroupBy::Page => f.file.clone(),
            GroupBy::Layout => match roles.get(f.file.as_str()) {
                Some(r) if r.kind == FileKind::Template => f.file.clone(),
                _ => {
                    rest.push(f);
                    continue;
                }
            },
        };
        groups.entry(key).or_default().push(f);
    }
    // A page's layouts count whatever their path: the file filter picked the page.
    let inherited_filter = Filter {
        file: String::new(),
        ..filter.clone()
    };
    let per_file = |file: &str| {
        audit
            .check
            .findings
            .iter()
            .filter(|f| f.file == file && inherited_filter.matches(f))
            .count()
    };
    let mut out: Vec<Group<'a>> = groups
        .into_iter()
        .map(|(key, findings)| {
            let role = (by != GroupBy::Rule).then(|| role_of(&roles, &key));
            let inherited = match (by, audit.coverage.iter().find(|c| c.file == key)) {
                (GroupBy::Page, Some(row)) => row.built_from.iter().map(|t| per_file(t)).sum(),
                _ => 0,
            };
            Group {
                key,
                role,
                inherited,
                findings,
            }
        })
        .collect();
    if !rest.is_empty() {
        out.push(Group {
            key: String::new(),
            role: None,
            inherited: 0,
            findings: rest,
        });
    }
    out
}

fn role_of(roles: &HashMap<&str, FileRole>, file: &str) -> FileRole {
    roles.get(file).cloned().unwrap_or(FileRole {
        kind: FileKind::Other,
        status: None,
        pages: 0,
    })
}

/// One CSV row per finding (RFC 4180): `rule, severity, file, line, column, message,
/// hint, file_kind, coverage_status, pages_affected`.
pub fn csv(audit: &StoredAudit, out: impl std::io::Write) -> Result<(), csv::Error> {
    let roles = audit.roles();
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "rule",
        "severity",
        "file",
        "line",
        "column",
        "message",
        "hint",
        "file_kind",
        "coverage_status",
        "pages_affected",
    ])?;
    for f in &audit.check.findings {
        let role = role_of(&roles, &f.file);
        w.write_record([
            f.rule.as_str(),
            f.severity.as_str(),
            f.file.as_str(),
            &f.line.to_string(),
            &f.column.to_string(),
            f.message.as_str(),
            f.hint.as_deref().unwrap_or(""),
            role.kind.as_str(),
            role.status.as_deref().unwrap_or(""),
            &role.pages.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
#[path = "audit_stored_tests.rs"]
mod tests;
