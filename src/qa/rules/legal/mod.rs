//! Legal rules (DOMAIN.md §3): the privacy links and the consent banner every page needs.

mod consent_banner;
mod footer_links;

use super::Rule;
use crate::qa::page::Document;
use crate::qa::source::Span;
use crate::qa::tagging::coverage::PageTags;
use crate::qa::view::PageView;

pub static RULES: &[&dyn Rule] = &[&footer_links::FooterLinks, &consent_banner::ConsentBanner];

/// Links and buttons of the page's footer (every `<footer>`, includes inside it counted by
/// rendered order); the whole page's when it has no `<footer>`. `None` when a template
/// prints some of their text (a menu from config): what they say cannot be known.
pub(crate) fn footer_controls<'a>(
    view: &PageView<'a>,
    t: &PageTags,
) -> Option<Vec<(&'a Document, usize)>> {
    let mut ranges = Vec::new();
    for (d, doc) in view.docs.iter().enumerate() {
        for f in doc.elements_named("footer") {
            let el = &doc.elements[f];
            let end = el.content.map_or(doc.text.len(), |c| c.end);
            ranges.push((t.order.key(d, el.tag.start), t.order.key(d, end)));
        }
    }
    let mut out = Vec::new();
    for (d, doc) in view.docs.iter().enumerate() {
        for (i, el) in doc.elements.iter().enumerate() {
            if el.name != "a" && el.name != "button" {
                continue;
            }
            let k = t.order.key(d, el.tag.start);
            if ranges.is_empty() || ranges.iter().any(|(a, b)| k > *a && k < *b) {
                // A literal `href` inside a template filter still reads (`{{ '/privacy/' |
                // url }}`); text a template prints (a menu's `{{ .Name }}`) does not.
                if doc.text_is_dynamic(i) {
                    return None;
                }
                out.push((*doc, i));
            }
        }
    }
    Some(out)
}

/// Where a missing footer link is reported: the first `<footer>`, else the `<body>` tag,
/// else where the head is.
pub(crate) fn footer_anchor<'a>(view: &PageView<'a>) -> (&'a Document, Span) {
    for name in ["footer", "body"] {
        for d in view.docs.iter().rev() {
            if let Some(f) = d.elements_named(name).next() {
                return (d, d.elements[f].tag);
            }
        }
    }
    view.head_owner()
}

/// The text, `href`, `class`, `id` and `onclick` of a control, lowercased, for matching.
pub(crate) fn control_text(doc: &Document, el: usize) -> String {
    let mut s = doc.text_of(el).unwrap_or_default();
    for a in ["href", "class", "id", "onclick", "aria-label", "title"] {
        if let Some(v) = doc.attr_value(el, a) {
            s.push(' ');
            s.push_str(v);
        }
    }
    s.to_lowercase()
}
