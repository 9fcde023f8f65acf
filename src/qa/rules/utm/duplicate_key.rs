//! UTM-006 duplicate-utm-key: the same `utm_*` key twice in one query.
//!
//! Which value to keep is a judgement, so only an exact repeat (same key, same value) is
//! removed by the fix. Judged only when no template tag sits in the query.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "UTM-006",
    name: "duplicate-utm-key",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "The same utm_* key appears twice in one URL",
    why: "Analytics tools disagree on which value wins (GA4 was observed to keep the last), so the visit may be credited to the wrong campaign.",
    bad: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring&amp;utm_source=partner">Offer</a>"#,
    good: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring">Offer</a>"#,
    source: "UTMGuard, duplicate UTM parameters; Nils Rooijmans, GA4 duplicate UTMs; DOMAIN.md §1.4",
};

pub struct DuplicateUtmKey;

impl Rule for DuplicateUtmKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for f in super::found_urls(doc, cx.settings).iter() {
            if f.url.query_dynamic {
                continue;
            }
            let cleanup = super::cleanup(doc, f, cx.settings);
            if cleanup.strip.is_some() {
                continue;
            }
            let utms = super::utm_indices(&f.url);
            for (n, &i) in utms.iter().enumerate() {
                let p = &f.url.params[i];
                let Some(&first) = utms[..n]
                    .iter()
                    .find(|&&j| f.url.params[j].key_text == p.key_text)
                else {
                    continue;
                };
                let msg = format!("`{}` appears more than once in this URL", p.key_text);
                let finding = Finding::at(&META, doc, p.span, msg);
                match cleanup.fix.clone().filter(|_| cleanup.remove[i]) {
                    Some((span, text)) => {
                        out.push(finding.hint("remove the repeat").fix(span, text))
                    }
                    None => {
                        let earlier = doc
                            .lines
                            .line_col(&doc.text, f.url.params[first].span.start);
                        out.push(finding.hint(format!(
                            "keep one: the first is at column {}",
                            earlier.column
                        )));
                    }
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
    fn repeated_keys_are_flagged_at_the_repeat_in_every_engine() {
        let html = "<p>\n<a href=\"https://p.example/?utm_source=a&amp;utm_medium=b&amp;utm_source=a\">x</a>\n";
        let liquid = "---\nlayout: none\n---\n<a href=\"https://p.example/?utm_source={{ page.s }}&utm_source=b\">x</a>\n";
        let jinja = "{% block body %}<a href=\"https://p.example/?utm_term=a&utm_term={{ t }}\">x</a>{% endblock %}\n";
        let hugo = "<a href=\"https://p.example/?utm_medium=a&utm_medium=b\">x</a>\n";
        let hbs = "<a href=\"https://p.example/?utm_campaign={{c}}&utm_campaign=b\">x</a>\n";
        let md = "---\ntitle: x\n---\n[x](https://p.example/?utm_source=a&utm_source=a&x=1)\n";
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
            at(&f, "UTM-006"),
            [
                ("a.html".into(), 2, 63),
                ("b.html".into(), 4, 53),
                ("c.njk".into(), 1, 56),
                ("d.html".into(), 1, 42),
                ("e.hbs".into(), 1, 48),
                ("f.md".into(), 4, 37),
            ]
        );
        let with_fix: Vec<&str> = f
            .iter()
            .filter(|x| x.rule.id == "UTM-006" && x.fix.is_some())
            .map(|x| x.file.as_ref())
            .collect();
        assert_eq!(with_fix, ["a.html", "f.md"]);
        let out = fixed_in(html, &f, "a.html", "UTM-006");
        assert!(out.contains("?utm_source=a&amp;utm_medium=b\""), "{out}");
        let again = check_files(&[("a.html", &out)], "");
        assert!(at(&again, "UTM-006").is_empty(), "{again:?}");
        let out = fixed_in(md, &f, "f.md", "UTM-006");
        assert!(out.contains("?utm_source=a&x=1)"), "{out}");
    }

    #[test]
    fn distinct_keys_other_repeats_and_conditional_queries_pass() {
        let page = concat!(
            "<a href=\"https://p.example/?utm_source=a&utm_medium=b&tag=x&tag=y\">a</a>\n",
            "<a href=\"https://p.example/?utm_source=a{% if x %}&utm_source=b{% endif %}\">b</a>\n",
        );
        let f = check_files(&[("index.html", page)], "");
        assert!(at(&f, "UTM-006").is_empty(), "{f:?}");
    }
}
