use super::*;
use crate::qa::tree::Disk;

const GTAG: &str = "<script async src=\"https://www.googletagmanager.com/gtag/js?id={{ site.ga }}\"></script>\n<script>gtag('config', '{{ site.ga }}');</script>\n";
const CMP: &str = "<script src=\"https://cdn.cookielaw.org/scripttemplates/otSDKStub.js\" data-domain-script=\"ot-1\"></script>\n<script>gtag('consent', 'default', {ad_storage: 'denied', analytics_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied'});</script>\n";

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    for (p, t) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, t).expect("write");
    }
    dir
}

fn run(files: &[(&str, &str)]) -> AuditReport {
    let dir = tree(files);
    audit(&Disk::new(dir.path()), &SiteConfig::default(), &[], 2026).expect("audit runs")
}

#[test]
fn each_page_gets_the_first_status_that_applies() {
    let layout = |head: &str| {
        format!(
            "<html><head>\n{head}</head><body>{{{{ content }}}}<footer><a href=\"/privacy/\">Privacy</a> <a class=\"ot-sdk-show-settings\">Cookie settings</a></footer></body></html>"
        )
    };
    let a = run(&[
        ("_config.yml", "ga: G-DEMO1\n"),
        ("_layouts/ok.html", &layout(&format!("{CMP}{GTAG}"))),
        (
            "_layouts/twice.html",
            &layout(&format!("{CMP}{GTAG}{GTAG}")),
        ),
        ("_layouts/none.html", &layout("")),
        ("_layouts/noconsent.html", &layout(GTAG)),
        ("_layouts/late.html", &layout(&format!("{GTAG}{CMP}"))),
        ("ok.md", "---\nlayout: ok\n---\nx\n"),
        ("twice.md", "---\nlayout: twice\n---\nx\n"),
        ("none.md", "---\nlayout: none\n---\nx\n"),
        ("noconsent.md", "---\nlayout: noconsent\n---\nx\n"),
        ("late.md", "---\nlayout: late\n---\nx\n"),
    ]);
    let statuses: Vec<(&str, &str)> = a
        .coverage
        .iter()
        .map(|c| (c.file.as_ref(), c.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("late.md", "consent_after_tags"),
            ("noconsent.md", "consent_missing"),
            ("none.md", "not_tagged"),
            ("ok.md", "tagged"),
            ("twice.md", "tagged_twice"),
        ]
    );
    let ga = a
        .ids
        .iter()
        .find(|i| i.id == "G-DEMO1")
        .expect("the GA4 id");
    assert_eq!((ga.kind, ga.pages), (TagKind::Gtag, 4));
}

#[test]
fn the_json_has_the_check_the_coverage_and_the_events() {
    let a = run(&[
        ("_config.yml", "ga: G-DEMO1\n"),
        (
            "_layouts/default.html",
            &format!("<html><head>\n{GTAG}</head><body>{{{{ content }}}}</body></html>"),
        ),
        ("index.md", "---\nlayout: default\n---\nx\n"),
    ]);
    let j = a.to_json();
    assert!(j["check"]["findings"].is_array() && j["check"]["summary"]["pages"] == 1);
    assert_eq!(
        j["coverage"],
        serde_json::json!([{
            "file": "index.md",
            "status": "consent_missing",
            "tags": [
                {"kind": "gtag", "id": "G-DEMO1", "file": "_layouts/default.html", "line": 2},
                {"kind": "gtag", "id": "G-DEMO1", "file": "_layouts/default.html", "line": 3},
            ],
            "built_from": ["_layouts/default.html"],
        }])
    );
    assert_eq!(j["events"], serde_json::json!([]));
    assert_eq!(
        j["layouts"],
        serde_json::json!([{"file": "_layouts/default.html", "pages": 1, "statuses": {"consent_missing": 1}}])
    );
    let rules: Vec<&str> = j["check"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        rules
            .iter()
            .all(|r| r.starts_with("TAG-") || r.starts_with("LEG-") || r.starts_with("CON-")),
        "{rules:?}"
    );
}

#[test]
fn the_html_report_is_self_contained_and_escapes_what_the_repository_wrote() {
    let a = run(&[
        ("_config.yml", "title: x\n"),
        (
            "<x-page>.html",
            "<html><head><script>gtag('config', 'G-<q>');</script></head><body></body></html>",
        ),
    ]);
    let html = crate::qa::report::audit_html(&a);
    assert!(
        !html.contains("<x-page>") && !html.contains("<q>"),
        "{html}"
    );
    assert!(html.contains("&lt;x-page&gt;.html") && html.contains("G-&lt;q&gt;"));
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
}

/// The demo site's audit, as `sitewide audit examples/demo-site --format json` prints it.
#[test]
fn demo_site_audit_json() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site");
    let tree = Disk::new(&root);
    let config = SiteConfig::load(&tree).expect("the demo's sitewide.toml");
    let a = audit(&tree, &config, &[], 2026).expect("audit runs");
    let json = serde_json::to_string_pretty(&a.to_json()).expect("json");
    insta::assert_snapshot!(json);
}

/// `../shared/corpora`, or `None` outside CI when it is absent (under `CI=true` a missing
/// corpus fails the test).
fn corpora() -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    if p.is_dir() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI=true but ../shared/corpora is missing"
    );
    None
}

fn corpus(name: &str) -> Option<AuditReport> {
    let root = corpora()?.join(name);
    let tree = Disk::new(&root);
    let config = SiteConfig::load(&tree).expect("config");
    Some(audit(&tree, &config, &[], 2026).expect("audit runs"))
}

