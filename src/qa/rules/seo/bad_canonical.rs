//! SEO-003 bad-canonical: `<link rel="canonical">` missing, repeated, relative, carrying
//! campaign or session parameters, or disagreeing with `og:url`. Whether a canonical points
//! at the page itself is not judged: pointing elsewhere is how duplicates are consolidated.

use super::{Rooting, absent_at, always_rendered, rooting, site_origin};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::Document;
use crate::qa::rules::{PageCx, Rule};
use crate::qa::source::Span;
use crate::qa::url::{UrlRef, is_utm_like};

static META: RuleMeta = RuleMeta {
    id: "SEO-003",
    name: "bad-canonical",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "rel=canonical missing, repeated, relative, with UTM or session parameters, or unlike og:url",
    why: "The canonical URL tells search engines which address to index; a relative, tagged or doubled canonical splits ranking signals or is ignored.",
    bad: r#"<html><head><link rel="canonical" href="https://www.example.com/pricing?utm_source=newsletter"></head><body></body></html>"#,
    good: r#"<html><head><link rel="canonical" href="https://www.example.com/pricing"></head><body></body></html>"#,
    source: "Google Search Central, \"How to specify a canonical URL\"; RFC 6596; DOMAIN.md §3",
};

/// Query keys that identify a visit, a session or an ad click, never a page.
const SESSION_KEYS: &[&str] = &[
    "sid",
    "sessionid",
    "session_id",
    "session",
    "jsessionid",
    "phpsessid",
    "aspsessionid",
    "cfid",
    "cftoken",
    "gclid",
    "gbraid",
    "wbraid",
    "dclid",
    "fbclid",
    "msclkid",
    "yclid",
    "twclid",
    "ttclid",
    "li_fat_id",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
];

pub struct BadCanonical;

impl Rule for BadCanonical {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        let tags = view.link_tags("canonical");
        if tags.is_empty() {
            if let Some((d, span)) = absent_at(view) {
                // Google picks a canonical itself when none is given: advice, not an error.
                let f = Finding::at(&META, d, span, "the page has no canonical URL")
                    .advisory(Severity::Warning);
                out.push(
                    f.hint("add <link rel=\"canonical\" href=\"…\"> with the page's absolute URL"),
                );
            }
            return;
        }
        let always: Vec<_> = tags
            .iter()
            .filter(|(d, i)| always_rendered(view, d, d.elements[*i].tag.start))
            .collect();
        for (d, i) in always.iter().skip(1) {
            let f = Finding::at(
                &META,
                d,
                d.elements[*i].tag,
                "a second rel=canonical on the page: search engines ignore all of them",
            );
            out.push(f.hint("keep one canonical link per page"));
        }
        for (d, i) in &tags {
            let Some(href) = d.attr(*i, "href").and_then(|a| a.value) else {
                continue;
            };
            check_url(d, href, cx, out);
        }
        if let [(cd, ci)] = always.as_slice() {
            check_og_url(cx, cd, *ci, out);
        }
    }
}

/// Rooting and parameters of one canonical URL.
fn check_url(d: &Document, href: Span, cx: &PageCx, out: &mut Vec<Finding>) {
    match rooting(d, href) {
        Rooting::Relative => {
            out.push(
                Finding::at(&META, d, href, "the canonical URL is relative")
                    .hint("write the page's absolute URL, https://…"),
            );
        }
        Rooting::ProtocolRelative => {
            out.push(
                Finding::at(&META, d, href, "the canonical URL has no scheme")
                    .hint("start it with https:"),
            );
        }
        Rooting::RootRelative => {
            let f = Finding::at(
                &META,
                d,
                href,
                "the canonical URL is relative; search engines expect an absolute URL",
            );
            out.push(match site_origin(cx.settings) {
                Some(origin) => f
                    .hint(format!("prefix it with {origin}"))
                    .fix(Span::new(href.start, href.start), origin),
                None => f.hint(
                    "write the page's absolute URL (set site_url in sitewide.toml to get a fix)",
                ),
            });
        }
        Rooting::Absolute | Rooting::Unknown => {}
    }
    let url = UrlRef::parse(d, href);
    let bad: Vec<_> = url
        .params
        .iter()
        .filter(|p| !p.key_dynamic && is_tracking_key(&p.key_text))
        .collect();
    let fix = url
        .query
        .filter(|q| !bad.is_empty() && !d.is_dynamic(Span::new(q.start - 1, q.end)))
        .map(|q| {
            let kept: Vec<&str> = url
                .params
                .iter()
                .filter(|p| !is_tracking_key(&p.key_text))
                .map(|p| d.slice(p.span))
                .collect();
            let sep = if d.slice(q).contains("&amp;") {
                "&amp;"
            } else {
                "&"
            };
            let query = if kept.is_empty() {
                String::new()
            } else {
                format!("?{}", kept.join(sep))
            };
            (Span::new(q.start - 1, q.end), query)
        });
    for (n, p) in bad.iter().enumerate() {
        let msg = format!(
            "the canonical URL carries `{}`, a campaign or session parameter",
            p.key_text
        );
        let f = Finding::at(&META, d, p.key, msg)
            .hint("a canonical names the page itself: drop tracking and session parameters");
        out.push(match (&fix, n) {
            (Some((span, q)), 0) => f.fix(*span, q.clone()),
            _ => f,
        });
    }
}

