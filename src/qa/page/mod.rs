//! The page model: one source file (HTML, a template, or Markdown with front matter) read
//! once into elements, attributes, links, headings, ids and template references, each with
//! its byte span. Building a `Document` never fails: broken input yields fewer facts.

pub mod front_matter;
pub mod html;
pub mod markdown;
pub mod template;
pub(crate) mod visible;

use std::sync::Arc;

pub use front_matter::FrontMatter;
pub use html::{Attr, Element};
use template::{RegionKind, Regions};

use crate::qa::source::{LineIndex, Span};

/// The template language a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// No generator found: `{{ }}` and `{% %}` are still treated as template syntax.
    Html,
    /// Liquid (Jekyll, Shopify, Eleventy).
    Liquid,
    /// Jinja2, Nunjucks, Tera, Twig.
    Jinja,
    /// Hugo and other Go templates.
    Hugo,
    Handlebars,
}

impl Engine {
    pub fn has_hash_comments(self) -> bool {
        matches!(self, Engine::Jinja)
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Html => "html",
            Engine::Liquid => "liquid",
            Engine::Jinja => "jinja",
            Engine::Hugo => "hugo",
            Engine::Handlebars => "handlebars",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

/// What a URL in the source is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// `<a href>`, `<area href>`, a Markdown link: a navigation.
    Anchor,
    /// `<img src|srcset>`, a Markdown image.
    Image,
    Script,
    /// `<link href>`; the element's `rel` says which.
    LinkTag,
    /// `<iframe src>`, `<frame src>`.
    Frame,
    /// `<video>`, `<audio>`, `<source>`, `<track>`, `<embed>`, `<object>`.
    Media,
    /// `<form action>`.
    Form,
    /// `<meta content>` holding a URL (`og:url`, `og:image`, `twitter:image`).
    Meta,
}

#[derive(Debug, Clone)]
pub struct Link {
    /// The URL exactly as written.
    pub url: Span,
    pub kind: LinkKind,
    /// The element it sits on; `None` for Markdown links.
    pub element: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Heading {
    pub level: u8,
    /// The element (HTML) or the whole heading line (Markdown).
    pub span: Span,
    pub text: String,
    pub element: Option<usize>,
}

/// A template reference to another file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub kind: IncludeKind,
    /// The name as written (`header.html`, `partials/head`); empty when dynamic.
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeKind {
    /// Front matter `layout:`, Liquid `{% layout %}`.
    Layout,
    /// Jinja `{% extends %}`, Handlebars `{{#> layout}}`.
    Extends,
    /// `{% include %}`, `{% render %}`, `{{ partial }}`, `{{> partial}}`, `{{ template }}`.
    Include,
    /// A Hugo shortcode `{{< name >}}` or `{{% name %}}`.
    Shortcode,
}

#[derive(Debug)]
pub struct Document {
    /// Path relative to the checked root, with `/` separators.
    pub path: Arc<str>,
    pub text: String,
    pub engine: Engine,
    pub format: Format,
    pub lines: LineIndex,
    pub regions: Regions,
    pub front_matter: Option<FrontMatter>,
    pub elements: Vec<Element>,
    pub attrs: Vec<Attr>,
    pub comments: Vec<Span>,
    pub links: Vec<Link>,
    pub headings: Vec<Heading>,
    /// Fragment targets: `id` and `<a name>` values, and Markdown heading ids (every slug
    /// style the generators use).
    pub ids: Vec<(String, Span)>,
    /// True when an `id` is built by a template, so a fragment may match it.
    pub has_dynamic_ids: bool,
    pub includes: Vec<Include>,
    /// Results several rules derive from the document, computed once (see `memo`).
    memo: std::sync::Mutex<Vec<std::sync::Arc<dyn std::any::Any + Send + Sync>>>,
}

impl Document {
    /// The value of type `T` derived from this document, computed by `make` the first time
    /// any rule asks: the UTM rules share one parse of the document's URLs this way.
    pub fn memo<T: std::any::Any + Send + Sync>(
        &self,
        make: impl FnOnce() -> T,
    ) -> std::sync::Arc<T> {
        let find = |list: &[std::sync::Arc<dyn std::any::Any + Send + Sync>]| {
            list.iter().find_map(|a| a.clone().downcast::<T>().ok())
        };
        if let Some(hit) = self.memo.lock().ok().and_then(|l| find(&l)) {
            return hit;
        }
        let value = std::sync::Arc::new(make());
        if let Ok(mut list) = self.memo.lock() {
            if let Some(hit) = find(&list) {
                return hit;
            }
            list.push(value.clone());
        }
        value
    }

