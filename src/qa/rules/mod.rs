//! The one list of rules, the trait they implement, and what each check is handed.
//!
//! A rule looks at one file (`check_file`: every page, layout and include once), at one page
//! with its layouts and includes merged (`check_page`), or at facts gathered from every page
//! (`check_site`: links, fragments, uniqueness). It only appends findings.

use std::collections::HashMap;

use super::finding::{Finding, RuleMeta};
use super::page::Document;
use super::site::{PageFacts, SiteIndex};
use super::view::PageView;
use crate::config::SiteConfig;
use crate::qa::tagging::events::ScriptFile;

pub mod a11y;
pub mod connectors;
pub mod content;
pub mod legal;
pub mod links;
pub mod security;
pub mod seo;
pub mod social;
pub mod tagging;
pub mod utm;

/// What every check may read besides its subject.
#[derive(Clone, Copy)]
pub struct Settings<'a> {
    pub config: &'a SiteConfig,
    /// The site's own hosts (`internal_hosts` plus `site_url`'s host).
    pub internal_hosts: &'a [String],
    /// The site's public origin: `site_url` from `sitewide.toml`, else the generator
    /// config's `url`/`baseURL`.
    pub site_url: Option<&'a str>,
    /// The current year, from `SITEWIDE_NOW` when set (CNT-001).
    pub year: i32,
    /// Today, from the same reading of `SITEWIDE_NOW` (else the clock): API sunsets
    /// (CON-001) and date ranges (CON-004) are judged against it.
    pub today: chrono::NaiveDate,
    /// The repository's tracking plan, when it has one (TAG-006, 009, 010, 012, 014).
    pub plan: Option<&'a crate::qa::plan::Plan>,
    /// GA4's naming rules and limits (`ga4.toml`, or the repository's override).
    pub ga4: &'a crate::qa::data::ga4::Ga4,
    /// The site config and data values tag ids may be written as (`{{ site.ga }}`).
    pub site_values: &'a crate::qa::tagging::values::SiteValues,
}

pub struct FileCx<'a> {
    pub doc: &'a Document,
    pub settings: &'a Settings<'a>,
}

pub struct PageCx<'a> {
    pub view: &'a PageView<'a>,
    pub settings: &'a Settings<'a>,
}

pub struct SiteCx<'a> {
    pub pages: &'a [std::sync::Arc<PageFacts>],
    /// Facts of layouts and includes, by path: their links are checked once, their ids
    /// count on every page that uses them.
    pub templates: &'a HashMap<std::sync::Arc<str>, PageFacts>,
    pub index: &'a SiteIndex,
    pub settings: &'a Settings<'a>,
    /// The checked tree, for the few rules that read a file again (or one the walk skips).
    pub tree: &'a dyn crate::qa::tree::Tree,
    /// The repository's connector files (configs, dbt, LookML, API scripts), read and
    /// parsed once by the first connector rule that asks, for all of them.
    pub connector_files: &'a std::sync::OnceLock<connectors::files::Files>,
    /// The site's first-party script files (`Site::scripts`), read on first use.
    pub script_paths: &'a [std::sync::Arc<str>],
    pub script_files: &'a std::sync::OnceLock<Vec<ScriptFile>>,
}

impl SiteCx<'_> {
    /// The first-party script files with their events, read and parsed once per check
    /// (in parallel) by the first rule that asks.
    pub fn scripts(&self) -> &[ScriptFile] {
        self.script_files.get_or_init(|| {
            use rayon::prelude::*;
            self.script_paths
                .par_iter()
                .filter_map(|p| ScriptFile::read(self.tree, p))
                .collect()
        })
    }
}

pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check_file(&self, _cx: &FileCx, _out: &mut Vec<Finding>) {}
    fn check_page(&self, _cx: &PageCx, _out: &mut Vec<Finding>) {}
    fn check_site(&self, _cx: &SiteCx, _out: &mut Vec<Finding>) {}
    /// True for a rule that contacts other servers (LNK-004): it runs only when the user
    /// enables the network ([`crate::qa::engine::Selection::with_network`]), and its
    /// findings come after the check (`crate::links`).
    fn network(&self) -> bool {
        false
    }
}

/// Every rule Sitewide has, in id order (sorted once: recipes ask for a selection per file).
pub fn all() -> Vec<&'static dyn Rule> {
    static ALL: std::sync::LazyLock<Vec<&'static dyn Rule>> = std::sync::LazyLock::new(|| {
        let mut rules: Vec<&'static dyn Rule> = Vec::new();
        rules.extend(utm::RULES);
        rules.extend(links::RULES);
        rules.extend(seo::RULES);
        rules.extend(social::RULES);
        rules.extend(a11y::RULES);
        rules.extend(security::RULES);
        rules.extend(content::RULES);
        rules.extend(tagging::RULES);
        rules.extend(legal::RULES);
        rules.extend(connectors::RULES);
        rules.sort_by_cached_key(|r| sort_key(r.meta().id));
        rules
    });
    ALL.clone()
}

/// `UTM-2` sorts before `UTM-10`.
fn sort_key(id: &str) -> (String, u32) {
    let (family, num) = id.split_once('-').unwrap_or((id, "0"));
    (family.to_string(), num.parse().unwrap_or(0))
}

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    all()
        .into_iter()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::all;
    use crate::qa::testing::{check_with_starter, example_files};

    #[test]
    fn rule_ids_are_unique_and_well_formed() {
        let mut ids: Vec<&str> = all().iter().map(|r| r.meta().id).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule ids");
        for r in all() {
            let m = r.meta();
            assert!(
                m.id.split_once('-').is_some_and(|(f, num)| f
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                    && num.len() == 3),
                "{}",
                m.id
            );
            assert!(
                !m.summary.is_empty() && !m.why.is_empty() && !m.source.is_empty(),
                "{}",
                m.id
            );
        }
    }

    /// The examples `sitewide rules ID` shows are checked: docs cannot lie.
    #[test]
    fn every_bad_example_is_flagged_and_every_good_one_is_not() {
        // A network rule's examples need a server to answer: `links::tests` checks them
        // against one the test starts on loopback.
        for r in all().into_iter().filter(|r| !r.network()) {
            let m = r.meta();
            let bad = check_with_starter(&example_files(m.bad));
            assert!(
                bad.iter().any(|f| f.rule.id == m.id),
                "{}: bad example not flagged: {bad:#?}",
                m.id
            );
            let good = check_with_starter(&example_files(m.good));
            assert!(
                !good.iter().any(|f| f.rule.id == m.id),
                "{}: good example flagged: {good:#?}",
                m.id
            );
        }
    }
}
