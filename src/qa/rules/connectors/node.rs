//! YAML and JSON documents as a tree with the byte span of every key and scalar, so
//! connector findings point at the value (`customer_id: "123-456-7890"` at its line and
//! column). JSON is read by the YAML parser: JSON is YAML's flow style.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::qa::source::Span;

/// One value of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A scalar: its text, where its text is (quotes excluded), and whether it was quoted.
    Scalar {
        text: String,
        span: Span,
        quoted: bool,
    },
    Seq(Vec<Node>, Span),
    /// A mapping: keys (with their spans) and values, in order.
    Map(Vec<(String, Span, Node)>, Span),
}

impl Node {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, n)| n)
    }

    /// The key's span and value of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(Span, &Node)> {
        match self {
            Node::Map(entries, _) => entries
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, s, n)| (*s, n)),
            _ => None,
        }
    }

    /// The text of a scalar.
    pub fn str(&self) -> Option<&str> {
        match self {
            Node::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Node::Scalar { span, .. } | Node::Seq(_, span) | Node::Map(_, span) => *span,
        }
    }

    /// The items of a sequence (none for anything else).
    pub fn items(&self) -> &[Node] {
        match self {
            Node::Seq(items, _) => items,
            _ => &[],
        }
    }

    /// Every mapping entry in the document, depth first: `(key, key span, value)`.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a str, Span, &'a Node)) {
        match self {
            Node::Map(entries, _) => {
                for (k, s, v) in entries {
                    f(k, *s, v);
                    v.walk(f);
                }
            }
            Node::Seq(items, _) => items.iter().for_each(|i| i.walk(f)),
            Node::Scalar { .. } => {}
        }
    }

    /// Every mapping in the document (this one included), depth first.
    pub fn maps<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
        match self {
            Node::Map(entries, _) => {
                f(self);
                entries.iter().for_each(|(_, _, v)| v.maps(f));
            }
            Node::Seq(items, _) => items.iter().for_each(|i| i.maps(f)),
            Node::Scalar { .. } => {}
        }
    }
}

/// Parses `text` (YAML or JSON): the first document, or `None` when it does not parse.
pub fn parse(text: &str) -> Option<Node> {
    let mut b = Builder {
        text,
        line_starts: line_starts(text),
        stack: Vec::new(),
        done: None,
    };
    Parser::new_from_str(text).load(&mut b, false).ok()?;
    b.done
}

enum Open {
    Seq(Vec<Node>, usize),
    /// Entries, and a key read whose value is still to come.
    Map(Vec<(String, Span, Node)>, Option<(String, Span)>, usize),
}

struct Builder<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    stack: Vec<Open>,
    done: Option<Node>,
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    v
}

impl Builder<'_> {
    /// The byte offset of a marker (line 1-based, column 0-based in characters).
    fn offset(&self, m: Marker) -> usize {
        let start = self
            .line_starts
            .get(m.line().saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(m.col())
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(Open::Seq(items, _)) => items.push(node),
            Some(Open::Map(entries, key, _)) => match key.take() {
                Some((k, s)) => entries.push((k, s, node)),
                None => {
                    if let Node::Scalar { text, span, .. } = node {
                        *key = Some((text, span));
                    } else {
                        // A complex key: keep the mapping well formed, drop the key.
                        *key = Some((String::new(), node.span()));
                    }
                }
            },
            None => {
                if self.done.is_none() {
                    self.done = Some(node);
                }
            }
        }
    }

    fn scalar(&self, text: String, style: TScalarStyle, mark: Marker) -> Node {
        let at = self.offset(mark);
        let quoted = matches!(
            style,
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
        );
        let start = if quoted { at + 1 } else { at };
        let raw_len = match style {
            TScalarStyle::Plain | TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                // The written form equals the value unless escapes were used.
                let end = (start + text.len()).min(self.text.len());
                if self.text.get(start..end) == Some(text.as_str()) {
                    text.len()
                } else {
                    0
                }
            }
            _ => 0,
        };
        Node::Scalar {
            text,
            span: Span::new(start, start + raw_len),
            quoted,
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let at = self.offset(mark);
        match ev {
            Event::Scalar(text, style, _, _) => {
                let node = self.scalar(text, style, mark);
                self.push(node);
            }
            Event::SequenceStart(..) => self.stack.push(Open::Seq(Vec::new(), at)),
            Event::MappingStart(..) => self.stack.push(Open::Map(Vec::new(), None, at)),
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Open::Seq(items, start)) => Node::Seq(items, Span::new(start, at)),
                    Some(Open::Map(entries, _, start)) => Node::Map(entries, Span::new(start, at)),
                    None => return,
                };
                self.push(node);
            }
            Event::Alias(_) => self.push(Node::Scalar {
                text: String::new(),
                span: Span::new(at, at),
                quoted: false,
            }),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Node, parse};

    #[test]
    fn yaml_values_carry_the_span_of_their_text() {
        let text = "a:\n  customer_id: \"123-456-7890\"\n  n: 30\n";
        let doc = parse(text).expect("parses");
        let v = doc
            .get("a")
            .and_then(|a| a.get("customer_id"))
            .expect("key");
        assert_eq!(v.str(), Some("123-456-7890"));
        assert_eq!(&text[v.span().start..v.span().end], "123-456-7890");
    }

    #[test]
    fn json_is_read_with_positions_too() {
        let text = "{\n  \"api_version\": \"v20.0\",\n  \"fields\": [\"spend\"]\n}\n";
        let doc = parse(text).expect("parses");
        let v = doc.get("api_version").expect("key");
        assert_eq!(&text[v.span().start..v.span().end], "v20.0");
        assert_eq!(doc.get("fields").map(|f| f.items().len()), Some(1));
        assert!(matches!(doc, Node::Map(..)));
    }
}
