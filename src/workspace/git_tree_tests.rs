//! Tests of `GitTree`: checking a commit from git reports what checking its checkout on
//! disk reports, and the overlay is what a check of the edited tree reads.

use std::collections::HashMap;

use super::super::testing::Repo;
use super::*;
use crate::config::SiteConfig;
use crate::qa::engine::{self, Report, Selection};
use crate::qa::tree::Disk;

const YEAR: i32 = 2026;

/// Every finding (all fields a user sees), skipped file and count of `report`.
fn shown(report: &Report) -> serde_json::Value {
    serde_json::json!({
        "findings": report.findings,
        "skipped": report.skipped,
        "unchecked": report.unchecked,
        "generator": report.generator,
        "pages": report.pages,
        "templates": report.templates,
    })
}

fn check(tree: &dyn Tree) -> Report {
    let config = SiteConfig::load(tree).expect("valid sitewide.toml");
    let selection = Selection::new(&config, &[]).expect("all rules");
    engine::check(tree, &config, &selection, YEAR).expect("check runs")
}

fn head_tree(root: &Path) -> GitTree {
    let ws = Workspace::open(root).expect("open");
    let head = ws.resolve("HEAD").expect("head");
    ws.tree_at(&head).expect("tree")
}

#[test]
fn the_demo_site_from_git_has_the_findings_of_its_checkout() {
    let data = tempfile::tempdir().expect("tempdir");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site");
    let ws = super::super::create_demo(data.path(), &demo).expect("demo workspace");
    let on_disk = check(&Disk::new(ws.root()));
    let from_git = check(&head_tree(ws.root()));
    assert!(on_disk.findings.len() > 10, "{}", on_disk.findings.len());
    assert_eq!(shown(&from_git), shown(&on_disk));
}

/// A Jekyll site with what a walk must leave out or report: an ignored untracked draft,
/// committed build output, a hidden redirect file, links in and out of the tree, a binary
/// and a non-UTF-8 page.
fn edge_site() -> Repo {
    let repo = Repo::new();
    let layout = "<!doctype html><html lang=\"en\"><head><title>{{ page.title }}</title></head><body>{{ content }}</body></html>\n";
    repo.write(
        "_config.yml",
        b"title: Edge\nurl: https://www.edge.example\n",
    );
    repo.write("_layouts/default.html", layout.as_bytes());
    repo.write(
        "index.html",
        b"---\nlayout: default\ntitle: Home\n---\n<a href=\"/about/?utm_source=x\">About</a> <a href=\"/old/\">Old</a> <a href=\"/gone/\">Gone</a> <a href=\"/about/#nope\">Nope</a>\n",
    );
    repo.write(
        "about.html",
        b"---\nlayout: default\ntitle: About\npermalink: /about/\n---\n<h2 id=\"team\">Team</h2>\n",
    );
    repo.write(".htaccess", b"Redirect 301 /old/ /about/\n");
    repo.write(".gitignore", b"drafts/\n");
    repo.write(
        "_site/index.html",
        b"<a href=\"/nowhere/?utm_source=y\">x</a>\n",
    );
    repo.write("public/page.html", b"<p>not excluded by Jekyll</p>\n");
    repo.write("logo.html", b"GIF89a\0\0\0");
    repo.write("latin1.html", b"<p>caf\xe9</p>\n");
    std::os::unix::fs::symlink("/etc/hostname", repo.path().join("escape.html")).expect("link");
    std::os::unix::fs::symlink("index.html", repo.path().join("alias.html")).expect("link");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "site"]);
    repo.write("drafts/secret.html", b"<a href=\"/missing/\">x</a>\n");
    repo
}

#[test]
fn a_site_from_git_has_the_findings_of_its_checkout_ignored_files_and_build_output_aside() {
    let repo = edge_site();
    let on_disk = check(&Disk::new(repo.path()));
    let from_git = check(&head_tree(repo.path()));
    assert_eq!(shown(&from_git), shown(&on_disk));
    let files: Vec<&str> = from_git.findings.iter().map(|f| f.file.as_ref()).collect();
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("_site/") || f.starts_with("drafts/"))
    );
    let rules: Vec<&str> = from_git.findings.iter().map(|f| f.rule.id).collect();
    assert!(
        rules.contains(&"UTM-008") && rules.contains(&"LNK-003"),
        "{rules:?}"
    );
    let broken: Vec<&str> = from_git
        .findings
        .iter()
        .filter(|f| f.rule.id == "LNK-001")
        .map(|f| f.message.as_str())
        .collect();
    assert!(broken.iter().any(|m| m.contains("/gone/")), "{broken:?}");
    assert!(!broken.iter().any(|m| m.contains("/old/")), "{broken:?}");
    let skipped: Vec<&str> = from_git.skipped.iter().map(|s| s.file.as_str()).collect();
    assert_eq!(skipped, ["escape.html", "latin1.html", "logo.html"]);
}

