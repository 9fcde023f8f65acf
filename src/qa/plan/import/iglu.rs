//! Snowplow Iglu self-describing JSON Schemas (draft 4). Each schema is one event: its
//! `self.name` is the event's name, `description` its description, and its top-level
//! `properties` and `required` the event's properties. A folder is read as an Iglu
//! registry (`schemas/<vendor>/<name>/jsonschema/<version>`, files without an extension,
//! or `.json` files anywhere): every self-describing schema in it, the newest SchemaVer
//! (`MODEL-REVISION-ADDITION`) of each vendor and name.

use std::collections::HashSet;

use serde_json::Value;

use super::{ImportError, json_schema, parse_json};
use crate::qa::plan::{Plan, PlanEvent};
use crate::qa::tree::{Item, Tree};

/// One schema's `self` block.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SelfDesc {
    vendor: String,
    name: String,
    version: (u32, u32, u32),
}

/// Whether `value` has a `self` block naming a vendor.
pub fn is_self_describing(value: &Value) -> bool {
    value.pointer("/self/vendor").is_some_and(Value::is_string)
}

/// One schema file.
pub fn import_file(path: &str, text: &str) -> Result<Plan, ImportError> {
    let value = parse_json(path, text)?;
    let (_, event) = schema(path, &value)?;
    Ok(Plan {
        events: vec![event],
        ..Plan::default()
    })
}

/// Every schema in a folder, by event name.
pub fn import_tree(tree: &dyn Tree) -> Result<Plan, ImportError> {
    let root = tree.root().display().to_string();
    let entries = tree
        .walk(&HashSet::new())
        .map_err(|e| ImportError::invalid(&root, format!("cannot read the folder: {e}"), None))?;
    let mut newest: Vec<(SelfDesc, PlanEvent)> = Vec::new();
    for entry in entries {
        if !matches!(entry.item, Item::File { .. }) || !is_schema_path(&entry.path) {
            continue;
        }
        let Some(text) = tree.read_string(&entry.path) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if !is_self_describing(&value) {
            continue;
        }
        let path = format!("{root}/{}", entry.path);
        let (desc, event) = schema(&path, &value)?;
        keep_newest(&mut newest, desc, event, &path)?;
    }
    if newest.is_empty() {
        let hint = "an Iglu registry keeps schemas at schemas/<vendor>/<name>/jsonschema/<version>";
        return Err(ImportError::invalid(
            &root,
            "no self-describing schema in this folder",
            Some(hint),
        ));
    }
    newest.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    Ok(Plan {
        events: newest.into_iter().map(|(_, e)| e).collect(),
        ..Plan::default()
    })
}

/// Iglu's layout (`…/jsonschema/1-0-0`) or any `.json` file.
fn is_schema_path(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let file = parts.next().unwrap_or_default();
    file.ends_with(".json") || parts.next() == Some("jsonschema")
}

fn keep_newest(
    kept: &mut Vec<(SelfDesc, PlanEvent)>,
    desc: SelfDesc,
    event: PlanEvent,
    path: &str,
) -> Result<(), ImportError> {
    match kept.iter_mut().find(|(d, _)| d.name == desc.name) {
        Some((d, _)) if d.vendor != desc.vendor => Err(ImportError::invalid(
            path,
            format!(
                "two vendors ({} and {}) both define `{}`",
                d.vendor, desc.vendor, desc.name
            ),
            Some("import one vendor's folder at a time"),
        )),
        Some(slot) if slot.0.version < desc.version => {
            *slot = (desc, event);
            Ok(())
        }
        Some(_) => Ok(()),
        None => {
            kept.push((desc, event));
            Ok(())
        }
    }
}

/// A schema's `self` block and the event it describes.
fn schema(path: &str, value: &Value) -> Result<(SelfDesc, PlanEvent), ImportError> {
    let field = |key: &str| {
        value
            .pointer(&format!("/self/{key}"))
            .and_then(Value::as_str)
    };
    let hint = Some(
        "a self-describing schema has `self`: {vendor, name, format: jsonschema, version: 1-0-0}",
    );
    let (Some(vendor), Some(name), Some(version)) =
        (field("vendor"), field("name"), field("version"))
    else {
        return Err(ImportError::invalid(
            path,
            "the schema's `self` block needs vendor, name and version",
            hint,
        ));
    };
    if field("format") != Some("jsonschema") {
        return Err(ImportError::invalid(
            path,
            "the schema's `self.format` is not `jsonschema`",
            hint,
        ));
    }
    let Some(version) = schema_ver(version) else {
        let msg = format!("`self.version` {version:?} is not a SchemaVer such as 1-0-0");
        return Err(ImportError::invalid(path, msg, hint));
    };
    let event = PlanEvent {
        name: name.to_string(),
        description: value
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        properties: json_schema::properties(value),
        ..PlanEvent::default()
    };
    let desc = SelfDesc {
        vendor: vendor.to_string(),
        name: name.to_string(),
        version,
    };
    Ok((desc, event))
}

fn schema_ver(v: &str) -> Option<(u32, u32, u32)> {
    let mut parts = v.split('-').map(|p| p.parse::<u32>().ok());
    let out = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(out)
}

#[cfg(test)]
#[path = "iglu_tests.rs"]
mod tests;
