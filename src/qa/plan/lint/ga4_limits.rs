//! GA4's naming rules and limits applied to the plan (the table is `qa::data::ga4`): event
//! names start with a letter, hold letters, digits and `_` only, are at most 40 characters,
//! are not reserved and have no reserved prefix; parameter names likewise, at most 25 per
//! event; a `max_len` above GA4's value limit is truncated by GA4.
//!
//! The name checked is the event's `ga4_name` when it has one, else its name. Events sent
//! only through Segment (`emitters: [{kind: segment}]`) are not GA4 events and are skipped.

use super::{At, Out};
use crate::qa::data::ga4::Ga4;
use crate::qa::finding::Severity;
use crate::qa::plan::{Plan, PlanEvent};

pub(super) fn check(plan: &Plan, ga4: &Ga4, out: &mut Out) {
    for event in plan.events.iter().filter(|e| sent_to_ga4(e)) {
        let name = event.ga4_name.as_deref().unwrap_or(&event.name);
        let at = At::Event(&event.name);
        for problem in event_name_problems(name, ga4) {
            let msg = format!("GA4 event name `{name}` {problem}");
            out.push(
                "ga4-event-name",
                Severity::Error,
                at,
                msg,
                Some(event_hint(name, ga4)),
            );
        }
        let max = ga4.max_params_per_event;
        if event.properties.len() > max {
            let msg = format!(
                "event `{}` has {} properties; GA4 takes at most {max} parameters per event",
                event.name,
                event.properties.len()
            );
            let hint =
                "move properties that describe the user into user properties, or split the event";
            out.push(
                "ga4-param-count",
                Severity::Error,
                at,
                msg,
                Some(hint.into()),
            );
        }
        for prop in &event.properties {
            let at = At::Property(&event.name, &prop.name);
            for problem in param_name_problems(&prop.name, ga4) {
                let msg = format!("GA4 parameter name `{}` {problem}", prop.name);
                let hint = "rename the property: a letter first, then letters, digits or `_`";
                out.push(
                    "ga4-param-name",
                    Severity::Error,
                    at,
                    msg,
                    Some(hint.into()),
                );
            }
            let limit = ga4.max_value_len(&prop.name);
            if let Some(n) = prop.max_len.filter(|n| *n > limit) {
                let msg = format!(
                    "`{}` allows {n} characters but GA4 keeps only the first {limit}",
                    prop.name
                );
                let hint = format!("set max_len to {limit} or less");
                out.push("ga4-value-length", Severity::Warning, at, msg, Some(hint));
            }
        }
    }
}

/// GA4 receives the event unless every listed emitter is Segment.
fn sent_to_ga4(event: &PlanEvent) -> bool {
    event.emitters.is_empty() || event.emitters.iter().any(|e| e.kind != "segment")
}

/// A GA4 name to send instead, when the snake_case form of the name is one.
fn event_hint(name: &str, ga4: &Ga4) -> String {
    let snake = super::case::Case::Snake.convert(name);
    if snake != name && event_name_problems(&snake, ga4).is_empty() {
        format!("set `ga4_name: {snake}` or rename the event")
    } else {
        "rename the event, or set `ga4_name` to a name GA4 accepts".to_string()
    }
}

/// What is wrong with an event name, one phrase per rule broken.
fn event_name_problems(name: &str, ga4: &Ga4) -> Vec<String> {
    let mut out = shape_problems(name, ga4.max_event_name_len);
    if ga4.reserved_events.iter().any(|r| r == name) {
        out.push("is reserved by GA4 (it is collected automatically)".into());
    }
    if let Some(p) = ga4.reserved_event_prefix(name) {
        out.push(format!("starts with the reserved prefix `{p}`"));
    }
    out
}

fn param_name_problems(name: &str, ga4: &Ga4) -> Vec<String> {
    let mut out = shape_problems(name, ga4.max_param_name_len);
    if ga4.reserved_params.iter().any(|r| r == name) {
        out.push("is reserved by GA4".into());
    }
    if let Some(p) = ga4.reserved_param_prefix(name) {
        out.push(format!("starts with the reserved prefix `{p}`"));
    }
    out
}

