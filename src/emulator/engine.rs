//! Queries answered by the embedded KQL engine (`crate::engine`) over the
//! tables the emulator holds: loaded with [`crate::engine::load`] from a
//! directory (`emulate --tables DIR`, [`crate::emulator::Emulator::load_tables`])
//! or handed over by a test. Both query endpoints use it: the Log Analytics
//! one (`/v1/workspaces/{id}/query`, [`super::query`]) and the Azure Data
//! Explorer one (`/v1/rest/query`, [`super::adx`]).
//!
//! What the services do around the query is done here too:
//! - Log Analytics' `timespan` is a filter on `TimeGenerated`, applied to
//!   every table the query reads in addition to the query's own filters; the
//!   emulator keeps the rows with `start <= TimeGenerated <= end` (both
//!   ends inclusive, as `between` is) of each table that has the column.
//!   A duration (`P1D`) ends at the emulator's `now`.
//! - `now()` is the emulator's pinned `now` when it was given one
//!   ([`crate::emulator::EmulatorOptions::now`]), else the clock; an ADX
//!   request may pin it per query with the `query_now` request property.
//!
//! The engine runs on a blocking thread, so a slow query does not hold up
//! the emulator's other connections.

use std::sync::Arc;

use crate::engine::{Database, Engine, EngineError, EngineErrorKind, Options, Table, datetime};
use crate::span::TextRange;

/// The tables the emulator answers from, and its `now`.
#[derive(Clone, Debug, Default)]
pub struct EngineTables {
    pub db: Arc<Database>,
    /// `now()` in ticks; the clock when `None`.
    pub now: Option<i64>,
}

/// A time range on `TimeGenerated`, in ticks, both ends inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeFilter {
    pub start: i64,
    pub end: i64,
}

impl TimeFilter {
    /// A Log Analytics `timespan`: `start/end`, `start/duration`, or a
    /// duration ending at `now`. `None` when it does not read (the
    /// endpoint checked the syntax before).
    pub fn from_timespan(text: &str, now: i64) -> Option<TimeFilter> {
        let duration = |d: &str| -> Option<i64> {
            let span = crate::query::timespan::parse_timespan(d).ok()?;
            i64::try_from(span.seconds()).ok()?.checked_mul(10_000_000)
        };
        match text.split_once('/') {
            Some((a, b)) => {
                let start = datetime::parse_datetime(a)?;
                let end = match datetime::parse_datetime(b) {
                    Some(end) => end,
                    None => start.checked_add(duration(b)?)?,
                };
                Some(TimeFilter { start, end })
            }
            None => Some(TimeFilter { start: now.checked_sub(duration(text)?)?, end: now }),
        }
    }
}

impl EngineTables {
    pub fn now(&self) -> i64 {
        self.now.unwrap_or_else(crate::engine::now_ticks)
    }

    /// Run `query` with `now()` at `now`, each table that has a
    /// `TimeGenerated` column cut to `filter` first.
    pub fn run(&self, query: &str, now: i64, filter: Option<TimeFilter>) -> Result<Table, EngineError> {
        let filtered;
        let db: &Database = match filter {
            None => &self.db,
            Some(f) => {
                filtered = self.filtered(query, f, now)?;
                &filtered
            }
        };
        Engine::new(db, Options { now, ..Options::default() }).run_text(query)
    }

    /// The tables the query may read (those whose name it mentions), cut
    /// to `filter`; the engine itself does the cutting.
    fn filtered(&self, query: &str, f: TimeFilter, now: i64) -> Result<Database, EngineError> {
        let mut db = Database::default();
        for (name, table) in &self.db.tables {
            if !query.contains(name.as_str()) || table.column("TimeGenerated").is_none() {
                db.tables.insert(name.clone(), Arc::clone(table));
                continue;
            }
            let mut one = Database::default();
            one.tables.insert("T".into(), Arc::clone(table));
            let cut = format!(
                "T | where TimeGenerated >= datetime({}) and TimeGenerated <= datetime({})",
                datetime::format_iso(f.start, true),
                datetime::format_iso(f.end, true)
            );
            let t = Engine::new(&one, Options { now, ..Options::default() })
                .run_text(&cut)
                .map_err(|e| EngineError { message: format!("filtering `{name}` by the timespan: {e}"), ..e })?;
            db.add(name.clone(), t);
        }
        Ok(db)
    }
}

/// Run on a blocking thread (the engine is synchronous).
pub async fn run_blocking(
    tables: EngineTables,
    query: String,
    now: i64,
    filter: Option<TimeFilter>,
) -> Result<Table, EngineError> {
    tokio::task::spawn_blocking(move || tables.run(&query, now, filter)).await.unwrap_or_else(|e| {
        Err(EngineError {
            kind: EngineErrorKind::Invalid,
            message: format!("the engine stopped: {e}"),
            range: TextRange::empty(0),
        })
    })
}

/// 1-based line and 0-based character position of byte `at` in `text`,
/// as the service reports a syntax error's place.
pub fn line_pos(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_read_as_the_service_reads_them() {
        let t = |s: &str| datetime::parse_datetime(s).unwrap();
        let now = t("2021-11-22T12:00:00Z");
        assert_eq!(
            TimeFilter::from_timespan("2021-11-22T00:00:00Z/2021-11-22T06:00:00Z", now),
            Some(TimeFilter { start: t("2021-11-22T00:00:00Z"), end: t("2021-11-22T06:00:00Z") })
        );
        assert_eq!(
            TimeFilter::from_timespan("P1D", now),
            Some(TimeFilter { start: t("2021-11-21T12:00:00Z"), end: now })
        );
        assert_eq!(
            TimeFilter::from_timespan("2021-11-22T00:00:00Z/PT1H", now),
            Some(TimeFilter { start: t("2021-11-22T00:00:00Z"), end: t("2021-11-22T01:00:00Z") })
        );
        assert_eq!(TimeFilter::from_timespan("yesterday", now), None);
        assert_eq!(line_pos("T\n| summarise x", 4), (2, 2));
        assert_eq!(line_pos("abc", 0), (1, 0));
    }
}
