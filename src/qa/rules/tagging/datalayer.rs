//! TAG-006, one rule in two halves. The data-layer half (here): `window.dataLayer =
//! window.dataLayer || []` runs before the GTM snippet when anything pushes to the data
//! layer first, and nothing replaces the array (`dataLayer = [...]`) once GTM has loaded.
//! The events half (every pushed event is in the tracking plan) is `unplanned_event`, run
//! from this rule so the id has one entry.

use super::on_events::{EventRule, in_document, in_scripts};
use crate::qa::finding::{Finding, RuleMeta};
use crate::qa::rules::{FileCx, PageCx, Rule, SiteCx};
use crate::qa::tagging::coverage::PageTags;
use crate::qa::tagging::tags::{Placement, TagKind};

// One rule with the events half: `unplanned_event`'s META names both.
use super::unplanned_event::{EventNotInPlan, META};
use super::{at_doc, where_};

pub struct DataLayer;

impl Rule for DataLayer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        in_document(cx, |e, at| {
            EventNotInPlan.check_event(e, at, cx.settings, out)
        });
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        in_scripts(cx, |e, at| {
            EventNotInPlan.check_event(e, at, cx.settings, out)
        });
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        let t = PageTags::of(view, cx.settings.site_values);
        let Some(gtm) = t
            .tags
            .iter()
            .find(|p| p.tag.kind == TagKind::Gtm && p.tag.placement == Placement::Loader)
        else {
            return;
        };
        // An array assigned before GTM loads also creates the data layer.
        let first_init = t
            .datalayer_inits
            .iter()
            .chain(t.datalayer_resets.iter().filter(|r| r.0 < gtm.key))
            .map(|i| &i.0)
            .min();
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
                (
                    "a.html",
                    &format!(
                        "<html><head><script>dataLayer.push({{a: 1}});</script>\n{gtm}</head><body><script>var dataLayer = [{{b: 2}}];</script></body></html>"
                    ),
                ),
                (
                    "b.html",
                    &format!(
                        "<html><head><script>window.dataLayer = window.dataLayer || []; dataLayer.push({{a: 1}});</script>\n{gtm}</head><body></body></html>"
                    ),
                ),
            ],
            "",
        );
        assert_eq!(
            at(&f, "TAG-006"),
            [("a.html".into(), 1, 21), ("a.html".into(), 2, 172)]
        );
    }
}
