//! SEC-001 mixed-content: a subresource (script, stylesheet, frame, image, media, form
//! target) loaded over `http://` on an HTTPS site. Navigation links, canonical and feed
//! links, XML namespaces and local development hosts are not subresources and are left alone.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::{Document, Link, LinkKind};
use crate::qa::rules::{FileCx, Rule};
use crate::qa::source::Span;
use crate::qa::url::UrlRef;

static META: RuleMeta = RuleMeta {
    id: "SEC-001",
    name: "mixed-content",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "Script, stylesheet, frame, image, media or form target loaded over http://",
    why: "On an HTTPS page browsers block insecure scripts, stylesheets and frames outright and upgrade or flag insecure images, so the page breaks or loses its padlock.",
    bad: r#"<script src="http://cdn.example.net/widget.js"></script>"#,
    good: r#"<script src="https://cdn.example.net/widget.js"></script>"#,
    source: "W3C Mixed Content; MDN Mixed content; DOMAIN.md §3 [S76][S77]",
};

/// `<link rel>` values that make the browser fetch the URL as part of the page.
const FETCHED_RELS: &[&str] = &[
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "apple-touch-icon-precomposed",
    "mask-icon",
    "manifest",
    "preload",
    "modulepreload",
];

pub struct MixedContent;

impl Rule for MixedContent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let site_is_http = cx
            .settings
            .config
            .site_url
            .as_deref()
            .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("http://"));
        if site_is_http {
            return;
        }
        let doc = cx.doc;
        for link in &doc.links {
            let Some(what) = subresource(doc, link) else {
                continue;
            };
            let url = UrlRef::parse(doc, link.url);
            if url.scheme.as_deref() != Some("http")
                || url.origin_dynamic
                || is_local(url.host.as_deref())
            {
                continue;
            }
            let scheme = Span::new(url.span.start, url.span.start + "http:".len());
            let consequence = if what.blocked {
                "browsers block it on HTTPS pages"
            } else {
                "browsers upgrade or flag it on HTTPS pages"
            };
            let msg = format!("{} loaded over http://: {consequence}", what.name);
            out.push(
                Finding::at(&META, doc, url.span, msg)
                    .hint("load it over https:// (check the host serves it there)")
                    .fix(scheme, "https:"),
            );
        }
    }
}

struct Subresource {
    name: &'static str,
    /// Active content, which browsers refuse to load.
    blocked: bool,
}

fn subresource(doc: &Document, link: &Link) -> Option<Subresource> {
    let (name, blocked) = match link.kind {
        LinkKind::Script => ("script", true),
        LinkKind::Frame => ("frame", true),
        LinkKind::Image => ("image", false),
        LinkKind::Form => ("form target", false),
        LinkKind::Media => match link.element.map(|e| doc.elements[e].name.as_ref()) {
            Some("object" | "embed") => ("embedded object", true),
            _ => ("media", false),
        },
        LinkKind::LinkTag => {
            let el = link.element?;
            let rel = doc.attr(el, "rel")?.value?;
            if doc.is_dynamic(rel) {
                return None;
            }
            let rel = doc.slice(rel).to_ascii_lowercase();
            let fetched = rel
                .split_ascii_whitespace()
                .find(|r| FETCHED_RELS.contains(r))?;
            match fetched {
                "stylesheet" => ("stylesheet", true),
                "preload" | "modulepreload" => ("preloaded resource", true),
                _ => ("icon or manifest", false),
            }
        }
        LinkKind::Anchor | LinkKind::Meta => return None,
    };
    Some(Subresource { name, blocked })
}

/// Development hosts that are never served to visitors.
fn is_local(host: Option<&str>) -> bool {
    let Some(h) = host else { return true };
    matches!(h, "localhost" | "127.0.0.1" | "0.0.0.0" | "")
        || h.starts_with('[')
        || h.ends_with(".localhost")
        || h.ends_with(".test")
        || h.ends_with(".local")
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files, fixed};

    #[test]
    fn http_subresources_are_errors_with_an_https_fix_that_is_idempotent() {
        let page = "<link rel=\"stylesheet\" href=\"http://cdn.example.net/a.css\">\n<img src=\"HTTP://img.example.net/a.png\" srcset=\"http://img.example.net/b.png 2x\">\n<iframe src=\"http://v.example.net/e\"></iframe><form action=\"http://f.example.net/s\"></form>\n";
        let f = check_files(&[("index.html", page)], "");
        assert_eq!(
            at(&f, "SEC-001"),
            [
                ("index.html".into(), 1, 30),
                ("index.html".into(), 2, 11),
                ("index.html".into(), 2, 49),
                ("index.html".into(), 3, 14),
                ("index.html".into(), 3, 61),
            ],
            "{f:#?}"
        );
        let out = fixed(page, &f, "SEC-001");
        assert!(
            out.contains("href=\"https://cdn.example.net/a.css\"")
                && out.contains("src=\"https://img.example.net/a.png\""),
            "{out}"
        );
        assert!(at(&check_files(&[("index.html", &out)], ""), "SEC-001").is_empty());
    }

    #[test]
    fn navigation_links_namespaces_feeds_and_local_hosts_are_not_mixed_content() {
        let page = "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg><a href=\"http://old.example.net/\">a</a>\n<link rel=\"canonical\" href=\"http://www.example.com/\"><link rel=\"profile\" href=\"http://gmpg.org/xfn/11\">\n<script src=\"http://localhost:4000/livereload.js\"></script><img src=\"http://127.0.0.1/x.png\">\n";
        assert!(at(&check_files(&[("index.html", page)], ""), "SEC-001").is_empty());
    }

    #[test]
    fn template_built_origins_are_not_judged_in_any_engine() {
        let liquid = "---\ntitle: x\n---\n<script src=\"{{ site.cdn }}/a.js\"></script><img src=\"//{{ host }}/a.png\">";
        let jinja = "{% block b %}<script src=\"{{ cdn }}/a.js\"></script>{% endblock %}";
        let hugo = "<img src=\"{{ .Params.image }}\">";
        let handlebars = "<img src=\"{{image}}\">";
        for (name, text) in [
            ("a.html", liquid),
            ("b.html", jinja),
            ("c.html", hugo),
            ("d.html", handlebars),
        ] {
            assert!(
                at(&check_files(&[(name, text)], ""), "SEC-001").is_empty(),
                "{name}"
            );
        }
    }

    #[test]
    fn a_literal_http_scheme_is_judged_even_when_the_host_is_template_output() {
        let page = "<img src=\"http://{{ site.host }}/a.png\">";
        let f = check_files(&[("index.html", page)], "");
        assert_eq!(at(&f, "SEC-001"), [("index.html".into(), 1, 11)], "{f:#?}");
        assert_eq!(
            fixed(page, &f, "SEC-001"),
            "<img src=\"https://{{ site.host }}/a.png\">"
        );
    }

    #[test]
    fn markdown_images_over_http_are_reported_and_http_sites_are_not_judged() {
        let md = "---\ntitle: x\n---\n![chart](http://img.example.net/c.png)\n";
        let f = check_files(&[("post.md", md)], "");
        assert_eq!(at(&f, "SEC-001"), [("post.md".into(), 4, 10)], "{f:#?}");
        let f = check_files(
            &[("post.md", md)],
            "site_url = \"http://intranet.example\"\n",
        );
        assert!(at(&f, "SEC-001").is_empty());
    }
}
