//! Whether a head element is really absent from a page: the page's chain is complete, it
//! is a whole document, and no template construct could print head markup that no file
//! shows (`{% seo %}`, `{{ghost_head}}`, Hugo's internal templates, a macro call). Follows
//! includes and blocks to where they land. Shared by the SEO and social rules.

use super::blocks::{CONDITIONAL_BLOCKS, INLINE_TAGS, Open, Tag, apply, block_name, classify_tag};
use crate::qa::page::template::RegionKind;
use crate::qa::page::{Document, Format, IncludeKind};
use crate::qa::source::Span;
use crate::qa::view::PageView;

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
    let silent = !view.is_complete()
        || !is_document(view)
        || is_redirect(view)
        || is_unlisted_page(view.page)
        || head_may_be_generated(view);
    if silent {
        return None;
    }
    Some(view.head_owner())
}

/// Pages that are not landing pages: error pages, thank-you and search pages, and the
/// e-mail and admin templates of application sites.
pub(crate) fn is_unlisted_page(page: &Document) -> bool {
    let file = page.path.rsplit('/').next().unwrap_or(&page.path);
    let stem = file.split('.').next().unwrap_or(file).to_ascii_lowercase();
    let folders = page.path.rsplit('/').skip(1).map(str::to_ascii_lowercase);
    UNLISTED_STEMS.contains(&stem.as_str())
        || folders
            .into_iter()
            .any(|f| UNLISTED_FOLDERS.contains(&f.as_str()))
}

const UNLISTED_STEMS: &[&str] = &[
    "404",
    "410",
    "500",
    "502",
    "503",
    "50x",
    "error",
    "offline",
    "search",
    "thanks",
    "thank-you",
    "thankyou",
    "thank_you",
    "unsubscribe",
    "confirm",
    "confirmation",
];
const UNLISTED_FOLDERS: &[&str] = &[
    "email", "emails", "mail", "mails", "mailer", "mailers", "admin",
];

/// True when the page is a redirect stub (`<meta http-equiv="refresh">`): it has no
/// content of its own to describe.
pub(crate) fn is_redirect(view: &PageView) -> bool {
    view.elements_named("meta").any(|(d, i)| {
        d.attr_value(i, "http-equiv")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"))
    })
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

/// Output that may print markup: anything but an include (followed by the chain), Jinja's
/// `super()` (the parent block, also in the chain), a Go template assignment, or a string
/// literal that is an HTML comment.
fn output_prints_markup(raw: &str) -> bool {
    let inner = raw
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_matches(|c: char| matches!(c, '-' | '~' | '<' | '>' | '%') || c.is_whitespace());
    if raw.contains("_internal/") {
        return true;
    }
    if inner.starts_with(['"', '\'', '`']) && inner[1..].starts_with("<!--") {
        return false;
    }
    let first = inner.split_whitespace().next().unwrap_or("");
    let assigns = first.starts_with('$')
        && inner[first.len()..].trim_start().starts_with([':', '='])
        || first.contains("Scratch.") && !first.contains("Scratch.Get");
    let word: String = inner
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let includes = matches!(
        word.as_str(),
        "partial" | "partialCached" | "include" | "render"
    );
    !(assigns || includes || inner.starts_with("super()"))
}

/// True when `at` lies inside an element's start tag (an attribute value).
fn in_start_tag(doc: &Document, at: usize) -> bool {
    let i = doc.elements.partition_point(|e| e.tag.start <= at);
    i > 0 && doc.elements[i - 1].tag.end > at
}

/// How deep `placement` follows includes and blocks to where they land.
const MAX_PLACEMENT_DEPTH: usize = 4;

/// True when markup printed at `span` of `doc` (inside `stack`) would land in the head.
fn in_head_context(doc: &Document, view: &PageView, span: Span, stack: &[Open]) -> bool {
    // Content that a template moves elsewhere lands where its block is placed: a Hugo
    // `define`, a Handlebars inline partial, a Jinja child's `block`.
    let is_child = doc.includes.iter().any(|i| i.kind == IncludeKind::Extends);
    let moved = stack.iter().find(|o| {
        matches!(o.word.as_str(), "define" | "inline") || (o.word == "block" && is_child)
    });
    if let Some(o) = moved {
        let name = block_name(&o.name);
        return block_placement(view, doc, &name, 0).unwrap_or_else(|| is_head_name(&name));
    }
    // A Jekyll or Eleventy page's content lands where its layout prints `content`: the body.
    if std::ptr::eq(doc, view.page) && doc.includes.iter().any(|i| i.kind == IncludeKind::Layout) {
        return false;
    }
    if let Some(in_head) = element_context(doc, span) {
        return in_head;
    }
    if stack.iter().any(|o| is_head_name(&block_name(&o.name))) {
        return true;
    }
    if let Some(in_head) = include_placement(view, doc, 0) {
        return in_head;
    }
    if doc.elements.is_empty() {
        return true;
    }
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
        .any(|e| HEAD_ONLY.contains(&e.name.as_ref()))
}

/// A block name that holds head markup by convention (`head`, `extra_head`, `meta`).
fn is_head_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    HEAD_BLOCK_WORDS
        .iter()
        .any(|w| n.split(['_', '-', '.', '/']).any(|part| part == *w))
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
            !RAW_TEXT.contains(&el.name.as_ref())
                && (el.name == "head" || doc.has_ancestor(i, "head")),
        );
    }
    if doc.elements_named("head").next().is_some() || doc.elements_named("body").next().is_some() {
        return Some(false);
    }
    None
}

/// Where a reference at `span` of `doc` lands: its own context, or, when the file has no
/// structure, where the file itself is included.
fn context_of(view: &PageView, doc: &Document, span: Span, depth: usize) -> Option<bool> {
    element_context(doc, span).or_else(|| include_placement(view, doc, depth + 1))
}

/// Whether block `name`, defined in `doc`, is placed inside `<head>` by another file of the
/// view; `None` when its place is not found.
fn block_placement(view: &PageView, doc: &Document, name: &str, depth: usize) -> Option<bool> {
    if depth > MAX_PLACEMENT_DEPTH {
        return None;
    }
    let mut found = None;
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
                match context_of(view, d, r.span, depth) {
                    Some(true) => return Some(true),
                    Some(false) => found = Some(false),
                    None => return None,
                }
            }
        }
    }
    found
}

/// Whether `doc`, an include, is included inside `<head>` by another file of the view;
/// `None` when no reference to it is found.
fn include_placement(view: &PageView, doc: &Document, depth: usize) -> Option<bool> {
    if depth > MAX_PLACEMENT_DEPTH || std::ptr::eq(doc, view.page) {
        return None;
    }
    let stem = doc.path.split('.').next().unwrap_or(&doc.path);
    let names = |name: &str| {
        let name = name.trim_start_matches("./");
        !name.is_empty()
            && (doc.path.ends_with(&format!("/{name}"))
                || stem.ends_with(&format!("/{name}"))
                || *doc.path == *name)
    };
    let mut found = None;
    for d in view.docs.iter().filter(|d| !std::ptr::eq(**d, doc)) {
        for inc in d
            .includes
            .iter()
            .filter(|i| i.kind == IncludeKind::Include && names(&i.name))
        {
            match context_of(view, d, inc.span, depth) {
                Some(true) => return Some(true),
                Some(false) => found = Some(false),
                None => return None,
            }
        }
    }
    found
}
