//! Reading a step's keys: unknown keys with the closest known one, wrong types and bad
//! values become `ParamError`s that name the key; literal-or-regex patterns; rule ids.

use regex::Regex;
use toml::{Table, Value};

use super::ParamError;

pub fn error(key: &str, message: impl Into<String>, hint: Option<String>) -> ParamError {
    ParamError {
        key: Some(key.to_string()),
        message: message.into(),
        hint,
    }
}

/// Every key of `params` is one of `known`; an unknown one names the closest known key.
pub fn only(params: &Table, known: &[&str]) -> Result<(), ParamError> {
    only_in(params, known, "")
}

/// Like `only` for a nested table; `prefix` (`scope.`) is put before key names.
pub fn only_in(params: &Table, known: &[&str], prefix: &str) -> Result<(), ParamError> {
    for key in params.keys() {
        if known.contains(&key.as_str()) {
            continue;
        }
        let closest = known
            .iter()
            .map(|k| (strsim::levenshtein(key, k), *k))
            .filter(|(d, k)| *d <= k.len().max(3) / 2 + 1)
            .min();
        let hint = match closest {
            Some((_, k)) => format!("did you mean `{prefix}{k}`?"),
            None if known.is_empty() => "this recipe takes no keys".to_string(),
            None => format!("known keys: {}", known.join(", ")),
        };
        let full = format!("{prefix}{key}");
        return Err(error(&full, format!("unknown key `{full}`"), Some(hint)));
    }
    Ok(())
}

/// The TOML type name a user sees in an error.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

fn wrong_type(key: &str, want: &str, got: &Value) -> ParamError {
    error(
        key,
        format!("`{key}` must be {want}, not {}", type_name(got)),
        Some(format!("write it as {want}")),
    )
}

/// An optional string key.
pub fn string<'a>(params: &'a Table, key: &str) -> Result<Option<&'a str>, ParamError> {
    match params.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(wrong_type(key, "a string", v)),
    }
}

/// A string key that must be there and not be empty.
pub fn required<'a>(params: &'a Table, key: &str) -> Result<&'a str, ParamError> {
    match string(params, key)? {
        Some(s) if !s.is_empty() => Ok(s),
        Some(_) => Err(error(key, format!("`{key}` is empty"), None)),
        None => Err(error(key, format!("`{key}` is required"), None)),
    }
}

/// An optional integer key.
pub fn integer(params: &Table, key: &str) -> Result<Option<i64>, ParamError> {
    match params.get(key) {
        None => Ok(None),
        Some(Value::Integer(i)) => Ok(Some(*i)),
        Some(v) => Err(wrong_type(key, "an integer", v)),
    }
}

pub fn boolean(params: &Table, key: &str, default: bool) -> Result<bool, ParamError> {
    match params.get(key) {
        None => Ok(default),
        Some(Value::Boolean(b)) => Ok(*b),
        Some(v) => Err(wrong_type(key, "true or false", v)),
    }
}

/// An optional table of strings (`attrs = { "data-x" = "y" }`), in key order.
pub fn string_map<'a>(
    params: &'a Table,
    key: &str,
) -> Result<Option<Vec<(&'a str, &'a str)>>, ParamError> {
    let Some(v) = params.get(key) else {
        return Ok(None);
    };
    let Value::Table(t) = v else {
        return Err(wrong_type(key, "a table of strings", v));
    };
    let mut out = Vec::new();
    for (k, v) in t {
        match v {
            Value::String(s) => out.push((k.as_str(), s.as_str())),
            other => return Err(wrong_type(&format!("{key}.{k}"), "a string", other)),
        }
    }
    Ok(Some(out))
}

/// An optional array of strings.
pub fn strings<'a>(params: &'a Table, key: &str) -> Result<Vec<&'a str>, ParamError> {
    let Some(v) = params.get(key) else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = v else {
        return Err(wrong_type(key, "an array of strings", v));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(s) => Ok(s.as_str()),
            other => Err(wrong_type(&format!("{key}[{i}]"), "a string", other)),
        })
        .collect()
}

/// Checks rule patterns (`UTM-*`, `LNK-002`) under `key` against the rule list.
pub fn rule_patterns(key: &str, patterns: &[&str]) -> Result<(), ParamError> {
    let config = crate::config::SiteConfig::default();
    let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
    crate::qa::engine::Selection::new(&config, &patterns)
        .map(|_| ())
        .map_err(|e| error(key, e, Some("`sitewide rules` lists every rule id".into())))
}

/// A substring or a regular expression to look for.
#[derive(Debug, Clone)]
pub enum Pattern {
    Literal(String),
    Regex(Regex),
}

impl Pattern {
    pub fn new(key: &str, text: &str, regex: bool) -> Result<Pattern, ParamError> {
        if !regex {
            return Ok(Pattern::Literal(text.to_string()));
        }
        Regex::new(text).map(Pattern::Regex).map_err(|e| {
            error(
                key,
                format!("`{key}` is not a valid regular expression: {e}"),
                Some("set `regex = false` to look for the text literally".into()),
            )
        })
    }

    pub fn is_match(&self, hay: &str) -> bool {
        match self {
            Pattern::Literal(s) => hay.contains(s.as_str()),
            Pattern::Regex(r) => r.is_match(hay),
        }
    }

    /// Byte ranges of every non-empty match in `hay`.
    pub fn find_all(&self, hay: &str) -> Vec<(usize, usize)> {
        match self {
            Pattern::Literal(s) if s.is_empty() => Vec::new(),
            Pattern::Literal(s) => hay
                .match_indices(s.as_str())
                .map(|(i, m)| (i, i + m.len()))
                .collect(),
            Pattern::Regex(r) => r
                .find_iter(hay)
                .filter(|m| !m.is_empty())
                .map(|m| (m.start(), m.end()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str) -> Table {
        s.parse().unwrap()
    }

    #[test]
    fn an_unknown_key_names_the_closest_known_one() {
        let e = only(&table("hreff = 'x'"), &["href", "text"]).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("hreff"));
        assert_eq!(e.hint.as_deref(), Some("did you mean `href`?"));
        let e = only(&table("zzzzzz = 1"), &["href"]).unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("known keys: href"));
        let e = only(&table("rel = 'x'"), &[]).unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("this recipe takes no keys"));
        let e = only_in(&table("selectr = 'x'"), &["selector"], "scope.").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("scope.selectr"));
        assert_eq!(e.hint.as_deref(), Some("did you mean `scope.selector`?"));
    }

    #[test]
    fn wrong_types_say_what_was_expected() {
        let e = string(&table("text = 1"), "text").unwrap_err();
        assert_eq!(e.message, "`text` must be a string, not an integer");
        assert_eq!(e.hint.as_deref(), Some("write it as a string"));
        let e = strings(&table("hosts = ['a', 2]"), "hosts").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("hosts[1]"));
        let e = integer(&table("year = '2026'"), "year").unwrap_err();
        assert_eq!(e.message, "`year` must be an integer, not a string");
        let e = string_map(&table("attrs = { a = true }"), "attrs").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("attrs.a"));
        assert!(required(&table(""), "find").is_err());
    }

    #[test]
    fn a_bad_regex_is_a_param_error() {
        assert!(Pattern::new("find", "(", true).is_err());
        let p = Pattern::new("find", "a+", true).unwrap();
        assert_eq!(p.find_all("baab"), [(1, 3)]);
    }
}
