//! A site's conventions, read from the `sitewide.toml` at the root of the audited
//! repository: the UTM taxonomy, the tracking plan's path, rule severities and ignores.
//! Only conventions live here, never model providers or keys (those are the service's own).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::qa::source::LineIndex;
use crate::qa::tree::{Kind, Tree};

/// The file name looked for at the root of a checked tree.
pub const FILE_NAME: &str = "sitewide.toml";

/// The commented starter that `sitewide init` writes; also the example configuration the
/// rule documentation is checked against.
pub const STARTER: &str = include_str!("../sitewide.example.toml");

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's public origin (`https://www.example.com`): its host is internal, and
    /// absolute links to it are checked like root-relative ones.
    pub site_url: Option<String>,
    /// Path of the tracking plan, relative to the root.
    pub tracking_plan: Option<Spanned<String>>,
    /// Extra globs (relative to the root) that are not checked.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub utm: UtmTaxonomy,
    #[serde(default)]
    pub seo: SeoConfig,
    #[serde(default)]
    pub links: LinksConfig,
    #[serde(default)]
    pub tagging: TaggingConfig,
    #[serde(default)]
    pub legal: LegalConfig,
    /// Severity per rule id or id glob (`"UTM-*"`): `error`, `warning`, `info` or `off`.
    #[serde(default)]
    pub rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    pub ignore: Vec<IgnoreEntry>,
    /// The file this was read from, and its text, for error positions.
    #[serde(skip)]
    pub origin: Option<(PathBuf, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Case {
    Lower,
    Upper,
    Any,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UtmTaxonomy {
    #[serde(default = "default_case")]
    pub case: Case,
    /// The one word separator values use: `"-"`, `"_"`, or `"any"`.
    #[serde(default = "default_separator")]
    pub separator: Spanned<String>,
    /// Hosts of this organisation: links to them must not carry UTMs (UTM-008).
    #[serde(default)]
    pub internal_hosts: Vec<String>,
    /// Internal hosts treated as external, whose links may carry UTMs (UTM-008a).
    #[serde(default)]
    pub utm_exempt_hosts: Vec<String>,
    /// `utm_medium` value → GA4 default channel (UTM-009).
    #[serde(default = "default_mediums")]
    pub mediums: BTreeMap<String, Spanned<String>>,
    #[serde(default = "default_medium_aliases")]
    pub medium_aliases: BTreeMap<String, String>,
    /// Allowed `utm_source` values; empty means any (UTM-010 then only maps aliases).
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default = "default_source_aliases")]
    pub source_aliases: BTreeMap<String, String>,
    /// A regular expression every literal `utm_campaign` must match (UTM-011).
    pub campaign_pattern: Option<Spanned<String>>,
    /// `campaign_pattern`, compiled once when the file is read.
    #[serde(skip)]
    pub campaign_regex: Option<regex::Regex>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeoConfig {
    #[serde(default = "default_title_len")]
    pub title_length: [usize; 2],
    #[serde(default = "default_description_len")]
    pub description_length: [usize; 2],
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinksConfig {
    /// URL prefixes (`/admin/`, `/api/`) that LNK-001 never reports: routes served by
    /// something other than the site's files.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// `[links.external]`: how LNK-004 checks external links when it is enabled
    /// (`--external-links`, or `[qa] external_links` in an audit job spec).
    #[serde(default)]
    pub external: ExternalLinksConfig,
}

/// `[links.external]`: limits, retries, the ignore list and the cache of LNK-004's checks
/// (docs/external-links.md). Nothing here turns checking on: only the user's flag or job
/// spec does.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalLinksConfig {
    /// URLs never requested: a glob with `*` (`https://*.example.org/*`), a URL prefix
    /// (`https://twitter.com/`), or a bare host (`linkedin.com`, its subdomains too).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Requests in flight to one host at most.
    #[serde(default = "default_per_host")]
    pub per_host: Spanned<usize>,
    /// Requests in flight in all at most.
    #[serde(default = "default_concurrency")]
    pub concurrency: Spanned<usize>,
    /// Seconds one request may take.
    #[serde(default = "default_timeout_s")]
    pub timeout_s: Spanned<u64>,
    /// Further tries after a timeout, a connection error, a 5xx or a 429.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Redirects followed at most; more counts as broken.
    #[serde(default = "default_max_redirects")]
    pub max_redirects: usize,
    /// Hours a working link's result is reused from the cache.
    #[serde(default = "default_cache_ok_hours")]
    pub cache_ok_hours: u64,
    /// Hours a broken link's result is reused from the cache.
    #[serde(default = "default_cache_broken_hours")]
    pub cache_broken_hours: u64,
    /// Also check links to loopback, private-network and `localhost` hosts (skipped by
    /// default: they only answer on the author's machine).
    #[serde(default)]
    pub check_local_hosts: bool,
}

impl Default for ExternalLinksConfig {
    fn default() -> Self {
        ExternalLinksConfig {
            ignore: Vec::new(),
            per_host: default_per_host(),
            concurrency: default_concurrency(),
            timeout_s: default_timeout_s(),
            retries: default_retries(),
            max_redirects: default_max_redirects(),
            cache_ok_hours: default_cache_ok_hours(),
            cache_broken_hours: default_cache_broken_hours(),
            check_local_hosts: false,
        }
    }
}

fn default_per_host() -> Spanned<usize> {
    Spanned::new(0..0, 2)
}
fn default_concurrency() -> Spanned<usize> {
    Spanned::new(0..0, 16)
}
fn default_timeout_s() -> Spanned<u64> {
    Spanned::new(0..0, 15)
}
fn default_retries() -> u32 {
    2
}
fn default_max_redirects() -> usize {
    10
}
fn default_cache_ok_hours() -> u64 {
    24
}
fn default_cache_broken_hours() -> u64 {
    1
}

/// `[tagging]`: how the site names its measurement ids (TAG-013) and which third-party
/// script hosts its cookie policy lists (TAG-015).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaggingConfig {
    /// Ids (`G-…`, `GTM-…`, pixel ids) of the production properties.
    #[serde(default)]
    pub production_ids: Vec<String>,
    /// Ids of staging, QA or development properties: never in production layouts.
    #[serde(default)]
    pub staging_ids: Vec<String>,
    /// Hosts of the third-party scripts the cookie policy names (`js.hs-scripts.com`);
    /// when set, a script from a host not listed (nor the site's own) is flagged.
    #[serde(default)]
    pub vendors: Vec<String>,
}

