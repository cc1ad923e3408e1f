//! Fast paths of expression evaluation that give the same values as the
//! generic per-row path in [`crate::engine::eval`], with less work:
//!
//! - an expression of no column (`ago(30d)`, `strcat("a", "b")`) is worked
//!   out once and repeated ([`Vals::Const`]);
//! - an expression of one dictionary column (`OperationName =~ "..."`,
//!   `tolower(Resource)`) is worked out once per dictionary value and
//!   keeps the column's codes;
//! - `where` reads its predicate by form (one test per dictionary value).
//!
//! Only expressions whose value depends on nothing but the row's cells
//! qualify: no row-position functions (`row_number`, `prev`, ...), no
//! functions of the whole table (`pack_all`, `column_ifexists`), no user
//! functions, no tabular subexpressions.

use std::sync::Arc;

use crate::engine::Ctx;
use crate::engine::aggregate::is_aggregate;
use crate::engine::error::EResult;
use crate::engine::eval::is_tabular_syntax;
use crate::engine::scope::{Binding, Col};
use crate::engine::table::{Column, Table};
use crate::engine::types;
use crate::engine::vals::Vals;
use crate::engine::value::Value;
use crate::kql::ast::{BinaryOp, Expr, ExprKind};
use crate::kql::types::ScalarType;
use foldhash::{HashMap, HashMapExt};

/// Functions whose value depends on more than their arguments' cells.
fn row_dependent(name: &str) -> bool {
    matches!(
        name,
        "row_number"
            | "row_cumsum"
            | "prev"
            | "next"
            | "row_rank_dense"
            | "row_rank_min"
            | "row_rank"
            | "row_window_session"
            | "pack_all"
            | "column_ifexists"
            | "bag_pack_columns"
            | "column_names_of"
            | "toscalar"
            | "materialize"
            | "table"
            | "view"
            | "assert"
            | "rand"
            | "new_guid"
            | "current_principal"
            | "cursor_current"
            | "estimate_data_size"
    ) || is_aggregate(name)
}

