//! LNK-004 broken-external-link: an external http(s) link that answers with an error after
//! the retries, or not at all (DNS, connection, TLS, timeout, a redirect loop). The one rule
//! that needs the network, so it runs only when the user turns external link checking on:
//! the engine collects each file's external links here ([`collect`]), `crate::links`
//! requests them, and [`findings`] turns the outcomes into findings at every occurrence.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::{Document, LinkKind};
use crate::qa::rules::{Rule, Settings};
use crate::qa::site::Loc;
use crate::qa::source::Span;
use crate::qa::suppress::Suppressions;
use crate::qa::url::{Target, UrlRef};

pub static META: RuleMeta = RuleMeta {
    id: "LNK-004",
    name: "broken-external-link",
    severity: Severity::Warning,
    fix: FixKind::ReportOnly,
    summary: "External link that answers with an error or not at all (checked only when external link checking is on)",
    why: "A dead partner, docs or social link costs the visitor's trust and the click; other sites change without telling you, so only a scheduled check finds it.",
    bad: r#"<a href="https://partner.example.org/old-offer">The offer</a>"#,
    good: r#"<a href="https://partner.example.org/offer">The offer</a>"#,
    source: "lychee link checker; DOMAIN.md §3 [S75]",
};

pub struct ExternalLink;

impl Rule for ExternalLink {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn network(&self) -> bool {
        true
    }
}

/// One external link as written in a file: the URL requested (without its fragment) and
/// where it is.
#[derive(Debug, Clone)]
pub struct ExternalRef {
    pub url: String,
    pub at: Loc,
}

/// What requesting a URL came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// An answer below 400, after any redirects (`final_url` when it moved).
    Ok {
        status: u16,
        final_url: Option<String>,
    },
    /// A 4xx or 5xx answer after the retries.
    Status {
        status: u16,
        final_url: Option<String>,
    },
    /// No answer: DNS failure, refused connection, TLS error, timeout, too many redirects.
    Failed { reason: String },
}

impl Outcome {
    pub fn is_broken(&self) -> bool {
        !matches!(self, Outcome::Ok { .. })
    }
}

/// The literal external http(s) links of one file, less those an inline
/// `sitewide-ignore LNK-004` silences. Links built by a template, non-http schemes, form
/// actions and `preconnect`/`dns-prefetch` origins are not requested.
pub fn collect(doc: &Document, settings: &Settings, silenced: &Suppressions) -> Vec<ExternalRef> {
    let mut out = Vec::new();
    for link in &doc.links {
        if matches!(link.kind, LinkKind::Form) || is_origin_hint(doc, link.element) {
            continue;
        }
        let url = UrlRef::parse(doc, link.url);
        if !matches!(url.target(settings.internal_hosts), Target::External(_))
            || !doc.regions.within(url.span).is_empty()
        {
            continue;
        }
        let Some(text) = request_url(doc, &url) else {
            continue;
        };
        let at = crate::qa::view::loc(doc, url.span);
        if silenced.silences(META.id, at.start.line) {
            continue;
        }
        out.push(ExternalRef { url: text, at });
    }
    out
}

/// The URL to request: the link without its fragment, entities decoded, `https:` in
/// front of a protocol-relative one; `None` for anything that is not a plain URL.
fn request_url(doc: &Document, url: &UrlRef) -> Option<String> {
    let end = url.fragment.map_or(url.span.end, |f| f.start - 1);
    let raw = doc
        .slice(Span::new(url.span.start, end))
        .replace("&amp;", "&");
    if raw.is_empty() || raw.contains(|c: char| c.is_whitespace() || "<>\"'{}\\".contains(c)) {
        return None;
    }
    match url.scheme.as_deref() {
        Some("http" | "https") => Some(raw),
        None if raw.starts_with("//") => Some(format!("https:{raw}")),
        _ => None,
    }
}

/// `<link rel="preconnect|dns-prefetch">` names an origin to warm up, not a page.
fn is_origin_hint(doc: &Document, element: Option<usize>) -> bool {
    element
        .and_then(|el| doc.attr_value(el, "rel"))
        .is_some_and(|rel| {
            rel.split_whitespace().any(|r| {
                r.eq_ignore_ascii_case("preconnect") || r.eq_ignore_ascii_case("dns-prefetch")
            })
        })
}

/// A finding at every occurrence of every URL whose outcome is broken.
pub fn findings(refs: &[ExternalRef], outcomes: &HashMap<String, Outcome>) -> Vec<Finding> {
    refs.iter()
        .filter_map(|r| {
            let outcome = outcomes.get(&r.url).filter(|o| o.is_broken())?;
            let at = &r.at;
            Some(
                Finding::located(
                    &META,
                    at.file.clone(),
                    at.span,
                    at.start,
                    at.end,
                    message(&r.url, outcome),
                )
                .hint(hint(outcome)),
            )
        })
        .collect()
}

fn message(raw: &str, outcome: &Outcome) -> String {
    let url = crate::workspace::redact(raw);
    match outcome {
        Outcome::Status {
            status,
            final_url: Some(f),
        } if f != raw => format!(
            "broken external link: `{url}` redirects to `{}`, which answers {status}",
            crate::workspace::redact(f)
        ),
        Outcome::Status { status, .. } => {
            format!("broken external link: `{url}` answers {status}")
        }
        Outcome::Failed { reason } => format!("broken external link: `{url}`: {reason}"),
        Outcome::Ok { .. } => format!("external link `{url}` works"),
    }
}

fn hint(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Status { status: 429, .. } | Outcome::Failed { .. } => {
            "the server may be down or slow: check the link by hand; if it blocks checkers, list it under [links.external] ignore"
        }
        _ => {
            "update the link to the page's new address or remove it; list it under [links.external] ignore if the server refuses checkers"
        }
    }
}
