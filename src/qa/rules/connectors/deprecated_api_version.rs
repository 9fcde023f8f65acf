//! CON-001 deprecated-api-version: a Google Ads API or Meta Graph/Marketing API version
//! pinned in a config or script that is past its sunset (every request fails) or within
//! `warn_days` of it, judged against the version table (`src/qa/data/api_versions.toml`,
//! or the repository's `.sitewide/api_versions.toml`). Versions the table does not list
//! (newer ones) and versions without an announced sunset are not reported.

use std::sync::LazyLock;

use regex::Regex;

use super::files::{File, Files, Kind};
use crate::qa::data::api_versions::{ApiVersion, ApiVersions};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{Rule, SiteCx};
use crate::qa::source::Span;

static META: RuleMeta = RuleMeta {
    id: "CON-001",
    name: "deprecated-api-version",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "A pinned Google Ads or Meta API version past its sunset, or within 90 days of it",
    why: "Every request to a Google Ads API version fails from its sunset day, and Meta stops serving an expired Graph API version: the connector stops loading and the dashboards go stale without an error anyone sees.",
    bad: "==> scripts/pull_google_ads.py <==\nfrom google.ads.googleads.client import GoogleAdsClient\n\nclient = GoogleAdsClient.load_from_storage(\"google-ads.yaml\", version=\"v19\")\n",
    good: "==> scripts/pull_google_ads.py <==\nfrom google.ads.googleads.client import GoogleAdsClient\n\nclient = GoogleAdsClient.load_from_storage(\"google-ads.yaml\", version=\"v23\")\n",
    source: "Google Ads API sunset dates (developers.google.com/google-ads/api/docs/sunset-dates); Meta Graph API versions (developers.facebook.com/docs/graph-api/changelog/versions)",
};

/// Google Ads versions named by the API itself: REST paths and gRPC package names.
static GOOGLE_PINNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"googleads\.googleapis\.com/(v\d+)\b|google\.ads\.googleads\.(v\d+)\b|googleads/(v\d+)/",
    )
    .expect("valid regex")
});
/// Meta versions in Graph API URLs.
static META_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"graph(?:-video)?\.facebook\.com/(v\d+\.\d+)\b").expect("valid regex")
});
/// A version setting: `version="v19"`, `api_version: v20.0`, `"apiVersion": "v21"`.
static SETTING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:api_?version|version)["']?\s*[:=]\s*["']?(v\d+(?:\.\d+)?)\b"#)
        .expect("valid regex")
});

const GOOGLE_WORDS: &[&str] = &["googleads", "google_ads", "google-ads", "google ads"];
const META_WORDS: &[&str] = &[
    "facebook",
    "graph.facebook.com",
    "facebook_business",
    "meta_ads",
];

pub struct DeprecatedApiVersion;

impl Rule for DeprecatedApiVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        let table = match ApiVersions::load(cx.tree) {
            Ok(t) => t,
            Err(e) => {
                out.push(table_error(cx, &e));
                return;
            }
        };
        let kinds = [Kind::Config, Kind::ConfigText, Kind::Script, Kind::Sql];
        for file in Files::of(cx).of_kind(&kinds) {
            for (api, version, span) in pinned_versions(file) {
                let entry = match api {
                    Api::GoogleAds => table.google_ads(&version),
                    Api::Meta => table.meta(&version),
                };
                if let Some(f) = entry.and_then(|e| judge(file, api, e, span, &table, cx)) {
                    out.push(f);
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    GoogleAds,
    Meta,
}

impl Api {
    fn name(self) -> &'static str {
        match self {
            Api::GoogleAds => "Google Ads API",
            Api::Meta => "Meta Graph API",
        }
    }

    /// What the platform calls the end of a version: Google "sunsets", Meta "expires".
    fn ends(self, past: bool) -> &'static str {
        match (self, past) {
            (Api::GoogleAds, true) => "was sunset",
            (Api::GoogleAds, false) => "is sunset",
            (Api::Meta, true) => "expired",
            (Api::Meta, false) => "expires",
        }
    }
}

