//! Tag detection: every analytics, advertising and consent tag a document loads, read from
//! the snippets as the vendors publish them (GTM, gtag.js, Universal Analytics, Segment,
//! the Meta, LinkedIn and TikTok pixels, OneTrust and Cookiebot), with the id each one
//! carries. Ids are literal, a template expression naming a site-config key, or dynamic.
//! Computed once per document (`Document::memo`): a layout is shared by every page.

use std::sync::Arc;

use serde::Serialize;

use super::{js, script, snippets};
use crate::qa::page::Document;
use crate::qa::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TagKind {
    Gtm,
    Gtag,
    Ua,
    Segment,
    MetaPixel,
    LinkedinInsight,
    TiktokPixel,
    Onetrust,
    Cookiebot,
}

impl TagKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TagKind::Gtm => "gtm",
            TagKind::Gtag => "gtag",
            TagKind::Ua => "ua",
            TagKind::Segment => "segment",
            TagKind::MetaPixel => "meta_pixel",
            TagKind::LinkedinInsight => "linkedin_insight",
            TagKind::TiktokPixel => "tiktok_pixel",
            TagKind::Onetrust => "onetrust",
            TagKind::Cookiebot => "cookiebot",
        }
    }

    /// A consent-management platform's loader, not a measurement tag.
    pub fn is_cmp(self) -> bool {
        matches!(self, TagKind::Onetrust | TagKind::Cookiebot)
    }

    /// A tag that counts a page as measured (the audit's `tagged`).
    pub fn is_measurement(self) -> bool {
        matches!(
            self,
            TagKind::Gtm | TagKind::Gtag | TagKind::Ua | TagKind::Segment
        )
    }

    /// An advertising pixel (TAG-015).
    pub fn is_pixel(self) -> bool {
        matches!(
            self,
            TagKind::MetaPixel | TagKind::LinkedinInsight | TagKind::TiktokPixel
        )
    }
}

/// The id a tag carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TagId {
    Literal(String),
    /// A template expression naming a site-config key (`site.google_analytics`,
    /// `.Site.Params.gtm`); `value` is filled by `values::SiteValues::resolve`.
    Config {
        key: String,
        value: Option<String>,
    },
    Dynamic,
}

impl TagId {
    /// The id as a report shows it: the value, `{{ key }}` when unresolved, or `dynamic`.
    pub fn display(&self) -> String {
        match self {
            TagId::Literal(s) => s.clone(),
            TagId::Config { value: Some(v), .. } => v.clone(),
            TagId::Config { key, value: None } => format!("{{{{ {key} }}}}"),
            TagId::Dynamic => "dynamic".into(),
        }
    }

    /// The id's value when known.
    pub fn value(&self) -> Option<&str> {
        match self {
            TagId::Literal(s) => Some(s),
            TagId::Config { value, .. } => value.as_deref(),
            TagId::Dynamic => None,
        }
    }

    /// Two ids name the same property: equal values, or the same config key.
    pub fn same_as(&self, other: &TagId) -> bool {
        match (self, other) {
            (TagId::Dynamic, _) | (_, TagId::Dynamic) => false,
            (TagId::Config { key: a, .. }, TagId::Config { key: b, .. }) if a == b => true,
            _ => self.value().is_some() && self.value() == other.value(),
        }
    }
}

/// Which part of an install a tag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// The script that loads the library: `<script src>` or an inline loader.
    Loader,
    /// The call that configures an id: `gtag('config')`, `ga('create')`, `fbq('init')`.
    Config,
    /// The `<noscript>` fallback (GTM iframe, pixel image).
    Noscript,
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub kind: TagKind,
    pub id: TagId,
    pub file: Arc<str>,
    pub span: Span,
    pub line: usize,
    pub column: usize,
    pub placement: Placement,
    /// The `<script>`, `<noscript>` or `<img>`/`<iframe>` element it sits in.
    pub element: usize,
}

/// Every tag `doc` loads, in source order (memoized on the document).
/// Ids written as template expressions are read from `values`, and a value decides the
/// kind where the snippet alone cannot (`gtag/js?id={{ site.ga }}` with `ga: UA-…` is
/// Universal Analytics).
pub fn tags(doc: &Document, values: &super::values::SiteValues) -> Arc<Vec<Tag>> {
    doc.memo(|| {
        let mut found = detect(doc);
        for t in &mut found {
            values.resolve(&mut t.id);
            if t.kind == TagKind::Gtag && t.id.value().is_some_and(|v| v.starts_with("UA-")) {
                t.kind = TagKind::Ua;
            }
        }
        found
    })
}

