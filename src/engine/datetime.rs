//! Datetimes and timespans as 100 ns ticks (datetimes from 0001-01-01, as
//! .NET and Kusto count them, so `tolong(datetime)` matches). UTC only.

pub const TICK_SECOND: i64 = 10_000_000;
pub const TICK_MINUTE: i64 = 60 * TICK_SECOND;
pub const TICK_HOUR: i64 = 60 * TICK_MINUTE;
pub const TICK_DAY: i64 = 24 * TICK_HOUR;
/// Ticks at 1970-01-01.
pub const UNIX_EPOCH: i64 = 621_355_968_000_000_000;

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Broken-down UTC time of a tick count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 100 ns units within the second
    pub frac: u32,
}

pub fn to_parts(ticks: i64) -> Parts {
    let rel = ticks - UNIX_EPOCH;
    let days = rel.div_euclid(TICK_DAY);
    let rem = rel.rem_euclid(TICK_DAY);
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        hour: (rem / TICK_HOUR) as u32,
        minute: (rem % TICK_HOUR / TICK_MINUTE) as u32,
        second: (rem % TICK_MINUTE / TICK_SECOND) as u32,
        frac: (rem % TICK_SECOND) as u32,
    }
}

pub fn from_parts(p: &Parts) -> i64 {
    UNIX_EPOCH
        + days_from_civil(p.year, p.month, p.day) * TICK_DAY
        + p.hour as i64 * TICK_HOUR
        + p.minute as i64 * TICK_MINUTE
        + p.second as i64 * TICK_SECOND
        + p.frac as i64
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// ISO 8601 in UTC. `seven` writes all 7 fraction digits (dynamic values,
/// `tostring`); otherwise trailing zeros are trimmed as the query API does.
pub fn format_iso(ticks: i64, seven: bool) -> String {
    let p = to_parts(ticks);
    let mut s = format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", p.year, p.month, p.day, p.hour, p.minute, p.second);
    if seven {
        s.push_str(&format!(".{:07}", p.frac));
    } else if p.frac != 0 {
        let f = format!("{:07}", p.frac);
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// `[-][d.]hh:mm:ss[.fffffff]`
pub fn format_timespan(ticks: i64) -> String {
    let neg = ticks < 0;
    let t = ticks.unsigned_abs();
    let day = TICK_DAY as u64;
    let days = t / day;
    let rem = t % day;
    let h = rem / TICK_HOUR as u64;
    let m = rem % TICK_HOUR as u64 / TICK_MINUTE as u64;
    let s = rem % TICK_MINUTE as u64 / TICK_SECOND as u64;
    let f = rem % TICK_SECOND as u64;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if days > 0 {
        out.push_str(&format!("{days}."));
    }
    out.push_str(&format!("{h:02}:{m:02}:{s:02}"));
    if f > 0 {
        out.push_str(&format!(".{f:07}"));
    }
    out
}

/// A timespan literal such as `5m`, `1.5h`, `10tick`, `2d`.
pub fn parse_timespan_literal(text: &str) -> Option<i64> {
    let t = text.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic())?;
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let per = match unit.to_ascii_lowercase().as_str() {
        "d" | "day" | "days" => TICK_DAY,
        "h" | "hr" | "hrs" | "hour" | "hours" => TICK_HOUR,
        "m" | "min" | "minute" | "minutes" => TICK_MINUTE,
        "s" | "sec" | "second" | "seconds" => TICK_SECOND,
        "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => 10_000,
        "microsecond" | "microseconds" => 10,
        "tick" | "ticks" => 1,
        _ => return None,
    };
    Some((n * per as f64).round() as i64)
}

/// `[-][d.]hh:mm[:ss[.fffffff]]` or a literal like `5m`.
pub fn parse_timespan(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Some(v) = parse_timespan_literal(t) {
        return Some(v);
    }
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        // a bare number of days: `timespan(2)` is not valid; `2.00:00:00` handled above
        return None;
    }
    let (days, hours) = match parts[0].split_once('.') {
        Some((d, h)) => (d.parse::<i64>().ok()?, h.parse::<i64>().ok()?),
        None => (0, parts[0].parse::<i64>().ok()?),
    };
    let minutes: i64 = parts[1].parse().ok()?;
    let (secs, frac) = if parts.len() == 3 { parse_seconds(parts[2])? } else { (0, 0) };
    if !(0..=23).contains(&hours) || !(0..=59).contains(&minutes) || secs > 59 {
        return None;
    }
    let v = days
        .checked_mul(TICK_DAY)?
        .checked_add(hours * TICK_HOUR + minutes * TICK_MINUTE + secs * TICK_SECOND + frac)?;
    Some(if neg { -v } else { v })
}

fn parse_seconds(s: &str) -> Option<(i64, i64)> {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let w: i64 = whole.parse().ok()?;
    let mut f = 0i64;
    for (i, c) in frac.chars().take(7).enumerate() {
        f += (c as i64 - '0' as i64) * 10i64.pow(6 - i as u32);
    }
    Some((w, f))
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// The datetime formats Kusto reads: ISO 8601 (`T` or space, optional
/// fraction, `Z` or an offset), `MM/dd/yyyy [HH:mm:ss]`, RFC 822/850.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    parse_iso(t).or_else(|| parse_us(t)).or_else(|| parse_rfc(t))
}

fn num(s: &str, len: std::ops::RangeInclusive<usize>) -> Option<u32> {
    if !len.contains(&s.len()) || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_time_of_day(s: &str) -> Option<(u32, u32, u32, u32)> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let h = num(parts[0], 1..=2)?;
    let m = num(parts[1], 1..=2)?;
    let (sec, frac) = if parts.len() == 3 { parse_seconds(parts[2])? } else { (0, 0) };
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some((h, m, sec as u32, frac as u32))
}

fn build(y: i64, mo: u32, d: u32, time: (u32, u32, u32, u32), offset_ticks: i64) -> Option<i64> {
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || !(1..=9999).contains(&y) {
        return None;
    }
    let p = Parts { year: y, month: mo, day: d, hour: time.0, minute: time.1, second: time.2, frac: time.3 };
    Some(from_parts(&p) - offset_ticks)
}

fn split_offset(s: &str) -> Option<(&str, i64)> {
    if let Some(r) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return Some((r, 0));
    }
    if let Some(r) = s.strip_suffix(" UTC").or_else(|| s.strip_suffix(" GMT")) {
        return Some((r, 0));
    }
    // +hh:mm / -hh:mm after a time
    if s.len() > 6 {
        let (head, tail) = s.split_at(s.len() - 6);
        let b = tail.as_bytes();
        if (b[0] == b'+' || b[0] == b'-') && b[3] == b':' && head.contains(':') {
            let h = num(&tail[1..3], 2..=2)? as i64;
            let m = num(&tail[4..6], 2..=2)? as i64;
            let off = (h * TICK_HOUR + m * TICK_MINUTE) * if b[0] == b'-' { -1 } else { 1 };
            return Some((head, off));
        }
    }
    Some((s, 0))
}

