//! SEO-004 robots-noindex: a literal `<meta name="robots" content="noindex">` (or `nofollow`,
//! `none`; also `googlebot`) rendered on every build of a page, the classic staging leftover.
//! A meta inside a template condition (`{% if page.noindex %}`, `{{ if not hugo.IsProduction }}`)
//! is someone's decision and is never reported.

use super::always_rendered;
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::Document;
use crate::qa::rules::{PageCx, Rule};
use crate::qa::source::Span;

static META: RuleMeta = RuleMeta {
    id: "SEO-004",
    name: "robots-noindex",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "meta robots noindex/nofollow rendered unconditionally on a page",
    why: "A noindex left over from staging removes the page from search results; nofollow stops link equity from flowing to the pages it links.",
    bad: r#"<html><head><meta name="robots" content="noindex, nofollow"></head><body></body></html>"#,
    good: r#"<html><head><meta name="robots" content="index, follow"></head><body></body></html>"#,
    source: "Google Search Central, \"Robots meta tag specifications\"; DOMAIN.md §3",
};

/// Directives that keep a page or its links out of search.
const BLOCKING: &[&str] = &["noindex", "nofollow", "none"];
/// Directives that only restate the default (`index, follow`).
const DEFAULTS: &[&str] = &["index", "follow", "all"];

pub struct RobotsNoindex;

impl Rule for RobotsNoindex {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        if is_unlisted(view.page) || super::is_redirect(view) {
            return;
        }
        for key in ["robots", "googlebot"] {
            for (d, i) in view.metas(key) {
                let Some(content) = d.attr(i, "content").and_then(|a| a.value) else {
                    continue;
                };
                if d.is_dynamic(content) || !always_rendered(view, d, d.elements[i].tag.start) {
                    continue;
                }
                let raw = d.slice(content).to_ascii_lowercase();
                let directives: Vec<&str> = raw
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect();
                let blocking: Vec<&str> = directives
                    .iter()
                    .copied()
                    .filter(|s| BLOCKING.contains(s))
                    .collect();
                if blocking.is_empty() {
                    continue;
                }
                let msg = format!(
                    "meta {key} \"{}\" is rendered on every build: the page stays out of search",
                    blocking.join(", ")
                );
                let f = Finding::at(&META, d, content, msg);
                let removable = directives
                    .iter()
                    .all(|s| BLOCKING.contains(s) || DEFAULTS.contains(s));
                out.push(if removable {
                    f.hint("remove it, or wrap it in a staging-only condition")
                        .fix(line_of(d, d.elements[i].tag), "")
                } else {
                    f.hint(format!(
                        "drop {} from the directives, or wrap the tag in a staging-only condition",
                        blocking.join(" and ")
                    ))
                });
            }
        }
    }
}

/// 404 pages, thank-you pages, search results and the like, or a page whose front matter
/// keeps it out of the sitemap: noindex there is intended.
fn is_unlisted(page: &Document) -> bool {
    let fm = page.front_matter.as_ref();
    let opted_out = fm.is_some_and(|f| {
        matches!(
            f.values.get("sitemap"),
            Some(crate::qa::page::front_matter::Value::Bool(false))
        ) || ["noindex", "robots", "private", "hidden", "unlisted"]
            .iter()
            .any(|k| f.has(k))
    });
    super::is_unlisted_page(page) || opted_out
}

/// The element's own line when nothing else is on it, so removing it leaves no blank line.
fn line_of(d: &Document, tag: Span) -> Span {
    let start = d.text[..tag.start].rfind('\n').map_or(0, |n| n + 1);
    let end = d.text[tag.end..]
        .find('\n')
        .map_or(d.text.len(), |n| tag.end + n + 1);
    let alone =
        d.text[start..tag.start].trim().is_empty() && d.text[tag.end..end].trim().is_empty();
    if alone { Span::new(start, end) } else { tag }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files, fixed};

    #[test]
    fn a_jekyll_layout_noindex_is_removed_and_a_conditional_one_is_kept() {
        let layout = "<html>\n<head>\n  <meta name=\"robots\" content=\"noindex\">\n{% if page.hide %}<meta name=\"robots\" content=\"noindex\">{% endif %}\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let files = [
            ("_config.yml", ""),
            ("_layouts/default.html", layout),
            ("a.md", "---\nlayout: default\n---\nA\n"),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "SEO-004"),
            [("_layouts/default.html".into(), 3, 32)],
            "{f:#?}"
        );
        let out = fixed(layout, &f, "SEO-004");
        assert_eq!(
            out,
            layout.replace("  <meta name=\"robots\" content=\"noindex\">\n", "")
        );
        let again = check_files(&[files[0], ("_layouts/default.html", &out), files[2]], "");
        assert!(at(&again, "SEO-004").is_empty(), "{again:#?}");
    }

    #[test]
    fn hugo_production_guard_and_template_values_pass() {
        let baseof = "<html>\n<head>\n{{ if not hugo.IsProduction }}<meta name=\"robots\" content=\"noindex\">{{ end }}\n<meta name=\"robots\" content=\"{{ .Params.robots }}\">\n</head>\n<body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n";
        let f = check_files(
            &[
                ("hugo.toml", ""),
                ("content/x.md", "---\ntitle: X\n---\nBody\n"),
                (
                    "layouts/_default/single.html",
                    "{{ define \"main\" }}{{ .Content }}{{ end }}",
                ),
                ("layouts/_default/baseof.html", baseof),
            ],
            "",
        );
        assert!(at(&f, "SEO-004").is_empty(), "{f:#?}");
    }

    #[test]
    fn jinja_googlebot_with_other_directives_is_reported_without_a_fix() {
        let base = "<html>\n<head>\n<meta name=\"googlebot\" content=\"nofollow, noarchive\">\n</head>\n<body>{% block body %}{% endblock %}</body>\n</html>\n";
        let page = "{% extends \"base.html\" %}{% block body %}Hi{% endblock %}";
        let f = check_files(
            &[("templates/base.html", base), ("templates/page.html", page)],
            "",
        );
        assert_eq!(
            at(&f, "SEO-004"),
            [("templates/base.html".into(), 3, 33)],
            "{f:#?}"
        );
        assert!(f.iter().all(|x| x.rule.id != "SEO-004" || x.fix.is_none()));
    }

    #[test]
    fn handlebars_404_pages_may_be_noindexed() {
        let layout =
            "<html>\n<head>\n{{{head}}}\n</head>\n<body>{{> @partial-block}}</body>\n</html>\n";
        let page = "{{#> components/layout}}<meta name=\"robots\" content=\"noindex\">{{/components/layout}}";
        let f = check_files(
            &[
                ("templates/components/layout.hbs", layout),
                ("templates/404.hbs", page),
            ],
            "",
        );
        assert!(at(&f, "SEO-004").is_empty(), "{f:#?}");
        let f = check_files(
            &[
                ("templates/components/layout.hbs", layout),
                ("templates/index.hbs", page),
            ],
            "",
        );
        assert_eq!(
            at(&f, "SEO-004"),
            [("templates/index.hbs".into(), 1, 54)],
            "{f:#?}"
        );
    }
}
