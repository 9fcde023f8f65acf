//! The canonical form of a literal UTM value: decoded, trimmed, words joined by the
//! taxonomy's separator, in its case, aliases resolved. Every rule that fixes a value
//! (UTM-003, 004, 005, 009, 010) writes this one form, so their fixes never conflict.

use super::{Found, is_share_link, unknown_key, utm_indices};
use crate::config::Case;
use crate::qa::page::{Document, Format};
use crate::qa::rules::Settings;
use crate::qa::source::Span;
use crate::qa::url::{Param, Target};

/// The known UTM key a literal key stands for: itself, or UTM-002's suggestion.
pub(crate) fn known_key(key: &str) -> Option<&'static str> {
    unknown_key::UTM_KEYS
        .iter()
        .find(|k| **k == key)
        .copied()
        .or_else(|| unknown_key::nearest(key))
}

/// A literal UTM value to judge, with what the value rules need to know about it.
pub(crate) struct Value<'a> {
    pub param: &'a Param,
    /// The known key it belongs to (`utm_medium`), after UTM-002's correction.
    pub key: Option<&'static str>,
    pub span: Span,
    /// The value as written.
    pub raw: &'a str,
    /// Decoded once, or twice when it was encoded twice.
    pub decoded: &'a str,
    pub double_encoded: bool,
    pub raw_non_ascii: bool,
    /// `+` for a space while another value of the URL writes `%20`.
    pub mixed_spaces: bool,
    /// The value every rule's fix writes: decoded, trimmed, spaces and separators as the
    /// taxonomy says, in its case, aliases resolved. `None` when no certain form exists.
    pub canon: Option<&'a str>,
    /// `canon` before aliases were resolved.
    pub normalized: Option<&'a str>,
    /// The taxonomy lists this value for its key, so its separators stand.
    pub listed: bool,
}

/// What `Value` borrows, computed once per URL (in `found_urls`) for every rule.
pub(crate) struct ValueData {
    param: usize,
    key: Option<&'static str>,
    span: Span,
    decoded: String,
    double_encoded: bool,
    raw_non_ascii: bool,
    mixed_spaces: bool,
    canon: Option<String>,
    normalized: Option<String>,
    listed: bool,
}

/// The judged values of a found URL, borrowed from its memoised data.
pub(crate) fn values<'a>(doc: &'a Document, f: &'a Found, _settings: &Settings) -> Vec<Value<'a>> {
    f.values
        .iter()
        .map(|d| Value {
            param: &f.url.params[d.param],
            key: d.key,
            span: d.span,
            raw: doc.slice(d.span),
            decoded: &d.decoded,
            double_encoded: d.double_encoded,
            raw_non_ascii: d.raw_non_ascii,
            mixed_spaces: d.mixed_spaces,
            canon: d.canon.as_deref(),
            normalized: d.normalized.as_deref(),
            listed: d.listed,
        })
        .collect()
}

/// The literal UTM values of a URL that the value rules judge. None for URLs whose UTMs
/// are to be stripped anyway, special schemes, and values written by a template or holding
/// an ad-platform placeholder (`{keyword}`, `*|CAMPAIGN|*`).
pub(crate) fn compute(doc: &Document, f: &Found, settings: &Settings) -> Vec<ValueData> {
    if matches!(f.url.target(settings.internal_hosts), Target::Special(_)) || is_share_link(&f.url)
    {
        return Vec::new();
    }
    let c = &f.cleanup;
    if c.strip.is_some() {
        return Vec::new();
    }
    let tax = &settings.config.utm;
    let mut out: Vec<ValueData> = Vec::new();
    for i in utm_indices(&f.url) {
        let p = &f.url.params[i];
        let Some(span) = p.value else { continue };
        let raw = doc.slice(span);
        if c.remove[i]
            || p.value_dynamic
            || raw.is_empty()
            || is_placeholder(raw)
            || (doc.format == Format::Markdown && raw.contains('\\'))
            || is_placeholder(&p.value_text)
        {
            continue;
        }
        // Encoded twice only when the second decoding yields text: `%25AB` alone is a
        // percent sign followed by letters.
        let twice = has_escape(&p.value_text)
            .then(|| {
                percent_encoding::percent_decode_str(&p.value_text)
                    .decode_utf8()
                    .ok()
            })
            .flatten()
            .map(|d| d.into_owned());
        let double_encoded = twice.is_some();
        let decoded = twice.unwrap_or_else(|| p.value_text.clone());
        let key = known_key(&p.key_text);
        let keep = is_taxonomy_value(key, decoded.trim(), settings);
        let normalized =
            normalize_chars(&decoded, separator(settings), keep).map(|s| apply_case(&s, tax.case));
        let canon = normalized
            .as_deref()
            .map(|n| apply_case(&resolve_alias(key, n, settings), tax.case));
        out.push(ValueData {
            param: i,
            key,
            span,
            decoded,
            double_encoded,
            raw_non_ascii: !raw.is_ascii(),
            mixed_spaces: false,
            canon,
            normalized,
            listed: keep,
        });
    }
    let pct = out.iter().any(|v| doc.slice(v.span).contains("%20"));
    for v in &mut out {
        v.mixed_spaces = pct && doc.slice(v.span).contains('+');
    }
    out
}

impl Value<'_> {
    /// The canonical value, when it differs from what is written.
    pub fn fix(&self) -> Option<&str> {
        self.canon.filter(|c| *c != self.raw)
    }
}

