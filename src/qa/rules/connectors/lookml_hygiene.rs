//! CON-007 lookml-hygiene: in LookML files, a view without a `primary_key: yes`
//! dimension, a join without `relationship`, and a view, explore, join or field name that
//! is not lowercase snake case (`a-z`, `0-9`, `_`, starting with a letter). Refinements
//! (`view: +name`) and views that extend others or are marked `extension: required` get
//! their primary key elsewhere and are not asked for one.

use super::files::{File, Files, Kind};
use super::lookml::{self, Item};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{Rule, SiteCx};

static META: RuleMeta = RuleMeta {
    id: "CON-007",
    name: "lookml-hygiene",
    severity: Severity::Warning,
    fix: FixKind::Judgement,
    summary: "A LookML view without a primary key, a join without a relationship, or a name that is not lowercase snake case",
    why: "Without a primary key Looker cannot compute symmetric aggregates, so measures over joins double count spend and clicks; a join without `relationship` is assumed many_to_one, which silently fans out one_to_many joins; names outside lowercase snake case break references and the URL of every saved Look.",
    bad: "==> looker/ad_stats.view.lkml <==\nview: ad_stats {\n  sql_table_name: google_ads.ad_stats ;;\n  dimension: ad_id {\n    sql: ${TABLE}.ad_id ;;\n  }\n}\n",
    good: "==> looker/ad_stats.view.lkml <==\nview: ad_stats {\n  sql_table_name: google_ads.ad_stats ;;\n  dimension: ad_id {\n    primary_key: yes\n    sql: ${TABLE}.ad_id ;;\n  }\n}\n",
    source: "Looker best practices, LookML dos and don'ts (cloud.google.com/looker/docs/best-practices/best-practices-lookml-dos-and-donts); Looker `dimension` reference",
};

const FIELDS: &[&str] = &[
    "dimension",
    "dimension_group",
    "measure",
    "filter",
    "parameter",
];

pub struct LookmlHygiene;

impl Rule for LookmlHygiene {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        for file in Files::of(cx).of_kind(&[Kind::LookMl]) {
            for item in lookml::parse(&file.text) {
                match item.kind.as_str() {
                    "view" => check_view(file, &item, out),
                    "explore" => check_explore(file, &item, out),
                    _ => {}
                }
            }
        }
    }
}

fn check_view(file: &File, view: &Item, out: &mut Vec<Finding>) {
    check_name(file, view, "view", out);
    for kind in FIELDS {
        for field in view.blocks(kind) {
            check_name(file, field, kind, out);
        }
    }
    let refinement = view.value.starts_with('+');
    let extends = view.param("extends").is_some()
        || view
            .param("extension")
            .is_some_and(|e| e.value == "required");
    let has_key = view
        .children
        .iter()
        .filter(|c| c.is_block && FIELDS.contains(&c.kind.as_str()))
        .any(|d| d.param("primary_key").is_some_and(|p| p.value == "yes"));
    if !has_key && !refinement && !extends {
        out.push(
            file.finding(
                &META,
                view.value_span,
                format!("view `{}` has no primary key", view.value),
            )
            .hint("mark the dimension that is unique per row `primary_key: yes` (build one with CONCAT when the key spans columns)"),
        );
    }
}

fn check_explore(file: &File, explore: &Item, out: &mut Vec<Finding>) {
    check_name(file, explore, "explore", out);
    for join in explore.blocks("join") {
        check_name(file, join, "join", out);
        if join.param("relationship").is_none() {
            out.push(
                file.finding(
                    &META,
                    join.value_span,
                    format!(
                        "join `{}` in explore `{}` has no `relationship`",
                        join.value, explore.value
                    ),
                )
                .hint("state it: many_to_one, one_to_one, one_to_many or many_to_many"),
            );
        }
    }
}

fn check_name(file: &File, item: &Item, what: &str, out: &mut Vec<Finding>) {
    let name = item.value.trim_start_matches('+');
    if name.is_empty() || is_snake(name) {
        return;
    }
    out.push(
        file.finding(
            &META,
            item.value_span,
            format!("{what} name `{name}` is not lowercase snake case"),
        )
        .hint(format!(
            "rename it `{}` and update its references",
            to_snake(name)
        )),
    );
}

fn is_snake(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn to_snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 && !out.ends_with('_') {
            out.push('_');
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use crate::qa::rules::connectors::fixture;

    #[test]
    fn views_without_keys_joins_without_relationships_and_bad_names_are_reported() {
        assert_eq!(
            fixture::check("lookml_hygiene/bad", "CON-007"),
            vec![
                (
                    "looker/campaigns.view.lkml:1:7".to_string(),
                    "view `campaigns` has no primary key".to_string()
                ),
                (
                    "looker/campaigns.view.lkml:5:12".to_string(),
                    "measure name `TotalSpend` is not lowercase snake case".to_string()
                ),
                (
                    "looker/marketing.model.lkml:5:9".to_string(),
                    "join `campaigns` in explore `ad_stats` has no `relationship`".to_string()
                ),
            ]
        );
    }

    #[test]
    fn clean_lookml_and_refinements_are_not_reported() {
        assert_eq!(fixture::check("lookml_hygiene/good", "CON-007"), vec![]);
    }
}
