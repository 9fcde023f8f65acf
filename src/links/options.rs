//! What an external link check may do: the limits, retries and ignore list of
//! `[links.external]`, and which URLs are never requested (ignored, local, not http).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::config::ExternalLinksConfig;

/// The settings of one external link check.
#[derive(Debug, Clone)]
pub struct Options {
    pub per_host: usize,
    pub concurrency: usize,
    pub timeout: Duration,
    pub retries: u32,
    pub max_redirects: usize,
    /// How long a working link's cached outcome is reused.
    pub cache_ok: chrono::Duration,
    /// How long a broken link's cached outcome is reused.
    pub cache_broken: chrono::Duration,
    pub check_local_hosts: bool,
    ignore: Vec<Ignore>,
    /// The first retry's wait; each further one waits twice as long.
    pub backoff: Duration,
    /// The longest `Retry-After` honoured; a longer one ends the retries.
    pub retry_after_cap: Duration,
    /// Host names answered from here instead of DNS (as `curl --resolve`): tests point a
    /// rule's example host at their loopback server.
    pub resolve: Vec<(String, SocketAddr)>,
}

#[derive(Debug, Clone)]
enum Ignore {
    Glob(globset::GlobMatcher),
    Prefix(String),
    Host(String),
}

impl Options {
    /// The options `[links.external]` sets.
    pub fn from_config(c: &ExternalLinksConfig) -> Options {
        Options {
            per_host: (*c.per_host.get_ref()).max(1),
            concurrency: (*c.concurrency.get_ref()).max(1),
            timeout: Duration::from_secs((*c.timeout_s.get_ref()).max(1)),
            retries: c.retries,
            max_redirects: c.max_redirects,
            cache_ok: chrono::Duration::hours(c.cache_ok_hours as i64),
            cache_broken: chrono::Duration::hours(c.cache_broken_hours as i64),
            check_local_hosts: c.check_local_hosts,
            ignore: c.ignore.iter().filter_map(|e| Ignore::new(e)).collect(),
            backoff: Duration::from_secs(1),
            retry_after_cap: Duration::from_secs(30),
            resolve: Vec::new(),
        }
    }

    /// Why `url` is not requested, if it is not: not http(s), ignored, or a local host.
    pub fn skip_reason(&self, url: &reqwest::Url) -> Option<&'static str> {
        if !matches!(url.scheme(), "http" | "https") {
            return Some("not an http(s) URL");
        }
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        if self.ignore.iter().any(|i| i.matches(url.as_str(), &host)) {
            return Some("ignored by [links.external] ignore");
        }
        if !self.check_local_hosts && is_local(url) {
            return Some("a local host (set [links.external] check_local_hosts to check it)");
        }
        None
    }
}

impl Ignore {
    /// `*` makes a glob over the whole URL, `://` a URL prefix, anything else a host.
    fn new(entry: &str) -> Option<Ignore> {
        let entry = entry.trim();
        if entry.is_empty() {
            return None;
        }
        if entry.contains('*') {
            let glob = globset::GlobBuilder::new(entry)
                .literal_separator(false)
                .build()
                .ok()?;
            return Some(Ignore::Glob(glob.compile_matcher()));
        }
        if entry.contains("://") {
            return Some(Ignore::Prefix(entry.to_string()));
        }
        Some(Ignore::Host(entry.trim_matches('/').to_ascii_lowercase()))
    }

    fn matches(&self, url: &str, host: &str) -> bool {
        match self {
            Ignore::Glob(g) => g.is_match(url),
            Ignore::Prefix(p) => url.starts_with(p.as_str()),
            Ignore::Host(h) => host == h || host.ends_with(&format!(".{h}")),
        }
    }
}

/// `localhost`, `*.localhost`, `*.local`, and loopback, private, link-local or
/// unspecified addresses.
pub(super) fn is_local(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost") || d.ends_with(".local")
        }
        Some(url::Host::Ipv4(ip)) => local_ip(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => local_ip(IpAddr::V6(ip)),
        None => true,
    }
}

pub(super) fn local_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(ignore: &[&str]) -> Options {
        let config = ExternalLinksConfig {
            ignore: ignore.iter().map(|s| s.to_string()).collect(),
            ..ExternalLinksConfig::default()
        };
        Options::from_config(&config)
    }

    fn skip(o: &Options, url: &str) -> Option<&'static str> {
        o.skip_reason(&reqwest::Url::parse(url).unwrap())
    }

    #[test]
    fn ignore_entries_are_globs_prefixes_or_hosts_with_their_subdomains() {
        let o = options(&[
            "https://*.example.org/private/*",
            "https://twitter.com/",
            "linkedin.com",
        ]);
        assert!(skip(&o, "https://a.example.org/private/x").is_some());
        assert!(skip(&o, "https://a.example.org/public/x").is_none());
        assert!(skip(&o, "https://twitter.com/acme").is_some());
        assert!(skip(&o, "https://www.linkedin.com/company/acme").is_some());
        assert!(skip(&o, "https://notlinkedin.com/").is_none());
    }

    #[test]
    fn local_hosts_are_skipped_unless_the_config_asks_for_them() {
        let mut o = options(&[]);
        for url in [
            "http://localhost:8080/",
            "http://127.0.0.1/",
            "http://10.0.0.5/",
            "http://[::1]/",
            "http://printer.local/",
        ] {
            assert!(skip(&o, url).is_some(), "{url}");
        }
        assert!(skip(&o, "https://www.example.org/").is_none());
        o.check_local_hosts = true;
        assert!(skip(&o, "http://127.0.0.1/").is_none());
    }
}
