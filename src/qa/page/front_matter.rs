//! Front matter at the top of a page: YAML between `---` lines (Jekyll, Eleventy, Hugo) or
//! TOML between `+++` lines (Hugo). Only top-level keys are kept; a broken block is kept as
//! an error message for the rules, never a failure.

use std::collections::BTreeMap;

use crate::qa::source::Span;

#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    /// The whole block including its fences.
    pub span: Span,
    pub values: BTreeMap<String, Value>,
    /// Byte span of each top-level key's value as written (for fixes and positions).
    pub spans: BTreeMap<String, Span>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    List(Vec<String>),
    Bool(bool),
    Null,
    Other,
}

impl FrontMatter {
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.values.get(key)? {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    pub fn list(&self, key: &str) -> Vec<&str> {
        match self.values.get(key) {
            Some(Value::List(v)) => v.iter().map(String::as_str).collect(),
            Some(Value::Text(s)) => vec![s.as_str()],
            _ => Vec::new(),
        }
    }
}

/// Splits off front matter when the file starts with a fence.
pub fn parse(text: &str) -> Option<FrontMatter> {
    let fence = if text.starts_with("---") {
        "---"
    } else if text.starts_with("+++") {
        "+++"
    } else {
        return None;
    };
    let first_nl = text.find('\n')?;
    if !text[fence.len()..first_nl].trim().is_empty() {
        return None;
    }
    let body_start = first_nl + 1;
    let mut pos = body_start;
    let (body_end, block_end) = loop {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..line_end].trim_end_matches('\r');
        if line.trim_end() == fence || (fence == "---" && line.trim_end() == "...") {
            break (pos, (line_end + 1).min(text.len()));
        }
        if line_end >= text.len() {
            return None;
        }
        pos = line_end + 1;
    };
    let body = &text[body_start..body_end];
    let mut fm = FrontMatter {
        span: Span::new(0, block_end),
        ..FrontMatter::default()
    };
    if fence == "---" {
        read_yaml(body, &mut fm);
    } else {
        read_toml(body, &mut fm);
    }
    fm.spans = value_spans(body, body_start, fence == "+++");
    Some(fm)
}

fn read_yaml(body: &str, fm: &mut FrontMatter) {
    use yaml_rust2::{Yaml, YamlLoader};
    let docs = match YamlLoader::load_from_str(body) {
        Ok(d) => d,
        Err(e) => {
            fm.error = Some(e.to_string());
            return;
        }
    };
    let Some(Yaml::Hash(map)) = docs.into_iter().next() else {
        return;
    };
    for (k, v) in map {
        let Some(key) = yaml_scalar(&k) else { continue };
        let value = match v {
            Yaml::Array(items) => Value::List(items.iter().filter_map(yaml_scalar).collect()),
            Yaml::Boolean(b) => Value::Bool(b),
            Yaml::Null => Value::Null,
            Yaml::Hash(_) => Value::Other,
            other => yaml_scalar(&other).map_or(Value::Other, Value::Text),
        };
        fm.values.insert(key, value);
    }
}

fn yaml_scalar(y: &yaml_rust2::Yaml) -> Option<String> {
    use yaml_rust2::Yaml;
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn read_toml(body: &str, fm: &mut FrontMatter) {
    let table: toml::Table = match body.parse() {
        Ok(t) => t,
        Err(e) => {
            fm.error = Some(e.message().to_string());
            return;
        }
    };
    for (k, v) in table {
        let value = match v {
            toml::Value::String(s) => Value::Text(s),
            toml::Value::Boolean(b) => Value::Bool(b),
            toml::Value::Array(a) => Value::List(
                a.into_iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
            ),
            toml::Value::Integer(i) => Value::Text(i.to_string()),
            _ => Value::Other,
        };
        fm.values.insert(k, value);
    }
}

/// Where each top-level `key: value` (or `key = value`) line's value sits, quotes excluded.
fn value_spans(body: &str, base: usize, is_toml: bool) -> BTreeMap<String, Span> {
    let mut out = BTreeMap::new();
    let mut pos = 0;
    for line in body.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        let sep = if is_toml { '=' } else { ':' };
        let Some(colon) = line.find(sep) else {
            continue;
        };
        let key = line[..colon].trim().trim_matches(['"', '\'']);
        let raw = &line[colon + 1..];
        let lead = raw.len() - raw.trim_start().len();
        let value = raw.trim();
        let (mut vs, mut ve) = (colon + 1 + lead, colon + 1 + lead + value.len());
        if value.len() >= 2
            && ((value.starts_with('"') && value.ends_with('"'))
                || (value.starts_with('\'') && value.ends_with('\'')))
        {
            vs += 1;
            ve -= 1;
        }
        out.insert(
            key.to_string(),
            Span::new(base + start + vs, base + start + ve),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_yaml_keys_and_value_spans() {
        let t = "---\nlayout: default\ntitle: \"Pricing\"\ntags: [a, b]\n---\nbody";
        let fm = parse(t).unwrap();
        assert_eq!(fm.text("layout"), Some("default"));
        assert_eq!(fm.list("tags"), ["a", "b"]);
        let s = fm.spans["title"];
        assert_eq!(&t[s.start..s.end], "Pricing");
        assert_eq!(&t[fm.span.end..], "body");
    }

    #[test]
    fn reads_toml_front_matter() {
        let fm = parse("+++\ntitle = \"A\"\ndraft = true\n+++\n").unwrap();
        assert_eq!(fm.text("title"), Some("A"));
        assert_eq!(fm.values["draft"], Value::Bool(true));
    }

    #[test]
    fn broken_yaml_is_kept_as_an_error() {
        let fm = parse("---\ntitle: [unclosed\n---\n").unwrap();
        assert!(fm.error.is_some());
        assert!(parse("---\nno end").is_none());
    }
}
