//! A tolerant, template-aware HTML tag scanner that keeps byte spans.
//!
//! html5ever and scraper build a DOM without source positions, and spec tokenizers choke on
//! template syntax inside tags (`<a {% if x %}class="y"{% endif %}>`). This scanner walks the
//! source once, treats template regions as opaque, and records start tags, attributes, comments
//! and a parent link per element; it never fails, whatever the bytes.

use super::template::Regions;
use crate::qa::source::Span;

#[derive(Debug, Clone)]
pub struct Element {
    /// Lowercase tag name.
    pub name: Name,
    /// The whole start tag, `<` to `>`.
    pub tag: Span,
    /// Index range into `Scan::attrs`.
    pub attrs: std::ops::Range<usize>,
    pub parent: Option<usize>,
    /// Bytes between the start tag and the matching end tag, when it is closed.
    pub content: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct Attr {
    /// Lowercase attribute name.
    pub name: Name,
    pub name_span: Span,
    /// The raw value without its quotes.
    pub value: Option<Span>,
}

/// A lowercase tag or attribute name: the common ones are static, so a page of thousands
/// of elements does not allocate a string for each.
pub type Name = std::borrow::Cow<'static, str>;

const KNOWN_NAMES: &[&str] = &[
    "a",
    "abbr",
    "action",
    "alt",
    "area",
    "aria-describedby",
    "aria-hidden",
    "aria-label",
    "aria-labelledby",
    "article",
    "aside",
    "async",
    "audio",
    "b",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "charset",
    "class",
    "code",
    "col",
    "content",
    "crossorigin",
    "data",
    "datetime",
    "dd",
    "decoding",
    "defer",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "for",
    "form",
    "frame",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "height",
    "hr",
    "href",
    "hreflang",
    "html",
    "i",
    "id",
    "iframe",
    "img",
    "input",
    "integrity",
    "itemprop",
    "label",
    "lang",
    "li",
    "link",
    "loading",
    "main",
    "media",
    "meta",
    "method",
    "name",
    "nav",
    "noscript",
    "object",
    "ol",
    "option",
    "p",
    "path",
    "picture",
    "placeholder",
    "poster",
    "pre",
    "property",
    "rel",
    "required",
    "role",
    "script",
    "section",
    "select",
    "sizes",
    "small",
    "source",
    "span",
    "src",
    "srcset",
    "strong",
    "style",
    "summary",
    "svg",
    "table",
    "target",
    "tbody",
    "td",
    "template",
    "textarea",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "type",
    "ul",
    "value",
    "video",
    "viewbox",
    "width",
    "xmlns",
];

/// The static copy of a known name: names of one length are few, so a length lookup and a
/// handful of short comparisons find it (this runs for every tag and attribute).
fn known(n: &str) -> Option<Name> {
    static BY_LEN: std::sync::LazyLock<Vec<Vec<&'static str>>> = std::sync::LazyLock::new(|| {
        let mut by_len = vec![Vec::new(); 32];
        for name in KNOWN_NAMES {
            by_len[name.len()].push(*name);
        }
        by_len
    });
    BY_LEN
        .get(n.len())?
        .iter()
        .find(|k| **k == n)
        .map(|k| Name::Borrowed(k))
}

fn name_of(raw: &str) -> Name {
    if raw.bytes().all(|b| !b.is_ascii_uppercase()) {
        return known(raw).unwrap_or_else(|| Name::Owned(raw.to_string()));
    }
    let lower = raw.to_ascii_lowercase();
    known(&lower).unwrap_or(Name::Owned(lower))
}

#[derive(Debug, Default)]
pub struct Scan {
    pub elements: Vec<Element>,
    pub attrs: Vec<Attr>,
    pub comments: Vec<Span>,
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen",
];
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "plaintext"];

/// Scans `text[range]`, skipping template regions and any `skip` spans (sorted), e.g.
/// Markdown code blocks.
pub fn scan(text: &str, range: Span, regions: &Regions, skip: &[Span]) -> Scan {
    let mut s = Scanner {
        text,
        bytes: text.as_bytes(),
        end: range.end,
        regions,
        out: Scan::default(),
        stack: Vec::new(),
    };
    s.run(range.start, skip);
    s.out
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    end: usize,
    regions: &'a Regions,
    out: Scan,
    stack: Vec<usize>,
}

