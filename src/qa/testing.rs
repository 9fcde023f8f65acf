//! Test helpers: check a small tree written to a temporary folder, as `sitewide check` would.

use super::engine::{self, Selection};
use super::finding::Finding;
use crate::config::{STARTER, SiteConfig};

/// The year rules see in tests (CNT-001).
pub const YEAR: i32 = 2026;

/// The day rules see in tests (CON-001, CON-004): the `SITEWIDE_NOW` the CLI tests set.
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 27).expect("a valid date")
}

/// The files of a rule's `bad` or `good` example: `index.html` with the whole text, or,
/// when the text starts with a `==> path <==` line (as `head` prints several files), one
/// file per such header.
pub fn example_files(text: &str) -> Vec<(&str, &str)> {
    if !text.starts_with("==> ") {
        return vec![("index.html", text)];
    }
    let mut out = Vec::new();
    for chunk in text.split("==> ").filter(|c| !c.is_empty()) {
        if let Some((head, body)) = chunk.split_once(" <==\n") {
            out.push((head.trim(), body));
        }
    }
    out
}

/// Checks `files` (path, content) with the given `sitewide.toml` text (`""` for the
/// embedded defaults) and every rule.
pub fn check_files(files: &[(&str, &str)], config: &str) -> Vec<Finding> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("a file has a parent")).expect("create folders");
        std::fs::write(&p, text).expect("write fixture");
    }
    let config = if config.is_empty() {
        SiteConfig::default()
    } else {
        SiteConfig::parse(&dir.path().join("sitewide.toml"), config).expect("valid test config")
    };
    let selection = Selection::new(&config, &[]).expect("all rules");
    let tree = super::tree::Disk::new(dir.path());
    let report = engine::check_on(&tree, &config, &selection, YEAR, today()).expect("check runs");
    report.findings
}

/// Like `check_files` with the starter `sitewide.toml` (the one `sitewide init` writes).
pub fn check_with_starter(files: &[(&str, &str)]) -> Vec<Finding> {
    check_files(files, STARTER)
}

/// `(file, line, column)` of the findings of one rule, in report order.
pub fn at(findings: &[Finding], rule: &str) -> Vec<(String, usize, usize)> {
    findings
        .iter()
        .filter(|f| f.rule.id == rule)
        .map(|f| (f.file.to_string(), f.line, f.column))
        .collect()
}

/// Applies every fix of `rule` to `text` (as `--fix` would) and returns the result.
pub fn fixed(text: &str, findings: &[Finding], rule: &str) -> String {
    let fixes: Vec<_> = findings
        .iter()
        .filter(|f| f.rule.id == rule)
        .filter_map(|f| f.fix.clone())
        .collect();
    super::fix::apply(text, &fixes).0
}
