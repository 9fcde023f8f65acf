//! Pages are found from the repository itself: generator config, `.gitignore`, and build
//! output that is never a source.

use crate::support::{Tree, json, sitewide};

const BAD: &str = "<a href=\"https://p.example/?utm_surce=x\">x</a>";

fn files_with_findings(t: &Tree) -> Vec<String> {
    let v = json(&sitewide(&[
        "check",
        t.str(),
        "--format",
        "json",
        "--rules",
        "UTM-002",
    ]));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn build_output_node_modules_and_gitignored_folders_are_not_checked() {
    let t = Tree::new(&[
        ("_config.yml", "title: x\nexclude: [vendor]\n"),
        ("index.html", BAD),
        ("_site/index.html", BAD),
        ("node_modules/pkg/readme.html", BAD),
        ("vendor/lib.html", BAD),
        (".gitignore", "drafts/\n"),
        ("drafts/wip.html", BAD),
    ]);
    assert_eq!(files_with_findings(&t), ["index.html"]);
}

#[test]
fn hugo_sites_skip_public_and_check_content_and_layouts() {
    let t = Tree::new(&[
        ("hugo.toml", "baseURL = 'https://example.org/'\n"),
        ("content/post.md", &format!("---\ntitle: x\n---\n{BAD}\n")),
        ("layouts/_default/single.html", BAD),
        ("public/post/index.html", BAD),
    ]);
    assert_eq!(
        files_with_findings(&t),
        ["content/post.md", "layouts/_default/single.html"]
    );
}

#[test]
fn sitewide_toml_excludes_apply() {
    let t = Tree::new(&[
        ("index.html", BAD),
        ("legacy/old.html", BAD),
        ("sitewide.toml", "exclude = [\"legacy/**\"]\n"),
    ]);
    assert_eq!(files_with_findings(&t), ["index.html"]);
}
