//! `hreflang.add`: adds `<link rel="alternate" hreflang href>` alternates to the file
//! that holds `<head>` (DOMAIN.md §5, request 17). `{path}` in a URL is the page's path:
//! the engine's expression in a template (`{{ page.url }}` in Liquid, `{{ .RelPermalink }}`
//! in Hugo, `path_expr` elsewhere), the file's own URL path in a plain HTML site. A
//! locale already listed with another literal URL is repaired; one written by template
//! syntax is left alone. New links go after the last alternate, else after the canonical,
//! else at the end of `<head>`.

use super::keys::{self, error};
use super::markup::{self, child_indent, escape_attr, fix, indent_at, line_start, starts_line};
use super::{ParamError, Recipe, RecipeMeta};
use crate::qa::finding::Fix;
use crate::qa::page::{Document, Engine};
use crate::qa::rules::Settings;
use crate::qa::source::Span;

static META: RecipeMeta = RecipeMeta {
    name: "hreflang.add",
    summary: "Add hreflang alternates to the head of every layout or page that holds it",
    keys: &[
        (
            "locales",
            "table of strings, required",
            "hreflang code → absolute URL; `{path}` stands for the page's path, e.g. { en = \"https://example.com{path}\", de = \"https://example.com/de{path}\" }",
        ),
        (
            "x_default",
            "string, optional",
            "a locale key of `locales` or an absolute URL for hreflang=\"x-default\"",
        ),
        (
            "path_expr",
            "string, optional",
            "template expression for `{path}` (default: `{{ page.url }}` in Liquid, `{{ .RelPermalink }}` in Hugo)",
        ),
    ],
    example: r#"[[steps]]
recipe = "hreflang.add"
locales = { "en" = "https://www.acme-analytics.example{path}", "de" = "https://www.acme-analytics.example/de{path}" }
x_default = "en""#,
};

const KEYS: &[&str] = &["locales", "x_default", "path_expr"];

pub struct HreflangAdd;

struct Plan<'a> {
    /// `(hreflang, URL template)`, x-default last.
    entries: Vec<(String, &'a str)>,
    path_expr: Option<&'a str>,
}

fn plan(params: &toml::Table) -> Result<Plan<'_>, ParamError> {
    keys::only(params, KEYS)?;
    let locales = keys::string_map(params, "locales")?
        .ok_or_else(|| error("locales", "`locales` is required", None))?;
    if locales.is_empty() {
        return Err(error("locales", "`locales` is empty", None));
    }
    let mut entries = Vec::new();
    for (code, url) in &locales {
        let key = format!("locales.{code}");
        if !valid_code(code) {
            return Err(error(
                &key,
                format!("`{code}` is not a language code (ISO 639-1, optionally -REGION)"),
                Some("for example `en`, `de`, `en-GB`, `pt-BR`".into()),
            ));
        }
        absolute(&key, url)?;
        entries.push((code.to_string(), *url));
    }
    if let Some(x) = keys::string(params, "x_default")? {
        let url = match locales.iter().find(|(c, _)| *c == x) {
            Some((_, u)) => *u,
            None => {
                absolute("x_default", x)?;
                x
            }
        };
        entries.push(("x-default".to_string(), url));
    }
    let path_expr = keys::string(params, "path_expr")?;
    Ok(Plan { entries, path_expr })
}

fn valid_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let lang = parts.next().unwrap_or("");
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn absolute(key: &str, url: &str) -> Result<(), ParamError> {
    if url.starts_with("https://") || url.starts_with("http://") {
        return Ok(());
    }
    Err(error(
        key,
        format!("`{key}` must be an absolute URL, not `{url}`"),
        Some("search engines ignore relative hreflang URLs; write https://…".into()),
    ))
}

impl Recipe for HreflangAdd {
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
        let Some(head) = doc
            .elements_named("head")
            .find(|&h| doc.elements[h].content.is_some())
        else {
            return Vec::new();
        };
        let needs_path = p.entries.iter().any(|(_, u)| u.contains("{path}"));
        let path = match page_path(doc, p.path_expr) {
            Some(path) => path,
            None if needs_path => return Vec::new(),
            None => String::new(),
        };
        let alternates = alternates(doc, head);
        let mut out = Vec::new();
        let mut missing = Vec::new();
        for (code, url) in &p.entries {
            let url = url.replace("{path}", &path);
            let found = alternates.iter().find(|&&i| {
                doc.attr_value(i, "hreflang")
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case(code))
            });
            match found {
                Some(&i) => out.extend(markup::set_attr(doc, i, "href", &url)),
                None => missing.push(format!(
                    "<link rel=\"alternate\" hreflang=\"{code}\" href=\"{}\"",
                    escape_attr(&url, '"')
                )),
            }
        }
        if !missing.is_empty() {
            out.extend(insert(doc, head, &alternates, &missing));
        }
        markup::guarded(doc, markup::merged(out))
    }
}

