//! Literals of the syntax tree as values: strings unescaped, numbers,
//! timespans, `datetime(...)`/`guid(...)`/`long(null)` typed literals.

use crate::engine::datetime;
use crate::engine::value::{Value, parse_guid};
use crate::kql::types::ScalarType;

/// The value of one string literal's source text (`"a\n"`, `@'x'`, `h"s"`, ```` ```t``` ````).
pub fn unescape_string(src: &str) -> Option<String> {
    let mut s = src;
    if let Some(r) = s.strip_prefix('h').or_else(|| s.strip_prefix('H')) {
        s = r;
    }
    for fence in ["```", "~~~"] {
        if let Some(body) = s.strip_prefix(fence).and_then(|r| r.strip_suffix(fence)) {
            return Some(body.to_string());
        }
    }
    if let Some(r) = s.strip_prefix('@') {
        let q = r.chars().next()?;
        let body = r.strip_prefix(q)?.strip_suffix(q)?;
        let doubled = format!("{q}{q}");
        return Some(body.replace(&doubled, &q.to_string()));
    }
    let q = s.chars().next()?;
    if q != '"' && q != '\'' {
        return None;
    }
    let body = s.strip_prefix(q)?.strip_suffix(q)?;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

pub fn parse_int(text: &str) -> Option<Value> {
    let t = text.trim();
    let v = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else {
        t.parse::<i64>().ok()?
    };
    Some(Value::Long(v))
}

/// `datetime(2017-01-01)`, `timespan(1d)`, `guid(...)`, `long(null)`: type and value.
pub fn parse_typed(src: &str) -> Option<(ScalarType, Value)> {
    let open = src.find('(')?;
    let kind = src[..open].trim();
    let inner = src[open + 1..].strip_suffix(')')?.trim();
    let ty = ScalarType::parse(kind)?;
    let inner = match inner.strip_prefix(['"', '\'']) {
        Some(r) => r.strip_suffix(['"', '\'']).unwrap_or(r),
        None => inner,
    };
    if ty == ScalarType::DateTime && inner.contains(',') {
        let nums: Vec<f64> = inner.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().ok()?;
        let get = |i: usize| nums.get(i).copied().unwrap_or(0.0);
        let (y, mo, d) = (get(0) as i64, get(1) as u32, get(2) as u32);
        if nums.len() < 3 || !(1..=12).contains(&mo) || d == 0 || d > datetime::days_in_month(y, mo) {
            return None;
        }
        let p = datetime::Parts {
            year: y,
            month: mo,
            day: d,
            hour: get(3) as u32,
            minute: get(4) as u32,
            second: 0,
            frac: 0,
        };
        let t = datetime::from_parts(&p) + (get(5) * datetime::TICK_SECOND as f64).round() as i64;
        return Some((ty, Value::DateTime(t)));
    }
    if inner.eq_ignore_ascii_case("null") {
        return Some((ty, Value::null_of(ty)));
    }
    let v = match ty {
        ScalarType::DateTime => Value::DateTime(datetime::parse_datetime(inner)?),
        ScalarType::TimeSpan => Value::TimeSpan(parse_timespan_value(inner)?),
        ScalarType::Guid => Value::Guid(parse_guid(inner)?),
        ScalarType::Long | ScalarType::Int => parse_int(inner)?,
        ScalarType::Real => Value::Real(parse_real(inner)?),
        ScalarType::Bool => Value::Bool(parse_bool(inner)?),
        _ => return None,
    };
    Some((ty, v))
}

/// A timespan inside `timespan(...)`/`time(...)`: `1d`, `00:01:00`, or a bare number of days.
pub fn parse_timespan_value(s: &str) -> Option<i64> {
    datetime::parse_timespan(s).or_else(|| s.parse::<f64>().ok().map(|d| (d * datetime::TICK_DAY as f64) as i64))
}

pub fn parse_real(s: &str) -> Option<f64> {
    match s.trim() {
        "nan" | "NaN" => Some(f64::NAN),
        "inf" | "+inf" | "Infinity" => Some(f64::INFINITY),
        "-inf" | "-Infinity" => Some(f64::NEG_INFINITY),
        t => t.parse().ok(),
    }
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literal_forms() {
        assert_eq!(unescape_string(r#""a\tb\"""#).unwrap(), "a\tb\"");
        assert_eq!(unescape_string("@'c:\\x''y'").unwrap(), "c:\\x'y");
        assert_eq!(unescape_string("h\"secret\"").unwrap(), "secret");
        assert_eq!(unescape_string("```multi\nline```").unwrap(), "multi\nline");
    }

    #[test]
    fn typed_literals() {
        assert_eq!(parse_typed("int(null)"), Some((ScalarType::Int, Value::Null)));
        assert_eq!(parse_typed("timespan(1d)").unwrap().1, Value::TimeSpan(datetime::TICK_DAY));
        assert!(parse_typed("datetime(2020-02-30)").is_none());
    }
}
