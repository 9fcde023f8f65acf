//! `tag.remove`: removes a retired pixel or a duplicate tag install (DOMAIN.md §5,
//! request 20): every `<script>`, `<noscript>`, `<img>` or `<iframe>` whose `src` or
//! inline content matches. A whole element goes, with its line when it is alone on it,
//! and so do the comments that bracket only removed elements (`<!-- Meta Pixel Code -->`
//! … `<!-- End Meta Pixel Code -->`). An element holding control-flow template syntax
//! is left alone.

use super::keys::{self, Pattern, error};
use super::markup::{self, element_end, fix, whole_lines};
use super::{ParamError, Recipe, RecipeMeta};
use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::rules::Settings;
use crate::qa::source::Span;

static META: RecipeMeta = RecipeMeta {
    name: "tag.remove",
    summary: "Remove a retired pixel or a duplicate tag install",
    keys: &[
        (
            "match",
            "string, required",
            "text (or regex) in a <script>/<noscript>/<img>/<iframe> src or inline content, e.g. an old pixel id or UA-123",
        ),
        (
            "regex",
            "bool, default false",
            "`match` is a regular expression",
        ),
        (
            "keep_first",
            "bool, default false",
            "keep the first matching element of each kind in a file (for duplicate installs)",
        ),
    ],
    example: r#"[[steps]]
recipe = "tag.remove"
match = "UA-1234567-1"
"#,
};

const KEYS: &[&str] = &["match", "regex", "keep_first"];
const TAGS: &[&str] = &["script", "noscript", "img", "iframe"];

pub struct TagRemove;

struct Plan {
    pattern: Pattern,
    keep_first: bool,
}

fn plan(params: &toml::Table) -> Result<Plan, ParamError> {
    keys::only(params, KEYS)?;
    let raw = keys::required(params, "match")?;
    let regex = keys::boolean(params, "regex", false)?;
    let pattern = Pattern::new("match", raw, regex)?;
    if raw.trim().len() < 3 {
        return Err(error(
            "match",
            "`match` is too short to pick a tag safely",
            Some("use the tag's id or script URL".into()),
        ));
    }
    let keep_first = keys::boolean(params, "keep_first", false)?;
    Ok(Plan {
        pattern,
        keep_first,
    })
}

impl Recipe for TagRemove {
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
        let mut spans = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for el in matching(doc, &p.pattern) {
            let name = doc.elements[el].name.as_ref();
            if p.keep_first && !seen.contains(&name) {
                seen.push(name);
                continue;
            }
            if let Some(end) = element_end(doc, el) {
                let span = Span::new(doc.elements[el].tag.start, end);
                if !markup::touches_template(doc, span) {
                    spans.push(span);
                }
            }
        }
        let spans = with_bracketing_comments(doc, spans);
        let fixes = spans
            .into_iter()
            .map(|s| fix(whole_lines(&doc.text, s), ""))
            .collect();
        markup::guarded(doc, markup::merged(fixes))
    }
}

/// Outermost matching elements, in document order.
fn matching(doc: &Document, pattern: &Pattern) -> Vec<usize> {
    let hit = |i: usize| {
        let el = &doc.elements[i];
        TAGS.contains(&el.name.as_ref())
            && (doc
                .attr_value(i, "src")
                .is_some_and(|s| pattern.is_match(s))
                || el.content.is_some_and(|c| pattern.is_match(doc.slice(c))))
    };
    let all: Vec<usize> = (0..doc.elements.len()).filter(|&i| hit(i)).collect();
    all.iter()
        .copied()
        .filter(|&i| {
            let mut p = doc.elements[i].parent;
            while let Some(a) = p {
                if all.contains(&a) {
                    return false;
                }
                p = doc.elements[a].parent;
            }
            true
        })
        .collect()
}