fn detect(doc: &Document) -> Vec<Tag> {
    let mut out = Vec::new();
    for (i, el) in doc.elements.iter().enumerate() {
        match el.name.as_ref() {
            "script" => {
                if let Some(src) = doc.attr(i, "src").and_then(|a| a.value) {
                    src_tag(doc, i, src, &mut out);
                }
            }
            "iframe" | "img" if doc.has_ancestor(i, "noscript") => noscript_tags(doc, i, &mut out),
            _ => {}
        }
    }
    for script in js::scripts(doc).iter() {
        let el = doc
            .elements_named("script")
            .find(|&e| doc.elements[e].content == Some(script.span));
        if let Some(el) = el {
            inline_tags(doc, el, script, &mut out);
        }
    }
    hugo_embedded_analytics(doc, &mut out);
    out.sort_by_key(|t| t.span.start);
    out
}

/// Hugo's embedded Google Analytics template (`{{ template "_internal/google_analytics.html"
/// . }}`, and the embedded partial `{{ partial "google_analytics.html" . }}` since Hugo
/// 0.125): a gtag.js install whose id is `services.googleAnalytics.id` in the site config.
fn hugo_embedded_analytics(doc: &Document, out: &mut Vec<Tag>) {
    if doc.engine != crate::qa::page::Engine::Hugo {
        return;
    }
    for r in doc.regions.all() {
        if r.kind == crate::qa::page::template::RegionKind::Comment {
            continue;
        }
        let code = doc.slice(r.span);
        let embedded = code.contains("\"_internal/google_analytics")
            || (code.contains("partial") && code.contains("\"google_analytics.html\""));
        let Some(el) = embedded.then(|| holder(doc, r.span.start)).flatten() else {
            continue;
        };
        let id = TagId::Config {
            key: "site.Config.Services.GoogleAnalytics.ID".into(),
            value: None,
        };
        push(doc, out, (TagKind::Gtag, id), r.span, el, Placement::Loader);
    }
}

/// The element a template tag at `offset` sits in (the innermost whose content holds it),
/// else the element before it, else the first one.
fn holder(doc: &Document, offset: usize) -> Option<usize> {
    let inside = doc
        .elements
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.content
                .is_some_and(|c| c.start <= offset && offset < c.end)
        })
        .max_by_key(|(_, e)| e.tag.start)
        .map(|(i, _)| i);
    inside
        .or_else(|| doc.elements.iter().rposition(|e| e.tag.end <= offset))
        .or_else(|| (!doc.elements.is_empty()).then_some(0))
}

fn push(
    doc: &Document,
    out: &mut Vec<Tag>,
    (kind, id): (TagKind, TagId),
    span: Span,
    el: usize,
    placement: Placement,
) {
    let at = doc.lines.line_col(&doc.text, span.start);
    out.push(Tag {
        kind,
        id,
        file: doc.path.clone(),
        span,
        line: at.line,
        column: at.column,
        placement,
        element: el,
    });
}

fn src_tag(doc: &Document, el: usize, src: Span, out: &mut Vec<Tag>) {
    let url = doc.slice(src);
    let lower = url.to_ascii_lowercase();
    let query_id = |name: &str| query_param(doc, src, name);
    let (kind, id) = if lower.contains("googletagmanager.com/gtm.js") {
        (TagKind::Gtm, query_id("id"))
    } else if lower.contains("googletagmanager.com/gtag/js") {
        let id = query_id("id");
        let ua = id.value().is_some_and(|v| v.starts_with("UA-"));
        (if ua { TagKind::Ua } else { TagKind::Gtag }, id)
    } else if lower.contains("google-analytics.com/analytics.js")
        || lower.contains("google-analytics.com/ga.js")
        || lower.contains("stats.g.doubleclick.net/dc.js")
    {
        (TagKind::Ua, TagId::Dynamic)
    } else if lower.contains("cdn.segment.com/analytics.js/v1/") {
        (TagKind::Segment, segment_key(doc, src))
    } else if lower.contains("connect.facebook.net/") && lower.contains("fbevents.js") {
        (TagKind::MetaPixel, TagId::Dynamic)
    } else if lower.contains("snap.licdn.com/li.lms-analytics/insight") {
        (TagKind::LinkedinInsight, TagId::Dynamic)
    } else if lower.contains("analytics.tiktok.com/i18n/pixel/") {
        (TagKind::TiktokPixel, query_id("sdkid"))
    } else if lower.contains("cdn.cookielaw.org/")
        || lower.contains("optanon.blob.core.windows.net/")
        || lower.contains("cookie-cdn.cookiepro.com/")
    {
        let id = attr_id(doc, el, "data-domain-script").unwrap_or_else(|| {
            // The autoblock script carries the id in its path: /consent/<id>/OtAutoBlock.js.
            path_segment_after(doc, src, "/consent/")
        });
        (TagKind::Onetrust, id)
    } else if lower.contains("consent.cookiebot.com/") || lower.contains("consent.cookiebot.eu/") {
        let id = attr_id(doc, el, "data-cbid").unwrap_or_else(|| query_id("cbid"));
        (TagKind::Cookiebot, id)
    } else {
        return;
    };
    push(doc, out, (kind, id), src, el, Placement::Loader);
}

