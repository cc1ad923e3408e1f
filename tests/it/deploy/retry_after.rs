//! Retry-After is waited for (issue 18: the throttling fixtures sent `0`,
//! so a client ignoring the header passed), as seconds and as an HTTP date,
//! and never beyond the retry window (issue 17, finding 6).

use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_core::http::RetryOptions;
use sentinel_forge::deploy::client::SentinelClientOptions;
use sentinel_forge::deploy::resource::ResourceType;
use sentinel_forge::deploy::retry::ArmRetryPolicy;
use sentinel_forge::deploy::target::Target;
use sentinel_forge::deploy::{Session, auth::AuthKind, connect};

use super::{ENV_FILE, emulator, rt};
use crate::util::FAKE_TOKEN;

fn session_with(emu: &sentinel_forge::emulator::Emulator, window: azure_core::time::Duration) -> Session {
    let target = Target::parse("test", ENV_FILE, &|k| {
        matches!(k, "SENTINEL_FORGE_ARM_ENDPOINT" | "AZURE_AUTHORITY_HOST").then(|| emu.url())
    })
    .unwrap();
    let var = |k: &str| (k == "SENTINEL_FORGE_TOKEN").then(|| FAKE_TOKEN.to_string());
    let policy = ArmRetryPolicy::new(
        azure_core::time::Duration::milliseconds(10),
        azure_core::time::Duration::minutes(2),
        10,
        window,
    );
    let options = SentinelClientOptions { retry: RetryOptions::custom(Arc::new(policy)), ..Default::default() };
    connect(target, Some(AuthKind::Token), &var, Some(options)).unwrap()
}

/// One throttled list, then the answer: how long it took.
fn throttled_once(spec: &str, window: azure_core::time::Duration) -> Duration {
    let emu = emulator();
    let rt = rt();
    let s = session_with(&emu, window);
    emu.set_faults(spec.parse().unwrap());
    let t0 = Instant::now();
    let listed = rt.block_on(s.client.list(ResourceType::SavedSearch));
    let took = t0.elapsed();
    assert!(listed.is_ok(), "{spec}: {listed:?}");
    let stats = emu.stats();
    assert_eq!((stats.throttled, stats.requests), (1, 2), "{spec}: one 429, one retry");
    took
}

#[test]
fn retry_after_in_seconds_is_waited() {
    let took = throttled_once("throttle-first=1,retry-after=1", azure_core::time::Duration::minutes(2));
    assert!(took >= Duration::from_millis(1000), "waited {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn retry_after_as_an_http_date_is_waited() {
    // The date is `now + 2 s` at whole seconds: at least 1 s away.
    let took =
        throttled_once("throttle-first=1,retry-after=1,retry-after-form=date", azure_core::time::Duration::minutes(2));
    assert!(took >= Duration::from_millis(1000), "waited {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn retry_after_beyond_the_retry_window_is_cut_to_what_is_left() {
    // `Retry-After: 3600` against a 1-second window: one wait of ~1 s.
    let took = throttled_once("throttle-first=1,retry-after=3600", azure_core::time::Duration::seconds(1));
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(10), "waited {took:?}");
}
