//! Segment Protocols. Three shapes are read:
//! - the rules of a tracking plan from Segment's Public API (`GET /tracking-plans/{id}/rules`:
//!   `{"data": {"rules": [{"type": "TRACK", "key": "Order Completed", "jsonSchema": {…}}]}}`,
//!   or the `rules` list alone); only `TRACK` rules are events, the newest `version` of a key
//!   wins, and deprecated rules are left out;
//! - a tracking plan from the older Config API (`{"rules": {"events": [{"name", "description",
//!   "rules": {…}}]}}`);
//! - one event's JSON Schema, as the Protocols editor shows it; the event is named after
//!   the schema's `title`, else the file's name without its extension.
//!
//! In each event schema the track call's properties are `properties.properties`, with their
//! own `properties` and `required`.

use serde_json::Value;

use super::{ImportError, json_schema, parse_json};
use crate::qa::plan::{Plan, PlanEvent};

/// Whether `value` looks like one of the shapes above.
pub fn looks_like(value: &Value) -> bool {
    rules_list(value).is_some() || config_events(value).is_some() || event_schema(value).is_some()
}

pub fn import(path: &str, text: &str) -> Result<Plan, ImportError> {
    let value = parse_json(path, text)?;
    let events = if let Some(rules) = rules_list(&value) {
        from_rules(path, rules)?
    } else if let Some(list) = config_events(&value) {
        list.iter()
            .map(|e| config_event(path, e))
            .collect::<Result<_, _>>()?
    } else if event_schema(&value).is_some() {
        vec![event(schema_name(path, &value), &value, None)]
    } else {
        return Err(ImportError::invalid(
            path,
            "this JSON is not a Segment tracking plan, its rules, or an event's JSON Schema",
            Some("export the rules with the Public API (GET /tracking-plans/{id}/rules)"),
        ));
    };
    Ok(Plan {
        events,
        ..Plan::default()
    })
}

/// The Public API's rules: `data.rules`, `rules` as a list, or a bare list of rules.
fn rules_list(value: &Value) -> Option<&Vec<Value>> {
    let list = value
        .pointer("/data/rules")
        .or_else(|| value.get("rules"))
        .unwrap_or(value)
        .as_array()?;
    list.iter()
        .all(|r| {
            r.get("type").is_some()
                && (r.get("jsonSchema").is_some() || r.get("json_schema").is_some())
        })
        .then_some(list)
}

fn config_events(value: &Value) -> Option<&Vec<Value>> {
    value.pointer("/rules/events")?.as_array()
}

/// The schema of the track call's `properties`, when `value` is an event schema.
fn event_schema(value: &Value) -> Option<&Value> {
    value
        .pointer("/properties/properties")
        .filter(|v| v.is_object())
}

fn from_rules(path: &str, rules: &[Value]) -> Result<Vec<PlanEvent>, ImportError> {
    // (key, version, schema), newest version of each key, in first-seen order.
    let mut picked: Vec<(String, u64, Value)> = Vec::new();
    for rule in rules {
        let kind = rule.get("type").and_then(Value::as_str).unwrap_or_default();
        let deprecated = rule.get("deprecatedAt").is_some_and(|d| !d.is_null());
        if !kind.eq_ignore_ascii_case("track") || deprecated {
            continue;
        }
        let Some(key) = rule.get("key").and_then(Value::as_str) else {
            return Err(ImportError::invalid(
                path,
                "a TRACK rule has no `key` (the event name)",
                None,
            ));
        };
        let schema = rule_schema(path, rule)?;
        let version = rule.get("version").and_then(Value::as_u64).unwrap_or(0);
        match picked.iter_mut().find(|(k, _, _)| k == key) {
            Some(slot) if slot.1 <= version => *slot = (key.to_string(), version, schema),
            Some(_) => {}
            None => picked.push((key.to_string(), version, schema)),
        }
    }
    Ok(picked
        .into_iter()
        .map(|(key, _, schema)| event(key, &schema, None))
        .collect())
}

/// A rule's JSON Schema; Terraform state keeps it as a JSON string (`jsonencode`).
fn rule_schema(path: &str, rule: &Value) -> Result<Value, ImportError> {
    let schema = rule
        .get("jsonSchema")
        .or_else(|| rule.get("json_schema"))
        .cloned()
        .unwrap_or(Value::Null);
    match schema {
        Value::String(s) => parse_json(path, &s),
        other => Ok(other),
    }
}

fn config_event(path: &str, e: &Value) -> Result<PlanEvent, ImportError> {
    let Some(name) = e.get("name").and_then(Value::as_str) else {
        return Err(ImportError::invalid(
            path,
            "an event in rules.events has no `name`",
            None,
        ));
    };
    let description = e.get("description").and_then(Value::as_str);
    Ok(event(
        name.to_string(),
        e.get("rules").unwrap_or(&Value::Null),
        description,
    ))
}

fn event(name: String, schema: &Value, description: Option<&str>) -> PlanEvent {
    let description = description
        .or_else(|| schema.get("description").and_then(Value::as_str))
        .filter(|d| !d.trim().is_empty())
        .map(str::to_string);
    PlanEvent {
        name,
        description,
        properties: event_schema(schema)
            .map(json_schema::properties)
            .unwrap_or_default(),
        ..PlanEvent::default()
    }
}

fn schema_name(path: &str, schema: &Value) -> String {
    if let Some(title) = schema.get("title").and_then(Value::as_str) {
        return title.to_string();
    }
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    file.rsplit_once('.')
        .map_or(file, |(stem, _)| stem)
        .to_string()
}

#[cfg(test)]
#[path = "segment_tests.rs"]
mod tests;
