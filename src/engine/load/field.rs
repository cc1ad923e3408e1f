//! One field as the lean loader reads it, borrowed from the file's text
//! where it can be: a JSON scalar, a JSON string (borrowed unless it has
//! escapes), a JSON object or array (the one case that becomes a tree), or
//! a CSV field's text. What a field becomes in a column of a type, and the
//! type it suggests to inference, are the rules of [`super::infer`], with
//! fast paths for the common cases that give the same answers without a
//! `serde_json::Value` or a `String` per cell.

use std::borrow::Cow;

use crate::engine::datetime;
use crate::engine::load::infer::{looks_like_datetime, parse_json_value, parse_text};
use crate::engine::value::{Value, parse_guid};
use crate::kql::types::ScalarType;

/// A field as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Field<'a> {
    /// The key is absent from the record.
    Missing,
    Null,
    Bool(bool),
    /// Any JSON integer that fits `i64`.
    Long(i64),
    /// A JSON integer above `i64::MAX` (read as a real, as serde_json does).
    BigUnsigned(u64),
    Real(f64),
    Str(Cow<'a, str>),
    Tree(serde_json::Value),
    /// A CSV field (empty text is null).
    Text(&'a str),
}

impl Field<'_> {
    /// The JSON value the slow paths read (not for `Text` or `Missing`).
    fn to_json(&self) -> serde_json::Value {
        match self {
            Field::Missing | Field::Null | Field::Text(_) => serde_json::Value::Null,
            Field::Bool(b) => serde_json::Value::Bool(*b),
            Field::Long(v) => serde_json::Value::from(*v),
            Field::BigUnsigned(v) => serde_json::Value::from(*v),
            Field::Real(v) => serde_json::Value::from(*v),
            Field::Str(s) => serde_json::Value::String(s.to_string()),
            Field::Tree(t) => t.clone(),
        }
    }

    /// A field of a JSON document already parsed (API responses).
    pub fn of_json(v: serde_json::Value) -> Field<'static> {
        match v {
            serde_json::Value::Null => Field::Null,
            serde_json::Value::Bool(b) => Field::Bool(b),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Field::Long(i),
                (None, Some(u)) => Field::BigUnsigned(u),
                _ => Field::Real(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Field::Str(Cow::Owned(s)),
            tree => Field::Tree(tree),
        }
    }

    /// No value (a missing key, JSON null, an empty CSV field).
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Missing | Field::Null) || matches!(self, Field::Text(s) if s.is_empty())
    }

    /// The text of a string column's cell: JSON strings and CSV text as they
    /// are, other JSON values as their JSON text, no value as empty.
    pub fn string_cell(&self) -> Cow<'_, str> {
        match self {
            Field::Missing | Field::Null => Cow::Borrowed(""),
            Field::Str(s) => Cow::Borrowed(s.as_ref()),
            Field::Text(s) => Cow::Borrowed(s),
            other => Cow::Owned(other.to_json().to_string()),
        }
    }

    /// The cell of a column of type `ty` (not `string`: see
    /// [`Field::string_cell`]); `Err` says why it does not fit.
    pub fn value_as(&self, ty: ScalarType) -> Result<Value, String> {
        use ScalarType as T;
        match (self, ty) {
            (Field::Missing | Field::Null, _) => Ok(Value::null_of(ty)),
            (Field::Text(s), _) => match ty {
                T::Long if !s.is_empty() => {
                    s.trim().parse::<i64>().map(Value::Long).map_err(|_| format!("`{s}` is not a {ty}"))
                }
                T::Guid if !s.is_empty() => {
                    parse_guid(s).map(Value::Guid).ok_or_else(|| format!("`{s}` is not a {ty}"))
                }
                _ => parse_text(s, ty),
            },
            (Field::Str(s), T::DateTime) => match datetime::parse_datetime(s) {
                Some(t) => Ok(Value::DateTime(t)),
                None => Err(format!("`{}` is not a {ty}", self.to_json())),
            },
            (Field::Str(s), T::Guid) => match parse_guid(s) {
                Some(g) => Ok(Value::Guid(g)),
                None => Err(format!("`{}` is not a {ty}", self.to_json())),
            },
            (Field::Str(s), T::Dynamic) => Ok(match serde_json::from_str::<serde_json::Value>(s) {
                Ok(j) => Value::from_json(&j),
                Err(_) => Value::str(s),
            }),
            (Field::Long(v), T::Long) => Ok(Value::Long(*v)),
            (Field::Long(v), T::Real) => Ok(Value::Real(*v as f64)),
            (Field::Real(v), T::Real) => Ok(Value::Real(*v)),
            (Field::Bool(b), T::Bool) => Ok(Value::Bool(*b)),
            (Field::Tree(t), T::Dynamic) => Ok(Value::from_json(t)),
            (Field::Tree(t), _) => parse_json_value(t, ty),
            _ => parse_json_value(&self.to_json(), ty),
        }
    }

    /// The type this field suggests to inference (`None`: no value), with
    /// its datetime when it is one (parsed once). JSON strings are
    /// datetimes or strings; CSV text may also be a number or a bool.
    pub fn class(&self) -> Option<(ScalarType, Option<i64>)> {
        let t = match self {
            Field::Missing | Field::Null => return None,
            Field::Bool(_) => ScalarType::Bool,
            Field::Long(_) => ScalarType::Long,
            Field::BigUnsigned(_) | Field::Real(_) => ScalarType::Real,
            Field::Str(s) => return Some(datetime_class(s)),
            Field::Tree(_) => ScalarType::Dynamic,
            Field::Text("") => return None,
            Field::Text(s) => {
                if s.parse::<i64>().is_ok() {
                    ScalarType::Long
                } else if s.parse::<f64>().is_ok() {
                    ScalarType::Real
                } else if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") {
                    ScalarType::Bool
                } else {
                    return Some(datetime_class(s));
                }
            }
        };
        Some((t, None))
    }
}

