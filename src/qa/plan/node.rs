//! A YAML document as a tree of nodes that remember where they start (line and column,
//! 1-based), built from yaml-rust2's parser events, so every error in a plan can point at
//! the key or value the user wrote.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// One YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar's text, and whether it was plain (unquoted, so `true` and `12` are typed).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Keys in the order written.
    Map(Vec<(Node, Node)>),
    /// An alias (`*name`); the plan format has no use for anchors.
    Alias,
}

impl Node {
    /// The scalar's text when this is a scalar.
    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether this is YAML's null: `~`, `null`, or nothing at all.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A plain `true`/`false` (YAML 1.2 core schema spellings).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Scalar { text, plain: true } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A plain non-negative integer.
    pub fn as_usize(&self) -> Option<usize> {
        match &self.kind {
            Kind::Scalar { text, plain: true } => text.parse().ok(),
            _ => None,
        }
    }

    /// What the node is, for "expected …, found …" messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar { .. } if self.is_null() => "nothing",
            Kind::Scalar { .. } => "a scalar",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
            Kind::Alias => "an alias",
        }
    }
}

/// A syntax error: message, line, column.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub line: usize,
    pub col: usize,
}

/// The first document of `text`; `None` for an empty file.
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| SyntaxError {
        message: e.info().to_string(),
        line: e.marker().line(),
        col: e.marker().col() + 1,
    })?;
    Ok(builder.root)
}

/// Collects parser events into nodes: a stack of open collections.
#[derive(Default)]
struct Builder {
    stack: Vec<(Node, Option<Node>)>,
    root: Option<Node>,
}

impl Builder {
    fn push(&mut self, node: Node) {
        let Some((parent, pending_key)) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        match &mut parent.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map(entries) => match pending_key.take() {
                Some(key) => entries.push((key, node)),
                None => *pending_key = Some(node),
            },
            _ => {}
        }
    }

    fn close(&mut self) {
        if let Some((node, _)) = self.stack.pop() {
            self.push(node);
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let at = |kind| Node {
            kind,
            line: mark.line(),
            col: mark.col() + 1,
        };
        match ev {
            Event::Scalar(text, style, _, _) => {
                let plain = style == TScalarStyle::Plain;
                self.push(at(Kind::Scalar { text, plain }));
            }
            Event::SequenceStart(..) => self.stack.push((at(Kind::Seq(Vec::new())), None)),
            Event::MappingStart(..) => self.stack.push((at(Kind::Map(Vec::new())), None)),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(_) => self.push(at(Kind::Alias)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Kind, parse};

    #[test]
    fn nodes_know_their_line_and_column() {
        let root = parse("a: 1\nb:\n  - x\n  - 'y'\n")
            .expect("parses")
            .expect("a document");
        let Kind::Map(entries) = root.kind else {
            panic!("a map")
        };
        assert_eq!((entries[0].0.line, entries[0].0.col), (1, 1));
        assert_eq!((entries[1].0.line, entries[1].0.col), (2, 1));
        let Kind::Seq(items) = &entries[1].1.kind else {
            panic!("a list")
        };
        assert_eq!((items[1].line, items[1].col), (4, 5));
        assert_eq!(
            items[1].kind,
            Kind::Scalar {
                text: "y".into(),
                plain: false
            }
        );
    }

    #[test]
    fn a_syntax_error_has_a_position() {
        let err = parse("a: [1, 2\nb: 3\n").expect_err("unclosed list");
        assert!(err.line >= 1, "{err:?}");
    }

    #[test]
    fn an_empty_file_has_no_document() {
        assert_eq!(parse("# nothing\n").expect("parses"), None);
    }
}
