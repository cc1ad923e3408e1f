//! Built-in scalar functions. Each takes its arguments as columns and
//! returns a column whose type follows Kusto's rule for the function.
//! Unknown functions are ENG001 (not supported), never a guess.

use std::sync::Arc;

use regex::Regex;

use crate::engine::Ctx;
use crate::engine::aggregate::is_aggregate;
use crate::engine::datetime::{self as dt, TICK_DAY, TICK_HOUR, TICK_MINUTE, TICK_SECOND};
use crate::engine::error::{EResult, EngineError};
use crate::engine::literal;
use crate::engine::scope::Col;
use crate::engine::strings::text_of;
use crate::engine::table::Table;
use crate::engine::types::{self, common_type};
use crate::engine::value::{Value, compare, format_real, parse_guid};
use crate::kql::ast::{Expr, ExprKind};
use crate::kql::types::ScalarType;

use ScalarType as T;

pub fn dyn_get(v: &Value, key: &str) -> Value {
    match v {
        Value::Bag(b) => b.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

pub fn dyn_index(v: &Value, i: i64) -> Value {
    match v {
        Value::Array(a) => {
            let idx = if i < 0 { a.len() as i64 + i } else { i };
            if idx < 0 { Value::Null } else { a.get(idx as usize).cloned().unwrap_or(Value::Null) }
        }
        _ => Value::Null,
    }
}

/// `parse_json`: a JSON text becomes its value; other text stays a string.
pub fn parse_json(v: &Value) -> Value {
    match v {
        Value::String(s) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(j) => Value::from_json(&j),
            Err(_) => v.clone(),
        },
        other => other.clone(),
    }
}

/// Convert a value to a type as `to<type>()` does: null when it does not convert.
pub fn convert_value(v: &Value, ty: ScalarType) -> Value {
    match ty {
        T::String => Value::string(v.to_kusto_string()),
        T::Dynamic => match v {
            Value::String(_) => v.clone(),
            other => other.clone(),
        },
        T::Long | T::Int => {
            let r = match v {
                Value::Long(x) => Some(*x),
                Value::Real(x) if x.is_finite() => Some(x.trunc() as i64),
                Value::Bool(b) => Some(*b as i64),
                Value::DateTime(t) | Value::TimeSpan(t) => Some(*t),
                Value::String(s) => {
                    let s = s.trim();
                    s.parse::<i64>().ok().or_else(|| {
                        s.parse::<f64>()
                            .ok()
                            .filter(|f| f.is_finite() && s.contains(['.', 'e', 'E']))
                            .map(|f| f.trunc() as i64)
                    })
                }
                _ => None,
            };
            match r {
                Some(x) if ty == T::Int => Value::Long(x as i32 as i64),
                Some(x) => Value::Long(x),
                None => Value::Null,
            }
        }
        T::Real => match v {
            Value::Long(x) => Value::Real(*x as f64),
            Value::Real(x) => Value::Real(*x),
            Value::Bool(b) => Value::Real(*b as i64 as f64),
            Value::DateTime(t) | Value::TimeSpan(t) => Value::Real(*t as f64),
            Value::String(s) => literal::parse_real(s).map(Value::Real).unwrap_or(Value::Null),
            _ => Value::Null,
        },
        T::Bool => match v {
            Value::Bool(b) => Value::Bool(*b),
            Value::Long(x) => Value::Bool(*x != 0),
            Value::Real(x) => Value::Bool(*x != 0.0),
            Value::String(s) => literal::parse_bool(s).map(Value::Bool).unwrap_or(Value::Null),
            _ => Value::Null,
        },
        T::DateTime => match v {
            Value::DateTime(t) => Value::DateTime(*t),
            Value::String(s) => dt::parse_datetime(s).map(Value::DateTime).unwrap_or(Value::Null),
            _ => Value::Null,
        },
        T::TimeSpan => match v {
            Value::TimeSpan(t) => Value::TimeSpan(*t),
            Value::Long(x) => Value::TimeSpan(*x),
            Value::String(s) => dt::parse_timespan(s).map(Value::TimeSpan).unwrap_or(Value::Null),
            _ => Value::Null,
        },
        T::Guid => match v {
            Value::Guid(g) => Value::Guid(*g),
            Value::String(s) => parse_guid(s).map(Value::Guid).unwrap_or(Value::Null),
            _ => Value::Null,
        },
        T::Decimal => Value::Null,
    }
}

pub fn convert(c: &Col, ty: ScalarType) -> Col {
    Col::new(ty, c.vals.iter().map(|v| convert_value(v, ty)).collect())
}

/// A datatable cell: the literal's value if it fits the column's type.
pub fn coerce_literal(c: &Col, ty: ScalarType) -> Option<Value> {
    let v = c.vals.first()?.clone();
    if v.is_null() {
        return Some(Value::null_of(ty));
    }
    if c.ty == ty || ty == T::Dynamic {
        return Some(v);
    }
    match (c.ty, ty, &v) {
        (T::Long | T::Int, T::Int, Value::Long(x)) => Some(Value::Long(*x as i32 as i64)),
        (T::Long | T::Int, T::Long, _) => Some(v),
        (T::Long | T::Int | T::Real, T::Real, _) => v.as_f64().map(Value::Real),
        (T::Dynamic, _, _) => Some(convert_value(&v, ty)),
        _ => None,
    }
}

fn map(args: &[Col], n: usize, ty: ScalarType, f: impl Fn(&[&Value]) -> Value) -> Col {
    let mut out = Vec::with_capacity(n);
    let mut row: Vec<&Value> = Vec::with_capacity(args.len());
    for i in 0..n {
        row.clear();
        row.extend(args.iter().map(|a| &a.vals[i]));
        out.push(f(&row));
    }
    Col::new(ty, out)
}

fn s(v: &Value) -> std::borrow::Cow<'_, str> {
    text_of(v)
}

fn arr(items: Vec<Value>) -> Value {
    Value::Array(Arc::new(items))
}

fn strings(items: impl IntoIterator<Item = String>) -> Value {
    arr(items.into_iter().map(Value::string).collect())
}

fn real_fn(args: &[Col], n: usize, f: impl Fn(f64) -> f64) -> Col {
    map(args, n, T::Real, |v| match v[0].as_f64() {
        Some(x) => Value::Real(f(x)),
        None => Value::Null,
    })
}

fn constant_regex(c: &Col, e: &Expr) -> EResult<Regex> {
    let p = c.vals.first().map(|v| s(v).into_owned()).unwrap_or_default();
    Regex::new(&p).map_err(|err| EngineError::invalid(format!("bad regex: {err}"), e.range))
}

fn ipv4(v: &Value) -> Option<(u32, u32)> {
    let text = s(v);
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a.trim().to_string(), p.trim().parse::<u32>().ok().filter(|p| *p <= 32)?),
        None => (text.trim().to_string(), 32),
    };
    let parts: Vec<&str> = addr.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut ip: u32 = 0;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let b: u32 = p.parse().ok()?;
        if b > 255 {
            return None;
        }
        ip = (ip << 8) | b;
    }
    Some((ip, prefix))
}

/// An IPv4 address or CIDR range: address and prefix length.
pub fn ipv4_range(v: &Value) -> Option<(u32, u32)> {
    ipv4(v)
}

/// An IPv6 address (or an IPv4 one, mapped) with an optional `/prefix`.
pub fn ipv6(v: &Value) -> Option<(u128, u32)> {
    let text = s(v);
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a.trim().to_string(), Some(p.trim().parse::<u32>().ok()?)),
        None => (text.trim().to_string(), None),
    };
    if addr.contains(':') {
        let ip: std::net::Ipv6Addr = addr.parse().ok()?;
        let p = prefix.unwrap_or(128);
        (p <= 128).then_some((u128::from(ip), p))
    } else {
        let (ip4, _) = ipv4(&Value::str(&addr))?;
        let p = prefix.map(|p| p + 96).unwrap_or(128);
        (p <= 128).then_some(((0xffffu128 << 32) | ip4 as u128, p))
    }
}

fn mask128(prefix: u32) -> u128 {
    if prefix == 0 { 0 } else { u128::MAX << (128 - prefix.min(128)) }
}

const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// Γ(x) by the Lanczos approximation (g = 7), reflected below 1/2.
fn gamma(x: f64) -> f64 {
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x));
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let mut acc = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        acc += c / (x + i as f64);
    }
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * acc
}

fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let mut acc = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        acc += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + acc.ln()
}

/// erf by its Taylor series near zero and 1 - erfc beyond 2.5.
fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x.abs() > 2.5 {
        return x.signum() * (1.0 - erfc_tail(x.abs()));
    }
    let mut term = x;
    let mut sum = x;
    let x2 = x * x;
    for k in 1..200 {
        term *= -x2 / k as f64;
        let add = term / (2 * k + 1) as f64;
        sum += add;
        if add.abs() < 1e-17 * sum.abs() {
            break;
        }
    }
    sum * 2.0 / std::f64::consts::PI.sqrt()
}

fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x <= 2.5 { 1.0 - erf(x) } else { erfc_tail(x) }
}

/// erfc for x > 2.5 by its continued fraction, evaluated from the tail.
fn erfc_tail(x: f64) -> f64 {
    let mut f = x;
    for k in (1..=80).rev() {
        f = x + (k as f64 / 2.0) / f;
    }
    (-x * x).exp() / (std::f64::consts::PI.sqrt() * f)
}

fn mask(prefix: u32) -> u32 {
    if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) }
}

fn ip_text(ip: u32) -> String {
    format!("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255)
}

fn chars_sub(text: &str, start: i64, len: Option<i64>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len() as i64;
    let mut st = if start < 0 { (n + start).max(0) } else { start.min(n) };
    if st > n {
        st = n;
    }
    let end = match len {
        Some(l) if l < 0 => st,
        Some(l) => st.saturating_add(l).min(n),
        None => n,
    };
    chars[st as usize..end.max(st) as usize].iter().collect()
}

fn rewrite_to_rust(rewrite: &str) -> String {
    // Kusto's `\1` group references become the regex crate's `${1}`.
    let mut out = String::new();
    let mut chars = rewrite.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            let d = chars.next().unwrap_or('0');
            out.push_str(&format!("${{{d}}}"));
        } else if c == '$' {
            out.push_str("$$");
        } else {
            out.push(c);
        }
    }
    out
}

fn datetime_part_ticks(part: &str) -> Option<i64> {
    Some(match part {
        "day" | "days" => TICK_DAY,
        "hour" | "hours" => TICK_HOUR,
        "minute" | "minutes" => TICK_MINUTE,
        "second" | "seconds" => TICK_SECOND,
        "millisecond" | "milliseconds" => 10_000,
        "microsecond" | "microseconds" => 10,
        "nanosecond" | "nanoseconds" => 0,
        "week" | "weeks" => 7 * TICK_DAY,
        _ => return None,
    })
}

