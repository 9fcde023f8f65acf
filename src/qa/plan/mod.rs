//! The tracking plan: the events a site may send and their properties, kept in the
//! repository as YAML (`tracking/plan.yaml`, or `tracking_plan` in `sitewide.toml`).
//! `read` parses that file (errors at file:line:col), `write` prints it back, `import`
//! turns Segment, Snowplow Iglu and Amplitude exports into it, and `lint` checks the plan
//! itself. The format is documented in docs/tracking-plan.md.

pub mod import;
pub mod lint;
mod node;
mod read;
mod write;

pub use read::{Locations, PlanError, load, parse, parse_located};
pub use write::to_yaml;

/// A tracking plan, in the order its file lists events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub conventions: Conventions,
    pub events: Vec<PlanEvent>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conventions {
    /// `snake_case`, `camelCase`, `Proper Case`, `kebab-case`, … as written in the plan.
    pub event_case: Option<String>,
    /// A regex every event name must match in full.
    pub pattern: Option<String>,
    pub property_case: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanEvent {
    pub name: String,
    /// The GA4 event name where it differs from `name`.
    pub ga4_name: Option<String>,
    pub description: Option<String>,
    /// `datalayer`, `gtag`, `segment`, `data-attribute` (see `tagging::Emitter::as_str`).
    pub emitters: Vec<PlanEmitter>,
    pub properties: Vec<PlanProperty>,
    /// 1-based line of the event in the plan file (0 when imported).
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanEmitter {
    pub kind: String,
    /// For `data-attribute`: the attribute that carries the event (`data-cta-text`).
    pub attr: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanProperty {
    pub name: String,
    pub ty: PropType,
    pub required: bool,
    /// Permitted values (`enum`), as strings.
    pub allowed: Vec<String>,
    /// A regex the value must match in full.
    pub pattern: Option<String>,
    pub max_len: Option<usize>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PropType {
    #[default]
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Any,
}

impl PropType {
    /// Every type, in the order the plan format documents them.
    pub const ALL: [PropType; 7] = [
        PropType::String,
        PropType::Number,
        PropType::Integer,
        PropType::Boolean,
        PropType::Array,
        PropType::Object,
        PropType::Any,
    ];

    /// The plan's name for it (`type: string`).
    pub fn as_str(self) -> &'static str {
        match self {
            PropType::String => "string",
            PropType::Number => "number",
            PropType::Integer => "integer",
            PropType::Boolean => "boolean",
            PropType::Array => "array",
            PropType::Object => "object",
            PropType::Any => "any",
        }
    }

    /// The type named `name` in a plan.
    pub fn from_name(name: &str) -> Option<PropType> {
        PropType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}
