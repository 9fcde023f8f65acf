//! `footer.links`: makes sure the footer carries the given links (DOMAIN.md §5, request
//! 14: a new privacy URL, "Your Privacy Choices"). A link is known by its visible text:
//! when the text is there with another `href`, the `href` is updated; when it is missing,
//! it is added after the last link of the footer in the same markup (its `<li>` wrapper
//! and `class` copied, its line and indentation kept). Footers of articles and quotes are
//! not the site footer and are left alone unless the selector names them.

use super::keys::{self, error};
use super::markup::{self, element_end, escape_attr, fix, indent_at, line_start, starts_line};
use super::select::Selector;
use super::{ParamError, Recipe, RecipeMeta};
use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::rules::Settings;
use crate::qa::source::Span;

static META: RecipeMeta = RecipeMeta {
    name: "footer.links",
    summary: "Ensure footer links exist: add the missing ones, update a changed href",
    keys: &[
        (
            "links",
            "array of { text, href }, required",
            "the links the footer must have, known by their visible text",
        ),
        (
            "selector",
            "string, default \"footer\"",
            "CSS selector of the footer (or the list in it) to add them to",
        ),
    ],
    example: r#"[[steps]]
recipe = "footer.links"
selector = ".legal-links"
links = [
  { text = "Privacy policy", href = "/legal/privacy/" },
  { text = "Your Privacy Choices", href = "/privacy/#choices" },
]"#,
};

const KEYS: &[&str] = &["links", "selector"];
const DEFAULT_SELECTOR: &str = "footer";

pub struct FooterLinks;

struct Plan<'a> {
    selector: Selector,
    is_default: bool,
    links: Vec<(&'a str, &'a str)>,
}

fn plan(params: &toml::Table) -> Result<Plan<'_>, ParamError> {
    keys::only(params, KEYS)?;
    let raw = keys::string(params, "selector")?;
    let selector = Selector::parse(raw.unwrap_or(DEFAULT_SELECTOR)).map_err(|e| {
        error(
            "selector",
            format!("`selector` is not a selector this recipe reads: {e}"),
            None,
        )
    })?;
    let Some(v) = params.get("links") else {
        return Err(error("links", "`links` is required", None));
    };
    let toml::Value::Array(items) = v else {
        return Err(error(
            "links",
            format!(
                "`links` must be an array of {{ text, href }}, not {}",
                keys::type_name(v)
            ),
            None,
        ));
    };
    if items.is_empty() {
        return Err(error("links", "`links` is empty", None));
    }
    let mut links = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = format!("links[{i}]");
        let toml::Value::Table(t) = item else {
            return Err(error(
                &key,
                format!("`{key}` must be a table {{ text, href }}"),
                None,
            ));
        };
        keys::only_in(t, &["text", "href"], &format!("{key}."))?;
        let text = keys::required(t, "text").map_err(|e| prefixed(e, &key))?;
        let href = keys::required(t, "href").map_err(|e| prefixed(e, &key))?;
        links.push((text, href));
    }
    Ok(Plan {
        selector,
        is_default: raw.is_none(),
        links,
    })
}

fn prefixed(mut e: ParamError, prefix: &str) -> ParamError {
    e.key = e.key.map(|k| format!("{prefix}.{k}"));
    e
}

impl Recipe for FooterLinks {
    fn meta(&self) -> &'static RecipeMeta {
        &META
    }

    fn validate(&self, params: &toml::Table) -> Result<(), ParamError> {
        plan(params).map(|_| ())
    }

    fn apply(&self, doc: &Document, _settings: &Settings, params: &toml::Table) -> Vec<Fix> {
        let Ok(p) = plan(params) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for footer in p.selector.select_outermost(doc) {
            let quoted =
                doc.has_ancestor(footer, "article") || doc.has_ancestor(footer, "blockquote");
            if p.is_default && quoted || doc.elements[footer].content.is_none() {
                continue;
            }
            out.extend(ensure(doc, footer, &p.links));
        }
        markup::guarded(doc, markup::merged(out))
    }
}

fn inside(doc: &Document, el: usize, ancestor: usize) -> bool {
    let mut p = doc.elements[el].parent;
    while let Some(a) = p {
        if a == ancestor {
            return true;
        }
        p = doc.elements[a].parent;
    }
    false
}

fn ensure(doc: &Document, footer: usize, links: &[(&str, &str)]) -> Vec<Fix> {
    let anchors: Vec<usize> = doc
        .elements_named("a")
        .filter(|&a| inside(doc, a, footer))
        .collect();
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for (text, href) in links {
        let same_text = anchors.iter().copied().find(|&a| {
            doc.text_of(a)
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(text.trim()))
        });
        match same_text {
            Some(a) => out.extend(markup::set_attr(doc, a, "href", href)),
            None => missing.push((*text, *href)),
        }
    }
    if !missing.is_empty() {
        out.extend(add(doc, footer, &anchors, &missing));
    }
    out
}

