//! `backtest ID --local DIR --sweep PARAM=v1,v2 …`: for every combination
//! of swept values, render the item with them and replay it over the data
//! as Sentinel would schedule it ([`schedule`]); report per combination
//! ([`aggregate`]) as a table, JSON, CSV ([`output`]) and a picture
//! ([`plot`]). Hunting queries run once per combination with `now` at the
//! end of the range. The same replay runs on a workspace or an Azure Data
//! Explorer cluster ([`remote`]: one query per tick window and value,
//! bounded concurrency).

pub mod aggregate;
pub mod data;
pub mod output;
pub mod plot;
pub mod remote;
pub mod schedule;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::content::item::{Item, Kind};
use crate::diag::Diagnostic;
use crate::rule_tests::executor::{ExecError, Executor};
use crate::rule_tests::prepare::{Project, substitute_placeholders, trigger_of};
use crate::source::SourceMap;
use aggregate::ValueResult;
use schedule::{RuleSchedule, TimeIndex};

/// One `--sweep PARAM=v1,v2,…`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    pub param: String,
    /// Each value as written (`--set` syntax: TOML, else a string).
    pub values: Vec<String>,
}

impl Sweep {
    /// Read `PARAM=v1,v2,…` (values split at commas).
    pub fn parse(text: &str) -> Result<Sweep, String> {
        let (param, values) = text.split_once('=').ok_or_else(|| format!("`{text}`: expected PARAM=v1,v2,..."))?;
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
        if param.trim().is_empty() || values.is_empty() {
            return Err(format!("`{text}`: expected PARAM=v1,v2,..."));
        }
        Ok(Sweep { param: param.trim().to_string(), values })
    }
}

/// Every combination of the sweeps' values (the first sweep varies slowest),
/// each as `NAME=VALUE` strings for [`crate::content::set_param::apply_sets`].
pub fn combinations(sweeps: &[Sweep]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for s in sweeps {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                s.values.iter().map(move |v| {
                    let mut c = prefix.clone();
                    c.push(format!("{}={v}", s.param));
                    c
                })
            })
            .collect();
    }
    out
}

/// One combination, rendered and ready to replay.
pub struct Variant {
    pub params: Vec<(String, Value)>,
    pub item: Item,
    /// The schedule replayed, when not the item's own (`--frequency`, `--period`).
    pub schedule: Option<RuleSchedule>,
}

/// Replay every variant every `frequency` over `period` instead of the
/// rule's own schedule (trigger and suppression stay the rule's): what a
/// back-test of "this rule, run hourly" needs. `Err` for a hunting query,
/// which has no schedule.
pub fn reschedule(
    variants: &mut [Variant],
    frequency: Option<Duration>,
    period: Option<Duration>,
) -> Result<(), String> {
    if frequency.is_none() && period.is_none() {
        return Ok(());
    }
    for v in variants {
        let mut s = schedule_of(&v.item).ok_or("a hunting query has no schedule to change")?;
        s.frequency = frequency.unwrap_or(s.frequency);
        s.period = period.unwrap_or(s.period);
        v.schedule = Some(s);
    }
    Ok(())
}

/// The item with each combination applied, every value checked by the
/// model (problems point into a virtual `--set` file).
pub fn variants(item: &Item, sweeps: &[Sweep], sources: &mut SourceMap) -> (Vec<Variant>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut out = Vec::new();
    for combo in combinations(sweeps) {
        let mut v = item.clone();
        let problems = crate::content::set_param::apply_sets(&mut v, &combo, sources);
        if !problems.is_empty() {
            diags.extend(problems);
            continue;
        }
        let params = sweeps
            .iter()
            .filter_map(|s| {
                let spec = v.model.info().param(&s.param)?;
                Some((s.param.clone(), v.params.values.get(spec.name)?.to_json()))
            })
            .collect();
        out.push(Variant { params, item: v, schedule: None });
    }
    (out, diags)
}

/// The range replayed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// A rule's schedule as a replay needs it; NRT rules run every 5 minutes
/// here (Sentinel runs them about every minute; see the note).
pub fn schedule_of(item: &Item) -> Option<RuleSchedule> {
    let trigger = trigger_of(item)?;
    let rule = item.rule.as_ref()?;
    let secs = |t: crate::timespan::Timespan| Duration::seconds(t.seconds() as i64);
    match (&rule.schedule, item.kind) {
        (Some(s), _) => Some(RuleSchedule {
            frequency: secs(s.frequency),
            period: secs(s.period),
            trigger,
            suppression: s.suppression.map(secs),
        }),
        (None, Kind::Nrt) => Some(RuleSchedule {
            frequency: Duration::minutes(5),
            period: Duration::minutes(5),
            trigger,
            suppression: None,
        }),
        _ => None,
    }
}

