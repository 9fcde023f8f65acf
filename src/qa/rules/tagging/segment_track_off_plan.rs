//! TAG-014 segment-event-off-plan: a Segment `analytics.track('Event', {...})` whose name
//! is not in the plan exactly (Protocols matches names strictly: casing and spacing
//! matter), or whose literal properties miss a required one or have the wrong type.

use super::on_events::{At, EventRule};
use super::planned;
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::Settings;
use crate::qa::tagging::{Emitter, Event};

static META: RuleMeta = RuleMeta {
    id: "TAG-014",
    name: "segment-event-off-plan",
    severity: Severity::Error,
    fix: FixKind::ReportOnly,
    summary: "A Segment track call whose event name or property types do not match the plan exactly",
    why: "Segment Protocols matches event names strictly and blocks or flags events whose properties have the wrong type, so `Order completed` and `Order Completed` are different events.",
    bad: "==> tracking/plan.yaml <==\nevents:\n  Order Completed:\n    emitters: [{kind: segment}]\n    properties: {order_id: {type: string, required: true}, revenue: {type: number}}\n==> index.html <==\n<script>analytics.track('order completed', {revenue: 20});</script>\n",
    good: "==> tracking/plan.yaml <==\nevents:\n  Order Completed:\n    emitters: [{kind: segment}]\n    properties: {order_id: {type: string, required: true}, revenue: {type: number}}\n==> index.html <==\n<script>analytics.track('Order Completed', {order_id: 'A1', revenue: 20});</script>\n",
    source: "DOMAIN.md §2.2 TAG-014; Segment Protocols tracking plans",
};

pub struct SegmentEventOffPlan;

impl EventRule for SegmentEventOffPlan {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_event(&self, event: &Event, at: &At, settings: &Settings, out: &mut Vec<Finding>) {
        let Some(plan) = settings.plan else {
            return;
        };
        if event.emitter != Emitter::SegmentTrack || !event.literal_name {
            return;
        }
        let Some(entry) = planned::entry(plan, event) else {
            let msg = format!("Segment event `{}` is not in the tracking plan", event.name);
            let hint = match planned::closest(plan, &event.name) {
                Some(near) => format!(
                    "the plan has `{near}`; names must match exactly, casing and spaces included"
                ),
                None => "add the event to the tracking plan before sending it".into(),
            };
            out.push(at.finding(&META, event.span, msg).hint(hint));
            return;
        };
        let what = format!("Segment event `{}`", event.name);
        for (message, hint) in planned::property_problems(event, entry, &what) {
            out.push(at.finding(&META, event.span, message).hint(hint));
        }
    }
}
