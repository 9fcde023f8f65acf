//! Reading a plan file (`tracking/plan.yaml`) into a [`Plan`]. Every mistake is reported at
//! the file, line and column of the key or value, with a hint: an unknown key (and the
//! closest known one), a value of the wrong type, an unknown property type, a bad regex.

use std::collections::HashMap;

use super::node::{self, Kind, Node};
use super::{Conventions, Plan, PlanEmitter, PlanEvent, PlanProperty, PropType};
use crate::config::SiteConfig;
use crate::qa::tree::{Kind as TreeKind, Tree};

/// Where a plan is looked for when `sitewide.toml` names none.
pub const DEFAULT_PATHS: [&str; 2] = ["tracking/plan.yaml", "tracking/plan.yml"];

/// The emitter kinds a plan may list (see `tagging::Emitter::as_str`).
pub const EMITTER_KINDS: [&str; 4] = ["datalayer", "gtag", "segment", "data-attribute"];

const TOP_KEYS: [&str; 2] = ["conventions", "events"];
const CONVENTION_KEYS: [&str; 3] = ["event_case", "pattern", "property_case"];
const EVENT_KEYS: [&str; 4] = ["ga4_name", "description", "emitters", "properties"];
const EMITTER_KEYS: [&str; 2] = ["kind", "attr"];
const PROPERTY_KEYS: [&str; 5] = ["type", "required", "enum", "pattern", "max_len"];

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{path}:{line}:{col}: {message}{}", hint_line(hint))]
    Invalid {
        path: String,
        line: usize,
        col: usize,
        message: String,
        hint: Option<String>,
    },
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
}

fn hint_line(hint: &Option<String>) -> String {
    hint.as_ref()
        .map(|h| format!("\n  = hint: {h}"))
        .unwrap_or_default()
}

/// Where each event and property name was written (1-based line and column), for lint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Locations {
    pub events: HashMap<String, (usize, usize)>,
    pub properties: HashMap<(String, String), (usize, usize)>,
}

impl Locations {
    /// The event's name in the file; `(0, 0)` when unknown (an imported plan).
    pub fn event(&self, name: &str) -> (usize, usize) {
        self.events.get(name).copied().unwrap_or((0, 0))
    }

    pub fn property(&self, event: &str, prop: &str) -> (usize, usize) {
        let key = (event.to_string(), prop.to_string());
        self.properties.get(&key).copied().unwrap_or((0, 0))
    }
}

/// Parses the plan file at `path` (used in messages) whose text is `text`.
pub fn parse(path: &str, text: &str) -> Result<Plan, PlanError> {
    parse_located(path, text).map(|(plan, _)| plan)
}

/// [`parse`], and where each name was written.
pub fn parse_located(path: &str, text: &str) -> Result<(Plan, Locations), PlanError> {
    let mut reader = Reader {
        path,
        locs: Locations::default(),
    };
    let root = node::parse(text).map_err(|e| PlanError::Invalid {
        path: path.to_string(),
        line: e.line,
        col: e.col,
        message: format!("YAML syntax error: {}", e.message),
        hint: Some("check the indentation and brackets on this line and the one above".into()),
    })?;
    let plan = match root {
        Some(root) => reader.plan(&root)?,
        None => Plan::default(),
    };
    Ok((plan, reader.locs))
}

/// The repository's plan: `tracking_plan` from `sitewide.toml`, else `tracking/plan.yaml` or
/// `tracking/plan.yml` when present. `None` when there is no plan.
pub fn load(tree: &dyn Tree, config: &SiteConfig) -> Result<Option<(String, Plan)>, PlanError> {
    let path = match &config.tracking_plan {
        Some(p) => p.get_ref().clone(),
        None => match DEFAULT_PATHS
            .iter()
            .find(|p| tree.kind(p) == Some(TreeKind::File))
        {
            Some(p) => p.to_string(),
            None => return Ok(None),
        },
    };
    let bytes = tree.read(&path).map_err(|e| PlanError::Read {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| PlanError::Read {
        path: path.clone(),
        message: "the file is not UTF-8".into(),
    })?;
    let plan = parse(&path, &text)?;
    Ok(Some((path, plan)))
}

/// The known name closest to `word`, when it is a likely typo.
pub(super) fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (strsim::osa_distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d <= 1 || (*d <= 4 && *d * 3 <= k.len()))
        .min()
        .map(|(_, k)| k)
}

struct Reader<'a> {
    path: &'a str,
    locs: Locations,
}

type Entries = [(Node, Node)];

