//! Replaying a rule the way Sentinel schedules it: one evaluation every
//! `queryFrequency`, each over the `queryPeriod` ending at its tick, with
//! `now()` at the tick; the trigger applied to the row count; after an
//! alert, evaluations inside the suppression window are skipped (Sentinel
//! stops running the query for that long).
//!
//! What is reused across ticks: the data is sorted by `TimeGenerated`
//! once ([`TimeIndex`]); each tick takes its window as a slice found by
//! binary search instead of scanning every row.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::rule_tests::executor::{ExecError, ResultTable};
use crate::rule_tests::expect::Trigger;
use crate::rule_tests::tables::{TestTable, TestTables, parse_datetime};

/// The schedule of a scheduled or NRT rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RuleSchedule {
    pub frequency: Duration,
    pub period: Duration,
    pub trigger: Trigger,
    pub suppression: Option<Duration>,
}

/// The evaluation times in `(from, to]`: `from + k·frequency`, k ≥ 1.
pub fn ticks(from: DateTime<Utc>, to: DateTime<Utc>, frequency: Duration) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    if frequency <= Duration::zero() {
        return out;
    }
    let mut t = from + frequency;
    while t <= to {
        out.push(t);
        t += frequency;
    }
    out
}

/// One alert: when, and the rows the evaluation returned.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub time: DateTime<Utc>,
    pub result: ResultTable,
}

/// What a replay did.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Replay {
    pub alerts: Vec<Alert>,
    /// Evaluations run (suppressed ticks are not run).
    pub evaluations: usize,
    pub suppressed: usize,
}

/// Replay `schedule` over `ticks`; `evaluate(now, window_start)` runs the
/// query for one tick.
pub fn replay(
    schedule: &RuleSchedule,
    ticks: &[DateTime<Utc>],
    mut evaluate: impl FnMut(DateTime<Utc>, DateTime<Utc>) -> Result<ResultTable, ExecError>,
) -> Result<Replay, ExecError> {
    let mut out = Replay::default();
    let mut quiet_until: Option<DateTime<Utc>> = None;
    for &now in ticks {
        if quiet_until.is_some_and(|q| now < q) {
            out.suppressed += 1;
            continue;
        }
        let result = evaluate(now, now - schedule.period)?;
        out.evaluations += 1;
        if schedule.trigger.fires(result.rows.len()) {
            if let Some(s) = schedule.suppression {
                quiet_until = Some(now + s);
            }
            out.alerts.push(Alert { time: now, result });
        }
    }
    Ok(out)
}

/// Every table's rows sorted by `TimeGenerated`, with the parsed times, so
/// a window is a binary search away. Tables without the column are kept
/// whole in every window.
pub struct TimeIndex {
    tables: Vec<(String, TestTable, Option<Vec<i64>>)>,
    /// An executor's own form of these tables, built on its first window
    /// and shared by every later window and variant (the local engine
    /// keeps typed columns here; see `rule_tests::local`).
    pub executor_cache: std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>,
}

impl TimeIndex {
    /// Index `tables` (taken, not copied: a month of logs is large).
    pub fn new(tables: TestTables) -> Self {
        let mut out = Vec::new();
        for (name, table) in tables.tables {
            let Some(col) = table.columns.iter().position(|c| c.name == "TimeGenerated") else {
                out.push((name, table, None));
                continue;
            };
            let TestTable { columns, rows } = table;
            let mut keyed: Vec<(i64, Vec<Value>)> = rows
                .into_iter()
                .map(|r| (r[col].as_str().and_then(parse_datetime).map_or(i64::MIN, micros), r))
                .collect();
            keyed.sort_by_key(|(t, _)| *t);
            let times = keyed.iter().map(|(t, _)| *t).collect();
            let sorted = TestTable { columns, rows: keyed.into_iter().map(|(_, r)| r).collect() };
            out.push((name, sorted, Some(times)));
        }
        TimeIndex { tables: out, executor_cache: Default::default() }
    }

    /// Rows in every table.
    pub fn row_count(&self) -> usize {
        self.tables.iter().map(|(_, t, _)| t.rows.len()).sum()
    }

    /// Every table (rows sorted by `TimeGenerated` where it has one).
    pub fn tables(&self) -> impl Iterator<Item = (&str, &TestTable)> {
        self.tables.iter().map(|(n, t, _)| (n.as_str(), t))
    }