fn datetime_class(s: &str) -> (ScalarType, Option<i64>) {
    let b = s.as_bytes();
    // the cheap shape test first: most strings are not dates
    if b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && let Some(t) = datetime::parse_datetime(s)
    {
        debug_assert!(looks_like_datetime(s));
        return (ScalarType::DateTime, Some(t));
    }
    (ScalarType::String, None)
}

/// Inference's join: the narrowest type both fit (long and real make real;
/// any other disagreement makes string, which is final).
pub fn join(a: Option<ScalarType>, b: ScalarType) -> ScalarType {
    match a {
        None => b,
        Some(a) if a == b => a,
        Some(ScalarType::Long) if b == ScalarType::Real => ScalarType::Real,
        Some(ScalarType::Real) if b == ScalarType::Long => ScalarType::Real,
        _ => ScalarType::String,
    }
}

#[cfg(test)]
mod tests {
    //! The fast paths against the rules they shortcut (`parse_cell`, `infer`).
    use super::*;
    use crate::engine::load::{Cell, infer, parse_cell};

    fn json_cases() -> Vec<serde_json::Value> {
        use serde_json::json;
        vec![
            json!(null),
            json!(true),
            json!(5),
            json!(-7),
            json!(u64::MAX),
            json!(2.5),
            json!("2021-11-22T11:50:00Z"),
            json!("2021-11-22 11:50"),
            json!("ae3133f2-6e22-49ae-b06a-16e6a9b212eb"),
            json!("{\"a\":[1,2]}"),
            json!("plain"),
            json!("5"),
            json!({"a": 1, "b": [true]}),
            json!([1, "x"]),
        ]
    }

    #[test]
    fn json_fields_convert_as_parse_cell_does() {
        let types = [
            ScalarType::Bool,
            ScalarType::Int,
            ScalarType::Long,
            ScalarType::Real,
            ScalarType::DateTime,
            ScalarType::TimeSpan,
            ScalarType::Guid,
            ScalarType::Dynamic,
            ScalarType::Decimal,
        ];
        for j in json_cases() {
            let f = Field::of_json(j.clone());
            for ty in types {
                let want = parse_cell(&Cell::Json(j.clone()), ty);
                let got = f.value_as(ty);
                assert_eq!(format!("{got:?}"), format!("{want:?}"), "{j} as {ty}");
            }
            let want = parse_cell(&Cell::Json(j.clone()), ScalarType::String).unwrap();
            assert_eq!(Value::str(&f.string_cell()), want, "{j} as string");
            let want = infer::infer(std::iter::once(&Cell::Json(j.clone())));
            let got = f.class().map_or(ScalarType::String, |c| c.0);
            assert_eq!(got, want, "class of {j}");
        }
    }

    #[test]
    fn text_fields_convert_as_parse_cell_does() {
        for s in ["", "5", " 5", "+5", "2.5", "1e3", "inf", "TRUE", "false", "2021-11-22T11:50:00Z", "x", "{\"a\":1}"] {
            let f = Field::Text(s);
            for ty in [ScalarType::Bool, ScalarType::Long, ScalarType::Real, ScalarType::DateTime, ScalarType::Dynamic]
            {
                let want = parse_cell(&Cell::Text(s.to_string()), ty);
                assert_eq!(format!("{:?}", f.value_as(ty)), format!("{want:?}"), "{s:?} as {ty}");
            }
            let want = infer::infer(std::iter::once(&Cell::Text(s.to_string())));
            assert_eq!(f.class().map_or(ScalarType::String, |c| c.0), want, "class of {s:?}");
        }
    }
}