/// `[legal]`: LEG-002's CCPA/CPRA part.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalConfig {
    /// The business sells or shares personal data under CCPA/CPRA: every page needs a
    /// "Do Not Sell or Share My Personal Information" or "Your Privacy Choices" link.
    #[serde(default)]
    pub ccpa: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    /// Rule ids or id globs; all rules when absent.
    #[serde(default)]
    pub rules: Vec<Spanned<String>>,
    /// Path globs relative to the root; every file when absent.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
}

fn default_case() -> Case {
    Case::Lower
}
fn default_separator() -> Spanned<String> {
    Spanned::new(0..0, "any".to_string())
}
fn default_title_len() -> [usize; 2] {
    [10, 70]
}
fn default_description_len() -> [usize; 2] {
    [50, 160]
}

fn pairs(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The channels of GA4's default channel group (Google Analytics Help 9756891).
pub const GA4_CHANNELS: &[&str] = &[
    "Affiliates",
    "Audio",
    "Cross-network",
    "Direct",
    "Display",
    "Email",
    "Mobile Push Notifications",
    "Organic Search",
    "Organic Shopping",
    "Organic Social",
    "Organic Video",
    "Paid Other",
    "Paid Search",
    "Paid Shopping",
    "Paid Social",
    "Paid Video",
    "Referral",
    "SMS",
    "Unassigned",
];

/// GA4's default channel group, as the mediums it matches exactly: shipped as data
/// (`src/qa/data/channels.toml`); `[utm.mediums]` in sitewide.toml replaces it.
fn default_mediums() -> BTreeMap<String, Spanned<String>> {
    #[derive(Deserialize)]
    struct Channels {
        mediums: BTreeMap<String, String>,
    }
    let shipped: Channels = toml::from_str(crate::qa::data::CHANNELS)
        .expect("the shipped channels.toml is valid (a test reads it)");
    shipped
        .mediums
        .into_iter()
        .map(|(k, v)| (k, Spanned::new(0..0, v)))
        .collect()
}

fn default_medium_aliases() -> BTreeMap<String, String> {
    pairs(&[
        ("e-mail", "email"),
        ("e_mail", "email"),
        ("newsletter", "email"),
        ("affiliates", "affiliate"),
    ])
}

fn default_source_aliases() -> BTreeMap<String, String> {
    pairs(&[
        ("fb", "facebook"),
        ("facebook.com", "facebook"),
        ("m.facebook.com", "facebook"),
        ("ig", "instagram"),
        ("instagram.com", "instagram"),
        ("li", "linkedin"),
        ("linkedin.com", "linkedin"),
        ("lnkd.in", "linkedin"),
        ("twitter.com", "twitter"),
        ("t.co", "twitter"),
        ("google.com", "google"),
        ("bing.com", "bing"),
        ("youtube.com", "youtube"),
    ])
}

impl Default for UtmTaxonomy {
    fn default() -> Self {
        UtmTaxonomy {
            case: default_case(),
            separator: default_separator(),
            internal_hosts: Vec::new(),
            utm_exempt_hosts: Vec::new(),
            mediums: default_mediums(),
            medium_aliases: default_medium_aliases(),
            sources: Vec::new(),
            source_aliases: default_source_aliases(),
            campaign_pattern: None,
            campaign_regex: None,
        }
    }
}

impl Default for SeoConfig {
    fn default() -> Self {
        SeoConfig {
            title_length: default_title_len(),
            description_length: default_description_len(),
        }
    }
}

/// The value of the environment variable `name` that holds a secret (a token), when it is
/// set and not empty. Only the variable's name is ever stored or shown.
pub fn secret(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Where Sitewide keeps its database and its own git repositories: `--data-dir`, else
/// `SITEWIDE_DATA_DIR`, else the platform's data directory (`$XDG_DATA_HOME/sitewide`,
/// `~/.local/share/sitewide`). The path is made absolute: git runs in the workspaces'
/// own folders, and paths under the data directory are stored and handed to it.
pub fn data_dir(flag: Option<&Path>) -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = flag
        .map(Path::to_path_buf)
        .or_else(|| env("SITEWIDE_DATA_DIR"))
        .or_else(|| env("XDG_DATA_HOME").map(|d| d.join("sitewide")))
        .or_else(|| env("HOME").map(|h| h.join(".local/share/sitewide")))
        .unwrap_or_else(|| PathBuf::from(".sitewide"));
    std::path::absolute(&dir).unwrap_or(dir)
}

/// The PostgreSQL server `DATABASE_URL` names (`postgres://` or `postgresql://`), when it
/// names one: Sitewide's tables and its run queue then live there instead of the data
/// directory's SQLite file. Any other value is left to whatever else reads it.
pub fn database_url() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .map(|u| u.trim().to_string())
        .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
}

