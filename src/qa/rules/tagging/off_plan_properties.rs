//! TAG-009 event-properties-off-plan: an event the plan lists, sent without a property the
//! plan requires, or with a literal value of the wrong type, outside its permitted values,
//! too long, or not matching its pattern. Values the code computes are not judged, and a
//! spread or a properties variable may hold what seems missing, so those are not missing.

use super::on_events::{At, EventRule};
use super::planned;
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::Settings;
use crate::qa::tagging::{Emitter, Event};

static META: RuleMeta = RuleMeta {
    id: "TAG-009",
    name: "event-properties-off-plan",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "An event without a property the plan requires, or with a value the plan does not allow",
    why: "Reports and audiences are built on the plan's properties: a missing required property or a number sent as text silently drops the event from them.",
    bad: "==> tracking/plan.yaml <==\nevents:\n  generate_lead:\n    properties: {form_id: {type: string, required: true}, value: {type: number}}\n==> index.html <==\n<script>dataLayer.push({event: 'generate_lead', value: '10'});</script>\n",
    good: "==> tracking/plan.yaml <==\nevents:\n  generate_lead:\n    properties: {form_id: {type: string, required: true}, value: {type: number}}\n==> index.html <==\n<script>dataLayer.push({event: 'generate_lead', form_id: 'demo', value: 10});</script>\n",
    source: "DOMAIN.md §2.2 TAG-009; Segment Protocols and RudderStack violation types",
};

pub struct EventPropertiesOffPlan;

impl EventRule for EventPropertiesOffPlan {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_event(&self, event: &Event, at: &At, settings: &Settings, out: &mut Vec<Finding>) {
        // Segment's track calls are TAG-014's.
        if event.emitter == Emitter::SegmentTrack {
            return;
        }
        let Some(entry) = settings.plan.and_then(|plan| planned::entry(plan, event)) else {
            return;
        };
        let what = format!("event `{}`", event.name);
        for (message, hint) in planned::property_problems(event, entry, &what) {
            out.push(at.finding(&META, event.span, message).hint(hint));
        }
    }
}
