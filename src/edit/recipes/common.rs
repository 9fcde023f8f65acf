//! What the recipes built on QA rules share: asking the QA engine for the fixes its
//! file-level rules offer (kept off template syntax by `markup::guarded`).

use super::markup;
use crate::qa::engine;
use crate::qa::finding::{Finding, Fix};
use crate::qa::page::Document;
use crate::qa::rules::Settings;

/// The findings of the file-level rules matching `patterns` on `doc` (see
/// `engine::check_document`); a bad pattern yields none, since `validate` refused it.
pub fn findings(doc: &Document, settings: &Settings, patterns: &[&str]) -> Vec<Finding> {
    let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
    engine::check_document(doc, settings, &patterns).unwrap_or_default()
}

/// The fixes the findings carry, minus any that would touch template syntax.
pub fn fixes_of(doc: &Document, findings: &[Finding]) -> Vec<Fix> {
    let fixes: Vec<Fix> = findings.iter().filter_map(|f| f.fix.clone()).collect();
    markup::guarded(doc, fixes)
}