/// Every API version the file pins, with the API it belongs to, in file order.
pub(super) fn pinned_versions(file: &File) -> Vec<(Api, String, Span)> {
    let mut found: Vec<(Api, String, Span)> = Vec::new();
    let text = &file.text;
    for c in GOOGLE_PINNED.captures_iter(text) {
        if let Some(m) = c.iter().skip(1).flatten().next() {
            found.push((
                Api::GoogleAds,
                m.as_str().to_string(),
                Span::new(m.start(), m.end()),
            ));
        }
    }
    for c in META_URL.captures_iter(text) {
        if let Some(m) = c.get(1) {
            found.push((
                Api::Meta,
                m.as_str().to_string(),
                Span::new(m.start(), m.end()),
            ));
        }
    }
    let google = file.mentions(GOOGLE_WORDS);
    let meta = file.mentions(META_WORDS);
    for c in SETTING.captures_iter(text) {
        let Some(m) = c.get(1) else { continue };
        let span = Span::new(m.start(), m.end());
        if found.iter().any(|(_, _, s)| s.overlaps(span)) {
            continue;
        }
        // `v20.0` is Meta's form; `v19` Google's. The file must be about that platform.
        let api = match (m.as_str().contains('.'), google, meta) {
            (true, _, true) => Api::Meta,
            (false, true, _) => Api::GoogleAds,
            _ => continue,
        };
        found.push((api, m.as_str().to_string(), span));
    }
    found.sort_by_key(|(_, _, s)| s.start);
    found
}

fn judge(
    file: &File,
    api: Api,
    entry: &ApiVersion,
    span: Span,
    table: &ApiVersions,
    cx: &SiteCx,
) -> Option<Finding> {
    let sunset = entry.sunset?;
    let days = (sunset - cx.settings.today).num_days();
    let newest = newest_supported(api, table, cx);
    let hint = match newest {
        Some(v) => {
            format!("upgrade to {v} (the newest version in the table), then test the queries")
        }
        None => "upgrade to a supported version, then test the queries".to_string(),
    };
    let name = api.name();
    let v = &entry.version;
    if days <= 0 {
        let ago = -days;
        let msg = format!(
            "{name} {v} {} on {sunset} ({ago} day{} ago): every request to it fails",
            api.ends(true),
            if ago == 1 { "" } else { "s" }
        );
        Some(file.finding(&META, span, msg).hint(hint))
    } else if days <= table.warn_days {
        let msg = format!(
            "{name} {v} {} on {sunset}, in {days} day{}",
            api.ends(false),
            if days == 1 { "" } else { "s" }
        );
        Some(
            file.finding(&META, span, msg)
                .advisory(Severity::Warning)
                .hint(hint),
        )
    } else {
        None
    }
}

/// The newest version of `api` in the table that is not within the warning window.
fn newest_supported(api: Api, table: &ApiVersions, cx: &SiteCx) -> Option<String> {
    let list = match api {
        Api::GoogleAds => &table.google_ads,
        Api::Meta => &table.meta,
    };
    list.iter()
        .filter(|e| {
            e.sunset
                .is_none_or(|s| (s - cx.settings.today).num_days() > table.warn_days)
        })
        .max_by_key(|e| version_key(&e.version))
        .map(|e| e.version.clone())
}

fn version_key(v: &str) -> (u32, u32) {
    let v = v.trim_start_matches('v');
    let (a, b) = v.split_once('.').unwrap_or((v, "0"));
    (a.parse().unwrap_or(0), b.parse().unwrap_or(0))
}

/// A repository's own table that does not read: reported at the file.
fn table_error(cx: &SiteCx, e: &crate::qa::data::api_versions::TableError) -> Finding {
    let text = cx.tree.read_string(&e.file).unwrap_or_default();
    let file = File::new(&e.file, text);
    let span = e
        .span
        .clone()
        .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
    file.finding(
        &META,
        span,
        format!("the API version table cannot be read: {}", e.message),
    )
    .hint("fix the file, or delete it to use the table shipped with Sitewide")
}

#[cfg(test)]
#[path = "deprecated_api_version_tests.rs"]
mod tests;
