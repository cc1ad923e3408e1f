//! Back-tests on a remote target: a Log Analytics workspace (`--env`,
//! `--workspace-id`) or an Azure Data Explorer cluster (`--cluster …
//! --database …`), for data that outgrows this machine.
//!
//! **One query per tick window and value**, not one per value with the
//! windows computed server-side by `bin()`: a rule's query is arbitrary KQL
//! (`let`s, joins against its own lookback, `summarize` over the whole
//! period, `ago()` inside), and rewriting it so every window is evaluated
//! in one pass is only sound for a narrow class of queries; evaluating the
//! query as written at each tick is what Sentinel does, so the figures are
//! the same as the local replay's by construction. The cost is many small
//! queries, so they are sent concurrently (at most [`IN_FLIGHT`] at a time,
//! over one connection pool), each retried on 429 after the service's
//! `Retry-After` by the shared retry policy.
//!
//! Each query sees only its window and its `now`:
//! - workspace: the request's `timespan` is the window (`start` + one tick,
//!   so that the service's inclusive filter on `TimeGenerated` gives the
//!   local replay's `start < TimeGenerated <= now`), and `now()`/`ago()`
//!   in the text are replaced by the tick's instant ([`pin_now`]), as the
//!   API has no way to set `now`;
//! - cluster: the `query_now` request property pins `now()`, and
//!   `query_datetimescope_column`/`_from`/`_to` scope `TimeGenerated` to the
//!   window the same way.
//!
//! Every tick is queried, even one that suppression will skip (the
//! queries are in flight before the earlier alerts are known); the
//! schedule is then replayed over the answers exactly as locally.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::aggregate::{self, ValueResult};
use super::schedule::{self, RuleSchedule};
use super::{BacktestError, Range, Variant, schedule_of};
use crate::kql::lexer::{TokenKind, tokenize};
use crate::query::adx::AdxClient;
use crate::query::client::{LogAnalyticsClient, QueryBody};
use crate::query::workspace::WorkspaceId;
use crate::rule_tests::executor::{ExecError, ResultTable};
use crate::rule_tests::prepare::{Project, substitute_placeholders};

/// Queries in flight at once.
pub const IN_FLIGHT: usize = 4;

/// Where the queries go.
pub enum Remote {
    Workspace { client: LogAnalyticsClient, workspace: WorkspaceId },
    Cluster { client: AdxClient, database: String },
}

/// A datetime as a KQL literal's content and as the APIs spell it, to the tick.
fn iso(t: DateTime<Utc>) -> String {
    use chrono::Timelike;
    format!("{}.{:07}Z", t.format("%Y-%m-%dT%H:%M:%S"), t.nanosecond() % 1_000_000_000 / 100)
}

/// `query` with `now()` and `ago(x)` replaced by literals of `now`:
/// `now()` → `datetime(T)`, `now(d)` → `(datetime(T) + (d))`, `ago(d)` →
/// `(datetime(T) - (d))`. Only tokens are rewritten (never text inside
/// strings or comments), and a name followed by `(` only.
pub fn pin_now(query: &str, now: DateTime<Utc>) -> String {
    let (tokens, _) = tokenize(query);
    let lit = format!("datetime({})", iso(now));
    let mut out = String::with_capacity(query.len() + 64);
    let mut copied = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let name = &query[t.range.as_usize_range()];
        let is_call = t.kind == TokenKind::Ident
            && (name == "now" || name == "ago")
            && tokens.get(i + 1).is_some_and(|n| n.kind == TokenKind::LParen)
            && !(i > 0 && tokens[i - 1].kind == TokenKind::Dot);
        if !is_call {
            i += 1;
            continue;
        }
        // The matching `)`.
        let mut depth = 0usize;
        let mut close = None;
        for (j, u) in tokens.iter().enumerate().skip(i + 1) {
            match u.kind {
                TokenKind::LParen => depth += 1,
                TokenKind::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(j);
                        break;
                    }
                }
                TokenKind::Eof => break,
                _ => {}
            }
        }
        let Some(close) = close else { break };
        let open_end = tokens[i + 1].range.as_usize_range().end;
        let close_start = tokens[close].range.as_usize_range().start;
        let arg = pin_now(&query[open_end..close_start], now);
        out.push_str(&query[copied..t.range.as_usize_range().start]);
        match (name, arg.trim().is_empty()) {
            ("now", true) => out.push_str(&lit),
            ("now", false) => out.push_str(&format!("({lit} + ({arg}))")),
            _ => out.push_str(&format!("({lit} - ({arg}))")),
        }
        copied = tokens[close].range.as_usize_range().end;
        i = close + 1;
    }
    out.push_str(&query[copied..]);
    out
}

