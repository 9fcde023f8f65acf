//! What the recipes built on QA rules share: asking the QA engine for the fixes its
//! file-level rules offer (kept off template syntax by `markup::guarded`), and the
//! shared recipe test.

use super::markup;
use crate::qa::engine;
use crate::qa::finding::{Finding, Fix};
use crate::qa::page::Document;
use crate::qa::rules::Settings;

/// The findings of the file-level rules matching `patterns` on `doc` (see
/// `engine::check_document`); a bad pattern yields none, since `validate` refused it.
pub fn findings(doc: &Document, settings: &Settings, patterns: &[&str]) -> Vec<Finding> {
    let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
    engine::check_document(doc, settings, &patterns).unwrap_or_default()
}

/// The fixes the findings carry, minus any that would touch template syntax.
pub fn fixes_of(doc: &Document, findings: &[Finding]) -> Vec<Fix> {
    let fixes: Vec<Fix> = findings.iter().filter_map(|f| f.fix.clone()).collect();
    markup::guarded(doc, fixes)
}

#[cfg(test)]
pub mod testing {
    //! The shared recipe test: exact output, idempotence, no edit on template syntax, and a
    //! QA re-check in which the edited file has no finding the original did not have.

    use std::collections::HashMap;

    use super::super::{ParamError, Recipe, markup};
    use crate::config::SiteConfig;
    use crate::qa::page::{Document, Engine, Format};
    use crate::qa::rules::Settings;
    use crate::qa::source::Span;
    use crate::qa::testing::{YEAR, check_files};

    /// One file a recipe is tried on, with the files its generator needs beside it.
    pub struct Case<'a> {
        pub path: &'a str,
        pub engine: Engine,
        pub before: &'a str,
        pub after: &'a str,
        pub beside: &'a [(&'a str, &'a str)],
    }

    /// The step's keys from TOML text.
    pub fn params(text: &str) -> toml::Table {
        text.parse().expect("valid test params")
    }

    /// What `recipe` makes of `text` at `path`.
    pub fn run(recipe: &dyn Recipe, case: &Case, config: &str, params: &toml::Table) -> String {
        let doc = document(case.path, case.before, case.engine);
        let (config, hosts) = load(config);
        let settings = settings(&config, &hosts);
        let fixes = recipe.apply(&doc, &settings, params);
        for f in &fixes {
            assert!(
                !markup::touches_template(&doc, Span::new(f.start, f.end)),
                "{}: edit {f:?} touches template syntax",
                case.path
            );
        }
        crate::qa::fix::apply(&doc.text, &fixes).0
    }

    /// Runs every case: exact output, then idempotence, then the QA re-check.
    pub fn check(recipe: &dyn Recipe, step: &str, config: &str, cases: &[Case]) {
        let params = params(step);
        recipe.validate(&params).expect("the step validates");
        for case in cases {
            let out = run(recipe, case, config, &params);
            assert_eq!(out, case.after, "{}: output", case.path);
            let again = Case {
                before: &out,
                ..*case
            };
            assert_eq!(
                run(recipe, &again, config, &params),
                out,
                "{}: a second run changed the file",
                case.path
            );
            no_new_findings(case, &out, config);
        }
    }

    /// The edited file has no finding (rule and message) the original did not have.
    pub fn no_new_findings(case: &Case, out: &str, config: &str) {
        let count = |text: &str| {
            let mut files: Vec<(&str, &str)> = case.beside.to_vec();
            files.push((case.path, text));
            let mut n: HashMap<(String, String), usize> = HashMap::new();
            for f in check_files(&files, config) {
                *n.entry((f.rule.id.to_string(), f.message.clone()))
                    .or_default() += 1;
            }
            n
        };
        let before = count(case.before);
        for (k, n) in count(out) {
            assert!(
                before.get(&k).copied().unwrap_or(0) >= n,
                "{}: the edit introduced {k:?}\n{out}",
                case.path
            );
        }
    }

    pub fn document(path: &str, text: &str, engine: Engine) -> Document {
        let format = if path.ends_with(".md") {
            Format::Markdown
        } else {
            Format::Html
        };
        Document::parse(path, text.to_string(), engine, format)
    }

    pub fn load(config: &str) -> (SiteConfig, Vec<String>) {
        let config = if config.is_empty() {
            SiteConfig::default()
        } else {
            SiteConfig::parse(std::path::Path::new("sitewide.toml"), config)
                .expect("valid test config")
        };
        let hosts = config.internal_hosts();
        (config, hosts)
    }

    pub fn settings<'a>(config: &'a SiteConfig, hosts: &'a [String]) -> Settings<'a> {
        Settings {
            config,
            internal_hosts: hosts,
            site_url: config.site_url.as_deref(),
            year: YEAR,
        }
    }

    /// The error `validate` gives for a step.
    pub fn refused(recipe: &dyn Recipe, step: &str) -> ParamError {
        recipe
            .validate(&params(step))
            .expect_err("the step is refused")
    }
}