fn is_tracking_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    is_utm_like(&k) || SESSION_KEYS.contains(&k.as_str())
}

/// `og:url` names the canonical URL too (Open Graph protocol): two literal values must agree.
fn check_og_url(cx: &PageCx, cd: &Document, ci: usize, out: &mut Vec<Finding>) {
    let view = cx.view;
    let Some(href) = cd
        .attr(ci, "href")
        .and_then(|a| a.value)
        .filter(|v| !cd.is_dynamic(*v))
    else {
        return;
    };
    let og: Vec<_> = view
        .metas("og:url")
        .into_iter()
        .filter(|(d, i)| always_rendered(view, d, d.elements[*i].tag.start))
        .collect();
    let [(od, oi)] = og.as_slice() else { return };
    let Some(content) = od
        .attr(*oi, "content")
        .and_then(|a| a.value)
        .filter(|v| !od.is_dynamic(*v))
    else {
        return;
    };
    // Judged against the canonical as it will read once its own tracking parameters are
    // gone (that defect is reported above), so the two fixes agree.
    let canonical = without_tracking(cd.slice(href).trim());
    let og_url = od.slice(content).trim();
    if same_page(&canonical, og_url)
        || rooting(cd, href) != Rooting::Absolute
        || rooting(od, content) != Rooting::Absolute
    {
        return;
    }
    let f = Finding::at(
        &META,
        od,
        content,
        format!("og:url {og_url} differs from the canonical URL {canonical}"),
    );
    let f = f.hint("og:url must be the page's canonical URL");
    // Rewrite og:url only when both sit in one file: another page may share the other one.
    out.push(if std::ptr::eq(*od, cd) {
        f.fix(content, canonical.as_str())
    } else {
        f
    });
}

