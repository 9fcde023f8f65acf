//! Requesting one URL: `HEAD`, then `GET` where the server refuses `HEAD`; redirects
//! followed up to the limit; retries with a doubling wait (or the server's `Retry-After`,
//! up to a cap) after a timeout, a connection error, a 5xx or a 429.

use std::time::Duration;

use reqwest::{Client, Method, StatusCode};

use super::options::Options;
use crate::qa::rules::links::external_link::Outcome;

/// The HTTP client every request of one check shares. Unless local hosts are to be
/// checked, it neither follows a redirect to a local host nor connects to a name that
/// resolves to a loopback, private or link-local address: a page's link can never make
/// Sitewide reach into the network it runs in.
pub fn client(options: &Options) -> reqwest::Result<Client> {
    let max = options.max_redirects;
    let local_ok = options.check_local_hosts;
    let mut builder = Client::builder()
        .user_agent(concat!(
            "sitewide/",
            env!("CARGO_PKG_VERSION"),
            " (external link check)"
        ))
        .timeout(options.timeout)
        .connect_timeout(options.timeout)
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max {
                attempt.error("too many redirects")
            } else if !local_ok && super::options::is_local(attempt.url()) {
                attempt.error(LOCAL_REDIRECT)
            } else {
                attempt.follow()
            }
        }));
    if !local_ok {
        builder = builder.dns_resolver(std::sync::Arc::new(PublicOnly));
    }
    for (host, addr) in &options.resolve {
        builder = builder.resolve(host, *addr);
    }
    builder.build()
}

/// Why a redirect to a local host is not followed.
const LOCAL_REDIRECT: &str = "a redirect to a local host, not followed";

/// DNS that answers only public addresses: a name that resolves to local ones only is
/// not connected to.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<std::net::SocketAddr> = found
                .filter(|a| !super::options::local_ip(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{} resolves to local addresses only", name.as_str()).into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// Answers to `HEAD` that say "ask with `GET`" rather than "the page is gone".
const HEAD_REFUSED: &[u16] = &[400, 403, 405, 501];

/// The outcome of `url` after the retries.
pub async fn probe(client: &Client, options: &Options, url: &str) -> Outcome {
    let mut attempt = 0;
    loop {
        let (outcome, retry_after) = once(client, url).await;
        if attempt >= options.retries || !worth_retrying(&outcome) {
            return outcome;
        }
        let wait = match retry_after {
            Some(w) if w > options.retry_after_cap => return outcome,
            Some(w) => w,
            None => options.backoff * 2u32.saturating_pow(attempt),
        };
        tracing::debug!(url, attempt, ?wait, "retrying an external link");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

fn worth_retrying(outcome: &Outcome) -> bool {
    match outcome {
        Outcome::Ok { .. } => false,
        Outcome::Status { status, .. } => *status == 429 || *status >= 500,
        Outcome::Failed { reason } => {
            !reason.starts_with("too many redirects") && !reason.starts_with("redirects to a local")
        }
    }
}

/// One try: `HEAD`, and `GET` when `HEAD` is refused. Also the server's `Retry-After`.
async fn once(client: &Client, url: &str) -> (Outcome, Option<Duration>) {
    let mut answer = request(client, Method::HEAD, url).await;
    if let Ok(r) = &answer
        && HEAD_REFUSED.contains(&r.status().as_u16())
    {
        answer = request(client, Method::GET, url).await;
    }
    match answer {
        Ok(r) => {
            let status = r.status();
            let final_url = (r.url().as_str() != url).then(|| r.url().to_string());
            let retry_after = retry_after(&r);
            let outcome = if status.as_u16() < 400 {
                Outcome::Ok {
                    status: status.as_u16(),
                    final_url,
                }
            } else {
                Outcome::Status {
                    status: status.as_u16(),
                    final_url,
                }
            };
            (outcome, retry_after.filter(|_| is_busy(status)))
        }
        Err(e) => (Outcome::Failed { reason: reason(&e) }, None),
    }
}

async fn request(client: &Client, method: Method, url: &str) -> reqwest::Result<reqwest::Response> {
    client.request(method, url).send().await
}

fn is_busy(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(r: &reqwest::Response) -> Option<Duration> {
    let v = r
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    if let Ok(s) = v.trim().parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v.trim()).ok()?;
    let secs = (at.timestamp() - chrono::Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(secs as u64))
}

/// Why a request got no answer, in words (credentials in the URL redacted).
fn reason(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_redirect() && format!("{e:?}").contains(LOCAL_REDIRECT) {
        "redirects to a local host"
    } else if e.is_redirect() {
        "too many redirects"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut detail = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    let detail = crate::workspace::redact(&detail);
    if detail.is_empty() {
        what.to_string()
    } else {
        format!("{what} ({detail})")
    }
}
