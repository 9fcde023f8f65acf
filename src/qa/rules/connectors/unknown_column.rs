//! CON-003 unknown-column: a column read from a table that a dbt source declares with
//! columns, and that column is not among them. Two readers: a LookML field's
//! `${TABLE}.column`, and a dbt model's `alias.column` where the alias stands for
//! `{{ source('s', 't') }}` (read by [`super::sql`]), against the sources of the model's
//! own dbt project (the nearest folder with a `dbt_project.yml`).
//!
//! Limits, on purpose: only what the repository's own files can prove. The view's
//! `sql_table_name` (`raw.google_ads.ad_stats`) is matched to a dbt source table by its
//! last two parts (schema and table identifier); tables whose source declares no columns,
//! derived tables and templated table names are not judged. In SQL, unqualified columns,
//! `alias.*`, quoted names, names written against Jinja, and aliases the file binds to
//! anything else are not judged; the table's `loaded_at_field` and warehouse pseudo
//! columns count as declared. GAQL fields and Meta insights fields are not checked:
//! Sitewide ships no field list for each API version, and a guessed one would be wrong.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::dbt;
use super::files::{Files, Kind};
use super::lookml::{self, Item};
use super::node::Node;
use super::sql;
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{Rule, SiteCx};
use crate::qa::source::Span;

static META: RuleMeta = RuleMeta {
    id: "CON-003",
    name: "unknown-column",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "A LookML field or a dbt model reads a column its dbt source table does not declare",
    why: "A dimension over a column the connector does not load fails in every Explore that selects it, or (after a connector rename) silently reads nothing; the dbt source declaration is the contract the dashboards should follow.",
    bad: "==> models/src_google_ads.yml <==\nversion: 2\nsources:\n  - name: google_ads\n    tables:\n      - name: ad_stats\n        columns:\n          - name: ad_id\n          - name: cost_micros\n==> looker/ad_stats.view.lkml <==\nview: ad_stats {\n  sql_table_name: raw.google_ads.ad_stats ;;\n  dimension: ad_id { primary_key: yes sql: ${TABLE}.ad_id ;; }\n  measure: spend { type: sum sql: ${TABLE}.cost / 1e6 ;; }\n}\n",
    good: "==> models/src_google_ads.yml <==\nversion: 2\nsources:\n  - name: google_ads\n    tables:\n      - name: ad_stats\n        columns:\n          - name: ad_id\n          - name: cost_micros\n==> looker/ad_stats.view.lkml <==\nview: ad_stats {\n  sql_table_name: raw.google_ads.ad_stats ;;\n  dimension: ad_id { primary_key: yes sql: ${TABLE}.ad_id ;; }\n  measure: spend { type: sum sql: ${TABLE}.cost_micros / 1e6 ;; }\n}\n",
    source: "dbt source properties (docs.getdbt.com/reference/source-properties) and the `source()` function; Looker `sql` and `sql_table_name` references",
};

static TABLE_COLUMN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\$\{TABLE\}\.(?:"([^"]+)"|`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*))"#)
        .expect("valid regex")
});

pub struct UnknownColumn;

impl Rule for UnknownColumn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        let files = Files::of(cx);
        let sources = dbt::sources(files);
        if sources
            .iter()
            .all(|s| s.tables.iter().all(|t| t.columns.is_empty()))
        {
            return;
        }
        check_lookml(files, &sources, out);
        check_models(files, &sources, out);
    }
}

