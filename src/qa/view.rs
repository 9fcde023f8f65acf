//! A page as its visitors get it: the page and every layout and include it is built from,
//! looked at together, and the facts the cross-file rules keep about it.

use std::sync::Arc;

use super::page::{Document, LinkKind};
use super::rules::Settings;
use super::site::Loc;
use super::site::{
    Chain, FragmentRef, LinkFact, PageFacts, Resolution, SiteIndex, TextFact, file_target, intern,
    is_element_fragment, key_hash, url_target,
};
use super::source::Span;
use super::url::{Target, UrlRef};

pub struct PageView<'a> {
    pub page: &'a Document,
    /// The page first, then the layouts and includes of its chain that were read.
    pub docs: Vec<&'a Document>,
    pub chain: &'a Chain,
}

impl<'a> PageView<'a> {
    /// True when every layout and include was found, so a missing element is really missing.
    pub fn is_complete(&self) -> bool {
        self.chain.is_complete() && self.docs.len() == self.chain.files.len()
    }

    /// Every element named `name` in the page and its templates.
    pub fn elements_named(
        &self,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a Document, usize)> + '_ {
        self.docs
            .iter()
            .flat_map(move |d| d.elements_named(name).map(move |i| (*d, i)))
    }

    /// `<meta>` elements whose `name` or `property` is `key` (case-insensitive).
    pub fn metas(&self, key: &str) -> Vec<(&'a Document, usize)> {
        self.elements_named("meta")
            .filter(|(d, i)| {
                ["name", "property"].iter().any(|a| {
                    d.attr_value(*i, a)
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case(key))
                })
            })
            .collect()
    }

    /// `<link>` elements whose `rel` contains `rel`.
    pub fn link_tags(&self, rel: &str) -> Vec<(&'a Document, usize)> {
        self.elements_named("link")
            .filter(|(d, i)| {
                d.attr_value(*i, "rel").is_some_and(|v| {
                    v.split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case(rel))
                })
            })
            .collect()
    }

    /// The file that holds the page's `<head>`: where a missing head element belongs.
    pub fn head_owner(&self) -> (&'a Document, Span) {
        for d in self.docs.iter().rev() {
            if let Some(h) = d.elements_named("head").next() {
                return (d, d.elements[h].tag);
            }
        }
        let outer = self.docs.last().copied().unwrap_or(self.page);
        (outer, Span::new(0, 0))
    }

    /// The page's own front matter value for `key`, with its span.
    pub fn front_matter(&self, key: &str) -> Option<(&'a str, Span)> {
        let fm = self.page.front_matter.as_ref()?;
        let v = fm.text(key)?;
        Some((v, fm.spans.get(key).copied().unwrap_or(fm.span)))
    }
}

pub fn loc(doc: &Document, span: Span) -> Loc {
    Loc {
        file: doc.path.clone(),
        span,
        start: doc.lines.line_col(&doc.text, span.start),
        end: doc.lines.line_col(&doc.text, span.end),
    }
}

/// The literal internal links of one file, for LNK-001 and LNK-003. A root-relative link
/// without a fragment that names a file of the tree is settled here and not kept, so the
/// facts held for the cross-file rules stay small.
pub fn link_facts(doc: &Document, index: &SiteIndex, settings: &Settings) -> Vec<LinkFact> {
    let mut out = Vec::new();
    for link in &doc.links {
        let starts_dynamic = doc
            .regions
            .within(link.url)
            .first()
            .is_some_and(|r| r.span.start <= link.url.start);
        let fact = if starts_dynamic {
            // A template builds the origin; only a literal path passed through a filter that
            // just prefixes the site's base path can still be resolved.
            base_path_filtered(doc, link.url)
                .and_then(|lit| literal_fact(doc, link.url, link.kind, &lit))
        } else {
            parsed_fact(doc, link.url, link.kind, index, settings)
        };
        let Some(fact) = fact else { continue };
        if fact.fragment.is_none()
            && fact.path.starts_with('/')
            && index.resolve(&fact.path) == Resolution::Found
        {
            continue;
        }
        out.push(fact);
    }
    out
}

fn parsed_fact(
    doc: &Document,
    span: Span,
    kind: LinkKind,
    index: &SiteIndex,
    settings: &Settings,
) -> Option<LinkFact> {
    let url = UrlRef::parse(doc, span);
    if url.target(settings.internal_hosts) != Target::Internal || url.path_dynamic {
        return None;
    }
    let path = super::url::decode_component(doc.slice(url.path)).replace(' ', "%20");
    let fragment = url
        .fragment
        .filter(|_| !url.fragment_dynamic)
        .map(|f| super::url::decode_component(doc.slice(f)));
    if matches!(kind, LinkKind::Meta) && path.is_empty() {
        return None;
    }
    // Settled here, before positions and shared strings are made for it.
    if fragment.is_none() && path.starts_with('/') && index.resolve(&path) == Resolution::Found {
        return None;
    }
    Some(LinkFact {
        at: loc(doc, url.span),
        kind,
        is_relative: url.host.is_none() && !path.starts_with('/') && !path.is_empty(),
        path: Arc::from(path),
        fragment: fragment.as_deref().map(Arc::from),
        fragment_start: url
            .fragment
            .map(|f| (f.start, doc.lines.line_col(&doc.text, f.start))),
    })
}

