//! The engine's type rules in one place: result types of operators and how
//! values of mixed types combine. (The semantic checker computes the same
//! types statically; this is the engine's own copy until they are shared.)

use std::cmp::Ordering;

use crate::engine::value::{Value, compare, parse_guid};
use crate::kql::ast::BinaryOp;
use crate::kql::types::ScalarType;

pub fn op_text(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::Mod => "%",
        _ => "?",
    }
}

fn num_rank(t: ScalarType) -> Option<u8> {
    match t {
        ScalarType::Int => Some(1),
        ScalarType::Long => Some(2),
        ScalarType::Real => Some(3),
        _ => None,
    }
}

/// The wider of two numeric types (int < long < real).
pub fn wider_numeric(a: ScalarType, b: ScalarType) -> Option<ScalarType> {
    let (ra, rb) = (num_rank(a)?, num_rank(b)?);
    Some(if ra >= rb { a } else { b })
}

/// Result type of `a op b`, or None when Kusto rejects the pair.
pub fn arith_type(op: BinaryOp, a: ScalarType, b: ScalarType) -> Option<ScalarType> {
    use ScalarType::*;
    if a == Dynamic || b == Dynamic {
        let other = if a == Dynamic { b } else { a };
        return Some(if other == Real {
            Real
        } else if other == Dynamic {
            Dynamic
        } else {
            other
        });
    }
    if let Some(w) = wider_numeric(a, b) {
        return Some(w);
    }
    match (op, a, b) {
        (BinaryOp::Sub, DateTime, DateTime) => Some(TimeSpan),
        (BinaryOp::Add | BinaryOp::Sub, DateTime, TimeSpan) => Some(DateTime),
        (BinaryOp::Add, TimeSpan, DateTime) => Some(DateTime),
        (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mod, TimeSpan, TimeSpan) => Some(TimeSpan),
        (BinaryOp::Div, TimeSpan, TimeSpan) => Some(Real),
        (BinaryOp::Mul | BinaryOp::Div, TimeSpan, x) if num_rank(x).is_some() => Some(TimeSpan),
        (BinaryOp::Mul, x, TimeSpan) if num_rank(x).is_some() => Some(TimeSpan),
        _ => None,
    }
}

/// `a op b` with the result type `ty` already known.
pub fn arith(op: BinaryOp, a: &Value, b: &Value, ty: ScalarType) -> Value {
    use Value as V;
    if a.is_null() || b.is_null() {
        return V::Null;
    }
    match (a, b) {
        (V::DateTime(x), V::DateTime(y)) if op == BinaryOp::Sub => {
            // out of range is null, as for long arithmetic
            return x.checked_sub(*y).map_or(V::Null, V::TimeSpan);
        }
        (V::DateTime(x), V::TimeSpan(y)) => {
            return match op {
                BinaryOp::Add => x.checked_add(*y).map_or(V::Null, V::DateTime),
                BinaryOp::Sub => x.checked_sub(*y).map_or(V::Null, V::DateTime),
                _ => V::Null,
            };
        }
        (V::TimeSpan(x), V::DateTime(y)) if op == BinaryOp::Add => {
            return x.checked_add(*y).map_or(V::Null, V::DateTime);
        }
        (V::TimeSpan(x), V::TimeSpan(y)) => {
            return match op {
                BinaryOp::Add => x.checked_add(*y).map_or(V::Null, V::TimeSpan),
                BinaryOp::Sub => x.checked_sub(*y).map_or(V::Null, V::TimeSpan),
                BinaryOp::Div if *y != 0 => V::Real(*x as f64 / *y as f64),
                BinaryOp::Mod if *y != 0 => x.checked_rem(*y).map_or(V::Null, V::TimeSpan),
                _ => V::Null,
            };
        }
        (V::TimeSpan(x), n) | (n, V::TimeSpan(x)) if n.as_f64().is_some() => {
            let f = n.as_f64().unwrap_or(0.0);
            return match op {
                BinaryOp::Mul => V::TimeSpan((*x as f64 * f).round() as i64),
                BinaryOp::Div if matches!(a, V::TimeSpan(_)) && f != 0.0 => V::TimeSpan((*x as f64 / f) as i64),
                _ => V::Null,
            };
        }
        _ => {}
    }
    let is_real = ty == ScalarType::Real || matches!(a, V::Real(_)) || matches!(b, V::Real(_));
    if is_real {
        let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) else { return V::Null };
        return V::Real(match op {
            BinaryOp::Add => x + y,
            BinaryOp::Sub => x - y,
            BinaryOp::Mul => x * y,
            BinaryOp::Div => x / y,
            _ => x % y,
        });
    }
    let (V::Long(x), V::Long(y)) = (a, b) else { return V::Null };
    let r = match op {
        BinaryOp::Add => x.checked_add(*y),
        BinaryOp::Sub => x.checked_sub(*y),
        BinaryOp::Mul => x.checked_mul(*y),
        BinaryOp::Div => x.checked_div(*y),
        _ => x.checked_rem(*y),
    };
    match r {
        Some(v) if ty == ScalarType::Int => V::Long(v as i32 as i64),
        Some(v) => V::Long(v),
        None => V::Null,
    }
}

