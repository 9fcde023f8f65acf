//! UTM-010 unknown-utm-source: a literal `utm_source` that is an alias of a taxonomy value
//! (`fb` → `facebook`), or, when the taxonomy lists `sources`, one it does not list.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "UTM-010",
    name: "unknown-utm-source",
    severity: Severity::Warning,
    fix: FixKind::Deterministic,
    summary: "utm_source is an alias (fb, facebook.com) or not in the taxonomy's sources",
    why: "One referrer written several ways (`fb`, `facebook.com`, `facebook`) splits its traffic across rows, so no report shows its real total.",
    bad: r#"<a href="https://partner.example/?utm_source=fb&amp;utm_medium=paid-social&amp;utm_campaign=2026-spring">Offer</a>"#,
    good: r#"<a href="https://partner.example/?utm_source=facebook&amp;utm_medium=paid-social&amp;utm_campaign=2026-spring">Offer</a>"#,
    source: "utmbuildertool naming conventions; Adobe Marketo Measure UTM best practices; DOMAIN.md §1.4",
};

pub struct UnknownUtmSource;

impl Rule for UnknownUtmSource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let tax = &cx.settings.config.utm;
        let closed = !tax.sources.is_empty();
        for f in super::found_urls(doc, cx.settings).iter() {
            for v in super::values(doc, f, cx.settings) {
                if v.key != Some("utm_source") {
                    continue;
                }
                let aliased = v
                    .canon
                    .filter(|c| !c.eq_ignore_ascii_case(v.normalized.unwrap_or(c)));
                let listed = super::listed(tax.sources.iter(), v.decoded, tax.case);
                if (closed && listed) || (!closed && aliased.is_none()) {
                    continue;
                }
                let target = match closed {
                    true => v
                        .canon
                        .filter(|c| super::listed(tax.sources.iter(), c, tax.case)),
                    false => aliased,
                };
                let msg = match (aliased.is_some(), target) {
                    (true, Some(c)) => format!("utm_source `{}` is an alias of `{c}`", v.decoded),
                    (false, Some(c)) => format!(
                        "utm_source `{}` is written `{c}` in the taxonomy",
                        v.decoded
                    ),
                    _ => format!(
                        "utm_source `{}` is not in the taxonomy's sources",
                        v.decoded
                    ),
                };
                let finding = Finding::at(&META, doc, v.span, msg);
                match target.filter(|_| v.fix().is_some()) {
                    Some(c) => out.push(finding.hint(format!("write `{c}`")).fix(v.span, c)),
                    None => out.push(
                        finding.hint(super::unknown_medium::known(tax.sources.iter(), tax.case)),
                    ),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::fixed_in;
    use crate::qa::testing::{at, check_files};

    const CLOSED: &str = "[utm]\nsources = [\"facebook\", \"google\", \"partner-acme\"]\n[utm.source_aliases]\nfb = \"facebook\"\n\"facebook.com\" = \"facebook\"\n";

    #[test]
    fn aliases_are_mapped_with_the_default_open_vocabulary_in_every_engine() {
        let html = "<p>\n<a href=\"https://p.example/?utm_source=fb&amp;utm_medium=a\">x</a>\n";
        let liquid = "---\nlayout: none\n---\n<a href=\"https://p.example/?utm_source=Facebook.com&utm_medium={{ page.m }}\">x</a>\n";
        let jinja = "{% block body %}<a href=\"https://p.example/?utm_source=lnkd.in&utm_medium={{ m }}\">x</a>{% endblock %}\n";
        let hugo =
            "<a href=\"https://p.example/?utm_source=t.co&utm_term={{ .Params.t }}\">x</a>\n";
        let hbs = "<a href=\"https://p.example/?utm_source=IG&utm_medium={{m}}\">x</a>\n";
        let md = "---\ntitle: x\n---\n[x](https://p.example/?utm_source=youtube.com)\n";
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
            at(&f, "UTM-010"),
            [
                ("a.html".into(), 2, 40),
                ("b.html".into(), 4, 40),
                ("c.njk".into(), 1, 56),
                ("d.html".into(), 1, 40),
                ("e.hbs".into(), 1, 40),
                ("f.md".into(), 4, 35),
            ]
        );
        for (file, text) in files {
            let out = fixed_in(text, &f, file, "UTM-010");
            let again = check_files(&[(file, &out)], "");
            assert!(
                at(&again, "UTM-010").is_empty() && at(&again, "UTM-003").is_empty(),
                "{file}: {out}"
            );
        }
    }

    #[test]
    fn a_closed_vocabulary_flags_unlisted_sources() {
        let page = "<a href=\"https://p.example/?utm_source=bing\">a</a>\n<a href=\"https://p.example/?utm_source=Google\">b</a>\n<a href=\"https://p.example/?utm_source=partner-acme\">c</a>\n";
        let f = check_files(&[("index.html", page)], CLOSED);
        assert_eq!(
            at(&f, "UTM-010"),
            [("index.html".into(), 1, 40), ("index.html".into(), 2, 40)]
        );
        let out = fixed_in(page, &f, "index.html", "UTM-010");
        assert!(out.contains("utm_source=google\""), "{out}");
    }

    #[test]
    fn plain_sources_pass_without_a_vocabulary() {
        let page = "<a href=\"https://p.example/?utm_source=facebook\">a</a>\n<a href=\"https://p.example/?utm_source=acme-weekly\">b</a>\n";
        let f = check_files(&[("index.html", page)], "");
        assert!(at(&f, "UTM-010").is_empty(), "{f:?}");
    }
}
