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
use crate::engine::vals::Vals;
use crate::engine::value::Value;
use crate::kql::ast::{Expr, ExprKind};

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
            _ => Ok(None),
        }
    }
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
