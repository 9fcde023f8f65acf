//! The ad-platform API version table (CON-001): each Google Ads and Meta Graph/Marketing
//! API version with its release and sunset (expiry) day, and how many days before a sunset
//! to warn. Shipped as `api_versions.toml`; `.sitewide/api_versions.toml` replaces it.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::qa::tree::Tree;

const SHIPPED: &str = include_str!("api_versions.toml");
pub const NAME: &str = "api_versions.toml";

/// One version of one API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersion {
    pub version: String,
    pub release: Option<NaiveDate>,
    /// The first day requests fail (Google Ads "sunset", Meta "expiration date").
    pub sunset: Option<NaiveDate>,
}

/// The table: versions in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersions {
    pub warn_days: i64,
    pub google_ads: Vec<ApiVersion>,
    pub meta: Vec<ApiVersion>,
}

/// A table that cannot be read: where, and what is wrong (the byte span when known).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}: {message}")]
pub struct TableError {
    pub file: String,
    pub message: String,
    pub span: Option<std::ops::Range<usize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default = "default_warn_days")]
    warn_days: i64,
    #[serde(default)]
    google_ads: Vec<RawVersion>,
    #[serde(default)]
    meta: Vec<RawVersion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    version: String,
    release: Option<toml::Spanned<String>>,
    #[serde(alias = "expires")]
    sunset: Option<toml::Spanned<String>>,
}

fn default_warn_days() -> i64 {
    90
}

impl ApiVersions {
    /// The table for `tree`: its override when it has one, else the shipped one.
    pub fn load(tree: &dyn Tree) -> Result<ApiVersions, TableError> {
        let (text, file) = super::text(tree, NAME, SHIPPED);
        ApiVersions::parse(&text, &file)
    }

    pub fn parse(text: &str, file: &str) -> Result<ApiVersions, TableError> {
        let err = |message: String, span| TableError {
            file: file.to_string(),
            message,
            span,
        };
        let raw: Raw = toml::from_str(text).map_err(|e| err(e.message().to_string(), e.span()))?;
        let convert = |list: Vec<RawVersion>| -> Result<Vec<ApiVersion>, TableError> {
            list.into_iter()
                .map(|v| {
                    let day = |d: Option<toml::Spanned<String>>| match d {
                        None => Ok(None),
                        Some(d) => NaiveDate::parse_from_str(d.get_ref(), "%Y-%m-%d")
                            .map(Some)
                            .map_err(|_| {
                                err(
                                    format!("{:?} is not a date (write 2026-02-11)", d.get_ref()),
                                    Some(d.span()),
                                )
                            }),
                    };
                    Ok(ApiVersion {
                        release: day(v.release)?,
                        sunset: day(v.sunset)?,
                        version: v.version,
                    })
                })
                .collect()
        };
        Ok(ApiVersions {
            warn_days: raw.warn_days,
            google_ads: convert(raw.google_ads)?,
            meta: convert(raw.meta)?,
        })
    }

    /// The entry for Google Ads version `v` (`v19`).
    pub fn google_ads(&self, v: &str) -> Option<&ApiVersion> {
        self.google_ads.iter().find(|e| e.version == v)
    }

    /// The entry for Meta version `v` (`v20.0`).
    pub fn meta(&self, v: &str) -> Option<&ApiVersion> {
        self.meta.iter().find(|e| e.version == v)
    }
}

#[cfg(test)]
mod tests {
    use super::ApiVersions;

    #[test]
    fn the_shipped_table_reads_and_has_the_documented_sunsets() {
        let t = ApiVersions::parse(super::SHIPPED, "api_versions.toml").expect("valid");
        assert_eq!(t.warn_days, 90);
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(
            t.google_ads("v19").and_then(|v| v.sunset),
            day("2026-02-11")
        );
        assert_eq!(
            t.google_ads("v21").and_then(|v| v.sunset),
            day("2026-08-05")
        );
        assert_eq!(t.meta("v20.0").and_then(|v| v.sunset), day("2026-09-24"));
        assert_eq!(t.meta("v21.0").and_then(|v| v.sunset), day("2027-01-21"));
    }

    #[test]
    fn a_bad_date_names_the_value() {
        let e = ApiVersions::parse("[[meta]]\nversion = \"v1.0\"\nexpires = \"soon\"\n", "x")
            .expect_err("invalid");
        assert!(e.message.contains("\"soon\""), "{e}");
        assert!(e.span.is_some());
    }
}
