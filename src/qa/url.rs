//! URLs as written in a source file, split into parts with byte spans, template-aware.
//!
//! Soundness with template syntax: a part that holds a template region is `dynamic` and no
//! rule judges it. A literal query parameter is judged even when the origin is dynamic (a
//! misspelt `utm_surce` is wrong wherever the link goes); a parameter's presence is only
//! judged when no template tag sits between parameters (it could add or remove one).

use super::page::Document;
use super::source::Span;

#[derive(Debug, Clone)]
pub struct UrlRef {
    pub span: Span,
    /// `http`, `mailto`, … lowercased; `None` for relative and protocol-relative URLs.
    pub scheme: Option<String>,
    /// The lowercase host, when literal.
    pub host: Option<String>,
    /// The scheme, host or first path segment is template output.
    pub origin_dynamic: bool,
    pub path: Span,
    pub path_dynamic: bool,
    /// The query without its `?`.
    pub query: Option<Span>,
    pub params: Vec<Param>,
    /// A template construct sits in the query outside any parameter value, so parameters
    /// may be added or removed when the page is built.
    pub query_dynamic: bool,
    /// The fragment without its `#`.
    pub fragment: Option<Span>,
    pub fragment_dynamic: bool,
}

#[derive(Debug, Clone)]
pub struct Param {
    /// `key=value`.
    pub span: Span,
    pub key: Span,
    pub value: Option<Span>,
    /// The key and value decoded (`&amp;` and percent escapes), for comparison.
    pub key_text: String,
    pub value_text: String,
    pub key_dynamic: bool,
    pub value_dynamic: bool,
    /// The separator before this parameter (`?`, `&`, `&amp;`), so a fix can remove both.
    pub separator: Span,
}

/// Where a link points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A path on this site (relative, root-relative, or absolute to an internal host).
    Internal,
    /// Another host.
    External(String),
    /// `mailto:`, `tel:`, `javascript:`, `data:` and other non-navigational schemes.
    Special(String),
    /// The origin is template output.
    Unknown,
}

impl UrlRef {
    pub fn parse(doc: &Document, span: Span) -> UrlRef {
        let text = doc.slice(span);
        let lead = text.len() - text.trim_start().len();
        let trail = text.len() - text.trim_end().len();
        let span = Span::new(span.start + lead, span.end - trail);
        let raw = doc.slice(span);
        let first_region = doc.regions.within(span).first().map(|r| r.span);
        let mut url = UrlRef {
            span,
            scheme: None,
            host: None,
            origin_dynamic: first_region.is_some_and(|r| r.start <= span.start),
            path: span,
            path_dynamic: false,
            query: None,
            params: Vec::new(),
            query_dynamic: false,
            fragment: None,
            fragment_dynamic: false,
        };
        // Delimiters outside template regions.
        let literal = |i: usize| {
            !doc.regions
                .is_dynamic(Span::new(span.start + i, span.start + i + 1))
        };
        let q = find_literal(raw, b'?', &literal);
        let h = find_literal(raw, b'#', &literal);
        let path_end = [q, h].into_iter().flatten().min().unwrap_or(raw.len());
        let mut path_start = 0;
        if !url.origin_dynamic {
            let (scheme, host, after) = split_origin(&raw[..path_end]);
            url.scheme = scheme;
            url.host = host;
            path_start = after;
        }
        url.path = Span::new(span.start + path_start, span.start + path_end);
        url.path_dynamic = doc.regions.is_dynamic(url.path);
        if let Some(hi) = h {
            let f = Span::new(span.start + hi + 1, span.end);
            url.fragment = Some(f);
            url.fragment_dynamic = doc.regions.is_dynamic(f);
        }
        if let Some(qi) = q.filter(|&qi| h.is_none_or(|hi| qi < hi)) {
            let qend = h.map_or(span.end, |hi| span.start + hi);
            let qspan = Span::new(span.start + qi + 1, qend);
            url.query = Some(qspan);
            url.params = split_params(doc, qspan, Span::new(span.start + qi, span.start + qi + 1));
            let covered = |r: Span| {
                url.params
                    .iter()
                    .any(|p| p.value.is_some_and(|v| v.contains(r)))
            };
            url.query_dynamic = doc
                .regions
                .within(qspan)
                .iter()
                .any(|r| r.kind == super::page::template::RegionKind::Tag || !covered(r.span));
        }
        url
    }

    pub fn target(&self, internal_hosts: &[String]) -> Target {
        if self.origin_dynamic {
            return Target::Unknown;
        }
        match (&self.scheme, &self.host) {
            (Some(s), _) if s != "http" && s != "https" => Target::Special(s.clone()),
            (_, Some(h)) if internal_hosts.iter().any(|i| i == h) => Target::Internal,
            (_, Some(h)) => Target::External(h.clone()),
            _ => Target::Internal,
        }
    }

    /// The parameters named `utm_*` in any case or separator (`UTM-Source`, `utm-source`).
    pub fn utm_params(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| is_utm_like(&p.key_text))
    }

    pub fn param(&self, key: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.key_text == key)
    }
}

/// A key that reads as a UTM parameter: `utm` followed by `_`, `-`, `.` or a letter.
pub fn is_utm_like(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.len() > 4
        && lower.starts_with("utm")
        && !lower[3..].starts_with(|c: char| c.is_ascii_digit())
}

