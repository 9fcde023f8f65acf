//! External link checks (LNK-004, docs/external-links.md): the one part of Sitewide that
//! requests other servers, and only when its user turns it on (`--external-links`, or
//! `[qa] external_links` in an audit job spec). Takes the external links a check collected,
//! requests each URL once within per-host and global limits, reuses fresh outcomes from the
//! store's `link_checks` table and saves the new ones, then hands the outcomes to the
//! engine, which decides the findings.

mod options;
mod probe;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Semaphore;

pub use options::Options;

use crate::config::SiteConfig;
use crate::qa::engine::{self, Report, Selection};
use crate::qa::rules::links::external_link::Outcome;
use crate::store::{LinkCheck, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum LinksError {
    #[error("the link check cache: {0}")]
    Store(#[from] StoreError),
    #[error("cannot make the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// What a check of external links did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Distinct URLs found.
    pub urls: usize,
    /// Requested now.
    pub requested: usize,
    /// Answered from the cache.
    pub cached: usize,
    /// Not requested: ignored, local, or not http(s).
    pub skipped: usize,
    pub broken: usize,
}

/// The network phase of a check whose selection has LNK-004: requests the report's
/// external links and adds the findings for the broken ones to it.
pub async fn check_report(
    report: &mut Report,
    config: &SiteConfig,
    selection: &Selection,
    options: &Options,
    store: Option<&Store>,
) -> Result<Summary, LinksError> {
    let urls: BTreeSet<String> = report.external.iter().map(|r| r.url.clone()).collect();
    let urls: Vec<String> = urls.into_iter().collect();
    let (outcomes, summary) = check_urls(&urls, options, store).await?;
    engine::add_external(report, &outcomes, config, selection)?;
    Ok(summary)
}

/// The outcome of each of `urls` that is requested: fresh ones from the cache, the others
/// from the network (then saved to the cache).
pub async fn check_urls(
    urls: &[String],
    options: &Options,
    store: Option<&Store>,
) -> Result<(HashMap<String, Outcome>, Summary), LinksError> {
    let mut summary = Summary {
        urls: urls.len(),
        ..Summary::default()
    };
    let mut to_request: Vec<reqwest::Url> = Vec::new();
    for u in urls {
        match reqwest::Url::parse(u) {
            Ok(parsed) if options.skip_reason(&parsed).is_none() => to_request.push(parsed),
            _ => summary.skipped += 1,
        }
    }
    let mut outcomes = HashMap::new();
    if let Some(store) = store {
        let wanted: Vec<String> = to_request.iter().map(|u| u.to_string()).collect();
        let fresh = fresh(store.link_checks(&wanted).await?, options);
        to_request.retain(|u| !fresh.contains_key(u.as_str()));
        summary.cached = fresh.len();
        outcomes.extend(fresh);
    }
    let requested = request_all(to_request, options).await?;
    summary.requested = requested.len();
    if let Some(store) = store {
        let rows: Vec<LinkCheck> = requested.iter().map(|(u, o)| row(u, o)).collect();
        store.save_link_checks(&rows).await?;
    }
    outcomes.extend(requested);
    // Keyed as written in the pages: a parsed URL may differ (`https://a.org` → `…/`).
    let outcomes: HashMap<String, Outcome> = urls
        .iter()
        .filter_map(|u| {
            let key = reqwest::Url::parse(u).ok()?.to_string();
            outcomes.get(&key).map(|o| (u.clone(), o.clone()))
        })
        .collect();
    summary.broken = outcomes.values().filter(|o| o.is_broken()).count();
    Ok((outcomes, summary))
}

/// Requests every URL once: at most `per_host` at a time to one host and `concurrency`
/// in all.
async fn request_all(
    urls: Vec<reqwest::Url>,
    options: &Options,
) -> Result<HashMap<String, Outcome>, LinksError> {
    if urls.is_empty() {
        return Ok(HashMap::new());
    }
    let client = probe::client(options)?;
    let global = Arc::new(Semaphore::new(options.concurrency));
    let mut hosts: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut tasks = tokio::task::JoinSet::new();
    for url in urls {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let per_host = hosts
            .entry(host)
            .or_insert_with(|| Arc::new(Semaphore::new(options.per_host)))
            .clone();
        let (global, client, options) = (global.clone(), client.clone(), options.clone());
        tasks.spawn(async move {
            // The host's turn first, so a busy host never holds the global slots.
            let _host = per_host.acquire_owned().await;
            let _slot = global.acquire_owned().await;
            let key = url.to_string();
            let outcome = probe::probe(&client, &options, url.as_str()).await;
            (key, outcome)
        });
    }
    let mut out = HashMap::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((url, outcome)) => {
                out.insert(url, outcome);
            }
            Err(e) => tracing::warn!(error = %e, "an external link request task failed"),
        }
    }
    Ok(out)
}

/// The cached outcomes still fresh: working ones for `cache_ok`, broken ones for
/// `cache_broken`.
fn fresh(rows: Vec<LinkCheck>, options: &Options) -> HashMap<String, Outcome> {
    let now = Utc::now();
    rows.into_iter()
        .filter(|r| {
            let ttl = if r.ok {
                options.cache_ok
            } else {
                options.cache_broken
            };
            now - r.checked_at < ttl
        })
        .map(|r| {
            let outcome = outcome(&r);
            (r.url, outcome)
        })
        .collect()
}

fn outcome(r: &LinkCheck) -> Outcome {
    let status = r.status.and_then(|s| u16::try_from(s).ok());
    match (r.ok, status) {
        (true, s) => Outcome::Ok {
            status: s.unwrap_or(200),
            final_url: r.final_url.clone(),
        },
        (false, Some(status)) => Outcome::Status {
            status,
            final_url: r.final_url.clone(),
        },
        (false, None) => Outcome::Failed {
            reason: r.error.clone().unwrap_or_else(|| "no answer".into()),
        },
    }
}

fn row(url: &str, outcome: &Outcome) -> LinkCheck {
    let (ok, status, final_url, error) = match outcome {
        Outcome::Ok { status, final_url } => (true, Some(*status), final_url.clone(), None),
        Outcome::Status { status, final_url } => (false, Some(*status), final_url.clone(), None),
        Outcome::Failed { reason } => (false, None, None, Some(reason.clone())),
    };
    LinkCheck {
        url: url.to_string(),
        checked_at: Utc::now(),
        ok,
        status: status.map(i64::from),
        final_url,
        error,
    }
}

#[cfg(test)]
mod tests;