impl Ctx<'_> {
    /// The columns of `t` that `e` reads, or `None` when `e` does not
    /// qualify for a fast path (see the module docs).
    fn pure_columns<'x>(&self, e: &'x Expr, t: &Table, out: &mut Vec<&'x str>) -> bool {
        match &e.kind {
            ExprKind::Literal(_) => true,
            ExprKind::Name(n) => {
                let name = n.text.as_str();
                match self.scope.lookup(name) {
                    Some(Binding::RowArg(_)) => false,
                    _ if t.column(name).is_some() => {
                        if !out.contains(&name) {
                            out.push(name);
                        }
                        true
                    }
                    Some(Binding::Scalar(..)) => true,
                    _ => false,
                }
            }
            ExprKind::Paren(inner) => !is_tabular_syntax(inner) && self.pure_columns(inner, t, out),
            ExprKind::Unary { expr, .. } => self.pure_columns(expr, t, out),
            ExprKind::Binary { lhs, rhs, .. } => self.pure_columns(lhs, t, out) && self.pure_columns(rhs, t, out),
            ExprKind::Between { expr, low, high, .. } => {
                self.pure_columns(expr, t, out) && self.pure_columns(low, t, out) && self.pure_columns(high, t, out)
            }
            ExprKind::List { expr, items, .. } => {
                self.pure_columns(expr, t, out)
                    && items.iter().all(|i| !self.is_tabular(i) && self.pure_columns(i, t, out))
            }
            ExprKind::Call { func, args } => {
                let ExprKind::Name(f) = &func.kind else { return false };
                if self.scope.lookup(&f.text).is_some() || row_dependent(&f.text) {
                    return false;
                }
                args.iter().all(|a| !matches!(a.kind, ExprKind::Assign { .. }) && self.pure_columns(a, t, out))
            }
            ExprKind::Member { expr, .. } => self.pure_columns(expr, t, out),
            ExprKind::Index { expr, index } => self.pure_columns(expr, t, out) && self.pure_columns(index, t, out),
            _ => false,
        }
    }

    /// `e` over `t` by a fast path, or `None` to take the generic one.
    pub(crate) fn scalar_fast(&self, e: &Expr, t: &Table) -> EResult<Option<Col>> {
        let n = t.len;
        if n < 2 || matches!(e.kind, ExprKind::Literal(_) | ExprKind::Name(_)) {
            return Ok(None);
        }
        let mut cols = Vec::new();
        if !self.pure_columns(e, t, &mut cols) {
            return Ok(None);
        }
        match cols.as_slice() {
            [] => {
                let c = self.scalar(e, &Table::single_row())?;
                let v = c.vals.first().cloned().unwrap_or(Value::Null);
                Ok(Some(Col::constant(c.ty, v, n)))
            }
            [name] => {
                let Some(col) = t.column(name) else { return Ok(None) };
                let Some((codes, dict)) = col.data.dict() else { return Ok(None) };
                if dict.is_empty() || dict.len() * 2 > n {
                    return Ok(None);
                }
                let small = Table::new(vec![Column::of(*name, col.ty, Vals::Plain(dict.clone()))], dict.len());
                let c = self.scalar(e, &small)?;
                let vals = match c.vals {
                    Vals::Const { value, .. } => Vals::constant(value, n),
                    other => Vals::Dict { codes: codes.clone(), dict: Arc::new(other.into_vec()), unique: false },
                };
                Ok(Some(Col::of(c.ty, vals)))
            }
            names if names.len() <= MAX_COMBINED => self.over_combinations(e, t, names),
            _ => Ok(None),
        }
    }

    /// `e` of two to four dictionary columns (`pack(Resource, ResourceGroup)`),
    /// worked out once per distinct combination of their codes that occurs,
    /// when there are at most half as many combinations as rows.
    fn over_combinations(&self, e: &Expr, t: &Table, names: &[&str]) -> EResult<Option<Col>> {
        let n = t.len;
        let mut parts = Vec::with_capacity(names.len());
        for name in names {
            let Some(col) = t.column(name) else { return Ok(None) };
            let Some((codes, dict)) = col.data.dict() else { return Ok(None) };
            parts.push((*name, col.ty, codes.as_slice(), dict));
        }
        let mut index: HashMap<[u32; MAX_COMBINED], u32> = HashMap::with_capacity(1024);
        let mut combos: Vec<[u32; MAX_COMBINED]> = Vec::new();
        let mut codes = Vec::with_capacity(n);
        for i in 0..n {
            let mut key = [0u32; MAX_COMBINED];
            for (k, p) in parts.iter().enumerate() {
                key[k] = p.2[i];
            }
            let code = *index.entry(key).or_insert_with(|| {
                combos.push(key);
                (combos.len() - 1) as u32
            });
            if combos.len() * 2 > n {
                return Ok(None);
            }
            codes.push(code);
        }
        let columns = parts
            .iter()
            .enumerate()
            .map(|(k, (name, ty, _, dict))| {
                Column::of(*name, *ty, combos.iter().map(|key| dict[key[k] as usize].clone()).collect::<Vals>())
            })
            .collect();
        let c = self.scalar(e, &Table::new(columns, combos.len()))?;
        let vals = match c.vals {
            Vals::Const { value, .. } => Vals::constant(value, n),
            other => Vals::Dict { codes: Arc::new(codes), dict: Arc::new(other.into_vec()), unique: false },
        };
        Ok(Some(Col::of(c.ty, vals)))
    }

    /// The rows `where pred` keeps without writing a value per row, or
    /// `None` to take the generic path (evaluate, then keep the `true`
    /// rows): see [`Ctx::conjunct_rows`].
    pub(crate) fn where_rows(&self, pred: &Expr, t: &Table) -> EResult<Option<Vec<usize>>> {
        let mut conjuncts = Vec::new();
        flatten_and(pred, &mut conjuncts);
        self.conjunct_rows(&conjuncts, t)
    }

    /// The rows where every one of `conjuncts` is true (the parts of
    /// `a and b and …`, or of consecutive `where`s), or `None` for the
    /// generic path. Each conjunct after the first is evaluated only on
    /// the rows the ones before it kept, over just the columns it reads
    /// (so it must qualify as in the module docs), and the table's other
    /// columns are not gathered in between. A column compared with a value
    /// of no column (`TimeGenerated > ago(30d)`) runs as a kernel.
    pub(crate) fn conjunct_rows(&self, conjuncts: &[&Expr], t: &Table) -> EResult<Option<Vec<usize>>> {
        let Some((first, rest)) = conjuncts.split_first() else { return Ok(None) };
        if rest.is_empty() {
            return self.compare_rows(first, t);
        }
        let mut reads: Vec<Vec<&str>> = Vec::with_capacity(rest.len());
        for c in rest {
            let mut cols = Vec::new();
            if t.len < 2 || !self.pure_columns(c, t, &mut cols) {
                return Ok(None);
            }
            reads.push(cols);
        }
        let Some(mut kept) = self.rows_of(first, t)? else { return Ok(None) };
        for (c, cols) in rest.iter().zip(reads) {
            let narrowed = Table::new(
                cols.iter()
                    .filter_map(|n| t.column(n))
                    .map(|col| Column::of(col.name.clone(), col.ty, col.data.take(&kept)))
                    .collect(),
                kept.len(),
            );
            let Some(rows) = self.rows_of(c, &narrowed)? else { return Ok(None) };
            kept = rows.into_iter().map(|j| kept[j]).collect();
        }
        Ok(Some(kept))
    }

    /// The rows where `pred` is true: by a kernel, else evaluated; `None`
    /// when it is not a bool (the generic path reports that).
    fn rows_of(&self, pred: &Expr, t: &Table) -> EResult<Option<Vec<usize>>> {
        if let Some(rows) = self.compare_rows(pred, t)? {
            return Ok(Some(rows));
        }
        let c = self.scalar(pred, t)?;
        if c.ty != ScalarType::Bool && c.ty != ScalarType::Dynamic {
            return Ok(None);
        }
        Ok(Some(true_rows(&c.vals)))
    }

    /// A column held one value per row compared with a value of no column,
    /// as a kernel on every core; `None` for any other predicate.
    fn compare_rows(&self, pred: &Expr, t: &Table) -> EResult<Option<Vec<usize>>> {
        let ExprKind::Binary { op, lhs, rhs } = &pred.kind else { return Ok(None) };
        if !matches!(op, BinaryOp::Eq | BinaryOp::NotEq | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge) {
            return Ok(None);
        }
        let (column, value, op) = match (self.plain_column(lhs, t), self.plain_column(rhs, t)) {
            (Some(c), None) => (c, rhs, *op),
            (None, Some(c)) => (c, lhs, flipped(*op)),
            _ => return Ok(None),
        };
        let mut cols = Vec::new();
        if !self.pure_columns(value, t, &mut cols) || !cols.is_empty() {
            return Ok(None);
        }
        let c = self.scalar(value, &Table::single_row())?;
        let Some(value) = c.vals.first().cloned() else { return Ok(None) };
        let parts = crate::engine::threads::chunked(t.len, |range| {
            compare_kernel(&column[range.clone()], range.start, op, &value)
        });
        Ok(Some(parts.concat()))
    }

    /// The cells of `e` when it names a column of `t` held one value per row.
    fn plain_column<'t>(&self, e: &Expr, t: &'t Table) -> Option<&'t [Value]> {
        let ExprKind::Name(n) = &e.kind else { return None };
        if matches!(self.scope.lookup(&n.text), Some(Binding::RowArg(_))) {
            return None;
        }
        match &t.column(&n.text)?.data {
            Vals::Plain(v) => Some(v.as_slice()),
            _ => None,
        }
    }
}

