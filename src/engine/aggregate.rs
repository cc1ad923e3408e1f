//! `summarize`: groups in first-seen order, one aggregate function per
//! output column, Kusto's default column names (`count_`, `max_X`,
//! `list_X`, `percentile_X_95`, ...).

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

use crate::engine::Ctx;
use crate::engine::error::{EResult, EngineError};
use crate::engine::liveness::{self, Needed};
use crate::engine::operators::derived_name;
use crate::engine::scope::Col;
use crate::engine::table::{Column, Table};
use crate::engine::threads;
use crate::engine::types;
use crate::engine::vals::{Dictionary, Vals};
use crate::engine::value::{Value, compare};
use crate::kql::ast::{Expr, ExprKind, NamedExpr, OpParam};
use crate::kql::types::ScalarType;
use crate::span::TextRange;

/// Deprecated aggregate names Kusto still accepts, as the functions they
/// are (same results, same column names: `makeset(X)` is `set_X`).
pub fn canonical_aggregate(name: &str) -> &str {
    match name {
        "makeset" => "make_set",
        "makelist" => "make_list",
        "makebag" => "make_bag",
        "makeset_if" => "make_set_if",
        "makelist_if" => "make_list_if",
        other => other,
    }
}

/// The aggregate functions the engine knows.
pub fn is_aggregate(name: &str) -> bool {
    matches!(
        name,
        "count"
            | "countif"
            | "dcount"
            | "dcountif"
            | "sum"
            | "sumif"
            | "avg"
            | "avgif"
            | "min"
            | "max"
            | "minif"
            | "maxif"
            | "arg_max"
            | "arg_min"
            | "make_list"
            | "make_list_if"
            | "make_list_with_nulls"
            | "make_set"
            | "make_set_if"
            | "make_bag"
            | "make_bag_if"
            | "take_any"
            | "any"
            | "take_anyif"
            | "percentile"
            | "percentiles"
            | "stdev"
            | "stdevif"
            | "stdevp"
            | "variance"
            | "varianceif"
            | "variancep"
            | "covariance"
            | "covariancep"
            | "covarianceif"
            | "covariancepif"
            | "variancepif"
            | "stdevpif"
    )
}

struct Agg<'a> {
    func: String,
    args: Vec<Col>,
    arg_exprs: &'a [Expr],
    names: Vec<String>,
    range: TextRange,
    /// arg_max/arg_min: the input columns returned (index into the table)
    returned: Vec<usize>,
}

