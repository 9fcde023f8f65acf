//! Reads a TOML document into a serde type and reports every schema error, not only the
//! first: each error's offending key or value is cut out of the parsed tree and the rest
//! is read again, until it reads cleanly.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// One schema or syntax error: the byte span it points at and serde's message.
#[derive(Debug, Clone, PartialEq)]
pub struct RawError {
    pub span: Range<usize>,
    pub message: String,
}

/// A generous bound on the errors one document can produce; each pass cuts one node.
const MAX_PASSES: usize = 200;

/// The value read once every offending node is cut out, the tree it was read from, and
/// the errors met on the way. `None` when the text is not TOML at all (syntax errors).
pub fn read<T: DeserializeOwned>(text: &str) -> (Option<(T, Spanned<DeTable<'_>>)>, Vec<RawError>) {
    let (mut root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        let errors = syntax.iter().map(|e| raw_error(e, 0)).collect();
        return (None, errors);
    }
    let mut errors = Vec::new();
    for _ in 0..MAX_PASSES {
        match T::deserialize(toml::de::Deserializer::from(root.clone())) {
            Ok(value) => return (Some((value, root)), errors),
            Err(e) => {
                let error = raw_error(&e, 0);
                let cut = cut(root.get_mut(), &error.span);
                errors.push(error);
                if !cut {
                    break;
                }
            }
        }
    }
    (None, errors)
}

fn raw_error(e: &toml::de::Error, fallback: usize) -> RawError {
    RawError {
        span: e.span().unwrap_or(fallback..fallback),
        message: e.message().trim().to_string(),
    }
}

/// Removes the entry whose key or value is exactly `span`, or the array element that is,
/// searching depth-first into whatever contains the span. False when nothing matched.
fn cut(table: &mut DeTable<'_>, span: &Range<usize>) -> bool {
    let hit = table
        .iter()
        .find(|(k, v)| k.span() == *span || v.span() == *span)
        .map(|(k, _)| k.get_ref().to_string());
    if let Some(key) = hit {
        return table.remove(key.as_str()).is_some();
    }
    table.iter_mut().any(|(_, v)| cut_within(v, span))
}

fn cut_within(value: &mut Spanned<DeValue<'_>>, span: &Range<usize>) -> bool {
    // A `[section]` table's own span covers only its header, so the search goes into
    // every table and array rather than only those whose span holds the error's.
    match value.get_mut() {
        DeValue::Table(t) => cut(t, span),
        DeValue::Array(a) => {
            if let Some(i) = a.iter().position(|item| item.span() == *span) {
                let mut kept = DeArray::new();
                for (j, item) in a.iter().enumerate() {
                    if j != i {
                        kept.push(item.clone());
                    }
                }
                *a = kept;
                return true;
            }
            a.iter_mut().any(|item| cut_within(item, span))
        }
        _ => false,
    }
}

/// The entry `key` of `table`, with its key's span.
pub fn entry<'a, 'i>(
    table: &'a DeTable<'i>,
    key: &str,
) -> Option<(
    &'a Spanned<toml::de::DeString<'i>>,
    &'a Spanned<DeValue<'i>>,
)> {
    table.iter().find(|(k, _)| k.get_ref() == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        a: Option<u32>,
        #[serde(default)]
        list: Vec<u32>,
        #[serde(default)]
        inner: Inner,
    }

    impl Doc {
        fn b(&self) -> Option<&str> {
            self.inner.b.as_deref()
        }
    }

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        b: Option<String>,
    }

    #[test]
    fn every_bad_key_and_value_is_reported_and_the_rest_is_read() {
        let text = "a = 'x'\nlist = [1, 'two', 3]\nzz = 1\n[inner]\nb = 2\nc = 3\n";
        let (value, errors) = read::<Doc>(text);
        let (doc, _) = value.expect("the rest reads");
        assert_eq!(doc.a, None);
        assert_eq!(doc.list, vec![1, 3]);
        assert_eq!(doc.b(), None);
        let at: Vec<&str> = errors.iter().map(|e| &text[e.span.clone()]).collect();
        let mut sorted = at.clone();
        sorted.sort();
        assert_eq!(sorted, vec!["'two'", "'x'", "2", "c", "zz"], "{errors:?}");
    }

    #[test]
    fn syntax_errors_stop_the_reading() {
        let (value, errors) = read::<Doc>("a = \n[inner\n");
        assert!(value.is_none());
        assert!(!errors.is_empty());
    }
}