    /// Per table, in [`TimeIndex::tables`] order, the rows [`TimeIndex::window`] keeps.
    pub fn window_ranges(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<std::ops::Range<usize>> {
        let (s, e) = (micros(start), micros(end));
        self.tables
            .iter()
            .map(|(_, table, times)| match times {
                None => 0..table.rows.len(),
                Some(times) => times.partition_point(|t| *t <= s)..times.partition_point(|t| *t <= e),
            })
            .collect()
    }

    /// The rows with `start < TimeGenerated <= end` (what a query sees at
    /// `end` over a period reaching back to `start`).
    pub fn window(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> TestTables {
        let (s, e) = (micros(start), micros(end));
        let mut out = TestTables::default();
        for (name, table, times) in &self.tables {
            let rows = match times {
                None => table.rows.clone(),
                Some(times) => {
                    let lo = times.partition_point(|t| *t <= s);
                    let hi = times.partition_point(|t| *t <= e);
                    table.rows[lo..hi].to_vec()
                }
            };
            out.tables.insert(name.clone(), TestTable { columns: table.columns.clone(), rows });
        }
        out
    }

    /// The earliest and latest `TimeGenerated` of any table.
    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let all: Vec<i64> = self
            .tables
            .iter()
            .filter_map(|(_, _, t)| t.as_ref())
            .flatten()
            .copied()
            .filter(|t| *t != i64::MIN)
            .collect();
        let (min, max) = (all.iter().min()?, all.iter().max()?);
        Some((DateTime::from_timestamp_micros(*min)?, DateTime::from_timestamp_micros(*max)?))
    }
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

#[cfg(test)]
mod tests {
    //! The scheduler on a fake evaluation (a closure that counts rows in
    //! the window): no KQL executor is involved, only the tick, trigger and
    //! suppression logic under test.
    use super::*;
    use crate::kql::types::ScalarType;
    use crate::rule_tests::executor::ResultColumn;
    use serde_json::json;

    fn t(s: &str) -> DateTime<Utc> {
        parse_datetime(s).unwrap()
    }

    fn events(times: &[&str]) -> TestTables {
        let mut tables = TestTables::default();
        tables.tables.insert(
            "AzureActivity".into(),
            TestTable {
                columns: vec![ResultColumn { name: "TimeGenerated".into(), ty: ScalarType::DateTime }],
                rows: times.iter().map(|s| vec![json!(s)]).collect(),
            },
        );
        tables
    }

    fn rows(n: usize) -> ResultTable {
        ResultTable { columns: vec![], rows: vec![vec![]; n], ..Default::default() }
    }

    #[test]
    fn ticks_are_every_frequency_after_from_up_to_to() {
        let got = ticks(t("2021-11-22T00:00:00Z"), t("2021-11-22T03:30:00Z"), Duration::hours(1));
        let shown: Vec<String> = got.iter().map(|t| t.format("%H:%M").to_string()).collect();
        assert_eq!(shown, ["01:00", "02:00", "03:00"]);
        assert!(ticks(t("2021-11-22T00:00:00Z"), t("2021-11-22T00:30:00Z"), Duration::hours(1)).is_empty());
    }

    #[test]
    fn each_tick_sees_its_period_and_the_trigger_and_suppression_apply() {
        let data = events(&[
            "2021-11-22T00:30:00Z",
            "2021-11-22T00:40:00Z",
            "2021-11-22T01:10:00Z",
            "2021-11-22T02:00:00Z",
            "2021-11-22T04:20:00Z",
            "2021-11-22T04:30:00Z",
        ]);
        let index = TimeIndex::new(data);
        let schedule = RuleSchedule {
            frequency: Duration::hours(1),
            period: Duration::hours(1),
            trigger: Trigger { operator: "gt", threshold: 1 },
            suppression: None,
        };
        let all_ticks = ticks(t("2021-11-22T00:00:00Z"), t("2021-11-22T05:00:00Z"), schedule.frequency);
        let mut seen = Vec::new();
        let r = replay(&schedule, &all_ticks, |now, start| {
            let n = index.window(start, now).row_count();
            seen.push(n);
            Ok(rows(n))
        })
        .unwrap();
        // (00,01]: 2 rows; (01,02]: 01:10 and 02:00 (the end is inclusive); (04,05]: 2.
        assert_eq!(seen, [2, 2, 0, 0, 2]);
        let times: Vec<String> = r.alerts.iter().map(|a| a.time.format("%H").to_string()).collect();
        assert_eq!(times, ["01", "02", "05"]);

        let suppressing = RuleSchedule { suppression: Some(Duration::minutes(90)), ..schedule };
        let r = replay(&suppressing, &all_ticks, |now, start| Ok(rows(index.window(start, now).row_count()))).unwrap();
        let times: Vec<String> = r.alerts.iter().map(|a| a.time.format("%H").to_string()).collect();
        assert_eq!(times, ["01", "05"], "02:00 falls inside 90 minutes of suppression after 01:00");
        assert_eq!((r.evaluations, r.suppressed), (4, 1));
        assert_eq!(index.span(), Some((t("2021-11-22T00:30:00Z"), t("2021-11-22T04:30:00Z"))));
    }
}
