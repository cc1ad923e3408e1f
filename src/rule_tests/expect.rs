//! Checking a result against a test's expectations, and the small tables
//! a failure shows (expected against actual).

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde_json::Value;

use super::executor::ResultTable;
use super::tables::parse_datetime;
use crate::content::rule_tests::Expectations;
use crate::span::TextRange;

/// A scheduled or NRT rule's trigger: alert when the row count compares
/// to the threshold with the operator (`gt`, `lt`, `eq`, `ne`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub operator: &'static str,
    pub threshold: i64,
}

impl Trigger {
    /// NRT rules alert on any row, as Sentinel fixes it.
    pub const ANY_ROW: Trigger = Trigger { operator: "gt", threshold: 0 };

    pub fn fires(self, rows: usize) -> bool {
        let rows = rows as i64;
        match self.operator {
            "lt" => rows < self.threshold,
            "eq" => rows == self.threshold,
            "ne" => rows != self.threshold,
            _ => rows > self.threshold,
        }
    }

    pub fn describe(self) -> String {
        let op = match self.operator {
            "lt" => "<",
            "eq" => "=",
            "ne" => "!=",
            _ => ">",
        };
        format!("rows {op} {}", self.threshold)
    }
}

/// One expectation that was not met.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The expectation as written (`fires = true`).
    pub expectation: String,
    /// Where it is written in the content file.
    pub range: TextRange,
    /// What happened instead, in one line.
    pub actual: String,
    /// Expected against actual, as a small table (may be empty).
    pub diff: String,
}

/// How many result rows a failure shows.
const SHOWN_ROWS: usize = 5;

/// Check `result` against `expect`; `trigger` is the rule's (hunting
/// queries have none: they "fire" when they return a row).
pub fn check(expect: &Expectations, result: &ResultTable, trigger: Option<Trigger>) -> Vec<Failure> {
    let mut out = Vec::new();
    let n = result.rows.len();
    if let Some(fires) = &expect.fires {
        let (fired, rule) = match trigger {
            Some(t) => (t.fires(n), format!("trigger {}", t.describe())),
            None => (n > 0, "any row".to_string()),
        };
        if fired != fires.value {
            let verb = if fired { "fired" } else { "did not fire" };
            out.push(Failure {
                expectation: format!("fires = {}", fires.value),
                range: fires.range,
                actual: format!("{verb}: {n} row(s), {rule}"),
                diff: rows_table(result, None, SHOWN_ROWS),
            });
        }
    }
    let mut count = |key: &str, bound: &Option<crate::content::item::Located<u64>>, ok: fn(usize, u64) -> bool| {
        if let Some(b) = bound
            && !ok(n, b.value)
        {
            out.push(Failure {
                expectation: format!("{key} = {}", b.value),
                range: b.range,
                actual: format!("{n} row(s)"),
                diff: rows_table(result, None, SHOWN_ROWS),
            });
        }
    };
    count("rows", &expect.rows, |n, v| n as u64 == v);
    count("min_rows", &expect.min_rows, |n, v| n as u64 >= v);
    count("max_rows", &expect.max_rows, |n, v| n as u64 <= v);
    if let Some(columns) = &expect.columns {
        let actual: Vec<&str> = result.columns.iter().map(|c| c.name.as_str()).collect();
        if actual != columns.value {
            let mut t = small_table();
            t.set_header(["", "columns"]);
            t.add_row(["expected", &columns.value.join(", ")]);
            t.add_row(["actual", &actual.join(", ")]);
            out.push(Failure {
                expectation: format!("columns = {:?}", columns.value),
                range: columns.range,
                actual: format!("the result has columns {}", actual.join(", ")),
                diff: t.to_string(),
            });
        }
    }
    for wanted in &expect.contains {
        if result.rows.iter().any(|row| row_matches(result, row, &wanted.value)) {
            continue;
        }
        let names: Vec<&str> = wanted.value.iter().map(|(k, _)| k.as_str()).collect();
        let missing: Vec<&str> = names.iter().copied().filter(|c| result.column(c).is_none()).collect();
        let actual = if missing.is_empty() {
            format!("no row of {n} has these values")
        } else {
            format!("the result has no column {}", missing.join(", "))
        };
        let mut t = small_table();
        let mut header = vec![String::new()];
        header.extend(names.iter().map(|s| s.to_string()));
        t.set_header(header);
        let mut expected = vec!["expected".to_string()];
        expected.extend(wanted.value.iter().map(|(_, v)| cell_text(v)));
        t.add_row(expected);
        for row in result.rows.iter().take(SHOWN_ROWS) {
            let mut r = vec!["actual".to_string()];
            r.extend(names.iter().map(|c| result.column(c).map_or("(no column)".into(), |i| cell_text(&row[i]))));
            t.add_row(r);
        }
        if n > SHOWN_ROWS {
            t.add_row(vec![format!("... {} more", n - SHOWN_ROWS)]);
        }
        out.push(Failure {
            expectation: format!("contains {}", inline(&wanted.value)),
            range: wanted.range,
            actual,
            diff: t.to_string(),
        });
    }
    // Every check above reads the rows as a set (counts, columns, a row
    // anywhere); when Kusto does not define which rows come back, say so.
    if let Some(why) = &result.nondeterministic {
        for f in &mut out {
            f.actual
                .push_str(&format!(" (Kusto does not define which rows this query returns: {why}; compared as a set)"));
        }
    }
    out
}