impl Ctx<'_> {
    pub fn summarize(
        &self,
        t: &Table,
        params: &[OpParam],
        aggregates: &[NamedExpr],
        by: &[NamedExpr],
        r: TextRange,
        read: &Needed,
    ) -> EResult<Table> {
        if let Some(p) = params.iter().find(|p| !p.name.starts_with("hint.")) {
            return Err(EngineError::unsupported(format!("the `summarize` parameter `{}`", p.name), p.range));
        }
        let mut out = Table::new(Vec::new(), 0);
        let mut key_cols = Vec::new();
        let mut unnamed = 0;
        for ne in by {
            let c = self.scalar(&ne.expr, t)?;
            let name = match ne.names.first() {
                Some(n) => n.text.clone(),
                None => derived_name(&ne.expr).unwrap_or_else(|| {
                    unnamed += 1;
                    format!("Column{unnamed}")
                }),
            };
            let name = out.unique_name(&name);
            out.columns.push(Column::new(name, c.ty, Vec::new()));
            key_cols.push(c);
        }
        // groups in first-seen order
        let (groups, first_row) = if key_cols.is_empty() {
            (Groups::from_lists(&[(0..t.len).collect()]), vec![0])
        } else {
            group_rows(&key_cols, t.len)
        };
        let by_names: Vec<String> = out.columns.iter().map(|c| c.name.clone()).collect();
        let mut aggs = Vec::new();
        for ne in aggregates {
            aggs.push(self.plan_agg(t, ne, &by_names)?);
        }
        // key columns keep a dictionary column's codes (and dictionary)
        let mut keyed: Vec<Vals> = Vec::with_capacity(key_cols.len());
        for c in &key_cols {
            keyed.push(c.vals.take(&first_row));
        }
        let mut columns: Vec<Vals> = Vec::new();
        // the aggregates are independent: spread over the cores on many rows
        // an aggregate none of whose columns is read later is not worked out
        let live: Vec<bool> = aggs.iter().map(|a| a.names.iter().any(|n| liveness::is_read(read, n))).collect();
        let work: Vec<(&Agg, bool)> = aggs.iter().zip(live).collect();
        let results = threads::map_items(&work, t.len, |(a, live)| {
            if *live {
                run_agg(a, t, &groups)
            } else {
                // its columns keep their names (later names depend on them), as nulls
                let n = groups.len();
                Ok((
                    vec![ScalarType::Dynamic; a.names.len()],
                    vec![Vals::constant(Value::Null, n); a.names.len()],
                    None,
                ))
            }
        });
        for (a, result) in aggs.iter().zip(results) {
            let (types_out, mut per_group, why) = result?;
            if let Some(why) = why {
                self.engine.note_nondeterministic(why);
            }
            for (k, ty) in types_out.into_iter().enumerate() {
                let name = out.unique_name(&a.names[k]);
                out.columns.push(Column::new(name, ty, Vec::new()));
                columns.push(std::mem::take(&mut per_group[k]));
            }
        }
        let len = groups.len();
        let nkeys = keyed.len();
        for (c, vals) in out.columns.iter_mut().zip(keyed) {
            c.data = vals;
        }
        for (c, vals) in out.columns.iter_mut().skip(nkeys).zip(columns) {
            c.data = vals;
        }
        out.len = len;
        let _ = r;
        Ok(out)
    }

    fn plan_agg<'a>(&self, t: &Table, ne: &'a NamedExpr, by_names: &[String]) -> EResult<Agg<'a>> {
        let ExprKind::Call { func, args } = &ne.expr.kind else {
            return Err(EngineError::unsupported("an expression around an aggregate in `summarize`", ne.expr.range));
        };
        let ExprKind::Name(f) = &func.kind else {
            return Err(EngineError::unsupported("this aggregate", ne.expr.range));
        };
        let fname = canonical_aggregate(f.text.as_str());
        if !is_aggregate(fname) {
            return Err(EngineError::unsupported(format!("the aggregate `{fname}`"), ne.expr.range));
        }
        let arg_name = |i: usize| args.get(i).and_then(derived_name).unwrap_or_default();
        let mut returned = Vec::new();
        let mut cols = Vec::new();
        let names: Vec<String>;
        if fname == "arg_max" || fname == "arg_min" {
            if args.is_empty() {
                return Err(EngineError::invalid(format!("`{fname}` needs an expression"), ne.expr.range));
            }
            cols.push(self.scalar(&args[0], t)?);
            let mut n = vec![derived_name(&args[0]).unwrap_or_else(|| format!("{}_", &fname[4..]))];
            let mut extra = Vec::new();
            for a in &args[1..] {
                match &a.kind {
                    ExprKind::Wildcard(w) if w == "*" => {
                        for (i, c) in t.columns.iter().enumerate() {
                            if !by_names.contains(&c.name) && c.name != n[0] {
                                returned.push(i);
                                extra.push(c.name.clone());
                            }
                        }
                    }
                    _ => {
                        let c = self.scalar(a, t)?;
                        let name = derived_name(a).ok_or_else(|| {
                            EngineError::unsupported("an unnamed computed column in arg_max/arg_min", a.range)
                        })?;
                        cols.push(c);
                        extra.push(name);
                    }
                }
            }
            n.extend(extra);
            if !ne.names.is_empty() {
                for (k, given) in ne.names.iter().enumerate() {
                    if k < n.len() {
                        n[k] = given.text.clone();
                    }
                }
            }
            names = n;
        } else if matches!(fname, "take_any" | "any")
            && (args.len() > 1 || args.iter().any(|a| matches!(a.kind, ExprKind::Wildcard(_))))
        {
            // several expressions (or `*`: every input column but the `by` ones), all from one row
            let prefix = if f.text == "any" { "any_" } else { "" };
            let mut n = Vec::new();
            for a in args {
                if matches!(a.kind, ExprKind::Wildcard(_)) {
                    for c in t.columns.iter().filter(|c| !by_names.contains(&c.name)) {
                        cols.push(Col::new(c.ty, c.data.to_vec()));
                        n.push(format!("{prefix}{}", c.name));
                    }
                } else {
                    cols.push(self.scalar(a, t)?);
                    n.push(format!("{prefix}{}", derived_name(a).unwrap_or_default()));
                }
            }
            names = if ne.names.is_empty() {
                n
            } else {
                ne.names.iter().map(|x| x.text.clone()).chain(n.into_iter().skip(ne.names.len())).collect()
            };
        } else {
            for a in args {
                if matches!(a.kind, ExprKind::Wildcard(_)) {
                    return Err(EngineError::unsupported(format!("`*` in `{fname}`"), a.range));
                }
                cols.push(self.scalar(a, t)?);
            }
            let default = match fname {
                "count" => vec![format!("count_{}", arg_name(0))],
                "countif" => vec!["countif_".to_string()],
                "make_list" | "make_list_if" | "make_list_with_nulls" => vec![format!("list_{}", arg_name(0))],
                "make_set" | "make_set_if" => vec![format!("set_{}", arg_name(0))],
                "make_bag" | "make_bag_if" => vec![format!("bag_{}", arg_name(0))],
                "take_any" | "any" | "take_anyif" => vec![format!("any_{}", arg_name(0))],
                "percentile" => vec![format!("percentile_{}_{}", arg_name(0), pct_name(args.get(1)))],
                "percentiles" => {
                    (1..args.len()).map(|i| format!("percentile_{}_{}", arg_name(0), pct_name(args.get(i)))).collect()
                }
                "covariance" | "covariancep" | "covarianceif" | "covariancepif" => {
                    vec![format!("{fname}_{}_{}", arg_name(0), arg_name(1))]
                }
                other => vec![format!("{other}_{}", arg_name(0))],
            };
            names = if ne.names.is_empty() { default } else { ne.names.iter().map(|n| n.text.clone()).collect() };
        }
        Ok(Agg { func: fname.to_string(), args: cols, arg_exprs: args, names, range: ne.expr.range, returned })
    }
}

