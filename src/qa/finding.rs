//! Findings and the declarations every rule makes about itself.

use std::sync::Arc;

use serde::{Serialize, Serializer};

use super::page::Document;
use super::source::{LineCol, Span};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Whether a finding can be fixed without judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixKind {
    /// One right answer: `--fix` writes it.
    Deterministic,
    /// A person or a model must choose (the missing campaign, the alt text).
    Judgement,
    /// Nothing to rewrite in the source; the finding informs.
    ReportOnly,
}

impl FixKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::Deterministic => "deterministic",
            FixKind::Judgement => "judgement",
            FixKind::ReportOnly => "report-only",
        }
    }
}

/// What a rule declares: shown by `sitewide rules`, checked by the shared rule test.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub fix: FixKind,
    /// One line: what the rule flags.
    pub summary: &'static str,
    /// Why it matters to the site's owner.
    pub why: &'static str,
    /// A file that yields this finding (the shared test checks it does).
    pub bad: &'static str,
    /// Its corrected twin (the shared test checks it yields none of this rule).
    pub good: &'static str,
    /// The specification or practice the rule comes from.
    pub source: &'static str,
}

/// A deterministic edit: replace `start..end` (bytes of the file) with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

/// The rules `after` has more findings of, at or above `at_least`, than `before`, with
/// how many more: what a change introduced. Counted per rule, not by line or message:
/// an edit moves lines, and a message may quote the edited value.
pub fn added_by_rule<'a>(
    before: impl IntoIterator<Item = &'a Finding>,
    after: impl IntoIterator<Item = &'a Finding>,
    at_least: Severity,
) -> std::collections::BTreeMap<&'static str, usize> {
    let count = |list: &mut dyn Iterator<Item = &'a Finding>| {
        let mut n: std::collections::BTreeMap<&'static str, usize> = Default::default();
        for f in list.filter(|f| f.severity >= at_least) {
            *n.entry(f.rule.id).or_default() += 1;
        }
        n
    };
    let was = count(&mut before.into_iter());
    let mut now = count(&mut after.into_iter());
    now.retain(|rule, n| *n > was.get(rule).copied().unwrap_or(0));
    for (rule, n) in now.iter_mut() {
        *n -= was.get(rule).copied().unwrap_or(0);
    }
    now
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    #[serde(serialize_with = "rule_id")]
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    #[serde(skip)]
    pub span: Span,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

fn rule_id<S: Serializer>(meta: &&'static RuleMeta, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(meta.id)
}

impl Finding {
    /// A finding at `span` of `doc`, with the rule's default severity.
    pub fn at(
        meta: &'static RuleMeta,
        doc: &Document,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        let start = doc.lines.line_col(&doc.text, span.start);
        let end = doc.lines.line_col(&doc.text, span.end);
        Finding::located(meta, doc.path.clone(), span, start, end, message)
    }

    pub fn located(
        meta: &'static RuleMeta,
        file: Arc<str>,
        span: Span,
        start: LineCol,
        end: LineCol,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: meta,
            severity: meta.severity,
            file,
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            span,
            message: message.into(),
            hint: None,
            fix: None,
        }
    }

    /// Reports this finding below the rule's default severity (an advisory length check
    /// under a rule whose missing-element case is an error). `[rules]` in `sitewide.toml`
    /// still overrides it.
    pub fn advisory(mut self, severity: Severity) -> Finding {
        self.severity = self.severity.min(severity);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Finding {
        self.hint = hint;
        self
    }

    /// Attaches a fix that replaces `span` with `replacement`.
    pub fn fix(mut self, span: Span, replacement: impl Into<String>) -> Finding {
        self.fix = Some(Fix {
            start: span.start,
            end: span.end,
            replacement: replacement.into(),
        });
        self
    }

    pub fn id(&self) -> &'static str {
        self.rule.id
    }
}
