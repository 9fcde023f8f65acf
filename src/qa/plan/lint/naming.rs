//! Naming conventions: names follow the plan's `conventions` (`event_case`, `pattern`,
//! `property_case`); where a case is not declared, one casing across the plan (Avo's
//! "consistent casing" audit) and the names in the minority are flagged.

use super::case::Case;
use super::{At, Out};
use crate::qa::finding::Severity;
use crate::qa::plan::Plan;

pub(super) fn check(plan: &Plan, out: &mut Out) {
    let c = &plan.conventions;
    let events: Vec<(At, &str)> = plan
        .events
        .iter()
        .map(|e| (At::Event(&e.name), e.name.as_str()))
        .collect();
    let props: Vec<(At, &str)> = plan
        .events
        .iter()
        .flat_map(|e| {
            e.properties
                .iter()
                .map(|p| (At::Property(&e.name, &p.name), p.name.as_str()))
        })
        .collect();
    match c.event_case.as_deref().and_then(Case::from_name) {
        Some(case) => declared(&events, case, "event", "event_case", out),
        None => mixed(&events, "event", "event_case", out),
    }
    match c.property_case.as_deref().and_then(Case::from_name) {
        Some(case) => declared(&props, case, "property", "property_case", out),
        None => mixed(&props, "property", "property_case", out),
    }
    if let Some(pattern) = &c.pattern {
        matches_pattern(&events, pattern, out);
    }
}

fn declared(names: &[(At, &str)], case: Case, what: &str, key: &str, out: &mut Out) {
    for (at, name) in names {
        if case.fits(name) {
            continue;
        }
        let msg = format!(
            "{what} `{name}` is not {} (conventions.{key})",
            case.as_str()
        );
        let hint = format!("rename it to `{}`", case.convert(name));
        out.push("naming-convention", Severity::Error, *at, msg, Some(hint));
    }
}

/// With no declared case: the case most names fit, and each name that does not fit it.
fn mixed(names: &[(At, &str)], what: &str, key: &str, out: &mut Out) {
    if names.len() < 2 {
        return;
    }
    let count = |case: Case| names.iter().filter(|(_, n)| case.fits(n)).count();
    let Some(dominant) = Case::ALL
        .into_iter()
        .max_by_key(|c| (count(*c), std::cmp::Reverse(rank(*c))))
    else {
        return;
    };
    if count(dominant) == 0 {
        return;
    }
    for (at, name) in names {
        if dominant.fits(name) {
            continue;
        }
        let own = Case::ALL
            .into_iter()
            .find(|c| c.fits(name))
            .map(|c| c.as_str())
            .unwrap_or("in no single case");
        let msg = format!(
            "{what} `{name}` is {own} while most {what} names are {}",
            dominant.as_str()
        );
        let hint = format!(
            "rename it to `{}`, and declare the case in conventions.{key}",
            dominant.convert(name)
        );
        out.push("mixed-casing", Severity::Warning, *at, msg, Some(hint));
    }
}

fn rank(case: Case) -> usize {
    Case::ALL
        .iter()
        .position(|c| *c == case)
        .unwrap_or(usize::MAX)
}

fn matches_pattern(events: &[(At, &str)], pattern: &str, out: &mut Out) {
    let Ok(re) = regex::Regex::new(&format!("^(?:{pattern})$")) else {
        return;
    };
    for (at, name) in events {
        if re.is_match(name) {
            continue;
        }
        let msg = format!("event `{name}` does not match conventions.pattern `{pattern}`");
        let hint = "rename the event, or widen the pattern if the name is right".to_string();
        out.push("naming-convention", Severity::Error, *at, msg, Some(hint));
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::plan::lint::testing::{full, lints};

    #[test]
    fn names_off_the_declared_case_are_errors_with_a_rename() {
        let text = "conventions: {event_case: snake_case, property_case: camelCase}\nevents:\n  cta_click:\n    properties: {ctaText: {}, cta_position: {}}\n  CTA Clicked: {}\n";
        let naming: Vec<_> = lints(text)
            .into_iter()
            .filter(|l| l.1 == "naming-convention")
            .collect();
        assert_eq!(
            naming,
            [
                (
                    4,
                    "naming-convention",
                    "property `cta_position` is not camelCase (conventions.property_case)"
                        .to_string()
                ),
                (
                    5,
                    "naming-convention",
                    "event `CTA Clicked` is not snake_case (conventions.event_case)".to_string()
                ),
            ]
        );
        let found = full(text);
        let event = found
            .iter()
            .find(|l| l.check == "naming-convention" && l.line == 5);
        assert_eq!(
            event.and_then(|l| l.hint.as_deref()),
            Some("rename it to `cta_clicked`")
        );
    }

    #[test]
    fn names_that_miss_the_pattern_are_errors() {
        let text = "conventions: {pattern: '^[a-z]+(_[a-z]+)+$'}\nevents:\n  cta_click: {}\n  signup: {}\n";
        assert_eq!(
            lints(text),
            [(
                4,
                "naming-convention",
                "event `signup` does not match conventions.pattern `^[a-z]+(_[a-z]+)+$`"
                    .to_string()
            )]
        );
    }

    #[test]
    fn without_a_convention_the_minority_casing_is_a_warning() {
        let text = "events:\n  cta_click: {properties: {cta_text: {}}}\n  generate_lead: {properties: {formId: {}, value: {}}}\n  videoPlay: {}\n";
        assert_eq!(
            lints(text),
            [
                (
                    3,
                    "mixed-casing",
                    "property `formId` is camelCase while most property names are snake_case"
                        .to_string()
                ),
                (
                    4,
                    "mixed-casing",
                    "event `videoPlay` is camelCase while most event names are snake_case"
                        .to_string()
                ),
            ]
        );
        let found = full(text);
        assert_eq!(
            found[1].hint.as_deref(),
            Some("rename it to `video_play`, and declare the case in conventions.event_case")
        );
    }

    #[test]
    fn one_casing_throughout_needs_no_declaration() {
        let text = "events:\n  Order Completed: {properties: {order_id: {}}}\n  Product Viewed: {properties: {product_id: {}}}\n";
        assert_eq!(
            lints(text).iter().filter(|l| l.1 == "mixed-casing").count(),
            0
        );
    }
}