/// Template-like placeholders that ad platforms and mailers fill in.
fn is_placeholder(s: &str) -> bool {
    // One pass over the bytes: this runs for every UTM value of every page.
    let b = s.as_bytes();
    b.iter().any(|&c| c == b'{' || c == b'}')
        || b.windows(2)
            .any(|w| matches!(w, b"*|" | b"|*" | b"%%" | b"<%" | b"[[" | b"]]"))
        || (s.starts_with('[') && s.ends_with(']'))
        || (s.starts_with("__") && s.ends_with("__") && s.len() > 4)
}

/// A percent escape left after decoding once: the value was encoded twice.
fn has_escape(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(2))
        .any(|i| b[i] == b'%' && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit())
}

/// The configured word separator, `None` for "any".
pub(crate) fn separator(settings: &Settings) -> Option<char> {
    match settings.config.utm.separator.get_ref().as_str() {
        "-" => Some('-'),
        "_" => Some('_'),
        _ => None,
    }
}

/// Characters a value may hold, letter case aside (case is UTM-003's).
pub(crate) fn is_allowed_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

pub(crate) fn allowed_set(case: Case) -> &'static str {
    match case {
        Case::Lower => "[a-z0-9._-]",
        Case::Upper => "[A-Z0-9._-]",
        Case::Any => "[A-Za-z0-9._-]",
    }
}

pub(crate) fn apply_case(s: &str, case: Case) -> String {
    match case {
        Case::Lower => s.to_lowercase(),
        Case::Upper => s.to_uppercase(),
        Case::Any => s.to_string(),
    }
}

/// True when the value has letters of the wrong case.
pub(crate) fn is_miscased(s: &str, case: Case) -> bool {
    apply_case(s, case) != s
}

/// The other separator, when the value uses it; values the taxonomy lists keep theirs.
pub(crate) fn wrong_separator(s: &str, sep: Option<char>, keep: bool) -> Option<char> {
    let other = match sep? {
        '-' => '_',
        _ => '-',
    };
    (!keep && s.contains(other)).then_some(other)
}

/// Trims, turns inner whitespace into the separator and the other separator into the
/// configured one. `None` when a character outside the allowed set remains.
pub(crate) fn normalize_chars(s: &str, sep: Option<char>, keep: bool) -> Option<String> {
    let t = s.trim();
    let word_sep = sep.unwrap_or(if t.contains('_') && !t.contains('-') {
        '_'
    } else {
        '-'
    });
    let wrong = wrong_separator(t, sep, keep);
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        let c = if Some(c) == wrong { word_sep } else { c };
        if !is_allowed_char(c) {
            return None;
        }
        if space && !out.ends_with(['-', '_', '.']) && !matches!(c, '-' | '_' | '.') {
            out.push(word_sep);
        }
        space = false;
        out.push(c);
    }
    Some(out)
}

/// True when the taxonomy lists the value for its key (so its separators stay).
fn is_taxonomy_value(key: Option<&str>, v: &str, settings: &Settings) -> bool {
    let tax = &settings.config.utm;
    match key {
        Some("utm_medium") => tax
            .mediums
            .keys()
            .chain(tax.medium_aliases.values())
            .any(|m| m.eq_ignore_ascii_case(v)),
        Some("utm_source") => tax
            .sources
            .iter()
            .chain(tax.source_aliases.values())
            .any(|s| s.eq_ignore_ascii_case(v)),
        _ => false,
    }
}

/// The taxonomy's value for an alias (`fb` → `facebook`), or the value itself.
pub(crate) fn resolve_alias(key: Option<&str>, v: &str, settings: &Settings) -> String {
    let tax = &settings.config.utm;
    let map = match key {
        Some("utm_medium") => &tax.medium_aliases,
        Some("utm_source") => &tax.source_aliases,
        _ => return v.to_string(),
    };
    map.get(v)
        .or_else(|| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(v))
                .map(|(_, t)| t)
        })
        .cloned()
        .unwrap_or_else(|| v.to_string())
}

/// True when `v` is in `list`: exactly when values must be lowercase, in any case when
/// the taxonomy's case is upper or any (GA4's channel rules ignore case).
pub(crate) fn listed<'a>(mut list: impl Iterator<Item = &'a String>, v: &str, case: Case) -> bool {
    match case {
        Case::Lower => list.any(|x| x == v),
        _ => list.any(|x| x.eq_ignore_ascii_case(v)),
    }
}

/// Percent-encodes everything but unreserved characters; spaces become `%20`.
pub(crate) fn encode_canonical(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_trims_joins_words_and_swaps_separators() {
        assert_eq!(
            normalize_chars(" Spring  Sale ", Some('-'), false).as_deref(),
            Some("Spring-Sale")
        );
        assert_eq!(
            normalize_chars("spring_sale - 2026", Some('-'), false).as_deref(),
            Some("spring-sale-2026")
        );
        assert_eq!(
            normalize_chars("paid_social", Some('-'), true).as_deref(),
            Some("paid_social")
        );
        assert_eq!(
            normalize_chars("a b_c", None, false).as_deref(),
            Some("a_b_c")
        );
        assert_eq!(normalize_chars("caf\u{e9}", Some('-'), false), None);
        assert_eq!(normalize_chars("50/50", Some('-'), false), None);
    }

    #[test]
    fn placeholders_and_double_escapes_are_recognised() {
        assert!(
            is_placeholder("{keyword}")
                && is_placeholder("*|CAMPAIGN|*")
                && is_placeholder("[campaign]")
        );
        assert!(!is_placeholder("spring-sale"));
        assert!(has_escape("a%20b") && !has_escape("50%off"));
        assert_eq!(encode_canonical("caf\u{e9} x"), "caf%C3%A9%20x");
    }
}