/// A link fact for a root-relative path given as a string literal inside template output.
fn literal_fact(doc: &Document, span: Span, kind: LinkKind, literal: &str) -> Option<LinkFact> {
    if !literal.starts_with('/') || literal.starts_with("//") || literal.contains(['{', '}']) {
        return None;
    }
    let (before_fragment, fragment) = match literal.split_once('#') {
        Some((p, f)) => (p, Some(super::url::decode_component(f))),
        None => (literal, None),
    };
    let path = before_fragment.split('?').next().unwrap_or("");
    Some(LinkFact {
        at: loc(doc, span),
        kind,
        is_relative: false,
        path: Arc::from(super::url::decode_component(path).replace(' ', "%20")),
        fragment: fragment.as_deref().map(Arc::from),
        fragment_start: None,
    })
}

/// Filters that only put the site's base path (or origin) in front of a root-relative path:
/// Jekyll `relative_url`/`absolute_url`, Eleventy `url`, Hugo `relURL`/`absURL` (and the
/// language variants), Lektor `url`/`asseturl`.
const BASE_PATH_FILTERS: &[&str] = &[
    "url",
    "relative_url",
    "absolute_url",
    "relURL",
    "absURL",
    "relLangURL",
    "absLangURL",
    "asseturl",
];

/// The string literal of `{{ "/x/" | url }}` or `{{ relURL "/x/" }}` when the URL value is
/// exactly that one expression.
fn base_path_filtered(doc: &Document, span: Span) -> Option<String> {
    let [region] = doc.regions.within(span) else {
        return None;
    };
    if region.span != span || region.kind != super::page::template::RegionKind::Output {
        return None;
    }
    let expr = doc
        .slice(region.span)
        .trim_matches(|c: char| matches!(c, '{' | '}' | '-' | '~') || c.is_whitespace());
    let quoted = |s: &str| -> Option<String> {
        let s = s.trim();
        let q = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let body = s.strip_prefix(q)?.strip_suffix(q)?;
        (!body.contains(q)).then(|| body.to_string())
    };
    if let Some((arg, filter)) = expr.split_once('|') {
        let filter = filter.trim();
        let name = filter
            .split(|c: char| c.is_whitespace() || c == '(' || c == ':')
            .next()
            .unwrap_or("");
        if BASE_PATH_FILTERS.contains(&name) && name.len() == filter.len() {
            return quoted(arg);
        }
        return None;
    }
    let (func, arg) = expr.split_once(char::is_whitespace)?;
    matches!(func, "relURL" | "absURL" | "relLangURL" | "absLangURL")
        .then(|| quoted(arg))
        .flatten()
}

/// Facts of a layout or include: its links and the ids it gives every page.
pub fn template_facts(doc: &Document, index: &SiteIndex, settings: &Settings) -> PageFacts {
    PageFacts {
        path: doc.path.clone(),
        links: link_facts(doc, index, settings),
        ids: doc.ids.iter().map(|(i, _)| i.as_str()).collect(),
        dynamic_ids: doc.has_dynamic_ids,
        chain_complete: true,
        ..PageFacts::default()
    }
}

/// Facts of a page seen through its chain.
pub fn page_facts(view: &PageView, index: &SiteIndex, settings: &Settings) -> PageFacts {
    let page = view.page;
    let mut facts = template_facts(page, index, settings);
    facts.urls = index.page_urls(&page.path, page.front_matter.as_ref());
    // A same-page `#fragment` whose id the page or its templates hold is settled here.
    if view.is_complete() && !view.docs.iter().any(|d| d.has_dynamic_ids) {
        let has_id = |f: &str| view.docs.iter().any(|d| d.ids.iter().any(|(i, _)| i == f));
        facts
            .links
            .retain(|l| !(l.path.is_empty() && l.fragment.as_deref().is_some_and(has_id)));
    }
    compact_fragment_links(&mut facts, index);
    // Facts outlive the page's document: keep no spare capacity.
    facts.links.shrink_to_fit();
    facts.chain = view.chain.files.clone();
    facts.chain_complete = view.is_complete();
    let draft = page.front_matter.as_ref().is_some_and(|fm| {
        use super::page::front_matter::Value;
        matches!(fm.values.get("draft"), Some(Value::Bool(true)))
            || matches!(fm.values.get("published"), Some(Value::Bool(false)))
    });
    if draft {
        // Drafts are not published: they take part in no uniqueness check.
        return facts;
    }
    let title = view
        .elements_named("title")
        .find(|(d, i)| !d.has_ancestor(*i, "svg"));
    facts.title = effective_text(view, title, "title", None);
    facts.description = effective_text(
        view,
        view.metas("description").first().copied(),
        "description",
        Some("content"),
    );
    facts.canonical = view.link_tags("canonical").first().and_then(|(d, i)| {
        let a = d.attr(*i, "href")?.value?;
        Some(TextFact {
            value: d.slice(a).to_string(),
            at: loc(d, a),
            dynamic: d.is_dynamic(a),
        })
    });
    for (d, i) in view.link_tags("alternate") {
        let (Some(lang), Some(href)) = (
            d.attr(i, "hreflang").and_then(|a| a.value),
            d.attr(i, "href").and_then(|a| a.value),
        ) else {
            continue;
        };
        if d.is_dynamic(lang) || d.is_dynamic(href) {
            continue;
        }
        facts.alternates.push((
            d.slice(lang).to_string(),
            d.slice(href).to_string(),
            loc(d, href),
        ));
    }
    facts
}