    pub fn parse(path: &str, text: String, engine: Engine, format: Format) -> Document {
        let lines = LineIndex::new(&text);
        let regions = Regions::new(template::regions(&text, engine));
        let front_matter = front_matter::parse(&text);
        let body = Span::new(front_matter.as_ref().map_or(0, |f| f.span.end), text.len());
        let md = match format {
            Format::Markdown => markdown::scan(&text, body, &regions),
            Format::Html => markdown::MarkdownScan::default(),
        };
        let scan = html::scan(&text, body, &regions, &md.code);
        let mut doc = Document {
            path: Arc::from(path),
            engine,
            format,
            lines,
            regions,
            front_matter,
            elements: scan.elements,
            attrs: scan.attrs,
            comments: scan.comments,
            links: Vec::new(),
            headings: Vec::new(),
            ids: Vec::new(),
            has_dynamic_ids: false,
            includes: Vec::new(),
            memo: std::sync::Mutex::new(Vec::new()),
            text,
        };
        doc.collect_links();
        doc.collect_headings_and_ids(&md);
        for l in &md.links {
            if let Some(dest) = l.dest {
                let kind = if l.is_image {
                    LinkKind::Image
                } else {
                    LinkKind::Anchor
                };
                doc.links.push(Link {
                    url: dest,
                    kind,
                    element: None,
                });
            }
        }
        for &url in &md.definitions {
            doc.links.push(Link {
                url,
                kind: LinkKind::Anchor,
                element: None,
            });
        }
        doc.links.sort_by_key(|l| l.url.start);
        doc.includes = collect_includes(&doc);
        doc
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    pub fn is_dynamic(&self, span: Span) -> bool {
        self.regions.is_dynamic(span)
    }

    pub fn attrs_of(&self, el: usize) -> &[Attr] {
        &self.attrs[self.elements[el].attrs.clone()]
    }

    pub fn attr(&self, el: usize, name: &str) -> Option<&Attr> {
        self.attrs_of(el).iter().find(|a| a.name == name)
    }

    /// The raw value of an attribute, `""` for a bare attribute.
    pub fn attr_value(&self, el: usize, name: &str) -> Option<&str> {
        self.attr(el, name)
            .map(|a| a.value.map_or("", |v| self.slice(v)))
    }

    /// Elements with this tag name.
    pub fn elements_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = usize> + 'a {
        (0..self.elements.len()).filter(move |&i| self.elements[i].name == name)
    }

    /// True when `el` sits inside an element named `name`.
    pub fn has_ancestor(&self, el: usize, name: &str) -> bool {
        let mut p = self.elements[el].parent;
        while let Some(i) = p {
            if self.elements[i].name == name {
                return true;
            }
            p = self.elements[i].parent;
        }
        false
    }

    /// The visible text of an element: tags, comments and template syntax removed, entities
    /// decoded, whitespace collapsed. `None` when the element is never closed.
    pub fn text_of(&self, el: usize) -> Option<String> {
        let content = self.elements[el].content?;
        Some(visible_text(self, content))
    }

    /// True when template output (`{{ … }}`) contributes to the element's text.
    pub fn text_is_dynamic(&self, el: usize) -> bool {
        self.elements[el].content.is_some_and(|c| {
            self.regions
                .within(c)
                .iter()
                .any(|r| r.kind != RegionKind::Comment)
        })
    }