fn find_literal(raw: &str, needle: u8, literal: &impl Fn(usize) -> bool) -> Option<usize> {
    raw.bytes()
        .enumerate()
        .find(|&(i, b)| b == needle && literal(i))
        .map(|(i, _)| i)
}

/// Scheme and host of the part before the query; returns where the path starts.
fn split_origin(s: &str) -> (Option<String>, Option<String>, usize) {
    let scheme_end = s
        .find(':')
        .filter(|&i| {
            i > 0
                && s[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
        })
        .filter(|&i| {
            s[..i]
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic())
        });
    let (scheme, rest_start) = match scheme_end {
        Some(i) => (Some(s[..i].to_ascii_lowercase()), i + 1),
        None => (None, 0),
    };
    let rest = &s[rest_start..];
    if let Some(auth) = rest.strip_prefix("//") {
        let end = auth.find('/').unwrap_or(auth.len());
        let authority = &auth[..end];
        let host = authority.rsplit('@').next().unwrap_or(authority);
        let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
        return (scheme, Some(host), rest_start + 2 + end);
    }
    (scheme, None, rest_start)
}

fn split_params(doc: &Document, q: Span, question: Span) -> Vec<Param> {
    let mut out = Vec::new();
    let bytes = doc.text.as_bytes();
    let mut start = q.start;
    let mut sep = question;
    let mut i = q.start;
    while i <= q.end {
        if i < q.end
            && let Some(r) = doc.regions.starting_at(i)
        {
            i = r.span.end.min(q.end);
            continue;
        }
        let sep_len = if i == q.end {
            Some(0)
        } else if bytes[i] == b'&' {
            let rest = &doc.text[i..q.end];
            Some(if rest.starts_with("&amp;") || rest.starts_with("&#38;") {
                5
            } else {
                1
            })
        } else {
            None
        };
        if let Some(len) = sep_len {
            if i > start {
                out.push(param(doc, Span::new(start, i), sep));
            }
            sep = Span::new(i, i + len);
            start = i + len.max(1);
            i = start;
            if len == 0 {
                break;
            }
            continue;
        }
        i += 1;
    }
    out
}

fn param(doc: &Document, span: Span, separator: Span) -> Param {
    let raw = doc.slice(span);
    let eq = raw
        .bytes()
        .enumerate()
        .find(|&(i, b)| {
            b == b'='
                && !doc
                    .regions
                    .is_dynamic(Span::new(span.start + i, span.start + i + 1))
        })
        .map(|(i, _)| i);
    let (key, value) = match eq {
        Some(e) => (
            Span::new(span.start, span.start + e),
            Some(Span::new(span.start + e + 1, span.end)),
        ),
        None => (span, None),
    };
    Param {
        span,
        key,
        value,
        key_text: decode_component(doc.slice(key)),
        value_text: value.map_or(String::new(), |v| decode_component(doc.slice(v))),
        key_dynamic: doc.regions.is_dynamic(key),
        value_dynamic: value.is_some_and(|v| doc.regions.is_dynamic(v)),
        separator,
    }
}

/// Decodes HTML character references, then percent escapes (and `+` as space), once.
pub fn decode_component(raw: &str) -> String {
    if !raw.contains(['&', '+', '%']) {
        return raw.to_string();
    }
    let html = super::page::decode_entities(raw).replace('+', " ");
    percent_encoding::percent_decode_str(&html)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::page::{Engine, Format};

    fn url_in(t: &str) -> (Document, UrlRef) {
        let d = Document::parse("a.html", t.to_string(), Engine::Liquid, Format::Html);
        let span = d.links[0].url;
        let u = UrlRef::parse(&d, span);
        (d, u)
    }

    #[test]
    fn splits_host_path_params_and_fragment() {
        let (d, u) =
            url_in(r#"<a href="https://WWW.Example.com/p?utm_source=x&amp;utm_medium=y%20z#top">"#);
        assert_eq!(u.host.as_deref(), Some("www.example.com"));
        assert_eq!(d.slice(u.path), "/p");
        let keys: Vec<_> = u
            .params
            .iter()
            .map(|p| (p.key_text.as_str(), p.value_text.as_str()))
            .collect();
        assert_eq!(keys, [("utm_source", "x"), ("utm_medium", "y z")]);
        assert_eq!(d.slice(u.params[1].separator), "&amp;");
        assert_eq!(d.slice(u.fragment.unwrap()), "top");
        assert_eq!(u.target(&["www.example.com".into()]), Target::Internal);
    }

    #[test]
    fn template_values_are_dynamic_and_template_origins_unknown() {
        let (_, u) = url_in(r#"<a href="{{ site.url }}/p?utm_source={{ s }}&utm_medium=email">"#);
        assert!(u.origin_dynamic);
        assert_eq!(u.target(&[]), Target::Unknown);
        assert!(u.params[0].value_dynamic && !u.params[1].value_dynamic);
        assert!(!u.query_dynamic);
        let (_, u) = url_in(r#"<a href="/p?a=1{% if x %}&utm_campaign=c{% endif %}">"#);
        assert!(u.query_dynamic);
    }

    #[test]
    fn recognises_special_schemes_and_utm_like_keys() {
        let (_, u) = url_in(r#"<a href="mailto:a@b.c">"#);
        assert_eq!(u.target(&[]), Target::Special("mailto".into()));
        assert!(is_utm_like("UTM-Source") && is_utm_like("utm_surce") && !is_utm_like("utm"));
    }
}
