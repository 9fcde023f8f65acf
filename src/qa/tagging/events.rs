//! The events a site sends, read from code: `dataLayer.push({event: …})`,
//! `gtag('event', …)`, Segment's `analytics.track(…)` in inline scripts and first-party
//! script files, and the `data-*` attribute contracts the tracking plan declares
//! (`emitters: [{kind: data-attribute, attr: data-cta-text}]`) on elements.

use std::sync::Arc;

use super::js::{self, Call, Script};
use super::{Emitter, Event, Value};
use crate::qa::page::Document;
use crate::qa::plan::Plan;
use crate::qa::source::{LineIndex, Span};

/// Every event of a document (inline scripts, then attribute contracts), read once.
pub fn in_document(doc: &Document, plan: Option<&Plan>) -> Arc<DocumentEvents> {
    doc.memo(|| {
        let mut events: Vec<Event> = js::scripts(doc)
            .iter()
            .flat_map(|script| from_script(script, &doc.path, &doc.text, &doc.lines))
            .collect();
        events.extend(from_attributes(doc, plan));
        DocumentEvents(events)
    })
}

/// The events of one document (the memo's own type).
#[derive(Debug)]
pub struct DocumentEvents(Vec<Event>);

impl std::ops::Deref for DocumentEvents {
    type Target = [Event];

    fn deref(&self) -> &[Event] {
        &self.0
    }
}

/// A first-party script file and the events it sends.
#[derive(Debug)]
pub struct ScriptFile {
    pub path: Arc<str>,
    pub text: String,
    pub lines: LineIndex,
    pub script: Script,
    pub events: Vec<Event>,
}

impl ScriptFile {
    /// Reads and parses `path`; `None` when it cannot be read as UTF-8 text.
    pub fn read(tree: &dyn crate::qa::tree::Tree, path: &Arc<str>) -> Option<ScriptFile> {
        let text = tree.read_string(path)?;
        let lines = LineIndex::new(&text);
        let script = js::scan(&text);
        let events = from_script(&script, path, &text, &lines);
        Some(ScriptFile {
            path: path.clone(),
            text,
            lines,
            script,
            events,
        })
    }
}

/// The events one script sends; `text` is what its spans index.
pub fn from_script(script: &Script, file: &Arc<str>, text: &str, lines: &LineIndex) -> Vec<Event> {
    script
        .calls
        .iter()
        .filter_map(|call| {
            let (emitter, name, name_at, props) = event_call(call)?;
            let (name, literal_name) = match name {
                Value::String(s) => (s, true),
                _ => (source(text, name_at).to_string(), false),
            };
            let at = lines.line_col(text, call.span.start);
            let open = props.iter().any(|(k, _)| k == "...");
            Some(Event {
                name,
                literal_name,
                properties: props.into_iter().filter(|(k, _)| k != "...").collect(),
                open,
                emitter,
                file: file.clone(),
                span: call.span,
                line: at.line,
                column: at.column,
            })
        })
        .collect()
}

fn source(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or_default()
}

/// An event's properties, in the order the code writes them.
type Properties = Vec<(String, Value)>;

/// What kind of event call `call` is: its emitter, the name, where the name's source is
/// (for a name that is not a literal), and the properties. `dataLayer.push` of an object
/// without `event` sets data but sends nothing, so it is not an event.
fn event_call(call: &Call) -> Option<(Emitter, Value, Span, Properties)> {
    let callee = call.callee.strip_prefix("window.").unwrap_or(&call.callee);
    match callee {
        "dataLayer.push" => {
            let Some(Value::Object(fields)) = call.args.first() else {
                return None;
            };
            let (_, name) = fields.iter().find(|(k, _)| k == "event")?;
            let props = fields
                .iter()
                .filter(|(k, _)| k != "event")
                .cloned()
                .collect();
            Some((Emitter::DataLayer, name.clone(), call.arg_spans[0], props))
        }
        "gtag" if call.args.first() == Some(&Value::String("event".into())) => {
            let name = call.args.get(1)?.clone();
            let props = object_fields(call.args.get(2));
            Some((Emitter::Gtag, name, call.arg_spans[1], props))
        }
        "analytics.track" => {
            let name = call.args.first()?.clone();
            let props = object_fields(call.args.get(1));
            Some((Emitter::SegmentTrack, name, call.arg_spans[0], props))
        }
        _ => None,
    }
}

/// The fields of a properties argument; one that is not a literal object is open.
fn object_fields(value: Option<&Value>) -> Properties {
    match value {
        Some(Value::Object(fields)) => fields.clone(),
        None => Vec::new(),
        Some(_) => vec![("...".to_string(), Value::Dynamic)],
    }
}

/// Elements carrying an attribute the plan declares as an event's emitter. The element's
/// `data-*` attributes are the properties (`data-cta-position` → `cta_position`).
fn from_attributes(doc: &Document, plan: Option<&Plan>) -> Vec<Event> {
    let Some(plan) = plan else {
        return Vec::new();
    };
    let contracts: Vec<(&str, &str)> = plan
        .events
        .iter()
        .flat_map(|e| {
            e.emitters
                .iter()
                .filter(|m| m.kind == Emitter::DataAttribute.as_str())
                .filter_map(move |m| Some((m.attr.as_deref()?, e.name.as_str())))
        })
        .collect();
    if contracts.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (el, element) in doc.elements.iter().enumerate() {
        for &(attr, name) in &contracts {
            if doc.attr(el, attr).is_none() {
                continue;
            }
            let at = doc.lines.line_col(&doc.text, element.tag.start);
            out.push(Event {
                name: name.to_string(),
                literal_name: true,
                properties: data_properties(doc, el),
                open: false,
                emitter: Emitter::DataAttribute,
                file: doc.path.clone(),
                span: element.tag,
                line: at.line,
                column: at.column,
            });
        }
    }
    out
}

fn data_properties(doc: &Document, el: usize) -> Vec<(String, Value)> {
    doc.attrs_of(el)
        .iter()
        .filter_map(|a| {
            let key = a.name.strip_prefix("data-")?;
            let value = match a.value {
                Some(span) if doc.is_dynamic(span) => Value::Dynamic,
                Some(span) => Value::String(crate::qa::page::decode_entities(doc.slice(span))),
                None => Value::String(String::new()),
            };
            Some((key.replace('-', "_"), value))
        })
        .collect()
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
