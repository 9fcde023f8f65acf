//! UTM-004 utm-value-charset: a literal UTM value with characters outside `[a-z0-9._-]`,
//! surrounding whitespace, or the separator the taxonomy does not use.
//!
//! Letter case is UTM-003's. The fix writes the value's canonical form (trimmed, words
//! joined by the separator, recased), so it also settles UTM-003 on the same bytes.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "UTM-004",
    name: "utm-value-charset",
    severity: Severity::Warning,
    fix: FixKind::Deterministic,
    summary: "A UTM value has spaces, punctuation, surrounding whitespace or the wrong word separator",
    why: "Spaces and punctuation get encoded differently by every tool that builds or reads the URL, so one campaign shows up under several spellings.",
    bad: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring_sale">Offer</a>"#,
    good: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring-sale">Offer</a>"#,
    source: "utmbuildertool, linkutm and shortlinkfix naming conventions; DOMAIN.md §1.4",
};

pub struct UtmValueCharset;

impl Rule for UtmValueCharset {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let tax = &cx.settings.config.utm;
        let sep = super::separator(cx.settings);
        for f in super::found_urls(doc, cx.settings).iter() {
            for v in super::values(doc, f, cx.settings) {
                let problems = problems(v.decoded, sep, v.listed, tax.case);
                if problems.is_empty() {
                    continue;
                }
                let msg = format!(
                    "`{}` value `{}` has {}",
                    v.param.key_text,
                    v.decoded,
                    problems.join(", ")
                );
                let finding = Finding::at(&META, doc, v.span, msg);
                // Attached only when no alias is involved: then UTM-009 or UTM-010 fixes.
                match v.fix().filter(|c| Some(*c) == v.normalized) {
                    Some(c) => out.push(finding.hint(format!("write `{c}`")).fix(v.span, c)),
                    None => out.push(finding.hint(format!(
                        "use only {} and one word separator",
                        super::allowed_set(tax.case)
                    ))),
                }
            }
        }
    }
}

/// What is wrong with a value's characters, in words.
fn problems(v: &str, sep: Option<char>, kept: bool, case: crate::config::Case) -> Vec<String> {
    let mut out = Vec::new();
    if v.trim() != v {
        out.push("leading or trailing whitespace".to_string());
    }
    if v.trim().contains(char::is_whitespace) {
        out.push("spaces".to_string());
    }
    if let (Some(s), Some(w)) = (sep, super::wrong_separator(v, sep, kept)) {
        out.push(format!(
            "`{w}` where the taxonomy separates words with `{s}`"
        ));
    }
    let mut bad: Vec<char> = v
        .chars()
        .filter(|c| !c.is_whitespace() && !super::is_allowed_char(*c))
        .collect();
    bad.sort_unstable();
    bad.dedup();
    if !bad.is_empty() {
        let list: Vec<String> = bad.iter().map(|c| format!("`{c}`")).collect();
        out.push(format!(
            "characters outside {}: {}",
            super::allowed_set(case),
            list.join(" ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::fixed_in;
    use crate::qa::testing::{at, check_files};

    const DASH: &str = "[utm]\nseparator = \"-\"\n";

    #[test]
    fn spaces_punctuation_and_wrong_separators_are_flagged_in_every_engine() {
        let html = "<p>\n<a href=\"https://p.example/?utm_campaign=spring+sale&amp;utm_content=hero_cta\">x</a>\n";
        let liquid = "---\nlayout: none\n---\n<a href=\"https://p.example/?utm_campaign=%20launch&utm_source={{ page.s }}\">x</a>\n";
        let jinja = "{% block body %}<a href=\"https://p.example/?utm_campaign=50/50&utm_source={{ s }}\">x</a>{% endblock %}\n";
        let hugo = "<a href=\"https://p.example/?utm_content=top_banner&utm_term={{ .Params.t }}\">x</a>\n";
        let hbs = "<a href=\"https://p.example/?utm_campaign=spring!&utm_medium={{m}}\">x</a>\n";
        let md = "---\ntitle: x\n---\n[x](https://p.example/?utm_campaign=big%20launch)\n";
        let files = [
            ("a.html", html),
            ("b.html", liquid),
            ("c.njk", jinja),
            ("d.html", hugo),
            ("e.hbs", hbs),
            ("f.md", md),
        ];
        let f = check_files(&files, DASH);
        assert_eq!(
            at(&f, "UTM-004"),
            [
                ("a.html".into(), 2, 42),
                ("a.html".into(), 2, 70),
                ("b.html".into(), 4, 42),
                ("c.njk".into(), 1, 58),
                ("d.html".into(), 1, 41),
                ("e.hbs".into(), 1, 42),
                ("f.md".into(), 4, 37),
            ]
        );
        let out = fixed_in(html, &f, "a.html", "UTM-004");
        assert!(
            out.contains("utm_campaign=spring-sale&amp;utm_content=hero-cta\""),
            "{out}"
        );
        let again = check_files(&[("a.html", &out)], DASH);
        assert!(at(&again, "UTM-004").is_empty(), "{again:?}");
        let slash = f
            .iter()
            .find(|x| x.file.as_ref() == "c.njk" && x.rule.id == "UTM-004")
            .expect("c.njk");
        assert!(
            slash.fix.is_none(),
            "punctuation has no certain replacement"
        );
    }

    #[test]
    fn clean_values_taxonomy_values_and_any_separator_pass() {
        let page = concat!(
            "<a href=\"https://p.example/?utm_source=google&utm_medium=paid_social&utm_campaign=2026-x.y\">a</a>\n",
            "<a href=\"https://p.example/?utm_campaign={{ c }} x&utm_term={search term}\">b</a>\n",
        );
        let f = check_files(
            &[("index.html", page)],
            "[utm]\nseparator = \"-\"\n[utm.mediums]\npaid_social = \"Paid Social\"\n",
        );
        assert!(at(&f, "UTM-004").is_empty(), "{f:?}");
        let md = "---\ntitle: x\n---\n[x](https://p.example/?utm_campaign=spring\\_sale)\n";
        let f = check_files(&[("a.md", md)], "");
        assert!(
            at(&f, "UTM-004").is_empty(),
            "a Markdown escape is not a character of the value: {f:?}"
        );
        let mixed = "<a href=\"https://p.example/?utm_campaign=a_b-c\">a</a>\n";
        let f = check_files(&[("index.html", mixed)], "");
        assert!(at(&f, "UTM-004").is_empty(), "{f:?}");
    }
}
