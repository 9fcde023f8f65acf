//! SOC-001 incomplete-open-graph: a page lacks one of the four Open Graph properties every
//! share preview needs (`og:title`, `og:type`, `og:image`, `og:url`), or gives `og:image` or
//! `og:url` as a relative URL, which crawlers cannot fetch.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::seo::{Rooting, absent_at, rooting, site_origin};
use crate::qa::rules::{PageCx, Rule};
use crate::qa::source::Span;

static META: RuleMeta = RuleMeta {
    id: "SOC-001",
    name: "incomplete-open-graph",
    severity: Severity::Warning,
    fix: FixKind::Deterministic,
    summary: "Open Graph og:title, og:type, og:image or og:url missing, or og:image/og:url not absolute",
    why: "Facebook, LinkedIn, Slack and messengers build the share preview from Open Graph; without these four properties the link is shown bare or with a random image.",
    bad: r#"<html><head><meta property="og:title" content="Pricing"><meta property="og:image" content="/img/card.png"></head><body></body></html>"#,
    good: r#"<html><head><meta property="og:title" content="Pricing"><meta property="og:type" content="website"><meta property="og:image" content="https://www.example.com/img/card.png"><meta property="og:url" content="https://www.example.com/pricing"></head><body></body></html>"#,
    source: "The Open Graph protocol, ogp.me \"Basic Metadata\"; DOMAIN.md §3",
};

const REQUIRED: &[&str] = &["og:title", "og:type", "og:image", "og:url"];
/// Properties whose value must be an absolute URL.
const URL_PROPERTIES: &[&str] = &[
    "og:image",
    "og:image:url",
    "og:image:secure_url",
    "og:url",
    "og:video",
    "og:audio",
];

pub struct IncompleteOpenGraph;

impl Rule for IncompleteOpenGraph {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        let has_og = view.elements_named("meta").any(|(d, i)| {
            ["property", "name"].iter().any(|a| {
                d.attr_value(i, a)
                    .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("og:"))
            })
        });
        let absent = absent_at(view);
        if !has_og {
            if let Some((d, span)) = absent {
                let f = Finding::at(
                    &META,
                    d,
                    span,
                    "the page has no Open Graph tags: shared links get no preview",
                );
                out.push(f.hint("add og:title, og:type, og:image and og:url metas to the head"));
            }
            return;
        }
        if let Some((d, span)) = absent {
            for key in REQUIRED.iter().filter(|k| view.metas(k).is_empty()) {
                let f = Finding::at(&META, d, span, format!("the page has no {key}"));
                out.push(f.hint(format!("add <meta property=\"{key}\" content=\"…\">")));
            }
        }
        for key in URL_PROPERTIES {
            for (d, i) in view.metas(key) {
                let Some(content) = d.attr(i, "content").and_then(|a| a.value) else {
                    continue;
                };
                let msg = format!("{key} is not an absolute URL: crawlers cannot fetch it");
                match rooting(d, content) {
                    Rooting::Relative | Rooting::ProtocolRelative => {
                        out.push(
                            Finding::at(&META, d, content, msg)
                                .hint("write the full URL, https://…"),
                        );
                    }
                    Rooting::RootRelative => {
                        let f = Finding::at(&META, d, content, msg);
                        out.push(match site_origin(cx.settings) {
                            Some(o) => f
                                .hint(format!("prefix it with {o}"))
                                .fix(Span::new(content.start, content.start), o),
                            None => f.hint(
                                "write the full URL (set site_url in sitewide.toml to get a fix)",
                            ),
                        });
                    }
                    Rooting::Absolute | Rooting::Unknown => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files, fixed};

    const SITE: &str = "site_url = \"https://www.example.com\"\n";

    #[test]
    fn jekyll_layout_with_partial_open_graph_gets_missing_and_relative_findings() {
        let layout = "<html>\n<head>\n<meta property=\"og:title\" content=\"{{ page.title }}\">\n<meta property=\"og:image\" content=\"/img/{{ page.image }}\">\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let files = [
            ("_config.yml", ""),
            ("_layouts/default.html", layout),
            ("a.md", "---\nlayout: default\ntitle: A\n---\nA\n"),
        ];
        let f = check_files(&files, SITE);
        assert_eq!(
            at(&f, "SOC-001"),
            [
                ("_layouts/default.html".into(), 2, 1),
                ("_layouts/default.html".into(), 2, 1),
                ("_layouts/default.html".into(), 4, 36)
            ],
            "{f:#?}"
        );
        let out = fixed(layout, &f, "SOC-001");
        assert!(
            out.contains("content=\"https://www.example.com/img/{{ page.image }}\""),
            "{out}"
        );
        let again = check_files(&[files[0], ("_layouts/default.html", &out), files[2]], SITE);
        // The two missing properties are left; they need someone to write them.
        assert_eq!(
            at(&again, "SOC-001"),
            [
                ("_layouts/default.html".into(), 2, 1),
                ("_layouts/default.html".into(), 2, 1)
            ],
            "{again:#?}"
        );
    }

    #[test]
    fn hugo_internal_open_graph_template_counts_as_present() {
        let baseof = "<html>\n<head>\n{{ template \"_internal/opengraph.html\" . }}\n</head>\n<body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n";
        let files = [
            ("hugo.toml", ""),
            ("content/x.md", "---\ntitle: X\n---\nBody\n"),
            (
                "layouts/_default/single.html",
                "{{ define \"main\" }}{{ .Content }}{{ end }}",
            ),
            ("layouts/_default/baseof.html", baseof),
        ];
        let f = check_files(&files, SITE);
        assert!(at(&f, "SOC-001").is_empty(), "{f:#?}");
        let bare = baseof.replace(
            "{{ template \"_internal/opengraph.html\" . }}",
            "<meta charset=\"utf-8\">",
        );
        let f = check_files(
            &[
                files[0],
                files[1],
                files[2],
                ("layouts/_default/baseof.html", &bare),
            ],
            SITE,
        );
        assert_eq!(
            at(&f, "SOC-001"),
            [("layouts/_default/baseof.html".into(), 2, 1)],
            "{f:#?}"
        );
    }

    #[test]
    fn jinja_and_handlebars_complete_sets_pass() {
        let og = "<meta property=\"og:title\" content=\"{{ title }}\"><meta property=\"og:type\" content=\"website\"><meta property=\"og:image\" content=\"{{ image }}\"><meta property=\"og:url\" content=\"https://www.example.com{{ path }}\">";
        let base = format!("<html>\n<head>\n{og}\n</head>\n<body></body>\n</html>\n");
        let f = check_files(
            &[
                ("templates/base.html", &base),
                ("templates/page.html", "{% extends \"base.html\" %}"),
            ],
            SITE,
        );
        assert!(at(&f, "SOC-001").is_empty(), "{f:#?}");
        let layout = format!(
            "<html>\n<head>\n{og}\n</head>\n<body>{{{{> @partial-block}}}}</body>\n</html>\n"
        );
        let f = check_files(
            &[
                ("templates/components/layout.hbs", &layout),
                (
                    "templates/index.hbs",
                    "{{#> components/layout}}x{{/components/layout}}",
                ),
            ],
            SITE,
        );
        assert!(at(&f, "SOC-001").is_empty(), "{f:#?}");
    }
}
