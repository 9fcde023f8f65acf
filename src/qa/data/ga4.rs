//! GA4's naming rules and limits (`ga4.toml`): reserved event names and prefixes, reserved
//! parameter names and prefixes, and the length and count limits. The plan lint and the
//! TAG-007/TAG-008 rules read them from here; `.sitewide/ga4.toml` replaces the table.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::qa::source::LineIndex;
use crate::qa::tree::Tree;

/// The table shipped with Sitewide.
pub const SHIPPED: &str = include_str!("ga4.toml");

/// GA4's rules for event and parameter names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ga4 {
    pub max_event_name_len: usize,
    pub max_param_name_len: usize,
    pub max_params_per_event: usize,
    pub max_param_value_len: usize,
    pub reserved_events: Vec<String>,
    pub reserved_event_prefixes: Vec<String>,
    #[serde(default)]
    pub reserved_params: Vec<String>,
    pub reserved_param_prefixes: Vec<String>,
    /// Parameters allowed longer values (`page_title = 300`).
    #[serde(default)]
    pub long_value_params: BTreeMap<String, usize>,
    /// Reserved event names Google documents sending by hand (`page_view` for virtual
    /// page views): reserved for new custom events, not wrong in code.
    #[serde(default)]
    pub sendable_events: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "{path}:{line}:{col}: {message}\n  = hint: fix the file or delete it to use the built-in GA4 table"
)]
pub struct Ga4Error {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Ga4 {
    /// The table shipped with Sitewide, for checks that have no tree to read an override
    /// from (a recipe's own re-check).
    pub fn shipped() -> &'static Ga4 {
        static SHIPPED_TABLE: std::sync::LazyLock<Ga4> = std::sync::LazyLock::new(|| {
            Ga4::parse("ga4.toml", SHIPPED).expect("the shipped ga4.toml parses (tested)")
        });
        &SHIPPED_TABLE
    }

    /// The most characters a value of `param` may have.
    pub fn max_value_len(&self, param: &str) -> usize {
        self.long_value_params
            .get(param)
            .copied()
            .unwrap_or(self.max_param_value_len)
    }

    /// The reserved prefix `name` starts with, if any (event names).
    pub fn reserved_event_prefix(&self, name: &str) -> Option<&str> {
        prefix_of(&self.reserved_event_prefixes, name)
    }

    /// The reserved prefix `name` starts with, if any (parameter names).
    pub fn reserved_param_prefix(&self, name: &str) -> Option<&str> {
        prefix_of(&self.reserved_param_prefixes, name)
    }

    /// Parses a `ga4.toml`; `path` is for messages.
    pub fn parse(path: &str, text: &str) -> Result<Ga4, Ga4Error> {
        toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| s.start).unwrap_or(0);
            let pos = LineIndex::new(text).line_col(text, at);
            Ga4Error {
                path: path.to_string(),
                line: pos.line,
                col: pos.column,
                message: e.message().to_string(),
            }
        })
    }
}

fn prefix_of<'a>(prefixes: &'a [String], name: &str) -> Option<&'a str> {
    prefixes
        .iter()
        .find(|p| name.starts_with(p.as_str()))
        .map(String::as_str)
}

/// The GA4 table for this tree: `.sitewide/ga4.toml` when the repository has one.
pub fn ga4(tree: &dyn Tree) -> Result<Ga4, Ga4Error> {
    let (text, path) = super::text(tree, "ga4.toml", SHIPPED);
    Ga4::parse(&path, &text)
}

#[cfg(test)]
mod tests {
    use super::{Ga4, SHIPPED, ga4};
    use crate::qa::tree::Disk;

    #[test]
    fn the_shipped_table_holds_googles_rules() {
        let g = Ga4::parse("ga4.toml", SHIPPED).expect("valid");
        assert_eq!(
            (
                g.max_event_name_len,
                g.max_param_name_len,
                g.max_params_per_event
            ),
            (40, 40, 25)
        );
        assert!(g.reserved_events.iter().any(|e| e == "page_view"));
        assert!(g.reserved_events.iter().any(|e| e == "form_submit"));
        assert_eq!(g.reserved_param_prefix("google_id"), Some("google_"));
        assert_eq!(g.reserved_event_prefix("firebase_x"), Some("firebase_"));
        assert_eq!(g.max_value_len("page_location"), 1000);
        assert_eq!(g.max_value_len("cta_text"), 100);
    }

    #[test]
    fn a_repository_override_replaces_the_table() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join(".sitewide")).expect("mkdir");
        let own = SHIPPED.replace("max_params_per_event = 25", "max_params_per_event = 10");
        std::fs::write(dir.path().join(".sitewide/ga4.toml"), own).expect("write");
        assert_eq!(
            ga4(&Disk::new(dir.path()))
                .expect("valid")
                .max_params_per_event,
            10
        );
    }

    #[test]
    fn a_broken_override_is_an_error_at_its_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join(".sitewide")).expect("mkdir");
        std::fs::write(
            dir.path().join(".sitewide/ga4.toml"),
            "max_event_name_len = 40\nmax_param_name_len = \"x\"\n",
        )
        .expect("write");
        let err = ga4(&Disk::new(dir.path())).expect_err("invalid");
        assert_eq!((err.path.as_str(), err.line), (".sitewide/ga4.toml", 2));
    }
}
