//! LEG-002 consent-banner: a page that carries non-essential tags (analytics, advertising)
//! loads a consent platform (OneTrust, Cookiebot, Usercentrics, Didomi, Osano, …). With
//! `[legal] ccpa = true` (the business sells or shares data under CCPA/CPRA), every page also
//! links "Do Not Sell or Share My Personal Information" or "Your Privacy Choices". Whether
//! Global Privacy Control is honoured is a setting of the consent platform, not of the
//! repository, so it is not judged here.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{PageCx, Rule};
use crate::qa::tagging::coverage::PageTags;
use crate::qa::tagging::tags::Placement;

use super::{control_text, footer_anchor, footer_controls};

static META: RuleMeta = RuleMeta {
    id: "LEG-002",
    name: "consent-banner",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "A page with non-essential tags loads no consent banner (CMP), or lacks the CCPA \"Do Not Sell or Share\" link",
    why: "Analytics and advertising cookies need prior consent in the EU and UK; a page that loads them without a consent platform sets them for every visitor. Under CCPA/CPRA a business that sells or shares data must offer the opt-out link on every page.",
    bad: r#"<head><script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script></head>"#,
    good: r#"<head><script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" data-domain-script="0aa1bb2c-1111-2222-3333-444455556666"></script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script></head>"#,
    source: "GDPR Art. 6-7 and ePrivacy Art. 5(3); CCPA §1798.135 (DOMAIN.md §3)",
};

const CCPA: &[&str] = &[
    "do not sell",
    "do not share",
    "your privacy choices",
    "do-not-sell",
    "privacy-choices",
];

pub struct ConsentBanner;

impl Rule for ConsentBanner {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        let t = PageTags::of(view, cx.settings.site_values);
        let has_cmp = t.tags.iter().any(|p| p.tag.kind.is_cmp()) || !t.other_cmps.is_empty();
        let first = t
            .non_essential()
            .find(|p| p.tag.placement != Placement::Noscript);
        // A layout or include that could not be followed may hold the consent platform.
        if let Some(tag) = first.filter(|_| !has_cmp && view.is_complete()) {
            out.push(
                super::super::tagging::at_tag(&META, view, tag, format!("{} {} loads but no consent banner (CMP) is loaded on this page", tag.tag.kind.as_str(), tag.tag.id.display()))
                    .hint("load the consent platform (OneTrust, Cookiebot, …) in the layout's <head>, before the tags"),
            );
        }
        if cx.settings.config.legal.ccpa && crate::qa::rules::tagging::is_html_page(view) {
            let found = footer_controls(view, &t).is_none_or(|controls| {
                controls
                    .into_iter()
                    .any(|(d, i)| CCPA.iter().any(|w| control_text(d, i).contains(w)))
            });
            if !found {
                let (doc, span) = footer_anchor(view);
                out.push(
                    Finding::at(&META, doc, span, "no \"Do Not Sell or Share My Personal Information\" (or \"Your Privacy Choices\") link")
                        .hint("[legal] ccpa = true: link the opt-out page from the footer of every page"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn a_tagged_page_without_a_cmp_and_a_page_without_the_ccpa_link_are_flagged() {
        let f = check_files(
            &[
                ("_config.yml", "title: x\n"),
                (
                    "a.html",
                    "<html><head><script>fbq('init', '42');</script></head><body><footer><a href=\"/privacy/\">Privacy</a></footer></body></html>",
                ),
                (
                    "b.html",
                    "<html><head><script src=\"https://app.usercentrics.eu/browser-ui/latest/loader.js\"></script></head><body><footer><a href=\"/do-not-sell/\">Do Not Sell or Share My Personal Information</a></footer></body></html>",
                ),
            ],
            "[legal]\nccpa = true\n",
        );
        assert_eq!(
            at(&f, "LEG-002"),
            [("a.html".into(), 1, 33), ("a.html".into(), 1, 61)]
        );
    }
}