impl Ctx<'_> {
    /// `make-series`: per group, one array per aggregate over the bins
    /// `[from, to)` of width `step` (empty bins take the default, 0 unless
    /// given), plus the array of bin starts named after the `on` column.
    #[allow(clippy::too_many_arguments)]
    pub fn make_series(
        &self,
        t: &Table,
        params: &[OpParam],
        aggregates: &[crate::kql::ast::SeriesAgg],
        on: &Expr,
        from: Option<&Expr>,
        to: Option<&Expr>,
        step: Option<&Expr>,
        by: &[NamedExpr],
        r: TextRange,
    ) -> EResult<Table> {
        let mut nonempty = false;
        for p in params {
            match (p.name.as_str(), &p.value.kind) {
                ("kind", ExprKind::Name(n)) if n.text == "nonempty" => nonempty = true,
                (name, _) if name.starts_with("hint.") => {}
                _ => {
                    return Err(EngineError::unsupported(format!("the `make-series` parameter `{}`", p.name), p.range));
                }
            }
        }
        let (Some(from), Some(to), Some(step)) = (from, to, step) else {
            return Err(EngineError::unsupported("`make-series` without `from`, `to` and `step`", r));
        };
        let one = Table::single_row();
        let (f, tt, st) = (
            self.scalar(from, &one)?.vals[0].clone(),
            self.scalar(to, &one)?.vals[0].clone(),
            self.scalar(step, &one)?,
        );
        let on_col = self.scalar(on, t)?;
        let ticks = |v: &Value| -> Option<f64> {
            match v {
                Value::DateTime(x) | Value::TimeSpan(x) => Some(*x as f64),
                other => other.as_f64(),
            }
        };
        let (Some(f0), Some(t0), Some(s0)) = (ticks(&f), ticks(&tt), ticks(&st.vals[0])) else {
            return Err(EngineError::invalid("`make-series` needs from/to/step of the `on` column's kind", r));
        };
        if s0 <= 0.0 {
            return Err(EngineError::invalid("`make-series` step must be positive", step.range));
        }
        let nb = ((t0 - f0) / s0).ceil().max(0.0) as usize;
        if nb > self.engine.options.max_rows {
            return Err(self.budget(r));
        }
        // groups
        let mut key_cols = Vec::new();
        let mut out = Table::new(Vec::new(), 0);
        for ne in by {
            let c = self.scalar(&ne.expr, t)?;
            let name = ne
                .names
                .first()
                .map(|n| n.text.clone())
                .or_else(|| derived_name(&ne.expr))
                .unwrap_or_else(|| "Column1".into());
            out.columns.push(Column::new(name, c.ty, Vec::new()));
            key_cols.push(c);
        }
        let mut index: HashMap<Vec<Value>, usize> = HashMap::new();
        let mut keys: Vec<Vec<Value>> = Vec::new();
        let mut cells: Vec<Vec<Vec<usize>>> = Vec::new();
        for i in 0..t.len {
            let Some(x) = ticks(&on_col.vals[i]) else { continue };
            if x < f0 || x >= t0 {
                continue;
            }
            let b = ((x - f0) / s0).floor() as usize;
            let key: Vec<Value> = key_cols.iter().map(|c| c.vals[i].clone()).collect();
            let g = *index.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                cells.push(vec![Vec::new(); nb]);
                cells.len() - 1
            });
            cells[g][b].push(i);
        }
        if keys.is_empty() && by.is_empty() && nonempty {
            keys.push(Vec::new());
            cells.push(vec![Vec::new(); nb]);
        }
        let flat: Vec<Vec<usize>> = cells.iter().flat_map(|g| g.iter().cloned()).collect();
        let flat_groups = Groups::from_lists(&flat);
        let by_names: Vec<String> = out.columns.iter().map(|c| c.name.clone()).collect();
        let mut columns: Vec<Vec<Value>> =
            (0..by.len()).map(|k| keys.iter().map(|key| key[k].clone()).collect()).collect();
        for sa in aggregates {
            let default = match &sa.default {
                Some(d) => self.scalar(d, &one)?.vals[0].clone(),
                None => Value::Long(0),
            };
            let (name, per_cell): (String, Vec<Value>) = match &sa.agg.expr.kind {
                ExprKind::Call { func, .. } if matches!(&func.kind, ExprKind::Name(n) if is_aggregate(canonical_aggregate(&n.text))) =>
                {
                    let a = self.plan_agg(t, &sa.agg, &by_names)?;
                    if a.names.len() != 1 || a.func.starts_with("arg_") {
                        return Err(EngineError::unsupported("this aggregate in `make-series`", sa.agg.range));
                    }
                    let (tys, rows, _) = run_agg(&a, t, &flat_groups)?;
                    let rows: Vec<Vec<Value>> = rows.into_iter().map(Vals::into_vec).collect();
                    let Some(&ty0) = tys.first() else {
                        return Err(EngineError::invalid(
                            "this aggregate gives no value in `make-series`",
                            sa.agg.range,
                        ));
                    };
                    // the default takes the aggregate's type (0 becomes 0.0 in an avg series)
                    let default = match (ty0, &default) {
                        (ScalarType::Real, Value::Long(x)) => Value::Real(*x as f64),
                        _ => default.clone(),
                    };
                    let vals = rows
                        .into_iter()
                        .next()
                        .unwrap_or_default()
                        .into_iter()
                        .zip(&flat)
                        .map(|(v, cell)| if cell.is_empty() { default.clone() } else { v })
                        .collect();
                    (a.names[0].clone(), vals)
                }
                _ => {
                    let c = self.scalar(&sa.agg.expr, t)?;
                    let name = sa
                        .agg
                        .names
                        .first()
                        .map(|n| n.text.clone())
                        .or_else(|| derived_name(&sa.agg.expr))
                        .unwrap_or_else(|| "Column1".into());
                    (
                        name,
                        flat.iter()
                            .map(|cell| cell.first().map(|&i| c.vals[i].clone()).unwrap_or_else(|| default.clone()))
                            .collect(),
                    )
                }
            };
            let arrays = per_cell.chunks(nb.max(1)).map(|ch| Value::Array(Arc::new(ch.to_vec()))).collect::<Vec<_>>();
            let arrays =
                if nb == 0 { keys.iter().map(|_| Value::Array(Arc::new(Vec::new()))).collect() } else { arrays };
            out.columns.push(Column::new(name, ScalarType::Dynamic, Vec::new()));
            columns.push(arrays);
        }
        let starts: Vec<Value> = (0..nb)
            .map(|b| {
                let x = f0 + b as f64 * s0;
                match &f {
                    Value::DateTime(_) => Value::DateTime(x as i64),
                    Value::TimeSpan(_) => Value::TimeSpan(x as i64),
                    Value::Long(_) if matches!(st.vals[0], Value::Long(_)) => Value::Long(x as i64),
                    _ => Value::Real(x),
                }
            })
            .collect();
        let on_name = derived_name(on).unwrap_or_else(|| "Column1".into());
        out.columns.push(Column::new(on_name, ScalarType::Dynamic, Vec::new()));
        columns.push(keys.iter().map(|_| Value::Array(Arc::new(starts.clone()))).collect());
        out.len = keys.len();
        for (c, vals) in out.columns.iter_mut().zip(columns) {
            c.data = vals.into();
        }
        Ok(out)
    }
}