    fn collect_links(&mut self) {
        for (i, el) in self.elements.iter().enumerate() {
            let attrs = &self.attrs[el.attrs.clone()];
            let get = |n: &str| attrs.iter().find(|a| a.name == n).and_then(|a| a.value);
            let mut push = |span: Option<Span>, kind| {
                if let Some(url) = span {
                    self.links.push(Link {
                        url,
                        kind,
                        element: Some(i),
                    });
                }
            };
            match el.name.as_ref() {
                "a" | "area" => push(get("href"), LinkKind::Anchor),
                "img" => {
                    push(get("src"), LinkKind::Image);
                    for s in srcset_urls(&self.text, get("srcset")) {
                        push(Some(s), LinkKind::Image);
                    }
                }
                "script" => push(get("src"), LinkKind::Script),
                "link" => push(get("href"), LinkKind::LinkTag),
                "iframe" | "frame" => push(get("src"), LinkKind::Frame),
                "video" | "audio" | "track" | "embed" => {
                    push(get("src"), LinkKind::Media);
                    push(get("poster"), LinkKind::Image);
                }
                "source" => {
                    push(get("src"), LinkKind::Media);
                    for s in srcset_urls(&self.text, get("srcset")) {
                        push(Some(s), LinkKind::Image);
                    }
                }
                "object" => push(get("data"), LinkKind::Media),
                "form" => push(get("action"), LinkKind::Form),
                "input" => {
                    let is_image = get("type")
                        .is_some_and(|t| self.text[t.start..t.end].eq_ignore_ascii_case("image"));
                    if is_image {
                        push(get("src"), LinkKind::Image);
                    }
                }
                "meta" => {
                    let key = get("property").or_else(|| get("name"));
                    let is_url = key.is_some_and(|k| {
                        matches!(
                            self.text[k.start..k.end].to_ascii_lowercase().as_str(),
                            "og:url"
                                | "og:image"
                                | "og:image:url"
                                | "og:image:secure_url"
                                | "twitter:image"
                                | "twitter:url"
                        )
                    });
                    if is_url {
                        push(get("content"), LinkKind::Meta);
                    }
                }
                _ => {}
            }
        }
    }

    fn collect_headings_and_ids(&mut self, md: &markdown::MarkdownScan) {
        let mut ids = Vec::new();
        let mut dynamic = false;
        for (i, el) in self.elements.iter().enumerate() {
            for a in &self.attrs[el.attrs.clone()] {
                let is_target = a.name == "id" || (a.name == "name" && el.name == "a");
                let Some(v) = a.value.filter(|_| is_target) else {
                    continue;
                };
                if self.regions.is_dynamic(v) {
                    dynamic = true;
                } else {
                    ids.push((decode_entities(&self.text[v.start..v.end]), v));
                }
            }
            if let Some(level) = heading_level(&el.name) {
                self.headings.push(Heading {
                    level,
                    span: el.tag,
                    text: self.text_of(i).unwrap_or_default(),
                    element: Some(i),
                });
            }
        }
        // A repeated heading gets `-1`, `-2`, … in every generator (kramdown, goldmark,
        // markdown-it-anchor).
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for h in &md.headings {
            match &h.id {
                Some(id) => ids.push((id.clone(), h.span)),
                None => {
                    for slug in heading_slugs(&h.text) {
                        let n = seen.entry(slug.clone()).or_insert(0);
                        let id = if *n == 0 { slug } else { format!("{slug}-{n}") };
                        *n += 1;
                        ids.push((id, h.span));
                    }
                }
            }
            if self.regions.is_dynamic(h.span) {
                dynamic = true;
            }
            self.headings.push(Heading {
                level: h.level,
                span: h.span,
                text: h.text.clone(),
                element: None,
            });
        }
        self.headings.sort_by_key(|h| h.span.start);
        self.ids = ids;
        self.has_dynamic_ids = dynamic;
    }
}

fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    }
}

/// The URLs in a `srcset` value: comma-separated "URL [descriptor]" candidates.
fn srcset_urls(text: &str, value: Option<Span>) -> Vec<Span> {
    let Some(v) = value else { return Vec::new() };
    let raw = &text[v.start..v.end];
    let mut out = Vec::new();
    let mut pos = 0;
    for part in raw.split(',') {
        let lead = part.len() - part.trim_start().len();
        let url_len = part
            .trim_start()
            .find(char::is_whitespace)
            .unwrap_or(part.trim_start().len());
        if url_len > 0 && !part.contains("{{") && !part.contains("{%") {
            let s = v.start + pos + lead;
            out.push(Span::new(s, s + url_len));
        }
        pos += part.len() + 1;
    }
    out
}

