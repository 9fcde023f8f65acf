//! `snippet.insert`: puts a consent-manager or tag snippet into every base layout that
//! lacks it (DOMAIN.md §5, requests 4 and 24), at the start or end of `<head>` or
//! `<body>`. Only a file that holds the element is edited, never a page that inherits
//! it; the snippet takes the indentation of the element's children. At the start of
//! `<head>` it goes after a leading `<meta charset>`, which must stay first.

use super::keys::{self, Pattern, error};
use super::markup::{self, child_indent, fix, line_start, reindent, starts_line};
use super::{ParamError, Recipe, RecipeMeta};
use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::rules::Settings;
use crate::qa::source::Span;

static META: RecipeMeta = RecipeMeta {
    name: "snippet.insert",
    summary: "Insert a consent-manager or tag snippet into every base layout that lacks it",
    keys: &[
        ("snippet", "string, required", "the HTML to insert"),
        (
            "position",
            "string, required",
            "head-start | head-end | body-start | body-end",
        ),
        (
            "detect",
            "string, default: the snippet's first line",
            "text (or regex) that shows the snippet is already in a file; it must match the snippet",
        ),
        (
            "regex",
            "bool, default false",
            "`detect` is a regular expression",
        ),
    ],
    example: r#"[[steps]]
recipe = "snippet.insert"
position = "head-start"
detect = "cdn.cookielaw.org"
snippet = '''
<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" data-domain-script="0000-1111" charset="UTF-8"></script>
<script>function OptanonWrapper() {}</script>
'''"#,
};

const KEYS: &[&str] = &["snippet", "position", "detect", "regex"];
const POSITIONS: &[&str] = &["head-start", "head-end", "body-start", "body-end"];

pub struct SnippetInsert;

struct Plan<'a> {
    snippet: &'a str,
    element: &'static str,
    at_start: bool,
    detect: Pattern,
}

fn plan(params: &toml::Table) -> Result<Plan<'_>, ParamError> {
    keys::only(params, KEYS)?;
    let snippet = keys::required(params, "snippet")?;
    if snippet.trim().is_empty() {
        return Err(error("snippet", "`snippet` is blank", None));
    }
    let position = keys::required(params, "position")?;
    let (element, at_start) = match position {
        "head-start" => ("head", true),
        "head-end" => ("head", false),
        "body-start" => ("body", true),
        "body-end" => ("body", false),
        other => {
            return Err(error(
                "position",
                format!("`position` cannot be `{other}`"),
                Some(format!("one of: {}", POSITIONS.join(", "))),
            ));
        }
    };
    let regex = keys::boolean(params, "regex", false)?;
    let first_line = snippet.lines().map(str::trim).find(|l| !l.is_empty());
    let detect = match keys::string(params, "detect")? {
        Some(d) if !d.is_empty() => Pattern::new("detect", d, regex)?,
        Some(_) => return Err(error("detect", "`detect` is empty", None)),
        None => Pattern::Literal(first_line.unwrap_or(snippet).to_string()),
    };
    if !detect.is_match(&reindent(snippet, "")) {
        return Err(error(
            "detect",
            "`detect` does not match `snippet`, so every run would insert it again",
            Some("use a piece of the snippet, such as its script URL or account id".into()),
        ));
    }
    Ok(Plan {
        snippet,
        element,
        at_start,
        detect,
    })
}

impl Recipe for SnippetInsert {
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
        if p.detect.is_match(&doc.text) {
            return Vec::new();
        }
        let Some(owner) = doc.elements_named(p.element).next() else {
            return Vec::new();
        };
        let edit = if p.at_start {
            at_start(doc, owner, p.snippet)
        } else {
            at_end(doc, owner, p.snippet)
        };
        markup::guarded(doc, edit.into_iter().collect())
    }
}