/// A fast multiply-rotate hasher for group keys (the keys are not attacker-chosen
/// in a way that matters here: a collision only costs a comparison).
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        // final avalanche, so the low bits a hash table indexes by depend on every input bit
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u8(&mut self, v: u8) {
        self.write_u64(v as u64);
    }

    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

fn pct_name(e: Option<&Expr>) -> String {
    match e.map(|e| &e.kind) {
        Some(ExprKind::Literal(crate::kql::ast::Literal::Int(s) | crate::kql::ast::Literal::Real(s))) => {
            s.replace('.', "_")
        }
        _ => String::new(),
    }
}

fn truthy(c: &Col, i: usize) -> bool {
    matches!(c.vals[i], Value::Bool(true))
}

fn numeric_sum_type(ty: ScalarType) -> ScalarType {
    match ty {
        ScalarType::Int | ScalarType::Long | ScalarType::Bool => ScalarType::Long,
        ScalarType::TimeSpan => ScalarType::TimeSpan,
        _ => ScalarType::Real,
    }
}

/// One aggregate's values: one column (most aggregates) or one row per group.
enum AggOut {
    Column(Vec<Value>),
    /// One output column in any form (a dictionary column's `min`/`max`
    /// keep its codes).
    Vals(Vals),
    Rows(Vec<Vec<Value>>),
    /// Rows Kusto may answer differently (ties for `arg_max`'s best value).
    AnyOfRows(Vec<Vec<Value>>),
}

