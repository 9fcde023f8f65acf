//! SEO-001 bad-page-title: a page's `<title>` is missing, empty, the same as another page's,
//! or outside the site's length bounds. A title printed by a template is judged by the
//! page's own front matter value, and reported there.

use super::{absent_at, name_pages, rendered, same_text_groups};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{PageCx, Rule, SiteCx};

static META: RuleMeta = RuleMeta {
    id: "SEO-001",
    name: "bad-page-title",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "Page <title> missing, empty, shared with another page, or outside the length bounds",
    why: "The title is the headline of the search result and the browser tab: without one, or with one shared by many pages, search engines write their own and visitors cannot tell the pages apart.",
    bad: "<html><head><title></title></head><body><h1>Pricing</h1></body></html>",
    good: "<html><head><title>Pricing plans for small teams</title></head><body><h1>Pricing</h1></body></html>",
    source: "Google Search Central, \"Influencing your title links\"; DOMAIN.md §3",
};

pub struct BadTitle;

impl Rule for BadTitle {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        // An SVG's <title> names the drawing, not the page.
        let first = view
            .elements_named("title")
            .find(|(d, i)| !d.has_ancestor(*i, "svg"));
        let Some((doc, el)) = first else {
            if let Some((d, span)) = absent_at(view) {
                let f = Finding::at(&META, d, span, "the page has no <title>");
                out.push(f.hint(
                    "add a <title> inside <head> that names this page, e.g. \"Pricing | Acme\"",
                ));
            }
            return;
        };
        let Some(r) = rendered(view, doc, el, None, "title") else {
            return;
        };
        let n = r.text.chars().count();
        let [min, max] = cx.settings.config.seo.title_length;
        let source = if r.from_front_matter {
            " (front matter `title`)"
        } else {
            ""
        };
        let (span, msg, hint) = if n == 0 {
            let span = if r.from_front_matter {
                r.span
            } else {
                doc.elements[el].tag
            };
            (
                span,
                format!("the page's title is empty{source}"),
                "write a title that names this page",
            )
        } else if n < min {
            let msg = format!(
                "title \"{}\" is {n} characters, under the {min} this site expects{source}",
                r.text
            );
            (r.span, msg, "say what the page offers and who it is for")
        } else if n > max {
            let msg = format!("title is {n} characters, over the {max} this site allows{source}");
            (
                r.span,
                msg,
                "search results cut long titles; put the words that matter first and shorten it",
            )
        } else {
            return;
        };
        let f = Finding::at(&META, r.doc, span, msg).hint(hint);
        // A missing or empty title is an error; a length outside the bounds is advice.
        out.push(if n == 0 {
            f
        } else {
            f.advisory(Severity::Warning)
        });
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        for group in same_text_groups(cx.pages, |p| p.title.as_ref()) {
            let names: Vec<&str> = group.iter().map(|(p, _)| p.path.as_ref()).collect();
            let value = &group[0].1.value;
            let msg = format!(
                "title \"{value}\" is used by {} pages: {}",
                group.len(),
                name_pages(&names)
            );
            for (_, fact) in &group {
                let a = &fact.at;
                let hint = if fact.dynamic {
                    "give each page its own `title` in front matter"
                } else if group
                    .iter()
                    .all(|(_, f)| f.at.file == a.file && f.at.span == a.span)
                {
                    "this title is written once in a shared template: print the page's own title there"
                } else {
                    "give each page a title of its own"
                };
                out.push(
                    Finding::located(&META, a.file.clone(), a.span, a.start, a.end, msg.clone())
                        .hint(hint),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    const JEKYLL_LAYOUT: &str = "<!doctype html>\n<html>\n<head>\n<title>{{ page.title }}</title>\n</head>\n<body>{{ content }}</body>\n</html>\n";

    #[test]
    fn jekyll_titles_are_judged_by_front_matter_and_duplicates_point_at_it() {
        let f = check_files(
            &[
                ("_config.yml", "title: Acme\n"),
                ("_layouts/default.html", JEKYLL_LAYOUT),
                (
                    "a.md",
                    "---\nlayout: default\ntitle: Pricing plans for teams\n---\nA\n",
                ),
                (
                    "b.md",
                    "---\nlayout: default\ntitle: Pricing plans for teams\n---\nB\n",
                ),
                ("c.md", "---\nlayout: default\ntitle: \"\"\n---\nC\n"),
                (
                    "d.md",
                    "---\nlayout: default\ntitle: Pricing, plans, features, integrations, security and everything else we sell\n---\nD\n",
                ),
                (
                    "e.md",
                    "---\nlayout: default\ntitle: Our unique product tour\n---\nE\n",
                ),
            ],
            "",
        );
        assert_eq!(
            at(&f, "SEO-001"),
            [
                ("a.md".into(), 3, 8),
                ("b.md".into(), 3, 8),
                ("c.md".into(), 3, 9),
                ("d.md".into(), 3, 8)
            ],
            "{f:#?}"
        );
        let dup = f
            .iter()
            .find(|x| x.rule.id == "SEO-001" && x.file.as_ref() == "a.md")
            .expect("a.md finding");
        assert!(
            dup.message.contains("used by 2 pages: a.md, b.md"),
            "{}",
            dup.message
        );
    }

    #[test]
    fn a_literal_title_shared_by_a_layout_is_one_finding_in_the_layout() {
        let layout = "<html><head>\n<title>Acme</title></head><body>{{ content }}</body></html>";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", layout),
                ("a.md", "---\nlayout: default\n---\nA\n"),
                ("b.md", "---\nlayout: default\n---\nB\n"),
            ],
            "",
        );
        // Too short (4 < 10) on each page, and shared: both at the layout's title text.
        assert_eq!(
            at(&f, "SEO-001"),
            [
                ("_layouts/default.html".into(), 2, 8),
                ("_layouts/default.html".into(), 2, 8)
            ],
            "{f:#?}"
        );
    }

    #[test]
    fn a_missing_title_is_reported_at_the_head_of_a_complete_hugo_chain() {
        let baseof = "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n  </head>\n  <body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n";
        let single = "{{ define \"main\" }}<article>{{ .Content }}</article>{{ end }}\n";
        let files = [
            ("hugo.toml", "baseURL = 'https://example.com/'\n"),
            ("content/x.md", "---\ntitle: X marks the spot\n---\nBody\n"),
            ("layouts/_default/single.html", single),
            ("layouts/_default/baseof.html", baseof),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "SEO-001"),
            [("layouts/_default/baseof.html".into(), 3, 3)],
            "{f:#?}"
        );
        let with_title = baseof.replace("<meta charset=\"utf-8\">", "<title>{{ .Title }}</title>");
        let f = check_files(
            &[
                files[0],
                files[1],
                files[2],
                ("layouts/_default/baseof.html", &with_title),
            ],
            "",
        );
        assert!(at(&f, "SEO-001").is_empty(), "{f:#?}");
    }

