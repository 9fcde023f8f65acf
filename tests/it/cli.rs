//! The command line's contract: formats, rule selection, exit codes, `--fix`, `init`, `rules`.

use crate::support::{Tree, json, sitewide, sitewide_in, stderr, stdout};

const PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><title>Pricing plans for teams</title></head>\n<body>\n<a href=\"https://partner.example/?utm_surce=news&utm_medium=email&utm_campaign=2026-x\">Partner offer</a>\n</body></html>\n";

#[test]
fn json_findings_carry_the_contract_fields() {
    let t = Tree::new(&[("index.html", PAGE)]);
    let out = sitewide(&["check", t.str(), "--format", "json", "--rules", "UTM-002"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = json(&out);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "UTM-002");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "index.html");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(4), Some(35))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(4), Some(44))
    );
    let start = f["fix"]["start"].as_u64().unwrap() as usize;
    let end = f["fix"]["end"].as_u64().unwrap() as usize;
    assert_eq!(&PAGE[start..end], "utm_surce");
    assert_eq!(f["fix"]["replacement"], "utm_source");
    assert_eq!(v["summary"]["by_rule"]["UTM-002"], 1);
    assert_eq!(v["summary"]["by_severity"]["error"], 1);
    assert_eq!(v["summary"]["files_checked"], 1);
}

#[test]
fn fail_on_sets_the_exit_code_and_rule_globs_select() {
    let t = Tree::new(&[("index.html", PAGE)]);
    let out = sitewide(&["check", t.str(), "--rules", "LNK-*", "--format", "json"]);
    assert!(
        json(&out)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"].as_str().unwrap().starts_with("LNK-"))
    );
    let out = sitewide(&["check", t.str(), "--rules", "UTM-002", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0));
    let out = sitewide(&["check", t.str(), "--rules", "UTM-999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown rule"), "{}", stderr(&out));
}

#[test]
fn without_fix_nothing_is_written_and_fix_converges() {
    let t = Tree::new(&[("index.html", PAGE)]);
    sitewide(&["check", t.str()]);
    assert_eq!(t.read("index.html"), PAGE);
    let first = sitewide(&["check", t.str(), "--fix", "--rules", "UTM-002"]);
    assert_eq!(first.status.code(), Some(0), "{}", stdout(&first));
    let once = t.read("index.html");
    assert!(once.contains("utm_source=news"));
    let second = sitewide(&["check", t.str(), "--fix"]);
    let after_first_full = t.read("index.html");
    let third = sitewide(&["check", t.str(), "--fix"]);
    assert_eq!(
        t.read("index.html"),
        after_first_full,
        "a second full --fix changes nothing"
    );
    assert!(
        stderr(&third).contains("fixed 0 findings"),
        "{}",
        stderr(&third)
    );
    let _ = second;
}

#[test]
fn a_bad_sitewide_toml_names_file_line_column_and_a_hint() {
    let t = Tree::new(&[
        ("index.html", PAGE),
        (
            "sitewide.toml",
            "[utm]\ncase = \"lower\"\ninternal_host = [\"a.example\"]\n",
        ),
    ]);
    let out = sitewide(&["check", t.str()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("sitewide.toml:3:1"), "{err}");
    assert!(
        err.contains("hint: did you mean `internal_hosts`?"),
        "{err}"
    );
}

#[test]
fn init_writes_a_starter_that_check_accepts_and_refuses_to_overwrite() {
    let t = Tree::new(&[("index.html", PAGE)]);
    assert_eq!(sitewide_in(t.path(), &["init"]).status.code(), Some(0));
    assert!(t.read("sitewide.toml").contains("[utm]"));
    assert_eq!(sitewide_in(t.path(), &["init"]).status.code(), Some(2));
    let out = sitewide(&["check", t.str(), "--format", "json"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn rules_lists_every_rule_and_explains_one() {
    let out = sitewide(&["rules"]);
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("UTM-002") && l.contains("deterministic")),
        "{text}"
    );
    let out = sitewide(&["rules", "utm-002"]);
    let text = stdout(&out);
    assert!(
        text.contains("Bad:") && text.contains("Good:") && text.contains("utm_surce"),
        "{text}"
    );
    assert_eq!(sitewide(&["rules", "NOPE-1"]).status.code(), Some(2));
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let t = Tree::new(&[("index.html", PAGE)]);
    let out = sitewide(&["check", t.str(), "--format", "sarif", "--rules", "UTM-002"]);
    let v = json(&out);
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["columnKind"], "unicodeCodePoints");
    let r = &v["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "UTM-002");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        35
    );
    crate::demo::validate_sarif(&stdout(&out));
}

#[test]
fn an_unknown_rule_in_sitewide_toml_is_an_error_at_its_key() {
    let t = Tree::new(&[
        ("index.html", PAGE),
        ("sitewide.toml", "[rules]\n\"UTM-02\" = \"off\"\n"),
    ]);
    let out = sitewide(&["check", t.str()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("sitewide.toml:2:1") && err.contains("unknown rule \"UTM-02\""),
        "{err}"
    );
}

#[test]
fn severities_and_ignores_from_sitewide_toml_apply() {
    let ignored_dir = "legal/terms.html";
    let t = Tree::new(&[
        ("index.html", PAGE),
        (ignored_dir, PAGE),
        (
            "other.html",
            "<!-- sitewide-ignore UTM-002 -->\n<a href=\"https://p.example/?utm_surce=x\">x</a>\n",
        ),
        (
            "sitewide.toml",
            "[rules]\n\"UTM-002\" = \"warning\"\n[[ignore]]\nrules = [\"UTM-*\"]\npaths = [\"legal/**\"]\n",
        ),
    ]);
    let out = sitewide(&["check", t.str(), "--format", "json", "--rules", "UTM-002"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings do not fail by default"
    );
    let v = json(&out);
    let files: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["index.html"]);
    assert_eq!(v["findings"][0]["severity"], "warning");
}

#[test]
fn docs_rules_md_is_the_generated_catalogue() {
    let generated = sitewide::cli::rules_markdown();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk != generated && std::env::var("SITEWIDE_BLESS").is_ok() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    assert!(
        on_disk == generated,
        "docs/rules.md is stale: run SITEWIDE_BLESS=1 cargo test --test it docs_rules"
    );
}
