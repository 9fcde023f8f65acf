//! The part of JSON Schema that Segment and Iglu share: an object schema's `properties`
//! and `required`, each property's `type`, `enum`, `const`, `pattern` and `maxLength`.
//! Nested objects become `object` properties (the plan format is flat).

use serde_json::Value;

use crate::qa::plan::{PlanProperty, PropType};

/// The properties of an object schema, by name (JSON objects have no order).
pub fn properties(object: &Value) -> Vec<PlanProperty> {
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = object.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out: Vec<PlanProperty> = props
        .iter()
        .map(|(name, schema)| property(name, schema, required.contains(&name.as_str())))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn property(name: &str, schema: &Value, required: bool) -> PlanProperty {
    let mut allowed: Vec<String> = schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| values.iter().filter_map(value_text).collect())
        .unwrap_or_default();
    if let Some(c) = schema.get("const").and_then(value_text) {
        allowed = vec![c];
    }
    PlanProperty {
        name: name.to_string(),
        ty: prop_type(schema),
        required,
        allowed,
        pattern: schema
            .get("pattern")
            .and_then(Value::as_str)
            .map(str::to_string),
        max_len: schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok()),
    }
}

/// An enum value as the plan writes it; `null` (a nullable enum) is left out.
fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The property's type: `type` (a name, or a list where `null` only makes it nullable), or
/// what its `enum`/`const` values are.
fn prop_type(schema: &Value) -> PropType {
    let names: Vec<&str> = match schema.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => return type_of_values(schema),
    };
    let mut types: Vec<PropType> = names
        .iter()
        .filter(|n| **n != "null")
        .filter_map(|n| PropType::from_name(n))
        .collect();
    types.dedup();
    match types.as_slice() {
        [one] => *one,
        [a, b]
            if matches!(
                (a, b),
                (PropType::Integer, PropType::Number) | (PropType::Number, PropType::Integer)
            ) =>
        {
            PropType::Number
        }
        _ => PropType::Any,
    }
}

fn type_of_values(schema: &Value) -> PropType {
    let values: Vec<&Value> = match (schema.get("enum"), schema.get("const")) {
        (_, Some(c)) => vec![c],
        (Some(Value::Array(list)), None) => list.iter().filter(|v| !v.is_null()).collect(),
        _ => return PropType::Any,
    };
    let kind = |v: &Value| match v {
        Value::String(_) => PropType::String,
        Value::Number(n) if n.is_i64() || n.is_u64() => PropType::Integer,
        Value::Number(_) => PropType::Number,
        Value::Bool(_) => PropType::Boolean,
        _ => PropType::Any,
    };
    let first = values.first().map(|v| kind(v)).unwrap_or(PropType::Any);
    if values.iter().all(|v| kind(v) == first) {
        first
    } else {
        PropType::Any
    }
}

#[cfg(test)]
mod tests {
    use super::properties;
    use crate::qa::plan::PropType;

    #[test]
    fn types_enums_and_limits_map_onto_plan_properties() {
        let schema = serde_json::json!({
            "type": "object",
            "required": ["b"],
            "properties": {
                "b": {"type": ["string", "null"], "format": "date-time"},
                "a": {"enum": ["hero", "footer", null]},
                "c": {"type": ["integer", "number"]},
                "d": {"type": "string", "maxLength": 100, "pattern": "^x$"},
                "e": {"const": 3},
                "f": {"type": ["string", "boolean"]}
            }
        });
        let got: Vec<(String, PropType, bool, Vec<String>)> = properties(&schema)
            .into_iter()
            .map(|p| (p.name, p.ty, p.required, p.allowed))
            .collect();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            [
                ("a".into(), PropType::String, false, s(&["hero", "footer"])),
                ("b".into(), PropType::String, true, vec![]),
                ("c".into(), PropType::Number, false, vec![]),
                ("d".into(), PropType::String, false, vec![]),
                ("e".into(), PropType::Integer, false, s(&["3"])),
                ("f".into(), PropType::Any, false, vec![]),
            ]
        );
        let d = &properties(&schema)[3];
        assert_eq!((d.max_len, d.pattern.as_deref()), (Some(100), Some("^x$")));
    }
}
