//! Failed logins, counted per account name: after [`MAX_FAILURES`] wrong passwords within
//! [`WINDOW`], that name may not try again until the window since its first failure ends,
//! so a password cannot be guessed at the speed of the network. A successful login clears
//! the count. Held in memory: a restart forgets it, and each `serve` process counts alone.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong passwords allowed within [`WINDOW`].
pub const MAX_FAILURES: u32 = 5;
/// How long failures count, from the first one.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    /// `Some(wait)` when `name` has used up its tries and must wait that long.
    pub fn blocked(&self, name: &str) -> Option<Duration> {
        self.blocked_at(name, Instant::now())
    }

    pub fn failed(&self, name: &str) {
        self.failed_at(name, Instant::now());
    }

    pub fn succeeded(&self, name: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&key(name));
        }
    }

    fn blocked_at(&self, name: &str, now: Instant) -> Option<Duration> {
        let map = self.failures.lock().ok()?;
        let (count, first) = map.get(&key(name))?;
        let ends = *first + WINDOW;
        (*count >= MAX_FAILURES && now < ends).then(|| ends - now)
    }

    fn failed_at(&self, name: &str, now: Instant) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        // Forget windows that ended, so the map holds only names being tried now.
        map.retain(|_, (_, first)| now < *first + WINDOW);
        let entry = map.entry(key(name)).or_insert((0, now));
        entry.0 += 1;
    }
}

/// Names are counted trimmed and lowercased, so `Dana` and `dana ` share one count.
fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_block_that_name_until_the_window_ends_and_success_clears_it() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILURES - 1 {
            t.failed_at("dana", start);
        }
        assert_eq!(t.blocked_at("dana", start), None);
        t.failed_at("Dana ", start);
        assert_eq!(t.blocked_at("dana", start), Some(WINDOW));
        assert_eq!(t.blocked_at("sam", start), None, "other names are not held");
        let later = start + WINDOW - Duration::from_secs(60);
        assert_eq!(t.blocked_at("dana", later), Some(Duration::from_secs(60)));
        assert_eq!(t.blocked_at("dana", start + WINDOW), None);
        t.succeeded("dana");
        assert_eq!(t.blocked_at("dana", start), None);
    }

    #[test]
    fn ended_windows_are_forgotten() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        t.failed_at("old", start);
        t.failed_at("new", start + WINDOW);
        let map = t.failures.lock().expect("lock");
        assert_eq!(map.keys().collect::<Vec<_>>(), ["new"]);
    }
}