impl Reader<'_> {
    fn err(&self, at: &Node, message: String, hint: Option<String>) -> PlanError {
        PlanError::Invalid {
            path: self.path.to_string(),
            line: at.line,
            col: at.col,
            message,
            hint,
        }
    }

    /// The entries of a mapping (none for null), checked against `known` keys.
    fn map<'n>(
        &self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> Result<&'n Entries, PlanError> {
        let entries: &Entries = match &node.kind {
            Kind::Map(entries) => entries,
            _ if node.is_null() => &[],
            _ => {
                let msg = format!("{what} must be a mapping, found {}", node.describe());
                return Err(self.err(
                    node,
                    msg,
                    Some(format!("write {what} as `key: value` lines")),
                ));
            }
        };
        let mut seen: Vec<&str> = Vec::new();
        for (key, _) in entries {
            let name = self.key(key)?;
            if !known.is_empty() && !known.contains(&name) {
                let hint = match closest(name, known) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => format!("the keys of {what} are {}", known.join(", ")),
                };
                return Err(self.err(key, format!("unknown key `{name}` in {what}"), Some(hint)));
            }
            if seen.contains(&name) {
                let msg = format!("`{name}` appears twice in {what}");
                return Err(self.err(key, msg, Some("keep one and delete the other".into())));
            }
            seen.push(name);
        }
        Ok(entries)
    }

    fn plan(&mut self, root: &Node) -> Result<Plan, PlanError> {
        let mut plan = Plan::default();
        for (key, value) in self.map(root, "the plan", &TOP_KEYS)? {
            match key.text() {
                Some("conventions") => plan.conventions = self.conventions(value)?,
                _ => {
                    for (name, body) in self.map(value, "`events`", &[])? {
                        plan.events.push(self.event(name, body)?);
                    }
                }
            }
        }
        Ok(plan)
    }

    fn conventions(&self, node: &Node) -> Result<Conventions, PlanError> {
        let mut c = Conventions::default();
        for (key, value) in self.map(node, "`conventions`", &CONVENTION_KEYS)? {
            match key.text() {
                Some("pattern") => c.pattern = self.regex(value, "`pattern`")?,
                Some(k) => {
                    let case = self.case(value, k)?;
                    if k == "event_case" {
                        c.event_case = case;
                    } else {
                        c.property_case = case;
                    }
                }
                None => {}
            }
        }
        Ok(c)
    }

    fn event(&mut self, key: &Node, body: &Node) -> Result<PlanEvent, PlanError> {
        let name = self.key(key)?.to_string();
        self.locs.events.insert(name.clone(), (key.line, key.col));
        let what = format!("event `{name}`");
        let mut event = PlanEvent {
            name: name.clone(),
            line: key.line,
            ..PlanEvent::default()
        };
        for (k, value) in self.map(body, &what, &EVENT_KEYS)? {
            match k.text() {
                Some("ga4_name") => event.ga4_name = self.text(value, "`ga4_name`")?,
                Some("description") => event.description = self.text(value, "`description`")?,
                Some("emitters") => event.emitters = self.emitters(value)?,
                _ => {
                    let props_what = format!("the properties of `{name}`");
                    for (pk, pv) in self.map(value, &props_what, &[])? {
                        event.properties.push(self.property(&name, pk, pv)?);
                    }
                }
            }
        }
        Ok(event)
    }

    fn emitters(&self, node: &Node) -> Result<Vec<PlanEmitter>, PlanError> {
        let items: &[Node] = match &node.kind {
            Kind::Seq(items) => items,
            _ if node.is_null() => &[],
            _ => {
                let msg = format!("`emitters` must be a list, found {}", node.describe());
                let hint = "write `emitters: [{kind: datalayer}]`".to_string();
                return Err(self.err(node, msg, Some(hint)));
            }
        };
        items.iter().map(|item| self.emitter(item)).collect()
    }

    fn emitter(&self, item: &Node) -> Result<PlanEmitter, PlanError> {
        let mut emitter = PlanEmitter::default();
        let mut kind_at = None;
        for (k, value) in self.map(item, "an emitter", &EMITTER_KEYS)? {
            match k.text() {
                Some("kind") => {
                    emitter.kind = self.text(value, "`kind`")?.unwrap_or_default();
                    kind_at = Some(value);
                }
                _ => emitter.attr = self.text(value, "`attr`")?,
            }
        }
        let at = kind_at.unwrap_or(item);
        if !EMITTER_KINDS.contains(&emitter.kind.as_str()) {
            let msg = match emitter.kind.as_str() {
                "" => "an emitter needs a `kind`".to_string(),
                k => format!("unknown emitter kind `{k}`"),
            };
            let hint = match closest(&emitter.kind, &EMITTER_KINDS) {
                Some(k) if !emitter.kind.is_empty() => format!("did you mean `{k}`?"),
                _ => format!("kinds are {}", EMITTER_KINDS.join(", ")),
            };
            return Err(self.err(at, msg, Some(hint)));
        }
        Ok(emitter)
    }

    fn property(
        &mut self,
        event: &str,
        key: &Node,
        body: &Node,
    ) -> Result<PlanProperty, PlanError> {
        let name = self.key(key)?.to_string();
        let at = (event.to_string(), name.clone());
        self.locs.properties.insert(at, (key.line, key.col));
        let what = format!("property `{name}` of `{event}`");
        let mut prop = PlanProperty {
            name: name.clone(),
            ty: PropType::Any,
            ..PlanProperty::default()
        };
        for (k, value) in self.map(body, &what, &PROPERTY_KEYS)? {
            match k.text() {
                Some("type") => prop.ty = self.prop_type(value)?,
                Some("required") => prop.required = self.flag(value, "`required`")?,
                Some("enum") => prop.allowed = self.values(value)?,
                Some("pattern") => prop.pattern = self.regex(value, "`pattern`")?,
                _ => prop.max_len = self.count(value, "`max_len`")?,
            }
        }
        Ok(prop)
    }
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;

#[path = "read_values.rs"]
mod values;