fn parse_iso(t: &str) -> Option<i64> {
    let (t, off) = split_offset(t)?;
    let (date, time) = match t.find(['T', ' ']) {
        Some(i) => (&t[..i], Some(t[i + 1..].trim())),
        None => (t, None),
    };
    let dp: Vec<&str> = date.split('-').collect();
    let (y, mo, d) = match dp.as_slice() {
        [y, m, d] => (num(y, 4..=4)? as i64, num(m, 1..=2)?, num(d, 1..=2)?),
        [y, m] => (num(y, 4..=4)? as i64, num(m, 1..=2)?, 1),
        _ => {
            // yyyyMMdd
            if date.len() == 8 && time.is_none() {
                (num(&date[0..4], 4..=4)? as i64, num(&date[4..6], 2..=2)?, num(&date[6..8], 2..=2)?)
            } else {
                return None;
            }
        }
    };
    let tod = match time {
        Some(s) if !s.is_empty() => parse_time_of_day(s)?,
        _ => (0, 0, 0, 0),
    };
    build(y, mo, d, tod, off)
}

fn parse_us(t: &str) -> Option<i64> {
    let (date, time) = match t.split_once(' ') {
        Some((d, r)) => (d, Some(r.trim())),
        None => (t, None),
    };
    let dp: Vec<&str> = date.split(['/', '-']).collect();
    let [m, d, y] = dp.as_slice() else { return None };
    let (m, d, y) = (num(m, 1..=2)?, num(d, 1..=2)?, num(y, 4..=4)? as i64);
    let mut tod = (0, 0, 0, 0);
    if let Some(s) = time {
        let (clock, ampm) = match s.rsplit_once(' ') {
            Some((c, a)) if a.eq_ignore_ascii_case("am") || a.eq_ignore_ascii_case("pm") => (c, Some(a)),
            _ => (s, None),
        };
        tod = parse_time_of_day(clock)?;
        if let Some(a) = ampm {
            if tod.0 == 0 || tod.0 > 12 {
                return None;
            }
            let pm = a.eq_ignore_ascii_case("pm");
            tod.0 = match (tod.0, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) => h + 12,
                (h, false) => h,
            };
        }
    }
    build(y, m, d, tod, 0)
}

