//! A11Y-002 broken-heading-outline: a skipped heading level (h2 then h4) within one file,
//! an empty heading, and a page with no h1 or several. Levels are compared only between
//! headings of one file with no template tag or markup-printing output between them, and
//! an h1 counts towards "several" only when it is rendered once for certain.

use super::{
    Scopes, descendants, has_aria_name, has_template_attrs, inserts_page_content, may_print_markup,
};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::{Document, Heading};
use crate::qa::rules::{FileCx, PageCx, Rule};
use crate::qa::source::Span;
use crate::qa::view::PageView;

static META: RuleMeta = RuleMeta {
    id: "A11Y-002",
    name: "broken-heading-outline",
    severity: Severity::Warning,
    fix: FixKind::Judgement,
    summary: "Skipped heading level (h2 then h4), empty heading, or not exactly one h1 per page",
    why: "Screen reader users move through a page by its headings; a skipped level or a second h1 makes them think they missed a section, and an empty heading is announced as nothing.",
    bad: "<h1>Plans</h1>\n<h2>Pro</h2>\n<h4>Limits</h4>\n",
    good: "<h1>Plans</h1>\n<h2>Pro</h2>\n<h3>Limits</h3>\n",
    source: "WCAG 2.2 SC 1.3.1 Info and Relationships, 2.4.6 Headings and Labels; axe-core heading-order, empty-heading, page-has-heading-one",
};

pub struct BrokenHeadingOutline;

impl Rule for BrokenHeadingOutline {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let scopes = Scopes::of(doc);
        let headings: Vec<&Heading> = doc
            .headings
            .iter()
            .filter(|h| !scopes.is_code(h.span.start))
            .collect();
        for pair in headings.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if b.level <= a.level + 1
                || breaks_between(doc, Span::new(end_of(doc, a), b.span.start))
            {
                continue;
            }
            let msg = format!(
                "h{} follows h{}: heading level {} is skipped",
                b.level,
                a.level,
                a.level + 1
            );
            out.push(Finding::at(&META, doc, b.span, msg).hint(format!(
                "make this an h{}, or add the missing level above it",
                a.level + 1
            )));
        }
        for h in headings {
            if let Some(el) = h.element.filter(|&el| is_empty_heading(doc, el)) {
                let msg = format!("empty h{}: it has no text", h.level);
                out.push(
                    Finding::at(&META, doc, doc.elements[el].tag, msg)
                        .hint("give the heading text, or remove it and style something else"),
                );
            }
        }
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        let scopes: Vec<Scopes> = view.docs.iter().map(|d| Scopes::of(d)).collect();
        let certain = certain_docs(view, &scopes);
        let mut h1s = Vec::new();
        let mut first_heading: Option<(bool, usize, &Heading)> = None;
        for (i, (doc, s)) in view.docs.iter().zip(&scopes).enumerate() {
            for h in doc.headings.iter().filter(|h| !s.is_code(h.span.start)) {
                let key = (i == 0, i, h);
                if first_heading.is_none_or(|f| (!key.0, key.1) < (!f.0, f.1)) {
                    first_heading = Some(key);
                }
                if h.level == 1 {
                    h1s.push((i, h, certain[i] && !s.is_uncertain(h.span.start, i == 0)));
                }
            }
        }
        if h1s.is_empty() {
            if let Some((_, i, h)) = first_heading.filter(|_| may_lack_h1(view)) {
                let doc = view.docs[i];
                let msg = format!(
                    "the page has no h1 (its first heading here is an h{})",
                    h.level
                );
                out.push(
                    Finding::at(&META, doc, h.span, msg)
                        .hint("give the page one h1 that says what it is about"),
                );
            }
            return;
        }
        report_extra_h1s(view, &h1s, out);
    }
}

