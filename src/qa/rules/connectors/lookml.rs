//! A small LookML reader: the blocks (`view: name { ... }`, `explore`, `join`, `dimension`,
//! ...) and parameters (`primary_key: yes`, `sql: ... ;;`) of a `.lkml` file, with spans.
//! SQL and HTML values run to `;;` and are kept whole; comments (`#`) and strings are skipped.

use crate::qa::source::Span;

/// A `kind: name { ... }` block, or a `kind: value` parameter (no children).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: String,
    /// The name of a block, or the value of a parameter (without `;;`), trimmed.
    pub value: String,
    pub value_span: Span,
    pub children: Vec<Item>,
    pub is_block: bool,
}

impl Item {
    pub fn param(&self, kind: &str) -> Option<&Item> {
        self.children.iter().find(|c| !c.is_block && c.kind == kind)
    }

    pub fn blocks<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.children
            .iter()
            .filter(move |c| c.is_block && c.kind == kind)
    }
}

/// The top-level items of a LookML file.
pub fn parse(text: &str) -> Vec<Item> {
    let mut p = Reader { text, pos: 0 };
    p.items()
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

/// Parameters whose value is SQL or HTML, ending at `;;`.
fn runs_to_semicolons(kind: &str) -> bool {
    kind.contains("sql") || kind == "html" || kind == "expression" || kind == "label_from_parameter"
}

impl Reader<'_> {
    fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    fn skip_space(&mut self) {
        while let Some(&b) = self.bytes().get(self.pos) {
            if b == b'#' {
                while self.bytes().get(self.pos).is_some_and(|&c| c != b'\n') {
                    self.pos += 1;
                }
            } else if b.is_ascii_whitespace() || b == b',' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn items(&mut self) -> Vec<Item> {
        let mut out = Vec::new();
        loop {
            self.skip_space();
            match self.bytes().get(self.pos) {
                None => return out,
                Some(b'}') | Some(b']') => {
                    self.pos += 1;
                    return out;
                }
                _ => {}
            }
            let before = self.pos;
            if let Some(item) = self.item() {
                out.push(item);
            }
            if self.pos == before {
                // One character on, never into the middle of one (`€`).
                self.pos += self.text[self.pos..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
            }
        }
    }

    fn item(&mut self) -> Option<Item> {
        let start = self.pos;
        while self
            .bytes()
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'+')
        {
            self.pos += 1;
        }
        let kind = self.text[start..self.pos].to_string();
        self.skip_space();
        if kind.is_empty() || self.bytes().get(self.pos) != Some(&b':') {
            return None;
        }
        self.pos += 1;
        self.skip_inline_space();
        if runs_to_semicolons(&kind) {
            let from = self.pos;
            let end = self.text[from..]
                .find(";;")
                .map_or(self.text.len(), |i| from + i);
            self.pos = (end + 2).min(self.text.len());
            return Some(leaf(kind, self.text, from, end));
        }
        match self.bytes().get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                let children = self.items();
                Some(block(
                    kind,
                    String::new(),
                    Span::new(start, start),
                    children,
                ))
            }
            Some(b'[') => {
                self.pos += 1;
                let children = self.items();
                Some(block(
                    kind,
                    String::new(),
                    Span::new(start, start),
                    children,
                ))
            }
            Some(b'"') => {
                let from = self.pos + 1;
                let end = string_end(self.text, from);
                self.pos = (end + 1).min(self.text.len());
                Some(leaf(kind, self.text, from, end))
            }
            _ => self.named(kind),
        }
    }

    fn skip_inline_space(&mut self) {
        while self
            .bytes()
            .get(self.pos)
            .is_some_and(|b| *b == b' ' || *b == b'\t')
        {
            self.pos += 1;
        }
    }

    /// `name {` (a block) or a bare value (a parameter).
    fn named(&mut self, kind: String) -> Option<Item> {
        let from = self.pos;
        while self
            .bytes()
            .get(self.pos)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'{' | b'}' | b',' | b']'))
        {
            self.pos += 1;
        }
        let end = self.pos;
        self.skip_space();
        if self.bytes().get(self.pos) == Some(&b'{') {
            self.pos += 1;
            let children = self.items();
            let name = self.text[from..end].to_string();
            return Some(block(kind, name, Span::new(from, end), children));
        }
        Some(leaf(kind, self.text, from, end))
    }
}

fn leaf(kind: String, text: &str, from: usize, end: usize) -> Item {
    let raw = &text[from..end];
    let lead = raw.len() - raw.trim_start().len();
    let value = raw.trim().to_string();
    Item {
        kind,
        value_span: Span::new(from + lead, from + lead + value.len()),
        value,
        children: Vec::new(),
        is_block: false,
    }
}

fn block(kind: String, name: String, span: Span, children: Vec<Item>) -> Item {
    Item {
        kind,
        value: name,
        value_span: span,
        children,
        is_block: true,
    }
}

/// Where the string starting at `from` (after its opening quote) ends: the next `"` not
/// escaped with a backslash, or the end of the text.
fn string_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn escaped_quotes_and_characters_past_ascii_are_read_without_panic() {
        let text = "view: tv {\n  dimension: size {\n    description: \"5\\\" screen in €\"\n    sql: ${TABLE}.size ;;\n  }\n  € ¿ dimension: x { sql: 1 ;; }\n}\n";
        let items = parse(text);
        let dim = items[0].blocks("dimension").next().expect("dimension");
        assert_eq!(
            dim.param("description").map(|p| p.value.as_str()),
            Some("5\\\" screen in €")
        );
        assert_eq!(
            dim.param("sql").map(|p| p.value.as_str()),
            Some("${TABLE}.size")
        );
    }

    #[test]
    fn views_dimensions_and_sql_are_read() {
        let text = "view: orders {\n  sql_table_name: raw.shop.orders ;;\n  # a comment { \n  dimension: id {\n    primary_key: yes\n    sql: ${TABLE}.id ;;\n  }\n}\nexplore: orders {\n  join: users {\n    sql_on: ${orders.user_id} = ${users.id} ;;\n  }\n}\n";
        let items = parse(text);
        assert_eq!(items.len(), 2);
        let view = &items[0];
        assert_eq!(
            (view.kind.as_str(), view.value.as_str()),
            ("view", "orders")
        );
        assert_eq!(
            view.param("sql_table_name").map(|p| p.value.as_str()),
            Some("raw.shop.orders")
        );
        let dim = view.blocks("dimension").next().expect("dimension");
        assert_eq!(
            dim.param("primary_key").map(|p| p.value.as_str()),
            Some("yes")
        );
        assert_eq!(
            dim.param("sql").map(|p| p.value.as_str()),
            Some("${TABLE}.id")
        );
        let join = items[1].blocks("join").next().expect("join");
        assert!(join.param("relationship").is_none());
    }
}
