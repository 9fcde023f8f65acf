//! Source-level helpers the recipes share: where an element ends, lines and indentation,
//! attribute edits that keep the quoting, visible text runs, and the guard that keeps
//! every edit off template syntax.

use crate::qa::finding::Fix;
use crate::qa::page::{Document, visible};
use crate::qa::source::Span;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];
/// Elements whose content is not copy.
const NOT_COPY: &[&str] = &["script", "style", "template", "svg", "math", "code", "pre"];

pub fn fix(span: Span, replacement: impl Into<String>) -> Fix {
    Fix {
        start: span.start,
        end: span.end,
        replacement: replacement.into(),
    }
}

/// True when an edit of `span` would touch template syntax: it overlaps a template
/// region at all (even one it would remove whole), an insertion point sits inside one,
/// or it reaches past the end of the text.
pub fn touches_template(doc: &Document, span: Span) -> bool {
    span.start > span.end || span.end > doc.text.len() || doc.is_dynamic(span)
}

/// Sorts fixes, joins insertions at one point (in their order) and drops any fix that
/// overlaps an earlier one.
pub fn merged(mut fixes: Vec<Fix>) -> Vec<Fix> {
    fixes.sort_by_key(|f| (f.start, f.end));
    let mut out: Vec<Fix> = Vec::new();
    for f in fixes {
        match out.last_mut() {
            Some(l) if l.start == l.end && f.start == f.end && l.start == f.start => {
                l.replacement.push_str(&f.replacement);
            }
            Some(l) if f.start < l.end || (f.start == l.start && f.start == f.end) => {}
            _ => out.push(f),
        }
    }
    out
}

/// Drops every fix that would touch template syntax (see `touches_template`); the one
/// guard every recipe's edits pass through.
pub fn guarded(doc: &Document, fixes: Vec<Fix>) -> Vec<Fix> {
    fixes
        .into_iter()
        .filter(|f| !touches_template(doc, Span::new(f.start, f.end)))
        .collect()
}

/// The end of `el` including its end tag; `None` when it is never closed.
pub fn element_end(doc: &Document, el: usize) -> Option<usize> {
    let e = &doc.elements[el];
    match e.content {
        Some(c) => {
            let rest = doc.text.get(c.end..)?;
            rest.starts_with("</")
                .then(|| rest.find('>').map(|g| c.end + g + 1))
                .flatten()
        }
        None if VOID.contains(&e.name.as_ref()) || doc.slice(e.tag).ends_with("/>") => {
            Some(e.tag.end)
        }
        None => None,
    }
}

pub fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |i| i + 1)
}

