//! How long to wait before trying a model call again: exponential backoff with full jitter,
//! or exactly what a `Retry-After` header asks for. Decides nothing about whether to retry.

use std::time::Duration;

/// The longest single backoff; a longer wait is a provider that is down, not busy.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// A `Retry-After` longer than this fails the call rather than hold a worker that long.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// Full jitter: a uniform wait between 0 and `base × 2^retry`, capped ("Exponential Backoff
/// And Jitter", AWS Architecture Blog), so callers that failed together do not retry together.
pub fn backoff(base_ms: u64, retry: u32) -> Duration {
    let ceiling = base_ms
        .saturating_mul(1u64 << retry.min(20))
        .min(MAX_BACKOFF.as_millis() as u64);
    Duration::from_millis(fastrand::u64(0..=ceiling))
}

/// A `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 §10.2.3); a date in the
/// past is no wait.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        // Far beyond any wait the caller accepts: `try_` keeps a huge value from panicking.
        return Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_or_odd_retry_after_never_panics() {
        let now = chrono::Utc::now();
        for v in [
            "1e30",
            "99999999999999999999",
            "1.5",
            "NaN",
            "inf",
            "-3",
            "",
        ] {
            let _ = parse_retry_after(v, now);
        }
        assert_eq!(parse_retry_after("1e30", now), Some(Duration::MAX));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
    }

    #[test]
    fn backoff_stays_under_its_doubling_ceiling_and_the_cap() {
        for retry in 0..8 {
            let ceiling = Duration::from_millis(100 * (1 << retry)).min(MAX_BACKOFF);
            for _ in 0..50 {
                assert!(backoff(100, retry) <= ceiling);
            }
        }
        assert!(backoff(1000, 63) <= MAX_BACKOFF);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(" 0.5 ", now),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }
}
