//! The local engine as the rule tests' executor: test tables become engine
//! tables (cells parsed by the engine's own loader rules), `now` is pinned
//! in ticks, and the result comes back in the query API's spelling, the
//! same shape a remote `run` gives.

use chrono::{DateTime, Utc};

use super::backtest::schedule::{TimeIndex, ticks_of};
use super::executor::{ExecError, Executor, ResultColumn, ResultTable};
use super::tables::{TestTable, TestTables};
use crate::engine::load::{Cell, parse_cell};
use crate::engine::vals::DictBuilder;
use crate::engine::{Column, Database, Engine, EngineErrorKind, Options, Table};

/// Rule tests and back-tests on `crate::engine`.
pub struct LocalEngine;

/// The database of one test: every table, typed by its declared columns.
fn database(tables: &TestTables) -> Result<Database, ExecError> {
    let mut db = Database::default();
    for (name, table) in &tables.tables {
        db.add(name, engine_table(name, table)?);
    }
    Ok(db)
}

/// One test table as an engine table (cells parsed by the engine's own
/// loader rules, strings interned per column as the loader does).
pub fn engine_table(name: &str, table: &TestTable) -> Result<Table, ExecError> {
    let mut columns = Vec::with_capacity(table.columns.len());
    for (i, column) in table.columns.iter().enumerate() {
        if column.ty == crate::kql::types::ScalarType::String {
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
    Ok(Table::new(columns, table.rows.len()))
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

impl Executor for LocalEngine {
    fn execute(&self, query: &str, tables: &TestTables, now: DateTime<Utc>) -> Result<ResultTable, ExecError> {
        run_on(&database(tables)?, query, now)
    }

    /// The index holds typed, sorted engine tables (built once for every
    /// window and variant); a window is a contiguous range of their rows,
    /// and a window of every row shares the table itself.
    fn execute_window(
        &self,
        query: &str,
        data: &TimeIndex,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<ResultTable, ExecError> {
        run_on(&window(data, start, now)?, query, now)
    }

    /// The window is built once for every query.
    fn execute_window_many(
        &self,
        queries: &[String],
        data: &TimeIndex,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<Result<ResultTable, ExecError>> {
        match window(data, start, now) {
            Ok(db) => super::parallel::map_ordered(queries, |q| run_on(&db, q, now)),
            Err(e) => queries.iter().map(|_| Err(e.clone())).collect(),
        }
    }
}

/// The rows of `data` with `start < TimeGenerated <= now`: a contiguous
/// range of each sorted table (the table itself when it is all of it).
fn window(data: &TimeIndex, start: DateTime<Utc>, now: DateTime<Utc>) -> Result<Database, ExecError> {
    if let Some(e) = data.error() {
        return Err(e.clone());
    }
    let mut db = Database::default();
    for ((name, table), range) in data.tables().zip(data.window_ranges(start, now)) {
        if range.start == 0 && range.end == table.len {
            db.tables.insert(name.to_string(), table.clone());
        } else {
            db.add(name, table.take_rows(&range.collect::<Vec<usize>>()));
        }
    }
    Ok(db)
}

fn run_on(db: &Database, query: &str, now: DateTime<Utc>) -> Result<ResultTable, ExecError> {
    let options = Options { now: ticks_of(now), external: external_files(query), ..Options::default() };
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
