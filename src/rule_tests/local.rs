//! The local engine as the rule tests' executor: test tables become engine
//! tables (cells parsed by the engine's own loader rules), `now` is pinned
//! in ticks, and the result comes back in the query API's spelling, the
//! same shape a remote `run` gives.

use chrono::{DateTime, Utc};

use super::backtest::schedule::TimeIndex;
use super::executor::{ExecError, Executor, ResultColumn, ResultTable};
use super::tables::{TestTable, TestTables};
use crate::engine::load::{Cell, parse_cell};
use crate::engine::vals::DictBuilder;
use crate::engine::{Column, Database, Engine, EngineErrorKind, Options, Table};

/// Rule tests and back-tests on `crate::engine`.
pub struct LocalEngine;

/// The database of one test: every table, typed by its declared columns.
fn database(tables: &TestTables) -> Result<Database, ExecError> {
    database_of(tables.tables.iter().map(|(n, t)| (n.as_str(), t)))
}

fn database_of<'a>(tables: impl Iterator<Item = (&'a str, &'a TestTable)>) -> Result<Database, ExecError> {
    let mut db = Database::default();
    for (name, table) in tables {
        let mut columns = Vec::with_capacity(table.columns.len());
        for (i, column) in table.columns.iter().enumerate() {
            if column.ty == crate::kql::types::ScalarType::String {
                // strings interned per column, as the loader does
                let mut dict = DictBuilder::with_capacity(table.rows.len());
                for row in &table.rows {
                    match row.get(i) {
                        Some(serde_json::Value::String(s)) => dict.push_str(s),
                        None | Some(serde_json::Value::Null) => dict.push_str(""),
                        Some(other) => match parse_cell(&Cell::Json(other.clone()), column.ty) {
                            Ok(crate::engine::value::Value::String(s)) => dict.push_str(&s),
                            _ => dict.push_str(""),
                        },
                    }
                }
                columns.push(Column::of(column.name.clone(), column.ty, dict.finish()));
                continue;
            }
            let mut data = Vec::with_capacity(table.rows.len());
            for row in &table.rows {
                let cell = row.get(i).cloned().map_or(Cell::Missing, Cell::Json);
                let value = parse_cell(&cell, column.ty)
                    .map_err(|why| ExecError::new(format!("table `{name}`, column `{}`: {why}", column.name)))?;
                data.push(value);
            }
            columns.push(Column::new(column.name.clone(), column.ty, data));
        }
        db.add(name, Table::new(columns, table.rows.len()));
    }
    Ok(db)
}

/// Where test data keeps what `externaldata` would download: a URL of the
/// query is served from `tests/data/external/<its last path segment>` when
/// that file exists (tests never reach the network); other URLs stay
/// unmapped, and the engine refuses them.
pub const EXTERNAL_DIR: &str = "tests/data/external";

fn external_files(query: &str) -> std::collections::HashMap<String, std::path::PathBuf> {
    let mut out = std::collections::HashMap::new();
    for (at, _) in query.match_indices("https://").chain(query.match_indices("http://")) {
        let url: String =
            query[at..].chars().take_while(|c| !matches!(c, '"' | '\'' | ' ' | ']' | ')' | '\n')).collect();
        let Some(last) = url.rsplit('/').next().filter(|s| !s.is_empty()) else { continue };
        let file = std::path::Path::new(EXTERNAL_DIR).join(last);
        if file.is_file() {
            out.insert(url, file);
        }
    }
    out
}

/// `now` as .NET ticks (100 ns since 0001-01-01), the engine's datetimes.
fn ticks(now: DateTime<Utc>) -> i64 {
    let nanos = now.timestamp_nanos_opt().unwrap_or_default();
    crate::engine::datetime::UNIX_EPOCH + nanos / 100
}

/// The back-test data as engine tables, in [`TimeIndex::tables`] order.
struct Indexed(Result<Vec<(String, Table)>, ExecError>);

impl Executor for LocalEngine {
    fn execute(&self, query: &str, tables: &TestTables, now: DateTime<Utc>) -> Result<ResultTable, ExecError> {
        run_on(&database(tables)?, query, now)
    }

    /// The whole index becomes engine tables once (typed cells, strings
    /// interned), cached in the index for every window and variant; a
    /// window is a slice of their rows.
    fn execute_window(
        &self,
        query: &str,
        data: &TimeIndex,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<ResultTable, ExecError> {
        let cached = data.executor_cache.get_or_init(|| {
            let db = database_of(data.tables());
            Box::new(Indexed(
                db.map(|db| data.tables().map(|(n, _)| (n.to_string(), (*db.tables[n]).clone())).collect()),
            ))
        });
        let Some(Indexed(tables)) = cached.downcast_ref::<Indexed>() else {
            return self.execute(query, &data.window(start, now), now);
        };
        let tables = tables.as_ref().map_err(Clone::clone)?;
        let mut db = Database::default();
        for ((name, table), range) in tables.iter().zip(data.window_ranges(start, now)) {
            let t = if range.start == 0 && range.end == table.len {
                table.clone()
            } else {
                table.take_rows(&range.collect::<Vec<usize>>())
            };
            db.add(name.clone(), t);
        }
        run_on(&db, query, now)
    }
}

fn run_on(db: &Database, query: &str, now: DateTime<Utc>) -> Result<ResultTable, ExecError> {
    let options = Options { now: ticks(now), external: external_files(query), ..Options::default() };
    let engine = Engine::new(db, options);
    let result = engine.run_text(query).map_err(|e| {
        let unsupported = e.kind == EngineErrorKind::Unsupported;
        let message = format!("{}: {}", crate::engine::codes::code_of(e.kind).id, e.message);
        ExecError { message, span: Some(e.range), unsupported }
    })?;
    let columns = result.columns.iter().map(|c| ResultColumn { name: c.name.clone(), ty: c.ty }).collect();
    let rows = (0..result.len).map(|i| result.columns.iter().map(|c| c.data[i].to_json_cell(c.ty)).collect()).collect();
    Ok(ResultTable { columns, rows, nondeterministic: result.nondeterministic.map(str::to_string) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kql::types::ScalarType;
    use crate::rule_tests::tables::TestTable;

    #[test]
    fn a_query_runs_over_test_tables_with_now_pinned() {
        let mut tables = TestTables::default();
        tables.tables.insert(
            "AzureActivity".into(),
            TestTable {
                columns: vec![
                    ResultColumn { name: "TimeGenerated".into(), ty: ScalarType::DateTime },
                    ResultColumn { name: "Caller".into(), ty: ScalarType::String },
                ],
                rows: vec![
                    vec!["2021-11-22T11:00:00Z".into(), "a@contoso.com".into()],
                    vec!["2021-11-20T11:00:00Z".into(), "b@contoso.com".into()],
                ],
            },
        );
        let now: DateTime<Utc> = "2021-11-22T12:00:00Z".parse().unwrap();
        let out = LocalEngine
            .execute("AzureActivity | where TimeGenerated > ago(1d) | project Caller", &tables, now)
            .unwrap();
        assert_eq!(out.columns, [ResultColumn { name: "Caller".into(), ty: ScalarType::String }]);
        assert_eq!(out.rows, [vec![serde_json::Value::from("a@contoso.com")]]);
        let err = LocalEngine.execute("AzureActivity | scan with (step s: true;)", &tables, now).unwrap_err();
        assert!(err.unsupported || err.message.starts_with("ENG"), "{err:?}");
    }
}
