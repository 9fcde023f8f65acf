//! TAG-006 datalayer (its data-layer half): `window.dataLayer = window.dataLayer || []` runs
//! before the GTM snippet when anything pushes to the data layer first, and nothing replaces
//! the array (`dataLayer = [...]`) once GTM has loaded. The event-name half (every pushed
//! event is in the tracking plan) is added to this file with the plan.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{PageCx, Rule};
use crate::qa::tagging::coverage::PageTags;
use crate::qa::tagging::tags::{Placement, TagKind};

use super::{at_doc, where_};

static META: RuleMeta = RuleMeta {
    id: "TAG-006",
    name: "datalayer",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "dataLayer used before `window.dataLayer = window.dataLayer || []`, or replaced after the GTM snippet",
    why: "A push before the data layer exists throws and the page's data never reaches GTM; assigning a new array after GTM loads cuts GTM off from every later push, so triggers silently stop firing.",
    bad: r#"<head><script>dataLayer.push({'pageType': 'landing'});</script>
<script>(function(w,d,s,l,i){w[l]=w[l]||[];j.src='https://www.googletagmanager.com/gtm.js?id='+i;})(window,document,'script','dataLayer','GTM-ABC1234');</script></head>"#,
    good: r#"<head><script>window.dataLayer = window.dataLayer || [];
dataLayer.push({'pageType': 'landing'});</script>
<script>(function(w,d,s,l,i){w[l]=w[l]||[];j.src='https://www.googletagmanager.com/gtm.js?id='+i;})(window,document,'script','dataLayer','GTM-ABC1234');</script></head>"#,
    source: "Google Tag Manager developer guide, The data layer (DOMAIN.md §2.2)",
};

pub struct DataLayer;

impl Rule for DataLayer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        let t = PageTags::of(view);
        let Some(gtm) = t
            .tags
            .iter()
            .find(|p| p.tag.kind == TagKind::Gtm && p.tag.placement == Placement::Loader)
        else {
            return;
        };
        let first_init = t.datalayer_inits.first().map(|i| &i.0);
        let early_push = t
            .datalayer_pushes
            .iter()
            .find(|p| p.0 < gtm.key && first_init.is_none_or(|i| *i > p.0));
        if let Some((_, d, span)) = early_push {
            out.push(
                at_doc(&META, view, *d, *span, format!("dataLayer.push runs before `window.dataLayer = window.dataLayer || []` and the GTM snippet ({})", where_(gtm)))
                    .hint("start the first script in <head> with `window.dataLayer = window.dataLayer || [];`"),
            );
        }
        for (_, d, span) in t.datalayer_resets.iter().filter(|r| r.0 > gtm.key) {
            out.push(
                at_doc(&META, view, *d, *span, format!("dataLayer is replaced after the GTM snippet ({}), which cuts GTM off from later pushes", where_(gtm)))
                    .hint("use `window.dataLayer = window.dataLayer || [];` and push to it"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn a_push_before_gtm_and_a_reset_after_it_are_flagged() {
        let gtm = "<script>(function(w,d,s,l,i){j.src='https://www.googletagmanager.com/gtm.js?id='+i;})(window,document,'script','dataLayer','GTM-AB12CD');</script>";
        let f = check_files(
            &[
                ("_config.yml", "title: x\n"),
                ("a.html", &format!("<html><head><script>dataLayer.push({{a: 1}});</script>\n{gtm}</head><body><script>var dataLayer = [{{b: 2}}];</script></body></html>")),
                ("b.html", &format!("<html><head><script>window.dataLayer = window.dataLayer || []; dataLayer.push({{a: 1}});</script>\n{gtm}</head><body></body></html>")),
            ],
            "",
        );
        assert_eq!(at(&f, "TAG-006"), [("a.html".into(), 1, 21), ("a.html".into(), 2, 172)]);
    }
}
