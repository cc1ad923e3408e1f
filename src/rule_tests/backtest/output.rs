//! `backtest` output: a comfy-table, JSON (the shape of issue 15), CSV,
//! and a bar chart for the terminal.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use serde_json::{Value, json};

use super::aggregate::ValueResult;

fn param_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn time_text(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(|| "-".into(), |t| t.format("%Y-%m-%d %H:%M").to_string())
}

/// One row per combination: the swept values, rows, alerts, entities,
/// alerts per day, first and last alert.
pub fn table(results: &[ValueResult]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    let mut header: Vec<String> =
        results.first().map(|r| r.params.iter().map(|(k, _)| k.clone()).collect()).unwrap_or_default();
    header.extend(["rows", "alerts", "entities", "alerts/day", "first", "last"].map(String::from));
    t.set_header(header);
    for r in results {
        let mut row: Vec<Cell> =
            r.params.iter().map(|(_, v)| Cell::new(param_text(v)).set_alignment(CellAlignment::Right)).collect();
        let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
        row.push(right(r.rows.to_string()));
        row.push(right(r.alerts.map_or("-".into(), |a| a.to_string())));
        row.push(right(r.entities.to_string()));
        row.push(right(r.alerts_per_day().map_or("-".into(), |a| format!("{a:.2}"))));
        row.push(Cell::new(time_text(r.first)));
        row.push(Cell::new(time_text(r.last)));
        t.add_row(row);
    }
    t.to_string() + "\n"
}

pub fn json(item: &str, results: &[ValueResult]) -> String {
    let doc = json!({"item": item, "results": results.iter().map(ValueResult::to_json).collect::<Vec<_>>()});
    serde_json::to_string_pretty(&doc).expect("JSON") + "\n"
}

/// RFC 4180 CSV: one column per swept parameter, then the figures.
pub fn csv(results: &[ValueResult]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> =
        results.first().map(|r| r.params.iter().map(|(k, _)| k.clone()).collect()).unwrap_or_default();
    header.extend(["rows", "alerts", "entities", "alerts_per_day", "first", "last"].map(String::from));
    w.write_record(&header).expect("in memory");
    for r in results {
        let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(crate::rule_tests::tables::api_datetime).unwrap_or_default()
        };
        let mut row: Vec<String> = r.params.iter().map(|(_, v)| param_text(v)).collect();
        row.push(r.rows.to_string());
        row.push(r.alerts.map(|a| a.to_string()).unwrap_or_default());
        row.push(r.entities.to_string());
        row.push(r.alerts_per_day().map(|a| format!("{a:.4}")).unwrap_or_default());
        row.push(time(r.first));
        row.push(time(r.last));
        w.write_record(&row).expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

/// What a bar shows: alerts for rules, rows for hunting queries.
pub fn measure(r: &ValueResult) -> usize {
    r.alerts.unwrap_or(r.rows)
}

/// A bar per combination, `width` characters for the largest.
pub fn bars(results: &[ValueResult], width: usize) -> String {
    let max = results.iter().map(measure).max().unwrap_or(0).max(1);
    let labels: Vec<String> = results
        .iter()
        .map(|r| r.params.iter().map(|(k, v)| format!("{k}={}", param_text(v))).collect::<Vec<_>>().join(" "))
        .collect();
    let pad = labels.iter().map(String::len).max().unwrap_or(0);
    let unit = if results.iter().any(|r| r.alerts.is_some()) { "alerts" } else { "rows" };
    let mut out = String::new();
    for (label, r) in labels.iter().zip(results) {
        let n = measure(r);
        let len = (n * width).div_ceil(max);
        out.push_str(&format!("{label:<pad$} {} {n} {unit}\n", "\u{2588}".repeat(len)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(v: i64, alerts: usize) -> ValueResult {
        ValueResult {
            params: vec![("min_commands".into(), json!(v))],
            rows: alerts * 2,
            alerts: Some(alerts),
            entities: alerts.min(3),
            first: crate::rule_tests::tables::parse_datetime("2021-11-01T01:00:00Z"),
            last: crate::rule_tests::tables::parse_datetime("2021-11-30T23:00:00Z"),
            per_day: vec![(chrono::NaiveDate::from_ymd_opt(2021, 11, 1).unwrap(), alerts)],
        }
    }

    #[test]
    fn every_format_shows_each_combination() {
        let results = [result(2, 40), result(5, 10), result(13, 0)];
        insta::assert_snapshot!(bars(&results, 20), @r"
        min_commands=2  ████████████████████ 40 alerts
        min_commands=5  █████ 10 alerts
        min_commands=13  0 alerts
        ");
        let csv = csv(&results);
        assert_eq!(csv.lines().next(), Some("min_commands,rows,alerts,entities,alerts_per_day,first,last"));
        assert_eq!(csv.lines().nth(2), Some("5,20,10,3,10.0000,2021-11-01T01:00:00Z,2021-11-30T23:00:00Z"));
        let j: Value = serde_json::from_str(&json("spike", &results)).unwrap();
        assert_eq!(j["results"][2]["alerts"], 0);
        let t = table(&results);
        assert!(t.contains("min_commands") && t.contains("alerts/day") && t.contains("40.00"), "{t}");
    }
}
