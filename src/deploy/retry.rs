//! The retry policy: azure_core's retry loop (statuses 408/429/500/502/503/504
//! and I/O errors, body reset per try) with ARM-friendly waits.
//!
//! - When the server says when to come back (`Retry-After`, `retry-after-ms`,
//!   `x-ms-retry-after-ms` on 429/503), the first [`TRUSTED_HINTS`] retries wait
//!   exactly that long, even 0 s; later ones wait at least the exponential
//!   delay too, so a server that keeps answering "0" is not hammered.
//!   (The SDK's exponential policy waits `max(hint, 2^n × initial + jitter)`,
//!   which turns `Retry-After: 0` into half a second.)
//! - Otherwise: exponential from `initial_delay`, doubled per retry, capped at
//!   `max_delay`, plus up to 25% jitter.
//! - Gives up after `max_retries` or `max_total_elapsed` (10 minutes by
//!   default: ARM asks for waits of many seconds when throttling, which the
//!   SDK's 60 s default would cut short). No wait goes beyond that window: a
//!   `Retry-After: 3600` waits out what is left of it, then the last try's
//!   answer is returned.
//! - `Retry-After` in seconds or as an HTTP date (azure_core parses both).

use azure_core::http::StatusCode;
use azure_core::http::headers::{RETRY_AFTER, RETRY_AFTER_MS, X_MS_RETRY_AFTER_MS};
use azure_core::http::policies::{RetryHeaders, RetryPolicy};
use azure_core::time::Duration;

/// Retries that trust a server hint alone.
pub const TRUSTED_HINTS: u32 = 2;

std::thread_local! {
    /// The elapsed time azure_core's retry loop passed to the last
    /// `is_expired` on this thread. The loop calls `is_expired` and then
    /// `wait` with no await point between them, so `wait`'s first (sync)
    /// step reads the value of the same request.
    static ELAPSED: std::cell::Cell<Duration> = const { std::cell::Cell::new(Duration::ZERO) };
}

#[derive(Debug, Clone)]
pub struct ArmRetryPolicy {
    pub initial_delay: Duration,
    pub max_delay: Duration,
    pub max_retries: u32,
    pub max_total_elapsed: Duration,
    headers: RetryHeaders,
}

impl ArmRetryPolicy {
    pub fn new(initial_delay: Duration, max_delay: Duration, max_retries: u32, max_total_elapsed: Duration) -> Self {
        Self {
            initial_delay,
            max_delay,
            max_retries,
            max_total_elapsed,
            headers: RetryHeaders { retry_headers: vec![X_MS_RETRY_AFTER_MS, RETRY_AFTER_MS, RETRY_AFTER] },
        }
    }

    /// The wait before retry number `retry_count` (1-based), `elapsed`
    /// since the first try: never past the end of the retry window.
    pub fn delay(&self, retry_count: u32, hint: Option<Duration>, elapsed: Duration) -> Duration {
        let exp = self.sleep_duration(retry_count);
        let wanted = match hint {
            Some(h) if retry_count <= TRUSTED_HINTS => h.max(Duration::ZERO),
            Some(h) => h.max(exp),
            None => exp,
        };
        wanted.min((self.max_total_elapsed - elapsed).max(Duration::ZERO))
    }
}

#[async_trait::async_trait]
impl RetryPolicy for ArmRetryPolicy {
    fn is_expired(&self, time_since_start: Duration, retry_count: u32) -> bool {
        ELAPSED.with(|e| e.set(time_since_start));
        retry_count >= self.max_retries || time_since_start >= self.max_total_elapsed
    }

    fn retry_headers(&self) -> Option<&RetryHeaders> {
        Some(&self.headers)
    }

    fn retry_status_codes(&self) -> &[StatusCode] {
        &[] // the SDK defaults: 408, 429, 500, 502, 503, 504
    }

    fn sleep_duration(&self, retry_count: u32) -> Duration {
        let base = self.initial_delay.whole_milliseconds().max(1) as u64;
        let ms = base.saturating_mul(1u64 << retry_count.saturating_sub(1).min(30));
        let cap = self.max_delay.whole_milliseconds().max(1) as u64;
        let ms = ms.min(cap);
        // Jitter from the clock's sub-second nanos (no RNG dependency).
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let jitter = ms / 4 * u64::from(nanos % 1000) / 1000;
        Duration::milliseconds((ms + jitter) as i64)
    }

    async fn wait(&self, retry_count: u32, retry_after: Option<Duration>) {
        let d = self.delay(retry_count, retry_after, ELAPSED.with(std::cell::Cell::get));
        if d.is_positive() {
            azure_core::sleep::sleep(d).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_hints_are_honoured_then_backed_off() {
        let p = ArmRetryPolicy::new(Duration::milliseconds(200), Duration::seconds(30), 10, Duration::minutes(10));
        let z = Duration::ZERO;
        assert_eq!(p.delay(1, Some(Duration::ZERO), z), Duration::ZERO);
        assert_eq!(p.delay(2, Some(Duration::seconds(7)), z), Duration::seconds(7));
        assert!(p.delay(3, Some(Duration::ZERO), z) >= Duration::milliseconds(800));
        assert!(
            p.delay(1, None, z) >= Duration::milliseconds(200) && p.delay(1, None, z) <= Duration::milliseconds(250)
        );
        assert!(p.delay(20, None, z) <= Duration::milliseconds(37_500), "capped");
        // A long Retry-After is honoured within the window ...
        assert_eq!(p.delay(5, Some(Duration::seconds(120)), z), Duration::seconds(120));
        // ... and cut at what is left of it.
        assert_eq!(p.delay(1, Some(Duration::seconds(3600)), z), Duration::minutes(10));
        assert_eq!(p.delay(1, Some(Duration::seconds(3600)), Duration::minutes(9)), Duration::minutes(1));
        assert_eq!(p.delay(4, None, Duration::minutes(11)), Duration::ZERO);
        assert!(p.is_expired(Duration::seconds(1), 10));
        assert!(p.is_expired(Duration::minutes(11), 1));
    }
}