fn row<'a>(a: &'a AuditReport, file: &str) -> (&'a str, Vec<(String, String, String, usize)>) {
    let c = a
        .coverage
        .iter()
        .find(|c| c.file.as_ref() == file)
        .unwrap_or_else(|| panic!("{file} is a page"));
    let tags = c
        .tags
        .iter()
        .map(|t| {
            (
                t.kind.as_str().to_string(),
                t.id.display(),
                t.file.to_string(),
                t.line,
            )
        })
        .collect();
    (c.status.as_str(), tags)
}

fn tag(kind: &str, id: &str, file: &str, line: usize) -> (String, String, String, usize) {
    (kind.into(), id.into(), file.into(), line)
}

/// Pages verified by reading them and their layouts:
/// - digitalgov `content/_index.md` (Hugo): `_default/baseof.html` renders
///   `partials/core/head.html`, whose GTM snippet loads `GTM-MZCKZPQ` (line 83), and its
///   noscript iframe after `<body>` (baseof line 20). No consent platform (US federal sites use
///   none): `consent_missing`. The DAP script it also loads is not one of the audit's kinds.
/// - lektor-website `templates/blog-post.html` extends `layout.html`: analytics.js with
///   `ga('create', 'UA-70822533-1')` (line 90) and its loader (line 97).
/// - 18f-gsa-gov `content/pages/about.md`: `templates/scripts.html` (included by
///   `layouts/default.html`) loads gtag.js for `{{ site.google-analytics.ua }}`, which is
///   `G-HBYXWFP794` in `data/site.yaml`.
/// - rust-lang-www `templates/index.html.hbs`: no analytics tag at all.
#[test]
fn the_corpora_tags_are_found_with_their_ids_and_coverage() {
    let Some(dg) = corpus("digitalgov") else {
        return;
    };
    let head = "themes/digital.gov/layouts/partials/core/head.html";
    let base = "themes/digital.gov/layouts/_default/baseof.html";
    assert_eq!(
        row(&dg, "content/_index.md"),
        (
            "consent_missing",
            vec![
                tag("gtm", "GTM-MZCKZPQ", head, 83),
                tag("gtm", "GTM-MZCKZPQ", base, 20)
            ]
        )
    );
    let Some(lektor) = corpus("lektor-website") else {
        return;
    };
    assert_eq!(
        row(&lektor, "templates/blog-post.html"),
        (
            "consent_missing",
            vec![
                tag("ua", "UA-70822533-1", "templates/layout.html", 90),
                tag("ua", "dynamic", "templates/layout.html", 97),
            ]
        )
    );
    let Some(gsa) = corpus("18f-gsa-gov") else {
        return;
    };
    let scripts = "templates/scripts.html";
    assert_eq!(
        row(&gsa, "content/pages/about.md"),
        (
            "consent_missing",
            vec![
                tag("gtag", "G-HBYXWFP794", scripts, 11),
                tag("gtag", "G-HBYXWFP794", scripts, 16)
            ]
        )
    );
    let Some(rust) = corpus("rust-lang-www") else {
        return;
    };
    assert_eq!(
        row(&rust, "templates/index.html.hbs"),
        ("not_tagged", vec![])
    );
}

#[test]
fn a_layout_whose_pages_all_lack_the_tag_shows_as_such() {
    let a = run(&[
        ("_config.yml", "ga: G-DEMO1\n"),
        (
            "_layouts/default.html",
            &format!("<html><head>\n{GTAG}</head><body>{{{{ content }}}}</body></html>"),
        ),
        (
            "_layouts/bare.html",
            "<html><head><title>x</title></head><body>{{ content }}</body></html>",
        ),
        ("index.md", "---\nlayout: default\n---\nx\n"),
        ("legal/a.md", "---\nlayout: bare\n---\nx\n"),
        ("legal/b.md", "---\nlayout: bare\n---\ny\n"),
    ]);
    let bare = a
        .layouts
        .iter()
        .find(|l| l.file.as_ref() == "_layouts/bare.html")
        .expect("the bare layout");
    assert_eq!(bare.pages, 2);
    assert_eq!(bare.statuses, [(Status::NotTagged, 2)]);
    let table = crate::qa::report::audit_table(&a);
    assert!(
        table.contains("_layouts/bare.html     2 pages: 2 not tagged"),
        "{table}"
    );
}

#[test]
fn keeping_only_some_files_keeps_their_rows_and_what_their_layouts_decided() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site");
    let tree = Disk::new(&root);
    let config = SiteConfig::load(&tree).expect("the demo's sitewide.toml");
    let mut a = audit(&tree, &config, &[], 2026).expect("audit runs");
    let terms = a
        .coverage
        .iter()
        .find(|c| c.file.as_ref() == "legal/terms.md")
        .expect("legal/terms.md is a page");
    assert!(
        terms
            .built_from
            .iter()
            .any(|f| f.as_ref() == "_layouts/minimal.html"),
        "{:?}",
        terms.built_from
    );
    a.retain_files(|f| f.starts_with("legal/"));
    let files: Vec<(&str, Status)> = a
        .coverage
        .iter()
        .map(|c| (c.file.as_ref(), c.status))
        .collect();
    assert_eq!(
        files,
        vec![
            ("legal/dpa.md", Status::NotTagged),
            ("legal/terms.md", Status::NotTagged)
        ]
    );
    // TAG-001 sits in the layout, which is not kept: the finding goes, the status stays.
    assert!(a.check.findings.is_empty(), "{:?}", a.check.findings);
    assert!(a.events.iter().all(|e| e.file.starts_with("legal/")));
    assert!(a.ids.is_empty());
}
