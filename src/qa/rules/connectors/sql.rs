//! Reading dbt model SQL for CON-003: which qualified references `alias.column` read a dbt
//! source table. A table alias counts when a FROM or JOIN item is `{{ source('s', 't') }}`,
//! a parenthesised `select * from {{ source(...) }}`, or a CTE that is only that; and when
//! the same name is bound to nothing else anywhere in the file (aliases are scoped, and
//! one file may reuse `s` for other tables: such a name is not judged).
//!
//! Comments (`--`, `/* */`, `{# #}`) and string literals are skipped; Jinja other than a
//! plain `source()` call is opaque, and a reference that touches Jinja is not read.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::qa::source::Span;

/// A column read through an alias of a dbt source table.
#[derive(Debug, PartialEq, Eq)]
pub struct Reference {
    pub source: String,
    pub table: String,
    /// As written (unquoted identifiers only).
    pub column: String,
    pub span: Span,
}

static SOURCE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^\{\{-?\s*source\(\s*(?:'([^']+)'|"([^"]+)")\s*,\s*(?:'([^']+)'|"([^"]+)")\s*\)\s*-?\}\}$"#,
    )
    .expect("valid regex")
});

/// Words after which a name is not a table alias.
const KEYWORDS: &str = "where join left right inner outer full cross on using group order \
     limit union qualify having window lateral natural as select from with tablesample pivot \
     unpivot for at before except intersect minus set values returning into sample offset";

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An identifier; `quoted` for `"x"` and `` `x` ``.
    Ident {
        name: String,
        quoted: bool,
    },
    /// `{{ source('s', 't') }}`.
    Source(String, String),
    /// Any other Jinja expression or statement.
    Jinja,
    Dot,
    Open,
    Close,
    Comma,
    Star,
    Other,
}

struct Token {
    tok: Tok,
    span: Span,
}

/// What a name stands for in one file.
#[derive(Clone, PartialEq)]
enum Binding {
    Source(String, String),
    Other,
}

/// Every qualified column reference of `sql` whose qualifier is an alias of a source table.
pub fn source_references(sql: &str) -> Vec<Reference> {
    let toks = lex(sql);
    let mut names: HashMap<String, Binding> = HashMap::new();
    let ctes = ctes(&toks);
    bind_items(&toks, &ctes, &mut names);
    let mut out = Vec::new();
    for i in 0..toks.len().saturating_sub(2) {
        let (
            Tok::Ident {
                name: alias,
                quoted: false,
            },
            Tok::Dot,
        ) = (&toks[i].tok, &toks[i + 1].tok)
        else {
            continue;
        };
        let Tok::Ident {
            name: column,
            quoted: false,
        } = &toks[i + 2].tok
        else {
            continue;
        };
        let after_dot = i > 0 && toks[i - 1].tok == Tok::Dot;
        let call = toks.get(i + 3).is_some_and(|t| t.tok == Tok::Open);
        if after_dot || call || touches_jinja(&toks, i) || touches_jinja(&toks, i + 2) {
            continue;
        }
        if let Some(Binding::Source(source, table)) = names.get(&alias.to_ascii_lowercase()) {
            out.push(Reference {
                source: source.clone(),
                table: table.clone(),
                column: column.clone(),
                span: toks[i + 2].span,
            });
        }
    }
    out
}

/// Whether token `i` is written against a Jinja tag, as in `col_{{ n }}`.
fn touches_jinja(toks: &[Token], i: usize) -> bool {
    let before =
        i > 0 && toks[i - 1].tok == Tok::Jinja && toks[i - 1].span.end == toks[i].span.start;
    let after = toks
        .get(i + 1)
        .is_some_and(|t| t.tok == Tok::Jinja && t.span.start == toks[i].span.end);
    before || after
}

fn bind(names: &mut HashMap<String, Binding>, name: &str, b: Binding) {
    let key = name.to_ascii_lowercase();
    match names.get(&key) {
        Some(old) if *old != b => {
            names.insert(key, Binding::Other);
        }
        Some(_) => {}
        None => {
            names.insert(key, b);
        }
    }
}