/// Reports every certain h1 but the one kept: a layout's before the page's own, so the
/// finding lands on the content that repeats the title.
fn report_extra_h1s(view: &PageView, h1s: &[(usize, &Heading, bool)], out: &mut Vec<Finding>) {
    let mut certain: Vec<(usize, &Heading)> =
        h1s.iter().filter(|h| h.2).map(|h| (h.0, h.1)).collect();
    if certain.len() < 2 {
        return;
    }
    certain.sort_by_key(|(i, h)| (*i == 0, *i, h.span.start));
    let (ki, kh) = certain[0];
    let kept = view.docs[ki];
    let kept_at = kept.lines.line_col(&kept.text, kh.span.start);
    for (i, h) in &certain[1..] {
        let doc = view.docs[*i];
        out.push(
            Finding::at(&META, doc, h.span, "more than one h1 on the page").hint(format!(
                "the page's h1 is at {}:{}; make this one an h2",
                kept.path, kept_at.line
            )),
        );
    }
}

/// True when nothing in the view can print an h1 that the scan does not see: every file was
/// found, the outermost one is a whole document (a generator may apply a layout that no
/// front matter names, such as Eleventy directory data or Jekyll `defaults`), and no output
/// prints markup other than the page's own content.
fn may_lack_h1(view: &PageView) -> bool {
    view.is_complete()
        && view.elements_named("html").next().is_some()
        && view.docs.iter().all(|d| {
            let prints_markup = d.regions.all().iter().any(|r| {
                may_print_markup(d, r) && !inserts_page_content(d, r) && !in_start_tag(d, r.span)
            });
            let has_aria_heading =
                (0..d.elements.len()).any(|el| super::value(d, el, "role").is_literal("heading"));
            !prints_markup && !has_aria_heading
        })
}

fn in_start_tag(doc: &Document, span: Span) -> bool {
    let i = doc.elements.partition_point(|e| e.tag.start <= span.start);
    i > 0 && doc.elements[i - 1].tag.contains(span)
}

/// For each file of the view, whether it is rendered for certain: the page, layouts nobody
/// names, and files named by an include that is not inside a branch of a certain file.
fn certain_docs(view: &PageView, scopes: &[Scopes]) -> Vec<bool> {
    let docs = &view.docs;
    let mut sites: Vec<Vec<(usize, Span)>> = vec![Vec::new(); docs.len()];
    for (j, d) in docs.iter().enumerate() {
        for inc in d.includes.iter().filter(|inc| !inc.name.is_empty()) {
            for (i, t) in docs.iter().enumerate().skip(1) {
                if i != j && names_file(&inc.name, &t.path) {
                    sites[i].push((j, inc.span));
                }
            }
        }
    }
    let mut certain: Vec<bool> = sites.iter().map(Vec::is_empty).collect();
    loop {
        let mut changed = false;
        for i in 0..docs.len() {
            if !certain[i]
                && sites[i]
                    .iter()
                    .any(|(j, s)| certain[*j] && !scopes[*j].is_uncertain(s.start, *j == 0))
            {
                certain[i] = true;
                changed = true;
            }
        }
        if !changed {
            return certain;
        }
    }
}

/// True when a template reference `name` (`header.html`, `partials/head`, `default`) can
/// mean the file at `path`.
fn names_file(name: &str, path: &str) -> bool {
    fn stem(s: &str) -> &str {
        s.rsplit_once('.')
            .filter(|(_, ext)| !ext.contains('/'))
            .map_or(s, |(b, _)| b)
    }
    let n = stem(name.trim_start_matches("./").trim_start_matches('/'));
    let p = stem(path);
    !n.is_empty() && (p == n || p.strip_suffix(n).is_some_and(|rest| rest.ends_with('/')))
}

/// Where a heading ends: after its content for an element, the line for Markdown.
fn end_of(doc: &Document, h: &Heading) -> usize {
    match h.element {
        Some(el) => doc.elements[el].content.map_or(h.span.end, |c| c.end),
        None => h.span.end,
    }
}

