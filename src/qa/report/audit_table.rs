//! The audit for people: the coverage table (Page, Status, Tags), the ids found and where,
//! the events the code sends, then the check's findings as `check` prints them.

use std::fmt::Write;

use crate::qa::audit::AuditReport;

pub fn audit_table(a: &AuditReport) -> String {
    let mut out = String::new();
    let rows: Vec<(String, &str, String)> = a
        .coverage
        .iter()
        .map(|c| {
            // One entry per kind and id: a GTM install is a head script and a noscript.
            let mut tags: Vec<String> = Vec::new();
            for t in &c.tags {
                let s = format!("{} {}", t.kind.as_str(), t.id.display());
                if !tags.contains(&s) {
                    tags.push(s);
                }
            }
            (c.file.to_string(), c.status.label(), tags.join(", "))
        })
        .collect();
    let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(4).max(4);
    let _ = writeln!(out, "Coverage");
    let _ = writeln!(out, "  {:<w$}  {:<18}  Tags", "Page", "Status");
    for (page, status, tags) in &rows {
        let _ = writeln!(out, "  {page:<w$}  {status:<18}  {tags}");
    }
    let counts: Vec<String> = a
        .counts()
        .iter()
        .map(|(s, n)| format!("{n} {}", s.label().to_lowercase()))
        .collect();
    let _ = writeln!(out, "  {} pages: {}\n", a.coverage.len(), counts.join(", "));
    let _ = writeln!(out, "Layouts and includes");
    let w = a
        .layouts
        .iter()
        .map(|l| l.file.len())
        .max()
        .unwrap_or(4)
        .max(4);
    for l in &a.layouts {
        let _ = writeln!(out, "  {:<w$}  {}", l.file, layout_statuses(l));
    }
    if a.layouts.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Ids found");
    if a.ids.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for i in &a.ids {
        let places: Vec<String> = i.places.iter().map(|(f, l)| format!("{f}:{l}")).collect();
        let _ = writeln!(
            out,
            "  {:<16} {:<24} {} pages  {}",
            i.kind.as_str(),
            i.id,
            i.pages,
            places.join(", ")
        );
    }
    let _ = writeln!(out, "\nEvents");
    if a.events.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for e in &a.events {
        let props: Vec<String> = e
            .properties
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.type_name()))
            .collect();
        let _ = writeln!(
            out,
            "  {:<32} {}:{}  {{{}}}",
            e.name,
            e.file,
            e.line,
            props.join(", ")
        );
    }
    let _ = writeln!(out, "\nFindings");
    out.push_str(&super::table(&a.check));
    out
}

/// `29 pages: 27 tagged, 1 tagged twice, 1 consent after tags`.
pub fn layout_statuses(l: &crate::qa::audit::LayoutCoverage) -> String {
    let parts: Vec<String> = l
        .statuses
        .iter()
        .map(|(s, n)| format!("{n} {}", s.label().to_lowercase()))
        .collect();
    let noun = if l.pages == 1 { "page" } else { "pages" };
    format!("{} {noun}: {}", l.pages, parts.join(", "))
}
