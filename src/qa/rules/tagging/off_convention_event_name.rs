//! TAG-010 event-name-off-convention: an event name in code that does not follow the
//! naming convention the tracking plan declares (`conventions: {event_case: snake_case,
//! pattern: …}`). Without a declared convention there is nothing to hold code to; the plan
//! itself is checked for one casing by `sitewide plan lint`.

use super::on_events::{At, EventRule};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::plan::lint::case::Case;
use crate::qa::rules::Settings;
use crate::qa::tagging::{Emitter, Event};

static META: RuleMeta = RuleMeta {
    id: "TAG-010",
    name: "event-name-off-convention",
    severity: Severity::Warning,
    fix: FixKind::Judgement,
    summary: "An event name in code that breaks the plan's naming convention",
    why: "Mixed casing splits one action into several events in reports (`ctaClick` and `cta_click`), and every analyst has to remember which is which.",
    bad: "==> tracking/plan.yaml <==\nconventions: {event_case: snake_case}\nevents:\n  cta_click:\n    properties: {cta_text: {type: string}}\n==> index.html <==\n<script>dataLayer.push({event: 'ctaClick', cta_text: 'Start'});</script>\n",
    good: "==> tracking/plan.yaml <==\nconventions: {event_case: snake_case}\nevents:\n  cta_click:\n    properties: {cta_text: {type: string}}\n==> index.html <==\n<script>dataLayer.push({event: 'cta_click', cta_text: 'Start'});</script>\n",
    source: "DOMAIN.md §2.2 TAG-010; Avo naming rules; mozilla/bedrock analytics docs",
};

pub struct EventNameOffConvention;

impl EventRule for EventNameOffConvention {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_event(&self, event: &Event, at: &At, settings: &Settings, out: &mut Vec<Finding>) {
        let Some(plan) = settings.plan else {
            return;
        };
        if !event.literal_name
            || event.name.starts_with("gtm.")
            || event.emitter == Emitter::DataAttribute
        {
            return;
        }
        let conventions = &plan.conventions;
        if let Some(case) = conventions.event_case.as_deref().and_then(Case::from_name)
            && !case.fits(&event.name)
        {
            let msg = format!(
                "event `{}` is not {} as the plan's convention says",
                event.name,
                case.as_str()
            );
            let hint = format!("rename it `{}`", case.convert(&event.name));
            out.push(at.finding(&META, event.span, msg).hint(hint));
            return;
        }
        if let Some(pattern) = conventions.pattern.as_deref()
            && let Some(re) = super::planned::full_match(pattern)
            && !re.is_match(&event.name)
        {
            let msg = format!(
                "event `{}` does not match the plan's naming pattern `{pattern}`",
                event.name
            );
            out.push(at.finding(&META, event.span, msg));
        }
    }
}
