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
    let layout = |head: &str| format!("<html><head>\n{head}</head><body>{{{{ content }}}}<footer><a href=\"/privacy/\">Privacy</a> <a class=\"ot-sdk-show-settings\">Cookie settings</a></footer></body></html>");
    let a = run(&[
        ("_config.yml", "ga: G-DEMO1\n"),
        ("_layouts/ok.html", &layout(&format!("{CMP}{GTAG}"))),
        ("_layouts/twice.html", &layout(&format!("{CMP}{GTAG}{GTAG}"))),
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
    let ga = a.ids.iter().find(|i| i.id == "G-DEMO1").expect("the GA4 id");
    assert_eq!((ga.kind, ga.pages), (TagKind::Gtag, 4));
}

#[test]
fn the_json_has_the_check_the_coverage_and_the_events() {
    let a = run(&[
        ("_config.yml", "ga: G-DEMO1\n"),
        ("_layouts/default.html", &format!("<html><head>\n{GTAG}</head><body>{{{{ content }}}}</body></html>")),
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
        }])
    );
    assert_eq!(j["events"], serde_json::json!([]));
    let rules: Vec<&str> = j["check"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.iter().all(|r| r.starts_with("TAG-") || r.starts_with("LEG-") || r.starts_with("CON-")), "{rules:?}");
}

#[test]
fn the_html_report_is_self_contained_and_escapes_what_the_repository_wrote() {
    let a = run(&[
        ("_config.yml", "title: x\n"),
        ("<b>.html", "<html><head><script>gtag('config', 'G-<i>');</script></head><body></body></html>"),
    ]);
    let html = crate::qa::report::audit_html(&a);
    assert!(!html.contains("<b>") && !html.contains("<i>"), "{html}");
    assert!(html.contains("&lt;b&gt;.html"));
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
}
