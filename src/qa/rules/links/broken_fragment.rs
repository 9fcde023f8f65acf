//! LNK-003 broken-fragment: a link's `#fragment` names no `id` (or `<a name>`) on the page
//! it points to, that page's layouts and includes counted. Pages whose ids a template
//! builds, or whose chain could not be followed, are never judged.

use std::collections::HashMap;

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::LinkKind;
use crate::qa::rules::{Rule, SiteCx};
use crate::qa::site::{IdSet, LinkFact, Loc, PageFacts, is_element_fragment, key_hash, url_key};

static META: RuleMeta = RuleMeta {
    id: "LNK-003",
    name: "broken-fragment",
    severity: Severity::Error,
    fix: FixKind::ReportOnly,
    summary: "#fragment that names no id or <a name> on the target page",
    why: "A link to a missing anchor lands at the top of the page instead of the section the visitor was promised.",
    bad: "<a href=\"#pricing\">See pricing</a>\n<h2 id=\"plans\">Plans</h2>",
    good: "<a href=\"#plans\">See plans</a>\n<h2 id=\"plans\">Plans</h2>",
    source: "lychee --include-fragments; HTML Living Standard §7.4.6.4 (scrolling to a fragment); DOMAIN.md §3 [S75]",
};

pub struct BrokenFragment;

impl Rule for BrokenFragment {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        let by_path: HashMap<&str, &PageFacts> =
            cx.pages.iter().map(|p| (p.path.as_ref(), &**p)).collect();
        for facts in cx.pages.iter().map(|p| &**p) {
            for (link, fragment) in fragment_links(facts) {
                let target = if link.path.is_empty() {
                    Some(facts)
                } else {
                    target_page(cx, &by_path, facts, link)
                };
                let Some(target) = target else { continue };
                if ids_of(cx, target).is_some_and(|ids| !ids.contains(fragment)) {
                    out.push(finding(link, fragment, target, link.path.is_empty()));
                }
            }
        }
        check_fragment_refs(cx, &by_path, out);
        let mut templates: Vec<&PageFacts> = cx.templates.values().collect();
        templates.sort_by(|a, b| a.path.cmp(&b.path));
        for template in templates {
            for (link, fragment) in fragment_links(template) {
                if link.path.is_empty() {
                    if let Some(first) = missing_on_every_user(cx, template, fragment) {
                        out.push(finding(link, fragment, first, true));
                    }
                } else if !link.is_relative
                    && let Some(target) = target_page(cx, &by_path, template, link)
                    && ids_of(cx, target).is_some_and(|ids| !ids.contains(fragment))
                {
                    out.push(finding(link, fragment, target, false));
                }
            }
        }
    }
}

fn finding(link: &LinkFact, fragment: &str, target: &PageFacts, same_page: bool) -> Finding {
    let at = &link.fragment_loc();
    let msg = if same_page {
        format!("no element with id `{fragment}` on this page")
    } else {
        let url = target
            .urls
            .first()
            .map_or(target.path.as_ref(), String::as_str);
        format!(
            "no element with id `{fragment}` on `{url}` ({})",
            target.path
        )
    };
    Finding::located(&META, at.file.clone(), at.span, at.start, at.end, msg)
        .hint("point the link at an id that exists, or add the id to the target section")
}

/// Links whose fragment names an element: not `#`, `#top`, text fragments or script routes.
fn fragment_links(facts: &PageFacts) -> impl Iterator<Item = (&LinkFact, &str)> {
    facts
        .links
        .iter()
        .filter(|l| l.kind == LinkKind::Anchor)
        .filter_map(|l| {
            let f = l.fragment.as_deref()?;
            is_element_fragment(f).then_some((l, f))
        })
}

/// The page a link with a path points to, by URL or, for relative links, by file.
fn target_page<'a>(
    cx: &SiteCx,
    by_path: &HashMap<&str, &'a PageFacts>,
    from: &PageFacts,
    link: &LinkFact,
) -> Option<&'a PageFacts> {
    let by_url = super::url_target(from, link)
        .and_then(|u| cx.index.urls.get(&url_key(&u)))
        .and_then(|p| by_path.get(p.as_ref()).copied());
    by_url.or_else(|| {
        let file = super::file_target(from, link)?;
        by_path.get(file.trim_start_matches('/')).copied()
    })
}

