//! The tracking plan: the events a site may send and their properties, kept in the
//! repository as YAML (`tracking/plan.yaml`, or `tracking_plan` in `sitewide.toml`).

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

#[derive(Debug, Clone, PartialEq)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Any,
}