fn parse_rfc(t: &str) -> Option<i64> {
    // "Sat, 8 Nov 2014 15:05:02 GMT" / "Saturday, 08-Nov-14 15:05:02 GMT"
    let rest = match t.split_once(',') {
        Some((_, r)) => r.trim(),
        None => t,
    };
    let parts: Vec<&str> = rest.split([' ', '-']).filter(|s| !s.is_empty()).collect();
    if parts.len() < 4 {
        return None;
    }
    let d = num(parts[0], 1..=2)?;
    let mo = MONTHS.iter().position(|m| parts[1].to_ascii_lowercase().starts_with(m))? as u32 + 1;
    let mut y = num(parts[2], 2..=4)? as i64;
    if y < 100 {
        y += if y < 50 { 2000 } else { 1900 };
    }
    let tod = parse_time_of_day(parts[3])?;
    let off = match parts.get(4).copied() {
        None | Some("GMT") | Some("UTC") | Some("Z") => 0,
        Some(z) if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            let h = num(&z[1..3], 2..=2)? as i64;
            let m = num(&z[3..5], 2..=2)? as i64;
            (h * TICK_HOUR + m * TICK_MINUTE) * if z.starts_with('-') { -1 } else { 1 }
        }
        _ => return None,
    };
    build(y, mo, d, tod, off)
}

/// Day of week, 0 = Sunday.
pub fn weekday(ticks: i64) -> i64 {
    let days = (ticks - UNIX_EPOCH).div_euclid(TICK_DAY);
    (days + 4).rem_euclid(7)
}

pub fn start_of_day(t: i64) -> i64 {
    t - (t - UNIX_EPOCH).rem_euclid(TICK_DAY)
}

pub fn start_of_week(t: i64) -> i64 {
    start_of_day(t) - weekday(t) * TICK_DAY
}

pub fn start_of_month(t: i64) -> i64 {
    let p = to_parts(t);
    from_parts(&Parts { year: p.year, month: p.month, day: 1, hour: 0, minute: 0, second: 0, frac: 0 })
}

pub fn start_of_year(t: i64) -> i64 {
    let p = to_parts(t);
    from_parts(&Parts { year: p.year, month: 1, day: 1, hour: 0, minute: 0, second: 0, frac: 0 })
}

/// Add months, clamping the day to the target month's length.
pub fn add_months(t: i64, months: i64) -> Option<i64> {
    let p = to_parts(t);
    let total = (p.year * 12 + (p.month as i64 - 1)).checked_add(months)?;
    let year = total.div_euclid(12);
    let month = (total.rem_euclid(12) + 1) as u32;
    if !(1..=9999).contains(&year) {
        return None;
    }
    let day = p.day.min(days_in_month(year, month));
    Some(from_parts(&Parts { year, month, day, ..p }))
}