/// The element a link sits in alone (its `<li>`), else the link itself.
fn unit(doc: &Document, a: usize, footer: usize) -> usize {
    let Some(end) = element_end(doc, a) else {
        return a;
    };
    match doc.elements[a].parent {
        Some(p) if p != footer => {
            let alone = doc.elements[p]
                .content
                .is_some_and(|c| doc.slice(c).trim() == &doc.text[doc.elements[a].tag.start..end]);
            if alone { p } else { a }
        }
        _ => a,
    }
}

fn add(doc: &Document, footer: usize, anchors: &[usize], missing: &[(&str, &str)]) -> Option<Fix> {
    let Some(&last) = anchors.last() else {
        return append_to_end(doc, footer, missing);
    };
    let u = unit(doc, last, footer);
    let start = doc.elements[u].tag.start;
    let end = element_end(doc, u)?;
    let separator = if starts_line(&doc.text, start) {
        format!("\n{}", indent_at(&doc.text, start))
    } else {
        let prev = anchors
            .len()
            .checked_sub(2)
            .map(|i| unit(doc, anchors[i], footer));
        prev.and_then(|pu| element_end(doc, pu))
            .filter(|&pe| pe <= start && !doc.text[pe..start].contains(['<', '{']))
            .map_or(" ".to_string(), |pe| doc.text[pe..start].to_string())
    };
    let class = doc
        .attr(last, "class")
        .and_then(|a| a.value)
        .filter(|v| !doc.is_dynamic(*v))
        .map(|v| format!(" class=\"{}\"", doc.slice(v)))
        .unwrap_or_default();
    let wrap = (u != last).then(|| {
        let tag = doc.elements[u].tag;
        let open = if doc.is_dynamic(tag) {
            format!("<{}>", doc.elements[u].name)
        } else {
            doc.slice(tag).to_string()
        };
        (open, format!("</{}>", doc.elements[u].name))
    });
    let mut text = String::new();
    for (t, href) in missing {
        let link = anchor(&class, href, t);
        text.push_str(&separator);
        match &wrap {
            Some((open, close)) => text.push_str(&format!("{open}{link}{close}")),
            None => text.push_str(&link),
        }
    }
    Some(fix(Span::new(end, end), text))
}

fn anchor(class: &str, href: &str, text: &str) -> String {
    let text = text.replace('&', "&amp;").replace('<', "&lt;");
    format!("<a{class} href=\"{}\">{text}</a>", escape_attr(href, '"'))
}

/// A footer with no link yet: the links go last in it.
fn append_to_end(doc: &Document, footer: usize, missing: &[(&str, &str)]) -> Option<Fix> {
    let close = doc.elements[footer].content?.end;
    let links: Vec<String> = missing.iter().map(|(t, h)| anchor("", h, t)).collect();
    if !starts_line(&doc.text, close) {
        return Some(fix(Span::new(close, close), links.join(" ")));
    }
    let indent = markup::child_indent(doc, footer);
    let at = line_start(&doc.text, close);
    let text: String = links.iter().map(|l| format!("{indent}{l}\n")).collect();
    Some(fix(Span::new(at, at), text))
}

#[cfg(test)]
mod tests {
    use super::FooterLinks;
    use crate::edit::recipes::Recipe;
    use crate::edit::recipes::testkit::{check_site, once};
    use crate::qa::page::Engine;

    const STEP: &str = r#"selector = ".legal-links"
links = [
  { text = "Privacy policy", href = "/legal/privacy.html" },
  { text = "Your Privacy Choices", href = "/legal/choices.html" },
]"#;

    const FOOTER: &str = "<footer class=\"site-footer\">\n  <ul class=\"legal-links\">\n    <li class=\"item\"><a class=\"muted\" href=\"/privacy.html\">Privacy policy</a></li>\n    <li class=\"item\"><a class=\"muted\" href=\"/legal/terms.html\">Terms</a></li>\n  </ul>\n  <p>© {{ year }} Acme</p>\n</footer>\n";
    const WANT: &str = "<footer class=\"site-footer\">\n  <ul class=\"legal-links\">\n    <li class=\"item\"><a class=\"muted\" href=\"/legal/privacy.html\">Privacy policy</a></li>\n    <li class=\"item\"><a class=\"muted\" href=\"/legal/terms.html\">Terms</a></li>\n    <li class=\"item\"><a class=\"muted\" href=\"/legal/choices.html\">Your Privacy Choices</a></li>\n  </ul>\n  <p>© {{ year }} Acme</p>\n</footer>\n";