/// After the start tag (and a leading `<meta charset>` in `<head>`).
fn at_start(doc: &Document, owner: usize, snippet: &str) -> Option<Fix> {
    let mut at = doc.elements[owner].tag.end;
    let first_child =
        (owner + 1..doc.elements.len()).find(|&i| doc.elements[i].parent == Some(owner));
    if let Some(c) = first_child.filter(|&c| {
        doc.elements[c].name == "meta"
            && (doc.attr(c, "charset").is_some()
                || doc
                    .attr_value(c, "http-equiv")
                    .is_some_and(|v| v.eq_ignore_ascii_case("content-type")))
    }) {
        at = doc.elements[c].tag.end;
    }
    let rest = &doc.text[at..];
    let on_own_line = rest.trim_start_matches([' ', '\t', '\r']).starts_with('\n');
    let text = if on_own_line {
        let indent = child_indent(doc, owner);
        format!("\n{indent}{}", reindent(snippet, &indent))
    } else {
        snippet.trim().to_string()
    };
    Some(fix(Span::new(at, at), text))
}

/// Before the end tag, on a line of its own when the end tag starts its line.
fn at_end(doc: &Document, owner: usize, snippet: &str) -> Option<Fix> {
    let close = doc.elements[owner].content?.end;
    if !starts_line(&doc.text, close) {
        return Some(fix(Span::new(close, close), snippet.trim()));
    }
    let indent = child_indent(doc, owner);
    let at = line_start(&doc.text, close);
    let text = format!("{indent}{}\n", reindent(snippet, &indent));
    Some(fix(Span::new(at, at), text))
}

#[cfg(test)]
mod tests {
    use super::SnippetInsert;
    use crate::edit::recipes::Recipe;
    use crate::edit::recipes::testkit::{check_site, once};
    use crate::qa::page::Engine;

    const CONSENT: &str = r#"position = "head-start"
detect = "cdn.cookielaw.org"
snippet = '''
<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" data-domain-script="0000-1111"></script>
<script>
  function OptanonWrapper() {}
</script>
'''"#;

    const LAYOUT: &str = "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>{{ page.title }}</title>\n</head>\n<body>\n  {{ content }}\n</body>\n</html>\n";
    const WITH_CONSENT: &str = "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <script src=\"https://cdn.cookielaw.org/scripttemplates/otSDKStub.js\" data-domain-script=\"0000-1111\"></script>\n  <script>\n    function OptanonWrapper() {}\n  </script>\n  <title>{{ page.title }}</title>\n</head>\n<body>\n  {{ content }}\n</body>\n</html>\n";

    #[test]
    fn consent_goes_first_in_the_liquid_layout_after_the_charset() {
        let page = "---\nlayout: default\ntitle: A\n---\nHello\n";
        let files = [
            ("_config.yml", ""),
            ("_layouts/default.html", LAYOUT),
            ("a.md", page),
        ];
        check_site(
            &SnippetInsert,
            CONSENT,
            &files,
            "_layouts/default.html",
            Engine::Liquid,
            WITH_CONSENT,
        );
        // The page inherits the layout: it holds no <head> and is left alone.
        assert_eq!(
            once(&SnippetInsert, CONSENT, "a.md", page, Engine::Liquid),
            page
        );
    }

    #[test]
    fn body_end_in_a_jinja_base_keeps_its_indentation() {
        let base = "<html>\n  <head><title>{% block title %}{% endblock %}</title></head>\n  <body>\n    {% block main %}{% endblock %}\n  </body>\n</html>\n";
        let want = "<html>\n  <head><title>{% block title %}{% endblock %}</title></head>\n  <body>\n    {% block main %}{% endblock %}\n    <script src=\"https://cdn.example.com/tag.js\" async></script>\n  </body>\n</html>\n";
        let step = "position = \"body-end\"\nsnippet = '<script src=\"https://cdn.example.com/tag.js\" async></script>'";
        let files = [
            ("templates/base.html", base),
            ("templates/page.html", "{% extends \"base.html\" %}"),
        ];
        check_site(
            &SnippetInsert,
            step,
            &files,
            "templates/base.html",
            Engine::Jinja,
            want,
        );
    }

    /// A consent platform and a Consent Mode v2 default, as a site that has them writes them.
    const CONSENT_HEAD: &str = "<script src=\"https://cdn.cookielaw.org/scripttemplates/otSDKStub.js\" data-domain-script=\"0000-1111\"></script><script>gtag('consent', 'default', {ad_storage: 'denied', analytics_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied'});</script>";

