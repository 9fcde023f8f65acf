//! `check` over the real public sites in `../shared/corpora`, read where they are: no crash,
//! every position inside its file, layouts and includes resolved as the generators do.

use std::path::Path;

use crate::support::{corpora, json, sitewide, stderr};

const SITES: [&str; 4] = [
    "18f-gsa-gov",
    "digitalgov",
    "lektor-website",
    "rust-lang-www",
];

fn check(site: &Path) -> serde_json::Value {
    let out = sitewide(&[
        "check",
        site.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: {}",
        site.display(),
        stderr(&out)
    );
    json(&out)
}

#[test]
fn every_corpus_checks_without_error_and_every_position_is_inside_its_file() {
    let Some(root) = corpora() else { return };
    for name in SITES {
        let site = root.join(name);
        let v = check(&site);
        assert!(
            v["summary"]["files_checked"].as_u64().unwrap() > 10,
            "{name}: {}",
            v["summary"]
        );
        for f in v["findings"].as_array().unwrap() {
            let file = f["file"].as_str().unwrap();
            let text = std::fs::read_to_string(site.join(file))
                .unwrap_or_else(|e| panic!("{name}/{file}: {e}"));
            let lines: Vec<&str> = text.split('\n').collect();
            for (l, c) in [("line", "column"), ("end_line", "end_column")] {
                let line = f[l].as_u64().unwrap() as usize;
                let col = f[c].as_u64().unwrap() as usize;
                assert!(line >= 1 && line <= lines.len(), "{name}/{file}: {f}");
                assert!(
                    col >= 1 && col <= lines[line - 1].chars().count() + 1,
                    "{name}/{file}: {f}"
                );
            }
            if let Some(fix) = f.get("fix") {
                let (s, e) = (
                    fix["start"].as_u64().unwrap() as usize,
                    fix["end"].as_u64().unwrap() as usize,
                );
                assert!(
                    s <= e
                        && e <= text.len()
                        && text.is_char_boundary(s)
                        && text.is_char_boundary(e),
                    "{name}/{file}: {f}"
                );
            }
        }
        let skipped = v["summary"]["skipped"].as_array().unwrap();
        assert!(
            skipped.is_empty(),
            "{name}: nothing in a real corpus should be unreadable: {skipped:?}"
        );
    }
}

#[test]
fn lektor_content_files_are_reported_once_as_unchecked() {
    let Some(root) = corpora() else { return };
    let v = check(&root.join("lektor-website"));
    assert_eq!(v["summary"]["generator"], "lektor");
    assert!(
        v["summary"]["unchecked"][".lr"].as_u64().unwrap() > 200,
        "{}",
        v["summary"]
    );
}

fn chain(root: &Path, site: &str, page: &str) -> Vec<String> {
    let out = sitewide(&["explain", root.join(site).to_str().unwrap(), page]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_start_matches("  <- ").to_string())
        .collect()
}

/// Which layouts and partials bring digitalgov's tag snippet (GTM in `baseof.html`, DAP and
/// the GTM loader in `partials/core/head.html`) onto a content page.
#[test]
fn digitalgov_pages_resolve_through_hugo_lookup_baseof_and_partials() {
    let Some(root) = corpora() else { return };
    let c = chain(&root, "digitalgov", "content/about/_index.md");
    let theme = "themes/digital.gov/layouts";
    assert_eq!(c[0], "content/about/_index.md");
    assert_eq!(c[1], format!("{theme}/_default/list.html"));
    for needed in [
        "_default/baseof.html",
        "partials/core/head.html",
        "partials/core/footer.html",
        "partials/core/header.html",
    ] {
        assert!(
            c.contains(&format!("{theme}/{needed}")),
            "{needed} missing from {c:#?}"
        );
    }
    assert!(!c.iter().any(|l| l.starts_with("??")), "{c:#?}");
}

#[test]
fn eighteen_f_pages_resolve_eleventy_layout_chains_and_includes() {
    let Some(root) = corpora() else { return };
    let c = chain(&root, "18f-gsa-gov", "content/pages/about.md");
    assert_eq!(
        &c[..2],
        [
            "content/pages/about.md",
            "templates/layouts/styled-container.html"
        ]
    );
    for needed in [
        "templates/layouts/primary.html",
        "templates/layouts/default.html",
        "templates/meta.html",
        "templates/scripts.html",
        "templates/footer.html",
    ] {
        assert!(
            c.contains(&needed.to_string()),
            "{needed} missing from {c:#?}"
        );
    }
    assert!(!c.iter().any(|l| l.starts_with("??")), "{c:#?}");
}

#[test]
fn rust_lang_handlebars_pages_resolve_their_inline_partial_layout() {
    let Some(root) = corpora() else { return };
    let c = chain(&root, "rust-lang-www", "templates/index.html.hbs");
    for needed in [
        "templates/components/layout.html.hbs",
        "templates/components/nav.html.hbs",
        "templates/components/footer.html.hbs",
        "templates/components/panels/thanks.html.hbs",
    ] {
        assert!(
            c.contains(&needed.to_string()),
            "{needed} missing from {c:#?}"
        );
    }
}

#[test]
fn lektor_templates_resolve_jinja_extends_and_imports() {
    let Some(root) = corpora() else { return };
    let c = chain(&root, "lektor-website", "templates/page.html");
    assert_eq!(
        c,
        [
            "templates/page.html",
            "templates/layout.html",
            "templates/macros/blocksupport.html"
        ]
    );
}
