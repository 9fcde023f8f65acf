//! Deterministic recipes: transforms on the page model's spans, one file each, named by
//! their contract names (`utm.strip_internal`, `cta.swap`, …). A recipe is idempotent
//! (its output, run again, yields no edit), keeps formatting and template syntax intact,
//! and never edits inside a template region.

mod canonical_fix;
mod canonical_head;
mod common;
mod copyright_year;
mod cta_swap;
#[cfg(test)]
mod demo_jobs;
mod domain_migrate;
mod fix;
mod footer_links;
mod hreflang_add;
mod keys;
mod link_noopener;
pub(crate) mod markup;
#[cfg(test)]
mod props;
mod replace;
pub(crate) mod select;
mod snippet_insert;
mod tag_remove;
#[cfg(test)]
mod testkit;
mod utm_normalize;
mod utm_strip_internal;

use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::rules::Settings;

/// What a recipe declares about itself: shown by `sitewide recipes`, documented in
/// docs/recipes.md, checked by the shared recipe test.
#[derive(Debug)]
pub struct RecipeMeta {
    /// The contract name used in job specs: `[[steps]] recipe = "utm.strip_internal"`.
    pub name: &'static str,
    /// One line: what it changes.
    pub summary: &'static str,
    /// Each key the step accepts: `(key, type and default, what it does)`.
    pub keys: &'static [(&'static str, &'static str, &'static str)],
    /// An example `[[steps]]` table.
    pub example: &'static str,
}

/// A step's keys that cannot be used, naming the key when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParamError {
    pub key: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

/// One recipe. `params` is the step's table without its `recipe` key.
pub trait Recipe: Send + Sync {
    fn meta(&self) -> &'static RecipeMeta;
    /// Checks the step's keys before any run starts (unknown key, wrong type, bad value).
    fn validate(&self, params: &toml::Table) -> Result<(), ParamError>;
    /// The edits this recipe makes to `doc`; empty when there is nothing to change.
    /// `params` has passed `validate`.
    fn apply(&self, doc: &Document, settings: &Settings, params: &toml::Table) -> Vec<Fix>;
}

/// The recipe names job specs may use (the contract, DOMAIN.md §5). A spec naming any
/// other is invalid.
pub const NAMES: &[&str] = &[
    "canonical.fix",
    "copyright.year",
    "cta.swap",
    "domain.migrate",
    "fix",
    "footer.links",
    "hreflang.add",
    "link.noopener",
    "replace",
    "snippet.insert",
    "tag.remove",
    "utm.normalize",
    "utm.strip_internal",
];

/// Every recipe, by contract name.
#[allow(clippy::vec_init_then_push)] // one `push` line per recipe keeps merges simple
pub fn all() -> Vec<&'static dyn Recipe> {
    let mut list: Vec<&'static dyn Recipe> = Vec::new();
    list.push(&canonical_fix::CanonicalFix);
    list.push(&copyright_year::CopyrightYear);
    list.push(&cta_swap::CtaSwap);
    list.push(&domain_migrate::DomainMigrate);
    list.push(&fix::FixRules);
    list.push(&footer_links::FooterLinks);
    list.push(&hreflang_add::HreflangAdd);
    list.push(&link_noopener::Noopener);
    list.push(&replace::Replace);
    list.push(&snippet_insert::SnippetInsert);
    list.push(&tag_remove::TagRemove);
    list.push(&utm_normalize::Normalize);
    list.push(&utm_strip_internal::StripInternal);
    list.sort_by_key(|r| r.meta().name);
    list
}

pub fn find(name: &str) -> Option<&'static dyn Recipe> {
    all().into_iter().find(|r| r.meta().name == name)
}

#[cfg(test)]
mod tests {
    use super::{NAMES, all};

    #[test]
    fn every_recipe_has_a_contract_name() {
        for r in all() {
            assert!(
                NAMES.contains(&r.meta().name),
                "{} is not a contract name",
                r.meta().name
            );
        }
        assert!(NAMES.windows(2).all(|w| w[0] < w[1]));
    }
}
