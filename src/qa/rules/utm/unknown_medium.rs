//! UTM-009 unknown-utm-medium: a literal `utm_medium` the taxonomy's `mediums` does not list.
//!
//! The fix writes the taxonomy's value for an alias (`newsletter` → `email`) or for a
//! value that only differs in case when values must be lowercase (`Email` → `email`).

use crate::config::Case;
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "UTM-009",
    name: "unknown-utm-medium",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "utm_medium is not a medium of the taxonomy (and so not a GA4 channel)",
    why: "GA4 sorts visits into channels by medium; a medium outside its rules (`newsletter`, `mail`) is reported as Unassigned.",
    bad: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=e-mail&amp;utm_campaign=2026-spring">Offer</a>"#,
    good: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring">Offer</a>"#,
    source: "GA help 9756891 (default channel group); MetricFixer recommended values; DOMAIN.md §1.3",
};

pub struct UnknownUtmMedium;

impl Rule for UnknownUtmMedium {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let tax = &cx.settings.config.utm;
        for f in super::found_urls(doc, cx.settings).iter() {
            for v in super::values(doc, f, cx.settings) {
                if v.key != Some("utm_medium")
                    || super::listed(tax.mediums.keys(), v.decoded, tax.case)
                {
                    continue;
                }
                let target = v
                    .canon
                    .filter(|c| super::listed(tax.mediums.keys(), c, tax.case));
                let msg = match target {
                    Some(c) if !c.eq_ignore_ascii_case(v.normalized.unwrap_or("")) => {
                        format!("utm_medium `{}` is an alias of `{c}`", v.decoded)
                    }
                    Some(c) => format!(
                        "utm_medium `{}` is written `{c}` in the taxonomy",
                        v.decoded
                    ),
                    None => format!(
                        "utm_medium `{}` is not in the taxonomy, so GA4 reports the visit as Unassigned",
                        v.decoded
                    ),
                };
                let finding = Finding::at(&META, doc, v.span, msg);
                match target.filter(|_| v.fix().is_some()) {
                    Some(c) => out.push(finding.hint(format!("write `{c}`")).fix(v.span, c)),
                    None => out.push(finding.hint(known(tax.mediums.keys(), tax.case))),
                }
            }
        }
    }
}

/// "use one of …", in the taxonomy's case.
pub(super) fn known<'a>(values: impl Iterator<Item = &'a String>, case: Case) -> String {
    let list: Vec<String> = values
        .take(12)
        .map(|v| super::apply_case(v, case))
        .collect();
    format!(
        "use one of: {} (or add it to the taxonomy in sitewide.toml)",
        list.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::fixed_in;
    use crate::qa::testing::{at, check_files};

    #[test]
    fn unknown_aliased_and_miscased_mediums_are_flagged_in_every_engine() {
        let html =
            "<p>\n<a href=\"https://p.example/?utm_medium=newsletter&amp;utm_source=a\">x</a>\n";
        let liquid = "---\nlayout: none\n---\n<a href=\"https://p.example/?utm_medium=Email&utm_source={{ page.s }}\">x</a>\n";
        let jinja = "{% block body %}<a href=\"https://p.example/?utm_medium=print&utm_source={{ s }}\">x</a>{% endblock %}\n";
        let hugo =
            "<a href=\"https://p.example/?utm_medium=E-Mail&utm_term={{ .Params.t }}\">x</a>\n";
        let hbs = "<a href=\"https://p.example/?utm_medium=e%20mail&utm_source={{s}}\">x</a>\n";
        let md = "---\ntitle: x\n---\n[x](https://p.example/?utm_medium=affiliates)\n";
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
            at(&f, "UTM-009"),
            [
                ("a.html".into(), 2, 40),
                ("b.html".into(), 4, 40),
                ("c.njk".into(), 1, 56),
                ("d.html".into(), 1, 40),
                ("e.hbs".into(), 1, 40),
                ("f.md".into(), 4, 35),
            ]
        );
        let fixes: Vec<Option<String>> = f
            .iter()
            .filter(|x| x.rule.id == "UTM-009")
            .map(|x| x.fix.as_ref().map(|x| x.replacement.clone()))
            .collect();
        let want = [
            Some("email"),
            Some("email"),
            None,
            Some("email"),
            Some("email"),
            Some("affiliate"),
        ];
        assert_eq!(fixes, want.map(|w| w.map(String::from)));
        for (file, text) in files {
            let out = fixed_in(text, &f, file, "UTM-009");
            let again = check_files(&[(file, &out)], "");
            let left = at(&again, "UTM-009");
            assert!(left.is_empty() || file == "c.njk", "{file}: {out}");
            assert!(
                again
                    .iter()
                    .filter(|x| ["UTM-003", "UTM-004"].contains(&x.rule.id))
                    .count()
                    == 0,
                "{file}: {again:?}"
            );
        }
    }

    #[test]
    fn taxonomy_mediums_pass_and_case_any_accepts_other_case() {
        let page = concat!(
            "<a href=\"https://p.example/?utm_medium=cpc\">a</a>\n<a href=\"https://p.example/?utm_medium={{ m }}\">b</a>\n",
            "<a href=\"https://www.reddit.com/r/x/comments/y?utm_source=share&utm_medium=web2x&context=3\">c</a>\n",
        );
        let f = check_files(&[("index.html", page)], "");
        assert!(at(&f, "UTM-009").is_empty(), "{f:?}");
        let page = "<a href=\"https://p.example/?utm_medium=Email\">a</a>\n";
        let f = check_files(&[("index.html", page)], "[utm]\ncase = \"any\"\n");
        assert!(at(&f, "UTM-009").is_empty(), "{f:?}");
    }
}