/// CTEs `name as ( ... )`, each bound to a source when its body is only a select of one.
fn ctes(toks: &[Token]) -> HashMap<String, Binding> {
    let mut out = HashMap::new();
    for i in 1..toks.len().saturating_sub(2) {
        let starts = matches!(&toks[i - 1].tok, Tok::Comma)
            || is_word(&toks[i - 1].tok, "with")
            || is_word(&toks[i - 1].tok, "recursive");
        if let (true, Tok::Ident { name, .. }, true, Tok::Open) = (
            starts,
            &toks[i].tok,
            is_word(&toks[i + 1].tok, "as"),
            &toks[i + 2].tok,
        ) {
            let b = simple_select(toks, i + 2).unwrap_or(Binding::Other);
            bind(&mut out, name, b);
        }
    }
    out
}

/// The source of `( select * from {{ source() }} [alias] [where ...] )` opening at `open`.
fn simple_select(toks: &[Token], open: usize) -> Option<Binding> {
    let close = matching(toks, open)?;
    let body = &toks[open + 1..close];
    let [s, star, from, src, rest @ ..] = body else {
        return None;
    };
    if !is_word(&s.tok, "select") || star.tok != Tok::Star || !is_word(&from.tok, "from") {
        return None;
    }
    let Tok::Source(source, table) = &src.tok else {
        return None;
    };
    let mut depth = 0usize;
    for t in rest {
        match &t.tok {
            Tok::Open => depth += 1,
            Tok::Close => depth = depth.saturating_sub(1),
            Tok::Comma | Tok::Jinja if depth == 0 => return None,
            tok if depth == 0
                && [
                    "join",
                    "union",
                    "intersect",
                    "except",
                    "minus",
                    "pivot",
                    "unpivot",
                ]
                .iter()
                .any(|w| is_word(tok, w)) =>
            {
                return None;
            }
            _ => {}
        }
    }
    Some(Binding::Source(source.clone(), table.clone()))
}

/// The index of the `)` closing the `(` at `open`.
fn matching(toks: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, t) in toks.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// Binds the alias of every FROM and JOIN item (and every other `as name`) in `names`.
fn bind_items(
    toks: &[Token],
    ctes: &HashMap<String, Binding>,
    names: &mut HashMap<String, Binding>,
) {
    let mut aliases = vec![false; toks.len()];
    for i in 0..toks.len() {
        if !(is_word(&toks[i].tok, "from") || is_word(&toks[i].tok, "join")) {
            continue;
        }
        let mut j = i + 1;
        while j < toks.len() {
            let (b, end, own) = item(toks, j, ctes);
            let (alias, next) = alias_at(toks, end);
            match alias {
                Some(a) => {
                    aliases[a] = true;
                    if let Tok::Ident { name, .. } = &toks[a].tok {
                        bind(names, name, b);
                    }
                }
                None => {
                    if let Some(own) = own {
                        bind(names, &own, b);
                    }
                }
            }
            if toks.get(next).is_some_and(|t| t.tok == Tok::Comma) && is_word(&toks[i].tok, "from")
            {
                j = next + 1;
            } else {
                break;
            }
        }
    }
    for i in 1..toks.len() {
        if let (true, false, Tok::Ident { name, .. }) =
            (is_word(&toks[i - 1].tok, "as"), aliases[i], &toks[i].tok)
        {
            bind(names, name, Binding::Other);
        }
    }
}

/// The FROM item starting at `j`: what it binds, the index after it, and the name it
/// answers to without an alias (a table's or CTE's last name part).
fn item(
    toks: &[Token],
    j: usize,
    ctes: &HashMap<String, Binding>,
) -> (Binding, usize, Option<String>) {
    match toks.get(j).map(|t| &t.tok) {
        Some(Tok::Source(s, t)) => (Binding::Source(s.clone(), t.clone()), j + 1, None),
        Some(Tok::Open) => {
            let b = simple_select(toks, j).unwrap_or(Binding::Other);
            (b, matching(toks, j).map_or(toks.len(), |c| c + 1), None)
        }
        Some(Tok::Ident { name, .. }) => {
            let mut end = j + 1;
            let mut last = name.clone();
            while let (Some(Tok::Dot), Some(Tok::Ident { name, .. })) = (
                toks.get(end).map(|t| &t.tok),
                toks.get(end + 1).map(|t| &t.tok),
            ) {
                last = name.clone();
                end += 2;
            }
            let b = match ctes.get(&last.to_ascii_lowercase()) {
                Some(b) if end == j + 1 => b.clone(),
                _ => Binding::Other,
            };
            (b, end, Some(last))
        }
        _ => (Binding::Other, j + 1, None),
    }
}