    fn pages() -> Vec<(&'static str, &'static str)> {
        vec![
            (
                "legal/privacy.html",
                "<html><head><title>Privacy</title></head><body>P</body></html>",
            ),
            (
                "legal/choices.html",
                "<html><head><title>Choices</title></head><body>C</body></html>",
            ),
            (
                "legal/terms.html",
                "<html><head><title>Terms</title></head><body>T</body></html>",
            ),
            (
                "privacy.html",
                "<html><head><title>Old</title></head><body>O</body></html>",
            ),
        ]
    }

    #[test]
    fn liquid_footer_include_gets_the_new_link_and_the_moved_href() {
        let layout = "<html><head><title>{{ page.title }}</title></head><body>{{ content }}{% include footer.html %}</body></html>";
        let mut files = vec![
            ("_config.yml", ""),
            ("_layouts/default.html", layout),
            ("_includes/footer.html", FOOTER),
            ("index.md", "---\nlayout: default\ntitle: Home\n---\nHi\n"),
        ];
        files.extend(pages());
        check_site(
            &FooterLinks,
            STEP,
            &files,
            "_includes/footer.html",
            Engine::Liquid,
            WANT,
        );
    }

    #[test]
    fn jinja_hugo_and_handlebars_partials_get_the_same_edit() {
        for (engine, path, marker) in [
            (
                Engine::Jinja,
                "templates/partials/footer.html",
                (
                    "templates/base.html",
                    "<html><head><title>T</title></head><body>{% include \"partials/footer.html\" %}</body></html>",
                ),
            ),
            (
                Engine::Hugo,
                "layouts/partials/footer.html",
                ("hugo.toml", ""),
            ),
            (
                Engine::Handlebars,
                "templates/partials/footer.hbs",
                (
                    "templates/layout.hbs",
                    "<html><head><title>T</title></head><body>{{> partials/footer}}</body></html>",
                ),
            ),
        ] {
            let mut files = vec![marker, (path, FOOTER)];
            files.extend(pages());
            check_site(&FooterLinks, STEP, &files, path, engine, WANT);
        }
    }

    #[test]
    fn inline_links_copy_their_separator_and_a_bare_footer_gets_them_last() {
        let html = "<html><head><title>T</title></head><body>\n<footer><p><a href=\"/a.html\">A</a> | <a href=\"/b.html\">B</a></p></footer>\n</body></html>\n";
        let step = "links = [{ text = \"Imprint\", href = \"/imprint.html\" }]";
        let want = "<html><head><title>T</title></head><body>\n<footer><p><a href=\"/a.html\">A</a> | <a href=\"/b.html\">B</a> | <a href=\"/imprint.html\">Imprint</a></p></footer>\n</body></html>\n";
        let files = [
            ("index.html", html),
            (
                "a.html",
                "<html><head><title>A</title></head><body>A</body></html>",
            ),
            (
                "b.html",
                "<html><head><title>B</title></head><body>B</body></html>",
            ),
            (
                "imprint.html",
                "<html><head><title>I</title></head><body>I</body></html>",
            ),
        ];
        check_site(&FooterLinks, step, &files, "index.html", Engine::Html, want);
        let bare = "<footer>\n  <p>Acme</p>\n</footer>\n";
        assert_eq!(
            once(&FooterLinks, step, "f.html", bare, Engine::Html),
            "<footer>\n  <p>Acme</p>\n  <a href=\"/imprint.html\">Imprint</a>\n</footer>\n"
        );
        // An article's footer is not the site footer.
        let post = "---\nlayout: post\n---\n<article><footer><a href=\"/x\">Share</a></footer></article>\n";
        assert_eq!(once(&FooterLinks, step, "p.md", post, Engine::Liquid), post);
    }

    #[test]
    fn bad_keys_are_named() {
        let t = |s: &str| FooterLinks.validate(&s.parse().unwrap()).unwrap_err();
        assert_eq!(t("links = []").key.as_deref(), Some("links"));
        assert_eq!(
            t("links = [{ text = \"A\" }]").key.as_deref(),
            Some("links[0].href")
        );
        assert_eq!(
            t("links = [{ text = \"A\", href = \"/\", hrf = 1 }]")
                .hint
                .as_deref(),
            Some("did you mean `links[0].href`?")
        );
        assert_eq!(t("links = \"x\"").key.as_deref(), Some("links"));
        assert_eq!(
            t("link = []").hint.as_deref(),
            Some("did you mean `links`?")
        );
    }
}
