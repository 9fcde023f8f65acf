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
            !markup::touches_template(&doc, Span::new(f.start, f.end)),
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

/// Files of `root` (relative paths) that the spec's `targets` globs pick.
fn targets(root: &std::path::Path, globs: &[&str]) -> Vec<String> {
    let build = |neg: bool| {
        let mut b = globset::GlobSetBuilder::new();
        for g in globs.iter().filter(|g| g.starts_with('!') == neg) {
            b.add(globset::Glob::new(g.trim_start_matches('!')).expect("valid glob"));
        }
        b.build().expect("valid glob set")
    };
    let (include, exclude) = (build(false), build(true));
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("readable folder").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            let rel = p.strip_prefix(root).expect("below root");
            let rel = rel.to_string_lossy().replace('\\', "/");
            if include.is_match(&rel) && !exclude.is_match(&rel) {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example step each recipe documents is valid TOML that validates.
    #[test]
    fn every_documented_example_step_validates() {
        for r in super::super::all() {
            let t: toml::Table = r.meta().example.parse().expect("example is TOML");
            let steps = t["steps"].as_array().expect("[[steps]]");
            let mut step = steps[0].as_table().expect("a step").clone();
            assert_eq!(
                step.remove("recipe")
                    .and_then(|v| v.as_str().map(String::from))
                    .as_deref(),
                Some(r.meta().name)
            );
            if let Err(e) = r.validate(&step) {
                panic!("{}: {e:?}", r.meta().name);
            }
        }
    }

    /// Each `jobs/*.toml` whose steps use these recipes validates and changes the demo
    /// site, and a second run changes nothing.
    #[test]
    fn job_examples_validate_and_edit_the_demo_site() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = root.join("examples/demo-site");
        let mut ran = 0;
        for entry in std::fs::read_dir(root.join("jobs"))
            .expect("jobs/")
            .flatten()
        {
            let spec: toml::Table = std::fs::read_to_string(entry.path())
                .expect("readable job")
                .parse()
                .expect("valid TOML");
            let globs: Vec<&str> = spec["targets"]
                .as_array()
                .expect("targets")
                .iter()
                .filter_map(|v| v.as_str())
                .collect();
            for step in spec["steps"].as_array().expect("steps") {
                let mut step = step.as_table().expect("a step table").clone();
                let name = step.remove("recipe").expect("recipe key");
                let Some(recipe) = super::super::find(name.as_str().expect("a name")) else {
                    continue;
                };
                let toml_text = toml::to_string(&step).expect("serialisable");
                let mut changed = 0;
                for file in targets(&site, &globs) {
                    let Ok(text) = std::fs::read_to_string(site.join(&file)) else {
                        continue;
                    };
                    let after = once(recipe, &toml_text, &file, &text, Engine::Liquid);
                    let again = once(recipe, &toml_text, &file, &after, Engine::Liquid);
                    assert_eq!(
                        again,
                        after,
                        "{:?}: second run changed {file}",
                        entry.path()
                    );
                    changed += usize::from(after != text);
                }
                assert!(
                    changed > 0,
                    "{:?} changes nothing in the demo site",
                    entry.path()
                );
                ran += 1;
            }
        }
        assert!(ran >= 6, "only {ran} job steps ran");
    }
}
