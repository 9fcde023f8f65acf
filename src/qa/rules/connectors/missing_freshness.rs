//! CON-005 missing-freshness: a dbt source of an ad platform (Google Ads, Meta/Facebook,
//! Microsoft/Bing, LinkedIn, TikTok, Pinterest, Snapchat, Reddit, Amazon, Apple Search
//! Ads, Twitter/X), recognised by its name, schema or loader, whose tables have no
//! freshness (`warn_after` or `error_after`) or no `loaded_at_field`. Both are inherited
//! from the source by its tables, and read at the top level or under `config:`. A table
//! that sets `freshness: null` has opted out on purpose and is not reported.

use std::sync::LazyLock;

use regex::Regex;

use super::dbt::{self, Source, Table};
use super::files::Files;
use super::node::Node;
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{Rule, SiteCx};

static META: RuleMeta = RuleMeta {
    id: "CON-005",
    name: "missing-freshness",
    severity: Severity::Warning,
    fix: FixKind::Judgement,
    summary: "An ad-platform dbt source without freshness (warn_after/error_after) or loaded_at_field",
    why: "Ad connectors fail quietly (an expired token, a sunset API version); without a freshness check `dbt source freshness` cannot notice, and dashboards show last week's spend as today's.",
    bad: "==> models/src_google_ads.yml <==\nversion: 2\nsources:\n  - name: google_ads\n    tables:\n      - name: ad_stats\n",
    good: "==> models/src_google_ads.yml <==\nversion: 2\nsources:\n  - name: google_ads\n    loaded_at_field: _fivetran_synced\n    freshness:\n      warn_after: {count: 48, period: hour}\n      error_after: {count: 168, period: hour}\n    tables:\n      - name: ad_stats\n",
    source: "dbt `freshness` reference (docs.getdbt.com/reference/resource-properties/freshness); fivetran/dbt_google_ads_source",
};

static AD_PLATFORM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(google|facebook|fb|meta|instagram|bing|microsoft|linkedin|tiktok|pinterest|snapchat|reddit|amazon|apple_search|twitter)_?ads|adwords|facebook_marketing|google_ads|search_ads_360|dv360|campaign_manager")
        .expect("valid regex")
});

pub struct MissingFreshness;

impl Rule for MissingFreshness {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        for source in dbt::sources(Files::of(cx)) {
            if is_ad_platform(&source) {
                check_source(&source, out);
            }
        }
    }
}

fn is_ad_platform(s: &Source) -> bool {
    let loader = dbt::setting(s.node, "loader")
        .and_then(Node::str)
        .unwrap_or("");
    [s.name.as_str(), s.schema.as_str(), loader]
        .iter()
        .any(|v| AD_PLATFORM.is_match(v))
}

/// Whether `node` declares a freshness with a threshold; `Some(false)` for an explicit
/// `freshness: null` (opted out), `None` when it says nothing.
fn freshness(node: &Node) -> Option<bool> {
    let f = dbt::setting(node, "freshness")?;
    match f {
        Node::Scalar { text, .. } if text.is_empty() || text == "null" || text == "~" => {
            Some(false)
        }
        _ => Some(f.get("warn_after").is_some() || f.get("error_after").is_some()),
    }
}

fn check_source(s: &Source, out: &mut Vec<Finding>) {
    let src_fresh = freshness(s.node);
    let src_loaded = dbt::setting(s.node, "loaded_at_field").is_some();
    let table_fresh = |t: &Table| freshness(t.node).or(src_fresh);
    let table_loaded = |t: &Table| src_loaded || dbt::setting(t.node, "loaded_at_field").is_some();
    // No table has freshness: one finding at the source, where it is best declared.
    if s.tables.is_empty() || s.tables.iter().all(|t| table_fresh(t).is_none()) {
        let msg = format!(
            "ad-platform source `{}` declares no freshness: `dbt source freshness` cannot tell when its loads stop",
            s.name
        );
        out.push(
            s.file
                .finding(&META, s.name_span, msg)
                .hint("add `loaded_at_field` and `freshness: {warn_after: {count: 24, period: hour}, error_after: {count: 48, period: hour}}` to the source"),
        );
        return;
    }
    for t in &s.tables {
        let msg = match (table_fresh(t), table_loaded(t)) {
            (None, _) => format!("table `{}.{}` has no freshness", s.name, t.name),
            (Some(true), false) => format!(
                "table `{}.{}` has a freshness but no `loaded_at_field`, so dbt cannot check it",
                s.name, t.name
            ),
            (Some(false), _) => continue,
            (Some(true), true) => continue,
        };
        out.push(
            s.file
                .finding(&META, t.name_span, msg)
                .hint("declare `freshness` (warn_after/error_after) and `loaded_at_field` on the source or the table"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::rules::connectors::fixture;

    #[test]
    fn ad_sources_without_freshness_or_loaded_at_field_are_reported() {
        assert_eq!(
            fixture::check("missing_freshness/bad", "CON-005"),
            vec![
                ("models/src_facebook_ads.yml:9:15".to_string(), "table `facebook_ads.ads_insights` has a freshness but no `loaded_at_field`, so dbt cannot check it".to_string()),
                ("models/src_google_ads.yml:3:11".to_string(), "ad-platform source `google_ads` declares no freshness: `dbt source freshness` cannot tell when its loads stop".to_string()),
            ]
        );
    }

    #[test]
    fn inherited_freshness_opt_outs_and_other_sources_are_not_reported() {
        assert_eq!(fixture::check("missing_freshness/good", "CON-005"), vec![]);
    }
}
