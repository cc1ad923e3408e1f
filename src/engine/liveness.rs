//! Which columns the rest of a pipeline reads, so work whose result nobody
//! reads is skipped: an `extend` item that names a column no later
//! operator reads, a `summarize` aggregate none of whose output columns is
//! read. (`run_command_spike` computes `Succeeded` from
//! `make_list(ActivityStatus)` and then projects `Succeeded` away before its
//! second `summarize`: neither is needed for its answer.)
//!
//! The analysis is conservative: it walks a pipeline from its end back,
//! and only an explicit `project` (no wildcard) narrows what is read;
//! anything it does not understand (another operator, `*`, `pack_all()`,
//! `column_ifexists()`, a subquery) means "every column". The final
//! result's columns are never affected: a column can only be dead when a
//! later `project` drops it.

use std::collections::HashSet;

use crate::kql::ast::{Dynamic, Expr, ExprKind, NamedExpr, Operator, OperatorKind};

/// The columns read after an operator; `None` for every column.
pub type Needed = Option<HashSet<String>>;

/// For each operator of a pipeline, the columns of its output that the
/// operators after it read.
pub fn needed_after(ops: &[Operator]) -> Vec<Needed> {
    let mut out = vec![None; ops.len()];
    let mut need: Needed = None;
    for k in (0..ops.len()).rev() {
        out[k] = need.clone();
        need = needed_before(&ops[k], need);
    }
    out
}

/// Whether an `extend`/`summarize` output column called `name` is read.
pub fn is_read(needed: &Needed, name: &str) -> bool {
    needed.as_ref().is_none_or(|s| s.contains(name))
}

/// Which items of an `extend` are computed: an item naming a column that
/// is not read later, by the operators after it or by a later item of the
/// same `extend`, is not.
pub fn live_items(items: &[NamedExpr], after: &Needed) -> Vec<bool> {
    let Some(after) = after else { return vec![true; items.len()] };
    let mut s = after.clone();
    let mut live = vec![true; items.len()];
    for (k, ne) in items.iter().enumerate().rev() {
        if let Some(name) = single_name(ne) {
            live[k] = s.remove(name);
        }
        if live[k] && refs(&ne.expr, &mut s).is_none() {
            // what it reads is unknown: everything before it is computed
            return live.iter().enumerate().map(|(j, &l)| j < k || l).collect();
        }
    }
    live
}

fn needed_before(op: &Operator, after: Needed) -> Needed {
    match &op.kind {
        OperatorKind::Project(items) => {
            let mut s = HashSet::new();
            for ne in items {
                if matches!(ne.expr.kind, ExprKind::Wildcard(_)) || ne.names.len() > 1 {
                    return None;
                }
                if projected_name(ne).is_none_or(|n| is_read(&after, n)) {
                    refs(&ne.expr, &mut s)?;
                }
            }
            Some(s)
        }
        OperatorKind::Where(p) | OperatorKind::Take(p) => {
            let mut s = after?;
            refs(p, &mut s)?;
            Some(s)
        }
        OperatorKind::Extend(items) => {
            let mut s = after?;
            for ne in items.iter().rev() {
                match single_name(ne) {
                    Some(name) => {
                        let live = s.remove(name);
                        if live {
                            refs(&ne.expr, &mut s)?;
                        }
                    }
                    None => refs(&ne.expr, &mut s)?,
                }
            }
            Some(s)
        }
        // its output is its own columns, whatever was read after it
        OperatorKind::Summarize { aggregates, by, .. } => {
            let mut s = HashSet::new();
            for ne in by.iter().chain(aggregates) {
                refs(&ne.expr, &mut s)?;
            }
            Some(s)
        }
        _ => None,
    }
}

/// The one name an item assigns, when it is written out (`name = expr`).
pub fn single_name(ne: &NamedExpr) -> Option<&str> {
    match ne.names.as_slice() {
        [n] if !ne.tuple => Some(n.text.as_str()),
        _ => None,
    }
}

/// The column a `project` item outputs, when it can be told from its text
/// (`name = expr` or a bare column name).
pub fn projected_name(ne: &NamedExpr) -> Option<&str> {
    match (&ne.expr.kind, single_name(ne)) {
        (_, Some(n)) => Some(n),
        (ExprKind::Name(n), None) if ne.names.is_empty() => Some(n.text.as_str()),
        _ => None,
    }
}

