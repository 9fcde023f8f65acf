//! The human report: findings grouped by file, then a one-line summary and notices about
//! files that were not checked.

use std::fmt::Write;

use crate::qa::engine::Report;

pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for f in &report.findings {
        if current != Some(f.file.as_ref()) {
            if current.is_some() {
                out.push('\n');
            }
            let _ = writeln!(out, "{}", f.file);
            current = Some(f.file.as_ref());
        }
        let pos = format!("{}:{}", f.line, f.column);
        let fix = if f.fix.is_some() { "  [fixable]" } else { "" };
        let _ = writeln!(
            out,
            "  {pos:<8} {:<8} {:<8} {}{fix}",
            f.severity.as_str(),
            f.rule.id,
            f.message
        );
        if let Some(h) = &f.hint {
            let _ = writeln!(out, "  {:<8} {:<8} {:<8} = hint: {h}", "", "", "");
        }
        if let Some(fix) = &f.fix {
            let what = if fix.replacement.is_empty() {
                "remove the marked text".to_string()
            } else {
                format!("write `{}`", fix.replacement.replace('\n', "\\n"))
            };
            let _ = writeln!(
                out,
                "  {:<8} {:<8} {:<8} = fix: {what} (sitewide check --fix)",
                "", "", ""
            );
        }
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }
    let count = |s: &str| {
        report
            .findings
            .iter()
            .filter(|f| f.severity.as_str() == s)
            .count()
    };
    let fixable = report.findings.iter().filter(|f| f.fix.is_some()).count();
    let _ = write!(
        out,
        "{} errors, {} warnings, {} info in {} files ({} pages, {} templates; {:?} site)",
        count("error"),
        count("warning"),
        count("info"),
        report.files_checked(),
        report.pages,
        report.templates,
        report.generator,
    );
    if fixable > 0 {
        let _ = write!(out, "; {fixable} fixable with --fix");
    }
    out.push('\n');
    for (ext, n) in &report.unchecked {
        let _ = writeln!(
            out,
            "note: {n} {ext} files not checked: the page model does not read this file type"
        );
    }
    for s in &report.skipped {
        let _ = writeln!(out, "note: {}: {}", s.file, s.reason);
    }
    out
}
