//! Bad input never panics: binary files, invalid UTF-8, unclosed tags, huge files,
//! symbolic links out of the tree, a missing path.

use crate::support::{Tree, json, sitewide, stderr, stdout};

#[test]
fn a_missing_path_exits_2_with_a_clear_message() {
    let out = sitewide(&["check", "/nonexistent/sitewide-test-path"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no such file or directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn binary_and_non_utf8_files_are_skipped_with_their_reason() {
    let t = Tree::new(&[("index.html", "<p>ok</p>")]);
    std::fs::write(t.path().join("logo.html"), b"\x89PNG\r\n\x1a\n\0\0\0IHDR").unwrap();
    std::fs::write(t.path().join("latin1.html"), b"<p>caf\xe9</p>\n").unwrap();
    let out = sitewide(&["check", t.str(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let skipped = json(&out)["summary"]["skipped"].clone();
    let reasons: Vec<String> = skipped
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}: {}", s["file"], s["reason"]))
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("logo.html") && r.contains("binary")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(
            |r| r.contains("latin1.html") && r.contains("not valid UTF-8 (invalid byte at 1:7")
        ),
        "{reasons:?}"
    );
}

#[test]
fn unclosed_tags_and_quotes_are_read_without_panicking() {
    let t = Tree::new(&[
        ("a.html", "<html><head><title>x"),
        ("b.html", "<a href=\"/x?utm_source=a"),
        ("c.md", "---\ntitle: [broken\n---\n[x](/y"),
        ("d.html", "<div <a <img src=\"{{ x }\" {% if %}"),
    ]);
    let out = sitewide(&["check", t.str(), "--format", "json"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    json(&out);
}

#[test]
fn a_50_mb_file_is_skipped_not_scanned() {
    let t = Tree::new(&[("index.html", "<p>ok</p>")]);
    let big = "<p>lorem</p>\n".repeat(50 * 1024 * 1024 / 13);
    std::fs::write(t.path().join("huge.html"), big).unwrap();
    let out = sitewide(&["check", t.str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("huge.html: 50.0 MB is over the 10 MB limit"),
        "{}",
        stdout(&out)
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_that_leaves_the_tree_is_reported_and_not_followed() {
    let outside = Tree::new(&[("secret.html", "<a href=\"/?utm_surce=x\">x</a>")]);
    let t = Tree::new(&[("index.html", "<p>ok</p>")]);
    std::os::unix::fs::symlink(
        outside.path().join("secret.html"),
        t.path().join("linked.html"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), t.path().join("linked-dir")).unwrap();
    let out = sitewide(&["check", t.str(), "--format", "json"]);
    let v = json(&out);
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        0,
        "nothing outside the tree is checked: {v}"
    );
    let skipped = v["summary"]["skipped"].to_string();
    assert!(
        skipped.contains("linked.html") && skipped.contains("leaves the checked tree"),
        "{skipped}"
    );
}

#[test]
fn a_file_instead_of_a_folder_is_a_usage_error_that_says_so() {
    let t = Tree::new(&[("index.html", "<p>ok</p>")]);
    let file = t.path().join("index.html");
    let out = sitewide(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a file"), "{}", stderr(&out));
}

#[test]
fn a_tree_where_nothing_could_be_read_exits_2() {
    let t = Tree::new(&[]);
    std::fs::write(t.path().join("latin1.html"), b"<p>caf\xe9</p>\n").unwrap();
    let out = sitewide(&["check", t.str()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).contains("not valid UTF-8"), "{}", stdout(&out));
}