/// The operands of `a and b and …`, left to right (parentheses looked through).
pub(crate) fn flatten_and<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary { op: BinaryOp::And, lhs, rhs } => {
            flatten_and(lhs, out);
            flatten_and(rhs, out);
        }
        ExprKind::Paren(inner) if !is_tabular_syntax(inner) => flatten_and(inner, out),
        _ => out.push(e),
    }
}

/// The most dictionary columns [`Ctx::over_combinations`] combines.
const MAX_COMBINED: usize = 4;

/// `a op b` as `b op' a`.
fn flipped(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        other => other,
    }
}

/// The rows (numbered from `first`) of `cells` where `cell op value` is
/// true; the same answers as [`types::compare_op`], with the common case
/// (both 100 ns ticks or both longs) compared as integers.
fn compare_kernel(cells: &[Value], first: usize, op: BinaryOp, value: &Value) -> Vec<usize> {
    let mut out = Vec::with_capacity(cells.len() / 2);
    for (i, cell) in cells.iter().enumerate() {
        let keep = match (cell, value) {
            (Value::DateTime(a), Value::DateTime(b))
            | (Value::TimeSpan(a), Value::TimeSpan(b))
            | (Value::Long(a), Value::Long(b)) => types::ordering_satisfies(op, a.cmp(b)),
            _ => types::compare_op(op, cell, value) == Some(true),
        };
        if keep {
            out.push(first + i);
        }
    }
    out
}

/// The rows where `vals` is `true` (what `where` keeps).
pub fn true_rows(vals: &Vals) -> Vec<usize> {
    let is_true = |v: &Value| matches!(v, Value::Bool(true));
    match vals {
        Vals::Plain(v) => v.iter().enumerate().filter(|(_, v)| is_true(v)).map(|(i, _)| i).collect(),
        Vals::Dict { codes, dict, .. } => {
            let keep: Vec<bool> = dict.iter().map(is_true).collect();
            codes.iter().enumerate().filter(|(_, c)| keep[**c as usize]).map(|(i, _)| i).collect()
        }
        Vals::Const { value, len } => {
            if is_true(value) {
                (0..*len).collect()
            } else {
                Vec::new()
            }
        }
    }
}
