//! The one clean-up edit of a URL's query, shared by every rule that strips parameters
//! (UTM-006, UTM-008, UTM-012, UTM-013): all of them attach the same edit, so `--fix` never
//! meets two different edits of the same bytes. Never touches template syntax.

use super::{Found, Strip, is_utm_like, pii, strip_reason, utm_indices};
use crate::qa::page::Document;
use crate::qa::rules::Settings;
use crate::qa::source::Span;
use crate::qa::url::{Param, UrlRef};

/// The one clean-up of a URL's query: UTMs stripped (UTM-008, UTM-013), personal data
/// stripped (UTM-012), repeated identical UTMs dropped (UTM-006), as a single edit.
#[derive(Default)]
pub(crate) struct Cleanup {
    pub strip: Option<Strip>,
    /// Every UTM would be stripped and all of them are literal.
    pub strips_utms: bool,
    /// Per parameter: removed by the clean-up.
    pub remove: Vec<bool>,
    /// The edit, when something is removed and every removed byte is literal.
    pub fix: Option<(Span, String)>,
}

/// The clean-up of a found URL (computed once per document in `found_urls`).
pub(crate) fn cleanup<'a>(_doc: &Document, f: &'a Found, _settings: &Settings) -> &'a Cleanup {
    &f.cleanup
}

pub(crate) fn compute(doc: &Document, f: &Found, settings: &Settings) -> Cleanup {
    let url = &f.url;
    let strip = strip_reason(doc, f, settings);
    let utms = utm_indices(url);
    let literal = |p: &Param| !p.key_dynamic && !p.value_dynamic;
    let strips_utms = strip.is_some()
        && !utms.is_empty()
        && url
            .params
            .iter()
            .filter(|p| p.key_dynamic || is_utm_like(&p.key_text))
            .all(literal);
    let mut remove = vec![false; url.params.len()];
    if strips_utms {
        for &i in &utms {
            remove[i] = true;
        }
    }
    for (i, p) in url.params.iter().enumerate() {
        if literal(p) && pii::detect(doc, url, p).is_some() {
            remove[i] = true;
        }
    }
    if strip.is_none() {
        for (n, &i) in utms.iter().enumerate() {
            let p = &url.params[i];
            let repeat = utms[..n].iter().any(|&j| {
                let q = &url.params[j];
                q.key_text == p.key_text && doc.slice(q.span) == doc.slice(p.span)
            });
            if repeat && literal(p) {
                remove[i] = true;
            }
        }
    }
    let fix = if remove.iter().any(|r| *r) && !url.query_dynamic {
        rebuild_query(doc, url, &remove)
    } else {
        None
    };
    Cleanup {
        strip,
        strips_utms,
        remove,
        fix,
    }
}

/// The smallest edit that drops the marked parameters with their separators: the other
/// parameters keep their bytes, a query left empty loses its `?`. `None` when the edit
/// would touch template syntax.
fn rebuild_query(doc: &Document, url: &UrlRef, remove: &[bool]) -> Option<(Span, String)> {
    let q = url.query?;
    let kept: Vec<&str> = url
        .params
        .iter()
        .zip(remove)
        .filter(|(_, r)| !**r)
        .map(|(p, _)| doc.slice(p.span))
        .collect();
    if kept.is_empty() {
        let span = Span::new(q.start.checked_sub(1)?, q.end);
        return (!doc.is_dynamic(span)).then(|| (span, String::new()));
    }
    let sep = url
        .params
        .iter()
        .map(|p| doc.slice(p.separator))
        .find(|s| s.starts_with('&'))
        .unwrap_or("&");
    let new = kept.join(sep);
    let old = doc.slice(q);
    let (prefix, suffix) = common_ends(old, &new);
    let span = Span::new(q.start + prefix, q.end - suffix);
    if doc.is_dynamic(span) {
        return None;
    }
    Some((span, new[prefix..new.len() - suffix].to_string()))
}

/// Lengths of the common prefix and (non-overlapping) common suffix, on char boundaries.
fn common_ends(a: &str, b: &str) -> (usize, usize) {
    let mut prefix = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(prefix) || !b.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take(max)
        .take_while(|(x, y)| x == y)
        .count();
    while !a.is_char_boundary(a.len() - suffix) || !b.is_char_boundary(b.len() - suffix) {
        suffix -= 1;
    }
    (prefix, suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_ends_never_overlap() {
        assert_eq!(common_ends("utm_source=a&x=1", "x=1"), (0, 3));
        assert_eq!(common_ends("x=1&utm_source=a", "x=1"), (3, 0));
        assert_eq!(common_ends("aa", "a"), (1, 0));
    }
}
