//! LNK-001 broken-internal-link: an internal link, image or asset that names no page and no
//! file of the repository. Reports only what the tree proves missing: generated files,
//! redirected paths, and pages whose URL a template decides are left alone.

use std::collections::HashSet;

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::LinkKind;
use crate::qa::rules::{Rule, SiteCx};
use crate::qa::site::{Generator, LinkFact, PageFacts, Resolution};

static META: RuleMeta = RuleMeta {
    id: "LNK-001",
    name: "broken-internal-link",
    severity: Severity::Error,
    fix: FixKind::ReportOnly,
    summary: "Internal link, image or asset that names no page or file of the site",
    why: "A broken link or missing image is a 404 for the visitor and wastes the click the campaign paid for.",
    bad: r#"<a href="/pricing.html">Pricing</a>"#,
    good: r#"<a href="/index.html">Home</a>"#,
    source: "lychee link checker; DOMAIN.md §3 [S75]",
};

/// Files generators and build plugins write that never exist in the source tree.
const GENERATED: &[&str] = &[
    "sitemap.xml",
    "sitemap_index.xml",
    "feed.xml",
    "atom.xml",
    "rss.xml",
    "index.xml",
    "feed.json",
    "robots.txt",
    "search.json",
    "search-index.json",
];
/// Server files whose rules may answer a page URL the tree does not hold.
const REDIRECT_FILES: &[&str] = &["_redirects", ".htaccess", "netlify.toml", "vercel.json"];
const GENERATED_DIRS: &[&str] = &["pagefind", "_pagefind", "_app"];
/// Stylesheets and scripts compiled from another source language.
const COMPILED: &[(&str, &[&str])] = &[
    (".css", &[".scss", ".sass", ".less", ".styl"]),
    (".js", &[".ts", ".coffee", ".jsx", ".tsx", ".mjs"]),
];

pub struct BrokenInternalLink;

impl Rule for BrokenInternalLink {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        let known = Known::new(cx);
        for facts in cx.pages {
            for link in &facts.links {
                if let Some(target) = missing_target(cx, &known, facts, link) {
                    out.push(finding(link, &target));
                }
            }
        }
        let mut templates: Vec<&PageFacts> = cx.templates.values().collect();
        templates.sort_by(|a, b| a.path.cmp(&b.path));
        for facts in templates {
            // A relative link in a layout resolves differently on every page that uses it.
            for link in facts.links.iter().filter(|l| !l.is_relative) {
                if let Some(target) = missing_target(cx, &known, facts, link) {
                    out.push(finding(link, &target));
                }
            }
        }
    }
}

fn finding(link: &LinkFact, target: &str) -> Finding {
    let what = match link.kind {
        LinkKind::Image => "missing image",
        LinkKind::Anchor => "broken link",
        _ => "missing file",
    };
    let at = &link.at;
    let msg = format!("{what}: `{target}` is not a page or file of this site");
    Finding::located(&META, at.file.clone(), at.span, at.start, at.end, msg)
        .hint("fix the path, add the file, or list the prefix under [links] ignore if another service serves it")
}

/// The site path a link names when the tree proves nothing is there.
fn missing_target(
    cx: &SiteCx,
    known: &Known,
    facts: &PageFacts,
    link: &LinkFact,
) -> Option<String> {
    if link.path.is_empty() || matches!(link.kind, LinkKind::Form | LinkKind::Meta) {
        return None;
    }
    let target = super::url_target(facts, link)?;
    if is_ignored(cx, &link.path) || is_ignored(cx, &target) || exists(cx, &target) {
        return None;
    }
    if super::file_target(facts, link).is_some_and(|f| exists(cx, &f)) {
        return None;
    }
    known.is_provably_missing(cx, &target).then_some(target)
}

fn is_ignored(cx: &SiteCx, path: &str) -> bool {
    cx.settings
        .config
        .links
        .ignore
        .iter()
        .any(|p| !p.is_empty() && path.starts_with(p.as_str()))
}