fn inline(cells: &[(String, Value)]) -> String {
    let parts: Vec<String> = cells.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!("{{ {} }}", parts.join(", "))
}

fn row_matches(result: &ResultTable, row: &[Value], wanted: &[(String, Value)]) -> bool {
    wanted.iter().all(|(column, expected)| result.column(column).is_some_and(|i| values_equal(expected, &row[i])))
}

/// Whether a written value equals a result cell: numbers by value, dates
/// as instants (`2021-11-22T12:00:00Z` equals `...00.0000000Z`), `dynamic`
/// cells sent as JSON text compared as JSON, anything else exactly.
pub fn values_equal(expected: &Value, actual: &Value) -> bool {
    if expected == actual {
        return true;
    }
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::String(b)) => match (parse_datetime(a), parse_datetime(b)) {
            (Some(x), Some(y)) => x == y,
            _ => serde_json::from_str::<Value>(b).is_ok_and(|v| v == Value::String(a.clone())),
        },
        (e, Value::String(b)) => serde_json::from_str::<Value>(b).is_ok_and(|v| values_equal(e, &v)),
        _ => false,
    }
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn small_table() -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
    t
}

/// The first `limit` rows of a result (all its columns, or `columns`).
pub fn rows_table(result: &ResultTable, columns: Option<&[&str]>, limit: usize) -> String {
    if result.rows.is_empty() {
        return "(no rows)".into();
    }
    let indices: Vec<usize> = match columns {
        Some(cs) => cs.iter().filter_map(|c| result.column(c)).collect(),
        None => (0..result.columns.len()).collect(),
    };
    let mut t = small_table();
    t.set_header(indices.iter().map(|&i| result.columns[i].name.clone()));
    for row in result.rows.iter().take(limit) {
        t.add_row(indices.iter().map(|&i| cell_text(&row[i])));
    }
    let mut text = t.to_string();
    if result.rows.len() > limit {
        text.push_str(&format!("\n... {} more row(s)", result.rows.len() - limit));
    }
    text
}

#[cfg(test)]
mod tests {
    //! The expectation checks, on hand-built result tables (no executor).
    use super::*;
    use crate::content::item::Located;
    use crate::kql::types::ScalarType;
    use crate::rule_tests::executor::ResultColumn;
    use serde_json::json;

    fn at<T>(value: T) -> Located<T> {
        Located { value, range: TextRange::new(1, 2) }
    }

    fn result(rows: Vec<Vec<Value>>) -> ResultTable {
        ResultTable {
            columns: vec![
                ResultColumn { name: "Caller".into(), ty: ScalarType::String },
                ResultColumn { name: "Count".into(), ty: ScalarType::Long },
                ResultColumn { name: "First".into(), ty: ScalarType::DateTime },
            ],
            rows,
            nondeterministic: None,
        }
    }