    #[test]
    fn a_head_that_a_template_may_fill_is_not_missing_a_title() {
        let layout = "<html>\n<head>\n{% seo %}\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let unresolved = "<html>\n<head>\n{% include head.html %}\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", layout),
                ("_layouts/other.html", unresolved),
                ("a.md", "---\nlayout: default\n---\nA\n"),
                ("b.md", "---\nlayout: other\n---\nB\n"),
            ],
            "",
        );
        assert!(at(&f, "SEO-001").is_empty(), "{f:#?}");
    }

    #[test]
    fn jinja_block_titles_and_svg_titles_are_not_judged() {
        let base = "<html>\n<head>\n<title>{% block title %}{% endblock %} | Acme</title>\n</head>\n<body>{% block body %}{% endblock %}</body>\n</html>\n";
        let page = "{% extends \"base.html\" %}\n{% block title %}Home{% endblock %}\n{% block body %}<svg><title></title></svg>{% endblock %}\n";
        let f = check_files(
            &[("templates/base.html", base), ("templates/page.html", page)],
            "",
        );
        assert!(at(&f, "SEO-001").is_empty(), "{f:#?}");
        let literal = "{% extends \"base.html\" %}\n{% block body %}{% endblock %}\n";
        let base2 = "<html>\n<head>\n<title>Hi</title>\n</head>\n<body>{% block body %}{% endblock %}</body>\n</html>\n";
        let f = check_files(
            &[
                ("templates/base.html", base2),
                ("templates/page.html", literal),
            ],
            "",
        );
        assert_eq!(
            at(&f, "SEO-001"),
            [("templates/base.html".into(), 3, 8)],
            "{f:#?}"
        );
    }

    #[test]
    fn handlebars_layout_titles_are_judged_when_literal() {
        let layout = "<html>\n<head>\n<title>   </title>\n</head>\n<body>{{> @partial-block}}</body>\n</html>\n";
        let page = "{{#> components/layout}}\n<h1>Home</h1>\n{{/components/layout}}\n";
        let files = [
            ("templates/components/layout.hbs", layout),
            ("templates/index.hbs", page),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "SEO-001"),
            [("templates/components/layout.hbs".into(), 3, 1)],
            "{f:#?}"
        );
        let good = layout.replace("<title>   </title>", "<title>{{title}}</title>");
        let f = check_files(&[("templates/components/layout.hbs", &good), files[1]], "");
        assert!(at(&f, "SEO-001").is_empty(), "{f:#?}");
    }
}
