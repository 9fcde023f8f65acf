//! CON-008 channel-map-mismatch: a `utm_medium` → channel mapping in dbt SQL
//! (`case when utm_medium = 'cpc' then 'Paid Search'`, `when lower(utm_medium) in
//! ('cpc', 'ppc') then ...`) or LookML (`when: { sql: ${utm_medium} = 'cpc' ;; label:
//! "Paid Search" }`) that gives a medium another channel than the site taxonomy
//! (`[utm.mediums]` in sitewide.toml, by default GA4's channel map shipped in
//! `src/qa/data/channels.toml`). Channels compare without case and separators
//! (`paid_search` = `Paid Search`); medium aliases resolve first. Mediums the taxonomy does
//! not list, and patterns (`like`, regular expressions), are not judged.
//!
//! The other half of cross-layer consistency: the events dashboards query. A dbt model or a
//! LookML file that filters on an event name (`event_name = 'generate_lead'`,
//! `event_name in ('sign_up', 'purchase')`, as GA4's BigQuery export and Segment's
//! warehouse tables name the column: `event_name`, `event`, `event_text`) that the tracking
//! plan does not list queries an event nothing sends. Judged only where the repository has
//! a plan; GA4's automatically collected events (the reserved names of `ga4.toml`, such as
//! `page_view` and `session_start`) need no plan entry.

use std::sync::LazyLock;

use regex::Regex;

use super::files::{File, Files, Kind};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{Rule, SiteCx};
use crate::qa::source::Span;

static META: RuleMeta = RuleMeta {
    id: "CON-008",
    name: "channel-map-mismatch",
    severity: Severity::Warning,
    fix: FixKind::Judgement,
    summary: "A dbt or LookML utm_medium → channel mapping that disagrees with the site's UTM taxonomy, or a query of an event the tracking plan does not list",
    why: "When the warehouse maps a medium to another channel than the site's taxonomy (and GA4), the dashboard and GA4 report different channel totals for the same visits, and nobody trusts either.",
    bad: "==> models/channels.sql <==\nselect session_id,\n  case when utm_medium = 'cpc' then 'Paid Social' else 'Other' end as channel\nfrom {{ ref('stg_sessions') }}\n",
    good: "==> models/channels.sql <==\nselect session_id,\n  case when utm_medium = 'cpc' then 'Paid Search' else 'Other' end as channel\nfrom {{ ref('stg_sessions') }}\n",
    source: "GA4 default channel group (Google Analytics Help 9756891); DOMAIN.md §1.3, §1.5",
};

/// `when [lower(]x.utm_medium[)] = 'a' then 'B'` or `in ('a', 'b') then 'B'`.
static SQL_WHEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)\bwhen\s+(?:lower\s*\(\s*)?[\w.${}]*utm_medium\}?\s*\)?\s*(?:=\s*'([^']*)'|in\s*\(([^)]*)\))\s*then\s*'([^']*)'"#)
        .expect("valid regex")
});
/// LookML `when: { sql: ${utm_medium} = 'cpc' ;; label: "Paid Search" }`.
static LOOKML_WHEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)when\s*:\s*\{\s*sql\s*:\s*[^;]*?utm_medium\}?\s*\)?\s*=\s*'([^']*)'\s*;;\s*label\s*:\s*"([^"]*)""#)
        .expect("valid regex")
});
/// `event_name = 'x'`, `event = "x"`, `event_name in ('a', 'b')`, `${event_name} = 'x'`.
static EVENT_FILTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:^|[^\w.])(?:\$\{)?(?:[\w]+\.)?(?:event_name|event|event_text)\}?\s*(?:=\s*'([^']*)'|in\s*\(([^)]*)\))"#)
        .expect("valid regex")
});
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"'([^']*)'").expect("valid regex"));

pub struct ChannelMapMismatch;

impl Rule for ChannelMapMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        for file in Files::of(cx).of_kind(&[Kind::Sql, Kind::LookMl]) {
            for (medium, span, channel) in mappings(file) {
                if let Some(f) = judge(cx, file, &medium, span, &channel) {
                    out.push(f);
                }
            }
            if let Some(plan) = cx.settings.plan {
                unplanned_events(cx, plan, file, out);
            }
        }
    }
}

/// Event names a query filters on that the tracking plan does not list.
fn unplanned_events(
    cx: &SiteCx,
    plan: &crate::qa::plan::Plan,
    file: &File,
    out: &mut Vec<Finding>,
) {
    let planned = |name: &str| {
        plan.events
            .iter()
            .any(|e| e.name == name || e.ga4_name.as_deref() == Some(name))
            || cx.settings.ga4.reserved_events.iter().any(|r| r == name)
    };
    for (name, span) in event_filters(&file.text) {
        if name.is_empty() || planned(&name) {
            continue;
        }
        let msg = format!("this query reads event `{name}`, which the tracking plan does not list");
        out.push(file.finding(&META, span, msg).hint(
            "the dashboard counts an event nothing is planned to send: fix the name, or add the event to the plan",
        ));
    }
}

