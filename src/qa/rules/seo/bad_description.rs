//! SEO-002 bad-meta-description: a page's `<meta name="description">` is missing, empty,
//! the same as another page's (a template default repeated everywhere), or outside the
//! site's length bounds. Template output is judged by the page's own front matter value.

use super::{absent_at, name_pages, rendered, same_text_groups};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{PageCx, Rule, SiteCx};

static META: RuleMeta = RuleMeta {
    id: "SEO-002",
    name: "bad-meta-description",
    severity: Severity::Warning,
    fix: FixKind::Judgement,
    summary: "Meta description missing, empty, repeated across pages, or outside the length bounds",
    why: "Search engines show the description under the title; a missing or repeated one is replaced by whatever text they pick from the page.",
    bad: r#"<html><head><title>Pricing plans for small teams</title><meta name="description" content=""></head><body></body></html>"#,
    good: r#"<html><head><title>Pricing plans for small teams</title><meta name="description" content="Three plans for teams of 2 to 50 people, billed monthly or yearly, with a 30-day free trial."></head><body></body></html>"#,
    source: "Google Search Central, \"Control your snippets in search results\"; DOMAIN.md §3",
};

pub struct BadDescription;

impl Rule for BadDescription {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        let Some(&(doc, el)) = view.metas("description").first() else {
            if let Some((d, span)) = absent_at(view) {
                let f = Finding::at(&META, d, span, "the page has no meta description");
                out.push(f.hint("add <meta name=\"description\" content=\"…\"> with one or two sentences about this page"));
            }
            return;
        };
        let Some(r) = rendered(view, doc, el, Some("content"), "description") else {
            return;
        };
        let n = r.text.chars().count();
        let [min, max] = cx.settings.config.seo.description_length;
        let source = if r.from_front_matter {
            " (front matter `description`)"
        } else {
            ""
        };
        let (span, msg) = if n == 0 {
            let span = if r.from_front_matter {
                r.span
            } else {
                doc.elements[el].tag
            };
            (span, format!("the meta description is empty{source}"))
        } else if n < min {
            (
                r.span,
                format!(
                    "meta description is {n} characters, under the {min} this site expects{source}"
                ),
            )
        } else if n > max {
            (
                r.span,
                format!(
                    "meta description is {n} characters, over the {max} this site allows{source}"
                ),
            )
        } else {
            return;
        };
        let f = Finding::at(&META, r.doc, span, msg)
            .hint("summarise what the page offers in one or two sentences");
        // A missing or empty description is a warning; a length outside the bounds is advice.
        out.push(if n == 0 {
            f
        } else {
            f.advisory(Severity::Info)
        });
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        for group in same_text_groups(cx.pages, |p| p.description.as_ref()) {
            let names: Vec<&str> = group.iter().map(|(p, _)| p.path.as_ref()).collect();
            let msg = format!(
                "the same meta description is used by {} pages: {}",
                group.len(),
                name_pages(&names)
            );
            for (_, fact) in &group {
                let a = &fact.at;
                let hint = if fact.dynamic {
                    "give each page its own `description` in front matter"
                } else if group
                    .iter()
                    .all(|(_, f)| f.at.file == a.file && f.at.span == a.span)
                {
                    "this description is written once in a shared template: print each page's own description there"
                } else {
                    "write a description for each page"
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

    const LONG: &str = "Three plans for teams of two to fifty people, billed monthly or yearly, with a free trial.";

    #[test]
    fn jekyll_descriptions_come_from_front_matter() {
        let layout = "<html>\n<head>\n<title>{{ page.title }}</title>\n<meta name=\"description\" content=\"{{ page.description | escape }}\">\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let page = |t: &str, d: &str| {
            format!("---\nlayout: default\ntitle: {t}\ndescription: {d}\n---\nBody\n")
        };
        let (a, b, c) = (
            page("Pricing for teams", LONG),
            page("Features for teams", LONG),
            page("About the company", "Short"),
        );
        let d = "---\nlayout: default\ntitle: Contact our team\n---\nBody\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", layout),
                ("a.md", &a),
                ("b.md", &b),
                ("c.md", &c),
                ("d.md", d),
            ],
            "",
        );
        // a and b share one; c is too short; d has none in front matter, so nothing is known.
        assert_eq!(
            at(&f, "SEO-002"),
            [
                ("a.md".into(), 4, 14),
                ("b.md".into(), 4, 14),
                ("c.md".into(), 4, 14)
            ],
            "{f:#?}"
        );
    }

    #[test]
    fn a_missing_description_is_reported_at_the_head_only_for_complete_chains() {
        let layout = "<html>\n<head>\n<title>{{ page.title }}</title>\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", layout),
                (
                    "a.md",
                    "---\nlayout: default\ntitle: Pricing for teams\n---\nA\n",
                ),
            ],
            "",
        );
        assert_eq!(
            at(&f, "SEO-002"),
            [("_layouts/default.html".into(), 2, 1)],
            "{f:#?}"
        );
        let f = check_files(
            &[
                ("_config.yml", ""),
                (
                    "a.md",
                    "---\nlayout: missing\ntitle: Pricing for teams\n---\nA\n",
                ),
            ],
            "",
        );
        assert!(at(&f, "SEO-002").is_empty(), "{f:#?}");
    }

    #[test]
    fn hugo_and_jinja_literal_descriptions_are_judged() {
        let baseof = format!(
            "<html>\n<head>\n<title>{{{{ .Title }}}}</title>\n<meta name=\"description\" content=\"{LONG}\">\n</head>\n<body>{{{{ block \"main\" . }}}}{{{{ end }}}}</body>\n</html>\n"
        );
        let f = check_files(
            &[
                ("hugo.toml", ""),
                ("content/a.md", "---\ntitle: Alpha page here\n---\nA\n"),
                ("content/b.md", "---\ntitle: Beta page here\n---\nB\n"),
                (
                    "layouts/_default/single.html",
                    "{{ define \"main\" }}{{ .Content }}{{ end }}",
                ),
                ("layouts/_default/baseof.html", &baseof),
            ],
            "",
        );
        assert_eq!(
            at(&f, "SEO-002"),
            [("layouts/_default/baseof.html".into(), 4, 35)],
            "{f:#?}"
        );
        let base = "<html>\n<head>\n<meta name=\"description\" content=\"{% block description %}{% endblock %}\">\n</head>\n<body></body>\n</html>\n";
        let page = "{% extends \"base.html\" %}{% block description %}Hi{% endblock %}";
        let f = check_files(
            &[("templates/base.html", base), ("templates/page.html", page)],
            "",
        );
        assert!(at(&f, "SEO-002").is_empty(), "{f:#?}");
    }

    #[test]
    fn an_include_that_prints_into_the_head_keeps_the_missing_check_silent() {
        let layout = |at_head: bool| {
            let inc = "{% include extra.html %}";
            let (h, b) = if at_head { (inc, "") } else { ("", inc) };
            format!(
                "<html>\n<head>\n<title>{{{{ page.title }}}}</title>{h}\n</head>\n<body>{b}{{{{ content }}}}</body>\n</html>\n"
            )
        };
        let extra = "{{ site.data.head_tags }}\n";
        let page = "---\nlayout: default\ntitle: Pricing for teams\n---\nA\n";
        let in_head = layout(true);
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", &in_head),
                ("_includes/extra.html", extra),
                ("a.md", page),
            ],
            "",
        );
        assert!(at(&f, "SEO-002").is_empty(), "{f:#?}");
        let in_body = layout(false);
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", &in_body),
                ("_includes/extra.html", extra),
                ("a.md", page),
            ],
            "",
        );
        assert_eq!(
            at(&f, "SEO-002"),
            [("_layouts/default.html".into(), 2, 1)],
            "{f:#?}"
        );
    }
}
