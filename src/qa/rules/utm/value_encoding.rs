//! UTM-005 utm-value-encoding: a UTM value encoded twice (`%2520`), raw non-ASCII, or `+`
//! for spaces where another value of the URL writes `%20`.
//!
//! When the value has a canonical form, the charset or alias rules write it and this rule
//! only reports (unless encoding was the only problem); otherwise the fix decodes and
//! re-encodes the value once, canonically.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "UTM-005",
    name: "utm-value-encoding",
    severity: Severity::Warning,
    fix: FixKind::Deterministic,
    summary: "A UTM value is encoded twice, holds raw non-ASCII, or mixes `+` and `%20` for spaces",
    why: "GA4 decodes once: a doubly encoded value is reported with `%20` in it, and the same words encoded two ways become two values.",
    bad: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring%252Dsale">Offer</a>"#,
    good: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring-sale">Offer</a>"#,
    source: "Analytics Detectives, UTM pollution and encoding; DOMAIN.md §1.4",
};

pub struct UtmValueEncoding;

impl Rule for UtmValueEncoding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for f in super::found_urls(doc, cx.settings).iter() {
            for v in super::values(doc, f, cx.settings) {
                let mut problems = Vec::new();
                if v.double_encoded {
                    problems.push("is percent-encoded twice");
                }
                if v.raw_non_ascii {
                    problems.push("holds raw non-ASCII characters");
                }
                if v.mixed_spaces {
                    problems
                        .push("writes spaces as `+` while another value of this URL writes `%20`");
                }
                if problems.is_empty() {
                    continue;
                }
                let msg = format!(
                    "`{}` value `{}` {}",
                    v.param.key_text,
                    v.raw,
                    problems.join(", and ")
                );
                let finding = Finding::at(&META, doc, v.span, msg);
                let fix: Option<String> = match v.canon {
                    Some(c) => v.fix().filter(|_| c == v.decoded).map(str::to_string),
                    None => Some(super::encode_canonical(v.decoded)).filter(|e| e != v.raw),
                };
                match fix {
                    Some(c) => out.push(finding.hint(format!("write `{c}`")).fix(v.span, c)),
                    None => out
                        .push(finding.hint(
                            "decode it once; the other findings on this value carry the fix",
                        )),
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
    fn double_encoding_non_ascii_and_mixed_spaces_are_flagged_in_every_engine() {
        let html = "<p>\n<a href=\"https://p.example/?utm_campaign=spring%252Dsale&amp;utm_content=caf\u{e9}\">x</a>\n";
        let liquid = "---\nlayout: none\n---\n<a href=\"https://p.example/?utm_term=a+b&utm_content=c%20d&utm_source={{ s }}\">x</a>\n";
        let jinja = "{% block body %}<a href=\"https://p.example/?utm_campaign=x%2520y&utm_source={{ s }}\">x</a>{% endblock %}\n";
        let hugo = "<a href=\"https://p.example/?utm_content=na\u{ef}ve&utm_term={{ .Params.t }}\">x</a>\n";
        let hbs = "<a href=\"https://p.example/?utm_campaign=a%2541&utm_medium={{m}}\">x</a>\n";
        let md = "---\ntitle: x\n---\n[x](https://p.example/?utm_campaign=%25C3%25A9t%25C3%25A9)\n";
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
            at(&f, "UTM-005"),
            [
                ("a.html".into(), 2, 42),
                ("a.html".into(), 2, 74),
                ("b.html".into(), 4, 38),
                ("c.njk".into(), 1, 58),
                ("d.html".into(), 1, 41),
                ("e.hbs".into(), 1, 42),
                ("f.md".into(), 4, 37),
            ]
        );
        let out = fixed_in(html, &f, "a.html", "UTM-005");
        assert!(
            out.contains("utm_campaign=spring-sale&amp;utm_content=caf%C3%A9\""),
            "{out}"
        );
        let again = check_files(&[("a.html", &out)], "");
        assert!(at(&again, "UTM-005").is_empty(), "{again:?}");
        let md_fix = f
            .iter()
            .find(|x| x.file.as_ref() == "f.md" && x.rule.id == "UTM-005")
            .and_then(|x| x.fix.clone())
            .expect("f.md fix");
        assert_eq!(md_fix.replacement, "%C3%A9t%C3%A9");
    }

    #[test]
    fn single_encoding_and_consistent_spaces_pass() {
        let page = concat!(
            "<a href=\"https://p.example/?utm_campaign=caf%C3%A9&utm_content=a%20b&utm_term=c%20d\">a</a>\n",
            "<a href=\"https://p.example/?utm_term=a+b&utm_content=c+d&ref=x%20y\">b</a>\n",
            "<a href=\"https://p.example/?utm_campaign=50%25off\">c</a>\n",
            "<a href=\"https://p.example/?utm_campaign=100%25AB\">d</a>\n",
        );
        let f = check_files(&[("index.html", page)], "");
        assert!(at(&f, "UTM-005").is_empty(), "{f:?}");
    }
}
