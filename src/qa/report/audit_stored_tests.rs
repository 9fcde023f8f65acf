use super::*;
use crate::config::SiteConfig;
use crate::qa::tree::Disk;

/// The demo site's audit, written as its JSON contract and read back.
fn demo() -> StoredAudit {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site");
    let tree = Disk::new(&root);
    let config = SiteConfig::load(&tree).expect("the demo's sitewide.toml");
    let report = crate::qa::audit::audit(&tree, &config, &[], 2026).expect("audit runs");
    let mut text = Vec::new();
    report.write_json(&mut text).expect("json");
    StoredAudit::parse(&String::from_utf8(text).expect("utf-8")).expect("reads back")
}

#[test]
fn the_findings_read_back_make_the_same_sarif_as_the_report() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site");
    let tree = Disk::new(&root);
    let config = SiteConfig::load(&tree).expect("config");
    let report = crate::qa::audit::audit(&tree, &config, &[], 2026).expect("audit runs");
    let stored = demo();
    assert_eq!(
        crate::qa::report::sarif_of(&stored.findings()),
        crate::qa::report::sarif(&report.check)
    );
}

#[test]
fn layouts_know_how_many_pages_use_them_and_pages_their_status() {
    let a = demo();
    let roles = a.roles();
    let minimal = &roles["_layouts/minimal.html"];
    assert_eq!((minimal.kind, minimal.pages), (FileKind::Template, 2));
    let terms = &roles["legal/terms.md"];
    assert_eq!(terms.kind, FileKind::Page);
    assert_eq!(terms.status.as_deref(), Some("not_tagged"));
    assert!(!roles.contains_key("assets/js/site.js"));
    let counts: HashMap<_, _> = a.status_counts().into_iter().collect();
    assert_eq!(counts["not_tagged"], 2);
    assert_eq!(counts["tagged_twice"], 1);
    assert_eq!(counts["consent_after_tags"], 1);
}

#[test]
fn findings_group_by_rule_page_and_layout_and_filter_by_severity_rule_and_file() {
    let a = demo();
    let all = Filter::default();
    let by_rule = group(&a, GroupBy::Rule, &all);
    let keys: Vec<&str> = by_rule.iter().map(|g| g.key.as_str()).collect();
    assert!(
        keys.contains(&"TAG-002") && keys.contains(&"CON-001"),
        "{keys:?}"
    );
    let by_layout = group(&a, GroupBy::Layout, &all);
    let minimal = by_layout
        .iter()
        .find(|g| g.key == "_layouts/minimal.html")
        .expect("the layout groups its finding");
    assert_eq!(minimal.findings[0].rule, "TAG-001");
    assert_eq!(minimal.role.as_ref().map(|r| r.pages), Some(2));
    let rest = by_layout.last().expect("a last group");
    assert_eq!(rest.key, "");
    assert!(rest.findings.iter().any(|f| f.file == "assets/js/site.js"));
    let by_page = group(&a, GroupBy::Page, &all);
    let globex = by_page
        .iter()
        .find(|g| g.key == "landing/partner-globex.html")
        .expect("the page groups");
    assert_eq!(
        globex.role.as_ref().and_then(|r| r.status.as_deref()),
        Some("tagged_twice")
    );
    // Its default layout carries TAG-004 and LEG-002.
    assert!(globex.inherited >= 2, "{}", globex.inherited);
    let only = Filter {
        severity: Some(Severity::Warning),
        ..Filter::default()
    };
    let warned: Vec<&str> = group(&a, GroupBy::Rule, &only)
        .iter()
        .map(|g| g.key.as_str())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|k| if k == "CON-005" { "CON-005" } else { "other" })
        .collect();
    assert_eq!(warned, vec!["CON-005"]);
    for rule in ["tag", "TAG-*", "TAG-00*"] {
        let f = Filter {
            rule: rule.into(),
            ..Filter::default()
        };
        assert!(
            group(&a, GroupBy::Rule, &f)
                .iter()
                .all(|g| g.key.starts_with("TAG-")),
            "{rule}"
        );
    }
    let f = Filter {
        rule: "TAG-002".into(),
        file: "landing/".into(),
        ..Filter::default()
    };
    let g = group(&a, GroupBy::Page, &f);
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].findings.len(), 2);
}

#[test]
fn the_csv_has_a_header_and_one_quoted_row_per_finding() {
    let mut a = demo();
    a.check.findings[0].message = "a \"quoted\", comma\nand a line".into();
    let mut out = Vec::new();
    csv(&a, &mut out).expect("csv");
    let text = String::from_utf8(out).expect("utf-8");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "rule,severity,file,line,column,message,hint,file_kind,coverage_status,pages_affected"
        )
    );
    assert!(
        text.contains("\"a \"\"quoted\"\", comma\nand a line\""),
        "{text}"
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.records().count(), a.check.findings.len());
    assert!(text.contains("TAG-001,error,_layouts/minimal.html,3,1,"));
    assert!(text.contains(",template,,2\n"));
}
