//! SEO rules (DOMAIN.md §3): title, meta description, canonical, robots and hreflang, read
//! from a page with its layouts and includes, and compared across pages.
//!
//! Besides the rules: `blocks` (is an element rendered on every build), `presence` (is a
//! head element really absent), and here what a title or URL renders to. The social rules
//! (SOC-*) use them too, so both families agree on when to speak. Helpers report nothing.

mod bad_canonical;
mod bad_description;
mod bad_hreflang;
mod bad_title;
mod blocks;
mod presence;
mod robots_noindex;

use std::collections::BTreeMap;

pub(crate) use blocks::always_rendered;
pub(crate) use presence::{absent_at, is_redirect, is_unlisted_page};

use super::Rule;
use crate::qa::page::Document;
use crate::qa::page::template::RegionKind;
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
            | "$"
            | "$.page"
            | "$.params"
            | "$.page.params"
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
    pages: &[std::sync::Arc<PageFacts>],
    get: impl Fn(&PageFacts) -> Option<&TextFact>,
) -> Vec<Vec<(&PageFacts, &TextFact)>> {
    let mut groups: BTreeMap<(String, String), Vec<(&PageFacts, &TextFact)>> = BTreeMap::new();
    for p in pages.iter().map(|p| &**p) {
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

/// The site's public origin (`sitewide.toml` or the generator config), without a trailing
/// slash, when it is an http(s) URL: what a root-relative URL is made absolute with.
pub(crate) fn site_origin(settings: &crate::qa::rules::Settings) -> Option<String> {
    let url = settings.site_url?.trim().trim_end_matches('/');
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
    use crate::qa::page::{Engine, Format};

    fn doc(t: &str, engine: Engine) -> Document {
        Document::parse("a.html", t.to_string(), engine, Format::Html)
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