impl Remote {
    /// `query` evaluated at `now` over the rows with `start < TimeGenerated <= now`.
    async fn evaluate(&self, query: &str, start: DateTime<Utc>, now: DateTime<Utc>) -> Result<ResultTable, ExecError> {
        let from = start + Duration::nanoseconds(100);
        let outcome = match self {
            Remote::Workspace { client, workspace } => {
                let body = QueryBody {
                    query: pin_now(query, now),
                    timespan: Some(format!("{}/{}", iso(from), iso(now))),
                    workspaces: Vec::new(),
                };
                client.query(workspace, &body).await
            }
            Remote::Cluster { client, database } => {
                let options = json!({
                    "query_now": iso(now),
                    "query_datetimescope_column": "TimeGenerated",
                    "query_datetimescope_from": iso(from),
                    "query_datetimescope_to": iso(now),
                });
                client.query(database, query, options).await
            }
        };
        let outcome = outcome.map_err(|e| ExecError::new(format!("at {}: {e}", iso(now))))?;
        if let Some(partial) = &outcome.results.error {
            return Err(ExecError::new(format!("at {}: the result is partial ({partial})", iso(now))));
        }
        let primary = outcome.results.primary().ok_or_else(|| ExecError::new("the response has no result table"))?;
        Ok(ResultTable::from_query_table(primary))
    }
}

/// One query to send: variant, tick (`None`: a hunt's single run), text, window.
struct Job {
    variant: usize,
    tick: Option<usize>,
    query: String,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
}

/// Replay every variant on `remote`; results in variant order, the same
/// figures as [`super::run`] gives locally over the same rows.
pub fn run(
    project: &mut Project,
    variants: &[Variant],
    range: Range,
    remote: &Remote,
    rt: &tokio::runtime::Runtime,
) -> Result<Vec<ValueResult>, BacktestError> {
    let mut schedules: Vec<Option<(RuleSchedule, Vec<DateTime<Utc>>)>> = Vec::new();
    let mut jobs = Vec::new();
    for (vi, v) in variants.iter().enumerate() {
        let raw = project.rendered(&v.item).map_err(BacktestError::Render)?;
        match v.schedule.or_else(|| schedule_of(&v.item)) {
            Some(s) => {
                let ticks = schedule::ticks(range.from, range.to, s.frequency);
                for (ti, &now) in ticks.iter().enumerate() {
                    let query = substitute_placeholders(&raw, &v.item, now);
                    jobs.push(Job { variant: vi, tick: Some(ti), query, start: now - s.period, now });
                }
                schedules.push(Some((s, ticks)));
            }
            None => {
                let query = substitute_placeholders(&raw, &v.item, range.to);
                jobs.push(Job { variant: vi, tick: None, query, start: range.from, now: range.to });
                schedules.push(None);
            }
        }
    }
    let answers = rt.block_on(send_all(remote, jobs)).map_err(BacktestError::Exec)?;
    let days = aggregate::days(range.from, range.to);
    let mut out = Vec::with_capacity(variants.len());
    for (vi, v) in variants.iter().enumerate() {
        let mappings = &v.item.entities;
        match &schedules[vi] {
            Some((s, ticks)) => {
                let mut at = 0;
                let replay = schedule::replay(s, ticks, |now, _| {
                    // Ticks come in order; a suppressed one is skipped here.
                    while ticks[at] != now {
                        at += 1;
                    }
                    Ok(answers[&(vi, Some(at))].clone())
                })
                .map_err(BacktestError::Exec)?;
                out.push(aggregate::of_replay(v.params.clone(), &replay, mappings, &days));
            }
            None => out.push(aggregate::of_hunt(v.params.clone(), &answers[&(vi, None)], mappings)),
        }
    }
    Ok(out)
}

/// Send every job, at most [`IN_FLIGHT`] at once (that many workers take
/// the next job as each answer comes back); the first failure is returned.
async fn send_all(remote: &Remote, jobs: Vec<Job>) -> Result<HashMap<(usize, Option<usize>), ResultTable>, ExecError> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let worker = || async {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(job) = jobs.get(i) else { break };
            if failed.load(std::sync::atomic::Ordering::Relaxed) {
                break;
            }
            let r = remote.evaluate(&job.query, job.start, job.now).await;
            failed.fetch_or(r.is_err(), std::sync::atomic::Ordering::Relaxed);
            mine.push(((job.variant, job.tick), r));
        }
        mine
    };
    let workers: Vec<_> = (0..IN_FLIGHT).map(|_| worker()).collect();
    let mut answers = HashMap::new();
    for (k, r) in futures::future::join_all(workers).await.into_iter().flatten() {
        answers.insert(k, r?);
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_and_ago_become_literals_of_the_tick_outside_strings_only() {
        let now: DateTime<Utc> = "2021-11-22T12:00:00Z".parse().unwrap();
        let q = "T | where TimeGenerated > ago(1h) and X != \"ago(2d)\" // now()\n| extend n = now(), m = now(-1d), k = ago(bin(1d, 1h))";
        assert_eq!(
            pin_now(q, now),
            "T | where TimeGenerated > (datetime(2021-11-22T12:00:00.0000000Z) - (1h)) and X != \"ago(2d)\" // now()\n\
             | extend n = datetime(2021-11-22T12:00:00.0000000Z), m = (datetime(2021-11-22T12:00:00.0000000Z) + (-1d)), \
             k = (datetime(2021-11-22T12:00:00.0000000Z) - (bin(1d, 1h)))"
        );
        assert_eq!(pin_now("T | project ago", now), "T | project ago");
    }
}