/// Replay every variant over the indexed data; results in variant order.
///
/// Reused across ticks and values: the data is loaded once, by the caller,
/// into typed, string-interned engine tables sorted by `TimeGenerated`
/// ([`TimeIndex`], [`data::load`]), shared by every variant; the local
/// engine takes each window as a contiguous row range of them (the whole
/// table itself when the window covers it); each variant's query is
/// rendered once (ticks only fill in placeholders). Rules whose values
/// share one frequency and period replay in lockstep: each tick's window
/// is built once and every value's query runs on it, in parallel; other
/// variants replay in parallel, one thread per core.
pub fn run(
    project: &mut Project,
    variants: &[Variant],
    index: &TimeIndex,
    range: Range,
    executor: &dyn Executor,
) -> Result<Vec<ValueResult>, BacktestError> {
    let mut rendered = Vec::with_capacity(variants.len());
    for v in variants {
        rendered.push(project.rendered(&v.item).map_err(BacktestError::Render)?);
    }
    let days = aggregate::days(range.from, range.to);
    let schedules: Vec<Option<RuleSchedule>> =
        variants.iter().map(|v| v.schedule.or_else(|| schedule_of(&v.item))).collect();
    // Rules that all tick together (one frequency and period, the usual
    // sweep of a threshold) share each tick's window: it is built once and
    // every value's query runs on it.
    let lockstep = schedules.len() > 1
        && schedules
            .iter()
            .all(|s| s.zip(schedules[0]).is_some_and(|(a, b)| a.frequency == b.frequency && a.period == b.period));
    if let (true, Some(first)) = (lockstep, schedules[0]) {
        let ticks = schedule::ticks(range.from, range.to, first.frequency);
        let mut replayers: Vec<schedule::Replayer> =
            schedules.iter().flatten().map(|s| schedule::Replayer::new(*s)).collect();
        for &now in &ticks {
            let due: Vec<usize> = (0..variants.len()).filter(|&i| replayers[i].due(now)).collect();
            if due.is_empty() {
                continue;
            }
            let queries: Vec<String> =
                due.iter().map(|&i| substitute_placeholders(&rendered[i], &variants[i].item, now)).collect();
            let results = executor.execute_window_many(&queries, index, now - first.period, now);
            for (&i, r) in due.iter().zip(results) {
                replayers[i].record(now, r.map_err(BacktestError::Exec)?);
            }
        }
        return Ok(variants
            .iter()
            .zip(replayers)
            .map(|(v, r)| aggregate::of_replay(v.params.clone(), &r.finish(), &v.item.entities, &days))
            .collect());
    }
    let replay_one = |i: usize| -> Result<ValueResult, ExecError> {
        let (v, raw) = (&variants[i], &rendered[i]);
        let mappings = &v.item.entities;
        match schedules[i] {
            Some(schedule) => {
                let ticks = schedule::ticks(range.from, range.to, schedule.frequency);
                let replay = schedule::replay(&schedule, &ticks, |now, start| {
                    executor.execute_window(&substitute_placeholders(raw, &v.item, now), index, start, now)
                })?;
                Ok(aggregate::of_replay(v.params.clone(), &replay, mappings, &days))
            }
            None => {
                let query = substitute_placeholders(raw, &v.item, range.to);
                let result = executor.execute_window(&query, index, range.from, range.to)?;
                Ok(aggregate::of_hunt(v.params.clone(), &result, mappings))
            }
        }
    };
    let indices: Vec<usize> = (0..variants.len()).collect();
    crate::rule_tests::parallel::map_ordered(&indices, |&i| replay_one(i))
        .into_iter()
        .map(|r| r.map_err(BacktestError::Exec))
        .collect()
}

#[derive(Debug)]
pub enum BacktestError {
    Render(Vec<Diagnostic>),
    Exec(ExecError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_parse_and_combine_first_slowest() {
        let a = Sweep::parse("min_commands=2, 3").unwrap();
        let b = Sweep::parse("window=15m,1h").unwrap();
        assert_eq!(a.values, ["2", "3"]);
        assert!(Sweep::parse("min_commands").is_err());
        assert!(Sweep::parse("min_commands=").is_err());
        let c = combinations(&[a, b]);
        assert_eq!(
            c,
            [
                vec!["min_commands=2", "window=15m"],
                vec!["min_commands=2", "window=1h"],
                vec!["min_commands=3", "window=15m"],
                vec!["min_commands=3", "window=1h"],
            ]
        );
    }
}
