//! `sitewide plan import`: other tools' tracking plans turned into Sitewide's plan. Segment
//! Protocols (an event's JSON Schema, or a tracking plan's rules from Segment's APIs),
//! Snowplow Iglu self-describing schemas (one file or a folder of them), and Amplitude
//! Data's events CSV export. The format is detected from the content unless named.

pub mod amplitude;
pub mod iglu;
mod json_schema;
pub mod segment;

use super::Plan;
use crate::qa::tree::Tree;

/// A format `plan import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Segment,
    Iglu,
    Amplitude,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Segment => "segment",
            Format::Iglu => "iglu",
            Format::Amplitude => "amplitude",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// What the file says cannot be read as the format; `line` 0 when not known.
    #[error("{}{message}{}", at(path, *line, *col), hint_line(hint))]
    Invalid {
        path: String,
        line: usize,
        col: usize,
        message: String,
        hint: Option<String>,
    },
    #[error(
        "{path}: cannot tell which format this is\n  = hint: pass --from segment, --from iglu or --from amplitude"
    )]
    Unknown { path: String },
}

fn at(path: &str, line: usize, col: usize) -> String {
    match (line, col) {
        (0, _) => format!("{path}: "),
        (l, 0) => format!("{path}:{l}: "),
        (l, c) => format!("{path}:{l}:{c}: "),
    }
}

fn hint_line(hint: &Option<String>) -> String {
    hint.as_ref()
        .map(|h| format!("\n  = hint: {h}"))
        .unwrap_or_default()
}

impl ImportError {
    pub(crate) fn invalid(
        path: &str,
        message: impl Into<String>,
        hint: Option<&str>,
    ) -> ImportError {
        ImportError::Invalid {
            path: path.to_string(),
            line: 0,
            col: 0,
            message: message.into(),
            hint: hint.map(str::to_string),
        }
    }
}

/// The format of a file, judged from its text: JSON with a `self` block is Iglu, JSON with
/// tracking-plan `rules` or an event's `properties.properties` is Segment, and a CSV whose
/// header has `Object Type` and `Object Name` is Amplitude.
pub fn detect(text: &str) -> Option<Format> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let value: serde_json::Value = serde_json::from_str(trimmed).ok()?;
        if iglu::is_self_describing(&value) {
            return Some(Format::Iglu);
        }
        return segment::looks_like(&value).then_some(Format::Segment);
    }
    let header = trimmed.lines().next()?;
    (header.contains("Object Type") && header.contains("Object Name")).then_some(Format::Amplitude)
}

/// The plan in one file. `path` names it in messages (and, for a Segment event schema, its
/// stem is the event's name).
pub fn import_text(path: &str, text: &str, from: Option<Format>) -> Result<Plan, ImportError> {
    let format = match from {
        Some(f) => f,
        None => detect(text).ok_or_else(|| ImportError::Unknown {
            path: path.to_string(),
        })?,
    };
    let text = text.trim_start_matches('\u{feff}');
    match format {
        Format::Segment => segment::import(path, text),
        Format::Iglu => iglu::import_file(path, text),
        Format::Amplitude => amplitude::import(path, text),
    }
}

/// The plan in a folder: only Iglu schemas come as folders (a registry's
/// `schemas/<vendor>/<name>/jsonschema/<version>` files).
pub fn import_tree(tree: &dyn Tree, from: Option<Format>) -> Result<Plan, ImportError> {
    match from {
        None | Some(Format::Iglu) => iglu::import_tree(tree),
        Some(other) => Err(ImportError::invalid(
            &tree.root().display().to_string(),
            format!(
                "a folder can only be imported as Iglu schemas, not {}",
                other.as_str()
            ),
            Some("pass the export file itself"),
        )),
    }
}

/// A JSON text as a value, or an error at its line and column.
pub(crate) fn parse_json(path: &str, text: &str) -> Result<serde_json::Value, ImportError> {
    serde_json::from_str(text).map_err(|e| ImportError::Invalid {
        path: path.to_string(),
        line: e.line(),
        col: e.column(),
        message: format!("not valid JSON: {e}"),
        hint: None,
    })
}

#[cfg(test)]
mod tests {
    use super::{Format, detect, import_text, import_tree};
    use crate::qa::plan::{Plan, parse, to_yaml};

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/plan");

    fn round_trip(plan: &Plan) {
        let text = to_yaml(plan);
        let back = parse("imported.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let mut back = back;
        back.events.iter_mut().for_each(|e| e.line = 0);
        assert_eq!(&back, plan, "{text}");
    }

    #[test]
    fn every_imported_fixture_writes_a_plan_that_reads_back_the_same() {
        for file in [
            "segment/public-api-rules.json",
            "segment/config-api-plan.json",
            "amplitude/events.csv",
        ] {
            let text = std::fs::read_to_string(format!("{FIXTURES}/{file}")).expect("fixture");
            round_trip(&import_text(file, &text, None).unwrap_or_else(|e| panic!("{e}")));
        }
        let tree =
            crate::qa::tree::Disk::new(std::path::Path::new(FIXTURES).join("iglu").as_path());
        round_trip(&import_tree(&tree, None).expect("iglu folder"));
    }

    #[test]
    fn the_format_is_told_from_the_content() {
        let iglu = r#"{"self": {"vendor": "com.acme", "name": "x", "format": "jsonschema", "version": "1-0-0"}}"#;
        assert_eq!(detect(iglu), Some(Format::Iglu));
        let segment = r#"{"properties": {"properties": {"type": "object"}}}"#;
        assert_eq!(detect(segment), Some(Format::Segment));
        assert_eq!(detect(r#"{"data": {"rules": []}}"#), Some(Format::Segment));
        let csv = "Action,Object Type,Object Name,Event Property Name\n";
        assert_eq!(detect(csv), Some(Format::Amplitude));
        assert_eq!(detect("{\"a\": 1}"), None);
        assert_eq!(detect("name,type\n"), None);
    }
}
