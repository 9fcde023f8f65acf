//! A small CSS selector matcher over the page model's elements: type, `*`, `.class`,
//! `#id`, `[attr]`, `[attr=v]`, `[attr^=v]`, `[attr$=v]`, `[attr*=v]`, `[attr~=v]`,
//! compounds (`a.btn[href]`), descendant and child (`>`) combinators, and comma lists.
//!
//! The `selectors` crate (Servo) matches through a DOM trait of some thirty methods and
//! pulls in cssparser; the page model is a flat list with parent links and raw attribute
//! spans, so this hand-written matcher (values compared as written in the source) is
//! smaller than the glue would be.

use crate::qa::page::Document;

/// A parsed selector list; matches an element when any of its selectors does.
#[derive(Debug, Clone)]
pub struct Selector {
    list: Vec<Complex>,
}

/// Compounds from left to right; `links[i]` joins compound `i` to compound `i + 1`.
#[derive(Debug, Clone)]
struct Complex {
    parts: Vec<Compound>,
    links: Vec<Combinator>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Combinator {
    Descendant,
    Child,
}

#[derive(Debug, Clone, Default)]
struct Compound {
    tag: Option<String>,
    tests: Vec<AttrTest>,
}

#[derive(Debug, Clone)]
struct AttrTest {
    name: String,
    op: Op,
    value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Exists,
    Equals,
    Prefix,
    Suffix,
    Contains,
    /// `~=` and `.class`: one of the whitespace-separated words.
    Word,
}

impl Selector {
    /// Parses a selector list; the error names the column and what was found.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            text,
            i: 0,
        };
        let mut list = vec![p.complex()?];
        while p.eat(b',') {
            list.push(p.complex()?);
        }
        p.skip_ws();
        if p.i < p.s.len() {
            return Err(p.unexpected());
        }
        Ok(Selector { list })
    }

    pub fn matches(&self, doc: &Document, el: usize) -> bool {
        self.list
            .iter()
            .any(|c| matches_at(doc, el, c, c.parts.len() - 1))
    }

    /// Every matching element, in document order.
    pub fn select(&self, doc: &Document) -> Vec<usize> {
        (0..doc.elements.len())
            .filter(|&i| self.matches(doc, i))
            .collect()
    }

    /// Matching elements that are not inside another matching one.
    pub fn select_outermost(&self, doc: &Document) -> Vec<usize> {
        let all = self.select(doc);
        all.iter()
            .copied()
            .filter(|&i| {
                let mut p = doc.elements[i].parent;
                while let Some(a) = p {
                    if all.binary_search(&a).is_ok() {
                        return false;
                    }
                    p = doc.elements[a].parent;
                }
                true
            })
            .collect()
    }
}

fn matches_at(doc: &Document, el: usize, c: &Complex, k: usize) -> bool {
    if !compound_matches(doc, el, &c.parts[k]) {
        return false;
    }
    if k == 0 {
        return true;
    }
    let mut parent = doc.elements[el].parent;
    match c.links[k - 1] {
        Combinator::Child => parent.is_some_and(|p| matches_at(doc, p, c, k - 1)),
        Combinator::Descendant => {
            while let Some(p) = parent {
                if matches_at(doc, p, c, k - 1) {
                    return true;
                }
                parent = doc.elements[p].parent;
            }
            false
        }
    }
}

