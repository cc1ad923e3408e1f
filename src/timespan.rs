//! `Timespan`: the one duration type of content files.
//!
//! Written `<integer><unit>` (`s`, `m`, `h`, `d`), which is at once a KQL
//! timespan literal and a Sentinel YAML duration, and converted to ISO 8601
//! for ARM.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A non-negative whole number of seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timespan {
    seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimespanError {
    #[error("expected `<integer><unit>` with unit `s`, `m`, `h` or `d`")]
    Format,
    #[error("the number is too large")]
    Overflow,
}

impl Timespan {
    pub const fn from_seconds(seconds: u64) -> Self {
        Self { seconds }
    }
    pub const fn from_minutes(m: u64) -> Self {
        Self::from_seconds(m * 60)
    }
    pub const fn from_hours(h: u64) -> Self {
        Self::from_seconds(h * 3600)
    }
    pub const fn from_days(d: u64) -> Self {
        Self::from_seconds(d * 86_400)
    }

    pub fn seconds(self) -> u64 {
        self.seconds
    }

    /// Whole minutes, if the span is a whole number of minutes.
    pub fn whole_minutes(self) -> Option<u64> {
        self.seconds.is_multiple_of(60).then_some(self.seconds / 60)
    }

    /// Whole hours, if the span is a whole number of hours.
    pub fn whole_hours(self) -> Option<u64> {
        self.seconds.is_multiple_of(3600).then_some(self.seconds / 3600)
    }

    /// ISO 8601 duration as ARM expects it (`PT15M`, `P1D`, `PT36H`, `PT0S`).
    pub fn iso8601(self) -> String {
        let s = self.seconds;
        if s == 0 {
            return "PT0S".to_string();
        }
        if s.is_multiple_of(86_400) {
            return format!("P{}D", s / 86_400);
        }
        let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
        let mut out = String::from("PT");
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if sec > 0 {
            out.push_str(&format!("{sec}S"));
        }
        out
    }
}

impl Timespan {
    /// An ISO 8601 duration as ARM, `run --timespan` and some repositories
    /// write it: `P[nW][nD][T[nH][nM][nS]]` in whole numbers (`PT1H`, `P1D`,
    /// `P7DT12H`). Years and months have no fixed length and are refused.
    pub fn parse_iso8601(text: &str) -> Result<Timespan, String> {
        let bad = |why: &str| format!("`{text}` is not an ISO 8601 duration such as P1D, PT4H or P7DT12H: {why}");
        let Some(body) = text.strip_prefix('P') else {
            return Err(bad("it starts with `P`"));
        };
        if body.is_empty() {
            return Err(bad("no value after `P`"));
        }
        let (date, time) = match body.split_once('T') {
            Some((d, "")) => return Err(bad(&format!("no value after `T` in `{d}T`"))),
            Some((d, t)) => (d, Some(t)),
            None => (body, None),
        };
        let mut seconds: u64 = 0;
        let mut add = |n: u64, size: u64| -> Result<(), String> {
            seconds = n.checked_mul(size).and_then(|x| seconds.checked_add(x)).ok_or_else(|| bad("too large"))?;
            Ok(())
        };
        let date_units: &[(char, u64)] = &[('W', 604_800), ('D', 86_400)];
        let time_units: &[(char, u64)] = &[('H', 3600), ('M', 60), ('S', 1)];
        for (is_date, part, units) in [(true, date, date_units), (false, time.unwrap_or(""), time_units)] {
            let mut rest = part;
            let mut next_unit = 0;
            while !rest.is_empty() {
                let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
                if digits == 0 {
                    return Err(bad(&format!("expected a number at `{rest}`")));
                }
                let unit = rest[digits..].chars().next().ok_or_else(|| bad(&format!("`{rest}` has no unit")))?;
                if matches!(unit, '.' | ',') {
                    return Err(bad("fractions are not supported"));
                }
                if is_date && matches!(unit, 'Y' | 'M') {
                    return Err(bad("years and months have no fixed length; use days (P30D)"));
                }
                let Some(index) = units.iter().position(|(u, _)| *u == unit) else {
                    return Err(bad(&format!("unexpected `{unit}`")));
                };
                if index < next_unit {
                    return Err(bad(&format!("`{unit}` is out of order or repeated")));
                }
                next_unit = index + 1;
                let n: u64 = rest[..digits].parse().map_err(|_| bad("too large"))?;
                add(n, units[index].1)?;
                rest = &rest[digits + 1..];
            }
        }
        Ok(Timespan::from_seconds(seconds))
    }

    /// Either form: `1h` or `PT1H`.
    pub fn parse_any(text: &str) -> Result<Timespan, String> {
        let t = text.trim();
        if t.starts_with('P') { Self::parse_iso8601(t) } else { t.parse().map_err(|e: TimespanError| e.to_string()) }
    }
}

/// Canonical form: the largest unit that divides the span exactly.
impl fmt::Display for Timespan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds;
        if s == 0 {
            return f.write_str("0d");
        }
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
            if s.is_multiple_of(size) {
                return write!(f, "{}{unit}", s / size);
            }
        }
        write!(f, "{s}s")
    }
}

impl FromStr for Timespan {
    type Err = TimespanError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unit_at = text.find(|c: char| !c.is_ascii_digit()).ok_or(TimespanError::Format)?;
        let (digits, unit) = text.split_at(unit_at);
        if digits.is_empty() {
            return Err(TimespanError::Format);
        }
        let n: u64 = digits.parse().map_err(|_| TimespanError::Overflow)?;
        let size = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(TimespanError::Format),
        };
        n.checked_mul(size).map(Timespan::from_seconds).ok_or(TimespanError::Overflow)
    }
}

impl Serialize for Timespan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timespan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_canonically() {
        for (input, canonical, iso) in [
            ("15m", "15m", "PT15M"),
            ("1h", "1h", "PT1H"),
            ("30d", "30d", "P30D"),
            ("0d", "0d", "PT0S"),
            ("720h", "30d", "P30D"),
            ("90s", "90s", "PT1M30S"),
            ("36h", "36h", "PT36H"),
        ] {
            let t: Timespan = input.parse().unwrap();
            assert_eq!(t.to_string(), canonical, "{input}");
            assert_eq!(t.iso8601(), iso, "{input}");
        }
    }

    #[test]
    fn iso8601_reads_back_what_it_prints() {
        for (iso, secs) in [("PT1H", 3600), ("P1D", 86_400), ("P1DT12H", 129_600), ("PT1M30S", 90), ("PT0S", 0)] {
            let t = Timespan::parse_iso8601(iso).unwrap();
            assert_eq!(t.seconds(), secs, "{iso}");
            assert_eq!(Timespan::parse_iso8601(&t.iso8601()), Ok(t));
        }
        for bad in ["", "P", "PT", "1h", "P1M", "PT1.5H", "PT1H1H", "PT1M1H", "PTH", "P1DT"] {
            assert!(Timespan::parse_iso8601(bad).is_err(), "{bad} should not parse");
        }
        assert_eq!(Timespan::parse_any("PT5H"), Ok(Timespan::from_hours(5)));
        assert_eq!(Timespan::parse_any("5h"), Ok(Timespan::from_hours(5)));
    }

    #[test]
    fn rejects_other_forms() {
        for bad in ["", "15", "m", "15 m", "-1d", "1.5h", "P1D", "15min", "1w"] {
            assert!(bad.parse::<Timespan>().is_err(), "{bad} should not parse");
        }
        assert_eq!("99999999999999999999d".parse::<Timespan>(), Err(TimespanError::Overflow));
    }
}
