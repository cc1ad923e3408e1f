//! The figures of one swept value: alerts, distinct entities (from the
//! item's entity mappings), alerts per day, first and last alert.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use super::schedule::Replay;
use crate::rule_tests::executor::ResultTable;
use crate::sentinel::entities::EntityMapping;

/// The outcome for one combination of swept values.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueResult {
    /// The swept parameters and their values, in sweep order.
    pub params: Vec<(String, Value)>,
    /// Rows returned: by every alerting evaluation (rules) or the one run (hunts).
    pub rows: usize,
    /// `None` for hunting queries (they do not alert).
    pub alerts: Option<usize>,
    pub entities: usize,
    /// First and last alert (rules) or, for hunts, none.
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    /// Alerts per UTC day, every day of the range (zeros included).
    pub per_day: Vec<(NaiveDate, usize)>,
}

/// The distinct entities in `result`: one per mapping and distinct
/// identifier values (a row whose identifiers are all empty maps to none).
pub fn entities_in(result: &ResultTable, mappings: &[EntityMapping], into: &mut BTreeSet<String>) {
    for m in mappings {
        let columns: Vec<Option<usize>> = m.fields.iter().map(|(_, c)| result.column(c)).collect();
        for row in &result.rows {
            let ids: Vec<String> = columns
                .iter()
                .map(|c| {
                    c.map(|i| &row[i]).map_or(String::new(), |v| match v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    })
                })
                .collect();
            if ids.iter().any(|s| !s.is_empty()) {
                into.insert(format!("{}:{}", m.entity_type, ids.join("|")));
            }
        }
    }
}

/// Figures of a scheduled or NRT rule's replay over `days`.
pub fn of_replay(
    params: Vec<(String, Value)>,
    replay: &Replay,
    mappings: &[EntityMapping],
    days: &[NaiveDate],
) -> ValueResult {
    let mut entities = BTreeSet::new();
    let mut per_day: BTreeMap<NaiveDate, usize> = days.iter().map(|d| (*d, 0)).collect();
    let mut rows = 0;
    for a in &replay.alerts {
        entities_in(&a.result, mappings, &mut entities);
        *per_day.entry(a.time.date_naive()).or_default() += 1;
        rows += a.result.rows.len();
    }
    ValueResult {
        params,
        rows,
        alerts: Some(replay.alerts.len()),
        entities: entities.len(),
        first: replay.alerts.first().map(|a| a.time),
        last: replay.alerts.last().map(|a| a.time),
        per_day: per_day.into_iter().collect(),
    }
}

/// Figures of a hunting query's one run.
pub fn of_hunt(params: Vec<(String, Value)>, result: &ResultTable, mappings: &[EntityMapping]) -> ValueResult {
    let mut entities = BTreeSet::new();
    entities_in(result, mappings, &mut entities);
    ValueResult {
        params,
        rows: result.rows.len(),
        alerts: None,
        entities: entities.len(),
        first: None,
        last: None,
        per_day: Vec::new(),
    }
}

/// Every UTC day from `from` to `to`, inclusive.
pub fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = from.date_naive();
    while d <= to.date_naive() {
        out.push(d);
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

impl ValueResult {
    /// Alerts per day on average over the range (rules only).
    pub fn alerts_per_day(&self) -> Option<f64> {
        let alerts = self.alerts?;
        (!self.per_day.is_empty()).then(|| alerts as f64 / self.per_day.len() as f64)
    }

    /// The JSON shape of `backtest --format json`.
    pub fn to_json(&self) -> Value {
        let time = |t: Option<DateTime<Utc>>| t.map(crate::rule_tests::tables::api_datetime);
        json!({
            "params": Value::Object(self.params.iter().cloned().collect()),
            "rows": self.rows,
            "alerts": self.alerts,
            "entities": self.entities,
            "first": time(self.first),
            "last": time(self.last),
            "per_day": self.per_day.iter().map(|(d, n)| json!({"day": d.to_string(), "alerts": n})).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    //! Aggregation of hand-built replays (no executor involved).
    use super::*;
    use crate::kql::types::ScalarType;
    use crate::rule_tests::backtest::schedule::Alert;
    use crate::rule_tests::executor::ResultColumn;
    use crate::rule_tests::tables::parse_datetime;

    fn caller_rows(callers: &[&str]) -> ResultTable {
        ResultTable {
            columns: vec![ResultColumn { name: "Caller".into(), ty: ScalarType::String }],
            rows: callers.iter().map(|c| vec![json!(c)]).collect(),
            nondeterministic: None,
        }
    }

    #[test]
    fn alerts_entities_and_days_are_counted() {
        let t = |s: &str| parse_datetime(s).unwrap();
        let replay = Replay {
            alerts: vec![
                Alert { time: t("2021-11-22T01:00:00Z"), result: caller_rows(&["mallory", "eve"]) },
                Alert { time: t("2021-11-22T05:00:00Z"), result: caller_rows(&["mallory"]) },
                Alert { time: t("2021-11-24T05:00:00Z"), result: caller_rows(&["", "trent"]) },
            ],
            evaluations: 10,
            suppressed: 0,
        };
        let mappings =
            [EntityMapping { entity_type: "Account".into(), fields: vec![("FullName".into(), "Caller".into())] }];
        let r = of_replay(
            vec![("min_commands".into(), json!(5))],
            &replay,
            &mappings,
            &days(t("2021-11-22T00:00:00Z"), t("2021-11-24T23:00:00Z")),
        );
        assert_eq!((r.rows, r.alerts, r.entities), (5, Some(3), 3));
        assert_eq!(r.per_day.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [2, 0, 1]);
        assert_eq!(r.alerts_per_day(), Some(1.0));
        let j = r.to_json();
        assert_eq!(j["params"]["min_commands"], 5);
        assert_eq!(j["first"], "2021-11-22T01:00:00Z");
        assert_eq!(j["per_day"][1], json!({"day": "2021-11-23", "alerts": 0}));
        let hunt = of_hunt(vec![], &caller_rows(&["a", "a", "b"]), &mappings);
        assert_eq!((hunt.rows, hunt.alerts, hunt.entities), (3, None, 2));
        assert_eq!(hunt.to_json()["alerts"], Value::Null);
    }
}
