//! One cell as text, by column type.
//!
//! - `datetime`: the service's ISO 8601 text, unchanged (UTC, `Z`);
//! - `dynamic`: compact JSON (the service sends it as a JSON *string*, or as
//!   JSON; both print the same);
//! - `bool`: `true`/`false` (also from `0`/`1` and `"True"`, older spellings);
//! - numbers as sent (no rounding: `long`s above 2^53 and `decimal`s
//!   survive);
//! - null: empty.
//!
//! For terminals, [`for_terminal`] also makes control characters visible
//! (`\n`, `\u{1b}`): log data is attacker-controlled, and an escape
//! sequence printed raw could rewrite the screen. Bidirectional overrides
//! are escaped for the same reason.

use std::borrow::Cow;

use serde_json::Value;

use crate::query::results::ColumnType;

/// The text of a value in a column of type `ty` (CSV and tables).
pub fn text(value: &Value, ty: ColumnType) -> String {
    text_ref(value, ty).into_owned()
}

/// [`text`], borrowing when the cell is already its own text (most string
/// cells), so writers of large results copy each cell once.
pub fn text_ref(value: &Value, ty: ColumnType) -> Cow<'_, str> {
    match (ty, value) {
        (_, Value::Null) => Cow::Borrowed(""),
        (ColumnType::Bool, Value::Number(n)) if n.as_i64() == Some(0) => Cow::Borrowed("false"),
        (ColumnType::Bool, Value::Number(n)) if n.as_i64() == Some(1) => Cow::Borrowed("true"),
        (ColumnType::Bool, Value::String(s)) if s.eq_ignore_ascii_case("true") => Cow::Borrowed("true"),
        (ColumnType::Bool, Value::String(s)) if s.eq_ignore_ascii_case("false") => Cow::Borrowed("false"),
        (ColumnType::Dynamic, Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(v) => Cow::Owned(compact(&v)),
            Err(_) => Cow::Borrowed(s),
        },
        (_, Value::String(s)) => Cow::Borrowed(s),
        (_, other) => Cow::Owned(compact(other)),
    }
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).expect("a JSON value serializes")
}

/// The text of a value for a terminal: [`text`] with control characters
/// escaped, cut to `max_chars` characters with `…` when longer.
pub fn for_terminal(value: &Value, ty: ColumnType, max_chars: Option<usize>) -> String {
    let escaped = escape_controls(&text(value, ty));
    match max_chars {
        Some(max) if max > 0 && escaped.chars().count() > max => {
            let mut cut: String = escaped.chars().take(max - 1).collect();
            cut.push('…');
            cut
        }
        _ => escaped,
    }
}

/// `\n`, `\r`, `\t` as two characters; other control characters and
/// bidirectional overrides as `\u{…}`.
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_print_by_type() {
        use ColumnType::*;
        for (value, ty, expected) in [
            (json!("2026-09-01T12:34:56.1234567Z"), Datetime, "2026-09-01T12:34:56.1234567Z"),
            (json!("{\"a\": [1, 2],  \"b\": {\"c\": null}}"), Dynamic, r#"{"a":[1,2],"b":{"c":null}}"#),
            (json!({"a": [1, 2]}), Dynamic, r#"{"a":[1,2]}"#),
            (json!("not json"), Dynamic, "not json"),
            (json!(true), Bool, "true"),
            (json!(0), Bool, "false"),
            (json!("True"), Bool, "true"),
            (json!(9_223_372_036_854_775_807_i64), Long, "9223372036854775807"),
            (json!(0.1), Real, "0.1"),
            (json!("NaN"), Real, "NaN"),
            (json!("79228162514264337593543950335"), Decimal, "79228162514264337593543950335"),
            (json!("00:15:00"), Timespan, "00:15:00"),
            (Value::Null, String, ""),
            (json!("x"), Other, "x"),
        ] {
            assert_eq!(text(&value, ty), expected, "{value} as {ty:?}");
        }
    }

    #[test]
    fn terminals_get_escaped_and_truncated_text() {
        let v = json!("line one\nline two\u{1b}[2J\u{202e}evil");
        assert_eq!(for_terminal(&v, ColumnType::String, None), "line one\\nline two\\u{1b}[2J\\u{202e}evil");
        assert_eq!(for_terminal(&json!("abcdefghij"), ColumnType::String, Some(5)), "abcd…");
        assert_eq!(for_terminal(&json!("abcde"), ColumnType::String, Some(5)), "abcde");
        assert_eq!(for_terminal(&json!("ééééééé"), ColumnType::String, Some(3)), "éé…");
        assert_eq!(for_terminal(&json!("abcdef"), ColumnType::String, Some(0)), "abcdef", "0 means no limit");
    }
}
