//! TAG-004 consent-mode: Consent Mode v2 on a page with Google tags:
//! `gtag('consent', 'default', {...})` with `ad_storage`, `analytics_storage`, `ad_user_data`
//! and `ad_personalization` runs before any gtag config or GTM load, and an `update` call
//! follows the visitor's choice. Cookiebot sets both itself unless its loader has
//! `data-consentmode="disabled"`; OneTrust needs them written (or its GCM integration, which
//! the repository does not show), so an explicit default is required there.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{PageCx, Rule};
use crate::qa::tagging::coverage::PageTags;
use crate::qa::tagging::tags::{Placement, TagKind};

use super::{at_doc, at_tag, where_};

static META: RuleMeta = RuleMeta {
    id: "TAG-004",
    name: "consent-mode",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "Consent Mode v2 default (all four keys) missing or after the Google tag loads, or no update call",
    why: "Since March 2024 Google needs Consent Mode v2 signals for EEA traffic: without a default set before the tag loads, the first hits ignore the visitor's choice, and without ad_user_data/ad_personalization remarketing and conversion modelling stop.",
    bad: r#"<head><script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>gtag('config', 'G-ABC123');
gtag('consent', 'default', {'ad_storage': 'denied', 'analytics_storage': 'denied'});</script></head>"#,
    good: r#"<head><script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}
gtag('consent', 'default', {'ad_storage': 'denied', 'analytics_storage': 'denied', 'ad_user_data': 'denied', 'ad_personalization': 'denied'});
function onConsent(granted) { gtag('consent', 'update', {'analytics_storage': granted ? 'granted' : 'denied'}); }</script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>gtag('config', 'G-ABC123');</script></head>"#,
    source: "Google Developers, Set up consent mode on websites (Consent Mode v2) (DOMAIN.md §2.2)",
};

const KEYS: [&str; 4] = [
    "ad_storage",
    "analytics_storage",
    "ad_user_data",
    "ad_personalization",
];

pub struct ConsentMode;

impl Rule for ConsentMode {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        let t = PageTags::of(view, cx.settings.site_values);
        let Some(first) = t.tags.iter().find(|p| {
            matches!(p.tag.kind, TagKind::Gtm | TagKind::Gtag)
                && p.tag.placement != Placement::Noscript
        }) else {
            return;
        };
        let cookiebot_auto = t.tags.iter().any(|p| {
            p.tag.kind == TagKind::Cookiebot
                && p.key < first.key
                && view.docs[p.doc]
                    .attr_value(p.tag.element, "data-consentmode")
                    .is_none_or(|v| !v.eq_ignore_ascii_case("disabled"))
        });
        if cookiebot_auto {
            return;
        }
        let Some(default) = t.consent.iter().find(|c| !c.consent.update) else {
            // A layout or include that could not be followed may set the default.
            if !view.is_complete() {
                return;
            }
            out.push(
                at_tag(&META, view, first, format!("{} {} loads with no Consent Mode default set before it", first.tag.kind.as_str(), first.tag.id.display()))
                    .hint("run gtag('consent', 'default', {ad_storage, analytics_storage, ad_user_data, ad_personalization: 'denied'}) before the tag"),
            );
            return;
        };
        let missing: Vec<&str> = KEYS
            .iter()
            .filter(|k| !default.consent.keys.iter().any(|x| x == *k))
            .copied()
            .collect();
        let span = default.consent.span;
        if !missing.is_empty() {
            out.push(
                at_doc(&META, view, default.doc, span, format!("the Consent Mode default lacks {}", missing.join(", ")))
                    .hint("Consent Mode v2 needs all four keys: ad_storage, analytics_storage, ad_user_data, ad_personalization"),
            );
        }
        if default.key > first.key {
            out.push(
                at_doc(
                    &META,
                    view,
                    default.doc,
                    span,
                    format!(
                        "the Consent Mode default runs after {} loads at {}",
                        first.tag.id.display(),
                        where_(first)
                    ),
                )
                .hint("move the consent default above the Google tag"),
            );
        }
        let cmp = t.tags.iter().any(|p| p.tag.kind.is_cmp()) || !t.other_cmps.is_empty();
        if !cmp && !t.consent.iter().any(|c| c.consent.update) {
            out.push(
                at_doc(
                    &META,
                    view,
                    default.doc,
                    span,
                    "no gtag('consent', 'update', …) follows the visitor's choice",
                )
                .hint("call gtag('consent', 'update', {...}) from the consent banner's callback"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn a_consent_default_in_the_body_include_comes_too_late() {
        let layout = "<html><head>\n<script async src=\"https://www.googletagmanager.com/gtag/js?id=G-ABC123\"></script>\n</head><body>{% include consent.html %}{{ content }}</body></html>";
        let f = check_files(
            &[
                ("_config.yml", "title: x\n"),
                ("_layouts/default.html", layout),
                (
                    "_includes/consent.html",
                    "<script>gtag('consent', 'default', {'ad_storage': 'denied', 'analytics_storage': 'denied', 'ad_user_data': 'denied', 'ad_personalization': 'denied'});\ngtag('consent', 'update', {'ad_storage': 'granted'});</script>",
                ),
                ("index.md", "---\nlayout: default\n---\nhi\n"),
            ],
            "",
        );
        assert_eq!(at(&f, "TAG-004"), [("_includes/consent.html".into(), 1, 9)]);
    }
}
