//! Finds template syntax in a source file: every `{{ … }}`, `{% … %}`, `{# … #}` (and the
//! Hugo, Handlebars and Nunjucks variants) becomes an opaque dynamic region. Rules never report
//! a dynamic value as broken and fixes never touch one.

use super::Engine;
use crate::qa::source::Span;

/// One template construct: an expression that prints a value, a tag or a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub span: Span,
    pub kind: RegionKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionKind {
    /// `{{ x }}`, `{{{ x }}}`, `{{< shortcode >}}`: prints something.
    Output,
    /// `{% if %}`, `{{#if}}`, `{{ if }}`: control flow or a directive; prints nothing itself.
    Tag,
    /// `{# … #}`, `{{!-- … --}}`, `{{/* … */}}`, `{% comment %}…{% endcomment %}`.
    Comment,
}

/// The template regions of `text`, sorted and non-overlapping.
pub fn regions(text: &str, engine: Engine) -> Vec<Region> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(rel) = memchr(b'{', &bytes[i..]) {
        let start = i + rel;
        let Some(&next) = bytes.get(start + 1) else {
            break;
        };
        let found = match next {
            b'{' => scan_curly(text, start),
            b'%' => scan_until(text, start, "%}").map(|end| {
                let kind = if is_comment_tag(&text[start..end]) {
                    RegionKind::Comment
                } else {
                    RegionKind::Tag
                };
                (extend_block_comment(text, start, end), kind)
            }),
            b'#' if engine.has_hash_comments() => {
                scan_until(text, start, "#}").map(|end| (end, RegionKind::Comment))
            }
            _ => None,
        };
        match found {
            Some((end, kind)) => {
                out.push(Region {
                    span: Span::new(start, end),
                    kind,
                });
                i = end;
            }
            None => i = start + 1,
        }
    }
    out
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr(needle, hay)
}

/// `{{ … }}` and its variants. Handlebars `{{!-- … --}}` may contain `}}`.
fn scan_curly(text: &str, start: usize) -> Option<(usize, RegionKind)> {
    let rest = &text[start..];
    if rest.starts_with("{{!--") {
        return scan_until(text, start, "--}}").map(|e| (e, RegionKind::Comment));
    }
    if rest.starts_with("{{/*") || rest.starts_with("{{- /*") {
        return scan_until(text, start, "*/").and_then(|e| {
            let close = text[e..].find("}}")? + e + 2;
            Some((close, RegionKind::Comment))
        });
    }
    let end = if rest.starts_with("{{{") {
        scan_until(text, start, "}}}")
    } else {
        scan_until(text, start, "}}")
    }?;
    let inner = rest[2..end - start - 2]
        .trim_start_matches(['{', '-', '~', '<', '%', ' ', '\t', '\n', '\r']);
    let kind = if inner.starts_with('!') {
        RegionKind::Comment
    } else if inner.starts_with(['#', '/', '^', '>'])
        || inner.starts_with("else")
        || starts_with_word(
            inner,
            &["if", "range", "with", "end", "define", "block", "template"],
        )
        || starts_with_word(inner, &["partial", "partialCached"]) && !inner.contains('|')
    {
        RegionKind::Tag
    } else {
        RegionKind::Output
    };
    Some((end, kind))
}

fn starts_with_word(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| {
        s.strip_prefix(w)
            .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '\n', '(', '-']))
    })
}

/// The end (exclusive) of the first `close` after `start + 2`, or `None` when it never closes.
fn scan_until(text: &str, start: usize, close: &str) -> Option<usize> {
    text[start + 2..]
        .find(close)
        .map(|i| start + 2 + i + close.len())
}

fn is_comment_tag(tag: &str) -> bool {
    let inner = tag[2..tag.len() - 2].trim_matches(['-', ' ', '\t', '\n', '\r']);
    inner == "comment" || inner.starts_with('#')
}

/// `{% comment %} … {% endcomment %}` and `{% raw %} … {% endraw %}` are one region each.
fn extend_block_comment(text: &str, start: usize, end: usize) -> usize {
    let inner = text[start + 2..end - 2].trim_matches(['-', ' ', '\t', '\n', '\r']);
    let closer = match inner {
        "comment" => "endcomment",
        "raw" => "endraw",
        _ => return end,
    };
    let mut search = end;
    while let Some(rel) = text[search..].find("{%") {
        let s = search + rel;
        let Some(e) = scan_until(text, s, "%}") else {
            return end;
        };
        if text[s + 2..e - 2].trim_matches(['-', ' ', '\t', '\n', '\r']) == closer {
            return e;
        }
        search = e;
    }
    end
}

/// Answers "is this byte range (partly) template syntax?" in O(log n).
#[derive(Debug, Clone, Default)]
pub struct Regions {
    list: Vec<Region>,
}

impl Regions {
    pub fn new(list: Vec<Region>) -> Self {
        Regions { list }
    }

    pub fn all(&self) -> &[Region] {
        &self.list
    }

    /// The region that starts exactly at `offset`.
    pub fn starting_at(&self, offset: usize) -> Option<Region> {
        let i = self.list.partition_point(|r| r.span.start < offset);
        self.list.get(i).filter(|r| r.span.start == offset).copied()
    }

    /// Every region overlapping `span`.
    pub fn within(&self, span: Span) -> &[Region] {
        let from = self.list.partition_point(|r| r.span.end <= span.start);
        let to = self.list.partition_point(|r| r.span.start < span.end);
        &self.list[from..to.max(from)]
    }

    pub fn is_dynamic(&self, span: Span) -> bool {
        !self.within(span).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str, engine: Engine) -> Vec<(&str, RegionKind)> {
        regions(text, engine)
            .into_iter()
            .map(|r| (&text[r.span.start..r.span.end], r.kind))
            .collect()
    }

    #[test]
    fn finds_liquid_output_tags_and_comments() {
        let t =
            r#"<a href="{{ page.url }}">{% if x %}y{% endif %}{% comment %}a }} b{% endcomment %}"#;
        assert_eq!(
            kinds(t, Engine::Liquid),
            vec![
                ("{{ page.url }}", RegionKind::Output),
                ("{% if x %}", RegionKind::Tag),
                ("{% endif %}", RegionKind::Tag),
                ("{% comment %}a }} b{% endcomment %}", RegionKind::Comment),
            ]
        );
    }

    #[test]
    fn finds_hugo_and_handlebars_forms() {
        let t = r#"{{< ref "a.md" >}}{{- partial "x.html" . -}}{{/* c */}}{{!-- a }} --}}{{{ raw }}}{{#if a}}"#;
        let got = kinds(t, Engine::Hugo);
        assert_eq!(got[0], (r#"{{< ref "a.md" >}}"#, RegionKind::Output));
        assert_eq!(got[1].1, RegionKind::Tag);
        assert_eq!(got[2], ("{{/* c */}}", RegionKind::Comment));
        assert_eq!(got[3], ("{{!-- a }} --}}", RegionKind::Comment));
        assert_eq!(got[4], ("{{{ raw }}}", RegionKind::Output));
        assert_eq!(got[5].1, RegionKind::Tag);
    }

    #[test]
    fn unclosed_braces_are_text() {
        assert!(regions("a {{ b", Engine::Liquid).is_empty());
        assert!(regions("{# b", Engine::Jinja).is_empty());
    }
}
