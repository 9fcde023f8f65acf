//! The vendors' inline snippets, read from the parsed scripts (`js`): the calls that
//! configure an id (`gtag('config', …)`, `ga('create', …)`, `_gaq.push(['_setAccount', …])`,
//! `analytics.load(…)`, `fbq('init', …)`, `ttq.load(…)`, `_linkedin_partner_id = …`), GTM's
//! loader IIFE, the loader URLs the snippets inject, Consent Mode calls and the data layer's
//! initialisation. Ids keep the argument's source span, so a template expression is read
//! from the document (`'{{ site.ga }}'` names a config key).

use super::Value;
use super::js::{Call, Script};
use super::tags::TagKind;
use crate::qa::page::Document;
use crate::qa::source::Span;

/// An id a call or assignment configures: its kind and the argument's span.
pub struct Configured {
    pub kind: TagKind,
    pub arg: Span,
}

fn str_arg(c: &Call, i: usize) -> Option<&str> {
    match c.args.get(i)? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// The ids the calls and assignments of `script` configure, in source order.
pub fn configured(doc: &Document, script: &Script) -> Vec<Configured> {
    let mut out = Vec::new();
    for c in &script.calls {
        let arg = |i: usize| c.arg_spans.get(i).copied();
        let found = match (c.callee.as_str(), str_arg(c, 0)) {
            ("gtag", Some("config")) => arg(1).map(|a| (TagKind::Gtag, a)),
            ("ga" | "__gaTracker", Some("create")) => arg(1).map(|a| (TagKind::Ua, a)),
            ("_gaq.push", _) => set_account(doc, c).map(|a| (TagKind::Ua, a)),
            ("analytics.load", _) => arg(0).map(|a| (TagKind::Segment, a)),
            ("fbq", Some("init")) => arg(1).map(|a| (TagKind::MetaPixel, a)),
            ("ttq.load", _) => arg(0).map(|a| (TagKind::TiktokPixel, a)),
            _ => None,
        };
        if let Some((kind, arg)) = found {
            out.push(Configured { kind, arg });
        }
    }
    for a in &script.assignments {
        let target = a.target.trim_start_matches("window.");
        if target == "_linkedin_partner_id"
            && let Some(value) = assigned_value(doc, a.span)
        {
            out.push(Configured {
                kind: TagKind::LinkedinInsight,
                arg: value,
            });
        }
    }
    out.sort_by_key(|c| c.arg.start);
    out
}

/// `_gaq.push(['_setAccount', 'UA-…'])`: the span of the account id.
fn set_account(doc: &Document, c: &Call) -> Option<Span> {
    let Some(Value::Array(items)) = c.args.first() else {
        return None;
    };
    if !matches!(items.first(), Some(Value::String(s)) if s == "_setAccount") {
        return None;
    }
    let within = *c.arg_spans.first()?;
    let text = doc.slice(within);
    let after = text.find("_setAccount")? + "_setAccount".len() + 1;
    let comma = text[after..].find(',')? + after + 1;
    let end = text[comma..].find(']').map_or(text.len(), |e| comma + e);
    let raw = &text[comma..end];
    let lead = raw.len() - raw.trim_start().len();
    Some(Span::new(
        within.start + comma + lead,
        within.start + comma + raw.trim_end().len(),
    ))
}

/// The span of the value of `target = value` (without a trailing `;`).
fn assigned_value(doc: &Document, span: Span) -> Option<Span> {
    let text = doc.slice(span);
    let eq = text.find('=')? + 1;
    let rest = &text[eq..];
    let lead = rest.len() - rest.trim_start().len();
    let body = rest.trim().trim_end_matches(';').trim_end();
    (!body.is_empty())
        .then(|| Span::new(span.start + eq + lead, span.start + eq + lead + body.len()))
}

/// GTM's loader IIFE, `(function(w,d,s,l,i){…})(window,document,'script','dataLayer','GTM-…')`:
/// the span of its id argument.
pub fn gtm_iife(script: &Script) -> Option<Span> {
    script.calls.iter().find_map(|c| {
        let is_gtm = c.callee == "(function)"
            && c.args.len() >= 5
            && matches!(&c.args[2], Value::String(s) if s == "script");
        is_gtm.then(|| c.arg_spans.last().copied()).flatten()
    })
}

/// Loader URLs the vendors' inline snippets contain, and the tag each loads.
pub const INLINE_LOADERS: &[(&str, TagKind)] = &[
    ("googletagmanager.com/gtm.js", TagKind::Gtm),
    ("google-analytics.com/analytics.js", TagKind::Ua),
    ("google-analytics.com/ga.js", TagKind::Ua),
    ("stats.g.doubleclick.net/dc.js", TagKind::Ua),
    ("cdn.segment.com/analytics.js", TagKind::Segment),
    ("connect.facebook.net/", TagKind::MetaPixel),
    (
        "snap.licdn.com/li.lms-analytics/insight",
        TagKind::LinkedinInsight,
    ),
    (
        "analytics.tiktok.com/i18n/pixel/events.js",
        TagKind::TiktokPixel,
    ),
];

/// The first string literal of `script` holding a loader URL of `kind`.
pub fn loader_string(script: &Script, kind: TagKind) -> Option<Span> {
    script.strings.iter().find_map(|(s, span)| {
        INLINE_LOADERS
            .iter()
            .any(|(needle, k)| *k == kind && s.contains(needle))
            .then_some(*span)
    })
}

/// `gtag('consent', 'default' | 'update', {...})`: whether it is an update, and its keys.
pub fn consent_call(c: &Call) -> Option<(bool, Vec<String>)> {
    if c.callee != "gtag" || str_arg(c, 0) != Some("consent") {
        return None;
    }
    let update = match str_arg(c, 1)? {
        "default" => false,
        "update" => true,
        _ => return None,
    };
    let keys = match c.args.get(2) {
        Some(Value::Object(props)) => props.iter().map(|(k, _)| k.clone()).collect(),
        _ => Vec::new(),
    };
    Some((update, keys))
}

/// `dataLayer.push(…)` on the page's data layer.
pub fn is_datalayer_push(c: &Call) -> bool {
    matches!(
        c.callee.as_str(),
        "dataLayer.push" | "window.dataLayer.push"
    )
}

/// `(window.)dataLayer = …`: `Some(true)` for the `|| []` initialisation, `Some(false)` for
/// an array literal that replaces it.
pub fn datalayer_assignment(
    doc: &Document,
    target: &str,
    value: &Value,
    span: Span,
) -> Option<bool> {
    if target.trim_start_matches("window.") != "dataLayer" {
        return None;
    }
    match value {
        Value::Array(_) => Some(false),
        _ => Some(doc.slice(span).contains("||")),
    }
}
