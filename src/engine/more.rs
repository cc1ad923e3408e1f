//! Scalar functions kept apart from `functions.rs`: `parse_xml` (see
//! `xml.rs`), `replace_strings` and `ingestion_time()`. `functions::call`
//! asks [`call`] before refusing a name.

use crate::engine::error::{EResult, EngineError};
use crate::engine::scope::Col;
use crate::engine::strings::text_of;
use crate::engine::table::Table;
use crate::engine::value::Value;
use crate::kql::ast::Expr;
use crate::kql::types::ScalarType as T;

/// The column data files give `ingestion_time()` from (Kusto keeps the
/// ingestion time hidden; exported data carries it only as a column).
pub const INGESTION_TIME_COLUMN: &str = "_IngestionTime";

/// `name` over evaluated arguments `a` on `t`, or `None` when it is no function of this file.
pub fn call(name: &str, a: &[Col], e: &Expr, t: &Table) -> Option<EResult<Col>> {
    let n = t.len;
    Some(match name {
        "parse_xml" => one_arg(name, a, e)
            .map(|x| Col::new(T::Dynamic, x.vals.iter().map(|v| crate::engine::xml::parse_xml(&text_of(v))).collect())),
        "replace_strings" => {
            if a.len() != 3 {
                return Some(Err(EngineError::invalid("`replace_strings` takes text, lookups and rewrites", e.range)));
            }
            Ok(Col::new(
                T::String,
                (0..n)
                    .map(|i| Value::string(replace_strings(&text_of(&a[0].vals[i]), &a[1].vals[i], &a[2].vals[i])))
                    .collect(),
            ))
        }
        "ingestion_time" => ingestion_time(a, e, t),
        _ => return None,
    })
}

fn one_arg<'a>(name: &str, a: &'a [Col], e: &Expr) -> EResult<&'a Col> {
    match a {
        [x] => Ok(x),
        _ => Err(EngineError::invalid(format!("`{name}` takes one argument"), e.range)),
    }
}

/// `ingestion_time()`: the row's `_IngestionTime` column when the data has
/// one. Local rows carry no ingestion time otherwise, so over rows without
/// that column the engine refuses (ENG001) rather than invent one; over no
/// rows there is no value to give and the column is empty.
fn ingestion_time(a: &[Col], e: &Expr, t: &Table) -> EResult<Col> {
    if !a.is_empty() {
        return Err(EngineError::invalid("`ingestion_time` takes no arguments", e.range));
    }
    if let Some(c) = t.column(INGESTION_TIME_COLUMN) {
        let vals = c.data.iter().map(|v| crate::engine::functions::convert_value(v, T::DateTime)).collect();
        return Ok(Col::new(T::DateTime, vals));
    }
    if t.len == 0 {
        return Ok(Col::new(T::DateTime, Vec::new()));
    }
    Err(EngineError::unsupported(
        format!(
            "`ingestion_time()` over rows without an `{INGESTION_TIME_COLUMN}` column (local data has no ingestion time)"
        ),
        e.range,
    ))
}

/// Kusto's `replace_strings`: lookups in list order take precedence — the
/// first lookup's non-overlapping matches are replaced, then the second's in
/// the text between them, and so on; a non-string lookup is ignored, and a
/// match whose rewrite is no string stays as it was.
pub fn replace_strings(text: &str, lookups: &Value, rewrites: &Value) -> String {
    let (Value::Array(lk), Value::Array(rw)) = (lookups, rewrites) else { return text.to_string() };
    let pairs: Vec<(&str, Option<&str>)> = lk
        .iter()
        .enumerate()
        .filter_map(|(i, l)| match l {
            Value::String(s) if !s.is_empty() => Some((s.as_ref(), rw.get(i).and_then(|r| r.as_str()))),
            _ => None,
        })
        .collect();
    let mut out = String::with_capacity(text.len());
    replace_from(text, &pairs, &mut out);
    out
}

fn replace_from(text: &str, pairs: &[(&str, Option<&str>)], out: &mut String) {
    let Some(((lookup, rewrite), rest)) = pairs.split_first() else {
        out.push_str(text);
        return;
    };
    let mut last = 0;
    for (at, m) in text.match_indices(lookup) {
        replace_from(&text[last..at], rest, out);
        out.push_str(rewrite.unwrap_or(m));
        last = at + m.len();
    }
    replace_from(&text[last..], rest, out);
}

#[cfg(test)]
mod tests {
    use super::replace_strings;
    use crate::engine::value::Value;
    use std::sync::Arc;

    fn strs(items: &[&str]) -> Value {
        Value::Array(Arc::new(items.iter().map(|s| Value::str(s)).collect()))
    }

    #[test]
    fn replace_strings_follows_the_documented_examples() {
        let msg = "A magic trick can turn a cat into a dog";
        assert_eq!(
            replace_strings(msg, &strs(&["cat", "dog"]), &strs(&["dog", "pigeon"])),
            "A magic trick can turn a dog into a pigeon"
        );
        assert_eq!(
            replace_strings(msg, &strs(&["turn", " into a dog"]), &strs(&["disappear", ""])),
            "A magic trick can disappear a cat"
        );
        let m = "This is an example of using replace_strings()";
        assert_eq!(
            replace_strings(m, &strs(&["This", "is"]), &strs(&["This", "was"])),
            "This was an example of using replace_strings()"
        );
        assert_eq!(
            replace_strings(m, &strs(&["is", "This"]), &strs(&["was", "This"])),
            "Thwas was an example of using replace_strings()"
        );
        let rw = Value::Array(Arc::new(vec![Value::Long(1), Value::str("B")]));
        assert_eq!(replace_strings("ab", &strs(&["a", "b"]), &rw), "aB", "a non-string rewrite keeps the match");
    }
}
