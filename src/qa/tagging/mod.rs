//! Analytics tagging: the events a site's code sends (`events`), read from inline and
//! first-party scripts with a real JavaScript parser (`js`), for the tagging audit and the
//! TAG rules.

pub mod coverage;
pub mod env;
pub mod events;
pub mod js;
pub mod order;
pub mod script;
pub mod snippets;
pub mod tags;
pub mod values;

use std::sync::Arc;

use crate::qa::source::Span;

/// A value in an event call as the code writes it. Anything not written as a literal
/// (a variable, a call, a template expression) is `Dynamic`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Number(f64),
    Bool(bool),
    Null,
    /// Properties in source order; a spread (`...base`) is the key `...` with a
    /// `Dynamic` value.
    Object(Vec<(String, Value)>),
    Array(Vec<Value>),
    Dynamic,
}

impl Value {
    /// The JSON type name, or `dynamic`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "boolean",
            Value::Null => "null",
            Value::Object(_) => "object",
            Value::Array(_) => "array",
            Value::Dynamic => "dynamic",
        }
    }
}

/// How an event is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Emitter {
    /// `dataLayer.push({event: …})`
    DataLayer,
    /// `gtag('event', …)`
    Gtag,
    /// Segment's `analytics.track(…)`
    SegmentTrack,
    /// A `data-*` attribute contract on an element (`data-cta-text`).
    DataAttribute,
}

impl Emitter {
    /// The plan's name for it (`emitters: [{kind: datalayer}]`).
    pub fn as_str(self) -> &'static str {
        match self {
            Emitter::DataLayer => "datalayer",
            Emitter::Gtag => "gtag",
            Emitter::SegmentTrack => "segment",
            Emitter::DataAttribute => "data-attribute",
        }
    }
}

/// One event sent in code, with its literal properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: String,
    /// The name is a literal; a dynamic name is `false` (and `name` is the source text).
    pub literal_name: bool,
    pub properties: Vec<(String, Value)>,
    /// The code may send properties not listed: a spread (`{...base}`) or a properties
    /// argument that is not a literal object.
    pub open: bool,
    pub emitter: Emitter,
    pub file: Arc<str>,
    /// Byte span of the call (or element) in `file`.
    pub span: Span,
    pub line: usize,
    pub column: usize,
}
