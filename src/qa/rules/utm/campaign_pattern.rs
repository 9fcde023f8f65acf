//! UTM-011 campaign-off-pattern: a literal `utm_campaign` that does not match the
//! taxonomy's `campaign_pattern`. Runs only when a pattern is configured.
//!
//! The value is judged in its canonical form: one that only needs the case or charset fix
//! (UTM-003, UTM-004) to match is not reported twice.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "UTM-011",
    name: "campaign-off-pattern",
    severity: Severity::Warning,
    fix: FixKind::Judgement,
    summary: "utm_campaign does not match the taxonomy's campaign_pattern",
    why: "A campaign name outside the agreed pattern cannot be grouped or filtered with the others, so its results drop out of the campaign reports.",
    bad: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=springsale">Offer</a>"#,
    good: r#"<a href="https://partner.example/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring-sale">Offer</a>"#,
    source: "utmbuildertool and utmbuilder.com conventions; DOMAIN.md §1.4",
};

pub struct CampaignOffPattern;

impl Rule for CampaignOffPattern {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let Some(pattern) = cx.settings.config.utm.campaign_pattern.as_ref() else {
            return;
        };
        // Compiled (and validated) once, when the config was read.
        let Some(re) = cx.settings.config.utm.campaign_regex.as_ref() else {
            return;
        };
        for f in super::found_urls(doc, cx.settings).iter() {
            for v in super::values(doc, f, cx.settings) {
                let value = v.canon.unwrap_or(v.decoded);
                if v.key != Some("utm_campaign") || re.is_match(value) {
                    continue;
                }
                let msg = format!(
                    "utm_campaign `{}` does not match the campaign pattern `{}`",
                    v.decoded,
                    pattern.get_ref()
                );
                out.push(
                    Finding::at(&META, doc, v.span, msg)
                        .hint("rename the campaign to follow the pattern in sitewide.toml"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    const PATTERN: &str = "[utm]\ncampaign_pattern = '^\\d{4}-[a-z0-9]+(-[a-z0-9]+)*$'\n";

    #[test]
    fn campaigns_off_the_pattern_are_flagged_in_every_engine() {
        let html =
            "<p>\n<a href=\"https://p.example/?utm_campaign=springsale&amp;utm_source=a\">x</a>\n";
        let liquid = "---\nlayout: none\n---\n<a href=\"https://p.example/?utm_campaign=sale-2026&utm_source={{ page.s }}\">x</a>\n";
        let jinja = "{% block body %}<a href=\"https://p.example/?utm_campaign=q1&utm_source={{ s }}\">x</a>{% endblock %}\n";
        let hugo =
            "<a href=\"https://p.example/?utm_campaign=26-x&utm_term={{ .Params.t }}\">x</a>\n";
        let hbs = "<a href=\"https://p.example/?utm_campaign=launch&utm_source={{s}}\">x</a>\n";
        let md = "---\ntitle: x\n---\n[x](https://p.example/?utm_campaign=black-friday)\n";
        let files = [
            ("a.html", html),
            ("b.html", liquid),
            ("c.njk", jinja),
            ("d.html", hugo),
            ("e.hbs", hbs),
            ("f.md", md),
        ];
        let f = check_files(&files, PATTERN);
        assert_eq!(
            at(&f, "UTM-011"),
            [
                ("a.html".into(), 2, 42),
                ("b.html".into(), 4, 42),
                ("c.njk".into(), 1, 58),
                ("d.html".into(), 1, 42),
                ("e.hbs".into(), 1, 42),
                ("f.md".into(), 4, 37),
            ]
        );
    }

    #[test]
    fn matching_fixable_templated_and_unconfigured_campaigns_pass() {
        let page = concat!(
            "<a href=\"https://p.example/?utm_campaign=2026-spring-sale\">a</a>\n",
            "<a href=\"https://p.example/?utm_campaign=2026 Spring Sale\">b</a>\n",
            "<a href=\"https://p.example/?utm_campaign={{ page.campaign }}\">c</a>\n",
        );
        let f = check_files(&[("index.html", page)], PATTERN);
        assert!(at(&f, "UTM-011").is_empty(), "{f:?}");
        let f = check_files(
            &[(
                "index.html",
                "<a href=\"https://p.example/?utm_campaign=x\">a</a>",
            )],
            "",
        );
        assert!(at(&f, "UTM-011").is_empty(), "{f:?}");
    }
}
