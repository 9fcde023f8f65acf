//! UTM-014 utm-too-long: a literal UTM value over 100 characters, or a tagged URL over
//! 1000, past what GA4 keeps. Informational; nothing to rewrite mechanically.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "UTM-014",
    name: "utm-too-long",
    severity: Severity::Info,
    fix: FixKind::ReportOnly,
    summary: "A UTM value over 100 characters or a tagged URL over 1000",
    why: "GA4 cuts parameter values at 100 characters and page_location at 1000, so the end of a long campaign name is lost.",
    bad: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring-sale-for-returning-customers-who-opened-the-winter-newsletter-and-clicked-the-hero-banner">Offer</a>"#,
    good: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring-returning&amp;utm_content=hero">Offer</a>"#,
    source: "GA help 9267744 (event collection limits); DOMAIN.md §1.4",
};

const MAX_VALUE: usize = 100;
const MAX_URL: usize = 1000;

pub struct UtmTooLong;

impl Rule for UtmTooLong {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for f in super::found_urls(doc, cx.settings).iter() {
            let values = super::values(doc, f, cx.settings);
            for v in &values {
                let n = v.decoded.chars().count();
                if n > MAX_VALUE {
                    let msg = format!(
                        "`{}` value is {n} characters; GA4 keeps {MAX_VALUE}",
                        v.param.key_text
                    );
                    out.push(
                        Finding::at(&META, doc, v.span, msg)
                            .hint("shorten it; move detail to utm_content or the campaign plan"),
                    );
                }
            }
            let url = doc.slice(f.url.span);
            let n = crate::qa::page::decode_entities(url).chars().count();
            if !values.is_empty() && n > MAX_URL && !doc.is_dynamic(f.url.span) {
                let msg =
                    format!("tagged URL is {n} characters; GA4 keeps {MAX_URL} of page_location");
                out.push(
                    Finding::at(&META, doc, f.url.span, msg)
                        .hint("shorten the query; long values lose their end"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn long_values_and_urls_are_flagged_in_every_engine() {
        let long = "x".repeat(101);
        let huge = "y".repeat(990);
        let html = format!("<p>\n<a href=\"https://p.example/?utm_campaign={long}\">x</a>\n");
        let liquid = format!(
            "---\nlayout: none\n---\n<a href=\"https://p.example/?utm_content={long}&utm_source={{{{ page.s }}}}\">x</a>\n"
        );
        let jinja = format!(
            "{{% block body %}}<a href=\"https://p.example/?utm_term={long}\">x</a>{{% endblock %}}\n"
        );
        let hugo = format!("<a href=\"https://p.example/?utm_source=a&q={huge}\">x</a>\n");
        let hbs = format!(
            "<a href=\"https://p.example/?utm_content={long}&utm_medium={{{{m}}}}\">x</a>\n"
        );
        let md = format!("---\ntitle: x\n---\n[x](https://p.example/?utm_campaign={long})\n");
        let files = [
            ("a.html", html.as_str()),
            ("b.html", &liquid),
            ("c.njk", &jinja),
            ("d.html", &hugo),
            ("e.hbs", &hbs),
            ("f.md", &md),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "UTM-014"),
            [
                ("a.html".into(), 2, 42),
                ("b.html".into(), 4, 41),
                ("c.njk".into(), 1, 54),
                ("d.html".into(), 1, 10),
                ("e.hbs".into(), 1, 41),
                ("f.md".into(), 4, 37),
            ]
        );
    }

    #[test]
    fn short_values_and_templated_long_urls_pass() {
        let long = "x".repeat(100);
        let page = format!(
            "<a href=\"https://p.example/?utm_campaign={long}\">a</a>\n<a href=\"https://p.example/?utm_campaign={{{{ c }}}}{}\">b</a>\n",
            "z".repeat(200)
        );
        let f = check_files(&[("index.html", &page)], "");
        assert!(at(&f, "UTM-014").is_empty(), "{f:?}");
    }
}
