//! What tag detection reads inside inline `<script>` elements: the vendors' configuring
//! calls (`gtag('config', …)`, `fbq('init', …)`), Consent Mode calls and the data layer's
//! initialisation, on the script text with its comments blanked out. An argument written as
//! a template expression (`'{{ site.gtm_id }}'`) names a site-config key.

use std::sync::LazyLock;

use regex::Regex;

use super::tags::{TagId, TagKind};
use crate::qa::page::Document;
use crate::qa::page::template::RegionKind;
use crate::qa::source::Span;

/// An argument: a quoted string, a template expression, or an identifier (dynamic).
const ARG: &str = r#"(?P<arg>'[^'\n]*'|"[^"\n]*"|\{\{.*?\}\}|[A-Za-z_$][\w$.]*)"#;

pub struct Call {
    pub kind: TagKind,
    pub regex: Regex,
}

fn call(kind: TagKind, head: &str) -> Call {
    Call {
        kind,
        regex: Regex::new(&format!("{head}{ARG}")).expect("valid regex"),
    }
}

/// The calls that configure a tag's id, as the vendors' snippets write them.
pub static CALLS: LazyLock<Vec<Call>> = LazyLock::new(|| {
    vec![
        call(TagKind::Gtag, r#"\bgtag\s*\(\s*['"]config['"]\s*,\s*"#),
        call(
            TagKind::Ua,
            r#"\b(?:ga|__gaTracker)\s*\(\s*['"]create['"]\s*,\s*"#,
        ),
        call(
            TagKind::Ua,
            r#"\b_gaq\.push\s*\(\s*\[\s*['"]_setAccount['"]\s*,\s*"#,
        ),
        call(TagKind::Segment, r#"\banalytics\.load\s*\(\s*"#),
        call(TagKind::MetaPixel, r#"\bfbq\s*\(\s*['"]init['"]\s*,\s*"#),
        call(TagKind::LinkedinInsight, r#"\b_linkedin_partner_id\s*=\s*"#),
        call(TagKind::TiktokPixel, r#"\bttq\.load\s*\(\s*"#),
    ]
});

/// GTM's loader IIFE: `})(window,document,'script','dataLayer','GTM-XXXX');`.
pub static GTM_IIFE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"\(\s*window\s*,\s*document\s*,\s*['"]script['"]\s*,\s*['"][\w$]+['"]\s*,\s*{ARG}\s*\)"#
    ))
    .expect("valid regex")
});

pub static GTM_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bGTM-[A-Z0-9]{4,}\b").expect("valid regex"));

static CONSENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bgtag\s*\(\s*['"]consent['"]\s*,\s*['"](?P<mode>default|update)['"]\s*(?:,\s*\{(?P<body>[^}]*)\})?"#)
        .expect("valid regex")
});

static DATALAYER_INIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:window\s*(?:\.\s*|\[\s*['"]))?dataLayer['"]?\s*\]?\s*=\s*(?:window\s*(?:\.\s*|\[\s*['"]))?dataLayer['"]?\s*\]?\s*\|\|\s*\[\s*\]"#)
        .expect("valid regex")
});

