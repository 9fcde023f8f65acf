//! TAG-007 bad-ga4-event-name: an event name GA4 rejects or drops: not starting with a
//! letter, other characters than letters, digits and `_`, longer than 40 characters, a
//! reserved name, or a reserved prefix (limits from `ga4.toml`). `gtag('event', …)` names
//! are GA4 names as written; a `dataLayer.push` event name usually becomes one through a
//! GTM tag, so it is judged too, as a warning, unless the plan maps it to another GA4 name.
//! `page_view` is reserved but Google documents sending it by hand for virtual page views.

use super::on_events::{At, EventRule};
use super::planned;
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::Settings;
use crate::qa::tagging::{Emitter, Event};

static META: RuleMeta = RuleMeta {
    id: "TAG-007",
    name: "bad-ga4-event-name",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "A GA4 event name that breaks GA4's naming rules (characters, length, reserved names and prefixes)",
    why: "GA4 drops events whose names break its rules or collide with reserved names, so the event never reaches reports, and nothing warns you.",
    bad: "<script>gtag('event', 'Form Submit - Contact');</script>",
    good: "<script>gtag('event', 'contact_form_submit');</script>",
    source: "GA help 13316687 (event naming rules); DOMAIN.md §2.2 TAG-007",
};

pub struct BadGa4EventName;

impl EventRule for BadGa4EventName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_event(&self, event: &Event, at: &At, settings: &Settings, out: &mut Vec<Finding>) {
        let advisory = match event.emitter {
            Emitter::Gtag => false,
            Emitter::DataLayer => true,
            Emitter::SegmentTrack | Emitter::DataAttribute => return,
        };
        let name = event.name.as_str();
        if !event.literal_name || name.starts_with("gtm.") {
            return;
        }
        let mapped = settings
            .plan
            .and_then(|plan| planned::entry(plan, event))
            .and_then(|entry| entry.ga4_name.as_deref())
            .is_some_and(|ga4| ga4 != name);
        if advisory && mapped {
            return;
        }
        let Some(problem) = problem(name, settings) else {
            return;
        };
        let msg = format!("event name `{name}` {problem}");
        let mut finding = at.finding(&META, event.span, msg);
        if advisory {
            finding = finding
                .advisory(Severity::Warning)
                .hint("if a GTM tag sends it to GA4 under this name, GA4 drops it; rename it, or map it to a valid GA4 name in the tag and the plan's ga4_name");
        } else {
            finding = finding.hint(format!("rename it, for example `{}`", suggestion(name)));
        }
        out.push(finding);
    }
}

fn problem(name: &str, settings: &Settings) -> Option<String> {
    let ga4 = settings.ga4;
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some("must start with a letter".into());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Some(format!(
            "has `{bad}`: only letters, digits and `_` are allowed"
        ));
    }
    let len = name.chars().count();
    if len > ga4.max_event_name_len {
        return Some(format!(
            "is {len} characters long; GA4 allows {}",
            ga4.max_event_name_len
        ));
    }
    if ga4.reserved_events.iter().any(|r| r == name)
        && !ga4.sendable_events.iter().any(|s| s == name)
    {
        return Some("is reserved by GA4 (it collects that event itself)".into());
    }
    ga4.reserved_event_prefix(name)
        .map(|p| format!("starts with `{p}`, a prefix GA4 reserves"))
}

/// `Form Submit - Contact` → `form_submit_contact`.
fn suggestion(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let joined = words.join("_");
    let joined = joined.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    joined.chars().take(40).collect()
}