/// One aggregate's result: the output types, one column per output, and
/// why Kusto may answer otherwise, if it may.
type AggResult = (Vec<ScalarType>, Vec<Vals>, Option<&'static str>);

/// One aggregate over every group.
fn run_agg(a: &Agg, t: &Table, groups: &Groups) -> EResult<AggResult> {
    let (tys, out) = run_agg_groups(a, t, groups)?;
    let why = matches!(out, AggOut::AnyOfRows(_)).then_some(crate::engine::determinism::ARG_TIES);
    Ok(match out {
        AggOut::Column(c) => (tys, vec![c.into()], why),
        AggOut::Vals(v) => (tys, vec![v], why),
        AggOut::Rows(rows) | AggOut::AnyOfRows(rows) => {
            let mut cols: Vec<Vec<Value>> = (0..tys.len()).map(|_| Vec::with_capacity(rows.len())).collect();
            for row in rows {
                for (k, v) in row.into_iter().enumerate().take(cols.len()) {
                    cols[k].push(v);
                }
            }
            (tys, cols.into_iter().map(Vals::from).collect(), why)
        }
    })
}

fn run_agg_groups(a: &Agg, t: &Table, groups: &Groups) -> EResult<(Vec<ScalarType>, AggOut)> {
    let f = a.func.as_str();
    let need = |n: usize| -> EResult<()> {
        if a.args.len() < n {
            Err(EngineError::invalid(format!("`{f}` needs {n} argument(s)"), a.range))
        } else {
            Ok(())
        }
    };
    let cond = |k: usize, g: &[usize]| -> Vec<usize> {
        match a.args.get(k) {
            Some(c) => g.iter().copied().filter(|&i| truthy(c, i)).collect(),
            None => g.to_vec(),
        }
    };
    let one = |ty: ScalarType, fun: &dyn Fn(&[usize]) -> Value| -> (Vec<ScalarType>, AggOut) {
        (vec![ty], AggOut::Column(groups.iter().map(fun).collect()))
    };
    Ok(match f {
        "count" => one(ScalarType::Long, &|g| Value::Long(g.len() as i64)),
        "countif" => {
            need(1)?;
            one(ScalarType::Long, &|g| Value::Long(cond(0, g).len() as i64))
        }
        "dcount" | "dcountif" => {
            need(1)?;
            let x = &a.args[0];
            if f == "dcount"
                && let Some(d) = small_dictionary(&x.vals, t.len)
            {
                let counts = distinct_codes_per_group(d, usize::MAX, groups, |seen| Value::Long(seen.len() as i64));
                return Ok((vec![ScalarType::Long], AggOut::Column(counts)));
            }
            one(ScalarType::Long, &|g| {
                let rows: std::borrow::Cow<[usize]> = if f == "dcountif" { cond(1, g).into() } else { g.into() };
                let set: HashSet<&Value> = rows.iter().map(|&i| &x.vals[i]).filter(|v| !v.is_null()).collect();
                Value::Long(set.len() as i64)
            })
        }
        "sum" | "sumif" => {
            need(1)?;
            let x = &a.args[0];
            let ty = numeric_sum_type(x.ty);
            one(ty, &|g| {
                let rows: std::borrow::Cow<[usize]> = if f == "sumif" { cond(1, g).into() } else { g.into() };
                sum(x, &rows, ty)
            })
        }
        "avg" | "avgif" => {
            need(1)?;
            let x = &a.args[0];
            one(ScalarType::Real, &|g| {
                let rows: std::borrow::Cow<[usize]> = if f == "avgif" { cond(1, g).into() } else { g.into() };
                let vals: Vec<f64> = rows.iter().filter_map(|&i| x.vals[i].as_f64()).collect();
                if vals.is_empty() { Value::Null } else { Value::Real(vals.iter().sum::<f64>() / vals.len() as f64) }
            })
        }
        "min" | "max" | "minif" | "maxif" => {
            need(1)?;
            let x = &a.args[0];
            let want_max = f.starts_with("max");
            if !f.ends_with("if")
                && let Some(vals) = extreme_code_per_group(x, t.len, want_max, groups)
            {
                return Ok((vec![x.ty], AggOut::Vals(vals)));
            }
            if !f.ends_with("if")
                && let Some(col) = extreme_ticks_per_group(x, want_max, groups)
            {
                return Ok((vec![x.ty], AggOut::Column(col)));
            }
            one(x.ty, &|g| {
                let rows: std::borrow::Cow<[usize]> = if f.ends_with("if") { cond(1, g).into() } else { g.into() };
                let mut best: Option<&Value> = None;
                for &i in rows.iter() {
                    let v = &x.vals[i];
                    if v.is_null() || (x.ty == ScalarType::String && v.as_str() == Some("")) {
                        continue;
                    }
                    if matches!(v, Value::Real(r) if r.is_nan()) {
                        continue;
                    }
                    best = match best {
                        None => Some(v),
                        Some(b) => {
                            let o = compare(v, b);
                            if (want_max && o.is_gt()) || (!want_max && o.is_lt()) { Some(v) } else { Some(b) }
                        }
                    };
                }
                best.cloned().unwrap_or(Value::null_of(x.ty))
            })
        }
        "arg_max" | "arg_min" => {
            let want_max = f == "arg_max";
            let x = &a.args[0];
            let mut tys = vec![x.ty];
            tys.extend(a.returned.iter().map(|&i| t.columns[i].ty));
            tys.extend(a.args[1..].iter().map(|c| c.ty));
            // rows tied for the best value whose returned values differ: Kusto returns any of them
            let differ = |p: usize, q: usize| {
                a.returned.iter().any(|&c| t.columns[c].data[p] != t.columns[c].data[q])
                    || a.args[1..].iter().any(|c| c.vals[p] != c.vals[q])
            };
            let any_ties = std::cell::Cell::new(false);
            // order of output: x, then `*` columns or the listed ones, as planned
            let rows = groups
                .iter()
                .map(|g| {
                    let mut best: Option<usize> = None;
                    let mut tied = false;
                    for &i in g {
                        let v = &x.vals[i];
                        if v.is_null() {
                            continue;
                        }
                        best = match best {
                            None => Some(i),
                            Some(b) => {
                                let o = compare(v, &x.vals[b]);
                                if (want_max && o.is_gt()) || (!want_max && o.is_lt()) {
                                    tied = false;
                                    Some(i)
                                } else {
                                    tied |= o.is_eq() && differ(b, i);
                                    Some(b)
                                }
                            }
                        };
                    }
                    if tied {
                        any_ties.set(true);
                    }
                    let mut row = Vec::new();
                    match best {
                        Some(b) => {
                            row.push(x.vals[b].clone());
                            row.extend(a.returned.iter().map(|&c| t.columns[c].data[b].clone()));
                            row.extend(a.args[1..].iter().map(|c| c.vals[b].clone()));
                        }
                        None => {
                            for ty in &tys {
                                row.push(Value::null_of(*ty));
                            }
                        }
                    }
                    row
                })
                .collect();
            if any_ties.get() {
                return Ok((tys, AggOut::AnyOfRows(rows)));
            }
            (tys, AggOut::Rows(rows))
        }
        "make_list" | "make_list_if" | "make_list_with_nulls" | "make_set" | "make_set_if" => {
            need(1)?;
            let x = &a.args[0];
            let is_set = f.starts_with("make_set");
            let is_if = f.ends_with("_if");
            let max_idx = if is_if { 2 } else { 1 };
            let max = match a.args.get(max_idx).and_then(|c| c.vals.first()) {
                Some(Value::Long(m)) => *m as usize,
                _ => 1_048_576,
            };
            if f == "make_set"
                && x.ty != ScalarType::Dynamic
                && let Some(d) = small_dictionary(&x.vals, t.len)
            {
                let dict = d.1;
                let sets = distinct_codes_per_group(d, max, groups, |seen| {
                    Value::Array(Arc::new(seen.iter().map(|&c| dict[c as usize].clone()).collect()))
                });
                return Ok((vec![ScalarType::Dynamic], AggOut::Column(sets)));
            }
            one(ScalarType::Dynamic, &|g| {
                let rows: std::borrow::Cow<[usize]> = if is_if { cond(1, g).into() } else { g.into() };
                let mut out = Vec::new();
                let mut seen = HashSet::new();
                for &i in rows.iter() {
                    let v = &x.vals[i];
                    if v.is_null() && f != "make_list_with_nulls" {
                        continue;
                    }
                    let items: &[Value] = match v {
                        Value::Array(arr) if is_set && x.ty == ScalarType::Dynamic => arr,
                        other => std::slice::from_ref(other),
                    };
                    for it in items.iter().cloned() {
                        if out.len() >= max {
                            break;
                        }
                        if is_set && !seen.insert(it.clone()) {
                            continue;
                        }
                        out.push(it);
                    }
                }
                Value::Array(Arc::new(out))
            })
        }
        "make_bag" | "make_bag_if" => {
            need(1)?;
            let x = &a.args[0];
            one(ScalarType::Dynamic, &|g| {
                let rows: std::borrow::Cow<[usize]> = if f == "make_bag_if" { cond(1, g).into() } else { g.into() };
                let mut out: Vec<(String, Value)> = Vec::new();
                let mut seen: HashSet<&str> = HashSet::new();
                // a dictionary column's repeated code brings no new key
                let mut seen_codes: HashSet<u32> = HashSet::new();
                let codes = x.vals.dict().map(|(c, _)| c);
                for &i in rows.iter() {
                    if let Some(codes) = codes
                        && !seen_codes.insert(codes[i])
                    {
                        continue;
                    }
                    if let Value::Bag(b) = &x.vals[i] {
                        for (k, v) in b.iter() {
                            if seen.insert(k.as_str()) {
                                out.push((k.clone(), v.clone()));
                            }
                        }
                    }
                }
                Value::Bag(Arc::new(out))
            })
        }
        "take_any" | "any" => {
            let tys: Vec<ScalarType> = a.args.iter().map(|c| c.ty).collect();
            if a.args.len() != 1 {
                // every value from one row of the group (Kusto picks any; the engine the first)
                return Ok((
                    tys,
                    AggOut::Rows(
                        groups
                            .iter()
                            .map(|g| match g.first() {
                                Some(&i) => a.args.iter().map(|c| c.vals[i].clone()).collect(),
                                None => a.args.iter().map(|c| Value::null_of(c.ty)).collect(),
                            })
                            .collect(),
                    ),
                ));
            }
            let x = &a.args[0];
            (
                tys,
                AggOut::Column(
                    groups
                        .iter()
                        .map(|g| {
                            let v = g.iter().map(|&i| &x.vals[i]).find(|v| !v.is_null()).cloned();
                            v.unwrap_or(Value::null_of(x.ty))
                        })
                        .collect(),
                ),
            )
        }
        "percentile" | "percentiles" => {
            need(2)?;
            let x = &a.args[0];
            let ps: Vec<f64> = a.args[1..].iter().filter_map(|c| c.vals.first().and_then(|v| v.as_f64())).collect();
            let tys = vec![x.ty; ps.len()];
            let rows = groups
                .iter()
                .map(|g| {
                    let mut vals: Vec<&Value> = g.iter().map(|&i| &x.vals[i]).filter(|v| !v.is_null()).collect();
                    vals.sort_by(|a, b| compare(a, b));
                    ps.iter()
                        .map(|p| {
                            if vals.is_empty() {
                                return Value::Null;
                            }
                            let rank = ((p / 100.0) * vals.len() as f64).ceil() as usize;
                            vals[rank.clamp(1, vals.len()) - 1].clone()
                        })
                        .collect()
                })
                .collect();
            let _ = a.arg_exprs;
            (tys, AggOut::Rows(rows))
        }
        "stdev" | "stdevif" | "stdevp" | "variance" | "varianceif" | "variancep" | "variancepif" | "stdevpif" => {
            need(1)?;
            let x = &a.args[0];
            let is_if = f.ends_with("if");
            let pop = f.trim_end_matches("if").ends_with('p');
            one(ScalarType::Real, &|g| {
                let rows: std::borrow::Cow<[usize]> = if is_if { cond(1, g).into() } else { g.into() };
                let vals: Vec<f64> = rows.iter().filter_map(|&i| x.vals[i].as_f64()).collect();
                let n = vals.len() as f64;
                if vals.is_empty() || (!pop && vals.len() < 2) {
                    return if vals.len() == 1 { Value::Real(0.0) } else { Value::Null };
                }
                let mean = vals.iter().sum::<f64>() / n;
                let ss: f64 = vals.iter().map(|v| (v - mean) * (v - mean)).sum();
                let var = ss / if pop { n } else { n - 1.0 };
                Value::Real(if f.starts_with("stdev") { var.sqrt() } else { var })
            })
        }
        "covariance" | "covariancep" | "covarianceif" | "covariancepif" => {
            need(2)?;
            let (x, y) = (&a.args[0], &a.args[1]);
            let is_if = f.ends_with("if");
            let pop = f.trim_end_matches("if").ends_with('p');
            one(ScalarType::Real, &|g| {
                let rows: std::borrow::Cow<[usize]> = if is_if { cond(2, g).into() } else { g.into() };
                let pairs: Vec<(f64, f64)> =
                    rows.iter().filter_map(|&i| Some((x.vals[i].as_f64()?, y.vals[i].as_f64()?))).collect();
                let n = pairs.len() as f64;
                if pairs.is_empty() || (!pop && pairs.len() < 2) {
                    return Value::Null;
                }
                let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
                let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
                let s: f64 = pairs.iter().map(|(a, b)| (a - mx) * (b - my)).sum();
                Value::Real(s / if pop { n } else { n - 1.0 })
            })
        }
        other => return Err(EngineError::unsupported(format!("the aggregate `{other}`"), a.range)),
    })
}

/// The first code of each dictionary value equal to it (a dictionary may
/// hold equal values under several codes, e.g. after `tolower()`).
fn canonical_codes(dict: &[Value]) -> Vec<u32> {
    let mut first: HashMap<&Value, u32> = HashMap::with_capacity(dict.len());
    dict.iter().enumerate().map(|(k, v)| *first.entry(v).or_insert(k as u32)).collect()
}

/// The dictionary form of `vals` when working on codes pays: its
/// dictionary is no larger than the rows aggregated (a `where` keeps the
/// whole dictionary of a column of millions of distinct values).
fn small_dictionary(vals: &Vals, rows: usize) -> Option<(&[u32], &Dictionary, bool)> {
    match vals {
        Vals::Dict { codes, dict, unique } if dict.len() <= rows => Some((codes.as_slice(), dict, *unique)),
        _ => None,
    }
}

/// Each group's distinct non-null values of a dictionary column, in
/// first-seen order and at most `max`, handed to `per_group` as codes
/// (one per distinct value; a mark per value says which group saw it last,
/// so no set is built per group).
fn distinct_codes_per_group<T>(
    (codes, dict, unique): (&[u32], &Dictionary, bool),
    max: usize,
    groups: &Groups,
    per_group: impl Fn(&[u32]) -> T,
) -> Vec<T> {
    let canon = (!unique).then(|| canonical_codes(dict));
    let mut mark = vec![u32::MAX; dict.len()];
    let mut seen = Vec::new();
    groups
        .iter()
        .enumerate()
        .map(|(g, rows)| {
            seen.clear();
            for &i in rows {
                if seen.len() >= max {
                    break;
                }
                let c = codes[i];
                let c = canon.as_ref().map_or(c, |canon| canon[c as usize]);
                if mark[c as usize] != g as u32 && !dict[c as usize].is_null() {
                    mark[c as usize] = g as u32;
                    seen.push(c);
                }
            }
            per_group(&seen)
        })
        .collect()
}

/// `min`/`max` of a dictionary column: the values are ranked once (equal
/// values share a rank), each group keeps the code of its best rank; nulls,
/// empty strings and NaN are skipped as in the per-value path. The output
/// keeps the dictionary unless some group has no value.
fn extreme_code_per_group(x: &Col, rows: usize, want_max: bool, groups: &Groups) -> Option<Vals> {
    let (codes, dict, unique) = small_dictionary(&x.vals, rows)?;
    let ty = x.ty;
    let skip = |v: &Value| {
        v.is_null() || (ty == ScalarType::String && v.as_str() == Some("")) || matches!(v, Value::Real(r) if r.is_nan())
    };
    let mut order: Vec<u32> = (0..dict.len() as u32).collect();
    order.sort_by(|&a, &b| compare(&dict[a as usize], &dict[b as usize]));
    let mut rank = vec![0u32; dict.len()];
    let mut r = 0u32;
    for (k, &c) in order.iter().enumerate() {
        if k > 0 && compare(&dict[order[k - 1] as usize], &dict[c as usize]).is_ne() {
            r += 1;
        }
        rank[c as usize] = r;
    }
    let usable: Vec<bool> = dict.iter().map(|v| !skip(v)).collect();
    let mut chosen: Vec<u32> = Vec::with_capacity(groups.len());
    let mut complete = true;
    for rows in groups.iter() {
        let mut best: Option<u32> = None;
        for &i in rows {
            let c = codes[i];
            if !usable[c as usize] {
                continue;
            }
            best = match best {
                None => Some(c),
                Some(b) => {
                    let (rc, rb) = (rank[c as usize], rank[b as usize]);
                    if (want_max && rc > rb) || (!want_max && rc < rb) { Some(c) } else { Some(b) }
                }
            };
        }
        match best {
            Some(c) => chosen.push(c),
            None => {
                complete = false;
                chosen.push(u32::MAX);
            }
        }
    }
    if complete {
        return Some(Vals::Dict { codes: Arc::new(chosen), dict: dict.clone(), unique });
    }
    Some(chosen.iter().map(|&c| if c == u32::MAX { Value::null_of(ty) } else { dict[c as usize].clone() }).collect())
}

/// `min`/`max` of a column of longs, datetimes or timespans held one value
/// per row, compared as integers; `None` (the per-value path) if a cell of
/// another kind turns up.
fn extreme_ticks_per_group(x: &Col, want_max: bool, groups: &Groups) -> Option<Vec<Value>> {
    let Vals::Plain(cells) = &x.vals else { return None };
    if !matches!(x.ty, ScalarType::Long | ScalarType::Int | ScalarType::DateTime | ScalarType::TimeSpan) {
        return None;
    }
    let mut out = Vec::with_capacity(groups.len());
    for rows in groups.iter() {
        let mut best: Option<(i64, usize)> = None;
        for &i in rows {
            let v = match &cells[i] {
                Value::Long(v) | Value::DateTime(v) | Value::TimeSpan(v) => *v,
                Value::Null => continue,
                _ => return None,
            };
            if best.is_none_or(|(b, _)| if want_max { v > b } else { v < b }) {
                best = Some((v, i));
            }
        }
        out.push(best.map_or(Value::null_of(x.ty), |(_, i)| cells[i].clone()));
    }
    Some(out)
}

fn sum(x: &Col, rows: &[usize], ty: ScalarType) -> Value {
    let mut any = false;
    match ty {
        ScalarType::Long | ScalarType::TimeSpan => {
            let mut s: i64 = 0;
            for &i in rows {
                let v = match &x.vals[i] {
                    Value::Long(v) | Value::TimeSpan(v) => *v,
                    Value::Bool(b) => *b as i64,
                    _ => continue,
                };
                any = true;
                s = s.wrapping_add(v);
            }
            if !any {
                return if ty == ScalarType::Long { Value::Long(0) } else { Value::Null };
            }
            if ty == ScalarType::TimeSpan { Value::TimeSpan(s) } else { Value::Long(s) }
        }
        _ => {
            let mut s = 0.0;
            for &i in rows {
                if let Some(v) = x.vals[i].as_f64() {
                    any = true;
                    s += v;
                }
            }
            let _ = types::common_type;
            if any { Value::Real(s) } else { Value::Real(0.0) }
        }
    }
}

/// Row indices per group, in one buffer (no allocation per group).
pub struct Groups {
    offsets: Vec<usize>,
    rows: Vec<usize>,
}

impl Groups {
    pub fn from_lists(lists: &[Vec<usize>]) -> Groups {
        let mut offsets = Vec::with_capacity(lists.len() + 1);
        let mut rows = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        offsets.push(0);
        for l in lists {
            rows.extend_from_slice(l);
            offsets.push(rows.len());
        }
        Groups { offsets, rows }
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &[usize]> {
        self.offsets.windows(2).map(|w| &self.rows[w[0]..w[1]])
    }
}

/// How one key column is compared: by (canonical) dictionary code, or by value.
enum KeyPart<'a> {
    Codes { codes: &'a [u32], canon: Option<Vec<u32>> },
    Vals(&'a Vals),
}

impl KeyPart<'_> {
    #[inline]
    fn code(&self, i: usize) -> Option<u32> {
        match self {
            KeyPart::Codes { codes, canon: None } => Some(codes[i]),
            KeyPart::Codes { codes, canon: Some(c) } => Some(c[codes[i] as usize]),
            KeyPart::Vals(_) => None,
        }
    }
}

/// Group the rows by the key columns, groups in first-seen order: the
/// groups and each group's first row. Each row is hashed in place
/// (dictionary codes, else values); equal hashes are compared key by key.
fn group_rows(key_cols: &[Col], n: usize) -> (Groups, Vec<usize>) {
    let parts: Vec<KeyPart> = key_cols
        .iter()
        .map(|c| match &c.vals {
            Vals::Dict { codes, dict, unique } => {
                let canon = (!*unique).then(|| canonical_codes(dict));
                KeyPart::Codes { codes: codes.as_slice(), canon }
            }
            other => KeyPart::Vals(other),
        })
        .collect();
    let hash_row = |i: usize| -> u64 {
        let mut h = MixHasher::default();
        for p in &parts {
            match p.code(i) {
                Some(c) => h.write_u64(c as u64),
                None => {
                    if let KeyPart::Vals(v) = p {
                        v[i].hash(&mut h);
                    }
                }
            }
        }
        h.finish()
    };
    let same = |a: usize, b: usize| -> bool {
        parts.iter().all(|p| match p {
            KeyPart::Vals(v) => v[a] == v[b],
            codes => codes.code(a) == codes.code(b),
        })
    };
    // Rows are hashed on every core; then each core groups the rows of its
    // share of the hash space (a row's partition is a function of its
    // hash, so equal keys meet in one partition), and the partitions'
    // groups are merged back into first-seen order.
    let hashes: Vec<u64> = threads::chunked(n, |r| r.map(hash_row).collect::<Vec<u64>>()).concat();
    let k = threads::threads_for(n);
    let part_of = |h: u64| if k == 1 { 0 } else { ((h >> 40) % k as u64) as usize };
    let partition = |p: usize| -> (Vec<usize>, Vec<u32>) {
        const NONE: u32 = u32::MAX;
        // hash -> first group of that hash; `chain[g]` the next group of the same hash
        let mut index: std::collections::HashMap<u64, u32, BuildHasherDefault<MixHasher>> = Default::default();
        let mut chain: Vec<u32> = Vec::new();
        let mut first_row: Vec<usize> = Vec::new();
        let mut group_of: Vec<u32> = Vec::with_capacity(n / k + 1);
        for (i, &h) in hashes.iter().enumerate() {
            if part_of(h) != p {
                continue;
            }
            let g = match index.get(&h) {
                None => {
                    index.insert(h, first_row.len() as u32);
                    None
                }
                Some(&head) => {
                    let mut g = head;
                    let mut last = head;
                    let mut found = None;
                    while g != NONE {
                        if same(first_row[g as usize], i) {
                            found = Some(g);
                            break;
                        }
                        last = g;
                        g = chain[g as usize];
                    }
                    if found.is_none() {
                        chain[last as usize] = first_row.len() as u32;
                    }
                    found
                }
            };
            let g = g.unwrap_or_else(|| {
                first_row.push(i);
                chain.push(NONE);
                (first_row.len() - 1) as u32
            });
            group_of.push(g);
        }
        (first_row, group_of)
    };
    let partitions: Vec<usize> = (0..k).collect();
    let parts_out = threads::map_items(&partitions, n, |&p| partition(p));
    // merge: global group ids in first-row order (each partition's are already)
    let mut remap: Vec<Vec<u32>> = parts_out.iter().map(|(f, _)| vec![0u32; f.len()]).collect();
    let mut first_row: Vec<usize> = Vec::with_capacity(parts_out.iter().map(|(f, _)| f.len()).sum());
    let mut heads = vec![0usize; k];
    loop {
        let mut pick: Option<(usize, usize)> = None;
        for (p, (f, _)) in parts_out.iter().enumerate() {
            if let Some(&row) = f.get(heads[p])
                && pick.is_none_or(|(_, best)| row < best)
            {
                pick = Some((p, row));
            }
        }
        let Some((p, row)) = pick else { break };
        remap[p][heads[p]] = first_row.len() as u32;
        first_row.push(row);
        heads[p] += 1;
    }
    let mut cursors = vec![0usize; k];
    let group_of: Vec<u32> = hashes
        .iter()
        .map(|&h| {
            let p = part_of(h);
            let local = parts_out[p].1[cursors[p]];
            cursors[p] += 1;
            remap[p][local as usize]
        })
        .collect();
    // rows per group, in row order, in one buffer
    let ng = first_row.len();
    let mut offsets = vec![0usize; ng + 1];
    for &g in &group_of {
        offsets[g as usize + 1] += 1;
    }
    for k in 0..ng {
        offsets[k + 1] += offsets[k];
    }
    let mut fill = offsets.clone();
    let mut rows = vec![0usize; n];
    for (i, &g) in group_of.iter().enumerate() {
        rows[fill[g as usize]] = i;
        fill[g as usize] += 1;
    }
    (Groups { offsets, rows }, first_row)
}