/// LookML `${TABLE}.column` against the source table its view's `sql_table_name` names.
fn check_lookml(files: &Files, sources: &[dbt::Source], out: &mut Vec<Finding>) {
    let mut declared: HashMap<String, (&str, &[String])> = HashMap::new();
    for s in sources {
        for t in s.tables.iter().filter(|t| !t.columns.is_empty()) {
            let key = format!("{}.{}", s.schema, t.identifier).to_ascii_lowercase();
            declared.insert(key, (&t.name, &t.columns));
        }
    }
    for file in files.of_kind(&[Kind::LookMl]) {
        for view in lookml::parse(&file.text)
            .iter()
            .filter(|i| i.kind == "view")
        {
            let Some(table) = view
                .param("sql_table_name")
                .and_then(|p| table_key(&p.value))
            else {
                continue;
            };
            let Some((name, columns)) = declared.get(&table) else {
                continue;
            };
            for (col, span) in table_columns(&file.text, view) {
                if !columns.contains(&col.to_ascii_lowercase()) {
                    let msg = format!(
                        "view `{}` reads column `{col}`, which the dbt source table `{name}` does not declare",
                        view.value
                    );
                    let hint = format!("declared columns: {}", columns.join(", "));
                    out.push(file.finding(&META, span, msg).hint(hint));
                }
            }
        }
    }
}

/// `alias.column` in dbt SQL, where the alias stands for `{{ source('s', 't') }}`, against
/// the columns `t` declares (and its `loaded_at_field`, which the loader writes).
fn check_models(files: &Files, sources: &[dbt::Source], out: &mut Vec<Finding>) {
    let projects: Vec<&str> = files
        .files
        .iter()
        .filter_map(|f| f.path.strip_suffix("dbt_project.yml"))
        .filter(|dir| dir.is_empty() || dir.ends_with('/'))
        .collect();
    let mut declared: HashMap<(&str, &str, &str), Vec<String>> = HashMap::new();
    for s in sources {
        for t in s.tables.iter().filter(|t| !t.columns.is_empty()) {
            let mut columns = t.columns.clone();
            let loaded = dbt::setting(t.node, "loaded_at_field")
                .or_else(|| dbt::setting(s.node, "loaded_at_field"))
                .and_then(Node::str);
            columns.extend(loaded.map(str::to_ascii_lowercase));
            declared.insert(
                (project(&projects, &s.file.path), &s.name, &t.name),
                columns,
            );
        }
    }
    for file in files.of_kind(&[Kind::Sql]) {
        if !file.text.contains("source") {
            continue;
        }
        let project = project(&projects, &file.path);
        for r in sql::source_references(&file.text) {
            let key = (project, r.source.as_str(), r.table.as_str());
            let Some(columns) = declared.get(&key) else {
                continue;
            };
            let lower = r.column.to_ascii_lowercase();
            if columns.contains(&lower) || is_pseudo_column(&lower) {
                continue;
            }
            let msg = format!(
                "`{}` is not a column of the dbt source table `{}.{}`, which declares its columns",
                r.column, r.source, r.table
            );
            let closest = columns
                .iter()
                .max_by(|a, b| {
                    strsim::jaro_winkler(&lower, a).total_cmp(&strsim::jaro_winkler(&lower, b))
                })
                .map_or(String::new(), |c| {
                    format!("the closest declared column is `{c}`; ")
                });
            let hint = format!(
                "{closest}declare the column in the source's `columns:` if the loader writes it"
            );
            out.push(file.finding(&META, r.span, msg).hint(hint));
        }
    }
}

/// The folder of the dbt project holding `path` (the deepest one with a
/// `dbt_project.yml` above it): a repository may hold several projects that declare the
/// same source differently. `""` outside any.
fn project<'a>(projects: &[&'a str], path: &str) -> &'a str {
    projects
        .iter()
        .filter(|dir| path.starts_with(**dir))
        .max_by_key(|dir| dir.len())
        .copied()
        .unwrap_or("")
}

/// Columns a warehouse adds to every table: BigQuery's partition and wildcard pseudo
/// columns, Snowflake's `METADATA$` columns.
fn is_pseudo_column(lower: &str) -> bool {
    matches!(lower, "_partitiontime" | "_partitiondate" | "_table_suffix") || lower.contains('$')
}

