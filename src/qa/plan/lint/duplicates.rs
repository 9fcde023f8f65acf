//! Names that differ only by case or separator (`App Opened`, `app_opened`, `appOpened`):
//! two events, or two properties of one event, that a report would split and a reader
//! would confuse. The same property spelt two ways in different events is a warning.

use std::collections::HashMap;

use super::{At, Out};
use crate::qa::finding::Severity;
use crate::qa::plan::Plan;

/// The name with case and separators taken out: what the duplicates share.
pub fn folded(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

pub(super) fn check(plan: &Plan, out: &mut Out) {
    let mut first_event: HashMap<String, &str> = HashMap::new();
    for event in &plan.events {
        let key = folded(&event.name);
        match first_event.get(&key) {
            Some(first) if *first != event.name => {
                let msg = format!(
                    "event `{}` differs from `{first}` only by case or separators",
                    event.name
                );
                let hint = format!("merge the two into `{first}`, or rename one");
                out.push(
                    "duplicate-name",
                    Severity::Error,
                    At::Event(&event.name),
                    msg,
                    Some(hint),
                );
            }
            Some(_) => {}
            None => {
                first_event.insert(key, &event.name);
            }
        }
    }
    properties_within_events(plan, out);
    properties_across_events(plan, out);
}

fn properties_within_events(plan: &Plan, out: &mut Out) {
    for event in &plan.events {
        let mut first: HashMap<String, &str> = HashMap::new();
        for prop in &event.properties {
            let key = folded(&prop.name);
            match first.get(&key) {
                Some(f) if *f != prop.name => {
                    let msg = format!(
                        "property `{}` of `{}` differs from `{f}` only by case or separators",
                        prop.name, event.name
                    );
                    let hint = format!("keep one of `{f}` and `{}`", prop.name);
                    let at = At::Property(&event.name, &prop.name);
                    out.push("duplicate-name", Severity::Error, at, msg, Some(hint));
                }
                Some(_) => {}
                None => {
                    first.insert(key, &prop.name);
                }
            }
        }
    }
}

fn properties_across_events(plan: &Plan, out: &mut Out) {
    let mut first: HashMap<String, (&str, &str)> = HashMap::new();
    for event in &plan.events {
        for prop in &event.properties {
            let key = folded(&prop.name);
            match first.get(&key) {
                Some((name, ev)) if *name != prop.name && *ev != event.name => {
                    let msg = format!(
                        "property `{}` of `{}` is spelt `{name}` in `{ev}`",
                        prop.name, event.name
                    );
                    let hint = format!("use `{name}` in both so reports can join them");
                    let at = At::Property(&event.name, &prop.name);
                    out.push("duplicate-name", Severity::Warning, at, msg, Some(hint));
                }
                Some(_) => {}
                None => {
                    first.insert(key, (&prop.name, &event.name));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::folded;
    use crate::qa::plan::lint::testing::lints;

    fn only(text: &str) -> Vec<(usize, String)> {
        lints(text)
            .into_iter()
            .filter(|l| l.1 == "duplicate-name")
            .map(|l| (l.0, l.2))
            .collect()
    }

    #[test]
    fn events_that_differ_only_by_case_or_separator_are_errors() {
        let text =
            "events:\n  App Opened: {}\n  app_opened: {}\n  appOpened: {}\n  app_closed: {}\n";
        assert_eq!(
            only(text),
            [
                (
                    3,
                    "event `app_opened` differs from `App Opened` only by case or separators"
                        .to_string()
                ),
                (
                    4,
                    "event `appOpened` differs from `App Opened` only by case or separators"
                        .to_string()
                ),
            ]
        );
        assert_eq!(folded("App-Opened.v2"), "appopenedv2");
    }

    #[test]
    fn properties_spelt_two_ways_are_flagged() {
        let text = "events:\n  sign_up:\n    properties: {method: {}, Method: {}}\n  generate_lead:\n    properties: {form_id: {}}\n  form_start:\n    properties: {formId: {}}\n";
        assert_eq!(
            only(text),
            [
                (3, "property `Method` of `sign_up` differs from `method` only by case or separators".to_string()),
                (7, "property `formId` of `form_start` is spelt `form_id` in `generate_lead`".to_string()),
            ]
        );
    }
}