/// Comparison for `==`, `<`, ...: numbers across int/long/real, guids
/// with their text, dynamic values by their content. None when either side
/// is null or the kinds cannot be compared.
pub fn cmp_values(a: &Value, b: &Value) -> Option<Ordering> {
    use Value as V;
    match (a, b) {
        (V::Null, _) | (_, V::Null) => None,
        (V::Long(_) | V::Real(_), V::Long(_) | V::Real(_)) => {
            if let (V::Long(x), V::Long(y)) = (a, b) {
                return Some(x.cmp(y));
            }
            a.as_f64()?.partial_cmp(&b.as_f64()?)
        }
        (V::String(x), V::String(y)) => Some(x.cmp(y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        (V::DateTime(x), V::DateTime(y)) | (V::TimeSpan(x), V::TimeSpan(y)) => Some(x.cmp(y)),
        (V::Guid(x), V::Guid(y)) => Some(x.cmp(y)),
        // a string column compared with a number (`SigninLogs | where ResultType == 0`):
        // Kusto compares the number's text
        (V::String(s), V::Long(_) | V::Real(_)) => Some(s.as_ref().cmp(b.to_kusto_string().as_str())),
        (V::Long(_) | V::Real(_), V::String(s)) => Some(a.to_kusto_string().as_str().cmp(s.as_ref())),
        (V::Guid(x), V::String(s)) | (V::String(s), V::Guid(x)) => parse_guid(s).map(|g| g.cmp(x)),
        (V::Array(_), V::Array(_)) | (V::Bag(_), V::Bag(_)) => {
            Some(if a == b { Ordering::Equal } else { compare(a, b) })
        }
        _ => None,
    }
}

/// `a op b` for the comparison operators (`==`, `!=`, `<`, `<=`, `>`,
/// `>=`): `None` is a null result. Kusto: a null never equals, and is
/// unequal to, a value; any other comparison with a null is null.
#[inline]
pub fn compare_op(op: BinaryOp, a: &Value, b: &Value) -> Option<bool> {
    match cmp_values(a, b) {
        None => match op {
            BinaryOp::NotEq if a.is_null() != b.is_null() => Some(true),
            BinaryOp::Eq if a.is_null() != b.is_null() => Some(false),
            _ => None,
        },
        Some(o) => Some(ordering_satisfies(op, o)),
    }
}

/// Whether an ordering of two values satisfies the comparison `op`
/// (`==`, `!=`, `<`, `<=`, `>`, `>=`).
#[inline]
pub fn ordering_satisfies(op: BinaryOp, o: Ordering) -> bool {
    match op {
        BinaryOp::Eq => o.is_eq(),
        BinaryOp::NotEq => o.is_ne(),
        BinaryOp::Lt => o.is_lt(),
        BinaryOp::Le => o.is_le(),
        BinaryOp::Gt => o.is_gt(),
        _ => o.is_ge(),
    }
}

/// The type both branches of `iff`/`case`/`coalesce` share.
pub fn common_type(types: &[ScalarType]) -> ScalarType {
    let mut it = types.iter().copied();
    let Some(mut acc) = it.next() else { return ScalarType::Dynamic };
    for t in it {
        if t == acc {
            continue;
        }
        acc = wider_numeric(acc, t).unwrap_or(if acc == ScalarType::Dynamic { t } else { acc });
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_division_truncates_like_kusto() {
        let d = |a, b| arith(BinaryOp::Div, &Value::Long(a), &Value::Long(b), ScalarType::Long);
        assert_eq!(d(7, 2), Value::Long(3));
        assert_eq!(d(-7, 2), Value::Long(-3));
        assert_eq!(arith(BinaryOp::Mod, &Value::Long(7), &Value::Long(-3), ScalarType::Long), Value::Long(1));
        assert_eq!(d(1, 0), Value::Null);
    }

    #[test]
    fn datetime_arithmetic_types() {
        use ScalarType::*;
        assert_eq!(arith_type(BinaryOp::Sub, DateTime, DateTime), Some(TimeSpan));
        assert_eq!(arith_type(BinaryOp::Add, DateTime, TimeSpan), Some(DateTime));
        assert_eq!(arith_type(BinaryOp::Add, DateTime, DateTime), None);
        assert_eq!(arith_type(BinaryOp::Div, Long, Int), Some(Long));
    }
}