/// The compact links (`FragmentRef`) of every page: targets found by hashed URL or file
/// path; the link's text and position are read back from its file only when it is broken.
fn check_fragment_refs(cx: &SiteCx, by_path: &HashMap<&str, &PageFacts>, out: &mut Vec<Finding>) {
    let by_url: HashMap<u64, &PageFacts> = cx
        .index
        .urls
        .iter()
        .filter_map(|(k, p)| Some((key_hash(k), *by_path.get(p.as_ref())?)))
        .collect();
    let by_file: HashMap<u64, &PageFacts> =
        cx.pages.iter().map(|p| (key_hash(&p.path), &**p)).collect();
    for facts in cx.pages.iter().map(|p| &**p) {
        for r in &facts.fragment_refs {
            let target = by_url
                .get(&r.by_url)
                .or_else(|| by_file.get(&r.by_file).filter(|_| r.by_file != 0));
            let Some(target) = target else { continue };
            let broken = ids_of(cx, target).is_some_and(|ids| !ids.contains_hash(r.fragment));
            if !broken {
                continue;
            }
            if let Some((link, fragment)) = read_back(cx, facts, r.offset as usize) {
                out.push(finding(&link, &fragment, target, false));
            }
        }
    }
}

/// The link at `offset` of the page's file, read again: its URL and fragment location.
fn read_back(cx: &SiteCx, facts: &PageFacts, offset: usize) -> Option<(LinkFact, String)> {
    let text = cx.tree.read_string(&facts.path)?;
    let rest = text.get(offset..)?;
    let end = offset
        + rest
            .find(['"', '\'', '<', '>', ' ', '\t', '\n', ')'])
            .unwrap_or(rest.len());
    let url = &text[offset..end];
    let hash = offset + url.find('#')?;
    let lines = crate::qa::source::LineIndex::new(&text);
    let at = Loc {
        file: facts.path.clone(),
        span: crate::qa::source::Span::new(offset, end),
        start: lines.line_col(&text, offset),
        end: lines.line_col(&text, end),
    };
    let fragment = crate::qa::url::decode_component(&text[hash + 1..end]);
    let link = LinkFact {
        fragment_start: Some((hash + 1, lines.line_col(&text, hash + 1))),
        at,
        kind: LinkKind::Anchor,
        path: crate::qa::site::intern(""),
        fragment: None,
        is_relative: false,
    };
    Some((link, fragment))
}

/// The id sets of the page and of every file in its chain, or `None` when the ids the page
/// ends up with cannot be known.
fn ids_of<'a>(cx: &'a SiteCx, page: &'a PageFacts) -> Option<PageIds<'a>> {
    if page.dynamic_ids || !page.chain_complete {
        return None;
    }
    let mut sets = vec![&page.ids];
    for file in page.chain.iter().filter(|f| **f != page.path) {
        let t = cx.templates.get(file)?;
        if t.dynamic_ids {
            return None;
        }
        sets.push(&t.ids);
    }
    Some(PageIds(sets))
}

/// The ids of a page and its layouts and includes.
struct PageIds<'a>(Vec<&'a IdSet>);

impl PageIds<'_> {
    fn contains(&self, id: &str) -> bool {
        self.0.iter().any(|s| s.contains(id))
    }

    fn contains_hash(&self, hash: u64) -> bool {
        self.0.iter().any(|s| s.contains_hash(hash))
    }
}