impl Scanner<'_> {
    /// The template region starting at `i`. Every region starts with `{`, so most bytes
    /// are answered without a search (this runs for every byte of every attribute value).
    fn region_at(&self, i: usize) -> Option<super::template::Region> {
        if self.bytes.get(i) != Some(&b'{') {
            return None;
        }
        self.regions.starting_at(i)
    }

    fn run(&mut self, mut i: usize, skip: &[Span]) {
        let mut skip = skip.iter().peekable();
        while i < self.end {
            let Some(rel) = memchr::memchr2(b'<', b'{', &self.bytes[i..self.end]) else {
                break;
            };
            i += rel;
            while skip.peek().is_some_and(|s| s.end <= i) {
                skip.next();
            }
            if let Some(s) = skip.peek().filter(|s| s.start <= i) {
                i = s.end;
                continue;
            }
            if let Some(r) = self.region_at(i) {
                i = r.span.end;
                continue;
            }
            i = if self.bytes[i] == b'<' {
                self.markup(i)
            } else {
                i + 1
            };
        }
    }

    /// Handles whatever starts with `<` at `i`; returns where scanning goes on.
    fn markup(&mut self, i: usize) -> usize {
        let rest = &self.bytes[i..self.end];
        if rest.starts_with(b"<!--") {
            let close = find(self.bytes, i + 4, self.end, b"-->").map_or(self.end, |e| e + 3);
            self.out.comments.push(Span::new(i, close));
            return close;
        }
        match rest.get(1) {
            Some(b'!') | Some(b'?') => self.skip_to_gt(i + 2),
            Some(b'/') if rest.get(2).is_some_and(u8::is_ascii_alphabetic) => self.end_tag(i),
            Some(c) if c.is_ascii_alphabetic() => self.start_tag(i),
            _ => i + 1,
        }
    }

    fn skip_to_gt(&self, mut i: usize) -> usize {
        while i < self.end {
            let Some(rel) = memchr::memchr2(b'>', b'{', &self.bytes[i..self.end]) else {
                break;
            };
            i += rel;
            if let Some(r) = self.region_at(i) {
                i = r.span.end;
                continue;
            }
            if self.bytes[i] == b'>' {
                return i + 1;
            }
            i += 1;
        }
        self.end
    }

    fn tag_name(&self, mut i: usize) -> (usize, Name) {
        let start = i;
        while i < self.end {
            let b = self.bytes[i];
            if b.is_ascii_whitespace() || b == b'/' || b == b'>' || b == b'<' {
                break;
            }
            if b == b'{' && self.region_at(i).is_some() {
                break;
            }
            i += 1;
        }
        (i, name_of(&self.text[start..i]))
    }

    fn end_tag(&mut self, i: usize) -> usize {
        let (after, name) = self.tag_name(i + 2);
        let close = self.skip_to_gt(after);
        if let Some(depth) = self
            .stack
            .iter()
            .rposition(|&e| self.out.elements[e].name == name)
        {
            let el = self.stack[depth];
            let open_end = self.out.elements[el].tag.end;
            self.out.elements[el].content = Some(Span::new(open_end, i.max(open_end)));
            self.stack.truncate(depth);
        }
        close
    }

    fn start_tag(&mut self, i: usize) -> usize {
        let (mut p, name) = self.tag_name(i + 1);
        let attrs_start = self.out.attrs.len();
        let mut self_closing = false;
        loop {
            while p < self.end && self.bytes[p].is_ascii_whitespace() {
                p += 1;
            }
            if p >= self.end {
                break;
            }
            if let Some(r) = self.region_at(p) {
                p = r.span.end;
                continue;
            }
            match self.bytes[p] {
                b'>' => {
                    p += 1;
                    break;
                }
                b'/' if self.bytes.get(p + 1) == Some(&b'>') => {
                    self_closing = true;
                    p += 2;
                    break;
                }
                b'/' | b'"' | b'\'' | b'=' => {
                    p += 1;
                    continue;
                }
                _ => {}
            }
            p = self.attribute(p);
        }
        let index = self.out.elements.len();
        self.out.elements.push(Element {
            name: name.clone(),
            tag: Span::new(i, p),
            attrs: attrs_start..self.out.attrs.len(),
            parent: self.stack.last().copied(),
            content: None,
        });
        if self_closing || VOID.contains(&name.as_ref()) {
            return p;
        }
        if RAW_TEXT.contains(&name.as_ref()) {
            let close = find_end_tag(self.bytes, p, self.end, name.as_bytes());
            let content_end = close.unwrap_or(self.end);
            self.out.elements[index].content = Some(Span::new(p, content_end));
            return close.map_or(self.end, |c| self.skip_to_gt(c + 2));
        }
        self.stack.push(index);
        p
    }

    /// Reads one attribute starting at `p`; returns the position after it.
    fn attribute(&mut self, mut p: usize) -> usize {
        let start = p;
        while p < self.end {
            let b = self.bytes[p];
            if b.is_ascii_whitespace() || b == b'=' || b == b'>' || b == b'/' {
                break;
            }
            if b == b'{' && self.region_at(p).is_some() {
                break;
            }
            p += 1;
        }
        if p == start {
            return p + 1;
        }
        let name_span = Span::new(start, p);
        let mut q = p;
        while q < self.end && self.bytes[q].is_ascii_whitespace() {
            q += 1;
        }
        let mut value = None;
        if q < self.end && self.bytes[q] == b'=' {
            q += 1;
            while q < self.end && self.bytes[q].is_ascii_whitespace() {
                q += 1;
            }
            let (span, after) = self.attr_value(q);
            value = Some(span);
            p = after;
        }
        self.out.attrs.push(Attr {
            name: name_of(&self.text[name_span.start..name_span.end]),
            name_span,
            value,
        });
        p
    }

    fn attr_value(&self, q: usize) -> (Span, usize) {
        let Some(&quote) = self.bytes.get(q).filter(|&&b| b == b'"' || b == b'\'') else {
            let mut e = q;
            while e < self.end {
                if let Some(r) = self.region_at(e) {
                    e = r.span.end;
                    continue;
                }
                let b = self.bytes[e];
                if b.is_ascii_whitespace() || b == b'>' {
                    break;
                }
                e += 1;
            }
            return (Span::new(q, e), e);
        };
        let mut e = q + 1;
        while e < self.end {
            let Some(rel) = memchr::memchr2(quote, b'{', &self.bytes[e..self.end]) else {
                break;
            };
            e += rel;
            if let Some(r) = self.region_at(e) {
                e = r.span.end.min(self.end);
                continue;
            }
            if self.bytes[e] == quote {
                return (Span::new(q + 1, e), e + 1);
            }
            e += 1;
        }
        (Span::new(q + 1, self.end), self.end)
    }
}

