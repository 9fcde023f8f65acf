//! SEO rules (DOMAIN.md §3): title, meta description, canonical, robots and hreflang, read
//! from a page with its layouts and includes, and compared across pages.
//!
//! The helpers here answer what every head rule asks before it may speak: is this element
//! always rendered, could a template print head elements no file shows, what text does a
//! title render to. The social rules (SOC-*) use them too. They never report anything.

mod bad_canonical;
mod bad_description;
mod bad_hreflang;
mod bad_title;
mod robots_noindex;

use std::collections::BTreeMap;

use super::Rule;
use crate::qa::page::template::RegionKind;
use crate::qa::page::{Document, Format, IncludeKind};
use crate::qa::site::{PageFacts, TextFact};
use crate::qa::source::Span;
use crate::qa::view::PageView;

pub static RULES: &[&dyn Rule] = &[
    &bad_title::BadTitle,
    &bad_description::BadDescription,
    &bad_canonical::BadCanonical,
    &robots_noindex::RobotsNoindex,
    &bad_hreflang::BadHreflang,
];

/// One template block open at some point of a file.
#[derive(Debug, Clone)]
struct Open {
    /// The tag word (`if`, `block`, `define`, a Handlebars helper or partial name).
    word: String,
    /// The block's argument as written (`head` in `{% block head %}`).
    name: String,
    /// Its content may not be rendered at all (`if`, `for`, `capture`, `with` in Go).
    conditional: bool,
}

/// What a template tag does to the block structure.
enum Tag {
    Open(Open),
    /// `{% endif %}`, `{{/if}}` (the word), `{{ end }}` (`None`: the innermost block).
    Close(Option<String>),
    Other,
}

/// Liquid/Jinja block tags whose content may not be rendered where it stands.
const CONDITIONAL_BLOCKS: &[&str] = &[
    "if",
    "unless",
    "for",
    "case",
    "capture",
    "macro",
    "call",
    "ifchanged",
    "tablerow",
    "ifequal",
    "ifnotequal",
];
/// Liquid/Jinja tags that never open a block.
const INLINE_TAGS: &[&str] = &[
    "else",
    "elsif",
    "elif",
    "when",
    "empty",
    "assign",
    "include",
    "include_relative",
    "render",
    "layout",
    "extends",
    "import",
    "from",
    "break",
    "continue",
    "cycle",
    "increment",
    "decrement",
    "echo",
    "liquid",
    "do",
    "super",
    "load",
    "url",
    "static",
    "csrf_token",
    "now",
    "link",
    "post_url",
    "seo",
    "feed_meta",
    "comment",
    "raw",
];

/// Reads one `Tag` region.
fn classify_tag(raw: &str) -> Tag {
    let curly = raw.starts_with("{{");
    let inner = raw
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_matches(|c: char| matches!(c, '%' | '-' | '~') || c.is_whitespace());
    let word_of = |s: &str| -> String {
        s.chars()
            .take_while(|c| !c.is_whitespace() && *c != '(')
            .collect()
    };
    if let Some(rest) = inner.strip_prefix('#') {
        // Partial blocks and inline partials render their content; any other block helper
        // (`if`, `each`, `with`, a site's own) may skip it.
        let partial = rest.starts_with(['>', '*']);
        let rest = rest.trim_start_matches(['>', '*']).trim_start();
        let word = word_of(rest);
        let name = rest[word.len()..].trim().to_string();
        return Tag::Open(Open {
            word,
            name,
            conditional: !partial,
        });
    }
    if let Some(rest) = inner.strip_prefix('/') {
        return Tag::Close(Some(word_of(rest.trim())));
    }
    if let Some(rest) = inner.strip_prefix('^') {
        if rest.trim().is_empty() {
            return Tag::Other;
        }
        let word = word_of(rest.trim());
        return Tag::Open(Open {
            word,
            name: String::new(),
            conditional: true,
        });
    }
    let word = word_of(inner);
    let name = inner[word.len()..].trim().to_string();
    if curly {
        // Go templates: `if`, `with`, `range` are conditional; `define`, `block` render.
        return match word.as_str() {
            "if" | "with" | "range" => Tag::Open(Open {
                word,
                name,
                conditional: true,
            }),
            "define" | "block" => Tag::Open(Open {
                word,
                name,
                conditional: false,
            }),
            "end" => Tag::Close(None),
            _ => Tag::Other,
        };
    }
    if let Some(closed) = word.strip_prefix("end") {
        return Tag::Close(Some(closed.to_string()));
    }
    if INLINE_TAGS.contains(&word.as_str()) || (word == "set" && name.contains('=')) {
        return Tag::Other;
    }
    let conditional = CONDITIONAL_BLOCKS.contains(&word.as_str()) || word == "set";
    Tag::Open(Open {
        word,
        name,
        conditional,
    })
}

