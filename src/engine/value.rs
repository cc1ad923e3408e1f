//! One cell value. A column's [`ScalarType`] says how its values are read:
//! `Long` holds both `int` and `long` cells, `DateTime`/`TimeSpan` are 100 ns
//! ticks, and `dynamic` cells hold any value including `Array`/`Bag` trees.
//! Strings are never null in Kusto (empty instead), so a string column holds
//! no `Null`.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::engine::datetime;
use crate::kql::types::ScalarType;

#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Long(i64),
    Real(f64),
    DateTime(i64),
    TimeSpan(i64),
    Guid(u128),
    String(Arc<str>),
    Array(Arc<Vec<Value>>),
    /// A property bag, keys in insertion order.
    Bag(Arc<Vec<(String, Value)>>),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::String(Arc::from(s))
    }

    pub fn string(s: String) -> Value {
        Value::String(Arc::from(s))
    }

    pub fn empty_str() -> Value {
        Value::String(Arc::from(""))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The null of a column type (`""` for strings).
    pub fn null_of(ty: ScalarType) -> Value {
        if ty == ScalarType::String { Value::empty_str() } else { Value::Null }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Long(v) => Some(*v as f64),
            Value::Real(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Long(v) => Some(*v),
            Value::Real(v) if v.is_finite() => Some(v.trunc() as i64),
            Value::DateTime(v) | Value::TimeSpan(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The type a value has when it sits in a `dynamic` cell.
    pub fn dynamic_kind(&self) -> ScalarType {
        match self {
            Value::Bool(_) => ScalarType::Bool,
            Value::Long(_) => ScalarType::Long,
            Value::Real(_) => ScalarType::Real,
            Value::DateTime(_) => ScalarType::DateTime,
            Value::TimeSpan(_) => ScalarType::TimeSpan,
            Value::Guid(_) => ScalarType::Guid,
            Value::String(_) => ScalarType::String,
            _ => ScalarType::Dynamic,
        }
    }

    /// From a JSON value (dynamic cells, JSON files).
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Long(i),
                None => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::str(s),
            serde_json::Value::Array(a) => Value::Array(Arc::new(a.iter().map(Value::from_json).collect())),
            serde_json::Value::Object(o) => {
                Value::Bag(Arc::new(o.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect()))
            }
        }
    }

    /// As JSON inside a dynamic value: datetimes with 7 fraction digits,
    /// reals as numbers (NaN as a string, like Kusto).
    pub fn to_json_dynamic(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Long(v) => J::from(*v),
            Value::Real(v) => real_json(*v),
            Value::DateTime(t) => J::String(datetime::format_iso(*t, true)),
            Value::TimeSpan(t) => J::String(datetime::format_timespan(*t)),
            Value::Guid(g) => J::String(format_guid(*g)),
            Value::String(s) => J::String(s.to_string()),
            Value::Array(a) => J::Array(a.iter().map(Value::to_json_dynamic).collect()),
            Value::Bag(b) => J::Object(b.iter().map(|(k, v)| (k.clone(), v.to_json_dynamic())).collect()),
        }
    }

    /// As the query API writes a cell of a column of type `ty`.
    pub fn to_json_cell(&self, ty: ScalarType) -> serde_json::Value {
        use serde_json::Value as J;
        match (ty, self) {
            (_, Value::Null) => J::Null,
            (ScalarType::DateTime, Value::DateTime(t)) => J::String(datetime::format_iso(*t, false)),
            (ScalarType::Int | ScalarType::Long, Value::Long(v)) => J::from(*v),
            (_, v) => v.to_json_dynamic(),
        }
    }

    /// `tostring()`: Kusto's text of a value (dynamic values as compact JSON).
    pub fn to_kusto_string(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => if *b { "true" } else { "false" }.to_string(),
            Value::Long(v) => v.to_string(),
            Value::Real(v) => format_real(*v),
            Value::DateTime(t) => datetime::format_iso(*t, true),
            Value::TimeSpan(t) => datetime::format_timespan(*t),
            Value::Guid(g) => format_guid(*g),
            Value::String(s) => s.to_string(),
            Value::Array(_) | Value::Bag(_) => json_text(&self.to_json_dynamic()),
        }
    }
}