/// What `{path}` becomes in this file; `None` when it cannot be known.
fn page_path(doc: &Document, expr: Option<&str>) -> Option<String> {
    if let Some(e) = expr {
        return Some(e.to_string());
    }
    match doc.engine {
        Engine::Liquid => Some("{{ page.url }}".into()),
        Engine::Hugo => Some("{{ .RelPermalink }}".into()),
        Engine::Html if doc.regions.all().is_empty() => {
            let p = doc.path.trim_start_matches('/');
            let p = p.strip_suffix("index.html").unwrap_or(p);
            Some(format!("/{p}"))
        }
        _ => None,
    }
}

/// `<link rel="alternate" hreflang>` elements in `head`.
fn alternates(doc: &Document, head: usize) -> Vec<usize> {
    doc.elements_named("link")
        .filter(|&i| doc.elements[i].parent == Some(head) || doc.has_ancestor(i, "head"))
        .filter(|&i| {
            doc.attr(i, "hreflang").is_some()
                && doc.attr_value(i, "rel").is_some_and(|r| {
                    r.split_ascii_whitespace()
                        .any(|w| w.eq_ignore_ascii_case("alternate"))
                })
        })
        .collect()
}

fn insert(doc: &Document, head: usize, alternates: &[usize], missing: &[String]) -> Option<Fix> {
    let canonical = doc.elements_named("link").find(|&i| {
        doc.has_ancestor(i, "head")
            && doc
                .attr_value(i, "rel")
                .is_some_and(|r| r.eq_ignore_ascii_case("canonical"))
    });
    let Some(anchor) = alternates.last().copied().or(canonical) else {
        let close = doc.elements[head].content?.end;
        if !starts_line(&doc.text, close) {
            let text: String = missing.iter().map(|m| format!("{m}>")).collect();
            return Some(fix(Span::new(close, close), text));
        }
        let indent = child_indent(doc, head);
        let text: String = missing.iter().map(|m| format!("{indent}{m}>\n")).collect();
        let at = line_start(&doc.text, close);
        return Some(fix(Span::new(at, at), text));
    };
    let tag = doc.elements[anchor].tag;
    let end = if doc.slice(tag).ends_with("/>") {
        " />"
    } else {
        ">"
    };
    let sep = if starts_line(&doc.text, tag.start) {
        format!("\n{}", indent_at(&doc.text, tag.start))
    } else {
        String::new()
    };
    let text: String = missing.iter().map(|m| format!("{sep}{m}{end}")).collect();
    Some(fix(Span::new(tag.end, tag.end), text))
}

#[cfg(test)]
mod tests {
    use super::HreflangAdd;
    use crate::edit::recipes::Recipe;
    use crate::edit::recipes::testkit::{check_site, once};
    use crate::qa::page::Engine;

    const STEP: &str = "locales = { en = \"https://www.example.com{path}\", de = \"https://www.example.com/de{path}\" }\nx_default = \"en\"";

