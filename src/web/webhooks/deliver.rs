//! Sending one notice: the body signed with HMAC-SHA256 of the webhook's secret
//! (`X-Sitewide-Signature: sha256=<hex>`; a job's Slack target given no secret is sent
//! unsigned), retried with doubling backoff on a network
//! error, a timeout, 408, 429 or a 5xx; any other answer is final. Failures are logged
//! with the webhook's scheme, host and path only: never its query or the secret.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Sitewide-Signature";

/// How one notice is sent.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub url: String,
    pub secret: String,
    /// The notice's name (`awaiting_review`, `applied`, ...), sent as `X-Sitewide-Event`.
    pub event: &'static str,
    /// A stable id for this notice (the event log's id), sent as `X-Sitewide-Delivery`
    /// so a receiver can drop a repeat.
    pub id: String,
    pub body: Vec<u8>,
}

/// Retries and their first backoff.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub retries: u32,
    pub backoff: Duration,
    pub timeout: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            retries: 4,
            backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        }
    }
}

/// `sha256=<hex HMAC-SHA256 of body with secret>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length, so this never fails.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// The URL as it may be logged: scheme, host, port and path.
pub fn redacted(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}{}{}",
            u.scheme(),
            u.host_str().unwrap_or(""),
            u.port().map(|p| format!(":{p}")).unwrap_or_default(),
            u.path()
        ),
        Err(_) => "(not a URL)".to_string(),
    }
}

/// Sends `d`, retrying as [`Retry`] says; true when the receiver took it (2xx).
pub async fn send(client: &reqwest::Client, d: &Delivery, retry: Retry) -> bool {
    let signature = signature(&d.secret, &d.body);
    let mut backoff = retry.backoff;
    for attempt in 0..=retry.retries {
        if attempt > 0 {
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
        }
        let mut request = client.post(&d.url);
        // Only a Slack message of a job's `[[notify]]` may go without a secret.
        if !d.secret.is_empty() {
            request = request.header(SIGNATURE_HEADER, &signature);
        }
        let sent = request
            .timeout(retry.timeout)
            .header("Content-Type", "application/json")
            .header(
                "User-Agent",
                concat!("sitewide/", env!("CARGO_PKG_VERSION")),
            )
            .header("X-Sitewide-Event", d.event)
            .header("X-Sitewide-Delivery", &d.id)
            .body(d.body.clone())
            .send()
            .await;
        let url = redacted(&d.url);
        match sent {
            Ok(r) if r.status().is_success() => return true,
            Ok(r) if !retryable(r.status().as_u16()) => {
                tracing::warn!(webhook = %url, status = r.status().as_u16(), event = d.event,
                    "a webhook refused its notice; not retried");
                return false;
            }
            Ok(r) => tracing::warn!(webhook = %url, status = r.status().as_u16(), attempt,
                event = d.event, "a webhook failed; retrying"),
            Err(e) => tracing::warn!(webhook = %url, error = %without_url(&e), attempt,
                event = d.event, "a webhook could not be reached; retrying"),
        }
    }
    tracing::warn!(webhook = %redacted(&d.url), event = d.event, id = %d.id,
        "a webhook notice was given up after every retry");
    false
}

fn retryable(status: u16) -> bool {
    status == 408 || status == 429 || status >= 500
}

/// reqwest's error without the URL it carries (which may hold a token in its query).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    kind.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_rfc_4231_hmac_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_logged_url_loses_its_query_and_credentials() {
        assert_eq!(
            redacted("https://u:p@hook.example.com:8443/x/y?token=abc#f"),
            "https://hook.example.com:8443/x/y"
        );
    }

    #[test]
    fn only_timeouts_rate_limits_and_server_errors_are_retried() {
        assert!(retryable(503) && retryable(429) && retryable(408));
        assert!(!retryable(400) && !retryable(401) && !retryable(404));
    }
}
