//! The recipe test harness: run a step on one file of a small site, compare the exact
//! output, run it again (no edit), check no fix cuts template syntax, and re-check the
//! site with the QA engine (the result has no finding the input did not have).

use std::collections::HashMap;

use super::{Recipe, markup};
use crate::config::SiteConfig;
use crate::qa::fix;
use crate::qa::page::{Document, Engine, Format};
use crate::qa::rules::Settings;
use crate::qa::source::Span;
use crate::qa::testing::{YEAR, check_files};

pub fn parse(path: &str, text: &str, engine: Engine) -> Document {
    let format = if path.ends_with(".md") {
        Format::Markdown
    } else {
        Format::Html
    };
    Document::parse(path, text.to_string(), engine, format)
}

/// The step's params from TOML text; panics when they do not validate.
pub fn params(recipe: &dyn Recipe, toml_text: &str) -> toml::Table {
    let t: toml::Table = toml_text.parse().expect("valid TOML");
    if let Err(e) = recipe.validate(&t) {
        panic!("params do not validate: {e:?}");
    }
    t
}

/// `text` after one application of the step.
pub fn once(
    recipe: &dyn Recipe,
    toml_text: &str,
    path: &str,
    text: &str,
    engine: Engine,
) -> String {
    let p = params(recipe, toml_text);
    let doc = parse(path, text, engine);
    let config = SiteConfig::default();
    let settings = Settings {
        config: &config,
        internal_hosts: &[],
        site_url: None,
        year: YEAR,
    };
    let fixes = recipe.apply(&doc, &settings, &p);
    for f in &fixes {
        assert!(
            !markup::cuts_template(&doc, Span::new(f.start, f.end)),
            "{f:?} cuts template syntax"
        );
    }
    let (out, n) = fix::apply(text, &fixes);
    assert_eq!(n, fixes.len(), "overlapping fixes: {fixes:?}");
    out
}

/// Runs the step on `target` of `files`, expects `expected`, checks idempotence and that
/// the QA engine finds nothing new in the changed site.
pub fn check(
    recipe: &dyn Recipe,
    toml_text: &str,
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
    let after = once(recipe, toml_text, target, before, engine);
    assert_eq!(after, expected, "output of {target}");
    let again = once(recipe, toml_text, target, &after, engine);
    assert_eq!(again, after, "a second run changed {target}");
    let changed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| {
            if *p == target {
                (*p, after.as_str())
            } else {
                (*p, *t)
            }
        })
        .collect();
    assert_no_new_findings(files, &changed);
}

fn counts(files: &[(&str, &str)]) -> HashMap<(String, String), usize> {
    let mut out = HashMap::new();
    for f in check_files(files, "") {
        *out.entry((f.rule.id.to_string(), f.file.to_string()))
            .or_insert(0) += 1;
    }
    out
}

pub fn assert_no_new_findings(before: &[(&str, &str)], after: &[(&str, &str)]) {
    let b = counts(before);
    let a = counts(after);
    for (key, n) in &a {
        let had = b.get(key).copied().unwrap_or(0);
        assert!(
            *n <= had,
            "new {} finding(s) in {}: {had} before, {n} after",
            key.0,
            key.1
        );
    }
}