fn apply(stack: &mut Vec<Open>, tag: Tag) {
    match tag {
        Tag::Open(o) => stack.push(o),
        Tag::Close(None) => {
            stack.pop();
        }
        Tag::Close(Some(w)) => {
            if let Some(i) = stack.iter().rposition(|o| o.word == w) {
                stack.truncate(i);
            }
        }
        Tag::Other => {}
    }
}

/// The template blocks open at byte `at` of `doc`.
fn open_blocks(doc: &Document, at: usize) -> Vec<Open> {
    let mut stack = Vec::new();
    for r in doc
        .regions
        .all()
        .iter()
        .filter(|r| r.span.end <= at && r.kind == RegionKind::Tag)
    {
        apply(&mut stack, classify_tag(doc.slice(r.span)));
    }
    stack
}

/// The name a block tag gives (`head` for `{% block head %}` and `{{ define "head" }}`).
fn block_name(name: &str) -> String {
    name.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(['"', '\'', '`'])
        .to_string()
}

/// True when the element starting at `at` of `doc` is rendered on every page that uses
/// `doc`: no template condition or loop around it, and no block around it that another file
/// of the view replaces (`{% block %}` in a base template that the page overrides).
pub(crate) fn always_rendered(view: &PageView, doc: &Document, at: usize) -> bool {
    let stack = open_blocks(doc, at);
    if stack.iter().any(|o| o.conditional) {
        return false;
    }
    let is_child = doc.includes.iter().any(|i| i.kind == IncludeKind::Extends);
    !stack
        .iter()
        .filter(|o| o.word == "block" && !is_child)
        .any(|o| overridden(view, doc, &block_name(&o.name)))
}

/// True when a file of the view other than `doc` defines block `name`.
fn overridden(view: &PageView, doc: &Document, name: &str) -> bool {
    view.docs
        .iter()
        .filter(|d| !std::ptr::eq(**d, doc))
        .any(|d| {
            d.regions
                .all()
                .iter()
                .filter(|r| r.kind == RegionKind::Tag)
                .any(|r| match classify_tag(d.slice(r.span)) {
                    Tag::Open(o) => {
                        matches!(o.word.as_str(), "block" | "define") && block_name(&o.name) == name
                    }
                    _ => false,
                })
        })
}

/// Elements that only belong in `<head>`: a template printed next to them prints into it.
const HEAD_ONLY: &[&str] = &["meta", "link", "title", "base"];
/// Elements whose content is text: template output inside them prints no elements.
const RAW_TEXT: &[&str] = &[
    "title", "script", "style", "textarea", "noscript", "template",
];
/// Block names that hold head markup by convention.
const HEAD_BLOCK_WORDS: &[&str] = &[
    "head",
    "meta",
    "seo",
    "social",
    "og",
    "twitter",
    "canonical",
    "title",
];

/// True when the page is a whole HTML document (it has `<html>` or `<head>` somewhere in
/// its chain), not a fragment, a feed or a verification file.
pub(crate) fn is_document(view: &PageView) -> bool {
    view.docs.iter().any(|d| {
        d.elements_named("html").next().is_some() || d.elements_named("head").next().is_some()
    })
}

/// Where a missing head element is reported, or `None` when the rule must stay silent: the
/// page's chain is not complete, it is not a whole document, or a template could print head
/// elements that no file shows (`{% seo %}`, `{{ghost_head}}`, Hugo's internal templates).
pub(crate) fn absent_at<'a>(view: &PageView<'a>) -> Option<(&'a Document, Span)> {
    if !view.is_complete() || !is_document(view) || head_may_be_generated(view) {
        return None;
    }
    Some(view.head_owner())
}

/// True when some template construct could print elements into the page's head.
pub(crate) fn head_may_be_generated(view: &PageView) -> bool {
    view.docs.iter().any(|doc| {
        if std::ptr::eq(*doc, view.page) && doc.format == Format::Markdown {
            return false;
        }
        let mut stack = Vec::new();
        for r in doc.regions.all() {
            let raw = doc.slice(r.span);
            let prints = match r.kind {
                RegionKind::Comment => false,
                RegionKind::Tag => {
                    let prints = tag_prints_markup(raw);
                    apply(&mut stack, classify_tag(raw));
                    prints
                }
                RegionKind::Output => output_prints_markup(raw),
            };
            if prints
                && !in_start_tag(doc, r.span.start)
                && in_head_context(doc, view, r.span, &stack)
            {
                return true;
            }
        }
        false
    })
}

