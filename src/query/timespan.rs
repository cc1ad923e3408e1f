//! The time range of a query: `--timespan` parsing and the interval sent.
//!
//! `--timespan` takes an ISO 8601 duration (`P1D`, `PT4H`, `P7DT12H`, `P2W`)
//! or the shorthand of content files (`15m`, `1h`, `7d`, see
//! [`Timespan`]). The interval is computed once, from one `now` truncated to
//! the second, so the `{{StartTimeISO}}`/`{{EndTimeISO}}` substituted into
//! the query and the `timespan` of the request are the same interval.
//! Years and months have no fixed length and are refused.

use azure_core::time::{Duration, OffsetDateTime};

use crate::timespan::Timespan;

/// The longest timespan accepted (100 years: beyond any retention, and far
/// from the date arithmetic's limits).
const MAX_SECONDS: u64 = 100 * 365 * 86_400;

/// Parse a `--timespan` value.
pub fn parse_timespan(text: &str) -> Result<Timespan, String> {
    let text = text.trim();
    let span = if text.starts_with(['P', 'p']) {
        Timespan::parse_iso8601(&text.to_ascii_uppercase())?
    } else {
        text.parse::<Timespan>().map_err(|e| {
            format!("`{text}`: expected an ISO 8601 duration (P1D, PT4H, P7DT12H) or a shorthand (15m, 1h, 7d): {e}")
        })?
    };
    if span.seconds() == 0 {
        return Err(format!("`{text}`: the timespan must be longer than zero"));
    }
    if span.seconds() > MAX_SECONDS {
        return Err(format!("`{text}`: the timespan must be at most 100 years"));
    }
    Ok(span)
}

/// The interval a query runs over: `[start, end]`, whole seconds, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

impl Interval {
    /// The `span` ending at `end` (truncated to the second).
    pub fn ending_at(end: OffsetDateTime, span: Timespan) -> Self {
        let end = end.replace_nanosecond(0).unwrap_or(end);
        // `parse_timespan` bounds the span far inside the date range.
        let seconds = i64::try_from(span.seconds()).unwrap_or(i64::MAX);
        let start = end.checked_sub(Duration::seconds(seconds)).unwrap_or(end);
        Self { start, end }
    }

    /// `{{StartTimeISO}}`: `2026-09-01T00:00:00Z`.
    pub fn start_iso(&self) -> String {
        iso8601(self.start)
    }

    /// `{{EndTimeISO}}`.
    pub fn end_iso(&self) -> String {
        iso8601(self.end)
    }

    /// The request's `timespan`: an ISO 8601 interval `start/end`.
    pub fn to_request(&self) -> String {
        format!("{}/{}", self.start_iso(), self.end_iso())
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` of an instant in UTC (as `now_utc` gives).
pub fn iso8601(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations_and_shorthands() {
        for (text, seconds) in [
            ("P1D", 86_400),
            ("PT4H", 14_400),
            ("P7DT12H", 7 * 86_400 + 12 * 3600),
            ("PT1H30M15S", 5415),
            ("P2W", 14 * 86_400),
            ("p1d", 86_400),
            ("15m", 900),
            ("1h", 3600),
            ("7d", 7 * 86_400),
            ("90s", 90),
        ] {
            assert_eq!(parse_timespan(text).map(Timespan::seconds), Ok(seconds), "{text}");
        }
    }

    #[test]
    fn refuses_what_has_no_fixed_length_or_no_meaning() {
        for (text, why) in [
            ("P1M", "years and months"),
            ("P1Y", "years and months"),
            ("PT1.5H", "fractions"),
            ("P", "no value"),
            ("P1DT", "no value after `T`"),
            ("PT1H2H", "out of order or repeated"),
            ("PT5M1H", "out of order or repeated"),
            ("P1X", "unexpected `X`"),
            ("PT0S", "longer than zero"),
            ("0d", "longer than zero"),
            ("1w", "expected an ISO 8601 duration"),
            ("P99999999999999999999D", "too large"),
            ("P40000D", "at most 100 years"),
        ] {
            let err = parse_timespan(text).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn interval_is_whole_seconds_in_utc() {
        let end = OffsetDateTime::from_unix_timestamp_nanos(1_788_220_800_123_456_789).unwrap();
        let i = Interval::ending_at(end, Timespan::from_days(1));
        assert_eq!(i.end_iso(), "2026-09-01T00:00:00Z");
        assert_eq!(i.start_iso(), "2026-08-31T00:00:00Z");
        assert_eq!(i.to_request(), "2026-08-31T00:00:00Z/2026-09-01T00:00:00Z");
    }
}