/// True when template syntax between two headings may add a heading or remove one:
/// any tag (`{% if %}`, `{% include %}`, `{{ partial }}`) or an output that prints markup.
fn breaks_between(doc: &Document, between: Span) -> bool {
    doc.regions
        .within(between)
        .iter()
        .any(|r| r.kind == crate::qa::page::template::RegionKind::Tag || may_print_markup(doc, r))
}

fn is_empty_heading(doc: &Document, el: usize) -> bool {
    const NAMED: &[&str] = &[
        "img", "svg", "input", "object", "embed", "iframe", "canvas", "video", "audio", "math",
        "button", "select", "textarea", "picture",
    ];
    let Some(text) = doc.text_of(el) else {
        return false;
    };
    text.is_empty()
        && !doc.text_is_dynamic(el)
        && !has_aria_name(doc, el)
        && !has_template_attrs(doc, el)
        && !super::is_hidden_from_assistive_tech(doc, el)
        && !descendants(doc, el).any(|d| {
            NAMED.contains(&doc.elements[d].name.as_ref())
                || has_aria_name(doc, d)
                || has_template_attrs(doc, d)
        })
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn a_skipped_level_is_flagged_at_the_deeper_heading_in_every_engine() {
        let liquid = "---\nlayout: null\n---\n<h1>{{ page.title }}</h1>\n<h2>A</h2>\n<p>{{ page.x }}</p>\n<h4>B</h4>\n";
        let md = "---\nlayout: null\n---\n# Title\n\nText\n\n### Deep\n";
        let f = check_files(
            &[("_config.yml", ""), ("index.html", liquid), ("post.md", md)],
            "",
        );
        assert_eq!(
            at(&f, "A11Y-002"),
            [("index.html".into(), 7, 1), ("post.md".into(), 8, 1)]
        );

        let jinja =
            "{% extends \"base.html\" %}\n{% block body %}<h1>A</h1><h3>B</h3>{% endblock %}\n";
        let base = "<html lang=\"en\"><body>{% block body %}{% endblock %}</body></html>\n";
        let f = check_files(
            &[
                ("templates/page.html", jinja),
                ("templates/base.html", base),
            ],
            "",
        );
        assert_eq!(at(&f, "A11Y-002"), [("templates/page.html".into(), 2, 27)]);

        let hugo =
            "{{ define \"main\" }}\n<h1>{{ .Title }}</h1>\n<h2>a</h2><h5>b</h5>\n{{ end }}\n";
        let f = check_files(
            &[
                ("hugo.toml", ""),
                ("content/a.md", "x"),
                ("layouts/_default/single.html", hugo),
            ],
            "",
        );
        assert_eq!(
            at(&f, "A11Y-002"),
            [("layouts/_default/single.html".into(), 3, 11)]
        );

        let hbs = "<main>{{#each items}}<h2>{{title}}</h2><h4>{{sub}}</h4>{{/each}}</main>\n";
        let f = check_files(&[("templates/x.hbs", hbs)], "");
        assert_eq!(at(&f, "A11Y-002"), [("templates/x.hbs".into(), 1, 40)]);
    }

    #[test]
    fn template_syntax_between_headings_keeps_the_pair_unjudged() {
        let liquid = "---\nlayout: null\n---\n<h1>x</h1><h2>A</h2>{% include more.html %}<h4>B</h4>\n<h2>C</h2>{{ content }}<h4>D</h4>{% if a %}<h2>E</h2>{% else %}<h4>F</h4>{% endif %}\n";
        let md = "---\nlayout: null\n---\n# T\n\n## A\n\n{{< figure src=\"x\" >}}\n\n#### B\n\n```\n#### code\n```\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("index.html", liquid),
                ("_includes/more.html", "<h3>M</h3>"),
                ("p.md", md),
            ],
            "",
        );
        assert!(at(&f, "A11Y-002").is_empty(), "{f:#?}");
    }

    #[test]
    fn empty_headings_are_flagged_and_named_or_dynamic_ones_pass() {
        let page = "<h1>T</h1>\n<h2></h2><h2> <i class=\"icon\"></i> </h2>\n<h2>{{ x }}</h2><h2><img src=a alt=\"Logo\"></h2><h2 aria-label=\"Menu\"></h2><h2>{% if a %}{% endif %}</h2>\n";
        let f = check_files(&[("_config.yml", ""), ("index.html", page)], "");
        assert_eq!(
            at(&f, "A11Y-002"),
            [("index.html".into(), 2, 1), ("index.html".into(), 2, 10)]
        );
    }

    #[test]
    fn a_second_certain_h1_is_flagged_on_the_page_not_the_layout() {
        let layout =
            "<html lang=\"en\"><body><h1>{{ page.title }}</h1>{{ content }}</body></html>\n";
        let md = "---\nlayout: default\ntitle: Pricing\n---\n# Pricing\n\n## Plans\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", layout),
                ("pricing.md", md),
            ],
            "",
        );
        assert_eq!(at(&f, "A11Y-002"), [("pricing.md".into(), 5, 1)]);
        let hint = f
            .iter()
            .find(|f| f.rule.id == "A11Y-002")
            .and_then(|f| f.hint.clone())
            .unwrap();
        assert!(hint.contains("_layouts/default.html:1"), "{hint}");
    }

    #[test]
    fn h1s_in_branches_blocks_and_conditional_includes_are_not_counted_twice() {
        let layout = "<html lang=\"en\"><body>{% if page.title %}<h1>{{ page.title }}</h1>{% endif %}{% for p in x %}{% include hero.html %}{% endfor %}{{ content }}</body></html>\n";
        let md = "---\nlayout: default\n---\n# Pricing\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", layout),
                ("_includes/hero.html", "<h1>Hero</h1>"),
                ("pricing.md", md),
            ],
            "",
        );
        assert!(at(&f, "A11Y-002").is_empty(), "{f:#?}");

        let base = "<html lang=\"en\"><body>{% block hero %}<h1>Default</h1>{% endblock %}{% block body %}{% endblock %}</body></html>\n";
        let page = "{% extends \"base.html\" %}{% block hero %}<h1>Mine</h1>{% endblock %}\n";
        let f = check_files(
            &[("templates/base.html", base), ("templates/page.html", page)],
            "",
        );
        assert!(at(&f, "A11Y-002").is_empty(), "{f:#?}");

        let hbs = "{{#> layout}}<h1>A</h1>{{/layout}}\n";
        let layout = "<html lang=\"en\"><body>{{#if show}}<h1>B</h1>{{/if}}{{> @partial-block}}</body></html>\n";
        let f = check_files(
            &[
                ("templates/page.hbs", hbs),
                ("templates/layout.hbs", layout),
            ],
            "",
        );
        assert!(at(&f, "A11Y-002").is_empty(), "{f:#?}");
    }

    #[test]
    fn a_page_with_headings_but_no_h1_is_flagged_only_when_its_view_is_complete() {
        let layout = "<html lang=\"en\"><body><header>{{ page.title }}</header>{{ content }}</body></html>\n";
        let md = "---\nlayout: default\n---\nIntro\n\n## Plans\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", layout),
                ("pricing.md", md),
            ],
            "",
        );
        assert_eq!(at(&f, "A11Y-002"), [("pricing.md".into(), 6, 1)]);

        let unresolved = "---\nlayout: missing\n---\n## Plans\n";
        let markup = "---\nlayout: null\n---\n{{ page.hero | markdownify }}\n<h2>Plans</h2>\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("a.md", unresolved),
                ("b.html", markup),
                ("c.html", "<p>no headings</p>"),
                (
                    "d.md",
                    "---\ntitle: no layout named, one may come from defaults\n---\n## Plans\n",
                ),
            ],
            "",
        );
        assert!(at(&f, "A11Y-002").is_empty(), "{f:#?}");
    }
}