/// The ids generators give a Markdown heading: kramdown (Jekyll), goldmark (Hugo),
/// markdown-it-anchor (Eleventy) and GitHub differ in punctuation handling, so all are kept.
pub fn heading_slugs(text: &str) -> Vec<String> {
    let lower = text.trim().to_lowercase();
    // goldmark / GitHub: keep letters, digits, `-`, `_`; spaces become `-`.
    let github: String = lower
        .chars()
        .filter_map(|c| match c {
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            ' ' => Some('-'),
            _ => None,
        })
        .collect();
    // kramdown: also drops `_`... and leading characters that are not letters.
    let kramdown: String = github
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .trim_start_matches(|c: char| !c.is_alphabetic())
        .to_string();
    // markdown-it-anchor / slugify: runs of non-word characters collapse to one `-`.
    let mut collapsed = String::new();
    for c in lower.chars() {
        if c.is_alphanumeric() || c == '_' {
            collapsed.push(c);
        } else if !collapsed.ends_with('-') && !collapsed.is_empty() {
            collapsed.push('-');
        }
    }
    let collapsed = collapsed.trim_end_matches('-').to_string();
    let mut out = vec![github, kramdown, collapsed];
    out.sort();
    out.dedup();
    out.retain(|s| !s.is_empty());
    out
}

fn visible_text(doc: &Document, span: Span) -> String {
    let text = &doc.text[span.start..span.end];
    let regions = doc.regions.within(span);
    // Most link and heading texts are plain words: no markup, template or entity to strip.
    if regions.is_empty() && !text.contains(['<', '&']) {
        return text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let mut out = String::new();
    let mut next_region = regions
        .iter()
        .skip_while(|r| r.span.start < span.start)
        .peekable();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let abs = span.start + i;
        if let Some(r) = next_region.peek().filter(|r| r.span.start == abs) {
            if r.kind == RegionKind::Output {
                out.push_str(" {{…}} ");
            }
            i = (r.span.end - span.start).min(bytes.len());
            next_region.next();
            continue;
        }
        while next_region.peek().is_some_and(|r| r.span.start < abs) {
            next_region.next();
        }
        if bytes[i] == b'<'
            && bytes
                .get(i + 1)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'/' || *b == b'!')
        {
            let close = text[i..].find('>').map_or(bytes.len(), |e| i + e + 1);
            out.push(' ');
            i = close;
            continue;
        }
        let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + ch_len]);
        i += ch_len;
    }
    let decoded = decode_entities(&out);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes the character references that matter for comparing text and URLs.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 10);
        let decoded = end.and_then(|e| decode_one(&rest[1..e]).map(|c| (c, e + 1)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_one(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(n);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "copy" => '©',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "rarr" => '→',
        "larr" => '←',
        "raquo" => '»',
        "laquo" => '«',
        "rsaquo" => '›',
        "lsaquo" => '‹',
        "bull" => '•',
        "middot" => '·',
        "trade" => '™',
        "reg" => '®',
        "euro" => '€',
        "pound" => '£',
        _ => return None,
    })
}

/// Template references, read from front matter and template tags.
fn collect_includes(doc: &Document) -> Vec<Include> {
    let mut out = Vec::new();
    if let Some(fm) = &doc.front_matter
        && let Some(layout) = fm.text("layout")
    {
        let span = fm.spans.get("layout").copied().unwrap_or(fm.span);
        out.push(Include {
            kind: IncludeKind::Layout,
            name: layout.to_string(),
            span,
        });
    }
    for r in doc.regions.all() {
        if r.kind == RegionKind::Comment {
            continue;
        }
        if let Some(inc) = read_directive(doc.slice(r.span), r.span, doc.engine) {
            out.push(inc);
        }
    }
    out
}

fn read_directive(raw: &str, span: Span, engine: Engine) -> Option<Include> {
    let shortcode = raw.starts_with("{{<") || raw.starts_with("{{%");
    let inner = raw
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_matches(['%', '-', '~', ' ', '\t', '\n', '\r']);
    if shortcode {
        let inner = inner.trim_start_matches(['<', '%', ' ']).trim_start();
        if inner.starts_with('/') {
            return None;
        }
        let name: String = inner
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>')
            .collect();
        return Some(Include {
            kind: IncludeKind::Shortcode,
            name,
            span,
        });
    }
    let (kind, rest) = if let Some(r) = inner.strip_prefix("#>") {
        (IncludeKind::Extends, r)
    } else if let Some(r) = inner.strip_prefix('>') {
        (IncludeKind::Include, r)
    } else {
        let word: String = inner
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let rest = &inner[word.len()..];
        // `{{ layout.class }}` is a variable, not a directive.
        if !rest.starts_with([' ', '\t', '\n', '\r', '"', '\'', '(']) {
            return None;
        }
        let is_tag = raw.starts_with("{%");
        let hugo_call = matches!(word.as_str(), "partial" | "partialCached" | "template");
        if is_tag == hugo_call {
            return None;
        }
        let kind = match (word.as_str(), engine) {
            ("extends", _) => IncludeKind::Extends,
            ("layout", Engine::Liquid) => IncludeKind::Layout,
            ("include" | "include_relative" | "render" | "import" | "from", _) => {
                IncludeKind::Include
            }
            ("partial" | "partialCached" | "template", _) => IncludeKind::Include,
            _ => return None,
        };
        if word == "template" && rest.trim_start().starts_with("\"_internal") {
            return None;
        }
        (kind, rest)
    };
    let name = first_argument(rest.trim_start());
    if name.starts_with('@') {
        // `{{> @partial-block}}` renders what the caller passed, not a file.
        return None;
    }
    Some(Include { kind, name, span })
}