/// Found, or undecidable from the tree.
fn exists(cx: &SiteCx, path: &str) -> bool {
    if cx.index.resolve(path) != Resolution::Missing {
        return true;
    }
    let p = path.trim_matches('/');
    let bases = bases(cx);
    // Hugo renders a list page for every content folder, `_index.md` or not.
    if cx.index.generator == Some(Generator::Hugo)
        && let Some(c) = cx.index.content_dir.as_deref()
        && cx.index.dirs.contains(&format!("{c}/{p}"))
    {
        return true;
    }
    COMPILED.iter().any(|(ext, sources)| {
        p.strip_suffix(ext).is_some_and(|stem| {
            let stem = stem.strip_suffix(".min").unwrap_or(stem);
            sources.iter().any(|s| {
                bases
                    .iter()
                    .any(|b| cx.index.paths.contains(&under(b, &format!("{stem}{s}"))))
            })
        })
    })
}

/// Folders whose files are served from the site root.
fn bases<'a>(cx: &'a SiteCx) -> Vec<&'a str> {
    let mut out = vec![""];
    out.extend(cx.index.static_dirs.iter().map(String::as_str));
    out.extend(cx.index.content_dir.as_deref());
    out
}

fn under(base: &str, p: &str) -> String {
    if base.is_empty() {
        p.to_string()
    } else {
        format!("{base}/{p}")
    }
}

/// What the site is known to hold beyond exact paths: page names and redirects.
struct Known {
    /// File stems and URL slugs of pages whose URL the generator may compute differently.
    slugs: HashSet<String>,
    /// Paths a server redirect file (`_redirects`, `netlify.toml`, `vercel.json`,
    /// `.htaccess`) answers.
    redirects: Redirects,
}

/// Redirect sources read from the host's config files.
#[derive(Default)]
struct Redirects {
    exact: HashSet<String>,
    prefixes: Vec<String>,
    /// A rule Sitewide cannot read (`RewriteRule`, `RedirectMatch`, placeholders) may
    /// answer any page URL.
    opaque: bool,
}

impl Redirects {
    fn read(&mut self, file: &str, text: &str) {
        match file {
            "_redirects" => {
                for line in text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                {
                    if let Some(from) = line.split_whitespace().next() {
                        self.add(from);
                    }
                }
            }
            ".htaccess" => {
                for line in text.lines().map(str::trim) {
                    let mut words = line.split_whitespace();
                    match words.next().map(str::to_ascii_lowercase).as_deref() {
                        Some("redirect" | "redirectpermanent" | "redirecttemp") => {
                            if let Some(from) = words.find(|w| w.starts_with('/')) {
                                self.add(from);
                            }
                        }
                        Some("rewriterule" | "redirectmatch" | "errordocument") => {
                            self.opaque = true
                        }
                        _ => {}
                    }
                }
            }
            // netlify.toml `from = "/old"`, vercel.json `"source": "/old"`.
            _ => {
                let Ok(re) = regex::Regex::new(r#"(?:\bfrom\s*=|"source"\s*:)\s*"([^"]+)""#) else {
                    return;
                };
                for c in re.captures_iter(text) {
                    self.add(&c[1]);
                }
            }
        }
    }

    fn add(&mut self, from: &str) {
        let from = from.split(['?', '#']).next().unwrap_or(from);
        if let Some(prefix) = from.strip_suffix('*') {
            self.prefixes.push(prefix.to_string());
        } else if from.contains(':') {
            // `/blog/:slug` placeholders.
            self.prefixes
                .push(from.split(':').next().unwrap_or("").to_string());
        } else {
            self.exact.insert(crate::qa::site::url_key(from));
        }
    }

    fn answers(&self, path: &str) -> bool {
        self.opaque
            || self.exact.contains(&crate::qa::site::url_key(path))
            || self
                .prefixes
                .iter()
                .any(|p| !p.is_empty() && path.starts_with(p.as_str()))
    }
}

impl Known {
    fn new(cx: &SiteCx) -> Known {
        let mut slugs = HashSet::new();
        // Pages whose URL a template or an unreadable config decides: a link that ends in
        // their name may well be right.
        for facts in cx.pages.iter().filter(|f| f.urls.is_empty()) {
            slugs.insert(slug_of_path(&facts.path));
        }
        slugs.remove("");
        let mut redirects = Redirects::default();
        for b in bases(cx) {
            for f in REDIRECT_FILES {
                let p = under(b, f);
                // Read from the tree: `.htaccess` is a hidden file the walk skips.
                if let Some(text) = cx.tree.read_string(&p) {
                    redirects.read(f, &text);
                }
            }
        }
        Known { slugs, redirects }
    }

