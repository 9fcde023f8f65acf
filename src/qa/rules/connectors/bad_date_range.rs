//! CON-004 bad-date-range: the date settings of a connector config (Airbyte, Meltano and
//! the like, in YAML or JSON): `start_date`/`end_date` must be ISO dates (`YYYY-MM-DD`, or
//! an RFC 3339 time), the start not after the end and not in the future; a Meta (Facebook
//! Marketing) start no older than the 37 months of history the Insights API keeps; Google
//! Ads `conversion_window_days` within 0–1095 and Meta `insights_lookback_window` within
//! 1–28 days. Empty values and placeholders (`${START}`) are not judged.
//!
//! Limits: time zones are not checked (the connectors' specs define the zone of a bare
//! date), nor Google Ads history limits, which depend on the report.

use chrono::NaiveDate;

use super::files::{File, Files, Kind};
use super::is_placeholder;
use super::node::Node;
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{Rule, SiteCx};

static META: RuleMeta = RuleMeta {
    id: "CON-004",
    name: "bad-date-range",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "A connector date range that is not ISO, ends before it starts, starts in the future, or exceeds the platform's history or window limits",
    why: "Connectors reject or silently clamp a bad range: the sync fails, or the dashboard starts at a different day than the report says, and conversions outside the window never arrive.",
    bad: "==> connectors/google-ads.yaml <==\nsourceDefinition: google-ads\nconfiguration:\n  start_date: \"2025-06-01\"\n  end_date: \"2025-01-31\"\n",
    good: "==> connectors/google-ads.yaml <==\nsourceDefinition: google-ads\nconfiguration:\n  start_date: \"2025-01-01\"\n  end_date: \"2025-06-30\"\n",
    source: "Airbyte Google Ads and Facebook Marketing source specs (Pulumi Airbyte provider: SourceGoogleAds, SourceFacebookMarketing)",
};

const START: &[&str] = &["start_date", "startDate"];
const END: &[&str] = &["end_date", "endDate"];
/// Meta's Insights API returns at most 37 months of history.
const META_HISTORY_MONTHS: u32 = 37;

pub struct BadDateRange;

impl Rule for BadDateRange {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        for file in Files::of(cx).of_kind(&[Kind::Config]) {
            let Some(tree) = &file.tree else { continue };
            if tree.get("sources").is_some() {
                continue; // dbt properties, not a connector
            }
            let meta = file.mentions(&["facebook", "meta-insights", "meta_ads", "instagram"]);
            tree.maps(&mut |map| check_map(file, map, meta, cx.settings.today, out));
        }
    }
}

fn first<'a>(map: &'a Node, keys: &[&'a str]) -> Option<(&'a str, &'a Node)> {
    keys.iter()
        .find_map(|k| map.get(k).map(|n| (*k, n)))
        .filter(|(_, n)| n.str().is_some_and(|s| !is_placeholder(s)))
}

fn check_map(file: &File, map: &Node, meta: bool, today: NaiveDate, out: &mut Vec<Finding>) {
    let start = first(map, START).and_then(|(k, n)| dated(file, k, n, out).map(|d| (d, n)));
    let end = first(map, END).and_then(|(k, n)| dated(file, k, n, out).map(|d| (d, n)));
    if let Some((s, node)) = start {
        if s > today {
            out.push(file.finding(
                &META,
                node.span(),
                format!("start_date {s} is in the future"),
            ));
        }
        let oldest = today
            .checked_sub_months(chrono::Months::new(META_HISTORY_MONTHS))
            .unwrap_or(today);
        if meta && s < oldest {
            let msg = format!(
                "start_date {s} is older than the {META_HISTORY_MONTHS} months Meta's Insights API keeps (nothing before {oldest} is returned)"
            );
            out.push(file.finding(&META, node.span(), msg));
        }
    }
    if let (Some((s, _)), Some((e, node))) = (start, end)
        && s > e
    {
        let msg = format!("end_date {e} is before start_date {s}");
        out.push(file.finding(&META, node.span(), msg));
    }
    window(file, map, "conversion_window_days", 0, 1095, out);
    if meta {
        window(file, map, "insights_lookback_window", 1, 28, out);
    }
}

/// The date a setting holds; a finding when it is not ISO.
fn dated(file: &File, key: &str, node: &Node, out: &mut Vec<Finding>) -> Option<NaiveDate> {
    let v = node.str()?;
    let parsed = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            chrono::DateTime::parse_from_rfc3339(v)
                .ok()
                .map(|d| d.date_naive())
        })
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|d| d.date())
        });
    if parsed.is_none() {
        let msg = format!("{key} `{v}` is not an ISO date (write YYYY-MM-DD)");
        out.push(file.finding(&META, node.span(), msg));
    }
    parsed
}

fn window(file: &File, map: &Node, key: &str, min: i64, max: i64, out: &mut Vec<Finding>) {
    let Some(node) = map.get(key) else { return };
    let Some(n) = node.str().and_then(|s| s.parse::<i64>().ok()) else {
        return;
    };
    if n < min || n > max {
        let msg = format!("{key} is {n}; the platform allows {min} to {max} days");
        out.push(file.finding(&META, node.span(), msg));
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::rules::connectors::fixture;

    #[test]
    fn bad_formats_reversed_ranges_future_starts_and_windows_are_reported() {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            fixture::check("bad_date_range/bad", "CON-004"),
            vec![
                s(
                    "connectors/facebook.json:4:20",
                    "start_date 2021-01-01 is older than the 37 months Meta's Insights API keeps (nothing before 2023-10-27 is returned)"
                ),
                s(
                    "connectors/facebook.json:5:33",
                    "insights_lookback_window is 90; the platform allows 1 to 28 days"
                ),
                s(
                    "connectors/google-ads.yaml:3:16",
                    "start_date `01/15/2025` is not an ISO date (write YYYY-MM-DD)"
                ),
                s(
                    "connectors/google-ads.yaml:4:27",
                    "conversion_window_days is 1200; the platform allows 0 to 1095 days"
                ),
                s("meltano.yml:8:21", "start_date 2027-03-01 is in the future"),
                s(
                    "meltano.yml:9:19",
                    "end_date 2026-01-01 is before start_date 2027-03-01"
                ),
            ]
        );
    }

    #[test]
    fn iso_ranges_placeholders_and_empty_ends_are_not_reported() {
        assert_eq!(fixture::check("bad_date_range/good", "CON-004"), vec![]);
    }
}