/// The alias token after a FROM item ending at `end` (`as name` or `name`), and the index
/// after it.
fn alias_at(toks: &[Token], end: usize) -> (Option<usize>, usize) {
    let at = if toks.get(end).is_some_and(|t| is_word(&t.tok, "as")) {
        end + 1
    } else {
        end
    };
    match toks.get(at).map(|t| &t.tok) {
        Some(Tok::Ident { name, quoted }) if *quoted || !is_keyword(name) => (Some(at), at + 1),
        _ => (None, end),
    }
}

fn is_keyword(name: &str) -> bool {
    KEYWORDS
        .split_ascii_whitespace()
        .any(|k| k.eq_ignore_ascii_case(name))
}

fn is_word(tok: &Tok, word: &str) -> bool {
    matches!(tok, Tok::Ident { name, quoted: false } if name.eq_ignore_ascii_case(word))
}

/// The tokens of `sql`, without whitespace, comments and string literals.
fn lex(sql: &str) -> Vec<Token> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let rest = &sql[i..];
        let tok = if c.is_ascii_whitespace() {
            i += 1;
            None
        } else if rest.starts_with("--") {
            i = rest.find('\n').map_or(b.len(), |n| i + n);
            None
        } else if rest.starts_with("/*") || rest.starts_with("{#") {
            let end = if c == b'/' { "*/" } else { "#}" };
            i = rest[2..].find(end).map_or(b.len(), |n| i + 2 + n + 2);
            None
        } else if rest.starts_with("{{") || rest.starts_with("{%") {
            let end = if rest.starts_with("{{") { "}}" } else { "%}" };
            i = rest[2..].find(end).map_or(b.len(), |n| i + 2 + n + 2);
            Some(jinja(&sql[start..i]))
        } else if c == b'\'' {
            i = quoted_end(b, i, b'\'');
            Some(Tok::Other)
        } else if c == b'"' || c == b'`' {
            i = quoted_end(b, i, c);
            let name = sql
                .get(start + 1..i.saturating_sub(1))
                .unwrap_or_default()
                .to_string();
            Some(Tok::Ident { name, quoted: true })
        } else if c.is_ascii_alphabetic() || c == b'_' || c.is_ascii_digit() {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || b[i] == b'_'
                    || b[i] == b'$'
                    || (c.is_ascii_digit() && b[i] == b'.'))
            {
                i += 1;
            }
            let name = sql[start..i].to_string();
            Some(if c.is_ascii_digit() {
                Tok::Other
            } else {
                Tok::Ident {
                    name,
                    quoted: false,
                }
            })
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            Some(match c {
                b'.' => Tok::Dot,
                b'(' => Tok::Open,
                b')' => Tok::Close,
                b',' => Tok::Comma,
                b'*' => Tok::Star,
                _ => Tok::Other,
            })
        };
        if let Some(tok) = tok {
            out.push(Token {
                tok,
                span: Span::new(start, i),
            });
        }
    }
    out
}

/// The index after a literal or quoted name opening at `i` (a doubled quote or a
/// backslash escapes one).
fn quoted_end(b: &[u8], mut i: usize, q: u8) -> usize {
    i += 1;
    while i < b.len() {
        if b[i] == b'\\' || (b[i] == q && b.get(i + 1) == Some(&q)) {
            i += 2;
        } else if b[i] == q {
            return i + 1;
        } else {
            i += 1;
        }
    }
    b.len()
}

fn jinja(tag: &str) -> Tok {
    match SOURCE_CALL.captures(tag) {
        Some(c) => {
            let get =
                |a: usize, b: usize| c.get(a).or(c.get(b)).map_or("", |m| m.as_str()).to_string();
            Tok::Source(get(1, 2), get(3, 4))
        }
        None => Tok::Jinja,
    }
}

#[cfg(test)]
#[path = "sql_tests.rs"]
mod tests;