    /// False when a generator, a plugin or another service may serve `path`.
    fn is_provably_missing(&self, cx: &SiteCx, path: &str) -> bool {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let Some((last, dirs)) = segs.split_last() else {
            return false;
        };
        if GENERATED.contains(last) || segs.first().is_some_and(|f| GENERATED_DIRS.contains(f)) {
            return false;
        }
        if segs.iter().any(|s| is_pagination(s)) {
            return false;
        }
        let generator = cx.index.generator.unwrap_or(Generator::Plain);
        let first = segs[0].to_lowercase();
        match generator {
            Generator::Hugo if matches!(first.as_str(), "tags" | "categories") => return false,
            Generator::Jekyll if cx.index.dirs.contains(&format!("_{first}")) => return false,
            _ => {}
        }
        if self.slugs.contains(&last_segment(path)) {
            return false;
        }
        if self.redirects.answers(path) {
            return false;
        }
        let is_page = !last.contains('.') || last.ends_with(".html") || last.ends_with(".htm");
        if is_page {
            return true;
        }
        // An asset whose folder is absent is build output (`dist/`), not a typo.
        let folder = dirs.join("/");
        folder.is_empty()
            || bases(cx)
                .iter()
                .any(|b| cx.index.dirs.contains(&under(b, &folder)))
    }
}

