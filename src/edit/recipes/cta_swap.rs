//! `cta.swap`: changes the text, `href` and `data-*` attributes of the elements a CSS
//! selector picks (DOMAIN.md §5, request 3). Values written by template syntax are left
//! alone, and so is a text split over several runs (`<b>Start</b> now`).

use super::keys::{self, error};
use super::markup::{self, fix, set_attr};
use super::select::Selector;
use super::{ParamError, Recipe, RecipeMeta};
use crate::qa::finding::Fix;
use crate::qa::page::{Document, decode_entities};
use crate::qa::rules::Settings;
use crate::qa::source::Span;

static META: RecipeMeta = RecipeMeta {
    name: "cta.swap",
    summary: "Change a call to action's text, href and data attributes, picked by CSS selector",
    keys: &[
        (
            "selector",
            "string, required",
            "CSS selector of the CTAs: type, .class, #id, [attr], [attr=v], [attr^=v], [attr*=v], descendant, >, comma lists",
        ),
        (
            "text",
            "string, optional",
            "the new visible text (written HTML-escaped)",
        ),
        ("href", "string, optional", "the new link target"),
        (
            "attrs",
            "table of strings, optional",
            "attributes to set or add, e.g. { \"data-cta-text\" = \"Start free trial\" }",
        ),
    ],
    example: r#"[[steps]]
recipe = "cta.swap"
selector = "a.btn-primary[data-cta-position=hero]"
text = "Start your free trial"
href = "/signup/"
attrs = { "data-cta-text" = "Start your free trial" }"#,
};

const KEYS: &[&str] = &["selector", "text", "href", "attrs"];

pub struct CtaSwap;

struct Plan<'a> {
    selector: Selector,
    text: Option<&'a str>,
    href: Option<&'a str>,
    attrs: Vec<(&'a str, &'a str)>,
}

fn plan(params: &toml::Table) -> Result<Plan<'_>, ParamError> {
    keys::only(params, KEYS)?;
    let raw = keys::required(params, "selector")?;
    let selector = Selector::parse(raw).map_err(|e| {
        error(
            "selector",
            format!("`selector` is not a selector this recipe reads: {e}"),
            None,
        )
    })?;
    let text = keys::string(params, "text")?;
    let href = keys::string(params, "href")?;
    let attrs = keys::string_map(params, "attrs")?.unwrap_or_default();
    for (name, _) in &attrs {
        let ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'));
        if !ok || name.eq_ignore_ascii_case("href") {
            return Err(error(
                &format!("attrs.{name}"),
                format!("`{name}` is not an attribute name this recipe sets"),
                Some("use `href = …` for the link target".into()),
            ));
        }
    }
    if text.is_none() && href.is_none() && attrs.is_empty() {
        return Err(error(
            "text",
            "nothing to change: give `text`, `href` or `attrs`",
            None,
        ));
    }
    Ok(Plan {
        selector,
        text,
        href,
        attrs,
    })
}

impl Recipe for CtaSwap {
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
        for el in p.selector.select(doc) {
            if let Some(href) = p.href {
                out.extend(set_attr(doc, el, "href", href));
            }
            for (name, value) in &p.attrs {
                out.extend(set_attr(doc, el, &name.to_ascii_lowercase(), value));
            }
            if let Some(text) = p.text {
                out.extend(set_text(doc, el, text));
            }
        }
        markup::guarded(doc, markup::merged(out))
    }
}

/// Replaces the element's one run of text (child tags such as an icon kept).
fn set_text(doc: &Document, el: usize, text: &str) -> Option<Fix> {
    let content = doc.elements[el].content?;
    if doc.is_dynamic(content) {
        return None;
    }
    let mut runs = markup::text_runs(doc, content)
        .into_iter()
        .filter(|s| !doc.slice(*s).trim().is_empty());
    let run = runs.next()?;
    if runs.next().is_some() {
        return None;
    }
    let raw = doc.slice(run);
    let lead = raw.len() - raw.trim_start().len();
    let core = Span::new(run.start + lead, run.start + raw.trim_end().len());
    if decode_entities(doc.slice(core)) == text {
        return None;
    }
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    Some(fix(core, escaped))
}

#[cfg(test)]
mod tests {
    use super::CtaSwap;
    use crate::edit::recipes::Recipe;
    use crate::edit::recipes::testkit::{check_site, once};
    use crate::qa::page::Engine;

    const STEP: &str = r#"selector = "a.btn-primary[data-cta-position=hero]"
text = "Start your free trial"
href = "/signup/"
attrs = { "data-cta-text" = "Start your free trial" }"#;

