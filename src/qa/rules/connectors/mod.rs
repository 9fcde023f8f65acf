//! Connector rules (DOMAIN.md §4): dashboard-connector configs, dbt sources, LookML and
//! ad-platform API scripts kept in the repository. `files` reads them once per check;
//! docs/connectors.md says which files are read and how to override the data tables.

use super::Rule;

mod bad_date_range;
mod channel_map_mismatch;
mod committed_credential;
mod dbt;
mod deprecated_api_version;
mod environment_mixup;
pub mod files;
mod lookml;
mod lookml_hygiene;
mod missing_freshness;
mod node;
mod sql;
mod unknown_column;
mod unscaled_unit_or_id;

pub static RULES: &[&dyn Rule] = &[
    &deprecated_api_version::DeprecatedApiVersion,
    &committed_credential::CommittedCredential,
    &unknown_column::UnknownColumn,
    &bad_date_range::BadDateRange,
    &missing_freshness::MissingFreshness,
    &unscaled_unit_or_id::UnscaledUnitOrId,
    &lookml_hygiene::LookmlHygiene,
    &channel_map_mismatch::ChannelMapMismatch,
    &environment_mixup::EnvironmentMixup,
];

/// A secret shown safely: its first four characters and an ellipsis.
pub(super) fn mask(secret: &str) -> String {
    let head: String = secret.chars().take(4).collect();
    format!("{head}…")
}

/// A value someone writes instead of a secret: an environment or template reference, an
/// angle-bracket or all-`x` placeholder, or words that say it is not the real one.
pub(super) fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || v.contains("${")
        || v.contains("{{")
        || v.contains("{%")
        || v.starts_with('$')
        || v.starts_with('<')
        || v.starts_with("%(")
        || v.starts_with("env(")
        || v.starts_with("env:")
        || lower.contains("environ")
        || lower.contains("getenv")
        || lower.contains("process.env")
        || lower.contains("secret(")
        || lower.contains("your")
        || lower.contains("example")
        || lower.contains("placeholder")
        || lower.contains("changeme")
        || lower.contains("redacted")
        || lower.contains("dummy")
        || lower.contains("insert")
        || lower.contains("replace")
        || v.chars()
            .all(|c| matches!(c, 'x' | 'X' | '*' | '.' | '-' | '_' | '0' | '…'))
}

#[cfg(test)]
pub(super) mod fixture {
    //! Fixture trees under `tests/fixtures/qa/connectors/`, checked as `sitewide check` would.

    use crate::qa::finding::Finding;
    use std::path::Path;

    /// The findings of `rule` over the fixture folder `name`: `(file:line:col, message)`.
    pub fn check(name: &str, rule: &str) -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/qa/connectors")
            .join(name);
        let mut files = Vec::new();
        collect(&root, &root, &mut files);
        let list: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let findings: Vec<Finding> = crate::qa::testing::check_with_starter(&list);
        findings
            .iter()
            .filter(|f| f.rule.id == rule)
            .map(|f| {
                (
                    format!("{}:{}:{}", f.file, f.line, f.column),
                    f.message.clone(),
                )
            })
            .collect()
    }

    fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("fixture folder")
            .flatten()
            .collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                collect(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("inside").to_string_lossy();
                let text = std::fs::read_to_string(&p).expect("text fixture");
                out.push((rel.replace('\\', "/"), text));
            }
        }
    }
}
