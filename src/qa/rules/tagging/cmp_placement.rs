//! TAG-005 cmp-placement: the consent platform's loader in the position its vendor
//! requires: before every tag it governs (OneTrust's `otSDKStub.js` and autoblock), and for
//! Cookiebot, as the very first script in `<head>`. Pages that carry tags with no consent
//! platform at all are LEG-002's.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{PageCx, Rule};
use crate::qa::tagging::coverage::PageTags;
use crate::qa::tagging::tags::{Placement, TagKind};

use super::{at_tag, where_};

static META: RuleMeta = RuleMeta {
    id: "TAG-005",
    name: "cmp-placement",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "The consent platform (OneTrust, Cookiebot) loads after the tags it governs, or Cookiebot is not the first script in <head>",
    why: "A consent platform can only block or hold the tags that load after it: a tag above the CMP fires before the visitor chooses, which is the consent breach the CMP was bought to prevent.",
    bad: r#"<head><script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="0aa1bb2c-1111-2222-3333-444455556666" type="text/javascript"></script></head>"#,
    good: r#"<head><script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="0aa1bb2c-1111-2222-3333-444455556666" type="text/javascript"></script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script></head>"#,
    source: "Cookiebot, Manual implementation (the script must be the first in <head>); OneTrust, Cookie Consent script placement (DOMAIN.md §2.2)",
};

pub struct CmpPlacement;

impl Rule for CmpPlacement {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        let t = PageTags::of(view, cx.settings.site_values);
        let Some(cmp) = t.tags.iter().find(|p| p.tag.kind.is_cmp()) else {
            return;
        };
        let first_tag = t
            .non_essential()
            .filter(|p| p.tag.placement != Placement::Noscript)
            .find(|p| p.key < cmp.key);
        if let Some(tag) = first_tag {
            out.push(
                at_tag(
                    &META,
                    view,
                    cmp,
                    format!(
                        "the {} loader comes after {} {} loads at {}",
                        name(cmp.tag.kind),
                        tag.tag.kind.as_str(),
                        tag.tag.id.display(),
                        where_(tag)
                    ),
                )
                .hint("load the consent platform before every tag it governs"),
            );
            return;
        }
        if cmp.tag.kind == TagKind::Cookiebot
            && let Some(first) = t.first_head_script
            && first != (cmp.doc, cmp.tag.element)
        {
            let d = view.docs[first.0];
            let what = d
                .attr_value(first.1, "src")
                .map_or("an inline script".to_string(), |s| format!("`{s}`"));
            out.push(
                at_tag(&META, view, cmp, format!("the Cookiebot script is not the first script in <head> ({what} comes first)"))
                    .hint("Cookiebot requires uc.js to be the very first script in <head>"),
            );
        }
    }
}

fn name(kind: TagKind) -> &'static str {
    match kind {
        TagKind::Cookiebot => "Cookiebot",
        _ => "OneTrust",
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn onetrust_after_gtm_and_cookiebot_after_another_script_are_flagged() {
        let gtm = "<script>(function(w,d,s,l,i){})(window,document,'script','dataLayer','GTM-AB12CD');j.src='https://www.googletagmanager.com/gtm.js?id='</script>";
        let ot = r#"<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" data-domain-script="abcd-1234"></script>"#;
        let cb = r#"<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="cb-1"></script>"#;
        let f = check_files(
            &[
                ("_config.yml", "title: x\n"),
                (
                    "a.html",
                    &format!("<html><head>{gtm}\n{ot}</head><body></body></html>"),
                ),
                (
                    "b.html",
                    &format!(
                        "<html><head><script src=\"/js/site.js\"></script>\n{cb}</head><body></body></html>"
                    ),
                ),
                (
                    "c.html",
                    &format!("<html><head>{cb}\n{gtm}</head><body></body></html>"),
                ),
            ],
            "",
        );
        assert_eq!(
            at(&f, "TAG-005"),
            [("a.html".into(), 2, 14), ("b.html".into(), 2, 29)]
        );
    }
}
