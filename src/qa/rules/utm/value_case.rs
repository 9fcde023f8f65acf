//! UTM-003 utm-value-case: a literal UTM value not written in the taxonomy's case.
//!
//! The fix recases the value, and is attached only when recasing alone yields the value's
//! canonical form; otherwise UTM-004, UTM-009 or UTM-010 carries the one combined fix.

use crate::config::Case;
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "UTM-003",
    name: "utm-value-case",
    severity: Severity::Warning,
    fix: FixKind::Deterministic,
    summary: "A UTM value is not in the taxonomy's case (lowercase by default)",
    why: "GA4 values are case-sensitive: `Facebook` and `facebook` become two rows in every source/medium report.",
    bad: r#"<a href="https://partner.example/?utm_source=Facebook&amp;utm_medium=paid-social&amp;utm_campaign=2026-spring">Offer</a>"#,
    good: r#"<a href="https://partner.example/?utm_source=facebook&amp;utm_medium=paid-social&amp;utm_campaign=2026-spring">Offer</a>"#,
    source: "GA help 1033863 (case sensitivity); slsh.me and utmbuildertool naming conventions; DOMAIN.md §1.2",
};

pub struct UtmValueCase;

impl Rule for UtmValueCase {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let case = cx.settings.config.utm.case;
        if case == Case::Any {
            return;
        }
        for f in super::found_urls(doc, cx.settings).iter() {
            for v in super::values(doc, f, cx.settings) {
                if !super::is_miscased(v.decoded, case) {
                    continue;
                }
                let word = if case == Case::Lower {
                    "lowercase"
                } else {
                    "uppercase"
                };
                let msg = format!("`{}` value `{}` is not {word}", v.param.key_text, v.decoded);
                let finding = Finding::at(&META, doc, v.span, msg);
                let recased = super::apply_case(v.decoded, case);
                match v.fix().filter(|c| *c == recased) {
                    Some(c) => out.push(finding.hint(format!("write `{c}`")).fix(v.span, c)),
                    None => out.push(finding.hint(format!(
                        "write it {word}; see the other findings on this value for the rest"
                    ))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::fixed_in;
    use crate::qa::testing::{at, check_files};

    #[test]
    fn miscased_values_are_flagged_and_lowercased_in_every_engine() {
        let html =
            "<p>\n<a href=\"https://p.example/?utm_source=Google&amp;utm_medium=CPC\">x</a>\n";
        let liquid = "---\nlayout: none\n---\n<a href=\"{{ site.partner }}?utm_source=Bing&utm_medium={{ page.m }}\">x</a>\n";
        let jinja = "{% block body %}<a href=\"https://p.example/?utm_campaign=Spring&utm_source={{ src }}\">x</a>{% endblock %}\n";
        let hugo =
            "<a href=\"https://p.example/?utm_content=Hero&utm_term={{ .Params.t }}\">x</a>\n";
        let hbs = "<a href=\"https://p.example/?utm_source=LinkedIn&utm_medium={{m}}\">x</a>\n";
        let md = "---\ntitle: x\n---\n[x](https://p.example/?utm_source=Twitter)\n";
        let files = [
            ("a.html", html),
            ("b.html", liquid),
            ("c.njk", jinja),
            ("d.html", hugo),
            ("e.hbs", hbs),
            ("f.md", md),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "UTM-003"),
            [
                ("a.html".into(), 2, 40),
                ("a.html".into(), 2, 62),
                ("b.html".into(), 4, 40),
                ("c.njk".into(), 1, 58),
                ("d.html".into(), 1, 41),
                ("e.hbs".into(), 1, 40),
                ("f.md".into(), 4, 35),
            ]
        );
        let out = fixed_in(html, &f, "a.html", "UTM-003");
        assert!(
            out.contains("utm_source=google&amp;utm_medium=cpc\""),
            "{out}"
        );
        let again = check_files(&[("a.html", &out)], "");
        assert!(at(&again, "UTM-003").is_empty(), "{again:?}");
    }

    #[test]
    fn a_value_with_spaces_gets_one_fix_from_the_charset_rule() {
        let page = "<a href=\"https://p.example/?utm_campaign=Spring%20Sale\">x</a>\n";
        let f = check_files(&[("index.html", page)], "");
        let case = f
            .iter()
            .find(|x| x.rule.id == "UTM-003")
            .expect("a case finding");
        let chars = f
            .iter()
            .find(|x| x.rule.id == "UTM-004")
            .expect("a charset finding");
        assert!(case.fix.is_none());
        assert_eq!(
            chars.fix.as_ref().map(|x| x.replacement.as_str()),
            Some("spring-sale")
        );
    }

    #[test]
    fn lowercase_templated_and_placeholder_values_pass_and_case_any_disables() {
        let page = concat!(
            "<a href=\"https://p.example/?utm_source=google&utm_medium=cpc&utm_campaign=2026-x\">a</a>\n",
            "<a href=\"https://p.example/?utm_source={{ Source }}&utm_term={KeyWord}&utm_campaign=*|CAMPAIGN|*\">b</a>\n",
        );
        let f = check_files(&[("index.html", page)], "");
        assert!(at(&f, "UTM-003").is_empty(), "{f:?}");
        let miscased = "<a href=\"https://p.example/?utm_source=Google\">a</a>\n";
        let f = check_files(&[("index.html", miscased)], "[utm]\ncase = \"any\"\n");
        assert!(at(&f, "UTM-003").is_empty(), "{f:?}");
    }
}