fn find(hay: &[u8], from: usize, to: usize, needle: &[u8]) -> Option<usize> {
    if from >= to {
        return None;
    }
    hay[from..to]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// The offset of `</name` (case-insensitive) at or after `from`.
fn find_end_tag(hay: &[u8], from: usize, to: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(lt) = find(hay, i, to, b"</") {
        let after = lt + 2 + name.len();
        if after <= to
            && hay[lt + 2..after].eq_ignore_ascii_case(name)
            && hay
                .get(after)
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
        {
            return Some(lt);
        }
        i = lt + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::page::{Engine, template};

    fn scan_str(t: &str) -> Scan {
        let regions = Regions::new(template::regions(t, Engine::Liquid));
        scan(t, Span::new(0, t.len()), &regions, &[])
    }

    #[test]
    fn records_attributes_with_exact_value_spans() {
        let t = r#"<a HREF="/x?a=1" class=btn data-x>go</a>"#;
        let s = scan_str(t);
        assert_eq!(s.elements.len(), 1);
        let a = &s.elements[0];
        assert_eq!(a.name, "a");
        let names: Vec<_> = s.attrs.iter().map(|a| a.name.as_ref()).collect();
        assert_eq!(names, ["href", "class", "data-x"]);
        let v = s.attrs[0].value.unwrap();
        assert_eq!(&t[v.start..v.end], "/x?a=1");
        let c = a.content.unwrap();
        assert_eq!(&t[c.start..c.end], "go");
    }

    #[test]
    fn template_syntax_inside_tags_and_values_is_opaque() {
        let t = r#"<a {% if x %}class="y"{% endif %} href="{{ "/p" | relative_url }}">x</a>"#;
        let s = scan_str(t);
        let href = s.attrs.iter().find(|a| a.name == "href").unwrap();
        let v = href.value.unwrap();
        assert_eq!(&t[v.start..v.end], r#"{{ "/p" | relative_url }}"#);
        assert!(s.attrs.iter().any(|a| a.name == "class"));
    }

    #[test]
    fn script_content_is_raw_text_and_parents_are_tracked() {
        let t = "<head><script>if (a<b) {}</script><meta name=x></head>";
        let s = scan_str(t);
        let names: Vec<_> = s.elements.iter().map(|e| e.name.as_ref()).collect();
        assert_eq!(names, ["head", "script", "meta"]);
        assert_eq!(s.elements[2].parent, Some(0));
    }

    #[test]
    fn known_names_are_sorted_and_found() {
        assert!(KNOWN_NAMES.windows(2).all(|w| w[0] < w[1]));
        assert!(matches!(name_of("HREF"), Name::Borrowed("href")));
        assert_eq!(name_of("data-Cta"), "data-cta");
    }

    #[test]
    fn unclosed_tags_and_quotes_never_panic() {
        for t in [
            "<a href=\"x",
            "<",
            "<a",
            "</",
            "<!--",
            "<a b='",
            "<div><p>x",
        ] {
            let _ = scan_str(t);
        }
    }
}
