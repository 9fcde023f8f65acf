//! serde's messages about a spec, reworded, and what to do about each.

use super::closest;

/// serde's message in the spec's words: the known keys go to the hint, Rust types become
/// TOML ones.
pub(super) fn plain(message: &str) -> String {
    for (prefix, what) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let name = rest.split_once('`').map_or(rest, |(n, _)| n);
            return format!("unknown {what} `{name}`");
        }
    }
    let mut m = message.to_string();
    for (rust, toml) in [
        ("expected u64", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected f64", "expected a number"),
    ] {
        m = m.replace(rust, toml);
    }
    m
}

/// What to do about a TOML or schema error, from serde's message.
pub(super) fn hint_for(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return match closest(field, candidates.iter().copied()) {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("known keys here: {}", candidates.join(", ")),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (value, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return match closest(value, candidates.iter().copied()) {
            Some(c) => format!("did you mean \"{c}\"?"),
            None => format!("use one of: \"{}\"", candidates.join("\", \"")),
        };
    }
    let expected = message.rsplit_once("expected ").map_or("", |(_, e)| e);
    let hint = match expected {
        e if e.contains("sequence") => {
            "write a list, e.g. targets = [\"**/*.html\"]; a list of tables is written [[steps]]"
        }
        e if e.starts_with('u') || e.starts_with('i') => {
            "write a whole number of 1 or more, e.g. 500"
        }
        e if e.starts_with('f') => "write a number, e.g. 5.0",
        e if e.contains("string") => "write a quoted string",
        e if e.contains("bool") => "write true or false",
        e if e.contains("map") || e.contains("struct") || e.contains("table") => {
            "write a table: a [section] header or key = { … }"
        }
        _ => "this is not valid TOML here; docs/job-spec.md lists every key",
    };
    hint.to_string()
}