/// The rules GA4 applies to the characters and length of both kinds of names. GA4 takes
/// letters of any language.
fn shape_problems(name: &str, max_len: usize) -> Vec<String> {
    let mut out = Vec::new();
    if !name.chars().next().is_some_and(char::is_alphabetic) {
        if !name.starts_with('_') {
            out.push("must start with a letter".to_string());
        }
    } else if let Some(bad) = name.chars().find(|c| !(c.is_alphanumeric() || *c == '_')) {
        let shown = if bad == ' ' {
            "a space".to_string()
        } else {
            format!("`{bad}`")
        };
        out.push(format!(
            "contains {shown}; use only letters, digits and `_`"
        ));
    }
    let len = name.chars().count();
    if len > max_len {
        out.push(format!("is {len} characters long; the limit is {max_len}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::qa::plan::lint::testing::lints;

    fn only(text: &str, check: &str) -> Vec<(usize, String)> {
        lints(text)
            .into_iter()
            .filter(|l| l.1 == check)
            .map(|l| (l.0, l.2))
            .collect()
    }

    #[test]
    fn event_names_break_each_ga4_rule_once() {
        let long = "a".repeat(41);
        let text = format!(
            "events:\n  page_view: {{}}\n  2fa_enabled: {{}}\n  CTA Clicked: {{}}\n  {long}: {{}}\n  firebase_sync: {{}}\n  _internal: {{}}\n  Order Completed:\n    ga4_name: order_completed\n  Lead Saved:\n    emitters: [{{kind: segment}}]\n"
        );
        assert_eq!(
            only(&text, "ga4-event-name"),
            [
                (2, "GA4 event name `page_view` is reserved by GA4 (it is collected automatically)".to_string()),
                (3, "GA4 event name `2fa_enabled` must start with a letter".to_string()),
                (4, "GA4 event name `CTA Clicked` contains a space; use only letters, digits and `_`".to_string()),
                (5, format!("GA4 event name `{long}` is 41 characters long; the limit is 40")),
                (6, "GA4 event name `firebase_sync` starts with the reserved prefix `firebase_`".to_string()),
                (7, "GA4 event name `_internal` starts with the reserved prefix `_`".to_string()),
            ]
        );
    }

    #[test]
    fn parameter_names_follow_ga4_rules() {
        let long = "p".repeat(41);
        let text = format!(
            "events:\n  sign_up:\n    properties:\n      method: {{}}\n      google_id: {{}}\n      gtag.x: {{}}\n      {long}: {{}}\n      session_id: {{}}\n"
        );
        assert_eq!(
            only(&text, "ga4-param-name"),
            [
                (
                    5,
                    "GA4 parameter name `google_id` starts with the reserved prefix `google_`"
                        .to_string()
                ),
                (
                    6,
                    "GA4 parameter name `gtag.x` contains `.`; use only letters, digits and `_`"
                        .to_string()
                ),
                (
                    6,
                    "GA4 parameter name `gtag.x` starts with the reserved prefix `gtag.`"
                        .to_string()
                ),
                (
                    7,
                    format!("GA4 parameter name `{long}` is 41 characters long; the limit is 40")
                ),
                (
                    8,
                    "GA4 parameter name `session_id` is reserved by GA4".to_string()
                ),
            ]
        );
    }

    #[test]
    fn more_than_25_parameters_is_an_error_on_the_event() {
        let props: String = (0..26).map(|i| format!("      p{i}: {{}}\n")).collect();
        let text = format!("events:\n  big_event:\n    properties:\n{props}");
        assert_eq!(
            only(&text, "ga4-param-count"),
            [(
                2,
                "event `big_event` has 26 properties; GA4 takes at most 25 parameters per event"
                    .to_string()
            )]
        );
    }

    #[test]
    fn a_max_len_above_the_value_limit_is_a_warning() {
        let text = "events:\n  cta_click:\n    properties:\n      cta_text: {max_len: 150}\n      page_title: {max_len: 300}\n";
        assert_eq!(
            only(text, "ga4-value-length"),
            [(
                4,
                "`cta_text` allows 150 characters but GA4 keeps only the first 100".to_string()
            )]
        );
    }
}