fn is_pagination(seg: &str) -> bool {
    seg == "page"
        || seg
            .strip_prefix("page")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The name a page is known by: its file stem without a Jekyll date, or its folder for an index.
fn slug_of_path(path: &str) -> String {
    let mut segs = path.rsplit('/');
    let file = segs.next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    let stem = if matches!(stem, "index" | "_index" | "contents") {
        segs.next().unwrap_or("")
    } else {
        stem
    };
    let undated = stem.get(11..).filter(|_| {
        stem.len() > 11
            && stem.as_bytes()[..10].iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
    });
    undated.unwrap_or(stem).to_lowercase()
}

fn last_segment(url: &str) -> String {
    let last = url.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let last = last
        .strip_suffix(".html")
        .or_else(|| last.strip_suffix(".htm"))
        .unwrap_or(last);
    last.to_lowercase()
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    const JEKYLL_LAYOUT: &str = "<html><head><title>x</title></head><body>\n<img src=\"/img/logo.png\">\n{{ content }}\n</body></html>\n";

    #[test]
    fn liquid_pages_report_missing_pages_and_images_but_not_existing_ones() {
        let page = "---\nlayout: default\npermalink: /pricing/\n---\n<a href=\"/about/\">About</a>\n<a href=\"/pricng/\">Typo</a>\n<img src=\"/img/hero.png\">\n";
        let about = "---\nlayout: default\n---\n<a href=\"pricing/\">x</a> <a href=\"prices/\">z</a> <a href=\"{{ site.baseurl }}/nope/\">y</a>\n";
        let files = [
            ("_config.yml", "title: x\n"),
            ("_layouts/default.html", JEKYLL_LAYOUT),
            ("pricing.html", page),
            ("about.md", about),
            ("img/logo.png", "png"),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "LNK-001"),
            [
                ("about.md".into(), 4, 35),
                ("pricing.html".into(), 6, 10),
                ("pricing.html".into(), 7, 11)
            ],
            "{f:#?}"
        );
    }

    #[test]
    fn markdown_relative_links_resolve_by_url_or_by_file() {
        let post =
            "---\ntitle: x\n---\n[a](../other.md) [b](../other/) [c](../gone/) ![d](shot.png)\n";
        let files = [
            ("hugo.toml", "baseURL = 'https://www.example.com/'\n"),
            (
                "layouts/_default/single.html",
                "{{ define \"main\" }}{{ .Content }}{{ end }}",
            ),
            (
                "layouts/_default/baseof.html",
                "<html><body>{{ block \"main\" . }}{{ end }}</body></html>",
            ),
            ("content/blog/post/index.md", post),
            ("content/blog/post/shot.png", "png"),
            ("content/blog/other.md", "---\ntitle: o\n---\nhi\n"),
        ];
        let f = check_files(&files, "");
        // `../gone/` from /blog/post/ is /blog/gone/; the blog section exists, the page does not.
        assert_eq!(
            at(&f, "LNK-001"),
            [("content/blog/post/index.md".into(), 4, 37)],
            "{f:#?}"
        );
    }

    #[test]
    fn templates_check_root_relative_links_once_and_skip_relative_ones() {
        let files = [
            ("hugo.toml", "baseURL = 'https://www.example.com/'\n"),
            (
                "layouts/_default/single.html",
                "<html><body><a href=\"/missing/\">m</a><a href=\"sibling/\">s</a>{{ .Content }}<script src=\"{{ .Site.BaseURL }}x.js\"></script></body></html>",
            ),
            ("content/a.md", "---\ntitle: a\n---\nA\n"),
            ("content/b.md", "---\ntitle: b\n---\nB\n"),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "LNK-001"),
            [("layouts/_default/single.html".into(), 1, 22)],
            "{f:#?}"
        );
    }

    #[test]
    fn eleventy_and_handlebars_and_jinja_links_are_judged_only_where_urls_follow_from_the_tree() {
        let eleventy = [
            (
                "package.json",
                r#"{"devDependencies":{"@11ty/eleventy":"2"}}"#,
            ),
            (
                "index.njk",
                "<a href=\"/team/\">t</a> <a href=\"/tem/\">x</a> <a href=\"/team/{{ slug }}/\">y</a>",
            ),
            ("team.md", "---\ntitle: t\n---\n# Team\n"),
        ];
        let f = check_files(&eleventy, "");
        assert_eq!(at(&f, "LNK-001"), [("index.njk".into(), 1, 33)], "{f:#?}");
        let handlebars = [
            (
                "templates/layout.hbs",
                "<html><body>{{{body}}}</body></html>",
            ),
            (
                "templates/home.hbs",
                "{{#> layout}}<a href=\"/nowhere/\">x</a>{{/layout}}",
            ),
        ];
        assert!(at(&check_files(&handlebars, ""), "LNK-001").is_empty());
        let jinja = [(
            "templates/base.html",
            "<html><body><a href=\"/login\">x</a>{% block b %}{% endblock %}</body></html>",
        )];
        assert!(at(&check_files(&jinja, ""), "LNK-001").is_empty());
    }

    #[test]
    fn eleventy_input_folders_jekyll_collections_and_redirect_files_are_not_reported() {
        let eleventy = [
            (
                ".eleventy.js",
                "module.exports = () => ({ dir: { input: \"src\", output: \"dist\" } });",
            ),
            (
                "package.json",
                r#"{"devDependencies":{"@11ty/eleventy":"2"}}"#,
            ),
            (
                "src/index.md",
                "---\ntitle: h\n---\n[a](/about/) [p](/blog/first-post/) [x](/abuot/)\n",
            ),
            ("src/about.md", "---\ntitle: a\n---\nA\n"),
            ("src/blog/first-post.md", "---\ntitle: p\n---\nP\n"),
        ];
        let f = check_files(&eleventy, "");
        assert_eq!(
            at(&f, "LNK-001"),
            [("src/index.md".into(), 4, 41)],
            "{f:#?}"
        );
        let jekyll = [
            ("_config.yml", "collections:\n  team:\n    output: true\n"),
            ("_team/ada.md", "---\ntitle: Ada\n---\nA\n"),
            (
                "index.html",
                "---\ntitle: h\n---\n<a href=\"/team/ada/\">Ada</a> <a href=\"/team/bob/\">Bob</a>",
            ),
        ];
        assert!(at(&check_files(&jekyll, ""), "LNK-001").is_empty());
        let plain = [
            (
                "index.html",
                "<a href=\"/old-pricing/\">x</a><img src=\"/logo.png\">",
            ),
            ("_redirects", "/old-pricing/ /pricing/ 301\n"),
        ];
        assert_eq!(
            at(&check_files(&plain, ""), "LNK-001"),
            [("index.html".into(), 1, 40)]
        );
    }

    #[test]
    fn generated_files_ignored_prefixes_and_compiled_css_are_not_reported() {
        let page = "<link rel=\"stylesheet\" href=\"/css/main.css\"><script src=\"/dist/app.js\"></script>\n<a href=\"/feed.xml\">f</a> <a href=\"/api/v1\">a</a> <a href=\"/docs/guide/\">d</a> <img src=\"/css/gone.png\">\n";
        let files = [("index.html", page), ("css/main.scss", "a{}")];
        let f = check_files(&files, "[links]\nignore = [\"/api/\"]\n");
        // A section the tree does not hold is broken unless `[links] ignore` says another
        // service serves it.
        assert_eq!(
            at(&f, "LNK-001"),
            [("index.html".into(), 2, 60), ("index.html".into(), 2, 90)],
            "{f:#?}"
        );
    }
}