/// Adds the comment before and the comment after a run of removed elements when only
/// whitespace separates them.
fn with_bracketing_comments(doc: &Document, spans: Vec<Span>) -> Vec<Span> {
    let blank = |a: usize, b: usize| a <= b && doc.text[a..b].trim().is_empty();
    let mut out = Vec::new();
    let mut i = 0;
    while i < spans.len() {
        let mut j = i;
        while j + 1 < spans.len() && blank(spans[j].end, spans[j + 1].start) {
            j += 1;
        }
        let before = doc.comments.iter().rfind(|c| blank(c.end, spans[i].start));
        let after = doc.comments.iter().find(|c| blank(spans[j].end, c.start));
        if let (Some(b), Some(a)) = (before, after) {
            out.push(*b);
            out.extend_from_slice(&spans[i..=j]);
            out.push(*a);
        } else {
            out.extend_from_slice(&spans[i..=j]);
        }
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::TagRemove;
    use crate::edit::recipes::Recipe;
    use crate::edit::recipes::testkit::{check_site, once};
    use crate::qa::page::Engine;

    const PIXEL: &str = "  <!-- Meta Pixel Code -->\n  <script>\n    !function(f,b,e,v,n,t,s){}(window, document,'script');\n    fbq('init', '111222333');\n    fbq('track', 'PageView');\n  </script>\n  <noscript><img height=\"1\" width=\"1\" style=\"display:none\" alt=\"\"\n    src=\"https://www.facebook.com/tr?id=111222333&ev=PageView&noscript=1\"></noscript>\n  <!-- End Meta Pixel Code -->\n";

    #[test]
    fn an_old_meta_pixel_goes_with_its_comments_from_a_liquid_layout() {
        let layout = format!(
            "<html>\n<head>\n  <title>{{{{ page.title }}}}</title>\n{PIXEL}</head>\n<body>{{{{ content }}}}</body>\n</html>\n"
        );
        let want = "<html>\n<head>\n  <title>{{ page.title }}</title>\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let files = [
            ("_config.yml", ""),
            ("_layouts/default.html", layout.as_str()),
            ("a.md", "---\nlayout: default\ntitle: A\n---\nA\n"),
        ];
        check_site(
            &TagRemove,
            "match = \"111222333\"",
            &files,
            "_layouts/default.html",
            Engine::Liquid,
            want,
        );
    }

    #[test]
    fn keep_first_removes_a_second_ga_install_in_jinja() {
        let ga =
            "  <script async src=\"https://www.googletagmanager.com/gtag/js?id=G-ABC\"></script>\n";
        let base = format!(
            "<html>\n<head>\n{ga}  <title>{{% block title %}}{{% endblock %}}</title>\n{ga}</head>\n<body>{{% block main %}}{{% endblock %}}</body>\n</html>\n"
        );
        let want = format!(
            "<html>\n<head>\n{ga}  <title>{{% block title %}}{{% endblock %}}</title>\n</head>\n<body>{{% block main %}}{{% endblock %}}</body>\n</html>\n"
        );
        let files = [
            ("templates/base.html", base.as_str()),
            ("templates/page.html", "{% extends \"base.html\" %}"),
        ];
        check_site(
            &TagRemove,
            "match = \"G-ABC\"\nkeep_first = true",
            &files,
            "templates/base.html",
            Engine::Jinja,
            &want,
        );
    }

    #[test]
    fn hugo_handlebars_and_plain_html_keep_template_syntax() {
        let ua = "match = 'UA-\\d+-\\d+'\nregex = true";
        let hugo = "<head>\n  {{ if hugo.IsProduction }}\n  <script async src=\"https://www.google-analytics.com/analytics.js\"></script><script>ga('create', 'UA-1234-1', 'auto');</script>\n  {{ end }}\n  <script>ga('create', '{{ .Site.Params.ua }}');</script>\n</head>\n";
        let want = "<head>\n  {{ if hugo.IsProduction }}\n  <script async src=\"https://www.google-analytics.com/analytics.js\"></script>\n  {{ end }}\n  <script>ga('create', '{{ .Site.Params.ua }}');</script>\n</head>\n";
        let files = [
            ("hugo.toml", ""),
            ("layouts/partials/head.html", hugo),
            ("content/x.md", "---\ntitle: X\n---\nx\n"),
        ];
        check_site(
            &TagRemove,
            ua,
            &files,
            "layouts/partials/head.html",
            Engine::Hugo,
            want,
        );
        // Control flow inside the element: left alone.
        let hbs = "<head><script>{{#if ua}}ga('create', 'UA-1234-1');{{/if}}</script></head>";
        assert_eq!(
            once(
                &TagRemove,
                ua,
                "templates/layout.hbs",
                hbs,
                Engine::Handlebars
            ),
            hbs
        );
        let html =
            "<p>Hi <img src=\"https://px.example.com/p.gif?id=UA-1-2\" alt=\"\"> there</p>\n";
        let want = "<p>Hi  there</p>\n";
        check_site(
            &TagRemove,
            ua,
            &[("index.html", html)],
            "index.html",
            Engine::Html,
            want,
        );
    }

    #[test]
    fn markdown_pages_lose_inline_pixels() {
        let md = "---\nlayout: default\n---\n# Hi\n\n<img src=\"https://px.example.com/p.gif?id=999888\" alt=\"\">\n\nText\n";
        let out = once(&TagRemove, "match = \"999888\"", "a.md", md, Engine::Liquid);
        assert_eq!(out, "---\nlayout: default\n---\n# Hi\n\n\nText\n");
    }

    #[test]
    fn bad_keys_are_named() {
        let t = |s: &str| TagRemove.validate(&s.parse().unwrap()).unwrap_err();
        assert_eq!(t("match = 'ab'").key.as_deref(), Some("match"));
        assert_eq!(
            t("match = 'UA-1'\nkeep_frist = true").hint.as_deref(),
            Some("did you mean `keep_first`?")
        );
        assert_eq!(
            t("match = 'UA-1'\nkeep_first = 'yes'").key.as_deref(),
            Some("keep_first")
        );
        assert_eq!(
            t("match = '(UA'\nregex = true").key.as_deref(),
            Some("match")
        );
    }
}