/// `raw.google_ads.ad_stats` → `google_ads.ad_stats`; `None` for one part or a template.
fn table_key(value: &str) -> Option<String> {
    if value.contains("{{") || value.contains("${") || value.contains(' ') {
        return None;
    }
    let parts: Vec<&str> = value
        .split('.')
        .map(|p| p.trim_matches(['`', '"', '[', ']']))
        .collect();
    (parts.len() >= 2).then(|| parts[parts.len() - 2..].join(".").to_ascii_lowercase())
}

/// Every `${TABLE}.column` in the view's SQL parameters, with the column's span.
fn table_columns(text: &str, view: &Item) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut stack: Vec<&Item> = vec![view];
    while let Some(item) = stack.pop() {
        for c in &item.children {
            if c.is_block {
                stack.push(c);
            } else if c.kind.contains("sql") && c.kind != "sql_table_name" {
                let s = c.value_span;
                for cap in TABLE_COLUMN.captures_iter(&text[s.start..s.end]) {
                    if let Some(m) = cap.iter().skip(1).flatten().next() {
                        let span = Span::new(s.start + m.start(), s.start + m.end());
                        out.push((m.as_str().to_string(), span));
                    }
                }
            }
        }
    }
    out.sort_by_key(|(_, s)| s.start);
    out
}

#[cfg(test)]
mod tests {
    use crate::qa::rules::connectors::fixture;

    #[test]
    fn a_column_the_source_does_not_declare_is_reported_at_the_column() {
        assert_eq!(
            fixture::check("unknown_column/bad", "CON-003"),
            vec![(
                "looker/ad_stats.view.lkml:11:19".to_string(),
                "view `ad_stats` reads column `cost`, which the dbt source table `ad_stats` does not declare".to_string()
            )]
        );
    }

    #[test]
    fn declared_columns_and_undeclared_tables_are_not_reported() {
        assert_eq!(fixture::check("unknown_column/good", "CON-003"), vec![]);
    }

    #[test]
    fn a_model_reading_an_undeclared_column_through_a_source_alias_is_reported() {
        let findings = fixture::check("unknown_column/model_bad", "CON-003");
        let text = |f: &str, col: &str, table: &str| {
            (
                f.to_string(),
                format!(
                    "`{col}` is not a column of the dbt source table `google_ads.{table}`, which declares its columns"
                ),
            )
        };
        assert_eq!(
            findings,
            vec![
                text("models/marts/fct_ads.sql:7:46", "status", "campaigns"),
                text("models/marts/fct_ads.sql:13:11", "impressions", "ad_stats"),
                text("models/marts/fct_ads.sql:14:9", "cost_micro", "campaigns"),
                text("models/staging/stg_ad_stats.sql:5:7", "cost", "ad_stats"),
            ]
        );
    }

    #[test]
    fn comments_strings_jinja_quoted_names_and_other_tables_are_not_judged() {
        assert_eq!(
            fixture::check("unknown_column/model_good", "CON-003"),
            vec![]
        );
    }

    #[test]
    fn the_hint_names_the_closest_declared_column() {
        let yml = "sources:\n  - name: google_ads\n    tables:\n      - name: ad_stats\n        columns:\n          - name: ad_id\n          - name: cost_micros\n";
        let sql = "select s.cost from {{ source('google_ads', 'ad_stats') }} s\n";
        let findings = crate::qa::testing::check_with_starter(&[
            ("models/src.yml", yml),
            ("models/stg.sql", sql),
        ]);
        let hints: Vec<_> = findings
            .iter()
            .filter(|f| f.rule.id == "CON-003")
            .map(|f| f.hint.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            hints,
            vec![
                "the closest declared column is `cost_micros`; declare the column in the source's `columns:` if the loader writes it"
            ]
        );
    }

    #[test]
    fn a_model_is_held_to_the_sources_of_its_own_dbt_project() {
        assert_eq!(
            fixture::check("unknown_column/two_projects", "CON-003"),
            vec![(
                "a/models/stg_ad_stats.sql:1:19".to_string(),
                "`cost` is not a column of the dbt source table `google_ads.ad_stats`, which declares its columns".to_string()
            )]
        );
    }
}
