//! What the recipes of this family share: reading a step's keys (unknown key with the
//! closest known one, wrong type, bad value), asking the QA engine for the fixes its
//! file-level rules offer, and keeping every edit off template syntax.

use super::ParamError;
use crate::qa::engine;
use crate::qa::finding::{Finding, Fix};
use crate::qa::page::Document;
use crate::qa::rules::Settings;
use crate::qa::source::Span;

/// Fails on the first key of `params` that is not in `known`, naming the closest known one.
pub fn known_keys(params: &toml::Table, known: &[&str]) -> Result<(), ParamError> {
    for key in params.keys() {
        if known.contains(&key.as_str()) {
            continue;
        }
        let near = known
            .iter()
            .map(|k| (strsim::levenshtein(key, k), *k))
            .filter(|(d, k)| *d <= k.len().max(3) / 2 + 1)
            .min();
        let hint = match (near, known.is_empty()) {
            (Some((_, k)), _) => format!("did you mean `{k}`?"),
            (None, true) => "this recipe takes no keys".to_string(),
            (None, false) => format!("known keys: {}", known.join(", ")),
        };
        return Err(error(key, format!("unknown key `{key}`"), hint));
    }
    Ok(())
}

/// A `ParamError` about `key`.
pub fn error(key: &str, message: impl Into<String>, hint: impl Into<String>) -> ParamError {
    ParamError {
        key: Some(key.to_string()),
        message: message.into(),
        hint: Some(hint.into()),
    }
}

fn wrong_type(key: &str, expected: &str, found: &toml::Value) -> ParamError {
    error(
        key,
        format!("`{key}` must be {expected}, not {}", found.type_str()),
        format!("write it as {expected}"),
    )
}

/// The string value of `key`, if present.
pub fn string(params: &toml::Table, key: &str) -> Result<Option<String>, ParamError> {
    match params.get(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(wrong_type(key, "a string", v)),
    }
}

/// The integer value of `key`, if present.
pub fn integer(params: &toml::Table, key: &str) -> Result<Option<i64>, ParamError> {
    match params.get(key) {
        None => Ok(None),
        Some(toml::Value::Integer(i)) => Ok(Some(*i)),
        Some(v) => Err(wrong_type(key, "an integer", v)),
    }
}

/// The list of strings under `key`, if present.
pub fn strings(params: &toml::Table, key: &str) -> Result<Option<Vec<String>>, ParamError> {
    let Some(v) = params.get(key) else {
        return Ok(None);
    };
    let expected = "a list of strings";
    let toml::Value::Array(items) = v else {
        return Err(wrong_type(key, expected, v));
    };
    items
        .iter()
        .map(|i| match i {
            toml::Value::String(s) => Ok(s.clone()),
            other => Err(wrong_type(key, expected, other)),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The findings of the file-level rules matching `patterns` on `doc` (see
/// `engine::check_document`); a bad pattern yields none, since `validate` refused it.
pub fn findings(doc: &Document, settings: &Settings, patterns: &[&str]) -> Vec<Finding> {
    let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
    engine::check_document(doc, settings, &patterns).unwrap_or_default()
}

/// The fixes the findings carry, minus any that would touch template syntax.
pub fn fixes_of(doc: &Document, findings: &[Finding]) -> Vec<Fix> {
    let fixes: Vec<Fix> = findings.iter().filter_map(|f| f.fix.clone()).collect();
    off_templates(doc, fixes)
}

/// Keeps the edits that overlap no template region (an insertion at a region's edge is fine).
pub fn off_templates(doc: &Document, fixes: Vec<Fix>) -> Vec<Fix> {
    fixes
        .into_iter()
        .filter(|f| f.start <= f.end && f.end <= doc.text.len())
        .filter(|f| !doc.is_dynamic(Span::new(f.start, f.end)))
        .collect()
}

/// Checks rule patterns (`UTM-*`, `LNK-002`) against the rule list.
pub fn rule_patterns(key: &str, patterns: &[String]) -> Result<(), ParamError> {
    let config = crate::config::SiteConfig::default();
    engine::Selection::new(&config, patterns)
        .map(|_| ())
        .map_err(|e| error(key, e, "`sitewide rules` lists every rule id"))
}

#[cfg(test)]
pub mod testing {
    //! The shared recipe test: exact output, idempotence, no edit on template syntax, and a
    //! QA re-check in which the edited file has no finding the original did not have.

    use std::collections::HashMap;

    use super::super::Recipe;
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
                !doc.is_dynamic(Span::new(f.start, f.end)),
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
    pub fn refused(recipe: &dyn Recipe, step: &str) -> super::ParamError {
        recipe
            .validate(&params(step))
            .expect_err("the step is refused")
    }
}