fn bin_value(v: &Value, size: &Value) -> Value {
    match (v, size) {
        (Value::Long(x), Value::Long(b)) if *b > 0 => x.div_euclid(*b).checked_mul(*b).map_or(Value::Null, Value::Long),
        (Value::Long(_) | Value::Real(_), _) => match (v.as_f64(), size.as_f64()) {
            (Some(x), Some(b)) if b > 0.0 => {
                let r = (x / b).floor() * b;
                if matches!(v, Value::Long(_)) && matches!(size, Value::Long(_)) {
                    Value::Long(r as i64)
                } else {
                    Value::Real(r)
                }
            }
            _ => Value::Null,
        },
        (Value::DateTime(t), Value::TimeSpan(b)) if *b > 0 => Value::DateTime(t - t.rem_euclid(*b)),
        (Value::TimeSpan(t), Value::TimeSpan(b)) if *b > 0 => {
            t.div_euclid(*b).checked_mul(*b).map_or(Value::Null, Value::TimeSpan)
        }
        _ => Value::Null,
    }
}

fn start_of(kind: &str, t: i64, offset: i64) -> Option<i64> {
    Some(match kind {
        "day" => dt::start_of_day(t).checked_add(offset.checked_mul(TICK_DAY)?)?,
        "week" => dt::start_of_week(t).checked_add(offset.checked_mul(7 * TICK_DAY)?)?,
        "month" => dt::add_months(dt::start_of_month(t), offset)?,
        "year" => dt::add_months(dt::start_of_year(t), offset.checked_mul(12)?)?,
        _ => return None,
    })
}

fn end_of(kind: &str, t: i64, offset: i64) -> Option<i64> {
    Some(match kind {
        "day" => dt::start_of_day(t).checked_add(offset.checked_add(1)?.checked_mul(TICK_DAY)?)? - 1,
        "week" => dt::start_of_week(t).checked_add(offset.checked_add(1)?.checked_mul(7 * TICK_DAY)?)? - 1,
        "month" => dt::add_months(dt::start_of_month(t), offset.checked_add(1)?)? - 1,
        "year" => dt::add_months(dt::start_of_year(t), offset.checked_add(1)?.checked_mul(12)?)? - 1,
        _ => return None,
    })
}

fn datetime_add(part: &str, n: i64, t: i64) -> Option<i64> {
    Some(match part {
        "year" => dt::add_months(t, n.checked_mul(12)?)?,
        "quarter" => dt::add_months(t, n.checked_mul(3)?)?,
        "month" => dt::add_months(t, n)?,
        p => t.checked_add(n.checked_mul(datetime_part_ticks(p)?)?)?,
    })
}

/// `datetime_diff(part, a, b)`: boundaries of `part` crossed from b to a.
fn datetime_diff(part: &str, a: i64, b: i64) -> Option<i64> {
    let pa = dt::to_parts(a);
    let pb = dt::to_parts(b);
    Some(match part {
        "year" => pa.year - pb.year,
        "quarter" => (pa.year * 4 + (pa.month as i64 - 1) / 3) - (pb.year * 4 + (pb.month as i64 - 1) / 3),
        "month" => (pa.year * 12 + pa.month as i64) - (pb.year * 12 + pb.month as i64),
        "week" => (dt::start_of_week(a) - dt::start_of_week(b)) / (7 * TICK_DAY),
        "day" => a.div_euclid(TICK_DAY) - b.div_euclid(TICK_DAY),
        "hour" => a.div_euclid(TICK_HOUR) - b.div_euclid(TICK_HOUR),
        "minute" => a.div_euclid(TICK_MINUTE) - b.div_euclid(TICK_MINUTE),
        "second" => a.div_euclid(TICK_SECOND) - b.div_euclid(TICK_SECOND),
        "millisecond" => a.div_euclid(10_000) - b.div_euclid(10_000),
        "microsecond" => a.div_euclid(10) - b.div_euclid(10),
        "nanosecond" => a.checked_sub(b)?.checked_mul(100)?,
        _ => return None,
    })
}

fn set_op(kind: &str, a: &[Value], others: &[&[Value]]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let push = |v: &Value, out: &mut Vec<Value>| {
        if !out.contains(v) {
            out.push(v.clone());
        }
    };
    match kind {
        "union" => {
            for v in a {
                push(v, &mut out);
            }
            for o in others {
                for v in *o {
                    push(v, &mut out);
                }
            }
        }
        "intersect" => {
            for v in a {
                if others.iter().all(|o| o.contains(v)) {
                    push(v, &mut out);
                }
            }
        }
        _ => {
            for v in a {
                if !others.iter().any(|o| o.contains(v)) {
                    push(v, &mut out);
                }
            }
        }
    }
    out
}

fn as_array(v: &Value) -> Option<&[Value]> {
    match v {
        Value::Array(a) => Some(a.as_slice()),
        _ => None,
    }
}

