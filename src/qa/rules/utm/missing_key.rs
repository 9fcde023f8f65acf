//! UTM-001 missing-utm-key: a tagged link without all of `utm_source`, `utm_medium` and
//! `utm_campaign`. Judged only when the parameter set is certain: no template tag in the
//! query and no key written by a template.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};
use crate::qa::url::Target;

static META: RuleMeta = RuleMeta {
    id: "UTM-001",
    name: "missing-utm-key",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "A tagged link lacks utm_source, utm_medium or utm_campaign",
    why: "GA4 needs source, medium and campaign together; a link with only some of them lands in (not set) or the wrong channel.",
    bad: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_campaign=2026-spring">Offer</a>"#,
    good: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring">Offer</a>"#,
    source: "GA help 10917952 (URL builders); utm-builder FAQ; DOMAIN.md §1.4",
};

const REQUIRED: [&str; 3] = ["utm_source", "utm_medium", "utm_campaign"];

pub struct MissingUtmKey;

impl Rule for MissingUtmKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for f in super::found_urls(doc, cx.settings).iter() {
            let url = &f.url;
            let utms = super::utm_indices(url);
            let certain = !url.query_dynamic && url.params.iter().all(|p| !p.key_dynamic);
            // Links to other sites, exempt hosts, and links back from emails and feeds.
            let outbound = match url.target(cx.settings.internal_hosts) {
                Target::External(_) | Target::Internal => {
                    super::strip_reason(doc, f, cx.settings).is_none()
                }
                _ => false,
            };
            if utms.is_empty()
                || !certain
                || !outbound
                || f.role != super::Role::Navigation
                || super::is_share_link(url)
            {
                continue;
            }
            let present: Vec<&str> = utms
                .iter()
                .filter_map(|&i| super::known_key(&url.params[i].key_text))
                .collect();
            let missing: Vec<&str> = REQUIRED
                .iter()
                .copied()
                .filter(|k| !present.contains(k))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let msg = format!("tagged link lacks {}", missing.join(", "));
            out.push(Finding::at(&META, doc, url.span, msg).hint("add the missing keys with values from the campaign plan; term and content are optional"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn incomplete_tags_are_flagged_at_the_url_in_every_engine() {
        let html = "<p>\n  <a href=\"https://p.example/?utm_source=a&amp;utm_medium=b\">x</a>\n";
        let liquid = "---\nlayout: none\n---\n<a href=\"https://p.example/?utm_source={{ page.src }}&utm_medium=email\">x</a>\n";
        let jinja = "{% block body %}<a href=\"https://p.example/?utm_campaign={{ c }}\">x</a>{% endblock %}\n";
        let hugo = "<a href=\"https://p.example/?utm_medium={{ .Params.m }}\">x</a>\n";
        let hbs = "<a href=\"https://p.example/?utm_source={{src}}\">x</a>\n";
        let md = "---\ntitle: x\n---\nSee [the offer](https://p.example/?utm_source=a).\n";
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
            at(&f, "UTM-001"),
            [
                ("a.html".into(), 2, 12),
                ("b.html".into(), 4, 10),
                ("c.njk".into(), 1, 26),
                ("d.html".into(), 1, 10),
                ("e.hbs".into(), 1, 10),
                ("f.md".into(), 4, 17),
            ]
        );
        let msg = &f
            .iter()
            .find(|x| x.rule.id == "UTM-001")
            .map(|x| x.message.clone());
        assert_eq!(msg.as_deref(), Some("tagged link lacks utm_campaign"));
    }

    #[test]
    fn complete_misspelt_templated_internal_and_untagged_links_pass() {
        let page = concat!(
            "<a href=\"https://p.example/?utm_source=a&utm_medium=b&utm_campaign=c&utm_term=d\">a</a>\n",
            "<a href=\"https://p.example/?utm_surce=a&utm_medium=b&utm_campaign=c\">b</a>\n",
            "<a href=\"https://p.example/?utm_source=a{% if x %}&utm_medium=b{% endif %}\">c</a>\n",
            "<a href=\"https://p.example/?utm_source=a&{{ more }}\">d</a>\n",
            "<a href=\"/pricing?utm_source=a\">e</a>\n",
            "<a href=\"{{ site.url }}/p?utm_source=a\">f</a>\n",
            "<a href=\"https://p.example/?ref=a\">g</a>\n",
            "<a href=\"https://www.linkedin.com/posts/x?utm_source=share&utm_medium=member_desktop\">h</a>\n",
            "<img src=\"https://p.example/px.gif?utm_source=a\">\n",
        );
        let f = check_files(&[("index.html", page)], "");
        assert!(at(&f, "UTM-001").is_empty(), "{f:?}");
    }
}