    #[test]
    fn fires_follows_the_trigger_for_rules_and_any_row_for_hunts() {
        let r = result(vec![vec![json!("a"), json!(5), json!("2021-11-22T11:50:00Z")]]);
        let expect = Expectations { fires: Some(at(true)), ..Default::default() };
        assert!(check(&expect, &r, None).is_empty());
        let strict = Trigger { operator: "gt", threshold: 1 };
        let failures = check(&expect, &r, Some(strict));
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].actual, "did not fire: 1 row(s), trigger rows > 1");
        assert!(Trigger { operator: "lt", threshold: 2 }.fires(1));
        assert!(!Trigger { operator: "eq", threshold: 2 }.fires(1));
    }

    #[test]
    fn counts_columns_and_partial_rows_are_checked() {
        let r = result(vec![
            vec![json!("alice"), json!(2), json!("2021-11-22T11:00:00Z")],
            vec![json!("mallory"), json!(5), json!("2021-11-22T11:50:00.0000000Z")],
        ]);
        let ok = Expectations {
            rows: Some(at(2)),
            contains: vec![at(vec![
                ("Caller".into(), json!("mallory")),
                ("First".into(), json!("2021-11-22T11:50:00Z")),
            ])],
            columns: Some(at(vec!["Caller".into(), "Count".into(), "First".into()])),
            ..Default::default()
        };
        assert_eq!(check(&ok, &r, None), []);
        let bad = Expectations {
            max_rows: Some(at(1)),
            contains: vec![at(vec![("Caller".into(), json!("eve")), ("Count".into(), json!(5))])],
            columns: Some(at(vec!["Caller".into()])),
            ..Default::default()
        };
        let failures = check(&bad, &r, None);
        let what: Vec<&str> = failures.iter().map(|f| f.expectation.as_str()).collect();
        assert_eq!(what, ["max_rows = 1", "columns = [\"Caller\"]", "contains { Caller = \"eve\", Count = 5 }"]);
        insta::assert_snapshot!(failures[2].diff, @r"
        ┌──────────┬─────────┬───────┐
        │          ┆ Caller  ┆ Count │
        ╞══════════╪═════════╪═══════╡
        │ expected ┆ eve     ┆ 5     │
        │ actual   ┆ alice   ┆ 2     │
        │ actual   ┆ mallory ┆ 5     │
        └──────────┴─────────┴───────┘
        ");
    }

    #[test]
    fn nondeterministic_results_compare_as_sets_and_failures_say_why() {
        let rows = vec![
            vec![json!("b"), json!(2), json!("2021-11-22T11:50:00Z")],
            vec![json!("a"), json!(1), json!("2021-11-22T11:40:00Z")],
        ];
        let mut r = result(rows);
        r.nondeterministic = Some("`take`/`limit` without a `sort` before it keeps any rows".into());
        let mut e = Expectations {
            contains: vec![at(vec![("Caller".to_string(), json!("a")), ("Count".to_string(), json!(1))])],
            ..Default::default()
        };
        assert!(check(&e, &r, None).is_empty(), "row order does not matter");
        e.contains = vec![at(vec![("Caller".to_string(), json!("zz"))])];
        let f = check(&e, &r, None);
        assert_eq!(f.len(), 1);
        assert!(f[0].actual.contains("does not define which rows") && f[0].actual.contains("take"), "{}", f[0].actual);
    }

    #[test]
    fn values_compare_by_meaning() {
        assert!(values_equal(&json!(5), &json!(5.0)));
        assert!(values_equal(&json!("2021-11-22T12:00:00Z"), &json!("2021-11-22T12:00:00.0000000Z")));
        assert!(values_equal(&json!(["a"]), &json!("[\"a\"]")));
        assert!(!values_equal(&json!("A"), &json!("a")));
        assert!(!values_equal(&json!(5), &json!("5x")));
    }
}