/// Call the built-in `name`.
pub fn call(ctx: &Ctx, name: &str, args: &[Expr], e: &Expr, t: &Table) -> EResult<Col> {
    // Deprecated names Kusto still accepts, as the functions they are.
    let name = match name {
        "parsejson" => "parse_json",
        "columnifexists" => "column_ifexists",
        other => other,
    };
    let n = t.len;
    let argc = args.len();
    let arity = |lo: usize, hi: usize| -> EResult<()> {
        if argc < lo || argc > hi {
            Err(EngineError::invalid(format!("`{name}` takes {lo}..{hi} arguments, {argc} given"), e.range))
        } else {
            Ok(())
        }
    };
    // functions that look at their arguments before (or instead of) evaluating them
    match name {
        "toscalar" => {
            arity(1, 1)?;
            if !ctx.is_tabular(&args[0]) {
                let c = ctx.scalar(&args[0], &Table::single_row())?;
                return Ok(Col::constant(c.ty, c.vals[0].clone(), n));
            }
            let tab = ctx.tabular(&args[0])?;
            let c = tab.columns.first().ok_or_else(|| EngineError::invalid("no columns", e.range))?;
            let v = c.data.first().cloned().unwrap_or(Value::null_of(c.ty));
            return Ok(Col::constant(c.ty, v, n));
        }
        "materialize" => return Err(EngineError::invalid("`materialize` needs a tabular context", e.range)),
        "now" => {
            let off =
                if argc == 1 { ctx.scalar(&args[0], &Table::single_row())?.vals[0].as_i64().unwrap_or(0) } else { 0 };
            let v = ctx.engine.options.now.checked_add(off).map_or(Value::Null, Value::DateTime);
            return Ok(Col::constant(T::DateTime, v, n));
        }
        "ago" => {
            arity(1, 1)?;
            let c = ctx.scalar(&args[0], t)?;
            let now = ctx.engine.options.now;
            return Ok(Col::new(
                T::DateTime,
                c.vals
                    .iter()
                    .map(|v| match v {
                        Value::TimeSpan(x) => now.checked_sub(*x).map_or(Value::Null, Value::DateTime),
                        _ => Value::Null,
                    })
                    .collect(),
            ));
        }
        "column_ifexists" => {
            arity(2, 2)?;
            let cname = ctx.scalar(&args[0], &Table::single_row())?.vals[0].to_kusto_string();
            if let Some(c) = t.column(&cname) {
                return Ok(Col::new(c.ty, c.data.to_vec()));
            }
            return ctx.scalar(&args[1], t);
        }
        // `row_rank` is the earlier name of `row_rank_min`
        "row_number" | "row_cumsum" | "prev" | "next" | "row_rank_dense" | "row_rank_min" | "row_rank"
        | "row_window_session" => {
            return row_function(ctx, name, args, e, t);
        }
        "bag_pack_columns" => {
            let mut names = Vec::new();
            for x in args {
                match &x.kind {
                    ExprKind::Name(nm) => names.push(nm.text.clone()),
                    _ => return Err(EngineError::invalid("`bag_pack_columns` takes column names", x.range)),
                }
            }
            let cols: Vec<Col> = args.iter().map(|x| ctx.scalar(x, t)).collect::<EResult<_>>()?;
            return Ok(map(&cols, n, T::Dynamic, |v| {
                Value::Bag(Arc::new(names.iter().cloned().zip(v.iter().map(|x| (*x).clone())).collect()))
            }));
        }
        "column_names_of" => {
            arity(1, 1)?;
            let tab = ctx.tabular(&args[0])?;
            return Ok(Col::constant(T::Dynamic, strings(tab.columns.iter().map(|c| c.name.clone())), n));
        }
        "assert" => {
            arity(2, 2)?;
            let c = ctx.scalar(&args[0], t)?;
            if c.vals.iter().any(|v| !matches!(v, Value::Bool(true))) {
                let msg = ctx.scalar(&args[1], &Table::single_row())?.vals[0].to_kusto_string();
                return Err(EngineError::invalid(format!("assertion failed: {msg}"), e.range));
            }
            return Ok(Col::constant(T::Bool, Value::Bool(true), n));
        }
        "pack_all" => {
            let ignore_empty =
                argc == 1 && matches!(ctx.scalar(&args[0], &Table::single_row())?.vals[0], Value::Bool(true));
            let vals = (0..n)
                .map(|i| {
                    Value::Bag(Arc::new(
                        t.columns
                            .iter()
                            .filter(|c| !ignore_empty || !(c.data[i].is_null() || c.data[i].as_str() == Some("")))
                            .map(|c| (c.name.clone(), c.data[i].clone()))
                            .collect(),
                    ))
                })
                .collect();
            return Ok(Col::new(T::Dynamic, vals));
        }
        "rand" | "new_guid" | "current_principal" | "cursor_current" | "estimate_data_size" => {
            return Err(EngineError::unsupported(format!("`{name}()`"), e.range));
        }
        "int" | "long" | "real" | "double" | "bool" | "string" | "datetime" | "timespan" | "guid" | "dynamic"
            if argc == 1 && matches!(&args[0].kind, ExprKind::Name(x) if x.text == "null") =>
        {
            let ty = ScalarType::parse(name).unwrap_or(T::Dynamic);
            return Ok(Col::constant(ty, Value::null_of(ty), n));
        }
        "int" | "long" | "real" | "double" | "bool" => {
            arity(1, 1)?;
            let ty = ScalarType::parse(name).unwrap_or(T::Dynamic);
            let c = ctx.scalar(&args[0], t)?;
            return Ok(convert(&c, ty));
        }
        _ => {}
    }
    if is_aggregate(name) && name != "count" || name == "count" && argc == 0 {
        return Err(EngineError::invalid(format!("the aggregate `{name}` is only valid in `summarize`"), e.range));
    }
    let mut a = Vec::with_capacity(argc);
    for x in args {
        a.push(ctx.scalar(x, t)?);
    }
    let unsupported = || EngineError::unsupported(format!("the function `{name}`"), e.range);
    // a constant first argument (a datetime part name), read even when the table is empty
    let first_const = match args.first() {
        Some(x) if n == 0 => ctx.scalar(x, &Table::single_row()).ok().and_then(|c| c.vals.into_iter().next()),
        _ => None,
    };
    let v0_str = |a: &[Col]| {
        a.first().and_then(|c| c.vals.first()).or(first_const.as_ref()).map(|v| s(v).to_lowercase()).unwrap_or_default()
    };
    Ok(match name {
        // ---- logic and nulls
        "iff" | "iif" => {
            arity(3, 3)?;
            let ty = common_type(&[a[1].ty, a[2].ty]);
            map(&a, n, ty, |v| if matches!(v[0], Value::Bool(true)) { v[1].clone() } else { v[2].clone() })
        }
        "case" => {
            if argc < 3 || argc.is_multiple_of(2) {
                return Err(EngineError::invalid("`case` takes predicate/value pairs and an else value", e.range));
            }
            let tys: Vec<ScalarType> =
                a.iter().enumerate().filter(|(i, _)| i % 2 == 1 || *i == argc - 1).map(|(_, c)| c.ty).collect();
            let ty = common_type(&tys);
            map(&a, n, ty, |v| {
                let mut k = 0;
                while k + 1 < v.len() {
                    if matches!(v[k], Value::Bool(true)) {
                        return v[k + 1].clone();
                    }
                    k += 2;
                }
                v[v.len() - 1].clone()
            })
        }
        "coalesce" => {
            let ty = common_type(&a.iter().map(|c| c.ty).collect::<Vec<_>>());
            map(&a, n, ty, |v| {
                v.iter()
                    .find(|x| !(x.is_null() || ty == T::String && x.as_str() == Some("")))
                    .map(|x| (*x).clone())
                    .unwrap_or(Value::null_of(ty))
            })
        }
        "isnull" => map(&a, n, T::Bool, |v| Value::Bool(v[0].is_null())),
        "isnotnull" => map(&a, n, T::Bool, |v| Value::Bool(!v[0].is_null())),
        "isempty" => map(&a, n, T::Bool, |v| Value::Bool(v[0].is_null() || v[0].as_str() == Some(""))),
        "isnotempty" => map(&a, n, T::Bool, |v| Value::Bool(!(v[0].is_null() || v[0].as_str() == Some("")))),
        "not" => map(&a, n, T::Bool, |v| v[0].as_bool().map(|b| Value::Bool(!b)).unwrap_or(Value::Null)),
        "isnan" => map(&a, n, T::Bool, |v| Value::Bool(matches!(v[0], Value::Real(x) if x.is_nan()))),
        "isinf" => map(&a, n, T::Bool, |v| Value::Bool(matches!(v[0], Value::Real(x) if x.is_infinite()))),
        "isfinite" => map(&a, n, T::Bool, |v| {
            Value::Bool(matches!(v[0], Value::Real(x) if x.is_finite()) || matches!(v[0], Value::Long(_)))
        }),
        "gettype" => map(&a, n, T::String, |v| {
            Value::str(match v[0] {
                Value::Null => "null",
                Value::Bool(_) => "bool",
                Value::Long(_) => {
                    if a[0].ty == T::Int {
                        "int"
                    } else {
                        "long"
                    }
                }
                Value::Real(_) => "real",
                Value::DateTime(_) => "datetime",
                Value::TimeSpan(_) => "timespan",
                Value::Guid(_) => "guid",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Bag(_) => "dictionary",
            })
        }),
        // ---- conversions
        "tostring" => {
            arity(1, 1)?;
            convert(&a[0], T::String)
        }
        "toint" => convert(&a[0], T::Int),
        "tolong" => convert(&a[0], T::Long),
        "todouble" | "toreal" => convert(&a[0], T::Real),
        "tobool" | "toboolean" => convert(&a[0], T::Bool),
        "todatetime" => convert(&a[0], T::DateTime),
        "totimespan" | "time" => convert(&a[0], T::TimeSpan),
        "toguid" => convert(&a[0], T::Guid),
        "todecimal" => return Err(EngineError::unsupported("the decimal type", e.range)),
        "parse_json" | "todynamic" | "toobject" => map(&a, n, T::Dynamic, |v| parse_json(v[0])),
        // ---- numbers
        "abs" => {
            let ty = a[0].ty;
            map(&a, n, ty, |v| match v[0] {
                Value::Long(x) => Value::Long(x.wrapping_abs()),
                Value::Real(x) => Value::Real(x.abs()),
                Value::TimeSpan(x) => Value::TimeSpan(x.abs()),
                _ => Value::Null,
            })
        }
        "sqrt" => real_fn(&a, n, f64::sqrt),
        "exp" => real_fn(&a, n, f64::exp),
        "exp2" => real_fn(&a, n, f64::exp2),
        "exp10" => real_fn(&a, n, |x| 10f64.powf(x)),
        "log" => real_fn(&a, n, f64::ln),
        "log2" => real_fn(&a, n, f64::log2),
        "log10" => real_fn(&a, n, f64::log10),
        "sin" => real_fn(&a, n, f64::sin),
        "cos" => real_fn(&a, n, f64::cos),
        "tan" => real_fn(&a, n, f64::tan),
        "asin" => real_fn(&a, n, f64::asin),
        "acos" => real_fn(&a, n, f64::acos),
        "atan" => real_fn(&a, n, f64::atan),
        "cot" => real_fn(&a, n, |x| 1.0 / x.tan()),
        "degrees" => real_fn(&a, n, f64::to_degrees),
        "radians" => real_fn(&a, n, f64::to_radians),
        "atan2" => map(&a, n, T::Real, |v| match (v[0].as_f64(), v[1].as_f64()) {
            (Some(y), Some(x)) => Value::Real(y.atan2(x)),
            _ => Value::Null,
        }),
        "pi" => Col::constant(T::Real, Value::Real(std::f64::consts::PI), n),
        "pow" => map(&a, n, T::Real, |v| match (v[0].as_f64(), v[1].as_f64()) {
            (Some(x), Some(y)) => Value::Real(x.powf(y)),
            _ => Value::Null,
        }),
        "sign" => {
            let ty = a[0].ty;
            map(&a, n, ty, |v| match v[0] {
                Value::Long(x) => Value::Long(x.signum()),
                Value::Real(x) => Value::Real(if *x == 0.0 { 0.0 } else { x.signum() }),
                _ => Value::Null,
            })
        }
        "round" => {
            let ty = a[0].ty;
            map(&a, n, ty, |v| {
                let digits = v.get(1).and_then(|d| d.as_i64()).unwrap_or(0);
                match v[0] {
                    Value::Long(x) if digits >= 0 => Value::Long(*x),
                    Value::Long(x) => {
                        let p = 10f64.powi(-digits as i32);
                        Value::Long(((*x as f64 / p).round() * p) as i64)
                    }
                    Value::Real(x) => {
                        let p = 10f64.powi(digits as i32);
                        Value::Real((x * p).round() / p)
                    }
                    _ => Value::Null,
                }
            })
        }
        "ceiling" => map(&a, n, T::Real, |v| v[0].as_f64().map(|x| Value::Real(x.ceil())).unwrap_or(Value::Null)),
        "bin" | "floor" => {
            arity(2, 2)?;
            let ty = if a[0].ty == T::Int { T::Long } else { a[0].ty };
            let ty = if matches!(ty, T::Long) && a[1].ty == T::Real { T::Real } else { ty };
            map(&a, n, ty, |v| bin_value(v[0], v[1]))
        }
        "bin_at" => {
            arity(3, 3)?;
            let ty = a[0].ty;
            map(&a, n, ty, |v| match (v[0], v[1], v[2]) {
                (Value::DateTime(x), Value::TimeSpan(b), Value::DateTime(at)) if *b > 0 => {
                    Value::DateTime(at + (x - at).div_euclid(*b) * b)
                }
                (Value::Long(x), Value::Long(b), Value::Long(at)) if *b > 0 => {
                    Value::Long(at + (x - at).div_euclid(*b) * b)
                }
                (Value::TimeSpan(x), Value::TimeSpan(b), Value::TimeSpan(at)) if *b > 0 => {
                    Value::TimeSpan(at + (x - at).div_euclid(*b) * b)
                }
                (x, b, at) => match (x.as_f64(), b.as_f64(), at.as_f64()) {
                    (Some(x), Some(b), Some(at)) if b > 0.0 => Value::Real(at + ((x - at) / b).floor() * b),
                    _ => Value::Null,
                },
            })
        }
        "max_of" | "min_of" => {
            let ty = common_type(&a.iter().map(|c| c.ty).collect::<Vec<_>>());
            let want_max = name == "max_of";
            map(&a, n, ty, |v| {
                let mut best: Option<&Value> = None;
                for x in v.iter().filter(|x| !x.is_null()) {
                    best = match best {
                        None => Some(x),
                        Some(b) => {
                            let o = compare(x, b);
                            if (want_max && o.is_gt()) || (!want_max && o.is_lt()) { Some(x) } else { Some(b) }
                        }
                    };
                }
                best.map(|b| if ty == T::Real { b.as_f64().map(Value::Real).unwrap_or(Value::Null) } else { b.clone() })
                    .unwrap_or(Value::Null)
            })
        }
        "binary_and" | "binary_or" | "binary_xor" | "binary_shift_left" | "binary_shift_right" => {
            map(&a, n, T::Long, |v| match (v[0].as_i64(), v[1].as_i64()) {
                (Some(x), Some(y)) => Value::Long(match name {
                    "binary_and" => x & y,
                    "binary_or" => x | y,
                    "binary_xor" => x ^ y,
                    "binary_shift_left" => x.wrapping_shl(y as u32),
                    _ => x.wrapping_shr(y as u32),
                }),
                _ => Value::Null,
            })
        }
        "binary_not" => map(&a, n, T::Long, |v| v[0].as_i64().map(|x| Value::Long(!x)).unwrap_or(Value::Null)),
        // ---- strings
        "strlen" => map(&a, n, T::Long, |v| Value::Long(s(v[0]).chars().count() as i64)),
        "tolower" => map(&a, n, T::String, |v| Value::string(s(v[0]).to_lowercase())),
        "toupper" => map(&a, n, T::String, |v| Value::string(s(v[0]).to_uppercase())),
        "strcat" => map(&a, n, T::String, |v| Value::string(v.iter().map(|x| s(x).into_owned()).collect())),
        "strcat_delim" => map(&a, n, T::String, |v| {
            let d = s(v[0]).into_owned();
            Value::string(v[1..].iter().map(|x| s(x).into_owned()).collect::<Vec<_>>().join(&d))
        }),
        "strcat_array" => map(&a, n, T::String, |v| match as_array(v[0]) {
            Some(items) => Value::string(items.iter().map(|x| s(x).into_owned()).collect::<Vec<_>>().join(&s(v[1]))),
            None => Value::empty_str(),
        }),
        "substring" => {
            arity(2, 3)?;
            map(&a, n, T::String, |v| match v[1].as_i64() {
                Some(st) => Value::string(chars_sub(&s(v[0]), st, v.get(2).and_then(|l| l.as_i64()))),
                None => Value::empty_str(),
            })
        }
        "reverse" => map(&a, n, T::String, |v| Value::string(s(v[0]).chars().rev().collect())),
        "strrep" => map(&a, n, T::String, |v| {
            let times = v[1].as_i64().unwrap_or(0).max(0) as usize;
            let delim = v.get(2).map(|d| s(d).into_owned()).unwrap_or_default();
            Value::string(vec![s(v[0]).into_owned(); times].join(&delim))
        }),
        "indexof" => {
            arity(2, 5)?;
            map(&a, n, T::Long, |v| {
                let hay: Vec<char> = s(v[0]).chars().collect();
                let nd: Vec<char> = s(v[1]).chars().collect();
                let at = |i: usize| hay.len() >= i + nd.len() && hay[i..i + nd.len()] == nd[..];
                index_search(hay.len(), v, at)
            })
        }
        "array_index_of" => map(&a, n, T::Long, |v| match as_array(v[0]) {
            Some(items) => {
                let at = |i: usize| items.get(i).is_some_and(|x| types::cmp_values(x, v[1]).is_some_and(|o| o.is_eq()));
                index_search(items.len(), v, at)
            }
            None => Value::Null,
        }),
        "countof" => map(&a, n, T::Long, |v| {
            let hay = s(v[0]);
            let nd = s(v[1]);
            let kind = v.get(2).map(|k| s(k).into_owned()).unwrap_or_else(|| "normal".into());
            if kind == "regex" {
                return Regex::new(&nd).map(|r| Value::Long(r.find_iter(&hay).count() as i64)).unwrap_or(Value::Null);
            }
            if nd.is_empty() {
                return Value::Long(0);
            }
            let mut count = 0;
            let mut from = 0;
            while let Some(p) = hay[from..].find(nd.as_ref()) {
                count += 1;
                from += p + nd.chars().next().map_or(1, |c| c.len_utf8());
            }
            Value::Long(count)
        }),
        "split" => {
            arity(2, 3)?;
            map(&a, n, T::Dynamic, |v| {
                let text = s(v[0]);
                let d = s(v[1]);
                let parts: Vec<String> = if d.is_empty() {
                    vec![text.into_owned()]
                } else {
                    text.split(d.as_ref()).map(str::to_string).collect()
                };
                match v.get(2) {
                    Some(Value::Long(i)) => match parts.get(*i as usize) {
                        Some(p) if *i >= 0 => strings([p.clone()]),
                        _ => arr(vec![]),
                    },
                    _ => strings(parts),
                }
            })
        }
        "replace_string" => map(&a, n, T::String, |v| {
            let lookup = s(v[1]);
            if lookup.is_empty() {
                return Value::string(s(v[0]).into_owned());
            }
            Value::string(s(v[0]).replace(lookup.as_ref(), &s(v[2])))
        }),
        "replace_regex" | "replace" => {
            arity(3, 3)?;
            let (ti, ri, wi) = if name == "replace" { (2, 0, 1) } else { (0, 1, 2) };
            let re = constant_regex(&a[ri], e)?;
            map(&a, n, T::String, |v| {
                Value::string(re.replace_all(&s(v[ti]), rewrite_to_rust(&s(v[wi])).as_str()).into_owned())
            })
        }
        "trim" | "trim_start" | "trim_end" => {
            arity(2, 2)?;
            let p = a[0].vals.first().map(|v| s(v).into_owned()).unwrap_or_default();
            let pat = match name {
                "trim" => format!("^(?:{p})+|(?:{p})+$"),
                "trim_start" => format!("^(?:{p})+"),
                _ => format!("(?:{p})+$"),
            };
            let re = Regex::new(&pat).map_err(|err| EngineError::invalid(format!("bad regex: {err}"), e.range))?;
            map(&a, n, T::String, |v| Value::string(re.replace_all(&s(v[1]), "").into_owned()))
        }
        "extract" => {
            arity(3, 4)?;
            let re = constant_regex(&a[0], e)?;
            let ty = if argc == 4 { type_arg(&args[3])? } else { T::String };
            map(&a, n, ty, |v| {
                let g = v[1].as_i64().unwrap_or(0) as usize;
                let text = s(v[2]);
                let got = re.captures(&text).and_then(|c| c.get(g).map(|m| m.as_str().to_string()));
                match got {
                    Some(m) if ty == T::String => Value::string(m),
                    Some(m) => convert_value(&Value::string(m), ty),
                    None => Value::null_of(ty),
                }
            })
        }
        "extract_all" => {
            arity(2, 3)?;
            let re = constant_regex(&a[0], e)?;
            map(&a, n, T::Dynamic, |v| {
                let text = s(v[argc - 1]);
                let groups: Vec<usize> = if argc == 3 {
                    match as_array(v[1]) {
                        Some(gs) => gs
                            .iter()
                            .filter_map(|g| match g {
                                Value::Long(i) => Some(*i as usize),
                                Value::String(nm) => re.capture_names().position(|c| c == Some(nm.as_ref())),
                                _ => None,
                            })
                            .collect(),
                        None => vec![],
                    }
                } else {
                    (1..re.captures_len()).collect()
                };
                let groups = if groups.is_empty() { vec![0] } else { groups };
                let mut out = Vec::new();
                for c in re.captures_iter(&text) {
                    let items: Vec<Value> = groups
                        .iter()
                        .map(|&g| Value::string(c.get(g).map(|m| m.as_str().to_string()).unwrap_or_default()))
                        .collect();
                    if groups.len() == 1 && argc == 2 {
                        out.push(items.into_iter().next().unwrap_or(Value::Null));
                    } else {
                        out.push(arr(items));
                    }
                }
                if out.is_empty() { Value::Null } else { arr(out) }
            })
        }
        "parse_csv" => map(&a, n, T::Dynamic, |v| {
            let text = s(v[0]);
            match crate::engine::load::csv_records(&text).into_iter().next() {
                Some(rec) => strings(rec),
                None => arr(vec![]),
            }
        }),
        "parse_urlquery" => map(&a, n, T::Dynamic, |v| {
            let text = s(v[0]);
            let params: Vec<(String, Value)> = text
                .trim_start_matches('?')
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, val) = p.split_once('=').unwrap_or((p, ""));
                    (url_decode(k), Value::string(url_decode(val)))
                })
                .collect();
            Value::Bag(Arc::new(vec![("Query Parameters".to_string(), Value::Bag(Arc::new(params)))]))
        }),
        "base64_decode_toarray" => {
            use base64::Engine as _;
            map(&a, n, T::Dynamic, |v| match base64::engine::general_purpose::STANDARD.decode(s(v[0]).as_bytes()) {
                Ok(b) => arr(b.into_iter().map(|x| Value::Long(x as i64)).collect()),
                Err(_) => Value::Null,
            })
        }
        "base64_decode_toguid" => {
            use base64::Engine as _;
            map(&a, n, T::Guid, |v| match base64::engine::general_purpose::STANDARD.decode(s(v[0]).as_bytes()) {
                Ok(b) if b.len() == 16 => {
                    let be = [
                        b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                        b[15],
                    ];
                    Value::Guid(u128::from_be_bytes(be))
                }
                _ => Value::Null,
            })
        }
        "base64_encode_fromarray" => {
            use base64::Engine as _;
            map(&a, n, T::String, |v| match as_array(v[0]) {
                Some(items) => {
                    let bytes: Option<Vec<u8>> =
                        items.iter().map(|x| x.as_i64().filter(|b| (0..256).contains(b)).map(|b| b as u8)).collect();
                    bytes
                        .map(|b| Value::string(base64::engine::general_purpose::STANDARD.encode(b)))
                        .unwrap_or(Value::empty_str())
                }
                None => Value::empty_str(),
            })
        }
        "has_ipv4" | "has_ipv4_prefix" | "has_any_ipv4" | "has_any_ipv4_prefix" => {
            let prefix = name.ends_with("prefix");
            map(&a, n, T::Bool, |v| {
                let found = find_ipv4s(&s(v[0]));
                let mut wanted = Vec::new();
                for x in &v[1..] {
                    match as_array(x) {
                        Some(items) => wanted.extend(items.iter().map(|i| s(i).into_owned())),
                        None => wanted.push(s(x).into_owned()),
                    }
                }
                Value::Bool(found.iter().any(|ip| {
                    wanted.iter().any(|w| {
                        if prefix {
                            ip.starts_with(w.as_str())
                                && (w.ends_with('.') || ip.len() == w.len() || ip[w.len()..].starts_with('.'))
                        } else {
                            ip == w
                        }
                    })
                }))
            })
        }
        "zlib_decompress_from_base64_string" | "gzip_decompress_from_base64_string" => {
            use base64::Engine as _;
            use std::io::Read as _;
            let gzip = name.starts_with("gzip");
            map(&a, n, T::String, |v| {
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(s(v[0]).as_bytes()) else {
                    return Value::empty_str();
                };
                let mut out = String::new();
                let ok = if gzip {
                    flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut out).is_ok()
                } else {
                    flate2::read::ZlibDecoder::new(&bytes[..]).read_to_string(&mut out).is_ok()
                };
                if ok { Value::string(out) } else { Value::empty_str() }
            })
        }
        "convert_mass" | "convert_speed" => {
            // factors to kilograms / meters per second (exact definitions)
            let mass = name == "convert_mass";
            let unit = move |u: &str| -> Option<f64> {
                Some(match (mass, u.to_ascii_lowercase().as_str()) {
                    (true, "kilogram") => 1.0,
                    (true, "gram") => 1e-3,
                    (true, "milligram") => 1e-6,
                    (true, "microgram") => 1e-9,
                    (true, "tonne") => 1e3,
                    (true, "pound") => 0.453_592_37,
                    (true, "ounce") => 0.453_592_37 / 16.0,
                    (true, "stone") => 0.453_592_37 * 14.0,
                    (false, "meterpersecond") => 1.0,
                    (false, "kilometerperhour") => 1000.0 / 3600.0,
                    (false, "meterperhour") => 1.0 / 3600.0,
                    (false, "centimeterperhour") => 0.01 / 3600.0,
                    (false, "centimeterpersecond") => 0.01,
                    (false, "kilometerpersecond") => 1000.0,
                    (false, "mileperhour") => 1609.344 / 3600.0,
                    (false, "knot") => 1852.0 / 3600.0,
                    (false, "footpersecond") => 0.3048,
                    _ => return None,
                })
            };
            map(&a, n, T::Real, |v| match (v[0].as_f64(), unit(&s(v[1])), unit(&s(v[2]))) {
                (Some(x), Some(f), Some(t)) => Value::Real(x * f / t),
                _ => Value::Null,
            })
        }
        "ipv4_range_to_cidr_list" => map(&a, n, T::Dynamic, |v| match (ipv4(v[0]), ipv4(v[1])) {
            (Some((lo, _)), Some((hi, _))) if lo <= hi => {
                let (mut cur, end) = (lo as u64, hi as u64);
                let mut out = Vec::new();
                while cur <= end {
                    let mut size = if cur == 0 { 32 } else { (cur.trailing_zeros()).min(32) };
                    while size > 0 && cur + (1u64 << size) - 1 > end {
                        size -= 1;
                    }
                    out.push(Value::string(format!("{}/{}", ip_text(cur as u32), 32 - size)));
                    cur += 1u64 << size;
                }
                arr(out)
            }
            _ => Value::Null,
        }),
        "convert_angle" => {
            let unit = |u: &str| -> Option<f64> {
                Some(match u.to_ascii_lowercase().as_str() {
                    "degree" => 1.0,
                    "arcminute" => 1.0 / 60.0,
                    "arcsecond" => 1.0 / 3600.0,
                    "radian" => 180.0 / std::f64::consts::PI,
                    "gradian" => 0.9,
                    "turn" => 360.0,
                    _ => return None,
                })
            };
            map(&a, n, T::Real, |v| match (v[0].as_f64(), unit(&s(v[1])), unit(&s(v[2]))) {
                (Some(x), Some(f), Some(t)) => Value::Real(x * f / t),
                _ => Value::Null,
            })
        }
        "series_abs" | "series_ceiling" | "series_floor" | "series_sin" | "series_cos" | "series_tan"
        | "series_asin" | "series_acos" | "series_atan" | "series_exp" | "series_log" | "series_sign" => {
            let f: fn(f64) -> f64 = match name {
                "series_abs" => f64::abs,
                "series_ceiling" => f64::ceil,
                "series_floor" => f64::floor,
                "series_sin" => f64::sin,
                "series_cos" => f64::cos,
                "series_tan" => f64::tan,
                "series_asin" => f64::asin,
                "series_acos" => f64::acos,
                "series_atan" => f64::atan,
                "series_exp" => f64::exp,
                "series_log" => f64::ln,
                _ => |x: f64| if x == 0.0 { 0.0 } else { x.signum() },
            };
            map(&a, n, T::Dynamic, |v| match as_array(v[0]) {
                Some(items) => {
                    arr(items.iter().map(|x| x.as_f64().map(|y| Value::Real(f(y))).unwrap_or(Value::Null)).collect())
                }
                None => Value::Null,
            })
        }
        "series_add"
        | "series_subtract"
        | "series_multiply"
        | "series_divide"
        | "series_pow"
        | "series_greater"
        | "series_greater_equals"
        | "series_less"
        | "series_less_equals"
        | "series_equals"
        | "series_not_equals" => {
            arity(2, 2)?;
            map(&a, n, T::Dynamic, |v| {
                let len = match (as_array(v[0]), as_array(v[1])) {
                    (Some(x), Some(y)) => x.len().max(y.len()),
                    (Some(x), None) | (None, Some(x)) => x.len(),
                    (None, None) => return Value::Null,
                };
                arr((0..len)
                    .map(|i| {
                        let (x, y) = (pick(v[0], i), pick(v[1], i));
                        if x.is_null() || y.is_null() {
                            return Value::Null;
                        }
                        let op = match name {
                            "series_add" => Some(crate::kql::ast::BinaryOp::Add),
                            "series_subtract" => Some(crate::kql::ast::BinaryOp::Sub),
                            "series_multiply" => Some(crate::kql::ast::BinaryOp::Mul),
                            _ => None,
                        };
                        if let Some(op) = op {
                            let ty =
                                if matches!((&x, &y), (Value::Long(_), Value::Long(_))) { T::Long } else { T::Real };
                            return types::arith(op, &x, &y, ty);
                        }
                        let (Some(p), Some(q)) = (x.as_f64(), y.as_f64()) else { return Value::Null };
                        match name {
                            "series_divide" => Value::Real(p / q),
                            "series_pow" => Value::Real(p.powf(q)),
                            "series_greater" => Value::Bool(p > q),
                            "series_greater_equals" => Value::Bool(p >= q),
                            "series_less" => Value::Bool(p < q),
                            "series_less_equals" => Value::Bool(p <= q),
                            "series_equals" => Value::Bool(p == q),
                            _ => Value::Bool(p != q),
                        }
                    })
                    .collect())
            })
        }
        "series_sum" => map(&a, n, T::Real, |v| match as_array(v[0]) {
            Some(items) => Value::Real(items.iter().filter_map(|x| x.as_f64()).sum()),
            None => Value::Null,
        }),
        "series_fill_const" => map(&a, n, T::Dynamic, |v| match as_array(v[0]) {
            Some(items) => {
                let fill = v.get(1).map(|x| (*x).clone()).unwrap_or(Value::Long(0));
                let placeholder = v.get(2).map(|x| (*x).clone()).unwrap_or(Value::Null);
                arr(items.iter().map(|x| if *x == placeholder { fill.clone() } else { x.clone() }).collect())
            }
            None => Value::Null,
        }),
        "series_fill_forward" | "series_fill_backward" => map(&a, n, T::Dynamic, |v| match as_array(v[0]) {
            Some(items) => {
                let placeholder = v.get(1).map(|x| (*x).clone()).unwrap_or(Value::Null);
                let mut out: Vec<Value> = items.to_vec();
                let mut last: Option<Value> = None;
                let idx: Vec<usize> = if name == "series_fill_forward" {
                    (0..out.len()).collect()
                } else {
                    (0..out.len()).rev().collect()
                };
                for i in idx {
                    if out[i] == placeholder {
                        if let Some(l) = &last {
                            out[i] = l.clone();
                        }
                    } else {
                        last = Some(out[i].clone());
                    }
                }
                arr(out)
            }
            None => Value::Null,
        }),
        "series_iir" => map(&a, n, T::Dynamic, |v| match (as_array(v[0]), as_array(v[1]), as_array(v[2])) {
            (Some(x), Some(b), Some(c)) if !c.is_empty() => {
                let x: Vec<f64> = x.iter().map(|e| e.as_f64().unwrap_or(0.0)).collect();
                let b: Vec<f64> = b.iter().map(|e| e.as_f64().unwrap_or(0.0)).collect();
                let c: Vec<f64> = c.iter().map(|e| e.as_f64().unwrap_or(0.0)).collect();
                let mut y = vec![0.0; x.len()];
                for i in 0..x.len() {
                    let mut acc = 0.0;
                    for (k, bk) in b.iter().enumerate() {
                        if i >= k {
                            acc += bk * x[i - k];
                        }
                    }
                    for (k, ck) in c.iter().enumerate().skip(1) {
                        if i >= k {
                            acc -= ck * y[i - k];
                        }
                    }
                    y[i] = acc / c[0];
                }
                arr(y.into_iter().map(Value::Real).collect())
            }
            _ => Value::Null,
        }),
        "series_pearson_correlation" => map(&a, n, T::Real, |v| match (as_array(v[0]), as_array(v[1])) {
            (Some(x), Some(y)) if x.len() == y.len() && !x.is_empty() => {
                let xs: Vec<f64> = x.iter().map(|e| e.as_f64().unwrap_or(f64::NAN)).collect();
                let ys: Vec<f64> = y.iter().map(|e| e.as_f64().unwrap_or(f64::NAN)).collect();
                let nn = xs.len() as f64;
                let (mx, my) = (xs.iter().sum::<f64>() / nn, ys.iter().sum::<f64>() / nn);
                let cov: f64 = xs.iter().zip(&ys).map(|(p, q)| (p - mx) * (q - my)).sum();
                let vx: f64 = xs.iter().map(|p| (p - mx) * (p - mx)).sum();
                let vy: f64 = ys.iter().map(|q| (q - my) * (q - my)).sum();
                Value::Real(cov / (vx.sqrt() * vy.sqrt()))
            }
            _ => Value::Null,
        }),
        "gamma" => real_fn(&a, n, gamma),
        "loggamma" => real_fn(&a, n, ln_gamma),
        "erf" => real_fn(&a, n, erf),
        "erfc" => real_fn(&a, n, erfc),
        "beta_pdf" | "beta_cdf" if name == "beta_pdf" => map(&a, n, T::Real, |v| {
            let (Some(x), Some(al), Some(be)) = (v[0].as_f64(), v[1].as_f64(), v[2].as_f64()) else {
                return Value::Null;
            };
            if !(0.0..=1.0).contains(&x) || al <= 0.0 || be <= 0.0 {
                return Value::Real(f64::NAN);
            }
            let ln_b = ln_gamma(al) + ln_gamma(be) - ln_gamma(al + be);
            Value::Real(((al - 1.0) * x.ln() + (be - 1.0) * (1.0 - x).ln() - ln_b).exp())
        }),
        "ipv6_is_in_range" | "ipv6_is_match" | "ipv6_compare" => {
            map(&a, n, if name == "ipv6_compare" { T::Long } else { T::Bool }, |v| {
                let (Some((x, px)), Some((y, py))) = (ipv6(v[0]), ipv6(v[1])) else { return Value::Null };
                let p = if name == "ipv6_is_in_range" { py } else { px.min(py) };
                let p =
                    v.get(2).and_then(|e| e.as_i64()).map(|e| (e as u32).min(128)).unwrap_or(p).min(px.min(py).max(p));
                let m = mask128(p);
                match name {
                    "ipv6_compare" => Value::Long((x & m).cmp(&(y & m)) as i64),
                    _ => Value::Bool(x & m == y & m),
                }
            })
        }
        "series_fill_linear" => map(&a, n, T::Dynamic, |v| match as_array(v[0]) {
            Some(items) => {
                let placeholder = v.get(1).map(|x| (*x).clone()).unwrap_or(Value::Null);
                let edges = !matches!(v.get(2), Some(Value::Bool(false)));
                let constant = v.get(3).and_then(|x| x.as_f64()).unwrap_or(0.0);
                let known: Vec<(usize, f64)> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| **x != placeholder)
                    .filter_map(|(i, x)| Some((i, x.as_f64()?)))
                    .collect();
                if known.is_empty() {
                    // nothing to interpolate from: every element takes the constant (default 0)
                    return arr(items.iter().map(|_| Value::Real(constant)).collect());
                }
                // an array of integers stays integers (interpolated values truncated)
                let ints = items.iter().filter(|x| **x != placeholder).all(|x| matches!(x, Value::Long(_)));
                let num = |y: f64| if ints { Value::Long(y.trunc() as i64) } else { Value::Real(y) };
                let mut out = Vec::with_capacity(items.len());
                for (i, x) in items.iter().enumerate() {
                    if *x != placeholder {
                        out.push(if ints {
                            x.clone()
                        } else {
                            x.as_f64().map(Value::Real).unwrap_or_else(|| x.clone())
                        });
                        continue;
                    }
                    let before = known.iter().rev().find(|(k, _)| *k < i);
                    let after = known.iter().find(|(k, _)| *k > i);
                    out.push(match (before, after) {
                        (Some((i0, y0)), Some((i1, y1))) => num(y0 + (y1 - y0) * (i - i0) as f64 / (i1 - i0) as f64),
                        (Some((_, y)), None) | (None, Some((_, y))) if edges => num(*y),
                        _ => x.clone(),
                    });
                }
                arr(out)
            }
            None => Value::Null,
        }),
        "regex_quote" => map(&a, n, T::String, |v| Value::string(regex::escape(&s(v[0])))),
        "isascii" => map(&a, n, T::Bool, |v| Value::Bool(s(v[0]).is_ascii())),
        "isutf8" => map(&a, n, T::Bool, |_| Value::Bool(true)),
        "unicode_codepoints_from_string" => {
            map(&a, n, T::Dynamic, |v| arr(s(v[0]).chars().map(|c| Value::Long(c as i64)).collect()))
        }
        "unicode_codepoints_to_string" => map(&a, n, T::String, |v| {
            let mut out = String::new();
            for x in v.iter() {
                let items: Vec<Value> = match as_array(x) {
                    Some(a) => a.to_vec(),
                    None => vec![(*x).clone()],
                };
                for it in items {
                    if let Some(c) = it.as_i64().and_then(|c| char::from_u32(c as u32)) {
                        out.push(c);
                    }
                }
            }
            Value::string(out)
        }),
        "base64_encode_tostring" => {
            use base64::Engine as _;
            map(&a, n, T::String, |v| {
                Value::string(base64::engine::general_purpose::STANDARD.encode(s(v[0]).as_bytes()))
            })
        }
        "base64_decode_tostring" => {
            use base64::Engine as _;
            map(&a, n, T::String, |v| {
                match base64::engine::general_purpose::STANDARD
                    .decode(s(v[0]).as_bytes())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                {
                    Some(x) => Value::string(x),
                    None => Value::empty_str(),
                }
            })
        }
        "base64_encode_fromguid" => {
            use base64::Engine as _;
            map(&a, n, T::String, |v| match v[0] {
                Value::Guid(g) => Value::string(base64::engine::general_purpose::STANDARD.encode(guid_bytes(*g))),
                _ => Value::empty_str(),
            })
        }
        "hash_sha256" => map(&a, n, T::String, |v| {
            let d = ring::digest::digest(&ring::digest::SHA256, s(v[0]).as_bytes());
            Value::string(d.as_ref().iter().map(|b| format!("{b:02x}")).collect())
        }),
        "hash_sha1" => map(&a, n, T::String, |v| {
            let d = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, s(v[0]).as_bytes());
            Value::string(d.as_ref().iter().map(|b| format!("{b:02x}")).collect())
        }),
        "url_encode" | "url_encode_component" => {
            map(&a, n, T::String, |v| Value::string(url_encode(&s(v[0]), name == "url_encode")))
        }
        "url_decode" => map(&a, n, T::String, |v| Value::string(url_decode(&s(v[0])))),
        // ---- dynamic
        "array_length" | "arraylength" => map(&a, n, T::Long, |v| match v[0] {
            Value::Array(x) => Value::Long(x.len() as i64),
            _ => Value::Null,
        }),
        "pack_array" => map(&a, n, T::Dynamic, |v| arr(v.iter().map(|x| (*x).clone()).collect())),
        "bag_pack" | "pack" | "pack_dictionary" => {
            if !argc.is_multiple_of(2) {
                return Err(EngineError::invalid("`bag_pack` takes key/value pairs", e.range));
            }
            map(&a, n, T::Dynamic, |v| {
                let mut out: Vec<(String, Value)> = Vec::new();
                for p in v.chunks(2) {
                    let k = s(p[0]).into_owned();
                    out.retain(|(ok, _)| *ok != k);
                    out.push((k, p[1].clone()));
                }
                Value::Bag(Arc::new(out))
            })
        }
        "bag_keys" => map(&a, n, T::Dynamic, |v| match v[0] {
            Value::Bag(b) => strings(b.iter().map(|(k, _)| k.clone())),
            _ => Value::Null,
        }),
        "bag_has_key" => map(&a, n, T::Bool, |v| match v[0] {
            Value::Bag(b) => Value::Bool(b.iter().any(|(k, _)| *k == s(v[1]))),
            _ => Value::Bool(false),
        }),
        "bag_merge" => map(&a, n, T::Dynamic, |v| {
            let mut out: Vec<(String, Value)> = Vec::new();
            for x in v {
                if let Value::Bag(b) = x {
                    for (k, val) in b.iter() {
                        if !out.iter().any(|(ok, _)| ok == k) {
                            out.push((k.clone(), val.clone()));
                        }
                    }
                }
            }
            Value::Bag(Arc::new(out))
        }),
        "bag_remove_keys" => map(&a, n, T::Dynamic, |v| match (v[0], as_array(v[1])) {
            (Value::Bag(_), Some(keys)) => {
                let mut out = v[0].clone();
                for k in keys {
                    let k = s(k);
                    let path: Vec<&str> = k.trim_start_matches("$.").trim_start_matches('$').split('.').collect();
                    out = remove_path(&out, &path);
                }
                out
            }
            _ => Value::Null,
        }),
        "array_concat" => map(&a, n, T::Dynamic, |v| {
            let mut out = Vec::new();
            for x in v {
                match as_array(x) {
                    Some(items) => out.extend(items.iter().cloned()),
                    None => return Value::Null,
                }
            }
            arr(out)
        }),
        "array_slice" => map(&a, n, T::Dynamic, |v| match (as_array(v[0]), v[1].as_i64(), v[2].as_i64()) {
            (Some(items), Some(st), Some(en)) => {
                let len = items.len() as i64;
                let st = if st < 0 { (len + st).max(0) } else { st };
                let en = if en < 0 { len + en } else { en.min(len - 1) };
                if st > en || st >= len { arr(vec![]) } else { arr(items[st as usize..=en as usize].to_vec()) }
            }
            _ => Value::Null,
        }),
        "array_reverse" => map(&a, n, T::Dynamic, |v| match as_array(v[0]) {
            Some(items) => arr(items.iter().rev().cloned().collect()),
            None => Value::Null,
        }),
        "array_sum" => map(&a, n, T::Real, |v| match as_array(v[0]) {
            Some(items) => Value::Real(items.iter().filter_map(|x| x.as_f64()).sum()),
            None => Value::Null,
        }),
        "array_sort_asc" | "array_sort_desc" if argc == 1 || (argc == 2 && a[1].ty == T::Bool) => {
            map(&a, n, T::Dynamic, |v| match as_array(v[0]) {
                Some(items) => {
                    let mut nonnull: Vec<Value> = items.iter().filter(|x| !x.is_null()).cloned().collect();
                    let nulls = items.len() - nonnull.len();
                    nonnull.sort_by(compare);
                    let nulls_last = match v.get(1) {
                        Some(Value::Bool(b)) => *b,
                        _ => name == "array_sort_desc",
                    };
                    if name == "array_sort_desc" {
                        nonnull.reverse();
                    }
                    if nulls_last {
                        nonnull.extend(std::iter::repeat_n(Value::Null, nulls));
                    } else {
                        let mut out = vec![Value::Null; nulls];
                        out.extend(nonnull);
                        nonnull = out;
                    }
                    arr(nonnull)
                }
                None => Value::Null,
            })
        }
        "array_shift_left" | "array_shift_right" | "array_rotate_left" | "array_rotate_right" => {
            map(&a, n, T::Dynamic, |v| match (as_array(v[0]), v[1].as_i64()) {
                (Some(items), Some(k)) => {
                    let len = items.len() as i64;
                    if len == 0 {
                        return arr(vec![]);
                    }
                    let left = name.ends_with("left");
                    if name.starts_with("array_rotate") {
                        let k = k.rem_euclid(len) as usize;
                        let mut out = items.to_vec();
                        if left {
                            out.rotate_left(k)
                        } else {
                            out.rotate_right(k)
                        }
                        arr(out)
                    } else {
                        let fill = v.get(2).map(|x| (*x).clone()).unwrap_or(Value::Null);
                        let k = if left { k } else { -k };
                        arr((0..len)
                            .map(|i| {
                                let j = i + k;
                                if j >= 0 && j < len { items[j as usize].clone() } else { fill.clone() }
                            })
                            .collect())
                    }
                }
                _ => Value::Null,
            })
        }
        "set_union" | "set_intersect" | "set_difference" => map(&a, n, T::Dynamic, |v| {
            let Some(first) = as_array(v[0]) else { return Value::Null };
            let others: Option<Vec<&[Value]>> = v[1..].iter().map(|x| as_array(x)).collect();
            let Some(others) = others else { return Value::Null };
            arr(set_op(&name[4..], first, &others))
        }),
        "set_has_element" => map(&a, n, T::Bool, |v| match as_array(v[0]) {
            Some(items) => Value::Bool(items.iter().any(|x| types::cmp_values(x, v[1]).is_some_and(|o| o.is_eq()))),
            None => Value::Null,
        }),
        "jaccard_index" => map(&a, n, T::Real, |v| match (as_array(v[0]), as_array(v[1])) {
            (Some(x), Some(y)) => {
                let inter = set_op("intersect", x, &[y]).len() as f64;
                let uni = set_op("union", x, &[y]).len() as f64;
                if uni == 0.0 { Value::Real(f64::NAN) } else { Value::Real(inter / uni) }
            }
            _ => Value::Null,
        }),
        "zip" => map(&a, n, T::Dynamic, |v| {
            let arrays: Option<Vec<&[Value]>> = v.iter().map(|x| as_array(x)).collect();
            let Some(arrays) = arrays else { return Value::Null };
            let len = arrays.iter().map(|x| x.len()).max().unwrap_or(0);
            arr((0..len)
                .map(|i| arr(arrays.iter().map(|x| x.get(i).cloned().unwrap_or(Value::Null)).collect()))
                .collect())
        }),
        "bag_zip" => map(&a, n, T::Dynamic, |v| match (as_array(v[0]), as_array(v[1])) {
            (Some(k), Some(vals)) => Value::Bag(Arc::new(
                k.iter()
                    .enumerate()
                    .filter(|(_, key)| matches!(key, Value::String(_)))
                    .map(|(i, key)| (s(key).into_owned(), vals.get(i).cloned().unwrap_or(Value::Null)))
                    .collect(),
            )),
            _ => Value::Null,
        }),
        "array_iff" | "array_iif" => map(&a, n, T::Dynamic, |v| match as_array(v[0]) {
            Some(c) => arr(c
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let take = match b {
                        Value::Bool(x) => Some(*x),
                        Value::Long(k) => Some(*k != 0),
                        _ => None,
                    };
                    match take {
                        Some(true) => pick(v[1], i),
                        Some(false) => pick(v[2], i),
                        None => Value::Null,
                    }
                })
                .collect()),
            None => Value::Null,
        }),
        "repeat" => map(&a, n, T::Dynamic, |v| match v[1].as_i64() {
            Some(k) if k >= 0 => arr(vec![v[0].clone(); k as usize]),
            _ => Value::Null,
        }),
        "range" => map(&a, n, T::Dynamic, |v| {
            let step = v.get(2).map(|x| (*x).clone()).unwrap_or(match v[0] {
                Value::DateTime(_) => Value::TimeSpan(TICK_HOUR),
                _ => Value::Long(1),
            });
            let mut out = Vec::new();
            let mut x = v[0].clone();
            let ty = common_type(&[a[0].ty, a[1].ty]);
            while out.len() < 1_048_576 {
                match compare(&x, v[1]) {
                    std::cmp::Ordering::Greater if !matches!(step.as_f64(), Some(st) if st < 0.0) => break,
                    std::cmp::Ordering::Less if matches!(step.as_f64(), Some(st) if st < 0.0) => break,
                    _ => {}
                }
                if x.is_null() {
                    return Value::Null;
                }
                out.push(x.clone());
                let op = crate::kql::ast::BinaryOp::Add;
                let next_ty = types::arith_type(
                    op,
                    if a[0].ty == T::Dynamic { T::Long } else { ty },
                    a.get(2).map_or(T::Long, |c| c.ty),
                )
                .unwrap_or(T::Real);
                x = types::arith(op, &x, &step, next_ty);
            }
            arr(out)
        }),
        // ---- datetime
        "startofday" | "startofweek" | "startofmonth" | "startofyear" | "endofday" | "endofweek" | "endofmonth"
        | "endofyear" => {
            let kind = name.trim_start_matches("startof").trim_start_matches("endof").to_string();
            let start = name.starts_with("start");
            map(&a, n, T::DateTime, |v| match v[0] {
                Value::DateTime(x) => {
                    let off = v.get(1).and_then(|o| o.as_i64()).unwrap_or(0);
                    let r = if start { start_of(&kind, *x, off) } else { end_of(&kind, *x, off) };
                    r.map(Value::DateTime).unwrap_or(Value::Null)
                }
                _ => Value::Null,
            })
        }
        "dayofweek" => map(&a, n, T::TimeSpan, |v| match v[0] {
            Value::DateTime(x) => Value::TimeSpan(dt::weekday(*x) * TICK_DAY),
            _ => Value::Null,
        }),
        "dayofmonth" | "dayofyear" | "hourofday" | "getyear" | "getmonth" | "monthofyear" | "week_of_year" => {
            map(&a, n, if matches!(name, "hourofday" | "getyear") { T::Long } else { T::Int }, |v| match v[0] {
                Value::DateTime(x) => {
                    let p = dt::to_parts(*x);
                    Value::Long(match name {
                        "dayofmonth" => p.day as i64,
                        "dayofyear" => (dt::start_of_day(*x) - dt::start_of_year(*x)) / TICK_DAY + 1,
                        "hourofday" => p.hour as i64,
                        "getyear" => p.year,
                        "week_of_year" => dt::iso_week(*x),
                        _ => p.month as i64,
                    })
                }
                _ => Value::Null,
            })
        }
        "datetime_part" => {
            let part = v0_str(&a);
            map(&a, n, T::Long, |v| match v[1] {
                Value::DateTime(x) => {
                    let p = dt::to_parts(*x);
                    let r = match part.as_str() {
                        "year" => p.year,
                        "quarter" => (p.month as i64 - 1) / 3 + 1,
                        "month" => p.month as i64,
                        "week_of_year" | "weekofyear" => dt::iso_week(*x),
                        "day" => p.day as i64,
                        "dayofyear" => (dt::start_of_day(*x) - dt::start_of_year(*x)) / TICK_DAY + 1,
                        "hour" => p.hour as i64,
                        "minute" => p.minute as i64,
                        "second" => p.second as i64,
                        "millisecond" => p.frac as i64 / 10_000,
                        "microsecond" => p.frac as i64 / 10,
                        "nanosecond" => p.frac as i64 * 100,
                        _ => return Value::Null,
                    };
                    Value::Long(r)
                }
                _ => Value::Null,
            })
        }
        "datetime_add" => {
            arity(3, 3)?;
            let part = v0_str(&a);
            if datetime_part_ticks(&part).is_none() && !matches!(part.as_str(), "year" | "quarter" | "month") {
                return Err(EngineError::invalid(format!("unknown datetime part `{part}`"), args[0].range));
            }
            map(&a, n, T::DateTime, |v| match (v[1].as_i64(), v[2]) {
                (Some(k), Value::DateTime(x)) => datetime_add(&part, k, *x).map(Value::DateTime).unwrap_or(Value::Null),
                _ => Value::Null,
            })
        }
        "datetime_diff" => {
            arity(3, 3)?;
            let part = v0_str(&a);
            if datetime_diff(&part, 0, 0).is_none() {
                return Err(EngineError::invalid(format!("unknown datetime part `{part}`"), args[0].range));
            }
            map(&a, n, T::Long, |v| match (v[1], v[2]) {
                (Value::DateTime(x), Value::DateTime(y)) => {
                    datetime_diff(&part, *x, *y).map(Value::Long).unwrap_or(Value::Null)
                }
                _ => Value::Null,
            })
        }
        "format_datetime" => map(&a, n, T::String, |v| match v[0] {
            Value::DateTime(x) => Value::string(dt::format_with(*x, &s(v[1]))),
            _ => Value::empty_str(),
        }),
        "make_datetime" => map(&a, n, T::DateTime, |v| {
            let get = |i: usize| v.get(i).and_then(|x| x.as_f64());
            let (Some(y), Some(mo), Some(d)) = (get(0), get(1), get(2)) else { return Value::Null };
            let (h, mi, sec) = (get(3).unwrap_or(0.0), get(4).unwrap_or(0.0), get(5).unwrap_or(0.0));
            let (y, mo, d) = (y as i64, mo as u32, d as u32);
            if !(1..=12).contains(&mo)
                || !(1..=9999).contains(&y)
                || d == 0
                || d > dt::days_in_month(y, mo)
                || !(0.0..24.0).contains(&h)
                || !(0.0..60.0).contains(&mi)
                || !(0.0..60.0).contains(&sec)
            {
                return Value::Null;
            }
            let p = dt::Parts { year: y, month: mo, day: d, hour: h as u32, minute: mi as u32, second: 0, frac: 0 };
            Value::DateTime(dt::from_parts(&p) + (sec * TICK_SECOND as f64).round() as i64)
        }),
        "make_timespan" => map(&a, n, T::TimeSpan, |v| {
            let nums: Vec<f64> = v.iter().filter_map(|x| x.as_f64()).collect();
            if nums.len() != v.len() {
                return Value::Null;
            }
            let t = match nums.as_slice() {
                [h, m] => h * TICK_HOUR as f64 + m * TICK_MINUTE as f64,
                [h, m, sec] => h * TICK_HOUR as f64 + m * TICK_MINUTE as f64 + sec * TICK_SECOND as f64,
                [d, h, m, sec] => {
                    d * TICK_DAY as f64 + h * TICK_HOUR as f64 + m * TICK_MINUTE as f64 + sec * TICK_SECOND as f64
                }
                _ => return Value::Null,
            };
            Value::TimeSpan(t.round() as i64)
        }),
        "unixtime_seconds_todatetime"
        | "unixtime_milliseconds_todatetime"
        | "unixtime_microseconds_todatetime"
        | "unixtime_nanoseconds_todatetime" => {
            let per = match name {
                "unixtime_seconds_todatetime" => TICK_SECOND as f64,
                "unixtime_milliseconds_todatetime" => 10_000.0,
                "unixtime_microseconds_todatetime" => 10.0,
                _ => 0.01,
            };
            map(&a, n, T::DateTime, |v| match v[0].as_f64() {
                Some(x) => Value::DateTime(dt::UNIX_EPOCH + (x * per).round() as i64),
                None => Value::Null,
            })
        }
        "format_timespan" => map(&a, n, T::String, |v| match v[0] {
            Value::TimeSpan(x) => Value::string(format_timespan_with(*x, &s(v[1]))),
            _ => Value::empty_str(),
        }),
        // ---- ip addresses
        "parse_ipv4" => map(&a, n, T::Long, |v| match ipv4(v[0]) {
            Some((ip, p)) => Value::Long((ip & mask(p)) as i64),
            None => Value::Null,
        }),
        "parse_ipv4_mask" => map(&a, n, T::Long, |v| match (ipv4(v[0]), v[1].as_i64()) {
            (Some((ip, _)), Some(p)) if (0..=32).contains(&p) => Value::Long((ip & mask(p as u32)) as i64),
            _ => Value::Null,
        }),
        "ipv4_is_private" => map(&a, n, T::Bool, |v| match ipv4(v[0]) {
            Some((ip, _)) => {
                let a8 = ip >> 24;
                let b = (ip >> 16) & 255;
                Value::Bool(a8 == 10 || (a8 == 172 && (16..32).contains(&b)) || (a8 == 192 && b == 168))
            }
            None => Value::Null,
        }),
        "ipv4_is_in_range" => map(&a, n, T::Bool, |v| match (ipv4(v[0]), ipv4(v[1])) {
            (Some((ip, _)), Some((net, p))) => Value::Bool(ip & mask(p) == net & mask(p)),
            _ => Value::Null,
        }),
        "ipv4_is_in_any_range" => map(&a, n, T::Bool, |v| {
            let Some((ip, _)) = ipv4(v[0]) else { return Value::Null };
            let mut ranges = Vec::new();
            for x in &v[1..] {
                match as_array(x) {
                    Some(items) => ranges.extend(items.iter().cloned()),
                    None => ranges.push((*x).clone()),
                }
            }
            Value::Bool(ranges.iter().any(|r| ipv4(r).is_some_and(|(net, p)| ip & mask(p) == net & mask(p))))
        }),
        "ipv4_compare" | "ipv4_is_match" => map(&a, n, if name == "ipv4_compare" { T::Long } else { T::Bool }, |v| {
            let (Some((x, px)), Some((y, py))) = (ipv4(v[0]), ipv4(v[1])) else { return Value::Null };
            let p = v.get(2).and_then(|p| p.as_i64()).map(|p| p as u32).unwrap_or(px.min(py)).min(px.min(py));
            let (x, y) = (x & mask(p), y & mask(p));
            if name == "ipv4_compare" { Value::Long(x.cmp(&y) as i64) } else { Value::Bool(x == y) }
        }),
        "format_ipv4" | "format_ipv4_mask" => map(&a, n, T::String, |v| {
            let ip = match v[0] {
                Value::Long(x) if (0..=u32::MAX as i64).contains(x) => Some((*x as u32, 32)),
                other => ipv4(other),
            };
            let Some((ip, own)) = ip else { return Value::empty_str() };
            let p = match v.get(1) {
                Some(x) => match x.as_i64() {
                    Some(p) if (0..=32).contains(&p) => p as u32,
                    _ => return Value::empty_str(),
                },
                None => own,
            };
            let p = p.min(own);
            let masked = ip_text(ip & mask(p));
            if name == "format_ipv4" { Value::string(masked) } else { Value::string(format!("{masked}/{p}")) }
        }),
        _ => match crate::engine::more::call(name, &a, e, t) {
            Some(r) => r?,
            None => return Err(unsupported()),
        },
    })
}

