//! Matching code against the tracking plan: which plan event an event in code is, and
//! whether a literal value is what the plan says.

use crate::qa::plan::{Plan, PlanEvent, PlanProperty, PropType};
use crate::qa::tagging::{Emitter, Event, Value};

/// The plan's entry for `event`: Segment events by their exact name (Protocols matches
/// strictly), GA4 events by `ga4_name` or name; attribute contracts are named by the plan.
pub fn entry<'p>(plan: &'p Plan, event: &Event) -> Option<&'p PlanEvent> {
    plan.events.iter().find(|e| match event.emitter {
        Emitter::SegmentTrack | Emitter::DataAttribute => e.name == event.name,
        Emitter::DataLayer | Emitter::Gtag => {
            e.name == event.name || e.ga4_name.as_deref() == Some(event.name.as_str())
        }
    })
}

/// What is wrong with the properties `event` sends, against its plan entry: each required
/// property it misses (unless its list is open) and each literal value off the plan, as
/// (message, hint). `what` names the event in messages (``event `x` ``).
pub fn property_problems(event: &Event, entry: &PlanEvent, what: &str) -> Vec<(String, String)> {
    let from_attribute = event.emitter == Emitter::DataAttribute;
    let mut out = Vec::new();
    for prop in &entry.properties {
        let (name, ty) = (&prop.name, prop.ty.as_str());
        match sent(event, name) {
            None if prop.required && !event.open => out.push((
                format!("{what} is sent without `{name}`, which the plan requires"),
                format!("add `{name}` to the event"),
            )),
            None => {}
            Some(value) => {
                if let Some(problem) = problem(prop, value, from_attribute) {
                    out.push((
                        format!("`{name}` of {what} {problem}"),
                        format!("send `{name}` as the plan describes it ({ty})"),
                    ));
                }
            }
        }
    }
    out
}

/// The value `event` sends for property `name`, if it sends it.
pub fn sent<'e>(event: &'e Event, name: &str) -> Option<&'e Value> {
    event
        .properties
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The plan's event names closest to `name`, for a hint.
pub fn closest<'p>(plan: &'p Plan, name: &str) -> Option<&'p str> {
    // The plan lint's own notion of one name written two ways (`App Opened`, `app_opened`).
    let fold = crate::qa::plan::lint::duplicates::folded;
    let folded = fold(name);
    plan.events
        .iter()
        .map(|e| e.name.as_str())
        .find(|n| fold(n) == folded)
        .or_else(|| {
            plan.events
                .iter()
                .map(|e| (strsim::jaro_winkler(&e.name, name), e.name.as_str()))
                .filter(|(score, _)| *score > 0.85)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, n)| n)
        })
}

/// What is wrong with a literal `value` for `prop`, if anything. Attribute values are
/// always text, so for them the text is judged (`"3"` is a number).
pub fn problem(prop: &PlanProperty, value: &Value, from_attribute: bool) -> Option<String> {
    if matches!(value, Value::Dynamic) {
        return None;
    }
    if !type_matches(prop.ty, value, from_attribute) {
        return Some(format!(
            "is {} {}, the plan says {}",
            article(value.type_name()),
            value.type_name(),
            prop.ty.as_str()
        ));
    }
    let Value::String(text) = value else {
        return None;
    };
    if !prop.allowed.is_empty() && !prop.allowed.iter().any(|a| a == text) {
        return Some(format!(
            "is {text:?}, not one of the plan's values ({})",
            prop.allowed.join(", ")
        ));
    }
    if let Some(max) = prop.max_len
        && text.chars().count() > max
    {
        return Some(format!(
            "is {} characters long, the plan allows {max}",
            text.chars().count()
        ));
    }
    let pattern = prop.pattern.as_deref()?;
    let re = full_match(pattern)?;
    (!re.is_match(text))
        .then(|| format!("is {text:?}, which does not match the plan's pattern `{pattern}`"))
}

/// `pattern` compiled to match a whole value, once per process: the plan's few patterns
/// are judged against every event of every page.
pub fn full_match(pattern: &str) -> Option<std::sync::Arc<regex::Regex>> {
    static COMPILED: std::sync::LazyLock<
        std::sync::Mutex<std::collections::HashMap<String, Option<std::sync::Arc<regex::Regex>>>>,
    > = std::sync::LazyLock::new(Default::default);
    let mut compiled = COMPILED.lock().ok()?;
    compiled
        .entry(pattern.to_string())
        .or_insert_with(|| {
            regex::Regex::new(&format!("^(?:{pattern})$"))
                .ok()
                .map(std::sync::Arc::new)
        })
        .clone()
}

fn type_matches(ty: PropType, value: &Value, from_attribute: bool) -> bool {
    if from_attribute && let Value::String(text) = value {
        let text = text.trim();
        return match ty {
            PropType::Number => text.parse::<f64>().is_ok(),
            PropType::Integer => text.parse::<i64>().is_ok(),
            PropType::Boolean => matches!(text, "true" | "false"),
            PropType::String | PropType::Any => true,
            PropType::Array | PropType::Object => false,
        };
    }
    match (ty, value) {
        (PropType::Any, _) => true,
        (PropType::String, Value::String(_))
        | (PropType::Number, Value::Number(_))
        | (PropType::Boolean, Value::Bool(_))
        | (PropType::Array, Value::Array(_))
        | (PropType::Object, Value::Object(_)) => true,
        (PropType::Integer, Value::Number(n)) => n.fract() == 0.0,
        _ => false,
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}
