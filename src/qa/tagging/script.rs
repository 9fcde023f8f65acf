//! What one document's inline scripts do besides loading tags (Consent Mode calls, the data
//! layer's initialisation and pushes, consent callbacks, other consent platforms), read
//! through the parsed scripts (`js`, `snippets`); and how an argument's source gives a tag
//! id: a literal, a template expression naming a site-config key (`'{{ site.gtm_id }}'`),
//! or dynamic.

use std::sync::LazyLock;

use regex::Regex;

use super::snippets;
use super::tags::TagId;
use crate::qa::page::Document;
use crate::qa::page::template::RegionKind;
use crate::qa::source::Span;

pub static GTM_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bGTM-[A-Z0-9]{4,}\b").expect("valid regex"));

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
            // Most scripts name no consent API at all: only those that do are read again
            // with their comments blanked.
            let raw = doc.slice(content);
            if CONSENT_APIS.iter().any(|a| raw.contains(a)) {
                let code = masked(doc, content);
                if CONSENT_APIS.iter().any(|a| code.contains(a)) {
                    f.consent_gated.push(el);
                }
            }
        }
        for script in super::js::scripts(doc).iter() {
            for c in &script.calls {
                if let Some((update, keys)) = snippets::consent_call(c) {
                    f.consent.push(Consent {
                        update,
                        keys,
                        span: c.span,
                    });
                }
                if snippets::is_datalayer_push(c) {
                    f.datalayer_pushes.push(c.span);
                }
            }
            for a in &script.assignments {
                match snippets::datalayer_assignment(doc, &a.target, &a.value, a.span) {
                    Some(true) => f.datalayer_inits.push(a.span),
                    Some(false) => f.datalayer_resets.push(a.span),
                    None => {}
                }
            }
        }
        f
    })
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
