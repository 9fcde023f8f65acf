//! `canonical.fix`: adds or repairs `<link rel="canonical">` and `og:url` in the file that
//! owns the page's `<head>` (a layout, or a standalone page).
//!
//! Repair: a literal canonical or `og:url` is made absolute (`/p` and `p` from `site_url`
//! and the page's URL, `//host/p` with `https:`) and loses its query and fragment; a literal
//! `og:url` beside one literal canonical takes its value. A URL template syntax builds is
//! left alone.
//!
//! Add: when the file has no canonical at all, one is inserted before `</head>` on a line of
//! its own (and `og:url` after it when the head has other `og:` tags but no `og:url`). A
//! standalone page gets its own absolute URL; a layout gets `site_url` followed by the
//! engine's page-path expression (`{{ page.url }}` in Liquid, `{{ .RelPermalink }}` in Hugo;
//! Jinja and Handlebars have none that every framework shares, so `page_url` must name it).
//! Nothing is added where an include, block or other template construct in the head may
//! print a canonical of its own, nor on error, thank-you and redirect pages.

use super::canonical_head::{self as head, Head};
use super::{ParamError, Recipe, RecipeMeta};
use super::{keys, markup};
use crate::qa::finding::Fix;
use crate::qa::page::{Document, Engine};
use crate::qa::rules::Settings;
use crate::qa::rules::seo::site_origin;

static META: RecipeMeta = RecipeMeta {
    name: "canonical.fix",
    summary: "Add or repair rel=canonical and og:url: absolute, self-referencing, no parameters",
    keys: &[(
        "page_url",
        "template expression, default by engine",
        "what prints a page's path in a layout, e.g. \"{{ page.url }}\" (needed for Jinja and Handlebars layouts)",
    )],
    example: "[[steps]]\nrecipe = \"canonical.fix\"\n",
};

const KEYS: &[&str] = &["page_url"];

pub struct CanonicalFix;

impl Recipe for CanonicalFix {
    fn meta(&self) -> &'static RecipeMeta {
        &META
    }

    fn validate(&self, params: &toml::Table) -> Result<(), ParamError> {
        keys::only(params, KEYS)?;
        if let Some(e) = keys::string(params, "page_url")? {
            let t = e.trim();
            if !(t.starts_with('{') && t.ends_with('}')) || t.contains(['"', '<', '>']) {
                return Err(keys::error(
                    "page_url",
                    format!("`{e}` is not a template expression"),
                    Some(
                        "write the expression that prints the page's path, e.g. \"{{ page.url }}\""
                            .into(),
                    ),
                ));
            }
        }
        Ok(())
    }

    fn apply(&self, doc: &Document, settings: &Settings, params: &toml::Table) -> Vec<Fix> {
        let origin = site_origin(settings);
        let page = head::page_url(doc, origin.as_deref());
        let cx = head::Repair {
            origin: origin.as_deref(),
            page: page.as_deref(),
        };
        let mut fixes = head::repairs(doc, &cx);
        if head::canonicals(doc).is_empty()
            && let Some(h) = Head::find(doc).filter(|h| h.may_add(doc))
        {
            let expr = keys::string(params, "page_url")
                .ok()
                .flatten()
                .map(String::from);
            let href = match (head::is_template(doc), &origin) {
                (false, _) => page,
                (true, Some(o)) => layout_expr(doc.engine, expr).map(|e| format!("{o}{e}")),
                (true, None) => None,
            };
            if let Some(href) = href {
                fixes.push(h.insertion(doc, &href));
            }
        }
        markup::guarded(doc, fixes)
    }
}

/// What prints the page's path in a layout of this engine.
fn layout_expr(engine: Engine, given: Option<String>) -> Option<String> {
    given.or(match engine {
        Engine::Liquid => Some("{{ page.url }}".into()),
        Engine::Hugo => Some("{{ .RelPermalink }}".into()),
        Engine::Jinja | Engine::Handlebars | Engine::Html => None,
    })
}

#[cfg(test)]
mod tests {
    use super::CanonicalFix;
    use crate::edit::recipes::testkit::{Case, check, refused};
    use crate::qa::page::Engine;

    const CONFIG: &str = "site_url = \"https://www.example.com/\"\n";
    const PAGE: &str = "---\nlayout: default\ntitle: A page title of a good length\n---\nA\n";

