//! Results Kusto does not define: which rows `take`/`limit` keep without a
//! `sort` before them, which left row an `innerunique` join keeps per key,
//! which row `take_any` reads, which of the rows tied at `top`'s limit it
//! keeps, which of the rows tied for `arg_max`'s best value it returns. The engine answers with one choice (the
//! first); the run records why the answer is only one of several, the
//! result [`Table`] carries it (`nondeterministic`), `run --local` prints
//! it and rule tests compare such results as sets and say so when they fail.

use crate::engine::table::Table;
use crate::kql::ast::{Expr, ExprKind, Operator, OperatorKind};

/// Why the result of `op` (given `before`, the operators ahead of it in the
/// same pipeline) is one of several Kusto may give, if it is.
pub fn reason(op: &Operator, before: &[Operator], input: &Table, output: &Table) -> Option<&'static str> {
    match &op.kind {
        OperatorKind::Take(_) if output.len < input.len && !sorted(before) => {
            Some("`take`/`limit` without a `sort` before it keeps any rows")
        }
        OperatorKind::Summarize { aggregates, .. }
            if output.len < input.len && aggregates.iter().any(|a| picks_any(&a.expr)) =>
        {
            Some("`take_any` reads any row of its group")
        }
        _ => None,
    }
}

/// The rule for `innerunique`, named where the join drops a left row.
pub const INNERUNIQUE: &str = "an `innerunique` join keeps any one left row per key";

/// The rule for `top`, named when rows tied with the last one kept are cut.
pub const TOP_TIES: &str = "`top` keeps any of the rows tied at its limit";

/// The rule for `arg_max`/`arg_min`, named when a group's best value is
/// shared by rows whose other returned values differ.
pub const ARG_TIES: &str = "`arg_max`/`arg_min` return any of the rows tied for the best value";

/// Whether the rows reaching the end of `before` are in a defined order.
fn sorted(before: &[Operator]) -> bool {
    for op in before.iter().rev() {
        match &op.kind {
            OperatorKind::Sort { .. } | OperatorKind::Top { .. } => return true,
            OperatorKind::Where(_)
            | OperatorKind::Extend(_)
            | OperatorKind::Project(_)
            | OperatorKind::ProjectAway(_)
            | OperatorKind::Take(_)
            | OperatorKind::As { .. } => continue,
            _ => return false,
        }
    }
    false
}

fn picks_any(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { func, .. } => {
            matches!(&func.kind, ExprKind::Name(n) if matches!(n.text.as_str(), "take_any" | "any" | "take_anyif"))
        }
        _ => false,
    }
}
