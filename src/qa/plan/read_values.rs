//! The values inside a plan file: names, text, regexes, flags, counts, enum lists, cases
//! and property types, each checked with an error at the value's position.

use super::{PlanError, Reader, closest};
use crate::qa::plan::PropType;
use crate::qa::plan::lint::case::Case;
use crate::qa::plan::node::{Kind, Node};

impl Reader<'_> {
    pub(super) fn key<'n>(&self, key: &'n Node) -> Result<&'n str, PlanError> {
        match key.text() {
            Some(t) if !key.is_null() => Ok(t),
            _ => Err(self.err(
                key,
                format!("a key must be a name, found {}", key.describe()),
                None,
            )),
        }
    }

    /// A scalar's text; `None` for null.
    pub(super) fn text(&self, node: &Node, what: &str) -> Result<Option<String>, PlanError> {
        if node.is_null() {
            return Ok(None);
        }
        match node.text() {
            Some(t) => Ok(Some(t.to_string())),
            None => {
                let msg = format!("{what} must be text, found {}", node.describe());
                Err(self.err(node, msg, Some("write a single value".into())))
            }
        }
    }

    pub(super) fn regex(&self, node: &Node, what: &str) -> Result<Option<String>, PlanError> {
        let Some(pattern) = self.text(node, what)? else {
            return Ok(None);
        };
        match regex::Regex::new(&pattern) {
            Ok(_) => Ok(Some(pattern)),
            Err(e) => {
                let detail = e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                let hint = "the pattern is a Rust regex (RE2-like); quote it in single quotes so YAML keeps backslashes";
                Err(self.err(
                    node,
                    format!("{what} is not a valid regex: {detail}"),
                    Some(hint.into()),
                ))
            }
        }
    }

    pub(super) fn case(&self, node: &Node, key: &str) -> Result<Option<String>, PlanError> {
        let Some(name) = self.text(node, &format!("`{key}`"))? else {
            return Ok(None);
        };
        if Case::from_name(&name).is_some() {
            return Ok(Some(name));
        }
        let known: Vec<&str> = Case::names().collect();
        let hint = match closest(&name, &known) {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!("use one of: {}", known.join(", ")),
        };
        Err(self.err(
            node,
            format!("unknown naming case `{name}` in `{key}`"),
            Some(hint),
        ))
    }

    pub(super) fn prop_type(&self, node: &Node) -> Result<PropType, PlanError> {
        let Some(name) = self.text(node, "`type`")? else {
            return Ok(PropType::Any);
        };
        if let Some(t) = PropType::from_name(&name) {
            return Ok(t);
        }
        let known: Vec<&str> = PropType::ALL.iter().map(|t| t.as_str()).collect();
        let hint = match closest(&name, &known) {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!("types are {}", known.join(", ")),
        };
        Err(self.err(node, format!("unknown property type `{name}`"), Some(hint)))
    }

    pub(super) fn flag(&self, node: &Node, what: &str) -> Result<bool, PlanError> {
        if node.is_null() {
            return Ok(false);
        }
        node.as_bool().ok_or_else(|| {
            let found = node
                .text()
                .map(|t| format!("`{t}`"))
                .unwrap_or(node.describe().into());
            let msg = format!("{what} must be true or false, found {found}");
            self.err(
                node,
                msg,
                Some("write `true` or `false` without quotes".into()),
            )
        })
    }

    pub(super) fn count(&self, node: &Node, what: &str) -> Result<Option<usize>, PlanError> {
        if node.is_null() {
            return Ok(None);
        }
        node.as_usize().map(Some).ok_or_else(|| {
            let found = node
                .text()
                .map(|t| format!("`{t}`"))
                .unwrap_or(node.describe().into());
            let msg = format!("{what} must be a whole number, found {found}");
            self.err(
                node,
                msg,
                Some("write a number of characters such as `100`".into()),
            )
        })
    }

    pub(super) fn values(&self, node: &Node) -> Result<Vec<String>, PlanError> {
        let Kind::Seq(items) = &node.kind else {
            if node.is_null() {
                return Ok(Vec::new());
            }
            let msg = format!("`enum` must be a list, found {}", node.describe());
            return Err(self.err(
                node,
                msg,
                Some("write `enum: [hero, pricing, footer]`".into()),
            ));
        };
        items
            .iter()
            .map(|item| match item.text() {
                Some(t) => Ok(t.to_string()),
                None => Err(self.err(
                    item,
                    format!(
                        "an `enum` value must be a scalar, found {}",
                        item.describe()
                    ),
                    None,
                )),
            })
            .collect()
    }
}
