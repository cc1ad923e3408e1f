//! Column types from values (when no schema declares them) and cells read
//! as a type.

use crate::engine::datetime;
use crate::engine::functions::{convert_value, parse_json};
use crate::engine::load::Cell;
use crate::engine::value::{Value, parse_guid};
use crate::kql::types::ScalarType;

pub(super) fn looks_like_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && datetime::parse_datetime(s).is_some()
}

/// The narrowest type every present value fits: long < real, bool, datetime
/// (ISO text), dynamic (objects/arrays), else string. The rule the lean
/// loader's incremental inference (`builder.rs`) is tested against.
#[cfg(test)]
pub fn infer<'a>(cells: impl Iterator<Item = &'a Cell>) -> ScalarType {
    let mut ty: Option<ScalarType> = None;
    for c in cells {
        let t = match c {
            Cell::Missing => continue,
            Cell::Json(serde_json::Value::Null) => continue,
            Cell::Json(serde_json::Value::Bool(_)) => ScalarType::Bool,
            Cell::Json(serde_json::Value::Number(n)) => {
                if n.is_i64() {
                    ScalarType::Long
                } else {
                    ScalarType::Real
                }
            }
            Cell::Json(serde_json::Value::String(s)) => {
                if looks_like_datetime(s) {
                    ScalarType::DateTime
                } else {
                    ScalarType::String
                }
            }
            Cell::Json(_) => ScalarType::Dynamic,
            Cell::Text(s) if s.is_empty() => continue,
            Cell::Text(s) => {
                if s.parse::<i64>().is_ok() {
                    ScalarType::Long
                } else if s.parse::<f64>().is_ok() {
                    ScalarType::Real
                } else if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") {
                    ScalarType::Bool
                } else if looks_like_datetime(s) {
                    ScalarType::DateTime
                } else {
                    ScalarType::String
                }
            }
        };
        ty = Some(match (ty, t) {
            (None, t) => t,
            (Some(a), b) if a == b => a,
            (Some(ScalarType::Long), ScalarType::Real) | (Some(ScalarType::Real), ScalarType::Long) => ScalarType::Real,
            _ => return ScalarType::String,
        });
    }
    ty.unwrap_or(ScalarType::String)
}

/// A cell as a value of `ty`; Err says why it does not parse.
pub fn parse_cell(cell: &Cell, ty: ScalarType) -> Result<Value, String> {
    match cell {
        Cell::Missing => Ok(Value::null_of(ty)),
        Cell::Json(j) => parse_json_value(j, ty),
        Cell::Text(s) => parse_text(s, ty),
    }
}

/// A JSON cell (JSON Lines, API responses) as a value of `ty`.
pub fn parse_json_value(j: &serde_json::Value, ty: ScalarType) -> Result<Value, String> {
    if j.is_null() {
        return Ok(Value::null_of(ty));
    }
    if ty == ScalarType::Dynamic {
        return Ok(match j {
            serde_json::Value::String(s) => parse_json(&Value::str(s)),
            other => Value::from_json(other),
        });
    }
    if ty == ScalarType::String {
        return Ok(match j {
            serde_json::Value::String(s) => Value::str(s),
            other => Value::string(other.to_string()),
        });
    }
    let v = Value::from_json(j);
    let out = typed(&v, ty);
    if out.is_null() { Err(format!("`{j}` is not a {ty}")) } else { Ok(out) }
}

/// A text cell (CSV) as a value of `ty`; empty text is null.
pub fn parse_text(s: &str, ty: ScalarType) -> Result<Value, String> {
    if s.is_empty() {
        return Ok(Value::null_of(ty));
    }
    if ty == ScalarType::String {
        return Ok(Value::str(s));
    }
    if ty == ScalarType::DateTime {
        // as `typed` reads it, without a string value per cell
        return datetime::parse_datetime(s).map(Value::DateTime).ok_or_else(|| format!("`{s}` is not a {ty}"));
    }
    if ty == ScalarType::Dynamic {
        return Ok(parse_json(&Value::str(s)));
    }
    let out = typed(&Value::str(s), ty);
    if out.is_null() { Err(format!("`{s}` is not a {ty}")) } else { Ok(out) }
}

fn typed(v: &Value, ty: ScalarType) -> Value {
    match (ty, v) {
        (ScalarType::Guid, Value::String(s)) => parse_guid(s).map(Value::Guid).unwrap_or(Value::Null),
        (ScalarType::Long | ScalarType::Int, Value::String(s)) => {
            s.trim().parse::<i64>().map(Value::Long).unwrap_or(Value::Null)
        }
        (ScalarType::Long | ScalarType::Int, Value::Real(_)) => Value::Null,
        (ScalarType::Bool, Value::Long(x)) if *x == 0 || *x == 1 => Value::Bool(*x == 1),
        _ => convert_value(v, ty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_and_reports() {
        let cells = [Cell::Text("1".into()), Cell::Text("2.5".into()), Cell::Text(String::new())];
        assert_eq!(infer(cells.iter()), ScalarType::Real);
        let cells = [Cell::Json(serde_json::json!("2024-01-01T00:00:00Z"))];
        assert_eq!(infer(cells.iter()), ScalarType::DateTime);
        assert!(parse_cell(&Cell::Text("abc".into()), ScalarType::Long).is_err());
        assert_eq!(parse_cell(&Cell::Text("".into()), ScalarType::String).unwrap(), Value::str(""));
    }
}
