//! Checking one file's new text in the context of its site, without the whole tree: the
//! site's templates are read once, then each call runs the file-level rules and, for a
//! page, the page-level rules over its layout chain, with the same severities, ignores and
//! inline suppressions as `sitewide check`. Cross-file rules (duplicate titles, links to
//! other pages' fragments) need the whole tree and are left to a full check.
//!
//! The model engine uses it after every attempt, to send the findings an edit introduced
//! back to the model.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::engine::{Selection, check_page, finish, read_document};
use super::finding::Finding;
use super::page::Document;
use super::rules::{FileCx, Rule, Settings};
use super::site::{Role, Site};
use super::suppress::Suppressions;
use super::tree::Tree;
use super::view::Templates;

/// A site's templates and rule selection, ready to check single files.
pub struct FileChecker<'a> {
    site: &'a Site,
    templates: Templates,
    selection: Selection,
    rules: Vec<&'static dyn Rule>,
    settings: Settings<'a>,
}

impl<'a> FileChecker<'a> {
    /// Reads `site`'s templates from `tree` (unreadable ones are left out, as `check`
    /// skips them).
    pub fn new(
        site: &'a Site,
        tree: &dyn Tree,
        selection: Selection,
        settings: Settings<'a>,
    ) -> FileChecker<'a> {
        let templates: Templates = site
            .files
            .par_iter()
            .filter(|f| f.role == Role::Template)
            .filter_map(|f| {
                read_document(tree, f)
                    .ok()
                    .map(|d| (f.path.clone(), Arc::new(d)))
            })
            .collect();
        let rules = selection.rules().collect();
        FileChecker {
            site,
            templates,
            selection,
            rules,
            settings,
        }
    }

    /// The findings `sitewide check` would report in `path` if it held `text` (cross-file
    /// rules aside); `None` when `path` is not a page or template of the site.
    pub fn check(&self, path: &str, text: &str) -> Option<Vec<Finding>> {
        let file = self.site.file(path)?;
        let doc = Document::parse(path, text.to_string(), file.engine, file.format);
        let mut findings = match file.role {
            Role::Page => {
                let (found, _, _) = check_page(
                    &doc,
                    true,
                    self.site,
                    &self.templates,
                    &self.rules,
                    &self.settings,
                    None,
                );
                found
            }
            _ => {
                let mut out = Vec::new();
                let cx = FileCx {
                    doc: &doc,
                    settings: &self.settings,
                };
                for r in &self.rules {
                    r.check_file(&cx, &mut out);
                }
                out
            }
        };
        findings.retain(|f| f.file.as_ref() == path);
        let suppressions = HashMap::from([(doc.path.clone(), Suppressions::read(&doc))]);
        finish(
            findings,
            self.settings.config,
            &self.selection,
            &suppressions,
        )
        .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteConfig;

    #[test]
    fn a_page_is_checked_with_its_layout_and_the_sites_config() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            ("_config.yml", "url: \"https://www.acme.example\"\n"),
            (
                "_layouts/default.html",
                "<!doctype html><html lang=\"en\"><head><title>{{ page.title }}</title></head><body>{{ content }}</body></html>\n",
            ),
            (
                "index.html",
                "---\nlayout: default\ntitle: Home\n---\n<p>hi</p>\n",
            ),
        ];
        for (p, t) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        }
        let tree = crate::qa::tree::Disk::new(dir.path());
        let site = Site::discover(&tree, &[]).unwrap();
        let config = SiteConfig::default();
        let (hosts, url) = crate::qa::engine::site_identity(&config, &site);
        let settings = Settings {
            config: &config,
            internal_hosts: &hosts,
            site_url: url.as_deref(),
            year: 2026,
            today: crate::qa::engine::today(),
            plan: None,
            ga4: crate::qa::data::ga4::Ga4::shipped(),
            site_values: crate::qa::tagging::values::SiteValues::none(),
        };
        let selection = Selection::new(&config, &[]).unwrap();
        let checker = FileChecker::new(&site, &tree, selection, settings);
        let clean = checker.check("index.html", files[2].1).unwrap();
        let dirty = checker
            .check(
                "index.html",
                "---\nlayout: default\ntitle: Home\n---\n<p><a href=\"/pricing/?utm_source=a&utm_medium=b\">x</a></p>\n",
            )
            .unwrap();
        let ids = |f: &[Finding]| f.iter().map(|f| f.rule.id).collect::<Vec<_>>();
        assert!(!ids(&clean).contains(&"UTM-008"), "{:?}", ids(&clean));
        assert!(ids(&dirty).contains(&"UTM-008"), "{:?}", ids(&dirty));
        assert!(dirty.iter().all(|f| f.file.as_ref() == "index.html"));
        assert!(checker.check("nope.html", "").is_none());
    }
}