/// Compact JSON text, as Kusto writes dynamic values in strings.
pub fn json_text(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

pub fn real_json(v: f64) -> serde_json::Value {
    if v.is_nan() {
        serde_json::Value::String("NaN".into())
    } else if v.is_infinite() {
        serde_json::Value::String(if v > 0.0 { "Infinity" } else { "-Infinity" }.into())
    } else {
        serde_json::Number::from_f64(v).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null)
    }
}

/// Kusto's text of a real: shortest round-trip digits, `1` not `1.0`.
pub fn format_real(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let s = format!("{v}");
    let abs = v.abs();
    if abs != 0.0 && !(1e-5..1e15).contains(&abs) {
        // .NET "R" switches to exponent form outside this range.
        let e = format!("{v:e}");
        let (m, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        return format!("{m}E{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    s
}

pub fn format_guid(g: u128) -> String {
    let h = format!("{g:032x}");
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

pub fn parse_guid(s: &str) -> Option<u128> {
    let t = s.trim().trim_start_matches('{').trim_end_matches('}');
    let hex: String = t.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let dashed = t.len() == 36;
    if t.len() != 32 && !dashed {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

/// Equality used by grouping, `distinct` and join keys: same value, reals by
/// bits (so NaN groups with NaN), nulls equal to each other.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Long(a), Value::Long(b)) => a == b,
            (Value::Real(a), Value::Real(b)) => a.to_bits() == b.to_bits() || a == b,
            (Value::DateTime(a), Value::DateTime(b)) => a == b,
            (Value::TimeSpan(a), Value::TimeSpan(b)) => a == b,
            (Value::Guid(a), Value::Guid(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Bag(a), Value::Bag(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Null => {}
            Value::Bool(b) => b.hash(state),
            Value::Long(v) | Value::DateTime(v) | Value::TimeSpan(v) => v.hash(state),
            Value::Real(v) => (if *v == 0.0 { 0.0f64 } else { *v }).to_bits().hash(state),
            Value::Guid(g) => g.hash(state),
            Value::String(s) => s.hash(state),
            Value::Array(a) => a.hash(state),
            Value::Bag(b) => b.hash(state),
        }
    }
}

/// Total order for `sort`: nulls are handled by the caller; numbers compare
/// across long/real; otherwise by kind, then value.
pub fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Long(x), Value::Long(y)) => x.cmp(y),
        (Value::Long(_) | Value::Real(_), Value::Long(_) | Value::Real(_)) => {
            let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or_else(|| x.is_nan().cmp(&y.is_nan()))
        }
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::DateTime(x), Value::DateTime(y)) | (Value::TimeSpan(x), Value::TimeSpan(y)) => x.cmp(y),
        (Value::Guid(x), Value::Guid(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        _ => rank(a).cmp(&rank(b)).then_with(|| a.to_kusto_string().cmp(&b.to_kusto_string())),
    }
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Long(_) | Value::Real(_) => 2,
        Value::DateTime(_) => 3,
        Value::TimeSpan(_) => 4,
        Value::Guid(_) => 5,
        Value::String(_) => 6,
        Value::Array(_) => 7,
        Value::Bag(_) => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_print_like_kusto() {
        assert_eq!(format_real(1.0), "1");
        assert_eq!(format_real(0.5), "0.5");
        assert_eq!(format_real(1e20), "1E+20");
    }

    #[test]
    fn guids_parse_and_print_lowercase() {
        let g = parse_guid("AE3133F2-6E22-49AE-B06A-16E6A9B212EB").unwrap();
        assert_eq!(format_guid(g), "ae3133f2-6e22-49ae-b06a-16e6a9b212eb");
        assert!(parse_guid("xyz").is_none());
    }
}