/// A URL with its tracking and session parameters removed.
fn without_tracking(url: &str) -> String {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let Some((base, query)) = before_fragment.split_once('?') else {
        return url.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !is_tracking_key(p.split('=').next().unwrap_or("")))
        .collect();
    let mut out = base.to_string();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Same scheme-less host, same path up to a trailing slash or `index.html`, same query.
fn same_page(a: &str, b: &str) -> bool {
    let norm = |u: &str| {
        let rest = u.split_once("://").map_or(u, |(_, r)| r);
        let (hostpath, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (host, path) = hostpath.split_once('/').unwrap_or((hostpath, ""));
        (
            host.to_ascii_lowercase(),
            crate::qa::site::url_key(path),
            query.to_string(),
        )
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files, fixed};

    const SITE: &str = "site_url = \"https://www.example.com/\"\n";

    #[test]
    fn jekyll_relative_and_tagged_canonicals_are_fixed() {
        let layout = "<html>\n<head>\n<link rel=\"canonical\" href=\"/pricing/?utm_source=x&amp;plan=pro&amp;gclid=1\">\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", layout),
                ("a.md", "---\nlayout: default\n---\nA\n"),
            ],
            SITE,
        );
        assert_eq!(
            at(&f, "SEO-003"),
            [
                ("_layouts/default.html".into(), 3, 29),
                ("_layouts/default.html".into(), 3, 39),
                ("_layouts/default.html".into(), 3, 69)
            ],
            "{f:#?}"
        );
        let out = fixed(layout, &f, "SEO-003");
        assert!(
            out.contains("href=\"https://www.example.com/pricing/?plan=pro\""),
            "{out}"
        );
        let again = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", &out),
                ("a.md", "---\nlayout: default\n---\nA\n"),
            ],
            SITE,
        );
        assert!(at(&again, "SEO-003").is_empty(), "{again:#?}");
    }

    #[test]
    fn template_canonicals_and_conditional_pairs_pass() {
        let layout = "<html>\n<head>\n{% if page.canonical %}<link rel=\"canonical\" href=\"{{ page.canonical }}\">{% else %}<link rel=\"canonical\" href=\"{{ page.url | absolute_url }}\">{% endif %}\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", layout),
                ("a.md", "---\nlayout: default\n---\nA\n"),
            ],
            SITE,
        );
        assert!(at(&f, "SEO-003").is_empty(), "{f:#?}");
    }

    #[test]
    fn hugo_two_canonicals_and_a_missing_one() {
        let baseof = "<html>\n<head>\n<link rel=\"canonical\" href=\"{{ .Permalink }}\">\n{{ partial \"head.html\" . }}\n</head>\n<body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n";
        let head = "<link rel=\"canonical\" href=\"{{ .Permalink }}\">\n";
        let files = [
            ("hugo.toml", ""),
            ("content/x.md", "---\ntitle: X\n---\nBody\n"),
            (
                "layouts/_default/single.html",
                "{{ define \"main\" }}{{ .Content }}{{ end }}",
            ),
            ("layouts/_default/baseof.html", baseof),
            ("layouts/partials/head.html", head),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "SEO-003"),
            [("layouts/partials/head.html".into(), 1, 1)],
            "{f:#?}"
        );
        let f = check_files(
            &[
                files[0],
                files[1],
                files[2],
                files[3],
                ("layouts/partials/head.html", "<meta charset=\"utf-8\">\n"),
            ],
            "",
        );
        assert!(at(&f, "SEO-003").is_empty(), "{f:#?}");
        let bare =
            "<html>\n<head>\n</head>\n<body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n";
        let f = check_files(
            &[
                files[0],
                files[1],
                files[2],
                ("layouts/_default/baseof.html", bare),
            ],
            "",
        );
        assert_eq!(
            at(&f, "SEO-003"),
            [("layouts/_default/baseof.html".into(), 2, 1)],
            "{f:#?}"
        );
    }

    #[test]
    fn jinja_og_url_that_disagrees_is_rewritten_to_the_canonical() {
        let base =
            "<html>\n<head>\n{% block head %}{% endblock %}\n</head>\n<body></body>\n</html>\n";
        let page = "{% extends \"base.html\" %}\n{% block head %}\n<link rel=\"canonical\" href=\"https://www.example.com/pricing/\">\n<meta property=\"og:url\" content=\"https://www.example.com/plans\">\n{% endblock %}\n";
        let f = check_files(
            &[("templates/base.html", base), ("templates/page.html", page)],
            SITE,
        );
        assert_eq!(
            at(&f, "SEO-003"),
            [("templates/page.html".into(), 4, 34)],
            "{f:#?}"
        );
        let out = fixed(page, &f, "SEO-003");
        let again = check_files(
            &[("templates/base.html", base), ("templates/page.html", &out)],
            SITE,
        );
        assert!(at(&again, "SEO-003").is_empty(), "{again:#?}");
        let same = page.replace("/plans", "/pricing");
        let f = check_files(
            &[
                ("templates/base.html", base),
                ("templates/page.html", &same),
            ],
            SITE,
        );
        assert!(at(&f, "SEO-003").is_empty(), "{f:#?}");
    }

    #[test]
    fn handlebars_relative_canonical_without_site_url_has_no_fix() {
        let layout = "<html>\n<head>\n<link rel=\"canonical\" href=\"pricing.html\"><link rel=\"canonical\" href=\"/{{slug}}\">\n</head>\n<body>{{> @partial-block}}</body>\n</html>\n";
        let page = "{{#> components/layout}}<h1>Home</h1>{{/components/layout}}\n";
        let f = check_files(
            &[
                ("templates/components/layout.hbs", layout),
                ("templates/index.hbs", page),
            ],
            "",
        );
        assert_eq!(
            at(&f, "SEO-003"),
            [
                ("templates/components/layout.hbs".into(), 3, 29),
                ("templates/components/layout.hbs".into(), 3, 43),
                ("templates/components/layout.hbs".into(), 3, 71)
            ],
            "{f:#?}"
        );
        assert!(
            f.iter()
                .filter(|x| x.rule.id == "SEO-003")
                .all(|x| x.fix.is_none())
        );
    }
}