    #[test]
    fn a_liquid_layout_gets_alternates_after_its_canonical() {
        let layout = "<html lang=\"en\">\n<head>\n  <title>{{ page.title }}</title>\n  <link rel=\"canonical\" href=\"https://www.example.com{{ page.url }}\">\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let want = "<html lang=\"en\">\n<head>\n  <title>{{ page.title }}</title>\n  <link rel=\"canonical\" href=\"https://www.example.com{{ page.url }}\">\n  <link rel=\"alternate\" hreflang=\"de\" href=\"https://www.example.com/de{{ page.url }}\">\n  <link rel=\"alternate\" hreflang=\"en\" href=\"https://www.example.com{{ page.url }}\">\n  <link rel=\"alternate\" hreflang=\"x-default\" href=\"https://www.example.com{{ page.url }}\">\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let files = [
            ("_config.yml", ""),
            ("_layouts/default.html", layout),
            ("a.md", "---\nlayout: default\ntitle: A\n---\nA\n"),
        ];
        check_site(
            &HreflangAdd,
            STEP,
            &files,
            "_layouts/default.html",
            Engine::Liquid,
            want,
        );
        // A page inheriting the layout is not the head owner.
        let page = files[2].1;
        assert_eq!(once(&HreflangAdd, STEP, "a.md", page, Engine::Liquid), page);
    }

    #[test]
    fn a_new_locale_joins_an_existing_set_and_a_wrong_url_is_repaired_in_hugo() {
        let baseof = "<html>\n<head>\n  <link rel=\"alternate\" hreflang=\"en\" href=\"https://www.example.com/old{{ .RelPermalink }}\" />\n</head>\n<body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n";
        let want = "<html>\n<head>\n  <link rel=\"alternate\" hreflang=\"en\" href=\"https://www.example.com{{ .RelPermalink }}\" />\n  <link rel=\"alternate\" hreflang=\"de\" href=\"https://www.example.com/de{{ .RelPermalink }}\" />\n  <link rel=\"alternate\" hreflang=\"x-default\" href=\"https://www.example.com{{ .RelPermalink }}\" />\n</head>\n<body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n";
        let files = [
            ("hugo.toml", ""),
            ("layouts/_default/baseof.html", baseof),
            (
                "layouts/_default/single.html",
                "{{ define \"main\" }}{{ .Content }}{{ end }}",
            ),
            ("content/x.md", "---\ntitle: X\n---\nx\n"),
        ];
        // The old href is written partly by template syntax: only the literal part may
        // change, so the whole value is left and the new locales are added.
        let out = once(
            &HreflangAdd,
            STEP,
            "layouts/_default/baseof.html",
            baseof,
            Engine::Hugo,
        );
        assert!(out.contains("/old{{ .RelPermalink }}"), "{out}");
        let fixed = baseof.replace("/old", "");
        let files2 = [
            files[0],
            ("layouts/_default/baseof.html", fixed.as_str()),
            files[2],
            files[3],
        ];
        check_site(
            &HreflangAdd,
            STEP,
            &files2,
            "layouts/_default/baseof.html",
            Engine::Hugo,
            want,
        );
    }

    #[test]
    fn jinja_and_handlebars_need_a_path_expression() {
        let base = "<html><head><title>T</title></head><body>{% block main %}{% endblock %}</body></html>\n";
        assert_eq!(
            once(
                &HreflangAdd,
                STEP,
                "templates/base.html",
                base,
                Engine::Jinja
            ),
            base
        );
        let step = format!("{STEP}\npath_expr = \"{{{{ request.path }}}}\"");
        let want = "<html><head><title>T</title><link rel=\"alternate\" hreflang=\"de\" href=\"https://www.example.com/de{{ request.path }}\"><link rel=\"alternate\" hreflang=\"en\" href=\"https://www.example.com{{ request.path }}\"><link rel=\"alternate\" hreflang=\"x-default\" href=\"https://www.example.com{{ request.path }}\"></head><body>{% block main %}{% endblock %}</body></html>\n";
        let files = [
            ("templates/base.html", base),
            ("templates/page.html", "{% extends \"base.html\" %}"),
        ];
        check_site(
            &HreflangAdd,
            &step,
            &files,
            "templates/base.html",
            Engine::Jinja,
            want,
        );
        let hbs = "<html>\n  <head>\n    <title>{{ title }}</title>\n  </head>\n  <body>{{> @partial-block}}</body>\n</html>\n";
        let step =
            "locales = { en = \"https://www.example.com/\", fr = \"https://www.example.com/fr/\" }";
        let want = "<html>\n  <head>\n    <title>{{ title }}</title>\n    <link rel=\"alternate\" hreflang=\"en\" href=\"https://www.example.com/\">\n    <link rel=\"alternate\" hreflang=\"fr\" href=\"https://www.example.com/fr/\">\n  </head>\n  <body>{{> @partial-block}}</body>\n</html>\n";
        let files = [
            ("templates/layout.hbs", hbs),
            ("templates/index.hbs", "{{#> layout}}x{{/layout}}"),
        ];
        check_site(
            &HreflangAdd,
            step,
            &files,
            "templates/layout.hbs",
            Engine::Handlebars,
            want,
        );
    }

    #[test]
    fn a_plain_page_uses_its_own_path() {
        let html = "<html><head><title>About</title></head><body>A</body></html>\n";
        let want = "<html><head><title>About</title><link rel=\"alternate\" hreflang=\"de\" href=\"https://www.example.com/de/about/\"><link rel=\"alternate\" hreflang=\"en\" href=\"https://www.example.com/about/\"><link rel=\"alternate\" hreflang=\"x-default\" href=\"https://www.example.com/about/\"></head><body>A</body></html>\n";
        check_site(
            &HreflangAdd,
            STEP,
            &[("about/index.html", html)],
            "about/index.html",
            Engine::Html,
            want,
        );
    }

    #[test]
    fn bad_keys_are_named() {
        let t = |s: &str| HreflangAdd.validate(&s.parse().unwrap()).unwrap_err();
        assert_eq!(
            t("locales = { english = \"https://x/\" }").key.as_deref(),
            Some("locales.english")
        );
        assert_eq!(
            t("locales = { en = \"/en/\" }").key.as_deref(),
            Some("locales.en")
        );
        assert_eq!(
            t("locales = { en = \"https://x/\" }\nx_default = \"fr\"")
                .key
                .as_deref(),
            Some("x_default")
        );
        assert_eq!(
            t("locale = {}").hint.as_deref(),
            Some("did you mean `locales`?")
        );
        assert_eq!(t("locales = {}").key.as_deref(), Some("locales"));
    }
}