/// A tag that may print markup of its own (a plugin tag such as `{% seo %}`, Hugo's
/// `{{ template "_internal/opengraph.html" . }}`, an unknown Handlebars block helper).
fn tag_prints_markup(raw: &str) -> bool {
    if raw.contains("_internal/") {
        return true;
    }
    let inner = raw
        .trim_start_matches('{')
        .trim_matches(|c: char| matches!(c, '%' | '-' | '~') || c.is_whitespace());
    if raw.starts_with("{{") {
        return false;
    }
    let word: String = inner
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let known = INLINE_TAGS.contains(&word.as_str())
        && !matches!(word.as_str(), "seo" | "feed_meta" | "echo")
        || CONDITIONAL_BLOCKS.contains(&word.as_str())
        || word.starts_with("end")
        || matches!(
            word.as_str(),
            "set"
                | "block"
                | "with"
                | "filter"
                | "autoescape"
                | "spaceless"
                | "trans"
                | "blocktrans"
                | "verbatim"
                | "embed"
                | "apply"
        );
    !known
}

/// Output that may print markup: anything but an include (followed by the chain) or Jinja's
/// `super()` (the parent block, also in the chain).
fn output_prints_markup(raw: &str) -> bool {
    let inner = raw
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_matches(|c: char| matches!(c, '-' | '~' | '<' | '>' | '%') || c.is_whitespace());
    let word: String = inner
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if raw.contains("_internal/") {
        return true;
    }
    !(matches!(
        word.as_str(),
        "partial" | "partialCached" | "include" | "render"
    ) || inner.starts_with("super()"))
}

/// True when `at` lies inside an element's start tag (an attribute value).
fn in_start_tag(doc: &Document, at: usize) -> bool {
    let i = doc.elements.partition_point(|e| e.tag.start <= at);
    i > 0 && doc.elements[i - 1].tag.end > at
}

/// True when markup printed at `span` would land in the document head.
fn in_head_context(doc: &Document, view: &PageView, span: Span, stack: &[Open]) -> bool {
    let is_head_name = |n: &str| {
        let n = n.to_ascii_lowercase();
        HEAD_BLOCK_WORDS
            .iter()
            .any(|w| n.split(['_', '-', '.', '/']).any(|part| part == *w))
    };
    if stack.iter().any(|o| is_head_name(&block_name(&o.name))) {
        return true;
    }
    // Content that a template moves elsewhere lands where its block is placed: a Hugo
    // `define`, a Handlebars inline partial, a Jinja child's `block`, a Jekyll page's body.
    let is_child = doc.includes.iter().any(|i| i.kind == IncludeKind::Extends);
    let relocated = stack.iter().find(|o| {
        matches!(o.word.as_str(), "define" | "inline") || (o.word == "block" && is_child)
    });
    if let Some(o) = relocated {
        return placed_in_head(view, doc, &block_name(&o.name));
    }
    if std::ptr::eq(doc, view.page) && doc.includes.iter().any(|i| i.kind == IncludeKind::Layout) {
        return false;
    }
    match element_context(doc, span) {
        Some(in_head) => in_head,
        None if doc.elements.is_empty() => true,
        None => {
            let before = doc
                .elements
                .iter()
                .rev()
                .find(|e| e.parent.is_none() && e.tag.end <= span.start);
            let after = doc
                .elements
                .iter()
                .find(|e| e.parent.is_none() && e.tag.start >= span.end);
            [before, after]
                .into_iter()
                .flatten()
                .any(|e| HEAD_ONLY.contains(&e.name.as_str()))
        }
    }
}

/// Whether `span` sits in `<head>` judged by the elements around it: `Some(true)` inside
/// head, `Some(false)` elsewhere in a document (or inside text-only elements), `None` when
/// the file has no element around it and no `<head>` or `<body>` to place it by.
fn element_context(doc: &Document, span: Span) -> Option<bool> {
    let enclosing = doc
        .elements
        .iter()
        .enumerate()
        .filter(|(_, e)| e.content.is_some_and(|c| c.contains(span)))
        .max_by_key(|(_, e)| e.tag.start)
        .map(|(i, _)| i);
    if let Some(i) = enclosing {
        let el = &doc.elements[i];
        return Some(
            !RAW_TEXT.contains(&el.name.as_str())
                && (el.name == "head" || doc.has_ancestor(i, "head")),
        );
    }
    if doc.elements_named("head").next().is_some() || doc.elements_named("body").next().is_some() {
        return Some(false);
    }
    None
}

