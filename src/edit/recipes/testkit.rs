//! The one recipe test harness: run a step on one file of a small site, compare the exact
//! output, run it again (no edit), check that no fix cuts template syntax and that no two
//! fixes overlap, and re-check the site with the QA engine before and after (the result
//! has no finding the input did not have, counted both by rule and message and by rule
//! and file).

use std::collections::HashMap;

use super::{ParamError, Recipe, markup};
use crate::config::SiteConfig;
use crate::qa::fix;
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

pub fn document(path: &str, text: &str, engine: Engine) -> Document {
    let format = if path.ends_with(".md") {
        Format::Markdown
    } else {
        Format::Html
    };
    Document::parse(path, text.to_string(), engine, format)
}

/// The step's keys from TOML text; panics when they do not validate.
pub fn params(recipe: &dyn Recipe, step: &str) -> toml::Table {
    let t: toml::Table = step.parse().expect("valid test params");
    if let Err(e) = recipe.validate(&t) {
        panic!("params do not validate: {e:?}");
    }
    t
}

/// The error `validate` gives for a step.
pub fn refused(recipe: &dyn Recipe, step: &str) -> ParamError {
    let t: toml::Table = step.parse().expect("valid test params");
    recipe.validate(&t).expect_err("the step is refused")
}

/// The site config from `sitewide.toml` text (empty: the default) and its internal hosts.
pub fn load(config: &str) -> (SiteConfig, Vec<String>) {
    let config = if config.is_empty() {
        SiteConfig::default()
    } else {
        SiteConfig::parse(std::path::Path::new("sitewide.toml"), config).expect("valid test config")
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
        today: crate::qa::engine::today(),
        plan: None,
        ga4: crate::qa::data::ga4::Ga4::shipped(),
        site_values: crate::qa::tagging::values::SiteValues::none(),
    }
}

/// `doc`'s text after one application of the step, asserting that no fix cuts template
/// syntax and that every fix applies (none overlaps another).
pub fn apply(
    recipe: &dyn Recipe,
    doc: &Document,
    settings: &Settings,
    params: &toml::Table,
) -> String {
    let fixes = recipe.apply(doc, settings, params);
    for f in &fixes {
        assert!(
            !markup::touches_template(doc, Span::new(f.start, f.end)),
            "{}: edit {f:?} touches template syntax",
            doc.path
        );
    }
    // `fix::apply` merges exact duplicates (two rules offering one fix); every distinct
    // fix must apply, none lost to an overlap.
    let mut distinct = fixes.clone();
    distinct.sort_by_key(|f| (f.start, f.end));
    distinct.dedup();
    let (out, n) = fix::apply(&doc.text, &fixes);
    assert_eq!(
        n,
        distinct.len(),
        "{}: overlapping fixes: {fixes:?}",
        doc.path
    );
    out
}

/// What the step makes of `text` at `path`, under the site config `config`.
pub fn run(
    recipe: &dyn Recipe,
    step: &str,
    config: &str,
    path: &str,
    text: &str,
    engine: Engine,
) -> String {
    let params = params(recipe, step);
    let (config, hosts) = load(config);
    apply(
        recipe,
        &document(path, text, engine),
        &settings(&config, &hosts),
        &params,
    )
}

/// `text` after one application of the step, under the default config.
pub fn once(recipe: &dyn Recipe, step: &str, path: &str, text: &str, engine: Engine) -> String {
    run(recipe, step, "", path, text, engine)
}

/// Runs every case: exact output, then idempotence, then the QA re-check.
pub fn check(recipe: &dyn Recipe, step: &str, config: &str, cases: &[Case]) {
    for case in cases {
        let out = run(recipe, step, config, case.path, case.before, case.engine);
        assert_eq!(out, case.after, "{}: output", case.path);
        assert_eq!(
            run(recipe, step, config, case.path, &out, case.engine),
            out,
            "{}: a second run changed the file",
            case.path
        );
        no_new_findings(case, &out, config);
    }
}

/// `check` for the file `target` of the site `files` (the others are beside it), under
/// the default config.
pub fn check_site(
    recipe: &dyn Recipe,
    step: &str,
    files: &[(&str, &str)],
    target: &str,
    engine: Engine,
    expected: &str,
) {
    let before = files
        .iter()
        .find(|(p, _)| *p == target)
        .map(|(_, t)| *t)
        .expect("target is among the files");
    let beside: Vec<(&str, &str)> = files
        .iter()
        .copied()
        .filter(|(p, _)| *p != target)
        .collect();
    let case = Case {
        path: target,
        engine,
        before,
        after: expected,
        beside: &beside,
    };
    check(recipe, step, "", &[case]);
}

/// The edited file has no finding the original did not have: counted by rule and
/// message, and by rule and file.
pub fn no_new_findings(case: &Case, out: &str, config: &str) {
    type Counts = HashMap<(String, String), usize>;
    let count = |text: &str| -> (Counts, Counts) {
        let mut files: Vec<(&str, &str)> = case.beside.to_vec();
        files.push((case.path, text));
        let (mut by_message, mut by_file) = (Counts::new(), Counts::new());
        for f in check_files(&files, config) {
            *by_message
                .entry((f.rule.id.to_string(), f.message.clone()))
                .or_default() += 1;
            *by_file
                .entry((f.rule.id.to_string(), f.file.to_string()))
                .or_default() += 1;
        }
        (by_message, by_file)
    };
    let (message_before, file_before) = count(case.before);
    let (message_after, file_after) = count(out);
    for (k, n) in message_after {
        assert!(
            message_before.get(&k).copied().unwrap_or(0) >= n,
            "{}: the edit introduced {k:?}\n{out}",
            case.path
        );
    }
    for (k, n) in file_after {
        let had = file_before.get(&k).copied().unwrap_or(0);
        assert!(
            n <= had,
            "{}: new {} finding(s) in {}: {had} before, {n} after\n{out}",
            case.path,
            k.0,
            k.1
        );
    }
}
