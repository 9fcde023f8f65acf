//! The protected-regions guard: finds the regions a job spec protects (`tag-snippets`,
//! `consent`, or elements matching a CSS selector) in the original and in the edited text,
//! and refuses an edit unless both hold the same regions, byte for byte. A region changed,
//! removed or added is a violation; where it moved does not matter.

use std::collections::HashMap;

use super::guards::{Guard, Violation, cut};
use super::vendors::{self, Class};
use crate::edit::recipes::markup::element_end;
use crate::edit::recipes::select::Selector;
use crate::qa::page::{Document, IncludeKind};
use crate::qa::source::Span;

/// One protected region: what it is (for messages) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub label: String,
    pub span: Span,
}

/// What a `protected` entry names.
enum Protect {
    Class(Class),
    Selector(Selector),
}

fn protection(entry: &str) -> Result<Protect, String> {
    match Class::from_name(entry) {
        Some(c) => Ok(Protect::Class(c)),
        None => Selector::parse(entry).map(Protect::Selector),
    }
}

/// The regions `entry` protects in `doc`, in document order.
fn regions(doc: &Document, entry: &Protect) -> Vec<Region> {
    match entry {
        Protect::Class(class) => class_regions(doc, *class),
        Protect::Selector(sel) => sel
            .select_outermost(doc)
            .into_iter()
            .map(|el| Region {
                label: format!("<{}> element", doc.elements[el].name),
                span: element_span(doc, el),
            })
            .collect(),
    }
}

fn element_span(doc: &Document, el: usize) -> Span {
    let tag = doc.elements[el].tag;
    Span::new(tag.start, element_end(doc, el).unwrap_or(tag.end))
}

/// Scripts, `<noscript>` fallbacks, pixels and iframes of a vendor of `class`, consent
/// settings controls, and includes of partials named for the class.
fn class_regions(doc: &Document, class: Class) -> Vec<Region> {
    let mut out: Vec<Region> = Vec::new();
    for (i, el) in doc.elements.iter().enumerate() {
        let candidate = matches!(el.name.as_ref(), "script" | "noscript" | "img" | "iframe");
        if out.last().is_some_and(|r| r.span.contains(el.tag)) {
            continue;
        }
        let code = format!(
            "{} {}",
            doc.slice(el.tag),
            el.content.map_or("", |c| doc.slice(c))
        );
        let label = if candidate {
            vendors::vendor(class, &code).map(|v| format!("{v} <{}>", el.name))
        } else if class == Class::Consent && vendors::is_settings_control(doc.slice(el.tag)) {
            Some(format!("consent settings <{}>", el.name))
        } else {
            None
        };
        if let Some(label) = label {
            out.push(Region {
                label,
                span: element_span(doc, i),
            });
        }
    }
    for inc in &doc.includes {
        if inc.kind == IncludeKind::Include && vendors::is_include_of(class, &inc.name) {
            out.push(Region {
                label: format!("include of {}", inc.name),
                span: inc.span,
            });
        }
    }
    out.sort_by_key(|r| r.span.start);
    out
}

/// Violations for every `protected` entry whose regions differ between the two texts.
pub fn violations(before: &Document, after: &Document, protected: &[String]) -> Vec<Violation> {
    let mut out = Vec::new();
    for entry in protected {
        match protection(entry) {
            Ok(p) => out.extend(compare(entry, before, after, &p)),
            Err(e) => out.push(Violation::new(
                Guard::Protected,
                format!("protected selector `{entry}` does not parse ({e}), so nothing can be checked against it"),
            )),
        }
    }
    out
}

/// Pairs the regions only one side has: a pair is a change, the rest removals or additions.
fn compare(entry: &str, before: &Document, after: &Document, p: &Protect) -> Vec<Violation> {
    let old = regions(before, p);
    let new = regions(after, p);
    let removed = unmatched(before, &old, after, &new);
    let added = unmatched(after, &new, before, &old);
    let at = |doc: &Document, r: &Region| {
        let line = doc.lines.line_col(&doc.text, r.span.start).line;
        let first = doc.slice(r.span).lines().next().unwrap_or("").trim();
        format!("{} at line {line} (`{}`)", r.label, cut(first, 60))
    };
    let mut out = Vec::new();
    for k in 0..removed.len().max(added.len()) {
        let message = match (removed.get(k), added.get(k)) {
            (Some(r), Some(_)) => format!(
                "changes the protected `{entry}` region {} of the original; leave it byte for byte as it is",
                at(before, r)
            ),
            (Some(r), None) => format!(
                "removes the protected `{entry}` region {} of the original; leave it in place, unchanged",
                at(before, r)
            ),
            (None, Some(a)) => format!(
                "adds a `{entry}` region {}; do not add or copy protected code",
                at(after, a)
            ),
            (None, None) => continue,
        };
        out.push(Violation::new(Guard::Protected, message));
    }
    out
}