    #[test]
    fn swaps_text_href_and_data_attribute_on_a_liquid_page() {
        let page = "---\nlayout: default\ntitle: Home\n---\n<div class=\"hero\">\n  <a class=\"btn btn-primary\" href=\"/pricing/\" data-cta-text=\"Start free trial\" data-cta-position=\"hero\">Start free trial</a>\n  <a class=\"btn btn-secondary\" href=\"/contact/\" data-cta-position=\"hero\">Book a demo</a>\n</div>\n";
        let want = "---\nlayout: default\ntitle: Home\n---\n<div class=\"hero\">\n  <a class=\"btn btn-primary\" href=\"/signup/\" data-cta-text=\"Start your free trial\" data-cta-position=\"hero\">Start your free trial</a>\n  <a class=\"btn btn-secondary\" href=\"/contact/\" data-cta-position=\"hero\">Book a demo</a>\n</div>\n";
        let files = [
            ("_config.yml", ""),
            (
                "_layouts/default.html",
                "<html><head><title>{{ page.title }}</title></head><body>{{ content }}</body></html>",
            ),
            ("index.html", page),
            (
                "signup.html",
                "---\nlayout: default\ntitle: Sign up\n---\nx",
            ),
        ];
        check_site(&CtaSwap, STEP, &files, "index.html", Engine::Liquid, want);
    }

    #[test]
    fn template_values_are_left_and_a_missing_attribute_is_added_in_jinja() {
        let page = "{% extends \"base.html\" %}\n{% block main %}\n<a class=\"btn btn-primary\" data-cta-position=\"hero\" href=\"{{ url_for('pricing') }}\">{{ cta }}</a>\n{% endblock %}\n";
        let want = "{% extends \"base.html\" %}\n{% block main %}\n<a class=\"btn btn-primary\" data-cta-position=\"hero\" href=\"{{ url_for('pricing') }}\" data-cta-text=\"Start your free trial\">{{ cta }}</a>\n{% endblock %}\n";
        let files = [
            (
                "templates/base.html",
                "<html><head><title>T</title></head><body>{% block main %}{% endblock %}</body></html>",
            ),
            ("templates/index.html", page),
        ];
        check_site(
            &CtaSwap,
            STEP,
            &files,
            "templates/index.html",
            Engine::Jinja,
            want,
        );
    }

    #[test]
    fn hugo_handlebars_and_plain_html_keep_icons_and_quotes() {
        let hugo = "{{ define \"main\" }}\n<a class='btn btn-primary' data-cta-position=hero href='/pricing/'><svg></svg> Start free trial</a>\n{{ end }}\n";
        let want = "{{ define \"main\" }}\n<a class='btn btn-primary' data-cta-position=hero href='/signup/' data-cta-text=\"Start your free trial\"><svg></svg> Start your free trial</a>\n{{ end }}\n";
        let files = [
            ("hugo.toml", ""),
            ("layouts/_default/single.html", hugo),
            ("content/x.md", "---\ntitle: X\n---\nx\n"),
            ("content/signup.md", "---\ntitle: Sign up\n---\nx\n"),
        ];
        check_site(
            &CtaSwap,
            STEP,
            &files,
            "layouts/_default/single.html",
            Engine::Hugo,
            want,
        );
        let hbs = "{{#> layout}}\n<a class=\"btn btn-primary\" data-cta-position=\"hero\" href=\"/pricing/\">Try {{ product }}</a>\n{{/layout}}\n";
        let want = "{{#> layout}}\n<a class=\"btn btn-primary\" data-cta-position=\"hero\" href=\"/signup/\" data-cta-text=\"Start your free trial\">Try {{ product }}</a>\n{{/layout}}\n";
        let files = [
            (
                "templates/layout.hbs",
                "<html><head><title>T</title></head><body>{{> @partial-block}}</body></html>",
            ),
            ("templates/index.hbs", hbs),
        ];
        check_site(
            &CtaSwap,
            STEP,
            &files,
            "templates/index.hbs",
            Engine::Handlebars,
            want,
        );
        let html = "<p><a class=\"btn-primary\" data-cta-position=\"hero\" href=\"/pricing/\">Go &amp; see</a></p>\n";
        let out = once(
            &CtaSwap,
            "selector = \".btn-primary\"\ntext = \"R&D <now>\"",
            "index.html",
            html,
            Engine::Html,
        );
        assert_eq!(
            out,
            "<p><a class=\"btn-primary\" data-cta-position=\"hero\" href=\"/pricing/\">R&amp;D &lt;now&gt;</a></p>\n"
        );
    }

    #[test]
    fn markdown_inline_html_ctas_are_swapped() {
        let md = "---\nlayout: default\n---\n# Hi\n\n<a class=\"btn btn-primary\" data-cta-position=\"hero\" href=\"/pricing/\">Start</a>\n";
        let out = once(&CtaSwap, STEP, "a.md", md, Engine::Liquid);
        assert!(out.contains("href=\"/signup/\" data-cta-text=\"Start your free trial\">Start your free trial</a>"), "{out}");
    }

    #[test]
    fn bad_keys_are_named() {
        let t = |s: &str| CtaSwap.validate(&s.parse().unwrap()).unwrap_err();
        assert_eq!(
            t("selector = \"a\"\nhreff = \"/x\"").hint.as_deref(),
            Some("did you mean `href`?")
        );
        assert_eq!(
            t("selector = \"a:hover\"\nhref = \"/x\"").key.as_deref(),
            Some("selector")
        );
        assert_eq!(t("selector = \"a\"").key.as_deref(), Some("text"));
        assert_eq!(
            t("selector = \"a\"\nattrs = { x = 1 }").key.as_deref(),
            Some("attrs.x")
        );
        assert_eq!(t("href = \"/x\"").key.as_deref(), Some("selector"));
    }
}