#[test]
fn the_overlay_is_what_a_check_of_the_edited_tree_reads() {
    let repo = edge_site();
    let base = head_tree(repo.path());
    let clean = "---\nlayout: default\ntitle: Home\n---\n<a href=\"/about/#team\">Team</a>\n";
    let edited = base.with_overlay(HashMap::from([
        ("index.html".to_string(), clean.to_string()),
        (
            "new/page.html".to_string(),
            "<a href=\"/about/?utm_medium=z\">x</a>\n".to_string(),
        ),
    ]));
    assert_eq!(edited.read("index.html").expect("read"), clean.as_bytes());
    assert_eq!(edited.kind("new"), Some(Kind::Dir));
    let before = check(&base);
    let after = check(&edited);
    let in_file = |r: &Report, file: &str| {
        r.findings
            .iter()
            .filter(|f| f.file.as_ref() == file)
            .map(|f| f.rule.id)
            .collect::<Vec<_>>()
    };
    let links = ["UTM-008", "LNK-001", "LNK-003"];
    let (was, now) = (
        in_file(&before, "index.html"),
        in_file(&after, "index.html"),
    );
    assert!(links.iter().all(|r| was.contains(r)), "{was:?}");
    assert!(!links.iter().any(|r| now.contains(r)), "{now:?}");
    assert!(in_file(&after, "new/page.html").contains(&"UTM-008"));
    // The base tree is unchanged, and its files still read from git.
    assert_eq!(shown(&check(&base)), shown(&before));
    assert_eq!(
        base.read("about.html").expect("read"),
        repo.show("HEAD", "about.html")
    );
}

#[test]
fn a_tree_lists_folders_reads_links_and_reports_missing_files() {
    let repo = edge_site();
    let tree = head_tree(repo.path());
    let mut root = tree.list("");
    root.sort();
    assert!(root.contains(&"_layouts".to_string()) && root.contains(&".htaccess".to_string()));
    assert_eq!(tree.list("_layouts"), ["default.html"]);
    assert_eq!(tree.kind("_layouts"), Some(Kind::Dir));
    assert_eq!(tree.kind("alias.html"), Some(Kind::File));
    assert_eq!(tree.kind("escape.html"), None);
    assert_eq!(tree.kind("drafts"), None);
    assert_eq!(
        tree.read("alias.html").expect("read"),
        tree.read("index.html").expect("read")
    );
    let err = tree.read("nope.html").expect_err("missing");
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
}

#[test]
fn checking_again_with_only_the_edited_pages_gives_what_a_full_check_gives() {
    let data = tempfile::tempdir().expect("tempdir");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site");
    let ws = super::super::create_demo(data.path(), &demo).expect("demo workspace");
    let base = head_tree(ws.root());
    let config = SiteConfig::load(&base).expect("valid sitewide.toml");
    let selection = Selection::new(&config, &[]).expect("all rules");
    let (before, kept) =
        engine::check_keeping(&base, &config, &selection, YEAR).expect("check runs");
    assert_eq!(shown(&before), shown(&check(&base)));
    let page = |p: &str| String::from_utf8(base.read(p).expect("read")).expect("utf-8");
    // A page edited so that one of its links breaks another page's fragment target and
    // its own title goes: the cross-file rules see the edit.
    let pricing = page("pricing.html")
        .replace("<h2", "<h3")
        .replace("id=\"", "data-id=\"");
    let index = page("index.html") + "\n<a href=\"/nowhere/\">gone</a>\n";
    for edits in [
        vec![("pricing.html", pricing.clone())],
        vec![("pricing.html", pricing), ("index.html", index)],
        // A layout changes: everything is checked again.
        vec![(
            "_layouts/default.html",
            page("_layouts/default.html").replace("<title>", "<title>x "),
        )],
    ] {
        let changed: std::collections::HashSet<String> =
            edits.iter().map(|(p, _)| p.to_string()).collect();
        let edited =
            base.with_overlay(edits.into_iter().map(|(p, t)| (p.to_string(), t)).collect());
        let again = engine::check_again(&edited, &config, &selection, YEAR, &kept, &changed)
            .expect("check runs");
        assert_eq!(shown(&again), shown(&check(&edited)), "{changed:?}");
        if !changed.contains("_layouts/default.html") {
            assert_ne!(shown(&again), shown(&before), "{changed:?}: the edit shows");
        }
    }
}
