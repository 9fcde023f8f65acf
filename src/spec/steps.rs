//! A spec's `[[steps]]`: each names a contract recipe, and the recipe checks its own keys;
//! an error about a key points at that key inside the step's table.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Step;
use super::closest;
use super::recover::entry;
use super::validate::{FindRecipe, Sink};
use crate::edit::recipes::NAMES;

/// The step table at `span` in the parsed document, for positions of a step's keys.
fn step_table<'a, 'i>(root: &'a DeTable<'i>, span: &Range<usize>) -> Option<&'a DeTable<'i>> {
    let (_, steps) = entry(root, "steps")?;
    let DeValue::Array(items) = steps.get_ref() else {
        return None;
    };
    items
        .iter()
        .find(|i| i.span() == *span)?
        .get_ref()
        .as_table()
}

pub(super) fn steps(
    raw: Vec<Spanned<toml::Table>>,
    root: &DeTable<'_>,
    find: FindRecipe<'_>,
    sink: &mut Sink,
) -> Vec<Step> {
    let mut steps = Vec::new();
    for step in raw {
        let span = step.span();
        let table = step_table(root, &span);
        let key_at = |key: &str| table.and_then(|t| entry(t, key)).map(|(k, _)| k.span());
        let value_at = table
            .and_then(|t| entry(t, "recipe"))
            .map_or(span.clone(), |(_, v)| v.span());
        let mut params = step.into_inner();
        let name = match params.remove("recipe") {
            Some(toml::Value::String(name)) => name,
            Some(other) => {
                let message = format!("`recipe` is a string, not {}", other.type_str());
                sink.at(value_at, message, Some(recipe_list_hint()));
                continue;
            }
            None => {
                sink.at(span, "a step needs a `recipe`", Some(recipe_list_hint()));
                continue;
            }
        };
        if !NAMES.contains(&name.as_str()) {
            let hint = closest(&name, NAMES.iter().copied())
                .map_or_else(recipe_list_hint, |n| format!("did you mean \"{n}\"?"));
            sink.at(value_at, format!("unknown recipe {name:?}"), Some(hint));
        } else if let Some(recipe) = find(&name)
            && let Err(e) = recipe.validate(&params)
        {
            let at = e.key.as_deref().and_then(key_at).unwrap_or(value_at);
            let hint = e
                .hint
                .unwrap_or_else(|| format!("docs/recipes.md lists the keys of {name}"));
            sink.at(at, format!("{name}: {}", e.message), Some(hint));
        }
        steps.push(Step {
            recipe: name,
            params,
        });
    }
    steps
}

fn recipe_list_hint() -> String {
    format!("recipes: {}", NAMES.join(", "))
}
