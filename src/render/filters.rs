//! KQL escaping filters: the only place parameter values become KQL text.
//!
//! Every filter turns one typed value into one KQL token or literal, so no
//! value (quotes, backslashes, newlines, `|`, `//`) can change the structure
//! of a query. Their output is marked safe; anything a template prints
//! without one of these filters is caught by the poison escaper in
//! [`super::Renderer`].

use std::collections::HashMap;

use serde_json::Value;
use tera::{Filter, Result as TeraResult};

use crate::params::format_real;
use crate::timespan::Timespan;

/// A KQL string literal, double- or single-quoted, with every character that
/// could end the literal or break a line escaped.
pub fn string_literal(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn quote_arg(args: &HashMap<String, Value>) -> TeraResult<char> {
    match args.get("quote").and_then(Value::as_str) {
        None | Some("double") => Ok('"'),
        Some("single") => Ok('\''),
        Some(other) => {
            Err(tera::Error::msg(format!("kql filter: `quote` must be \"single\" or \"double\", not `{other}`")))
        }
    }
}

fn expect_str<'v>(value: &'v Value, filter: &str) -> TeraResult<&'v str> {
    value.as_str().ok_or_else(|| tera::Error::msg(format!("`{filter}` expects a string, got {value}")))
}

fn expect_timespan(value: &Value, filter: &str) -> TeraResult<Timespan> {
    expect_str(value, filter)?.parse().map_err(|e| tera::Error::msg(format!("`{filter}` expects a timespan: {e}")))
}

/// A verbatim KQL string literal `@"..."` (backslashes literal, `"`
/// doubled), the form regular expressions are written in. Text with a line
/// break cannot be verbatim and falls back to an escaped literal.
pub fn verbatim_literal(text: &str) -> String {
    if text.chars().any(|c| c.is_control()) {
        return string_literal(text, '"');
    }
    format!("@\"{}\"", text.replace('"', "\"\""))
}

/// `{{ v | kql_string }}` → `"text"`; `quote="single"` → `'text'`;
/// `quote="verbatim"` → `@"text"` (for regular expressions).
pub struct KqlString;
impl Filter for KqlString {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> TeraResult<Value> {
        let text = expect_str(value, "kql_string")?;
        if args.get("quote").and_then(Value::as_str) == Some("verbatim") {
            return Ok(Value::String(verbatim_literal(text)));
        }
        Ok(Value::String(string_literal(text, quote_arg(args)?)))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ list | kql_list }}` → `dynamic(["a", "b"])`; `form="pack_array"` →
/// `pack_array("a", "b")`; `form="tuple"` → `("a", "b")` (for `in`/`has_any`).
pub struct KqlList;
impl Filter for KqlList {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> TeraResult<Value> {
        let quote = quote_arg(args)?;
        let items =
            value.as_array().ok_or_else(|| tera::Error::msg(format!("`kql_list` expects a list, got {value}")))?;
        let literals = items
            .iter()
            .map(|v| expect_str(v, "kql_list").map(|s| string_literal(s, quote)))
            .collect::<TeraResult<Vec<_>>>()?
            .join(", ");
        let text = match args.get("form").and_then(Value::as_str) {
            None | Some("dynamic") => format!("dynamic([{literals}])"),
            Some("pack_array") => format!("pack_array({literals})"),
            Some("tuple") => format!("({literals})"),
            Some(other) => return Err(tera::Error::msg(format!("`kql_list`: unknown form `{other}`"))),
        };
        Ok(Value::String(text))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ t | kql_timespan }}` → `15m` (a KQL timespan literal).
pub struct KqlTimespan;
impl Filter for KqlTimespan {
    fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> TeraResult<Value> {
        Ok(Value::String(expect_timespan(value, "kql_timespan")?.to_string()))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ t | kql_minutes }}` / `kql_hours` → a whole number, for queries that
/// compare `datetime_diff` results with a plain count.
pub struct KqlWholeUnits {
    pub name: &'static str,
    pub seconds_per_unit: u64,
}
impl Filter for KqlWholeUnits {
    fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> TeraResult<Value> {
        let t = expect_timespan(value, self.name)?;
        if t.seconds() % self.seconds_per_unit != 0 {
            return Err(tera::Error::msg(format!("`{}`: {t} is not a whole number of units", self.name)));
        }
        Ok(Value::String((t.seconds() / self.seconds_per_unit).to_string()))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ d | kql_datetime }}` → `datetime(2021-11-22T00:00:00Z)`. The value
/// was checked as a date-time when the content was loaded; the filter checks
/// again that only date-time characters reach the query.
pub struct KqlDatetime;
impl Filter for KqlDatetime {
    fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> TeraResult<Value> {
        let text = expect_str(value, "kql_datetime")?;
        if !crate::params::is_datetime(text) {
            return Err(tera::Error::msg(format!("`kql_datetime` expects an ISO 8601 date-time, got `{text}`")));
        }
        Ok(Value::String(format!("datetime({text})")))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ n | kql_int }}` → `5`.
pub struct KqlInt;
impl Filter for KqlInt {
    fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> TeraResult<Value> {
        let n = value.as_i64().ok_or_else(|| tera::Error::msg(format!("`kql_int` expects an integer, got {value}")))?;
        Ok(Value::String(n.to_string()))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ r | kql_real }}` → `0.1` (always with a decimal point: a KQL real).
pub struct KqlReal;
impl Filter for KqlReal {
    fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> TeraResult<Value> {
        let r = value.as_f64().filter(|r| r.is_finite());
        let r = r.ok_or_else(|| tera::Error::msg(format!("`kql_real` expects a finite number, got {value}")))?;
        Ok(Value::String(format_real(r)))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ b | kql_bool }}` → `true` / `false`.
pub struct KqlBool;
impl Filter for KqlBool {
    fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> TeraResult<Value> {
        let b = value.as_bool().ok_or_else(|| tera::Error::msg(format!("`kql_bool` expects a bool, got {value}")))?;
        Ok(Value::String(b.to_string()))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// The names of the KQL filters (for did-you-mean on an unknown filter).
pub const NAMES: &[&str] = &[
    "kql_string",
    "kql_list",
    "kql_timespan",
    "kql_minutes",
    "kql_hours",
    "kql_int",
    "kql_real",
    "kql_bool",
    "kql_datetime",
];

/// Register every filter on a Tera instance.
pub fn register(tera: &mut tera::Tera) {
    tera.register_filter("kql_string", KqlString);
    tera.register_filter("kql_list", KqlList);
    tera.register_filter("kql_timespan", KqlTimespan);
    tera.register_filter("kql_minutes", KqlWholeUnits { name: "kql_minutes", seconds_per_unit: 60 });
    tera.register_filter("kql_hours", KqlWholeUnits { name: "kql_hours", seconds_per_unit: 3600 });
    tera.register_filter("kql_int", KqlInt);
    tera.register_filter("kql_real", KqlReal);
    tera.register_filter("kql_bool", KqlBool);
    tera.register_filter("kql_datetime", KqlDatetime);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literal_escapes_everything_that_ends_or_breaks_it() {
        assert_eq!(string_literal(r#"a"b\c"#, '"'), r#""a\"b\\c""#);
        assert_eq!(string_literal("it's\n| take 1 //", '\''), r"'it\'s\n| take 1 //'");
        assert_eq!(string_literal("\u{7}", '"'), r#""\u0007""#);
    }
}