    #[test]
    fn canonicals_are_added_and_repaired_in_every_engine() {
        let cases = [
            Case {
                path: "landing/webinar.html",
                engine: Engine::Liquid,
                before: "---\nlayout: null\npermalink: /landing/webinar/\n---\n<html>\n<head>\n  <link rel=\"canonical\" href=\"https://www.example.com/landing/webinar/?utm_source=google\">\n  <meta property=\"og:url\" content=\"https://www.example.com/landing/webinar\">\n</head>\n</html>\n",
                after: "---\nlayout: null\npermalink: /landing/webinar/\n---\n<html>\n<head>\n  <link rel=\"canonical\" href=\"https://www.example.com/landing/webinar/\">\n  <meta property=\"og:url\" content=\"https://www.example.com/landing/webinar/\">\n</head>\n</html>\n",
                beside: &[("_config.yml", "title: x\n")],
            },
            Case {
                path: "_layouts/default.html",
                engine: Engine::Liquid,
                before: "<html>\n<head>\n  <title>{{ page.title }}</title>\n  <meta property=\"og:title\" content=\"{{ page.title }}\">\n</head>\n<body>{{ content }}</body>\n</html>\n",
                after: "<html>\n<head>\n  <title>{{ page.title }}</title>\n  <meta property=\"og:title\" content=\"{{ page.title }}\">\n  <link rel=\"canonical\" href=\"https://www.example.com{{ page.url }}\">\n  <meta property=\"og:url\" content=\"https://www.example.com{{ page.url }}\">\n</head>\n<body>{{ content }}</body>\n</html>\n",
                beside: &[("_config.yml", "title: x\n"), ("a.md", PAGE)],
            },
            Case {
                path: "templates/base.html",
                engine: Engine::Jinja,
                before: "<html>\n<head>\n<title>{{ title }}</title>\n{% block head %}{% endblock %}\n</head>\n<body></body>\n</html>\n",
                after: "<html>\n<head>\n<title>{{ title }}</title>\n{% block head %}{% endblock %}\n</head>\n<body></body>\n</html>\n",
                beside: &[],
            },
            Case {
                path: "layouts/_default/baseof.html",
                engine: Engine::Hugo,
                before: "<html>\n<head>\n\t<meta charset=\"utf-8\" />\n\t<title>{{ .Title }}</title></head>\n<body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n",
                after: "<html>\n<head>\n\t<meta charset=\"utf-8\" />\n\t<title>{{ .Title }}</title><link rel=\"canonical\" href=\"https://www.example.com{{ .RelPermalink }}\" /></head>\n<body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n",
                beside: &[
                    ("hugo.toml", ""),
                    ("content/x.md", "---\ntitle: X\n---\nBody\n"),
                ],
            },
            Case {
                path: "templates/components/layout.hbs",
                engine: Engine::Handlebars,
                before: "<html>\n<head>\n<link rel=\"canonical\" href=\"/about/?ref=nav#team\">\n</head>\n<body>{{> @partial-block}}</body>\n</html>\n",
                after: "<html>\n<head>\n<link rel=\"canonical\" href=\"https://www.example.com/about/\">\n</head>\n<body>{{> @partial-block}}</body>\n</html>\n",
                beside: &[],
            },
            Case {
                path: "post.md",
                engine: Engine::Liquid,
                before: "---\ntitle: x\n---\n# Post\n\n[home](/)\n",
                after: "---\ntitle: x\n---\n# Post\n\n[home](/)\n",
                beside: &[],
            },
            Case {
                path: "pricing/index.html",
                engine: Engine::Html,
                before: "<!doctype html>\n<html>\n<head>\n    <title>Pricing</title>\n</head>\n<body></body>\n</html>\n",
                after: "<!doctype html>\n<html>\n<head>\n    <title>Pricing</title>\n    <link rel=\"canonical\" href=\"https://www.example.com/pricing/\">\n</head>\n<body></body>\n</html>\n",
                beside: &[],
            },
            Case {
                path: "about.html",
                engine: Engine::Html,
                before: "<html><head><link rel=\"canonical\" href=\"//www.example.com/about.html#x\"><link rel=\"canonical\" href=\"team.html?a=1\"></head></html>\n",
                after: "<html><head><link rel=\"canonical\" href=\"https://www.example.com/about.html\"><link rel=\"canonical\" href=\"https://www.example.com/team.html\"></head></html>\n",
                beside: &[],
            },
        ];
        check(&CanonicalFix, "", CONFIG, &cases);
    }

    #[test]
    fn a_jinja_layout_gets_the_named_page_url_and_unlisted_pages_get_nothing() {
        let cases = [
            Case {
                path: "templates/base.njk",
                engine: Engine::Jinja,
                before: "<html>\n<head>\n  <title>{{ title }}</title>\n  {% if x %}<meta name=\"robots\" content=\"index\">{% endif %}\n</head>\n<body>{% block body %}{% endblock %}</body>\n</html>\n",
                after: "<html>\n<head>\n  <title>{{ title }}</title>\n  {% if x %}<meta name=\"robots\" content=\"index\">{% endif %}\n  <link rel=\"canonical\" href=\"https://www.example.com{{ page.url }}\">\n</head>\n<body>{% block body %}{% endblock %}</body>\n</html>\n",
                beside: &[],
            },
            Case {
                path: "404.html",
                engine: Engine::Html,
                before: "<html><head><title>Not found</title></head></html>\n",
                after: "<html><head><title>Not found</title></head></html>\n",
                beside: &[],
            },
        ];
        check(
            &CanonicalFix,
            "page_url = \"{{ page.url }}\"",
            CONFIG,
            &cases,
        );
    }

    #[test]
    fn bad_keys_are_refused() {
        let e = refused(&CanonicalFix, "page_uri = \"{{ page.url }}\"");
        assert_eq!(e.hint.as_deref(), Some("did you mean `page_url`?"));
        let e = refused(&CanonicalFix, "page_url = \"/x\"");
        assert_eq!(e.message, "`/x` is not a template expression");
        let e = refused(&CanonicalFix, "page_url = true");
        assert_eq!(e.key.as_deref(), Some("page_url"));
    }
}
