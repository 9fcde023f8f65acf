//! CON-006 unscaled-unit-or-id: units and ids the ad platforms define.
//! - SQL (dbt models, LookML `sql:`): `cost_micros` on a line that also names revenue,
//!   spend, cost or ROAS, without a division by 1e6 (`/ 1e6`, `/ 1000000`, `* 1e-6`).
//!   Judged per line: a scaling done on another line is not seen.
//! - Google Ads customer ids (`customer_id`, `customer_ids`, `login_customer_id`,
//!   `client_customer_id`) written with dashes (`123-456-7890`): the API takes digits only.
//!   Fixed by removing the dashes.
//! - Meta ad account ids without the `act_` prefix in API calls: a Graph API path
//!   (`graph.facebook.com/v21.0/1234567890/insights`) or `AdAccount('1234567890')`.
//!   Airbyte's `account_ids` setting takes bare digits and is not reported.
//!
//! Currency codes and `login_customer_id` for manager accounts are not checked: neither
//! can be told from the files alone.

use std::sync::LazyLock;

use regex::Regex;

use super::files::{File, Files, Kind};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{Rule, SiteCx};
use crate::qa::source::Span;

static META: RuleMeta = RuleMeta {
    id: "CON-006",
    name: "unscaled-unit-or-id",
    severity: Severity::Warning,
    fix: FixKind::Judgement,
    summary: "cost_micros used as money without dividing by 1e6, a Google Ads customer id with dashes, or a Meta ad account id without act_",
    why: "Google Ads reports cost in millionths of the currency: ROAS computed from `cost_micros` is off by a million. The API rejects customer ids with dashes, and Meta's Graph API reads a bare account number as some other object.",
    bad: "==> models/ad_spend.sql <==\nselect date, campaign_id, cost_micros as spend\nfrom {{ source('google_ads', 'campaign_stats') }}\n",
    good: "==> models/ad_spend.sql <==\nselect date, campaign_id, cost_micros / 1e6 as spend\nfrom {{ source('google_ads', 'campaign_stats') }}\n",
    source: "fivetran/dbt_google_ads_source (cost_micros); Google Ads API customer ids; Meta Marketing API ad account ids (act_<ID>)",
};

static MICROS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[\w.]*cost_micros\b").expect("valid regex"));
static SCALED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)cost_micros\W{0,3}\s*(?:/\s*(?:1e6|1000000(?:\.0+)?|1\.0e6|power\(10,\s*6\))|\*\s*(?:1e-6|0\.000001))|(?:/|divide)\s*\(?\s*[\w.]*cost_micros\b|micros_to|to_currency|\{\{[^}]*cost_micros")
        .expect("valid regex")
});
static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:revenue|spend|cost|roas|conversion_value|conversions_value|cpc|cpa|cpm)\b",
    )
    .expect("valid regex")
});
static CUSTOMER_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:login_|client_)?customer_ids?["']?\s*[:=]\s*["']?([0-9][0-9,\s-]*[0-9])"#,
    )
    .expect("valid regex")
});
static DASHED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{3}-\d{3}-\d{4}\b").expect("valid regex"));
static BARE_ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"graph\.facebook\.com/v\d+\.\d+/(\d{6,})/(?:insights|campaigns|adsets|ads|adcreatives|customaudiences)\b|AdAccount\(\s*["'](\d{6,})["']"#)
        .expect("valid regex")
});

pub struct UnscaledUnitOrId;

impl Rule for UnscaledUnitOrId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        for file in &Files::of(cx).files {
            match file.kind {
                Kind::Sql | Kind::LookMl => micros(file, out),
                Kind::Config | Kind::ConfigText | Kind::Script => {}
                Kind::Other => continue,
            }
            customer_ids(file, out);
            if file.kind == Kind::Script || file.kind == Kind::Config {
                bare_accounts(file, out);
            }
        }
    }
}

fn micros(file: &File, out: &mut Vec<Finding>) {
    let mut start = 0;
    for line in file.text.split_inclusive('\n') {
        let code = line.split("--").next().unwrap_or(line);
        if MONEY.is_match(code) && !SCALED.is_match(code) {
            for m in MICROS.find_iter(code) {
                let span = Span::new(start + m.start(), start + m.end());
                out.push(
                    file.finding(
                        &META,
                        span,
                        format!("`{}` is used as money without dividing by 1e6", m.as_str()),
                    )
                    .hint("Google Ads reports cost in micros: write `cost_micros / 1e6`"),
                );
            }
        }
        start += line.len();
    }
}

fn customer_ids(file: &File, out: &mut Vec<Finding>) {
    for c in CUSTOMER_ID.captures_iter(&file.text) {
        let Some(list) = c.get(1) else { continue };
        for m in DASHED.find_iter(list.as_str()) {
            let span = Span::new(list.start() + m.start(), list.start() + m.end());
            let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
            out.push(
                file.finding(
                    &META,
                    span,
                    format!(
                        "Google Ads customer id `{}` has dashes; the API takes digits only",
                        m.as_str()
                    ),
                )
                .hint(format!("write `{digits}`"))
                .fix(span, digits),
            );
        }
    }
}

fn bare_accounts(file: &File, out: &mut Vec<Finding>) {
    for c in BARE_ACCOUNT.captures_iter(&file.text) {
        let Some(m) = c.get(1).or_else(|| c.get(2)) else {
            continue;
        };
        let span = Span::new(m.start(), m.end());
        out.push(
            file.finding(
                &META,
                span,
                format!("Meta ad account id `{}` has no `act_` prefix", m.as_str()),
            )
            .hint(format!("write `act_{}`", m.as_str()))
            .fix(span, format!("act_{}", m.as_str())),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::rules::connectors::fixture;

    #[test]
    fn unscaled_micros_dashed_customer_ids_and_bare_meta_accounts_are_reported() {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            fixture::check("unscaled_unit_or_id/bad", "CON-006"),
            vec![
                s(
                    "connectors/google-ads.yaml:3:17",
                    "Google Ads customer id `123-456-7890` has dashes; the API takes digits only"
                ),
                s(
                    "models/roas.sql:3:9",
                    "`cost_micros` is used as money without dividing by 1e6"
                ),
                s(
                    "scripts/meta_insights.py:4:45",
                    "Meta ad account id `1234567890123456` has no `act_` prefix"
                ),
            ]
        );
    }

    #[test]
    fn scaled_micros_plain_ids_and_act_prefixed_accounts_are_not_reported() {
        assert_eq!(
            fixture::check("unscaled_unit_or_id/good", "CON-006"),
            vec![]
        );
    }
}