/// The regions of `doc` whose exact bytes `other` holds fewer times.
fn unmatched<'a>(
    doc: &Document,
    list: &'a [Region],
    other: &Document,
    others: &[Region],
) -> Vec<&'a Region> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for r in others {
        *count.entry(other.slice(r.span)).or_default() += 1;
    }
    list.iter()
        .filter(|r| match count.get_mut(doc.slice(r.span)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::model::guards::html;

    const PAGE: &str = r##"<html><head>
<script>(function(w,d,s,l,i){w[l]=w[l]||[];})(window,document,'script','dataLayer','GTM-AB12CD');</script>
<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" data-domain-script="x"></script>
<script>gtag('consent', 'default', {ad_storage: 'denied'});</script>
{% include analytics/segment.html %}
</head><body>
<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-AB12CD"></iframe></noscript>
<nav class="main"><a href="/">Home</a></nav>
<a class="cta" href="/trial">Start free trial</a>
<footer><a class="ot-sdk-show-settings" href="#">Cookie settings</a></footer>
</body></html>
"##;

    fn check(after: &str, protected: &[&str]) -> Vec<String> {
        let p: Vec<String> = protected.iter().map(|s| s.to_string()).collect();
        violations(&html(PAGE), &html(after), &p)
            .into_iter()
            .map(|v| v.message)
            .collect()
    }

    #[test]
    fn finds_tag_snippets_their_noscript_and_tracking_includes() {
        let labels: Vec<String> = class_regions(&html(PAGE), Class::TagSnippets)
            .into_iter()
            .map(|r| r.label)
            .collect();
        assert_eq!(
            labels,
            [
                "Google Tag Manager <script>",
                "Google tag (gtag.js) <script>",
                "include of analytics/segment.html",
                "Google Tag Manager <noscript>"
            ]
        );
    }

    #[test]
    fn finds_consent_scripts_consent_mode_and_settings_links() {
        let labels: Vec<String> = class_regions(&html(PAGE), Class::Consent)
            .into_iter()
            .map(|r| r.label)
            .collect();
        assert_eq!(
            labels,
            [
                "OneTrust <script>",
                "Google consent mode <script>",
                "consent settings <a>"
            ]
        );
    }

    #[test]
    fn an_edit_outside_protected_regions_passes() {
        let after = PAGE.replace("Start free trial", "Get started");
        assert_eq!(
            check(&after, &["tag-snippets", "consent", "nav.main"]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_changed_tag_snippet_is_refused() {
        let after = PAGE.replacen("GTM-AB12CD');", "GTM-EVIL99');", 1);
        assert_eq!(
            check(&after, &["tag-snippets"]),
            [
                "changes the protected `tag-snippets` region Google Tag Manager <script> at line 2 (`<script>(function(w,d,s,l,i){w[l]=w[l]||[];})(window,documen…`) of the original; leave it byte for byte as it is"
            ]
        );
    }

    #[test]
    fn a_removed_consent_script_is_refused() {
        let after = PAGE.replace(
            "<script>gtag('consent', 'default', {ad_storage: 'denied'});</script>\n",
            "",
        );
        let v = check(&after, &["consent"]);
        assert_eq!(v.len(), 1);
        assert!(
            v[0].starts_with(
                "removes the protected `consent` region Google consent mode <script> at line 4"
            ),
            "{v:?}"
        );
    }

    #[test]
    fn an_added_pixel_is_refused() {
        let after = PAGE.replace("</body>", "<script>fbq('init', '1');</script></body>");
        let v = check(&after, &["tag-snippets"]);
        assert!(
            v.len() == 1
                && v[0].starts_with("adds a `tag-snippets` region Meta Pixel <script> at line 11"),
            "{v:?}"
        );
    }

    #[test]
    fn a_selector_protects_the_elements_it_matches() {
        let after = PAGE.replace("<a href=\"/\">Home</a>", "<a href=\"/\">Start</a>");
        let v = check(&after, &["nav.main"]);
        assert!(
            v.len() == 1
                && v[0]
                    .starts_with("changes the protected `nav.main` region <nav> element at line 8"),
            "{v:?}"
        );
        assert!(
            check(PAGE, &["nav[["])[0].starts_with("protected selector `nav[[` does not parse")
        );
    }
}
