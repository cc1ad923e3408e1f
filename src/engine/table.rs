//! Tables: named, typed columns of equal length. Columns are shared
//! ([`Vals`]) so `project`, `let` references and joins copy no cells they keep as is.

use crate::engine::vals::Vals;
use crate::engine::value::Value;
use crate::kql::types::ScalarType;

/// A column of values of one Kusto type (`Long` values in `int` columns,
/// ticks in datetime/timespan columns, any value in dynamic columns).
#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub ty: ScalarType,
    pub data: Vals,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: ScalarType, data: Vec<Value>) -> Self {
        Column { name: name.into(), ty, data: data.into() }
    }

    pub fn of(name: impl Into<String>, ty: ScalarType, data: Vals) -> Self {
        Column { name: name.into(), ty, data }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Row count (kept apart so a table of no columns still has rows).
    pub len: usize,
    /// Set on a run's result when Kusto does not define its rows (or their
    /// order): why, e.g. `take` without `sort` (see `engine/determinism.rs`).
    pub nondeterministic: Option<&'static str>,
}

impl Table {
    pub fn new(columns: Vec<Column>, len: usize) -> Self {
        Table { columns, len, nondeterministic: None }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Keep `rows` (indices, in this order).
    pub fn take_rows(&self, rows: &[usize]) -> Table {
        // one column per thread when there are many rows to gather
        let columns = crate::engine::threads::map_items(&self.columns, rows.len(), |c| Column {
            name: c.name.clone(),
            ty: c.ty,
            data: c.data.take(rows),
        });
        Table { columns, len: rows.len(), nondeterministic: None }
    }

    /// Add or replace a column (replacing keeps its position).
    pub fn set_column(&mut self, col: Column) {
        match self.index_of(&col.name) {
            Some(i) => self.columns[i] = col,
            None => self.columns.push(col),
        }
    }

    /// A one-row table of no columns: the context `print` and scalar `let`s evaluate in.
    pub fn single_row() -> Table {
        Table { columns: Vec::new(), len: 1, nondeterministic: None }
    }

    /// A fresh column name: `base`, else `base1`, `base2`, ...
    pub fn unique_name(&self, base: &str) -> String {
        if self.column(base).is_none() {
            return base.to_string();
        }
        (1..).map(|i| format!("{base}{i}")).find(|n| self.column(n).is_none()).unwrap_or_default()
    }
}