/// ISO 8601 week number.
pub fn iso_week(t: i64) -> i64 {
    let p = to_parts(t);
    let days = (t - UNIX_EPOCH).div_euclid(TICK_DAY);
    let wd = (weekday(t) + 6) % 7; // Monday = 0
    let thursday = days - wd + 3;
    let (ty, _, _) = civil_from_days(thursday);
    let jan1 = days_from_civil(ty, 1, 1);
    let _ = p;
    (thursday - jan1) / 7 + 1
}

/// `format_datetime` with .NET-style specifiers.
pub fn format_with(t: i64, fmt: &str) -> String {
    let p = to_parts(t);
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        match c {
            'y' => match n {
                1 => out.push_str(&(p.year % 100).to_string()),
                2 => out.push_str(&format!("{:02}", p.year % 100)),
                _ => out.push_str(&format!("{:0w$}", p.year, w = n)),
            },
            'M' => push_num(&mut out, p.month as i64, n),
            'd' => push_num(&mut out, p.day as i64, n),
            'H' => push_num(&mut out, p.hour as i64, n),
            'h' => push_num(&mut out, ((p.hour + 11) % 12 + 1) as i64, n),
            'm' => push_num(&mut out, p.minute as i64, n),
            's' => push_num(&mut out, p.second as i64, n),
            'f' | 'F' => {
                let digits = format!("{:07}", p.frac);
                let take = &digits[..n.min(7)];
                if c == 'F' {
                    out.push_str(take.trim_end_matches('0'));
                } else {
                    out.push_str(take);
                }
            }
            't' => {
                let ampm = if p.hour < 12 { "AM" } else { "PM" };
                out.push_str(if n == 1 { &ampm[..1] } else { ampm });
            }
            _ => {
                for _ in 0..n {
                    out.push(c);
                }
            }
        }
        i += n;
    }
    out
}

fn push_num(out: &mut String, v: i64, n: usize) {
    if n >= 2 {
        out.push_str(&format!("{v:02}"));
    } else {
        out.push_str(&v.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_match_dotnet() {
        // tolong(datetime(2020-01-01)) in Kusto
        assert_eq!(parse_datetime("2020-01-01").unwrap(), 637_134_336_000_000_000);
        assert_eq!(format_iso(parse_datetime("2021-01-01 01:29:00.5").unwrap(), false), "2021-01-01T01:29:00.5Z");
        assert_eq!(format_iso(parse_datetime("2007-01-01").unwrap(), true), "2007-01-01T00:00:00.0000000Z");
    }

    #[test]
    fn other_formats_and_offsets() {
        let a = parse_datetime("2015-12-31T23:59:59+01:00").unwrap();
        assert_eq!(format_iso(a, false), "2015-12-31T22:59:59Z");
        let b = parse_datetime("02/17/2016 08:40:01").unwrap();
        assert_eq!(format_iso(b, false), "2016-02-17T08:40:01Z");
        let c = parse_datetime("Sat, 8 Nov 2014 15:05:02 GMT").unwrap();
        assert_eq!(format_iso(c, false), "2014-11-08T15:05:02Z");
        assert!(parse_datetime("2020-13-01").is_none());
        assert!(parse_datetime("hello").is_none());
    }

    #[test]
    fn timespans_print_like_kusto() {
        assert_eq!(format_timespan(parse_timespan("0.00:03:00").unwrap()), "00:03:00");
        assert_eq!(format_timespan(4 * TICK_DAY), "4.00:00:00");
        assert_eq!(format_timespan(-90 * TICK_MINUTE), "-01:30:00");
        assert_eq!(parse_timespan_literal("1.5h"), Some(90 * TICK_MINUTE));
        assert_eq!(parse_timespan_literal("10tick"), Some(10));
    }

    #[test]
    fn weekday_and_formats() {
        let t = parse_datetime("2017-01-01 10:10:17").unwrap(); // a Sunday
        assert_eq!(weekday(t), 0);
        assert_eq!(format_with(t, "yy-MM-dd [HH:mm:ss]"), "17-01-01 [10:10:17]");
        assert_eq!(format_with(t, "h tt"), "10 AM");
    }
}