/// The literal file name an include names: a quoted string or a bare path; empty when it
/// is an expression.
fn first_argument(s: &str) -> String {
    if let Some(q) = s
        .chars()
        .next()
        .filter(|c| *c == '"' || *c == '\'' || *c == '`')
    {
        let body = &s[1..];
        return body
            .find(q)
            .map_or(String::new(), |e| body[..e].to_string());
    }
    let word: String = s
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | ',' | '|' | '}'))
        .collect();
    if word.contains('.')
        || word.contains('/')
        || word
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        word
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, t: &str, engine: Engine) -> Document {
        let format = if path.ends_with(".md") {
            Format::Markdown
        } else {
            Format::Html
        };
        Document::parse(path, t.to_string(), engine, format)
    }

    #[test]
    fn reads_includes_for_each_engine() {
        let names = |d: &Document| {
            d.includes
                .iter()
                .map(|i| (i.kind, i.name.clone()))
                .collect::<Vec<_>>()
        };
        let l = doc(
            "a.html",
            "---\nlayout: default\n---\n{% include header.html %}{% render 'cta' %}",
            Engine::Liquid,
        );
        assert_eq!(
            names(&l),
            [
                (IncludeKind::Layout, "default".into()),
                (IncludeKind::Include, "header.html".into()),
                (IncludeKind::Include, "cta".into()),
            ]
        );
        let j = doc(
            "a.html",
            r#"{% extends "base.html" %}{% include "nav.html" %}"#,
            Engine::Jinja,
        );
        assert_eq!(names(&j)[0], (IncludeKind::Extends, "base.html".into()));
        let h = doc(
            "a.html",
            r#"{{ partial "head/meta.html" . }}{{< figure src="x" >}}"#,
            Engine::Hugo,
        );
        assert_eq!(
            names(&h),
            [
                (IncludeKind::Include, "head/meta.html".into()),
                (IncludeKind::Shortcode, "figure".into()),
            ]
        );
        let hb = doc(
            "a.hbs",
            "{{#> layout}}{{> components/nav}}{{/layout}}",
            Engine::Handlebars,
        );
        assert_eq!(
            names(&hb),
            [
                (IncludeKind::Extends, "layout".into()),
                (IncludeKind::Include, "components/nav".into()),
            ]
        );
    }

    #[test]
    fn collects_links_ids_and_markdown_heading_slugs() {
        let d = doc(
            "a.md",
            "---\ntitle: x\n---\n## Enterprise plan\n\n<a id=\"top\" href=\"/x\">x</a> [y](/y#z)\n",
            Engine::Liquid,
        );
        let urls: Vec<_> = d.links.iter().map(|l| d.slice(l.url)).collect();
        assert_eq!(urls, ["/x", "/y#z"]);
        let ids: Vec<_> = d.ids.iter().map(|(i, _)| i.as_str()).collect();
        assert!(ids.contains(&"top") && ids.contains(&"enterprise-plan"));
    }

    #[test]
    fn repeated_markdown_headings_get_numbered_ids() {
        let d = doc("a.md", "## Intro\n\n## Intro\n\n## Intro\n", Engine::Liquid);
        let ids: Vec<_> = d.ids.iter().map(|(i, _)| i.as_str()).collect();
        assert!(
            ids.contains(&"intro") && ids.contains(&"intro-1") && ids.contains(&"intro-2"),
            "{ids:?}"
        );
    }

    #[test]
    fn visible_text_drops_tags_and_decodes_entities() {
        let d = doc(
            "a.html",
            "<a href=x><img src=i> Read&nbsp;more &amp; {{ x }}</a>",
            Engine::Liquid,
        );
        assert_eq!(d.text_of(0).unwrap(), "Read more & {{…}}");
    }
}