/// True when block `name`, defined in `doc`, is placed inside `<head>` by another file of
/// the view, or its place cannot be found (then it may be).
fn placed_in_head(view: &PageView, doc: &Document, name: &str) -> bool {
    for d in view.docs.iter().filter(|d| !std::ptr::eq(**d, doc)) {
        for r in d.regions.all().iter().filter(|r| r.kind == RegionKind::Tag) {
            let raw = d.slice(r.span);
            let places = match classify_tag(raw) {
                Tag::Open(o) => o.word == "block" && block_name(&o.name) == name,
                _ => {
                    let inner = raw
                        .trim_start_matches('{')
                        .trim_end_matches('}')
                        .trim_matches(['-', '~', ' ']);
                    let arg = inner
                        .strip_prefix("template")
                        .or_else(|| inner.strip_prefix('>'))
                        .map(block_name);
                    arg.is_some_and(|a| a == name)
                }
            };
            if places {
                return element_context(d, r.span).unwrap_or(true);
            }
        }
    }
    true
}

/// The text an element (or one of its attributes) renders to, and where it is written.
pub(crate) struct Rendered<'a> {
    pub text: String,
    pub doc: &'a Document,
    pub span: Span,
    /// The text is the page's front matter value, printed by a template.
    pub from_front_matter: bool,
}

/// The text of element `el` (or its attribute `attr`) as visitors get it, when it can be
/// known: the literal text, or the page's own front matter `key` when the template prints
/// exactly that value (`{{ page.title }}`, `{{ .Title }}`, `{{ title | escape }}`).
pub(crate) fn rendered<'a>(
    view: &PageView<'a>,
    doc: &'a Document,
    el: usize,
    attr: Option<&str>,
    key: &str,
) -> Option<Rendered<'a>> {
    let (span, dynamic, text) = match attr {
        Some(a) => {
            let v = doc.attr(el, a)?.value?;
            let text = crate::qa::page::decode_entities(doc.slice(v));
            (
                v,
                doc.is_dynamic(v),
                text.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        }
        None => (
            doc.elements[el].content?,
            doc.text_is_dynamic(el),
            doc.text_of(el)?,
        ),
    };
    if !dynamic {
        return Some(Rendered {
            text,
            doc,
            span,
            from_front_matter: false,
        });
    }
    if !prints_only(doc, span, key) {
        return None;
    }
    let (value, at) = view.front_matter(key)?;
    let text = value.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(Rendered {
        text,
        doc: view.page,
        span: at,
        from_front_matter: true,
    })
}

/// Filters that leave a value's length as it is, or only apply when it is missing.
const SAFE_FILTERS: &[&str] = &[
    "default",
    "d",
    "escape",
    "escape_once",
    "xml_escape",
    "e",
    "safe",
    "strip",
    "trim",
    "html",
    "htmlEscape",
    "plainify",
    "safeHTML",
    "strip_html",
    "striptags",
    "markdownify",
    "smartify",
    "htmlUnescape",
];

/// True when `span` holds nothing but one template output of the page's `key`.
fn prints_only(doc: &Document, span: Span, key: &str) -> bool {
    let raw = doc.slice(span);
    let inner = Span::new(
        span.start + (raw.len() - raw.trim_start().len()),
        span.end - (raw.len() - raw.trim_end().len()),
    );
    let regions = doc.regions.within(inner);
    let [r] = regions else { return false };
    if r.kind != RegionKind::Output || r.span != inner {
        return false;
    }
    let expr = doc
        .slice(r.span)
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_matches(|c: char| matches!(c, '-' | '~') || c.is_whitespace());
    let mut parts = expr.split('|');
    let var = parts.next().unwrap_or("").trim();
    let (prefix, last) = var.rsplit_once('.').unwrap_or(("", var));
    let prefix_ok = matches!(
        prefix.to_ascii_lowercase().as_str(),
        "" | "page"
            | ".page"
            | "this"
            | "@root"
            | ".params"
            | "page.params"
            | ".page.params"
            | "page.data"
    );
    let filters_ok = parts.all(|f| {
        let name: String = f
            .trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        SAFE_FILTERS.contains(&name.as_str())
    });
    prefix_ok && last.eq_ignore_ascii_case(key) && filters_ok && !var.contains([' ', '(', '['])
}

