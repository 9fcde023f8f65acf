//! UTM-008 utm-on-internal-link: a link to this site that carries UTM parameters.
//!
//! Internal means relative, root-relative, or absolute to `internal_hosts` / `site_url`'s
//! host; hosts in `utm_exempt_hosts` count as external (UTM-008a). The fix strips every
//! UTM with its separator, and is withheld when any of them is template output.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "UTM-008",
    name: "utm-on-internal-link",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "A link to this site carries UTM parameters",
    why: "A UTM on an internal link starts a new session and overwrites the visit's real source, so the campaign that brought the visitor loses the credit.",
    bad: r#"<a href="/pricing?utm_source=homepage&amp;utm_medium=banner&amp;utm_campaign=2026-spring">Pricing</a>"#,
    good: r#"<a href="/pricing" data-promo="2026-spring">Pricing</a>"#,
    source: "WebmasterID, Analytics Detectives and leanstack on internal UTMs; mozilla/bedrock analytics docs (exempt hosts); DOMAIN.md §1.4",
};

pub struct UtmOnInternalLink;

impl Rule for UtmOnInternalLink {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for f in super::found_urls(doc, cx.settings).iter() {
            let cleanup = super::cleanup(doc, f, cx.settings);
            let utms = super::utm_indices(&f.url);
            if cleanup.strip != Some(super::Strip::Internal) || utms.is_empty() {
                continue;
            }
            let keys: Vec<&str> = utms
                .iter()
                .map(|&i| f.url.params[i].key_text.as_str())
                .collect();
            let msg = format!("link to this site carries {}", keys.join(", "));
            let finding = Finding::at(&META, doc, f.url.params[utms[0]].span, msg);
            let hint =
                "remove them; track internal promotions with click events or data attributes";
            match cleanup.fix.clone().filter(|_| cleanup.strips_utms) {
                Some((span, text)) => out.push(finding.hint(hint).fix(span, text)),
                None => out.push(finding.hint(format!(
                    "{hint} (not fixed automatically: part of the query is template output)"
                ))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::fixed_in;
    use crate::qa::testing::{at, check_files};

    const HOSTS: &str = "site_url = \"https://www.example.com\"\n[utm]\ninternal_hosts = [\"example.com\", \"shop.example.com\"]\nutm_exempt_hosts = [\"shop.example.com\"]\n";

    #[test]
    fn tagged_internal_links_are_flagged_and_stripped_in_every_engine() {
        let html = "<p>\n<a href=\"/p?utm_source=a&amp;x=1&amp;utm_medium=b#top\">x</a>\n";
        let liquid = "---\nlayout: none\n---\n<a href=\"{{ '/p' | relative_url }}?utm_source=a\">x</a> <a href=\"https://www.example.com/p?utm_source=a\">y</a>\n";
        let jinja = "{% block body %}<a href=\"/p?x={{ x }}&utm_source=a\">x</a>{% endblock %}\n";
        let hugo = "<a href=\"https://example.com/?utm_campaign={{ .Params.c }}\">x</a>\n";
        let hbs = "<a href=\"pricing.html?utm_medium=banner&ref={{ref}}\">x</a>\n";
        let md = "---\ntitle: x\n---\n[x](/p?utm_source=a)\n";
        let files = [
            ("a.html", html),
            ("b.html", liquid),
            ("c.njk", jinja),
            ("d.html", hugo),
            ("e.hbs", hbs),
            ("f.md", md),
        ];
        let f = check_files(&files, HOSTS);
        assert_eq!(
            at(&f, "UTM-008"),
            [
                ("a.html".into(), 2, 13),
                ("b.html".into(), 4, 91),
                ("c.njk".into(), 1, 39),
                ("d.html".into(), 1, 31),
                ("e.hbs".into(), 1, 23),
                ("f.md".into(), 4, 8),
            ]
        );
        let out = fixed_in(html, &f, "a.html", "UTM-008");
        assert!(out.contains("\"/p?x=1#top\""), "{out}");
        let out = fixed_in(md, &f, "f.md", "UTM-008");
        assert!(out.contains("[x](/p)"), "{out}");
        let out = fixed_in(hbs, &f, "e.hbs", "UTM-008");
        assert!(out.contains("\"pricing.html?ref={{ref}}\""), "{out}");
        let out = fixed_in(jinja, &f, "c.njk", "UTM-008");
        assert!(out.contains("\"/p?x={{ x }}\""), "{out}");
        let again = check_files(&[("f.md", &out)], HOSTS);
        assert!(at(&again, "UTM-008").is_empty(), "{again:?}");
        let hugo_fix = f
            .iter()
            .find(|x| x.file.as_ref() == "d.html" && x.rule.id == "UTM-008")
            .and_then(|x| x.fix.clone());
        assert!(hugo_fix.is_none(), "a template value is never stripped");
    }

    #[test]
    fn external_exempt_and_untagged_links_pass() {
        let page = concat!(
            "<a href=\"https://partner.example/?utm_source=a\">a</a>\n",
            "<a href=\"https://shop.example.com/?utm_source=www.example.com&utm_medium=referral\">b</a>\n",
            "<a href=\"/p?ref=a\">c</a>\n",
            "<img src=\"/px.gif?utm_source=a\">\n",
            "<a href=\"mailto:a@example.com?subject=utm_source\">d</a>\n",
        );
        let f = check_files(&[("index.html", page)], HOSTS);
        assert!(at(&f, "UTM-008").is_empty(), "{f:?}");
    }

    #[test]
    fn links_back_from_emails_and_feeds_may_carry_utms_and_must_be_complete() {
        let mail =
            "<a href=\"https://www.example.com/p?utm_source=newsletter&utm_medium=email\">x</a>\n";
        let feed = "<link>https://www.example.com/p?utm_source=rss&amp;utm_medium=rss&amp;utm_campaign=feed</link>\n<a href=\"/p?utm_source=rss\">y</a>\n";
        let f = check_files(&[("emails/june.html", mail), ("feed.xml.njk", feed)], HOSTS);
        assert!(at(&f, "UTM-008").is_empty(), "{f:?}");
        assert_eq!(
            at(&f, "UTM-001"),
            [
                ("emails/june.html".into(), 1, 10),
                ("feed.xml.njk".into(), 2, 10)
            ]
        );
    }
}
