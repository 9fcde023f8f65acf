//! A change's findings before and after, as the review page shows them: an "after"
//! finding is new when the file had fewer findings of the same rule before, counted with
//! multiplicity, as the run's QA counts what a change introduces. Lines move when a file
//! is edited and messages quote the edited value, so neither is compared.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

/// One finding as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shown {
    pub rule: String,
    pub severity: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
    pub hint: Option<String>,
    /// After the change only: the file had no such finding before.
    pub is_new: bool,
    /// Before the change only: the change took it away.
    pub is_gone: bool,
}

fn key(f: &Value) -> String {
    f["rule"].as_str().unwrap_or_default().to_string()
}

fn shown(f: &Value) -> Shown {
    let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
    Shown {
        rule: s("rule"),
        severity: s("severity"),
        line: f["line"].as_u64().unwrap_or(0),
        column: f["column"].as_u64().unwrap_or(0),
        message: s("message"),
        hint: f["hint"].as_str().map(str::to_string),
        is_new: false,
        is_gone: false,
    }
}

/// Marks, in `a`, the findings that `b` has fewer of (by rule).
fn unmatched(a: &[Value], b: &[Value]) -> Vec<bool> {
    let mut left: HashMap<String, usize> = HashMap::new();
    for f in b {
        *left.entry(key(f)).or_default() += 1;
    }
    a.iter()
        .map(|f| match left.get_mut(&key(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// The findings before (gone ones marked) and after (new ones marked).
pub fn compare(before: &Value, after: &Value) -> (Vec<Shown>, Vec<Shown>) {
    let (before, after) = (list(before), list(after));
    let gone = unmatched(before, after);
    let new = unmatched(after, before);
    let before = before
        .iter()
        .zip(gone)
        .map(|(f, is_gone)| Shown {
            is_gone,
            ..shown(f)
        })
        .collect();
    let after = after
        .iter()
        .zip(new)
        .map(|(f, is_new)| Shown { is_new, ..shown(f) })
        .collect();
    (before, after)
}

/// How many findings the change brought that the file did not have.
pub fn new_count(before: &Value, after: &Value) -> usize {
    unmatched(list(after), list(before))
        .into_iter()
        .filter(|n| *n)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_finding_that_only_moved_is_not_new_and_a_second_of_its_kind_is() {
        let before = json!([
            {"rule": "UTM-008", "message": "internal link with UTMs", "line": 3, "column": 1, "severity": "error"},
            {"rule": "LNK-001", "message": "empty href", "line": 9, "column": 4, "severity": "warning"},
        ]);
        let after = json!([
            {"rule": "LNK-001", "message": "empty href", "line": 8, "column": 4, "severity": "warning"},
            {"rule": "LNK-001", "message": "empty href", "line": 12, "column": 4, "severity": "warning"},
        ]);
        let (was, now) = compare(&before, &after);
        assert_eq!(
            was.iter().map(|f| f.is_gone).collect::<Vec<_>>(),
            [true, false]
        );
        assert_eq!(
            now.iter().map(|f| f.is_new).collect::<Vec<_>>(),
            [false, true]
        );
        assert_eq!(new_count(&before, &after), 1);
        assert_eq!(new_count(&after, &json!([])), 0);
        assert_eq!(new_count(&json!(null), &json!(null)), 0);
    }
}