/// Groups of two or more pages that render the same text (title, description). A value
/// printed from front matter only counts as the same when the pages share their layouts, so
/// the text around it is the same too.
pub(crate) fn same_text_groups(
    pages: &[PageFacts],
    get: impl Fn(&PageFacts) -> Option<&TextFact>,
) -> Vec<Vec<(&PageFacts, &TextFact)>> {
    let mut groups: BTreeMap<(String, String), Vec<(&PageFacts, &TextFact)>> = BTreeMap::new();
    for p in pages {
        let Some(fact) = get(p) else { continue };
        let value = fact
            .value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if value.is_empty() {
            continue;
        }
        let layouts = if fact.dynamic {
            p.chain
                .iter()
                .skip(1)
                .map(|c| c.as_ref())
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            String::new()
        };
        groups.entry((value, layouts)).or_default().push((p, fact));
    }
    groups.into_values().filter(|g| g.len() > 1).collect()
}

/// "a.html, b.html and 3 more".
pub(crate) fn name_pages(pages: &[&str]) -> String {
    let shown: Vec<&str> = pages.iter().take(4).copied().collect();
    match pages.len().saturating_sub(shown.len()) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// The site's public origin from `sitewide.toml`, without a trailing slash, when it is an
/// http(s) URL: what a root-relative URL is made absolute with.
pub(crate) fn site_origin(config: &crate::config::SiteConfig) -> Option<String> {
    let url = config.site_url.as_deref()?.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    (!rest.is_empty() && !rest.contains(['{', ' '])).then(|| url.to_string())
}

/// How a URL written in a head element is rooted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Rooting {
    Absolute,
    /// `//host/path`: no scheme.
    ProtocolRelative,
    /// `/path`: a site path, made absolute by prefixing the site's origin.
    RootRelative,
    /// `path`, `../path`, `` (empty).
    Relative,
    /// Built by a template: not judged.
    Unknown,
}

/// How the URL at `span` is rooted; `Unknown` when its start is template output.
pub(crate) fn rooting(doc: &Document, span: Span) -> Rooting {
    let url = crate::qa::url::UrlRef::parse(doc, span);
    if url.origin_dynamic {
        return Rooting::Unknown;
    }
    let raw = doc.slice(url.span);
    match (&url.scheme, &url.host) {
        (Some(_), _) => Rooting::Absolute,
        (None, Some(_)) => Rooting::ProtocolRelative,
        _ if raw.starts_with('/') => Rooting::RootRelative,
        _ => Rooting::Relative,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::page::Engine;

    fn doc(t: &str, engine: Engine) -> Document {
        Document::parse("a.html", t.to_string(), engine, Format::Html)
    }

    fn conditional_at(d: &Document, needle: &str) -> bool {
        let at = d.text.find(needle).expect("needle in text");
        open_blocks(d, at).iter().any(|o| o.conditional)
    }

    #[test]
    fn reads_conditions_and_loops_in_every_engine() {
        let l = doc(
            "{% if x %}<a1>{% endif %}<a2>{% for p in ps %}<a3>{% endfor %}{% capture c %}<a4>{% endcapture %}",
            Engine::Liquid,
        );
        assert!(
            conditional_at(&l, "<a1>")
                && !conditional_at(&l, "<a2>")
                && conditional_at(&l, "<a3>")
                && conditional_at(&l, "<a4>")
        );
        let j = doc(
            "{% block head %}{% set x = 1 %}<a1>{% if y %}{% else %}<a2>{% endif %}{% endblock %}<a3>",
            Engine::Jinja,
        );
        assert!(
            !conditional_at(&j, "<a1>")
                && conditional_at(&j, "<a2>")
                && !conditional_at(&j, "<a3>")
        );
        let h = doc(
            "{{ define \"main\" }}<a1>{{ with .X }}<a2>{{ end }}<a3>{{ end }}",
            Engine::Hugo,
        );
        assert!(
            !conditional_at(&h, "<a1>")
                && conditional_at(&h, "<a2>")
                && !conditional_at(&h, "<a3>")
        );
        let hb = doc(
            "{{#> layout}}<a1>{{#if x}}<a2>{{else}}<a3>{{/if}}<a4>{{/layout}}",
            Engine::Handlebars,
        );
        assert!(
            !conditional_at(&hb, "<a1>")
                && conditional_at(&hb, "<a2>")
                && conditional_at(&hb, "<a3>")
                && !conditional_at(&hb, "<a4>")
        );
    }

    #[test]
    fn a_plain_variable_output_is_its_front_matter_value() {
        let d = doc(
            "<title>{{ page.title | escape }}</title><title>{{ .Title }}</title><title>{{ site.title }}</title><title>{{ page.title }} | Acme</title>",
            Engine::Liquid,
        );
        let c = |i: usize| d.elements[i].content.expect("closed");
        assert!(prints_only(&d, c(0), "title") && prints_only(&d, c(1), "title"));
        assert!(!prints_only(&d, c(2), "title") && !prints_only(&d, c(3), "title"));
    }
}