/// A `sitewide.toml` that cannot be used, with where and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        hint: Option<String>,
        /// The offending source line, for a code frame.
        excerpt: String,
    },
}

impl ConfigError {
    /// An error at byte `offset` of a config file's `text`.
    pub fn at(
        path: &Path,
        text: &str,
        offset: usize,
        message: String,
        hint: Option<String>,
    ) -> Self {
        let lines = LineIndex::new(text);
        let at = lines.line_col(text, offset);
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line: at.line,
            column: at.column,
            message,
            hint,
            excerpt: lines.line_text(text, at.line).to_string(),
        }
    }

    pub fn hint(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { hint, .. } => hint.as_deref(),
            ConfigError::Read { .. } => None,
        }
    }
}

impl SiteConfig {
    /// Reads `sitewide.toml` at the root of `tree`, or the embedded defaults when there is
    /// none.
    pub fn load(tree: &dyn Tree) -> Result<SiteConfig, ConfigError> {
        let path = tree.root().join(FILE_NAME);
        let text = tree.read(FILE_NAME).and_then(|bytes| {
            String::from_utf8(bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        });
        match text {
            Ok(text) => {
                let cfg = SiteConfig::parse(&path, &text)?;
                if let Some(plan) = &cfg.tracking_plan
                    && tree.kind(plan.get_ref()) != Some(Kind::File)
                {
                    return Err(cfg.error_at(
                        plan.span(),
                        format!(
                            "tracking_plan {:?} is not a file of this repository",
                            plan.get_ref()
                        ),
                        Some(
                            "the path is relative to sitewide.toml; fix it or remove the key"
                                .into(),
                        ),
                    ));
                }
                Ok(cfg)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SiteConfig::default()),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    pub fn parse(path: &Path, text: &str) -> Result<SiteConfig, ConfigError> {
        let mut cfg: SiteConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let message = e.message().trim().to_string();
            ConfigError::at(
                path,
                text,
                offset,
                message.clone(),
                Some(hint_for(&message)),
            )
        })?;
        cfg.origin = Some((path.to_path_buf(), text.to_string()));
        cfg.validate()?;
        cfg.utm.campaign_regex = cfg
            .utm
            .campaign_pattern
            .as_ref()
            .and_then(|p| regex::Regex::new(p.get_ref()).ok());
        Ok(cfg)
    }

    /// An error at a span of this config's own file.
    pub fn error_at(
        &self,
        span: std::ops::Range<usize>,
        message: String,
        hint: Option<String>,
    ) -> ConfigError {
        match &self.origin {
            Some((path, text)) => ConfigError::at(path, text, span.start, message, hint),
            None => ConfigError::at(Path::new(FILE_NAME), "", 0, message, hint),
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let sep = self.utm.separator.get_ref().as_str();
        if !matches!(sep, "-" | "_" | "any") {
            return Err(self.error_at(
                self.utm.separator.span(),
                format!("unknown separator {sep:?}"),
                Some("write separator = \"-\", \"_\" or \"any\"".into()),
            ));
        }
        if let Some(p) = &self.utm.campaign_pattern
            && let Err(e) = regex::Regex::new(p.get_ref())
        {
            return Err(self.error_at(
                p.span(),
                "campaign_pattern is not a valid regular expression".into(),
                Some(
                    e.to_string()
                        .lines()
                        .last()
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                ),
            ));
        }
        for (key, value) in &self.rules {
            let v = value.get_ref().as_str();
            if !matches!(v, "error" | "warning" | "info" | "off") {
                return Err(self.error_at(
                    value.span(),
                    format!("unknown severity {v:?} for {}", key.get_ref()),
                    Some("use \"error\", \"warning\", \"info\" or \"off\"".into()),
                ));
            }
        }
        for channel in self.utm.mediums.values() {
            let c = channel.get_ref();
            if !GA4_CHANNELS.contains(&c.as_str()) {
                let near = GA4_CHANNELS
                    .iter()
                    .min_by_key(|g| strsim::levenshtein(&c.to_lowercase(), &g.to_lowercase()));
                let hint = near.map_or(String::new(), |n| {
                    format!(
                        "did you mean \"{n}\"? Channels: {}",
                        GA4_CHANNELS.join(", ")
                    )
                });
                return Err(self.error_at(
                    channel.span(),
                    format!("{c:?} is not a GA4 default channel"),
                    Some(hint),
                ));
            }
        }
        let external = &self.links.external;
        for (key, n, span) in [
            (
                "per_host",
                *external.per_host.get_ref() as u64,
                external.per_host.span(),
            ),
            (
                "concurrency",
                *external.concurrency.get_ref() as u64,
                external.concurrency.span(),
            ),
            (
                "timeout_s",
                *external.timeout_s.get_ref(),
                external.timeout_s.span(),
            ),
        ] {
            if n == 0 {
                return Err(self.error_at(
                    span,
                    format!("[links.external] {key} must be at least 1"),
                    Some(format!(
                        "write {key} = 1 or more, or leave it out for the default"
                    )),
                ));
            }
        }
        for glob in self
            .exclude
            .iter()
            .chain(self.ignore.iter().flat_map(|i| &i.paths))
        {
            if let Err(e) = globset::Glob::new(glob.get_ref()) {
                return Err(self.error_at(glob.span(), format!("bad glob: {e}"), None));
            }
        }
        Ok(())
    }

    /// The site's own hosts: `internal_hosts` plus the host of `site_url`.
    pub fn internal_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .utm
            .internal_hosts
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        if let Some(h) = self.site_url.as_deref().and_then(host_of) {
            hosts.push(h);
        }
        hosts.sort();
        hosts.dedup();
        hosts
    }
}

/// The lowercase host of an absolute URL.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url
        .split_once("://")
        .map(|(_, r)| r)
        .or_else(|| url.strip_prefix("//"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// What to do about a TOML or schema error, from serde's message.
fn hint_for(message: &str) -> String {
    const STARTER_HINT: &str = "`sitewide init` writes a commented sitewide.toml with every key";
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let lower = field.to_ascii_lowercase();
        if [
            "provider", "model", "api", "key", "token", "secret", "openai", "endpoint", "base_url",
        ]
        .iter()
        .any(|w| lower.contains(w))
        {
            return "model providers and API keys belong in the service's own config (config.toml or --config), never in a repository".into();
        }
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let near = candidates
            .iter()
            .map(|c| (strsim::levenshtein(field, c), *c))
            .filter(|(d, c)| *d <= 1 || (*d <= 4 && *d * 3 <= c.len()))
            .min();
        return match near {
            Some((_, c)) => format!("did you mean `{c}`?"),
            None => format!("known keys here: {}", candidates.join(", ")),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let expected = rest.split_once("expected ").map_or("", |(_, e)| e);
        return format!(
            "use {}",
            expected.replace("one of ", "one of: ").replace('`', "\"")
        );
    }
    if message.contains("expected a sequence") {
        return "write a list, e.g. `internal_hosts = [\"example.com\"]`; a list of tables is written `[[ignore]]`".into();
    }
    if message.contains("expected a map") || message.contains("expected a table") {
        return "write a table: a `[section]` header or `key = { … }`".into();
    }
    if message.contains("invalid type") {
        return format!("check the value's type; {STARTER_HINT}");
    }
    format!("this is not valid TOML here; {STARTER_HINT}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_data_dir_is_made_absolute() {
        let dir = data_dir(Some(Path::new("rel/data")));
        assert!(dir.is_absolute(), "{}", dir.display());
        assert!(dir.ends_with("rel/data"));
    }

    #[test]
    fn the_starter_file_parses() {
        let cfg = SiteConfig::parse(Path::new("sitewide.toml"), STARTER).unwrap();
        assert!(cfg.utm.mediums.contains_key("email"));
    }

    #[test]
    fn external_link_limits_of_zero_are_refused_at_their_position() {
        let text = "[links.external]\nignore = [\"linkedin.com\"]\nper_host = 0\n";
        let err = SiteConfig::parse(Path::new("sitewide.toml"), text).unwrap_err();
        let ConfigError::Invalid { line, column, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!((*line, *column), (3, 12), "{err}");
        let ok = "[links.external]\ntimeout_s = 5\ncheck_local_hosts = true\n";
        let cfg = SiteConfig::parse(Path::new("sitewide.toml"), ok).unwrap();
        assert_eq!(*cfg.links.external.timeout_s.get_ref(), 5);
        assert_eq!(*cfg.links.external.per_host.get_ref(), 2);
    }

    #[test]
    fn an_unknown_key_names_line_column_and_the_closest_key() {
        let text = "site_url = \"https://a.example\"\n[utm]\ncampain_pattern = 'x'\n";
        let err = SiteConfig::parse(Path::new("sitewide.toml"), text).unwrap_err();
        let ConfigError::Invalid {
            line, column, hint, ..
        } = &err
        else {
            panic!("{err}")
        };
        assert_eq!((*line, *column), (3, 1));
        assert_eq!(hint.as_deref(), Some("did you mean `campaign_pattern`?"));
    }

    #[test]
    fn every_schema_error_has_a_hint() {
        let cases = [
            (
                "[utm]\ncase = \"upper2\"\n",
                "use one of: \"lower\", \"upper\", \"any\"",
            ),
            ("[utm]\ninternal_hosts = \"a.example\"\n", "write a list"),
            ("[ignore]\nrules = [\"X-001\"]\n", "[[ignore]]"),
            ("[utm\n", "not valid TOML"),
            ("provider = \"openai\"\n", "service's own config"),
            ("foo = 1\n", "known keys here"),
            (
                "[utm.mediums]\ncpc = \"Paid Serch\"\n",
                "did you mean \"Paid Search\"?",
            ),
        ];
        for (text, hint) in cases {
            let err = SiteConfig::parse(Path::new("s.toml"), text).unwrap_err();
            let h = err.hint().unwrap_or_default().to_string();
            assert!(h.contains(hint), "{text:?}: {err} / {h}");
        }
    }

    #[test]
    fn a_bad_regex_and_a_bad_severity_point_at_their_values() {
        let err =
            SiteConfig::parse(Path::new("s.toml"), "[utm]\ncampaign_pattern = '(('\n").unwrap_err();
        assert!(err.to_string().starts_with("s.toml:2:20:"), "{err}");
        let err = SiteConfig::parse(Path::new("s.toml"), "[rules]\n\"UTM-001\" = \"loud\"\n")
            .unwrap_err();
        assert!(err.to_string().starts_with("s.toml:2:13:"), "{err}");
    }

    #[test]
    fn hosts_come_from_site_url_and_the_taxonomy() {
        assert_eq!(
            host_of("https://User@WWW.Example.com:443/x"),
            Some("www.example.com".into())
        );
        assert_eq!(host_of("/x"), None);
    }
}