/// Turns links to an element of another page whose file exists into `FragmentRef`s.
fn compact_fragment_links(facts: &mut PageFacts, index: &SiteIndex) {
    let links = std::mem::take(&mut facts.links);
    for link in links {
        let fragment = link.fragment.as_deref().filter(|f| is_element_fragment(f));
        let compact = match fragment {
            Some(f) if link.kind == LinkKind::Anchor && !link.path.is_empty() => {
                let target =
                    url_target(facts, &link).filter(|t| index.resolve(t) == Resolution::Found);
                target.map(|t| FragmentRef {
                    by_url: key_hash(&super::site::url_key(&t)),
                    by_file: file_target(facts, &link)
                        .map_or(0, |p| key_hash(p.trim_start_matches('/'))),
                    fragment: key_hash(f),
                    offset: u32::try_from(link.at.span.start).unwrap_or(u32::MAX),
                })
            }
            _ => None,
        };
        match compact {
            Some(r) => facts.fragment_refs.push(r),
            // Kept links share their strings: the same paths recur on every page.
            None => facts.links.push(LinkFact {
                path: intern(&link.path),
                fragment: link.fragment.as_deref().map(intern),
                ..link
            }),
        }
    }
    facts.fragment_refs.shrink_to_fit();
}

/// The value a page's title or description renders to: the literal text, or, when a
/// template prints it, the page's own front matter value for `key`.
fn effective_text(
    view: &PageView,
    el: Option<(&Document, usize)>,
    key: &str,
    attr: Option<&str>,
) -> Option<TextFact> {
    let (d, i) = el?;
    let (value, span, dynamic) = match attr {
        Some(a) => {
            let v = d.attr(i, a)?.value?;
            (super::page::decode_entities(d.slice(v)), v, d.is_dynamic(v))
        }
        None => (d.text_of(i)?, d.elements[i].content?, d.text_is_dynamic(i)),
    };
    if !dynamic {
        return Some(TextFact {
            value: value.trim().to_string(),
            at: loc(d, span),
            dynamic: false,
        });
    }
    if !prints_key(d, span, key) {
        return None;
    }
    let (fm_value, fm_span) = view.front_matter(key)?;
    Some(TextFact {
        value: fm_value.trim().to_string(),
        at: loc(view.page, fm_span),
        dynamic: true,
    })
}

/// True when template output inside `span` prints the page's `key` (`{{ page.title }}`,
/// `{{ .Title }}`, `{{ .Params.description }}`), so the front matter value is what shows.
fn prints_key(d: &Document, span: Span, key: &str) -> bool {
    d.regions.within(span).iter().any(|r| {
        r.kind == super::page::template::RegionKind::Output && {
            let expr = d
                .slice(r.span)
                .trim_matches(|c: char| matches!(c, '{' | '}' | '-' | '~') || c.is_whitespace());
            let var = expr.split(['|', ' ']).next().unwrap_or("");
            var.rsplit('.')
                .next()
                .is_some_and(|last| last.eq_ignore_ascii_case(key))
        }
    })
}

pub type Templates = std::collections::HashMap<Arc<str>, Arc<Document>>;

#[cfg(test)]
mod tests {
    use super::base_path_filtered;
    use crate::qa::page::{Document, Engine, Format};

    fn literal(t: &str, engine: Engine) -> Option<String> {
        let d = Document::parse("a.html", t.to_string(), engine, Format::Html);
        base_path_filtered(&d, d.links[0].url)
    }

    #[test]
    fn base_path_filters_on_a_literal_path_are_resolvable() {
        assert_eq!(
            literal(r#"<a href="{{ "/about/" | url }}">"#, Engine::Liquid).as_deref(),
            Some("/about/")
        );
        assert_eq!(
            literal(r#"<a href="{{ '/docs/'|url }}">"#, Engine::Jinja).as_deref(),
            Some("/docs/")
        );
        assert_eq!(
            literal(r#"<a href="{{ relURL "/x/" }}">"#, Engine::Hugo).as_deref(),
            Some("/x/")
        );
        assert_eq!(
            literal(r#"<a href="{{ page.url | url }}">"#, Engine::Liquid),
            None
        );
        assert_eq!(
            literal(
                r#"<a href="{{ "/a/" | append: x | url }}">"#,
                Engine::Liquid
            ),
            None
        );
        assert_eq!(
            literal(r#"<a href="{{ "/a/" | url }}#x">"#, Engine::Liquid),
            None
        );
    }
}
