//! Replaying a rule the way Sentinel schedules it: one evaluation every
//! `queryFrequency`, each over the `queryPeriod` ending at its tick, with
//! `now()` at the tick; the trigger applied to the row count; after an
//! alert, evaluations inside the suppression window are skipped (Sentinel
//! stops running the query for that long).
//!
//! What is reused across ticks: the data is typed engine tables, sorted
//! by `TimeGenerated` once ([`TimeIndex`]); each tick takes its window as
//! a contiguous row range found by binary search instead of scanning rows.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::engine::Table;
use crate::engine::value::Value;
use crate::rule_tests::executor::{ExecError, ResultColumn, ResultTable};
use crate::rule_tests::expect::Trigger;
use crate::rule_tests::tables::{TestTable, TestTables};

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
    let mut r = Replayer::new(*schedule);
    for &now in ticks {
        if r.due(now) {
            r.record(now, evaluate(now, now - schedule.period)?);
        }
    }
    Ok(r.finish())
}

/// One rule's replay, a tick at a time (so several rules with the same
/// frequency and period can share each tick's window): whether a tick is
/// run (suppression), and what its result does (the trigger).
pub struct Replayer {
    schedule: RuleSchedule,
    quiet_until: Option<DateTime<Utc>>,
    out: Replay,
}

impl Replayer {
    pub fn new(schedule: RuleSchedule) -> Self {
        Replayer { schedule, quiet_until: None, out: Replay::default() }
    }

    /// Whether the query runs at `now` (a suppressed tick is counted here).
    pub fn due(&mut self, now: DateTime<Utc>) -> bool {
        if self.quiet_until.is_some_and(|q| now < q) {
            self.out.suppressed += 1;
            return false;
        }
        true
    }

    /// The evaluation at `now` returned `result`.
    pub fn record(&mut self, now: DateTime<Utc>, result: ResultTable) {
        self.out.evaluations += 1;
        if self.schedule.trigger.fires(result.rows.len()) {
            if let Some(s) = self.schedule.suppression {
                self.quiet_until = Some(now + s);
            }
            self.out.alerts.push(Alert { time: now, result });
        }
    }

    pub fn finish(self) -> Replay {
        self.out
    }
}

/// Every table as typed engine columns, its rows sorted by
/// `TimeGenerated`, with the sorted times (100 ns ticks; a row without a
/// time sorts first and is in no window), so a window is a binary search
/// away. Tables without the column are kept whole in every window.
pub struct TimeIndex {
    tables: Vec<(String, Arc<Table>, Option<Vec<i64>>)>,
    /// Why the data could not become engine tables (reported by the
    /// first evaluation, as an execution error).
    error: Option<ExecError>,
}

impl TimeIndex {
    /// Index test tables (rule-test data: checked cells in the query
    /// API's spelling), typed as the engine types them.
    pub fn new(tables: TestTables) -> Self {
        let mut engine_tables = Vec::new();
        for (name, t) in &tables.tables {
            match crate::rule_tests::local::engine_table(name, t) {
                Ok(table) => engine_tables.push((name.clone(), table)),
                Err(e) => return TimeIndex { tables: Vec::new(), error: Some(e) },
            }
        }
        Self::of_engine(engine_tables)
    }

    /// Index engine tables (loaded once): each is sorted by a permutation
    /// applied with `take_rows`, unless it is in order already.
    pub fn of_engine(tables: Vec<(String, Table)>) -> Self {
        let mut out = Vec::with_capacity(tables.len());
        for (name, table) in tables {
            let Some(col) = table.column("TimeGenerated") else {
                out.push((name, Arc::new(table), None));
                continue;
            };
            let keys: Vec<i64> = col
                .data
                .iter()
                .map(|v| match v {
                    Value::DateTime(t) => *t,
                    _ => i64::MIN,
                })
                .collect();
            if keys.is_sorted() {
                out.push((name, Arc::new(table), Some(keys)));
                continue;
            }
            // (time, row) pairs: an unstable sort of them is the stable sort by time
            let mut keyed: Vec<(i64, usize)> = keys.into_iter().zip(0..).collect();
            keyed.sort_unstable();
            let (times, order): (Vec<i64>, Vec<usize>) = keyed.into_iter().unzip();
            out.push((name, Arc::new(table.take_rows(&order)), Some(times)));
        }
        TimeIndex { tables: out, error: None }
    }

    /// Why the data could not be indexed, if it could not.
    pub fn error(&self) -> Option<&ExecError> {
        self.error.as_ref()
    }

    /// Rows in every table.
    pub fn row_count(&self) -> usize {
        self.tables.iter().map(|(_, t, _)| t.len).sum()
    }

    /// Every table (rows sorted by `TimeGenerated` where it has one).
    pub fn tables(&self) -> impl Iterator<Item = (&str, &Arc<Table>)> {
        self.tables.iter().map(|(n, t, _)| (n.as_str(), t))
    }

    /// Per table, in [`TimeIndex::tables`] order, the rows with
    /// `start < TimeGenerated <= end` (what a query sees at `end` over a
    /// period reaching back to `start`).
    pub fn window_ranges(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<std::ops::Range<usize>> {
        let (s, e) = (ticks_of(start), ticks_of(end));
        self.tables
            .iter()
            .map(|(_, table, times)| match times {
                None => 0..table.len,
                Some(times) => times.partition_point(|t| *t <= s)..times.partition_point(|t| *t <= e),
            })
            .collect()
    }

    /// The window's rows as test tables (cells in the query API's
    /// spelling), for an executor that takes no engine tables.
    pub fn window(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> TestTables {
        let mut out = TestTables::default();
        for ((name, table, _), range) in self.tables.iter().zip(self.window_ranges(start, end)) {
            let columns = table.columns.iter().map(|c| ResultColumn { name: c.name.clone(), ty: c.ty }).collect();
            let rows = range.map(|i| table.columns.iter().map(|c| c.data[i].to_json_cell(c.ty)).collect()).collect();
            out.tables.insert(name.clone(), TestTable { columns, rows });
        }
        out
    }

    /// The earliest and latest `TimeGenerated` of any table.
    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let known = |t: &&i64| **t != i64::MIN;
        let firsts = self.tables.iter().filter_map(|(_, _, t)| t.as_ref()?.iter().find(known).copied());
        let lasts = self.tables.iter().filter_map(|(_, _, t)| t.as_ref()?.last().copied().filter(|t| *t != i64::MIN));
        Some((datetime_of(firsts.min()?)?, datetime_of(lasts.max()?)?))
    }
}

/// A time as the engine's datetimes: 100 ns ticks since 0001-01-01.
pub fn ticks_of(t: DateTime<Utc>) -> i64 {
    let nanos = t.timestamp_nanos_opt().unwrap_or_default();
    crate::engine::datetime::UNIX_EPOCH + nanos / 100
}

fn datetime_of(ticks: i64) -> Option<DateTime<Utc>> {
    let since = ticks - crate::engine::datetime::UNIX_EPOCH;
    DateTime::from_timestamp(since.div_euclid(10_000_000), (since.rem_euclid(10_000_000) * 100) as u32)
}

#[cfg(test)]
mod tests {
    //! The scheduler on a fake evaluation (a closure that counts rows in
    //! the window): no KQL executor is involved, only the tick, trigger and
    //! suppression logic under test.
    use super::*;
    use crate::kql::types::ScalarType;
    use crate::rule_tests::tables::parse_datetime;
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