/// Every name `e` mentions (a superset of the columns it reads), or `None`
/// when what it reads cannot be told from its text.
fn refs(e: &Expr, out: &mut HashSet<String>) -> Option<()> {
    match &e.kind {
        ExprKind::Name(n) => {
            out.insert(n.text.clone());
        }
        ExprKind::Literal(l) => {
            if let crate::kql::ast::Literal::Dynamic(d) = l {
                dynamic_refs(d, out)?;
            }
        }
        ExprKind::Unary { expr, .. } | ExprKind::Paren(expr) | ExprKind::Member { expr, .. } => refs(expr, out)?,
        ExprKind::Bracketed(expr) => refs(expr, out)?,
        ExprKind::Binary { lhs, rhs, .. } => {
            refs(lhs, out)?;
            refs(rhs, out)?;
        }
        ExprKind::Index { expr, index } => {
            refs(expr, out)?;
            refs(index, out)?;
        }
        ExprKind::Between { expr, low, high, .. } => {
            refs(expr, out)?;
            refs(low, out)?;
            refs(high, out)?;
        }
        ExprKind::List { expr, items, .. } => {
            refs(expr, out)?;
            for i in items {
                refs(i, out)?;
            }
        }
        ExprKind::Tuple(items) => {
            for i in items {
                refs(i, out)?;
            }
        }
        ExprKind::Call { func, args } => {
            if let ExprKind::Name(f) = &func.kind
                && matches!(
                    f.text.as_str(),
                    "pack_all" | "column_ifexists" | "columnifexists" | "bag_pack_columns" | "column_names_of"
                )
            {
                return None;
            }
            refs(func, out)?;
            for a in args {
                refs(a, out)?;
            }
        }
        ExprKind::Assign { value, .. } => refs(value, out)?,
        ExprKind::ClientParameter(_) | ExprKind::Missing => {}
        ExprKind::Wildcard(_) | ExprKind::Pipeline { .. } | ExprKind::Source(_) => return None,
    }
    Some(())
}

fn dynamic_refs(d: &Dynamic, out: &mut HashSet<String>) -> Option<()> {
    match d {
        Dynamic::Null => {}
        Dynamic::Scalar(e) => refs(e, out)?,
        Dynamic::Array(items) => {
            for i in items {
                dynamic_refs(i, out)?;
            }
        }
        Dynamic::Object(members) => {
            for (_, v) in members {
                dynamic_refs(v, out)?;
            }
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(q: &str) -> Vec<Option<Vec<String>>> {
        let parsed = crate::kql::parse(q);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let Some(crate::kql::ast::StatementKind::Expr(Expr { kind: ExprKind::Pipeline { operators, .. }, .. })) =
            parsed.query.statements.last().map(|s| &s.kind)
        else {
            panic!("{q}: not a pipeline")
        };
        needed_after(operators)
            .into_iter()
            .map(|n| {
                n.map(|s| {
                    let mut v: Vec<String> = s.into_iter().collect();
                    v.sort();
                    v
                })
            })
            .collect()
    }

    #[test]
    fn a_later_project_narrows_what_is_read() {
        let n = needs("T | extend a = x, b = y | where a > 1 | project a, c");
        let m = needs("T | extend s = f(x) | project a, s, t = g(y) | summarize count() by a");
        assert_eq!(m[0], Some(vec!["a".into()]), "`s` and `t` are projected but not read after");
        // after `extend`: a (where, project) and c (project); b is dead
        assert_eq!(n[0], Some(vec!["a".into(), "c".into()]));
        assert_eq!(n[1], Some(vec!["a".into(), "c".into()]));
        assert_eq!(n[2], None, "the last operator's output is the result");
    }

    #[test]
    fn anything_not_understood_reads_every_column() {
        for q in [
            "T | extend a = x | project-away b | project a",
            "T | extend a = x | project-keep a*",
            "T | extend a = x | extend p = pack_all() | project p",
            "T | extend a = x",
        ] {
            assert_eq!(needs(q)[0], None, "{q}");
        }
    }

    #[test]
    fn extend_items_read_by_later_items_stay_live() {
        let parsed = crate::kql::parse("T | extend a = 1, b = a + 1, c = 2 | project b");
        let Some(crate::kql::ast::StatementKind::Expr(Expr { kind: ExprKind::Pipeline { operators, .. }, .. })) =
            parsed.query.statements.last().map(|s| &s.kind)
        else {
            panic!("a pipeline")
        };
        let OperatorKind::Extend(items) = &operators[0].kind else { panic!("extend") };
        let after = needed_after(operators);
        assert_eq!(live_items(items, &after[0]), [true, true, false]);
        assert_eq!(live_items(items, &None), [true, true, true]);
    }

    #[test]
    fn summarize_reads_its_keys_and_aggregates() {
        let n = needs("T | extend r = tolower(R), z = 1 | summarize dcount(r) by C | project C");
        assert_eq!(n[0], Some(vec!["C".into(), "dcount".into(), "r".into()]), "`z` is not read");
        assert_eq!(n[1], Some(vec!["C".into()]));
    }
}