/// Element `i` of an array, or the value itself when it is a scalar.
fn pick(v: &Value, i: usize) -> Value {
    match v {
        Value::Array(a) => a.get(i).cloned().unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// The valid IPv4 addresses in `text`, each delimited by characters that
/// are not letters, digits or dots.
fn find_ipv4s(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.')) {
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
                j += 1;
            }
            let cand = &text[i..j];
            let ends_ok = j == b.len() || !b[j].is_ascii_alphanumeric();
            if ends_ok && ipv4(&Value::str(cand)).is_some() && !cand.contains('/') {
                out.push(cand.to_string());
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn remove_path(v: &Value, path: &[&str]) -> Value {
    let Value::Bag(b) = v else { return v.clone() };
    match path {
        [] => v.clone(),
        [k] => Value::Bag(Arc::new(b.iter().filter(|(x, _)| x != k).cloned().collect())),
        [k, rest @ ..] => Value::Bag(Arc::new(
            b.iter()
                .map(|(x, val)| if x == k { (x.clone(), remove_path(val, rest)) } else { (x.clone(), val.clone()) })
                .collect(),
        )),
    }
}

/// `indexof`/`array_index_of` arguments: start (negative from the end),
/// how many positions to try (-1: all), which occurrence.
fn index_search(len: usize, v: &[&Value], at: impl Fn(usize) -> bool) -> Value {
    let len = len as i64;
    let mut start = v.get(2).and_then(|x| x.as_i64()).unwrap_or(0);
    if start < 0 {
        start = (len + start).max(0);
    }
    if start > len {
        return Value::Long(-1);
    }
    let last = match v.get(3).and_then(|x| x.as_i64()) {
        Some(l) if l < -1 => return Value::Null,
        Some(-1) | None => len - 1,
        Some(l) => (start + l - 1).min(len - 1),
    };
    let occurrence = v.get(4).and_then(|x| x.as_i64()).unwrap_or(1);
    if occurrence <= 0 {
        return Value::Null;
    }
    let mut found = 0;
    let mut i = start;
    while i <= last {
        if at(i as usize) {
            found += 1;
            if found == occurrence {
                return Value::Long(i);
            }
        }
        i += 1;
    }
    Value::Long(-1)
}

fn type_arg(e: &Expr) -> EResult<ScalarType> {
    if let ExprKind::Call { func, args } = &e.kind
        && matches!(&func.kind, ExprKind::Name(n) if n.text == "typeof")
        && let Some(ExprKind::Name(t)) = args.first().map(|a| &a.kind)
        && let Some(ty) = ScalarType::parse(&t.text)
    {
        return Ok(ty);
    }
    Err(EngineError::unsupported("this type argument", e.range))
}

fn guid_bytes(g: u128) -> [u8; 16] {
    // .NET's Guid.ToByteArray: the first three groups little-endian
    let b = g.to_be_bytes();
    [b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]]
}

fn url_encode(s: &str, plus_for_space: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'*' | b'(' | b')' => {
                out.push(b as char)
            }
            b' ' if plus_for_space => out.push('+'),
            _ => out.push_str(&format!("%{b:02x}")),
        }
    }
    out
}

fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                Err(_) => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn format_timespan_with(t: i64, fmt: &str) -> String {
    let neg = t < 0;
    let t = t.unsigned_abs() as i64;
    let days = t / TICK_DAY;
    let h = t % TICK_DAY / TICK_HOUR;
    let m = t % TICK_HOUR / TICK_MINUTE;
    let sec = t % TICK_MINUTE / TICK_SECOND;
    let frac = t % TICK_SECOND;
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        let pad = |v: i64| if n >= 2 { format!("{v:0w$}", w = n) } else { v.to_string() };
        match c {
            'd' => out.push_str(&pad(days)),
            'h' | 'H' => out.push_str(&pad(h)),
            'm' => out.push_str(&pad(m)),
            's' => out.push_str(&pad(sec)),
            'f' | 'F' => {
                let d = format!("{frac:07}");
                let take = &d[..n.min(7)];
                out.push_str(if c == 'F' { take.trim_end_matches('0') } else { take });
            }
            '\'' | '"' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != c {
                    out.push(chars[j]);
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            '\\' if i + 1 < chars.len() => {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            _ => (0..n).for_each(|_| out.push(c)),
        }
        i += n;
    }
    out
}

/// Row functions: they read the table's row order.
fn row_function(ctx: &Ctx, name: &str, args: &[Expr], e: &Expr, t: &Table) -> EResult<Col> {
    let n = t.len;
    let mut a = Vec::new();
    for x in args {
        a.push(ctx.scalar(x, t)?);
    }
    let restart = |k: usize, i: usize| a.get(k).is_some_and(|c| matches!(c.vals[i], Value::Bool(true)));
    Ok(match name {
        "row_number" => {
            let start = a.first().and_then(|c| c.vals.first()).and_then(|v| v.as_i64()).unwrap_or(1);
            let mut cur = start - 1;
            Col::new(
                T::Long,
                (0..n)
                    .map(|i| {
                        cur = if restart(1, i) { start } else { cur + 1 };
                        Value::Long(cur)
                    })
                    .collect(),
            )
        }
        "row_cumsum" => {
            let x = a.first().ok_or_else(|| EngineError::invalid("`row_cumsum` needs a column", e.range))?;
            let ty = if x.ty == T::Int { T::Long } else { x.ty };
            let mut acc = Value::Null;
            Col::new(
                ty,
                (0..n)
                    .map(|i| {
                        if restart(1, i) || acc.is_null() {
                            acc = match &x.vals[i] {
                                Value::Null => {
                                    if ty == T::Real {
                                        Value::Real(0.0)
                                    } else {
                                        Value::Long(0)
                                    }
                                }
                                v => v.clone(),
                            };
                        } else if !x.vals[i].is_null() {
                            acc = types::arith(crate::kql::ast::BinaryOp::Add, &acc, &x.vals[i], ty);
                        }
                        acc.clone()
                    })
                    .collect(),
            )
        }
        "row_window_session" => {
            if a.len() < 3 {
                return Err(EngineError::invalid("`row_window_session` takes a column and two timespans", e.range));
            }
            let x = &a[0];
            let (Some(max_first), Some(max_gap)) =
                (a[1].vals.first().and_then(|v| v.as_i64()), a[2].vals.first().and_then(|v| v.as_i64()))
            else {
                return Ok(Col::new(x.ty, vec![Value::null_of(x.ty); n]));
            };
            let mut start: Option<i64> = None;
            let mut prev: Option<i64> = None;
            let vals = (0..n)
                .map(|i| {
                    let Some(v) = x.vals[i].as_i64() else { return Value::Null };
                    let new = match (start, prev) {
                        (Some(s0), Some(p)) => restart(3, i) || v - s0 > max_first || v - p > max_gap,
                        _ => true,
                    };
                    if new {
                        start = Some(v);
                    }
                    prev = Some(v);
                    let s0 = start.unwrap_or(v);
                    if x.ty == T::DateTime { Value::DateTime(s0) } else { Value::Long(s0) }
                })
                .collect();
            Col::new(x.ty, vals)
        }
        "prev" | "next" => {
            let x = a.first().ok_or_else(|| EngineError::invalid(format!("`{name}` needs a column"), e.range))?;
            let off = a.get(1).and_then(|c| c.vals.first()).and_then(|v| v.as_i64()).unwrap_or(1);
            let def = a.get(2);
            Col::new(
                x.ty,
                (0..n as i64)
                    .map(|i| {
                        let j = if name == "prev" { i.checked_sub(off) } else { i.checked_add(off) };
                        if let Some(j) = j.filter(|j| (0..n as i64).contains(j)) {
                            x.vals[j as usize].clone()
                        } else {
                            def.map(|d| d.vals[i as usize].clone()).unwrap_or(Value::null_of(x.ty))
                        }
                    })
                    .collect(),
            )
        }
        _ => {
            let x = a.first().ok_or_else(|| EngineError::invalid(format!("`{name}` needs a column"), e.range))?;
            let dense = name == "row_rank_dense";
            let mut rank = 0i64;
            let mut part_start = 0usize;
            Col::new(
                T::Long,
                (0..n)
                    .map(|i| {
                        if i == 0 || restart(1, i) {
                            rank = 1;
                            part_start = i;
                        } else if x.vals[i] != x.vals[i - 1] {
                            rank = if dense { rank + 1 } else { (i - part_start) as i64 + 1 };
                        }
                        Value::Long(rank)
                    })
                    .collect(),
            )
        }
    })
}

#[allow(dead_code)]
fn unused_format(v: f64) -> String {
    format_real(v)
}