/// The id in a `<noscript>` fallback: GTM's `ns.html?id=`, the Meta and LinkedIn images.
fn noscript_tags(doc: &Document, el: usize, out: &mut Vec<Tag>) {
    let Some(src) = doc.attr(el, "src").and_then(|a| a.value) else {
        return;
    };
    let lower = doc.slice(src).to_ascii_lowercase();
    let (kind, param) = if lower.contains("googletagmanager.com/ns.html") {
        (TagKind::Gtm, "id")
    } else if lower.contains("facebook.com/tr") {
        (TagKind::MetaPixel, "id")
    } else if lower.contains("px.ads.linkedin.com/collect") {
        (TagKind::LinkedinInsight, "pid")
    } else {
        return;
    };
    let id = query_param(doc, src, param);
    push(doc, out, (kind, id), src, el, Placement::Noscript);
}

/// The inline snippets: ids passed to the vendors' calls, GTM's loader, and the loaders
/// the snippets inject when no call names their id.
fn inline_tags(doc: &Document, el: usize, script: &js::Script, out: &mut Vec<Tag>) {
    let before = out.len();
    for c in snippets::configured(doc, script) {
        let id = script::arg_id(doc, c.arg);
        let kind = match (c.kind, id.value()) {
            (TagKind::Gtag, Some(v)) if v.starts_with("UA-") => TagKind::Ua,
            (TagKind::Gtag, Some(v)) if v.starts_with("GTM-") => TagKind::Gtm,
            (k, _) => k,
        };
        push(doc, out, (kind, id), c.arg, el, Placement::Config);
    }
    let gtm_url = snippets::loader_string(script, TagKind::Gtm);
    if let (Some(_), Some(arg)) = (gtm_url, snippets::gtm_iife(script)) {
        let id = script::arg_id(doc, arg);
        push(doc, out, (TagKind::Gtm, id), arg, el, Placement::Loader);
    }
    for (_, kind) in snippets::INLINE_LOADERS {
        if out[before..].iter().any(|t| t.kind == *kind) {
            continue;
        }
        if let Some(span) = snippets::loader_string(script, *kind) {
            let id = if *kind == TagKind::Gtm {
                script::GTM_ID
                    .find(doc.slice(script.span))
                    .map_or(TagId::Dynamic, |m| TagId::Literal(m.as_str().to_string()))
            } else {
                TagId::Dynamic
            };
            push(doc, out, (*kind, id), span, el, Placement::Loader);
        }
    }
}

/// The value of query parameter `name` in the URL at `src`: literal, config or dynamic.
fn query_param(doc: &Document, src: Span, name: &str) -> TagId {
    let url = doc.slice(src);
    let Some(q) = url.find('?') else {
        return TagId::Dynamic;
    };
    let mut pos = q + 1;
    for pair in url[q + 1..].split(['&', ';']) {
        let pair_start = pos;
        pos += pair.len() + 1;
        let pair = pair.strip_prefix("amp;").unwrap_or(pair);
        let lead = if url[pair_start..].starts_with("amp;") {
            4
        } else {
            0
        };
        if let Some((k, v)) = pair.split_once('=')
            && k == name
        {
            let start = src.start + pair_start + lead + k.len() + 1;
            return script::value_id(doc, Span::new(start, start + v.len()));
        }
    }
    TagId::Dynamic
}

/// Segment's write key: `cdn.segment.com/analytics.js/v1/<key>/analytics.min.js`.
fn segment_key(doc: &Document, src: Span) -> TagId {
    path_segment_after(doc, src, "/analytics.js/v1/")
}

fn path_segment_after(doc: &Document, src: Span, marker: &str) -> TagId {
    let url = doc.slice(src);
    let Some(at) = url.find(marker) else {
        return TagId::Dynamic;
    };
    let start = at + marker.len();
    let len = url[start..]
        .find(['/', '?', '#'])
        .unwrap_or(url.len() - start);
    if len == 0 {
        return TagId::Dynamic;
    }
    script::value_id(doc, Span::new(src.start + start, src.start + start + len))
}

fn attr_id(doc: &Document, el: usize, name: &str) -> Option<TagId> {
    let v = doc.attr(el, name)?.value?;
    Some(script::value_id(doc, v))
}

#[cfg(test)]
#[path = "tags_tests.rs"]
mod tests;
