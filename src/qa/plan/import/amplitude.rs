//! Amplitude Data's events and event properties CSV (the export, or a filled-in import
//! template). Columns are found by their header names, in any order: `Object Type`,
//! `Object Name` and `Event Property Name` are needed; `Action`, `Object Description`,
//! `Property Value Type`, `Property Required`, `Property Is Array Type`, `Enum Values`,
//! `Property Regex` and `Const Value` are read when present; other columns are ignored.
//!
//! An `Event` row is an event (its name in `Object Name`); an `Event Property` row is a
//! property of the event in `Object Name`. Rows whose `Action` is `Remove` are left out, and
//! so are other object types (property groups, user properties). Amplitude's types map
//! onto the plan's: string, number, boolean, array and any as themselves, `enum` to a
//! string with the enum values, `const` to `any` with the one value.

use super::ImportError;
use crate::qa::plan::{Plan, PlanEvent, PlanProperty, PropType};

const NEEDED: [&str; 3] = ["Object Type", "Object Name", "Event Property Name"];

/// Column positions by header name.
struct Columns(Vec<String>);

impl Columns {
    fn get<'r>(&self, row: &'r csv::StringRecord, name: &str) -> &'r str {
        self.0
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .map(str::trim)
            .unwrap_or_default()
    }
}

pub fn import(path: &str, text: &str) -> Result<Plan, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| csv_error(path, &e))?;
    let cols = Columns(headers.iter().map(|h| h.trim().to_string()).collect());
    if let Some(missing) = NEEDED.iter().find(|n| !cols.0.iter().any(|h| h == *n)) {
        let hint = "download the events CSV template from Amplitude Data and keep its header row";
        let msg = format!("the header has no `{missing}` column");
        return Err(at_line(path, 1, msg, Some(hint)));
    }
    let mut events: Vec<PlanEvent> = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| csv_error(path, &e))?;
        let line = row.position().map_or(0, |p| p.line() as usize);
        if cols.get(&row, "Action").eq_ignore_ascii_case("remove") {
            continue;
        }
        let name = cols.get(&row, "Object Name");
        match cols.get(&row, "Object Type") {
            "Event" => {
                let event = event_mut(&mut events, name);
                let description = cols.get(&row, "Object Description");
                if !description.is_empty() {
                    event.description = Some(description.to_string());
                }
            }
            "Event Property" => {
                let prop = property(path, line, &cols, &row)?;
                event_mut(&mut events, name).properties.push(prop);
            }
            _ => {}
        }
    }
    Ok(Plan {
        events,
        ..Plan::default()
    })
}

/// The event named `name`, added at the end when it is new.
fn event_mut<'a>(events: &'a mut Vec<PlanEvent>, name: &str) -> &'a mut PlanEvent {
    let i = match events.iter().position(|e| e.name == name) {
        Some(i) => i,
        None => {
            events.push(PlanEvent {
                name: name.to_string(),
                ..PlanEvent::default()
            });
            events.len() - 1
        }
    };
    &mut events[i]
}

fn property(
    path: &str,
    line: usize,
    cols: &Columns,
    row: &csv::StringRecord,
) -> Result<PlanProperty, ImportError> {
    let name = cols.get(row, "Event Property Name");
    if name.is_empty() {
        let msg = "an `Event Property` row has no `Event Property Name`";
        return Err(at_line(path, line, msg.into(), None));
    }
    let value_type = cols.get(row, "Property Value Type").to_ascii_lowercase();
    let mut allowed: Vec<String> = cols
        .get(row, "Enum Values")
        .split([',', '\n'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect();
    let ty = match value_type.as_str() {
        "" | "any" => PropType::Any,
        "enum" => PropType::String,
        "const" => {
            allowed = vec![cols.get(row, "Const Value").to_string()];
            PropType::Any
        }
        other => PropType::from_name(other).ok_or_else(|| {
            let msg = format!("unknown property type `{other}` for `{name}`");
            let hint = "Amplitude's types are string, number, boolean, array, enum, const and any";
            at_line(path, line, msg, Some(hint))
        })?,
    };
    let is_array = truthy(cols.get(row, "Property Is Array Type"));
    let pattern = Some(cols.get(row, "Property Regex")).filter(|r| !r.is_empty());
    if let Some(p) = pattern
        && let Err(e) = regex::Regex::new(p)
    {
        let detail = e
            .to_string()
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string();
        return Err(at_line(
            path,
            line,
            format!("`Property Regex` of `{name}` is not a valid regex: {detail}"),
            None,
        ));
    }
    Ok(PlanProperty {
        name: name.to_string(),
        ty: if is_array { PropType::Array } else { ty },
        required: truthy(cols.get(row, "Property Required")),
        allowed,
        pattern: pattern.map(str::to_string),
        max_len: None,
    })
}

fn truthy(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "1")
}

fn at_line(path: &str, line: usize, message: String, hint: Option<&str>) -> ImportError {
    ImportError::Invalid {
        path: path.to_string(),
        line,
        col: 0,
        message,
        hint: hint.map(str::to_string),
    }
}

fn csv_error(path: &str, e: &csv::Error) -> ImportError {
    let line = e.position().map_or(0, |p| p.line() as usize);
    at_line(path, line, format!("not a readable CSV: {e}"), None)
}

#[cfg(test)]
#[path = "amplitude_tests.rs"]
mod tests;
