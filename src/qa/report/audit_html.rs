//! The audit as one self-contained HTML file a marketer can open: inline CSS, no script, no
//! external request. Counts per status, the coverage table, the ids, the events, and the
//! findings grouped by rule. Every value from the repository is escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::qa::audit::AuditReport;
use crate::qa::finding::Finding;

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1d1d1f;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f6f6f7}code{font:13px ui-monospace,monospace}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:.5rem;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.5rem}
.s-tagged{color:#1a7f37}.s-not_tagged,.s-tagged_twice{color:#b42318}.s-consent_missing,.s-consent_after_tags{color:#b54708}
.error{color:#b42318}.warning{color:#b54708}.info{color:#555}";

/// Escapes text for HTML content and double-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn audit_html(a: &AuditReport) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tagging audit</title><style>{STYLE}</style></head><body>\n<h1>Tagging audit</h1>\n<p>{} pages, {} findings.</p>\n<div class=\"cards\">",
        a.coverage.len(),
        a.check.findings.len()
    );
    for (s, n) in a.counts() {
        let _ = write!(
            o,
            "<div class=\"card s-{}\"><b>{n}</b>{}</div>",
            s.as_str(),
            esc(s.label())
        );
    }
    o.push_str(
        "</div>\n<h2>Coverage</h2>\n<table><tr><th>Page</th><th>Status</th><th>Tags</th></tr>\n",
    );
    for c in &a.coverage {
        // One entry per kind and id (a GTM install is a head script and a noscript), with
        // every place it is written.
        let mut grouped: Vec<((&str, String), Vec<String>)> = Vec::new();
        for t in &c.tags {
            let key = (t.kind.as_str(), t.id.display());
            let place = format!("{}:{}", esc(&t.file), t.line);
            match grouped.iter_mut().find(|(k, _)| *k == key) {
                Some((_, places)) => places.push(place),
                None => grouped.push((key, vec![place])),
            }
        }
        let tags: Vec<String> = grouped
            .iter()
            .map(|((kind, id), places)| {
                format!(
                    "{} <code>{}</code> <small>{}</small>",
                    esc(kind),
                    esc(id),
                    places.join(", ")
                )
            })
            .collect();
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td class=\"s-{}\">{}</td><td>{}</td></tr>",
            esc(&c.file),
            c.status.as_str(),
            esc(c.status.label()),
            tags.join("<br>")
        );
    }
    o.push_str("</table>\n<h2>Layouts and includes</h2>\n<table><tr><th>File</th><th>Pages built from it</th></tr>\n");
    for l in &a.layouts {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            esc(&l.file),
            esc(&super::audit_table::layout_statuses(l))
        );
    }
    o.push_str("</table>\n<h2>Ids found</h2>\n<table><tr><th>Kind</th><th>Id</th><th>Pages</th><th>Where</th></tr>\n");
    for i in &a.ids {
        let places: Vec<String> = i
            .places
            .iter()
            .map(|(f, l)| format!("{}:{l}", esc(f)))
            .collect();
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(i.kind.as_str()),
            esc(&i.id),
            i.pages,
            places.join("<br>")
        );
    }
    o.push_str("</table>\n<h2>Events</h2>\n<table><tr><th>Event</th><th>Properties</th><th>Where</th></tr>\n");
    for e in &a.events {
        let props: Vec<String> = e
            .properties
            .iter()
            .map(|(k, v)| format!("<code>{}</code> {}", esc(k), esc(v.type_name())))
            .collect();
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}:{}</td></tr>",
            esc(&e.name),
            props.join(", "),
            esc(&e.file),
            e.line
        );
    }
    o.push_str("</table>\n<h2>Findings</h2>\n");
    findings_by_rule(&a.check.findings, &mut o);
    o.push_str("</body></html>\n");
    o
}

fn findings_by_rule(findings: &[Finding], o: &mut String) {
    if findings.is_empty() {
        o.push_str("<p>No findings.</p>\n");
    }
    let mut by: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by.entry(f.rule.id).or_default().push(f);
    }
    for (id, list) in by {
        let m = list[0].rule;
        let _ = writeln!(
            o,
            "<h3>{} {} ({})</h3>\n<p>{}</p>\n<table><tr><th>Where</th><th>Severity</th><th>Finding</th></tr>",
            esc(id),
            esc(m.summary),
            list.len(),
            esc(m.why)
        );
        for f in list {
            let hint = f
                .hint
                .as_deref()
                .map_or(String::new(), |h| format!("<br><small>{}</small>", esc(h)));
            let _ = writeln!(
                o,
                "<tr><td><code>{}:{}:{}</code></td><td class=\"{}\">{}</td><td>{}{hint}</td></tr>",
                esc(&f.file),
                f.line,
                f.column,
                f.severity.as_str(),
                f.severity.as_str(),
                esc(&f.message)
            );
        }
        o.push_str("</table>\n");
    }
}
