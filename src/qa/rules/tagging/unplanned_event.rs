//! TAG-006 (events half) event-not-in-plan: a `dataLayer.push({event: …})` or
//! `gtag('event', …)` whose name the tracking plan does not list. Judged only where the
//! repository has a plan; GTM's own events (`gtm.js`, `gtm.dom`, …) are not the site's.

use super::on_events::{At, EventRule};
use super::planned;
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::Settings;
use crate::qa::tagging::{Emitter, Event};

pub(super) static META: RuleMeta = RuleMeta {
    id: "TAG-006",
    name: "event-not-in-plan",
    severity: Severity::Error,
    fix: FixKind::ReportOnly,
    summary: "An event sent with dataLayer.push or gtag('event') that the tracking plan does not list, or the data layer used before `window.dataLayer = window.dataLayer || []` or replaced after the GTM snippet",
    why: "An event outside the plan has no owner and no agreed properties: it clutters reports, breaks the dashboards built on the plan, and often is a typo of a planned event. A push before the data layer exists throws, and a new array assigned after GTM loads cuts GTM off from every later push.",
    bad: "==> tracking/plan.yaml <==\nevents:\n  cta_click:\n    properties: {cta_text: {type: string, required: true}}\n==> index.html <==\n<script>dataLayer.push({event: 'cta_clicked', cta_text: 'Start'});</script>\n",
    good: "==> tracking/plan.yaml <==\nevents:\n  cta_click:\n    properties: {cta_text: {type: string, required: true}}\n==> index.html <==\n<script>dataLayer.push({event: 'cta_click', cta_text: 'Start'});</script>\n",
    source: "DOMAIN.md §2.2 TAG-006; Segment Protocols unplanned events",
};

pub struct EventNotInPlan;

impl EventRule for EventNotInPlan {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_event(&self, event: &Event, at: &At, settings: &Settings, out: &mut Vec<Finding>) {
        let Some(plan) = settings.plan else {
            return;
        };
        if !matches!(event.emitter, Emitter::DataLayer | Emitter::Gtag)
            || !event.literal_name
            || event.name.starts_with("gtm.")
            || planned::entry(plan, event).is_some()
        {
            return;
        }
        let msg = format!("event `{}` is not in the tracking plan", event.name);
        let hint = match planned::closest(plan, &event.name) {
            Some(near) => {
                format!("did you mean `{near}`? Otherwise add the event to the plan first")
            }
            None => {
                "add the event to the tracking plan (with its properties) before sending it".into()
            }
        };
        out.push(at.finding(&META, event.span, msg).hint(hint));
    }
}
