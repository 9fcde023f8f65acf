//! Tests of `sql.rs`: which references are read, and which are left alone.

use super::source_references;

fn columns(sql: &str) -> Vec<String> {
    source_references(sql)
        .into_iter()
        .map(|r| r.column)
        .collect()
}

#[test]
fn an_alias_with_or_without_as_and_a_select_star_cte_are_followed() {
    let sql = "with c as (select * from {{ source('g', 'a') }} where x = 1)\n\
               select s.one, t.two, c.three, q.four\n\
               from {{ source('g', 'a') }} as s\n\
               join {{ source('g', 'a') }} t on true\n\
               join c on true\n\
               join (select * from {{ source('g', 'a') }}) q on true";
    assert_eq!(columns(sql), vec!["one", "two", "three", "four"]);
}

#[test]
fn the_reference_span_covers_the_column() {
    let sql = "select s.cost from {{ source('g', 'a') }} s";
    let r = &source_references(sql)[0];
    assert_eq!((r.source.as_str(), r.table.as_str()), ("g", "a"));
    assert_eq!(&sql[r.span.start..r.span.end], "cost");
}

#[test]
fn comments_strings_jinja_and_quoted_names_are_not_read() {
    let sql = "select -- s.a\n /* s.b */ {# s.c #} 's.d', s.\"E\", {{ x }}.f, s.{{ g }}, \
               s.h_{{ i }}, s.*, s.fn(1), s.ok\nfrom {{ source('g', 'a') }} s";
    assert_eq!(columns(sql), vec!["ok"]);
}

#[test]
fn an_alias_bound_to_another_table_elsewhere_in_the_file_is_not_judged() {
    let sql = "with a as (select s.x from {{ source('g', 'a') }} s),\n\
               b as (select s.y from {{ ref('b') }} s)\nselect 1";
    assert!(columns(sql).is_empty());
}

#[test]
fn a_cte_that_joins_or_drops_columns_is_not_followed() {
    let sql = "with j as (select * from {{ source('g', 'a') }} join z using (id)),\n\
               e as (select * except (x) from {{ source('g', 'a') }})\n\
               select j.x, e.x from j, e";
    assert!(columns(sql).is_empty());
}
