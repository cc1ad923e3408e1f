//! The execution boundary: what a rule test or back-test needs from a KQL
//! executor. The local engine (`crate::engine`, rank 13) implements it once
//! it lands; a remote target (`crate::query`) answers in the same
//! [`ResultTable`] shape through [`ResultTable::from_query_table`], so the
//! expectation checks and back-test aggregation are shared by both.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::kql::types::ScalarType;
use crate::rule_tests::backtest::schedule::TimeIndex;
use crate::rule_tests::tables::TestTables;
use crate::span::TextRange;

/// What a rule test or back-test needs from a KQL executor.
pub trait Executor: Sync {
    /// Run `query` over `tables` with `now()` (and so `ago()`) pinned to
    /// `now`; the primary result table (the last tabular statement's).
    fn execute(&self, query: &str, tables: &TestTables, now: DateTime<Utc>) -> Result<ResultTable, ExecError>;

    /// One back-test evaluation: `query` at `now`, seeing only the rows of
    /// `data` with `start < TimeGenerated <= now` (what Sentinel's query
    /// period gives the rule). The default copies that window out of the
    /// index as test tables and calls [`Executor::execute`]; the local
    /// engine overrides it and takes the window's row range of the index's
    /// engine tables directly, which is where a month of logs stops being
    /// a copy per tick.
    fn execute_window(
        &self,
        query: &str,
        data: &TimeIndex,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<ResultTable, ExecError> {
        self.execute(query, &data.window(start, now), now)
    }

    /// Several queries over the same window (the swept values of one
    /// rule at one tick), results in query order. The default runs
    /// [`Executor::execute_window`] for each; the local engine builds the
    /// window once and runs the queries on it in parallel.
    fn execute_window_many(
        &self,
        queries: &[String],
        data: &TimeIndex,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<Result<ResultTable, ExecError>> {
        queries.iter().map(|q| self.execute_window(q, data, start, now)).collect()
    }
}

/// One column of a result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultColumn {
    pub name: String,
    pub ty: ScalarType,
}

/// A result table. Cells are spelled as the Log Analytics query API spells
/// them: `datetime` an ISO 8601 string, `long`/`int`/`real` JSON numbers,
/// `bool` true/false, `timespan` a `[d.]hh:mm:ss[.fffffff]` string,
/// `dynamic` the JSON value, `null` for an empty cell.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ResultTable {
    pub columns: Vec<ResultColumn>,
    pub rows: Vec<Vec<Value>>,
    /// Why Kusto does not define these rows or their order (`take` without
    /// `sort`, an `innerunique` join's row choice), when the executor knows:
    /// the expectations compare rows as a set and a failure says so.
    pub nondeterministic: Option<String>,
}

impl ResultTable {
    /// The index of column `name` (exact, then case-insensitive).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .or_else(|| self.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name)))
    }

    /// A remote result (`run` on a workspace) in the same shape; the API's
    /// column types map to KQL's (an unknown type reads as `string`, the way
    /// `run` shows it).
    pub fn from_query_table(table: &crate::query::results::Table) -> Self {
        use crate::query::results::ColumnType as C;
        let columns = table
            .columns
            .iter()
            .map(|c| ResultColumn {
                name: c.name.clone(),
                ty: match c.ty {
                    C::Bool => ScalarType::Bool,
                    C::Datetime => ScalarType::DateTime,
                    C::Dynamic => ScalarType::Dynamic,
                    C::Int => ScalarType::Int,
                    C::Long => ScalarType::Long,
                    C::Real => ScalarType::Real,
                    C::String | C::Other => ScalarType::String,
                    C::Timespan => ScalarType::TimeSpan,
                    C::Guid => ScalarType::Guid,
                    C::Decimal => ScalarType::Decimal,
                },
            })
            .collect();
        ResultTable { columns, rows: table.rows.clone(), nondeterministic: None }
    }
}

/// Why a query could not be executed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ExecError {
    pub message: String,
    /// Where in the query, when the executor knows (e.g. an operator the
    /// local engine does not support).
    pub span: Option<TextRange>,
    /// Whether the query is valid KQL the executor does not implement
    /// (as opposed to a query that fails at run time).
    pub unsupported: bool,
}

impl ExecError {
    pub fn new(message: impl Into<String>) -> Self {
        ExecError { message: message.into(), span: None, unsupported: false }
    }

    /// "not supported by the local engine", at `span` of the query.
    pub fn unsupported(message: impl Into<String>, span: TextRange) -> Self {
        ExecError { message: message.into(), span: Some(span), unsupported: true }
    }
}