static DATALAYER_PUSH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bdataLayer\s*\.\s*push\s*\(").expect("valid regex"));

/// `dataLayer = [...]`: replaces the array GTM reads instead of adding to it.
static DATALAYER_RESET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[;{}\s.(])dataLayer\s*=\s*\[").expect("valid regex"));

/// Names of the consent platforms' callbacks and APIs: code using them runs on consent.
const CONSENT_APIS: &[&str] = &[
    "OptanonWrapper",
    "OnetrustActiveGroups",
    "OptanonActiveGroups",
    "OneTrust.OnConsentChanged",
    "CookiebotOnAccept",
    "CookiebotOnConsentReady",
    "Cookiebot.consent",
    "__tcfapi",
    "klaro",
    "CookieConsent.",
];

/// Script URLs of other consent platforms (their loaders, as their docs publish them).
pub const OTHER_CMPS: &[&str] = &[
    "app.usercentrics.eu/",
    "web.cmp.usercentrics.eu/",
    "sdk.privacy-center.org/",
    "cmp.osano.com/",
    "app.termly.io/",
    "cdn.iubenda.com/cs/",
    "cdn-cookieyes.com/",
    "consent.trustarc.com/",
    "cmp.quantcast.com/",
    "cc.cdn.civiccomputing.com/",
    "cookieconsent.min.js",
    "klaro.js",
    "cookie-script.com/",
];

/// A Consent Mode call: `gtag('consent', 'default' | 'update', {...})`.
#[derive(Debug, Clone)]
pub struct Consent {
    pub update: bool,
    /// The keys of its object literal (`ad_storage`, …).
    pub keys: Vec<String>,
    pub span: Span,
}

/// What one document's inline scripts do besides loading tags.
#[derive(Debug, Default)]
pub struct ScriptFacts {
    pub consent: Vec<Consent>,
    /// `window.dataLayer = window.dataLayer || []`.
    pub datalayer_inits: Vec<Span>,
    /// `dataLayer.push(` calls.
    pub datalayer_pushes: Vec<Span>,
    /// `dataLayer = [...]` assignments.
    pub datalayer_resets: Vec<Span>,
    /// `<script src>` loaders of consent platforms other than OneTrust and Cookiebot.
    pub other_cmps: Vec<Span>,
    /// Script elements whose code runs from a consent callback or checks consent.
    pub consent_gated: Vec<usize>,
}

/// The facts of `doc`'s inline scripts (memoized on the document).
pub fn facts(doc: &Document) -> std::sync::Arc<ScriptFacts> {
    doc.memo(|| {
        let mut f = ScriptFacts::default();
        for el in doc.elements_named("script") {
            if let Some(src) = doc.attr(el, "src").and_then(|a| a.value) {
                let url = doc.slice(src).to_ascii_lowercase();
                if OTHER_CMPS.iter().any(|h| url.contains(h)) {
                    f.other_cmps.push(src);
                }
            }
            let Some(content) = doc.elements[el].content.filter(|c| !c.is_empty()) else {
                continue;
            };
            let code = masked(doc, content);
            for c in CONSENT.captures_iter(&code) {
                let whole = c.get(0).map_or(0..0, |m| m.range());
                let keys = c
                    .name("body")
                    .map_or(Vec::new(), |b| object_keys(b.as_str()));
                f.consent.push(Consent {
                    update: c.name("mode").is_some_and(|m| m.as_str() == "update"),
                    keys,
                    span: Span::new(content.start + whole.start, content.start + whole.end),
                });
            }
            for m in DATALAYER_INIT.find_iter(&code) {
                f.datalayer_inits.push(Span::new(
                    content.start + m.start(),
                    content.start + m.end(),
                ));
            }
            let at =
                |m: regex::Match| Span::new(content.start + m.start(), content.start + m.end());
            f.datalayer_pushes
                .extend(DATALAYER_PUSH.find_iter(&code).map(at));
            f.datalayer_resets
                .extend(DATALAYER_RESET.find_iter(&code).map(|m| {
                    let lead = m.as_str().find("dataLayer").unwrap_or(0);
                    Span::new(content.start + m.start() + lead, content.start + m.end())
                }));
            if CONSENT_APIS.iter().any(|a| code.contains(a)) {
                f.consent_gated.push(el);
            }
        }
        f
    })
}

/// The keys of an object literal's body: `ad_storage: 'denied', 'analytics_storage': …`.
fn object_keys(body: &str) -> Vec<String> {
    body.split(',')
        .filter_map(|pair| {
            let key = pair.split(':').next()?.trim().trim_matches(['\'', '"']);
            (!key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_'))
                .then(|| key.to_string())
        })
        .collect()
}

/// The script text of `content` with its JavaScript comments replaced by spaces (byte
/// offsets unchanged), so a commented-out snippet is not read as a live one.
pub fn masked(doc: &Document, content: Span) -> String {
    let src = doc.slice(content).as_bytes();
    let mut out = src.to_vec();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < src.len() {
        let b = src[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == q || (b == b'\n' && q != b'`') {
                quote = None;
            }
            i += 1;
            continue;
        }
        match (b, src.get(i + 1)) {
            (b'\'' | b'"' | b'`', _) => quote = Some(b),
            (b'/', Some(b'/')) => {
                let end = memchr::memchr(b'\n', &src[i..]).map_or(src.len(), |e| i + e);
                blank(&mut out, i, end);
                i = end;
                continue;
            }
            (b'/', Some(b'*')) => {
                let end = find(&src[i + 2..], b"*/").map_or(src.len(), |e| i + 2 + e + 2);
                blank(&mut out, i, end);
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_default()
}

fn blank(out: &mut [u8], from: usize, to: usize) {
    for b in &mut out[from..to] {
        // Every byte of a comment becomes a space (a multi-byte character whole), so the
        // text stays UTF-8 and offsets are unchanged.
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The id an argument (with its quotes, if any) gives.
pub fn arg_id(doc: &Document, span: Span) -> TagId {
    let raw = doc.slice(span);
    let quoted = raw.len() >= 2 && (raw.starts_with(['\'', '"']) && raw.ends_with(&raw[..1]));
    if quoted {
        return value_id(doc, Span::new(span.start + 1, span.end - 1));
    }
    if raw.starts_with("{{") {
        return value_id(doc, span);
    }
    TagId::Dynamic
}

/// The id a value (no quotes) gives: a literal, one template expression naming a config
/// key, or dynamic.
pub fn value_id(doc: &Document, span: Span) -> TagId {
    let raw = doc.slice(span).trim();
    if raw.is_empty() {
        return TagId::Dynamic;
    }
    let regions = doc.regions.within(span);
    if regions.is_empty() {
        return TagId::Literal(raw.to_string());
    }
    match regions {
        [r] if r.kind == RegionKind::Output && doc.slice(r.span).trim() == raw => {
            config_key(raw).map_or(TagId::Dynamic, |key| TagId::Config { key, value: None })
        }
        _ => TagId::Dynamic,
    }
}

/// The dotted variable a template expression prints, filters dropped:
/// `{{ site.google_analytics | default: "" }}` → `site.google_analytics`.
pub fn config_key(expr: &str) -> Option<String> {
    let inner = expr
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_matches(|c: char| c == '-' || c == '~' || c.is_whitespace());
    let var = inner
        .split(['|', ' ', '\t'])
        .next()?
        .trim_start_matches('$');
    let var = var.trim_start_matches('.');
    let ok = !var.is_empty()
        && var.contains('.')
        && var
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '-');
    ok.then(|| var.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::page::{Engine, Format};

    #[test]
    fn comments_are_blanked_but_strings_with_slashes_are_kept() {
        let d = Document::parse(
            "a.html",
            "<script>// ga('create','UA-1')\nvar u = 'https://x/y'; /* b */</script>".into(),
            Engine::Html,
            Format::Html,
        );
        let c = d.elements[0].content.unwrap();
        let m = masked(&d, c);
        assert!(!m.contains("UA-1") && m.contains("'https://x/y'") && !m.contains("b */"));
    }

    #[test]
    fn config_keys_drop_filters_and_leading_dots() {
        assert_eq!(
            config_key("{{ site.google_analytics | default: '' }}").as_deref(),
            Some("site.google_analytics")
        );
        assert_eq!(
            config_key("{{- .Site.Params.gtm -}}").as_deref(),
            Some("Site.Params.gtm")
        );
        assert_eq!(config_key("{{ gtm }}"), None);
    }

    #[test]
    fn consent_calls_keep_their_keys() {
        let d = Document::parse(
            "a.html",
            "<script>gtag('consent', 'default', {'ad_storage': 'denied', analytics_storage: 'denied'});</script>".into(),
            Engine::Html,
            Format::Html,
        );
        let f = facts(&d);
        assert_eq!(f.consent[0].keys, ["ad_storage", "analytics_storage"]);
        assert!(!f.consent[0].update);
    }
}