/// For a same-page fragment in a layout or include: the first page using it, when the
/// fragment is missing on every page that uses it and every such page can be judged.
fn missing_on_every_user<'a>(
    cx: &'a SiteCx,
    template: &PageFacts,
    fragment: &str,
) -> Option<&'a PageFacts> {
    let users: Vec<&PageFacts> = cx
        .pages
        .iter()
        .map(|p| &**p)
        .filter(|p| p.chain.contains(&template.path))
        .collect();
    for u in &users {
        if ids_of(cx, u)?.contains(fragment) {
            return None;
        }
    }
    users.first().copied()
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn liquid_fragments_count_ids_of_the_page_and_of_its_layout() {
        let layout = "<html><body><nav><a href=\"#main\">skip</a> <a href=\"#nav-missing\">x</a></nav><main id=\"main\">{{ content }}</main></body></html>\n";
        let page = "---\nlayout: default\npermalink: /pricing/\n---\n<h2 id=\"pro\">Pro</h2>\n<a href=\"#pro\">a</a> <a href=\"#main\">b</a> <a href=\"#gone\">c</a> <a href=\"#top\">t</a> <a href=\"#\">e</a>\n";
        let other = "---\nlayout: default\n---\n[a](/pricing/#pro) [b](/pricing/#basic) [c](/pricing/#{{ plan }})\n";
        let files = [
            ("_config.yml", "title: x\n"),
            ("_layouts/default.html", layout),
            ("pricing.html", page),
            ("about.md", other),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "LNK-003"),
            [
                ("_layouts/default.html".into(), 1, 53),
                ("about.md".into(), 4, 34),
                ("pricing.html".into(), 6, 54),
            ],
            "{f:#?}"
        );
    }

    #[test]
    fn markdown_heading_slugs_are_fragment_targets_in_hugo() {
        let files = [
            ("hugo.toml", "baseURL = 'https://www.example.com/'\n"),
            (
                "layouts/_default/single.html",
                "<html><body>{{ .Content }}</body></html>",
            ),
            (
                "content/guide.md",
                "---\ntitle: g\n---\n## Getting started\n\n[ok](#getting-started) [bad](#installing)\n",
            ),
            (
                "content/faq.md",
                "---\ntitle: f\n---\n[ok](../guide/#getting-started) [file](guide.md#getting-started) [bad](/guide/#nope)\n",
            ),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "LNK-003"),
            [
                ("content/faq.md".into(), 4, 80),
                ("content/guide.md".into(), 6, 31)
            ],
            "{f:#?}"
        );
    }

    #[test]
    fn pages_with_template_built_ids_or_unresolved_layouts_are_not_judged() {
        let jinja = [
            (
                "templates/base.html",
                "<html><body>{% block content %}{% endblock %}</body></html>",
            ),
            (
                "templates/page.html",
                "{% extends \"base.html\" %}{% block content %}<h2 id=\"{{ slug }}\">x</h2><a href=\"#anything\">a</a>{% endblock %}",
            ),
        ];
        assert!(at(&check_files(&jinja, ""), "LNK-003").is_empty());
        let handlebars = [(
            "index.hbs",
            "{{#> missing-layout}}<a href=\"#x\">x</a>{{/missing-layout}}",
        )];
        assert!(at(&check_files(&handlebars, ""), "LNK-003").is_empty());
        let liquid = [
            ("_config.yml", "t: 1\n"),
            (
                "index.html",
                "---\nlayout: theme-layout\n---\n<a href=\"#x\">x</a>",
            ),
        ];
        assert!(at(&check_files(&liquid, ""), "LNK-003").is_empty());
    }
}

#[cfg(test)]
mod compact_tests {
    use crate::qa::testing::{at, check_files};

    /// Links to another page's element whose file exists are kept as hashes and read back
    /// from the file only when broken; the finding still lands on the fragment.
    #[test]
    fn a_broken_fragment_to_an_existing_file_is_reported_at_the_fragment() {
        let a = "<p>x</p>\n<a href=\"/b.html#yes\">ok</a> <a href=\"b.html#nope\">bad</a>\n";
        let b = "<h2 id=\"yes\">Yes</h2>\n";
        let f = check_files(&[("a.html", a), ("b.html", b)], "");
        assert_eq!(at(&f, "LNK-003"), [("a.html".into(), 2, 46)], "{f:#?}");
        let msg = &f.iter().find(|x| x.rule.id == "LNK-003").unwrap().message;
        assert!(msg.contains("`nope`") && msg.contains("b.html"), "{msg}");
    }
}
