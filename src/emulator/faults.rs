//! Fault injection: `--faults "429=0.1,retry-after=1,500=0.05,503=0.05,drop=0.05,latency=50ms,fail=<id>,seed=7"`.
//!
//! `throttle-first=N` answers the first N ARM requests with 429 (a
//! deterministic throttle for tests); `retry-after-form=date` sends
//! `Retry-After` as an HTTP date (`retry-after` seconds from now) instead
//! of seconds. `omit-value=1` answers lists without `value`;
//! `next-link-host=HOST` points `nextLink` at another host.
//!
//! Probabilities are per ARM request (the token endpoints are never
//! faulted); `fail=<id>` (repeatable) makes every PUT of that resource answer
//! 400, a permanent failure. Randomness is a seeded xorshift, so a run is
//! reproducible.

use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Probability of `429 Too Many Requests` with `Retry-After`.
    pub throttle: f64,
    /// `Retry-After` seconds sent with 429/503.
    pub retry_after: u64,
    /// Send `Retry-After` as an HTTP date rather than seconds.
    pub retry_after_date: bool,
    /// The first this many ARM requests are throttled.
    pub throttle_first: u64,
    /// Answer lists without their `value` array (a broken proxy or page).
    pub omit_value: bool,
    /// Point `nextLink` at this host instead of the emulator's.
    pub next_link_host: Option<String>,
    pub error_500: f64,
    pub error_503: f64,
    /// Probability of closing the connection without answering.
    pub drop: f64,
    /// Delay before every ARM response.
    pub latency: Duration,
    /// Resource names whose PUT always fails (lowercase).
    pub fail: Vec<String>,
    pub seed: u64,
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    None,
    Throttle,
    Error500,
    Error503,
    Drop,
}

impl Faults {
    pub fn is_empty(&self) -> bool {
        *self
            == Self {
                seed: self.seed,
                retry_after: self.retry_after,
                retry_after_date: self.retry_after_date,
                ..Self::default()
            }
    }

    /// The `Retry-After` value to send now.
    pub fn retry_after_header(&self) -> String {
        if self.retry_after_date {
            // HTTP dates have whole seconds: round up so the wait is at least
            // `retry_after` minus the sub-second part already gone.
            let at = azure_core::time::OffsetDateTime::now_utc()
                + azure_core::time::Duration::seconds(self.retry_after as i64 + 1);
            azure_core::time::to_rfc7231(&at)
        } else {
            self.retry_after.to_string()
        }
    }

    /// Draw a fault with a uniform `roll` in [0, 1).
    pub fn pick(&self, roll: f64) -> Fault {
        let mut edge = 0.0;
        for (p, f) in [
            (self.drop, Fault::Drop),
            (self.throttle, Fault::Throttle),
            (self.error_500, Fault::Error500),
            (self.error_503, Fault::Error503),
        ] {
            edge += p;
            if roll < edge {
                return f;
            }
        }
        Fault::None
    }
}

fn prob(key: &str, v: &str) -> Result<f64, String> {
    let p: f64 = v.parse().map_err(|_| format!("fault `{key}`: `{v}` is not a probability"))?;
    if (0.0..=1.0).contains(&p) { Ok(p) } else { Err(format!("fault `{key}`: {p} is not in 0..=1")) }
}

fn duration(v: &str) -> Result<Duration, String> {
    let (num, unit) = v.find(|c: char| !c.is_ascii_digit()).map_or((v, "ms"), |i| v.split_at(i));
    let n: u64 = num.parse().map_err(|_| format!("`{v}` is not a duration"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        _ => Err(format!("`{v}`: use ms or s")),
    }
}

impl FromStr for Faults {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut f = Faults { seed: 0x5eed, ..Default::default() };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| format!("fault `{part}`: expected key=value"))?;
            match k.trim() {
                "429" => f.throttle = prob(k, v)?,
                "500" => f.error_500 = prob(k, v)?,
                "503" => f.error_503 = prob(k, v)?,
                "drop" => f.drop = prob(k, v)?,
                "retry-after" => f.retry_after = v.parse().map_err(|_| format!("retry-after: `{v}` is not seconds"))?,
                "retry-after-form" => {
                    f.retry_after_date = match v.trim() {
                        "date" => true,
                        "seconds" => false,
                        _ => return Err(format!("retry-after-form: `{v}` is neither `seconds` nor `date`")),
                    }
                }
                "omit-value" => f.omit_value = v.trim() == "1" || v.trim() == "true",
                "next-link-host" => f.next_link_host = Some(v.trim().to_string()),
                "throttle-first" => {
                    f.throttle_first = v.parse().map_err(|_| format!("throttle-first: `{v}` is not a count"))?;
                }
                "latency" => f.latency = duration(v)?,
                "fail" => f.fail.push(v.trim().to_ascii_lowercase()),
                "seed" => f.seed = v.parse().map_err(|_| format!("seed: `{v}` is not a number"))?,
                other => {
                    return Err(format!(
                        "unknown fault `{other}` (429, 500, 503, drop, retry-after, retry-after-form, throttle-first, omit-value, next-link-host, latency, fail, seed)"
                    ));
                }
            }
        }
        if f.throttle + f.error_500 + f.error_503 + f.drop > 1.0 {
            return Err("fault probabilities add up to more than 1".into());
        }
        Ok(f)
    }
}

/// xorshift64*: small, seeded, good enough for fault draws.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_spec() {
        let f: Faults = "429=0.1, retry-after=1, latency=50ms, fail=abc, drop=0.05".parse().unwrap();
        assert_eq!(f.throttle, 0.1);
        assert_eq!(f.latency, Duration::from_millis(50));
        assert_eq!(f.fail, ["abc"]);
        assert_eq!(f.pick(0.01), Fault::Drop);
        assert_eq!(f.pick(0.1), Fault::Throttle);
        assert_eq!(f.pick(0.5), Fault::None);
        assert!("429=2".parse::<Faults>().is_err());
        assert!("bogus=1".parse::<Faults>().is_err());
        let mut r = Rng::new(7);
        assert!((0..1000).map(|_| r.next_f64()).all(|x| (0.0..1.0).contains(&x)));
    }
}