    #[test]
    fn hugo_baseof_handlebars_layout_and_plain_pages_get_it_once() {
        let step = "position = \"head-end\"\ndetect = 'GTM-[A-Z0-9]+'\nregex = true\nsnippet = '<script src=\"https://www.googletagmanager.com/gtm.js?id=GTM-XYZ\" async></script>'";
        let baseof = "<html>\n<head>\n{{ partial \"head.html\" . }}\n</head>\n<body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n";
        let want = "<html>\n<head>\n{{ partial \"head.html\" . }}\n<script src=\"https://www.googletagmanager.com/gtm.js?id=GTM-XYZ\" async></script>\n</head>\n<body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n";
        let files = [
            ("hugo.toml", ""),
            ("layouts/_default/baseof.html", baseof),
            (
                "layouts/_default/single.html",
                "{{ define \"main\" }}{{ .Content }}{{ end }}",
            ),
            ("content/x.md", "---\ntitle: X\n---\nx\n"),
        ];
        check_site(
            &SnippetInsert,
            step,
            &files,
            "layouts/_default/baseof.html",
            Engine::Hugo,
            want,
        );
        // A site with its consent banner and footer links, so adding the tag adds no
        // consent or legal finding.
        let hbs = "<html><head><title>{{ title }}</title>{{> consent}}</head><body>{{> @partial-block}}</body></html>\n";
        let want = "<html><head><title>{{ title }}</title>{{> consent}}<script src=\"https://www.googletagmanager.com/gtm.js?id=GTM-XYZ\" async></script></head><body>{{> @partial-block}}</body></html>\n";
        let files = [
            ("templates/layout.hbs", hbs),
            ("templates/partials/consent.hbs", CONSENT_HEAD),
            (
                "templates/index.hbs",
                "{{#> layout}}<noscript><iframe src=\"https://www.googletagmanager.com/ns.html?id=GTM-XYZ\"></iframe></noscript>x<footer><a href=\"/privacy/\">Privacy</a> <button class=\"ot-sdk-show-settings\">Cookie settings</button></footer>{{/layout}}",
            ),
        ];
        check_site(
            &SnippetInsert,
            step,
            &files,
            "templates/layout.hbs",
            Engine::Handlebars,
            want,
        );
        // A page that already has another GTM container is left alone.
        let html = "<html><head><script src=\"https://www.googletagmanager.com/gtm.js?id=GTM-OLD\"></script></head></html>";
        assert_eq!(
            once(&SnippetInsert, step, "index.html", html, Engine::Html),
            html
        );
    }

    #[test]
    fn plain_html_body_start() {
        let html = "<html>\n<head><title>T</title></head>\n<body class=\"x\">\n  <h1>T</h1>\n</body>\n</html>\n";
        let want = "<html>\n<head><title>T</title></head>\n<body class=\"x\">\n  <noscript><iframe src=\"https://www.googletagmanager.com/ns.html?id=GTM-XYZ\" title=\"Tag manager\"></iframe></noscript>\n  <h1>T</h1>\n</body>\n</html>\n";
        let step = "position = \"body-start\"\nsnippet = '<noscript><iframe src=\"https://www.googletagmanager.com/ns.html?id=GTM-XYZ\" title=\"Tag manager\"></iframe></noscript>'";
        check_site(
            &SnippetInsert,
            step,
            &[("index.html", html)],
            "index.html",
            Engine::Html,
            want,
        );
    }

    #[test]
    fn bad_keys_are_named() {
        let t = |s: &str| SnippetInsert.validate(&s.parse().unwrap()).unwrap_err();
        assert_eq!(
            t("snippet = 'x'\nposition = 'head'").key.as_deref(),
            Some("position")
        );
        assert_eq!(
            t("snippet = 'x'\nposition = 'head-end'\ndetect = 'y'")
                .key
                .as_deref(),
            Some("detect")
        );
        assert_eq!(
            t("snippet = 'x'\nposition = 'head-end'\ndetect = '('\nregex = true")
                .key
                .as_deref(),
            Some("detect")
        );
        assert_eq!(
            t("snippet = 'x'\nposition = 'head-end'\nposition_ = 1")
                .hint
                .as_deref(),
            Some("did you mean `position`?")
        );
        assert_eq!(
            t("snippet = 1\nposition = 'head-end'").key.as_deref(),
            Some("snippet")
        );
    }
}