fn compound_matches(doc: &Document, el: usize, c: &Compound) -> bool {
    if c.tag.as_ref().is_some_and(|t| doc.elements[el].name != *t) {
        return false;
    }
    c.tests.iter().all(|t| {
        let Some(v) = doc.attr_value(el, &t.name) else {
            return false;
        };
        match t.op {
            Op::Exists => true,
            Op::Equals => v == t.value,
            Op::Prefix => !t.value.is_empty() && v.starts_with(&t.value),
            Op::Suffix => !t.value.is_empty() && v.ends_with(&t.value),
            Op::Contains => !t.value.is_empty() && v.contains(&t.value),
            Op::Word => v.split_ascii_whitespace().any(|w| w == t.value),
        }
    })
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) -> bool {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
        self.i > start
    }

    fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            return true;
        }
        false
    }

    fn unexpected(&self) -> String {
        match self.text[self.i..].chars().next() {
            Some(c) => format!("unexpected `{c}` at column {}", self.i + 1),
            None => "the selector ends too early".to_string(),
        }
    }

    fn complex(&mut self) -> Result<Complex, String> {
        self.skip_ws();
        let mut parts = vec![self.compound()?];
        let mut links = Vec::new();
        loop {
            let spaced = self.skip_ws();
            let link = match self.s.get(self.i) {
                Some(b'>') => {
                    self.i += 1;
                    self.skip_ws();
                    Combinator::Child
                }
                Some(b',') | None => break,
                Some(_) if spaced => Combinator::Descendant,
                Some(_) => return Err(self.unexpected()),
            };
            links.push(link);
            parts.push(self.compound()?);
        }
        Ok(Complex { parts, links })
    }

    fn compound(&mut self) -> Result<Compound, String> {
        let mut c = Compound::default();
        let start = self.i;
        if self.s.get(self.i) == Some(&b'*') {
            self.i += 1;
        } else if let Some(name) = self.ident() {
            c.tag = Some(name.to_ascii_lowercase());
        }
        loop {
            let test = match self.s.get(self.i) {
                Some(b'.') => self.word_test("class")?,
                Some(b'#') => {
                    self.i += 1;
                    let id = self.ident().ok_or_else(|| self.unexpected())?;
                    AttrTest {
                        name: "id".into(),
                        op: Op::Equals,
                        value: id,
                    }
                }
                Some(b'[') => self.attr_test()?,
                Some(b':') => {
                    return Err(format!(
                        "pseudo-classes are not supported (column {})",
                        self.i + 1
                    ));
                }
                _ => break,
            };
            c.tests.push(test);
        }
        if self.i == start {
            return Err(self.unexpected());
        }
        Ok(c)
    }

    fn word_test(&mut self, attr: &str) -> Result<AttrTest, String> {
        self.i += 1;
        let value = self.ident().ok_or_else(|| self.unexpected())?;
        Ok(AttrTest {
            name: attr.into(),
            op: Op::Word,
            value,
        })
    }

    fn attr_test(&mut self) -> Result<AttrTest, String> {
        self.i += 1;
        self.skip_ws();
        let name = self
            .ident()
            .ok_or_else(|| self.unexpected())?
            .to_ascii_lowercase();
        self.skip_ws();
        let rest = &self.s[self.i..];
        let (op, len) = match rest {
            [b']', ..] => (Op::Exists, 0),
            [b'=', ..] => (Op::Equals, 1),
            [b'^', b'=', ..] => (Op::Prefix, 2),
            [b'$', b'=', ..] => (Op::Suffix, 2),
            [b'*', b'=', ..] => (Op::Contains, 2),
            [b'~', b'=', ..] => (Op::Word, 2),
            _ => return Err(self.unexpected()),
        };
        self.i += len;
        let value = if op == Op::Exists {
            String::new()
        } else {
            self.skip_ws();
            self.value()?
        };
        if !self.eat(b']') {
            return Err(self.unexpected());
        }
        Ok(AttrTest { name, op, value })
    }

    fn value(&mut self) -> Result<String, String> {
        match self.s.get(self.i) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let body = &self.text[self.i + 1..];
                let end = body
                    .find(q as char)
                    .ok_or_else(|| format!("unclosed quote at column {}", self.i + 1))?;
                self.i += end + 2;
                Ok(body[..end].to_string())
            }
            _ => self.ident().ok_or_else(|| self.unexpected()),
        }
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.i;
        while let Some(&b) = self.s.get(self.i) {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80 {
                self.i += 1;
            } else {
                break;
            }
        }
        (self.i > start).then(|| self.text[start..self.i].to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::page::{Engine, Format};

    fn names(sel: &str, html: &str) -> Vec<String> {
        let d = Document::parse("a.html", html.into(), Engine::Liquid, Format::Html);
        let s = Selector::parse(sel).unwrap();
        s.select(&d)
            .into_iter()
            .map(|i| match d.attr_value(i, "id") {
                Some(id) => id.to_string(),
                None => d.elements[i].name.to_string(),
            })
            .collect()
    }

    const PAGE: &str = r#"<div class="hero x"><p><a id=a1 class="btn btn-primary" href="/pricing/">A</a></p>
<a id=a2 class=btn href="https://x.example/?utm_source=y" data-cta-text="Go">B</a></div>
<footer><ul><li><a id=f1 href="/privacy/">P</a></li></ul></footer>"#;

    #[test]
    fn type_class_id_and_compound_selectors_match() {
        assert_eq!(names("a.btn", PAGE), ["a1", "a2"]);
        assert_eq!(names("#a2", PAGE), ["a2"]);
        assert_eq!(names("A.btn-primary[href]", PAGE), ["a1"]);
        assert_eq!(names("*[data-cta-text]", PAGE), ["a2"]);
        assert_eq!(names("footer", PAGE), ["footer"]);
    }

    #[test]
    fn attribute_operators_compare_the_value_as_written() {
        assert_eq!(names("a[href='/pricing/']", PAGE), ["a1"]);
        assert_eq!(names("a[href^=https]", PAGE), ["a2"]);
        assert_eq!(names("a[href*=\"utm_\"]", PAGE), ["a2"]);
        assert_eq!(names("a[href$=\"/\"]", PAGE), ["a1", "f1"]);
        assert_eq!(names("[class~=x]", PAGE), ["div"]);
    }

    #[test]
    fn descendant_child_and_lists_combine() {
        assert_eq!(names(".hero a", PAGE), ["a1", "a2"]);
        assert_eq!(names(".hero > a", PAGE), ["a2"]);
        assert_eq!(names("div>p > a", PAGE), ["a1"]);
        assert_eq!(names("footer li a, #a2", PAGE), ["a2", "f1"]);
    }

    #[test]
    fn bad_selectors_are_errors_with_a_column() {
        for bad in [
            "",
            "a:hover",
            "a[href",
            "a[href=']",
            ".",
            "a >",
            "a,,b",
            "a!",
        ] {
            assert!(Selector::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Selector::parse("a!").unwrap_err(),
            "unexpected `!` at column 2"
        );
    }
}