/// Every event name a query compares its event column with, and where.
fn event_filters(text: &str) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    for c in EVENT_FILTER.captures_iter(text) {
        if let Some(m) = c.get(1) {
            out.push((m.as_str().to_string(), Span::new(m.start(), m.end())));
        } else if let Some(list) = c.get(2) {
            for q in QUOTED.captures_iter(list.as_str()) {
                if let Some(m) = q.get(1) {
                    let span = Span::new(list.start() + m.start(), list.start() + m.end());
                    out.push((m.as_str().to_string(), span));
                }
            }
        }
    }
    out
}

/// Every (medium, its span, channel) the file maps.
fn mappings(file: &File) -> Vec<(String, Span, String)> {
    let text = &file.text;
    let mut out = Vec::new();
    for c in SQL_WHEN.captures_iter(text) {
        let Some(channel) = c.get(3) else { continue };
        if let Some(m) = c.get(1) {
            out.push((
                m.as_str().to_string(),
                Span::new(m.start(), m.end()),
                channel.as_str().to_string(),
            ));
        } else if let Some(list) = c.get(2) {
            for q in QUOTED.captures_iter(list.as_str()) {
                if let Some(m) = q.get(1) {
                    let span = Span::new(list.start() + m.start(), list.start() + m.end());
                    out.push((m.as_str().to_string(), span, channel.as_str().to_string()));
                }
            }
        }
    }
    if file.kind == Kind::LookMl {
        for c in LOOKML_WHEN.captures_iter(text) {
            if let (Some(m), Some(ch)) = (c.get(1), c.get(2)) {
                out.push((
                    m.as_str().to_string(),
                    Span::new(m.start(), m.end()),
                    ch.as_str().to_string(),
                ));
            }
        }
    }
    out
}

fn judge(cx: &SiteCx, file: &File, medium: &str, span: Span, channel: &str) -> Option<Finding> {
    let utm = &cx.settings.config.utm;
    let key = medium.to_lowercase();
    let canonical = utm.medium_aliases.get(&key).cloned().unwrap_or(key);
    let expected = utm.mediums.get(&canonical)?.get_ref();
    if norm(expected) == norm(channel) {
        return None;
    }
    let msg = format!(
        "utm_medium `{medium}` is mapped to `{channel}`, but the site taxonomy maps it to `{expected}`"
    );
    Some(file.finding(&META, span, msg).hint(
        "use the taxonomy's channel, or change `[utm.mediums]` in sitewide.toml so both agree",
    ))
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::qa::rules::connectors::fixture;
    use crate::qa::testing::check_files;

    #[test]
    fn queries_of_events_the_plan_does_not_list_are_reported_at_the_name() {
        let plan = "events:\n  generate_lead: {}\n  Lead Form:\n    ga4_name: form_lead\n";
        let sql = "select count(*) as leads\nfrom {{ source('ga4', 'events') }}\nwhere event_name = 'generate_lead'\n  or e.event_name in ('form_lead', 'demo_request', 'page_view')\n  or event = 'Signed Up'\n";
        let lkml = "view: leads {\n  measure: demos {\n    type: count\n    filters: [event_name: \"x\"]\n    sql: ${event_name} = 'request_demo' ;;\n  }\n}\n";
        let f = check_files(
            &[
                ("tracking/plan.yaml", plan),
                ("models/leads.sql", sql),
                ("looker/leads.view.lkml", lkml),
            ],
            "",
        );
        let got: Vec<String> = f
            .iter()
            .filter(|x| x.rule.id == "CON-008")
            .map(|x| format!("{}:{}:{} {}", x.file, x.line, x.column, x.message))
            .collect();
        assert_eq!(
            got,
            [
                "looker/leads.view.lkml:5:27 this query reads event `request_demo`, which the tracking plan does not list",
                "models/leads.sql:4:37 this query reads event `demo_request`, which the tracking plan does not list",
                "models/leads.sql:5:15 this query reads event `Signed Up`, which the tracking plan does not list",
            ]
        );
        // Without a plan there is nothing to compare with.
        let none = check_files(&[("models/leads.sql", sql)], "");
        assert!(!none.iter().any(|x| x.rule.id == "CON-008"));
    }

    #[test]
    fn mappings_that_disagree_with_the_taxonomy_are_reported_at_the_medium() {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            fixture::check("channel_map_mismatch/bad", "CON-008"),
            vec![
                s(
                    "looker/sessions.view.lkml:6:43",
                    "utm_medium `email` is mapped to `Referral`, but the site taxonomy maps it to `Email`"
                ),
                s(
                    "models/int_channels.sql:5:52",
                    "utm_medium `paid-social` is mapped to `Paid Search`, but the site taxonomy maps it to `Paid Social`"
                ),
                s(
                    "models/int_channels.sql:6:30",
                    "utm_medium `e-mail` is mapped to `Newsletter`, but the site taxonomy maps it to `Email`"
                ),
            ]
        );
    }

    #[test]
    fn mappings_that_agree_or_name_unknown_mediums_are_not_reported() {
        assert_eq!(
            fixture::check("channel_map_mismatch/good", "CON-008"),
            vec![]
        );
    }
}