/// The whitespace that starts the line holding `pos`.
pub fn indent_at(text: &str, pos: usize) -> &str {
    let start = line_start(text, pos);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// True when only spaces or tabs come before `pos` on its line.
pub fn starts_line(text: &str, pos: usize) -> bool {
    text[line_start(text, pos)..pos]
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
}

/// `span` grown to whole lines when nothing else is on them (the line break after it
/// included), so removing it leaves no blank line.
pub fn whole_lines(text: &str, span: Span) -> Span {
    let rest = &text[span.end..];
    let trail = rest.len() - rest.trim_start_matches([' ', '\t', '\r']).len();
    let after = &rest[trail..];
    if !starts_line(text, span.start) || !(after.is_empty() || after.starts_with('\n')) {
        return span;
    }
    let end = span.end + trail + usize::from(after.starts_with('\n'));
    Span::new(line_start(text, span.start), end)
}

/// The indentation of the first child line inside `el`, else `el`'s own plus two spaces.
pub fn child_indent(doc: &Document, el: usize) -> String {
    let e = &doc.elements[el];
    if let Some(c) = e.content {
        let inner = doc.slice(c);
        if let Some(nl) = inner.find('\n') {
            let line = &inner[nl + 1..];
            let first = line.lines().find(|l| !l.trim().is_empty());
            if let Some(l) = first.filter(|l| c.start + nl + 1 + l.len() <= c.end) {
                return l[..l.len() - l.trim_start().len()].to_string();
            }
        }
    }
    format!("{}  ", indent_at(&doc.text, e.tag.start))
}

/// `snippet` with every line after the first put at `indent` (its own relative
/// indentation kept).
pub fn reindent(snippet: &str, indent: &str) -> String {
    let lines: Vec<&str> = snippet.trim_matches('\n').lines().collect();
    let common = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let body = l.get(common..).unwrap_or(l.trim_start()).trim_end();
            match (i, body.is_empty()) {
                (_, true) => String::new(),
                (0, _) => body.to_string(),
                _ => format!("{indent}{body}"),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The quote an attribute value was written with, if any.
fn quote_of(doc: &Document, value: Span) -> Option<char> {
    let before = doc.text[..value.start].chars().next_back()?;
    matches!(before, '"' | '\'').then_some(before)
}

/// `value` escaped for an attribute quoted with `quote`.
pub fn escape_attr(value: &str, quote: char) -> String {
    match quote {
        '\'' => value.replace('\'', "&#39;"),
        _ => value.replace('"', "&quot;"),
    }
}

/// Sets attribute `name` of `el` to `value`: its value is replaced in place (keeping its
/// quotes), or ` name="value"` is added at the end of the start tag. `None` when nothing
/// changes or the value is template output.
pub fn set_attr(doc: &Document, el: usize, name: &str, value: &str) -> Option<Fix> {
    match doc.attr(el, name) {
        Some(a) => match a.value {
            Some(v) if doc.is_dynamic(v) => None,
            Some(v) => {
                let q = quote_of(doc, v);
                let new = match q {
                    Some(q) => escape_attr(value, q),
                    None if value.is_empty() || value.contains([' ', '"', '\'', '>', '=']) => {
                        format!("\"{}\"", escape_attr(value, '"'))
                    }
                    None => value.to_string(),
                };
                (doc.slice(v) != new).then(|| fix(v, new))
            }
            None => Some(fix(
                Span::new(a.name_span.end, a.name_span.end),
                format!("=\"{}\"", escape_attr(value, '"')),
            )),
        },
        None => {
            let at = tag_insert_point(doc, el);
            let text = format!(" {name}=\"{}\"", escape_attr(value, '"'));
            Some(fix(Span::new(at, at), text))
        }
    }
}

/// Where a new attribute goes: before `>` or `/>`, after any space that precedes it.
fn tag_insert_point(doc: &Document, el: usize) -> usize {
    let tag = doc.elements[el].tag;
    let raw = doc.slice(tag);
    let body = raw.strip_suffix('>').unwrap_or(raw);
    let body = body.strip_suffix('/').unwrap_or(body);
    tag.start + body.trim_end().len()
}

/// Runs of visible text inside `within`: markup, comments, template syntax, front
/// matter, scripts, styles and code (and in Markdown, link destinations and code) are
/// not text.
pub fn text_runs(doc: &Document, within: Span) -> Vec<Span> {
    let mut masked = vec![false; doc.text.len()];
    let mut mask = |s: Span| {
        let end = s.end.min(masked.len());
        masked[s.start.min(end)..end]
            .iter_mut()
            .for_each(|b| *b = true);
    };
    visible::mask_markup(doc, &mut mask);
    for (i, el) in doc.elements.iter().enumerate() {
        if NOT_COPY.contains(&el.name.as_ref()) {
            mask(Span::new(
                el.tag.end,
                element_end(doc, i).unwrap_or(doc.text.len()),
            ));
        }
    }
    mask_stray_markup(&doc.text, &mut mask);
    runs(&masked, within)
}

/// End tags, doctypes and anything else written `<…>` the element list does not hold.
fn mask_stray_markup(text: &str, mask: &mut impl FnMut(Span)) {
    let b = text.as_bytes();
    for lt in memchr::memchr_iter(b'<', b) {
        let next = b.get(lt + 1).copied().unwrap_or(b' ');
        if next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?') {
            let end = text[lt..].find('>').map_or(text.len(), |g| lt + g + 1);
            mask(Span::new(lt, end));
        }
    }
}

fn runs(masked: &[bool], within: Span) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = None;
    let end = within.end.min(masked.len());
    for (i, &m) in masked.iter().enumerate().take(end).skip(within.start) {
        match (m, start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push(Span::new(s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Span::new(s, end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::page::{Engine, Format};

    fn doc(t: &str, path: &str) -> Document {
        let format = if path.ends_with(".md") {
            Format::Markdown
        } else {
            Format::Html
        };
        Document::parse(path, t.into(), Engine::Liquid, format)
    }

    fn texts(d: &Document) -> Vec<&str> {
        text_runs(d, Span::new(0, d.text.len()))
            .into_iter()
            .map(|s| d.slice(s))
            .filter(|s| !s.trim().is_empty())
            .collect()
    }

    #[test]
    fn text_runs_leave_out_markup_scripts_comments_and_template_syntax() {
        let d = doc(
            "<p class=\"a\">Hi {{ name }}!</p><!-- c --><script>x</script><br/>end",
            "a.html",
        );
        assert_eq!(texts(&d), ["Hi ", "!", "end"]);
        let md = doc(
            "---\ntitle: T\n---\nSee [docs](/docs) and `code`.\n",
            "a.md",
        );
        assert_eq!(texts(&md), ["See [docs](", ") and ", ".\n"]);
    }

    #[test]
    fn setting_an_attribute_keeps_its_quotes_or_adds_it() {
        let d = doc("<a href='/x' class=btn>x</a>", "a.html");
        assert_eq!(set_attr(&d, 0, "href", "/y").unwrap().replacement, "/y");
        assert_eq!(
            set_attr(&d, 0, "class", "b c").unwrap().replacement,
            "\"b c\""
        );
        assert!(set_attr(&d, 0, "href", "/x").is_none());
        let f = set_attr(&d, 0, "data-x", "it's").unwrap();
        assert_eq!((f.start, f.replacement.as_str()), (22, " data-x=\"it's\""));
    }

    #[test]
    fn whole_lines_swallow_the_line_break_only_when_alone() {
        let t = "a\n  <b>x</b>\nc <i>y</i>\n";
        assert_eq!(whole_lines(t, Span::new(4, 12)), Span::new(2, 13));
        assert_eq!(whole_lines(t, Span::new(15, 23)), Span::new(15, 23));
    }

    #[test]
    fn an_edit_touching_a_region_is_refused() {
        let d = doc("<p>{{ x }}</p>", "a.html");
        assert!(touches_template(&d, Span::new(5, 5)));
        assert!(!touches_template(&d, Span::new(3, 3)));
        assert!(touches_template(&d, Span::new(3, 6)));
        assert!(touches_template(&d, Span::new(0, 14)));
        assert!(!touches_template(&d, Span::new(10, 14)));
        assert!(touches_template(&d, Span::new(10, 15)));
    }
}
