//! Property test: every recipe, with its documented example step, on mutated real pages
//! of the demo site in every template engine: no panic, no edit that cuts template syntax,
//! and the output, re-checked by the QA engine's file rules, has no more findings of any
//! rule than the input had.

use std::collections::HashMap;

use proptest::prelude::*;

use super::{all, markup, testkit};
use crate::qa::engine::check_document;
use crate::qa::fix;
use crate::qa::page::Engine;
use crate::qa::source::Span;

const ENGINES: [Engine; 5] = [
    Engine::Html,
    Engine::Liquid,
    Engine::Jinja,
    Engine::Hugo,
    Engine::Handlebars,
];

const PAGES: [(&str, &str); 3] = [
    (
        "landing/spring-sale.html",
        include_str!("../../../examples/demo-site/landing/spring-sale.html"),
    ),
    (
        "_layouts/default.html",
        include_str!("../../../examples/demo-site/_layouts/default.html"),
    ),
    (
        "about.md",
        include_str!("../../../examples/demo-site/about.md"),
    ),
];

const CONFIG: &str = include_str!("../../../examples/demo-site/sitewide.toml");

/// `(recipe name, its example step's keys)` for every recipe.
fn examples() -> Vec<(&'static str, toml::Table)> {
    all()
        .into_iter()
        .map(|r| {
            let spec: toml::Table = r.meta().example.parse().expect("example is TOML");
            let mut step = spec["steps"][0].as_table().expect("a step").clone();
            step.remove("recipe");
            (r.meta().name, step)
        })
        .collect()
}

fn counts(findings: &[crate::qa::finding::Finding]) -> HashMap<&'static str, usize> {
    let mut n = HashMap::new();
    for f in findings {
        *n.entry(f.rule.id).or_default() += 1;
    }
    n
}

/// `text` with `insert` put at byte `cut` (moved back to a character boundary).
fn mutate(text: &str, cut: usize, insert: &str) -> String {
    let mut at = cut % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    format!("{}{insert}{}", &text[..at], &text[at..])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_recipe_on_a_mutated_page_adds_no_finding(
        page in 0usize..PAGES.len(),
        engine in 0usize..ENGINES.len(),
        cut in 0usize..6000,
        insert in "[<>\"'{}%#?&=/ a-z]{0,8}",
    ) {
        let (path, original) = PAGES[page];
        let text = mutate(original, cut, &insert);
        let (config, hosts) = testkit::load(CONFIG);
        let settings = testkit::settings(&config, &hosts);
        let doc = testkit::document(path, &text, ENGINES[engine]);
        let before = counts(&check_document(&doc, &settings, &[]).expect("all rules"));
        for (name, params) in examples() {
            let recipe = super::find(name).expect("known recipe");
            let fixes = recipe.apply(&doc, &settings, &params);
            for f in &fixes {
                prop_assert!(
                    !markup::touches_template(&doc, Span::new(f.start, f.end)),
                    "{name}: {f:?} cuts template syntax"
                );
            }
            let (out, _) = fix::apply(&doc.text, &fixes);
            let after_doc = testkit::document(path, &out, ENGINES[engine]);
            let after = counts(&check_document(&after_doc, &settings, &[]).expect("all rules"));
            for (rule, n) in &after {
                prop_assert!(
                    *n <= before.get(rule).copied().unwrap_or(0),
                    "{name} on {path} ({:?}) added {rule}: {:?} -> {:?}",
                    ENGINES[engine], before.get(rule), n
                );
            }
        }
    }
}
