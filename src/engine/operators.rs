//! Tabular operators: one function per operator, each taking the input
//! table and returning a new one. Row order is explicit (the vector order).

use std::sync::Arc;

use regex::Regex;

use crate::engine::Ctx;
use crate::engine::error::{EResult, EngineError};
use crate::engine::functions;
use crate::engine::liveness::Needed;
use crate::engine::scope::Col;
use crate::engine::table::{Column, Table};
use crate::engine::value::{Value, compare};
use crate::kql::ast::{
    Expr, ExprKind, MvItem, NamedExpr, NullsOrder, OpParam, Operator, OperatorKind, ParsePart, SortExpr, SortOrder,
};
use crate::kql::types::ScalarType;
use crate::span::TextRange;

/// The name Kusto gives an unnamed expression: a column keeps its name, a
/// conversion or `bin`/`floor` of a column keeps the column's, a path
/// `a.b` becomes `a_b`; anything else gets `fallback`.
pub fn derived_name(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.text.clone()),
        ExprKind::Paren(i) => derived_name(i),
        ExprKind::Member { expr, name } => Some(format!("{}_{}", derived_name(expr)?, name.text)),
        ExprKind::Index { expr, index } => match &index.kind {
            ExprKind::Literal(crate::kql::ast::Literal::String(p)) => {
                let key: String = p.iter().filter_map(|s| crate::engine::literal::unescape_string(s)).collect();
                Some(format!("{}_{}", derived_name(expr)?, key))
            }
            _ => None,
        },
        ExprKind::Call { func, args } => {
            let ExprKind::Name(f) = &func.kind else { return None };
            let passes = matches!(
                f.text.as_str(),
                "tostring"
                    | "toint"
                    | "tolong"
                    | "todouble"
                    | "toreal"
                    | "tobool"
                    | "todatetime"
                    | "totimespan"
                    | "toguid"
                    | "todynamic"
                    | "todecimal"
                    | "bin"
                    | "floor"
            );
            if passes { args.first().and_then(derived_name) } else { None }
        }
        _ => None,
    }
}

fn param<'a>(params: &'a [OpParam], name: &str) -> Option<&'a Expr> {
    params.iter().find(|p| p.name.eq_ignore_ascii_case(name)).map(|p| &p.value)
}

fn param_word(params: &[OpParam], name: &str) -> Option<String> {
    param(params, name).map(|e| match &e.kind {
        ExprKind::Name(n) => n.text.clone(),
        ExprKind::Literal(crate::kql::ast::Literal::String(p)) => {
            p.iter().filter_map(|s| crate::engine::literal::unescape_string(s)).collect()
        }
        ExprKind::Literal(crate::kql::ast::Literal::Bool(b)) => b.to_string(),
        _ => String::new(),
    })
}

impl Ctx<'_> {
    pub fn apply(&self, t: Arc<Table>, op: &Operator) -> EResult<Arc<Table>> {
        self.apply_reading(t, op, &None)
    }

    /// `op` over `t`, where `read` says which of its output columns the
    /// operators after it read (see `engine/liveness.rs`): work on columns
    /// nobody reads is skipped.
    pub fn apply_reading(&self, t: Arc<Table>, op: &Operator, read: &Needed) -> EResult<Arc<Table>> {
        let r = op.range;
        Ok(Arc::new(match &op.kind {
            OperatorKind::Where(pred) => {
                if let Some(keep) = self.where_rows(pred, &t)? {
                    return Ok(Arc::new(t.take_rows(&keep)));
                }
                let c = self.scalar(pred, &t)?;
                if c.ty != ScalarType::Bool && c.ty != ScalarType::Dynamic {
                    return Err(EngineError::invalid(format!("`where` needs a bool, found {}", c.ty), pred.range));
                }
                let keep = crate::engine::fast::true_rows(&c.vals);
                t.take_rows(&keep)
            }
            OperatorKind::Extend(items) => self.extend(&t, items, read)?,
            OperatorKind::Serialize(items) => self.extend(&t, items, &None)?,
            OperatorKind::Project(items) => self.project_reading(&t, items, read)?,
            OperatorKind::ProjectAway(cols) => {
                let drop = self.select_columns(&t, cols)?;
                let columns =
                    t.columns.iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, c)| c.clone()).collect();
                Table::new(columns, t.len)
            }
            OperatorKind::ProjectKeep(cols) => {
                let keep = self.select_columns(&t, cols)?;
                let columns =
                    t.columns.iter().enumerate().filter(|(i, _)| keep.contains(i)).map(|(_, c)| c.clone()).collect();
                Table::new(columns, t.len)
            }
            OperatorKind::ProjectRename(items) => {
                let mut out = (*t).clone();
                for ne in items {
                    let ExprKind::Name(old) = &ne.expr.kind else {
                        return Err(EngineError::invalid("`project-rename` takes `new = old`", ne.range));
                    };
                    let i = out
                        .index_of(&old.text)
                        .ok_or_else(|| EngineError::unknown(format!("unknown column `{}`", old.text), ne.expr.range))?;
                    out.columns[i].name = ne.names.first().map(|n| n.text.clone()).unwrap_or_default();
                }
                out
            }
            OperatorKind::ProjectReorder(items) => {
                let mut order: Vec<usize> = Vec::new();
                for s in items {
                    if s.order.is_some() {
                        return Err(EngineError::unsupported("`project-reorder` with an ordering", s.range));
                    }
                    for i in self.select_columns(&t, std::slice::from_ref(&s.expr))? {
                        if !order.contains(&i) {
                            order.push(i);
                        }
                    }
                }
                for i in 0..t.columns.len() {
                    if !order.contains(&i) {
                        order.push(i);
                    }
                }
                Table::new(order.iter().map(|&i| t.columns[i].clone()).collect(), t.len)
            }
            OperatorKind::Summarize { params, aggregates, by } => {
                self.summarize(&t, params, aggregates, by, r, read)?
            }
            OperatorKind::Distinct { params, columns } => {
                if !params.is_empty() {
                    return Err(EngineError::unsupported("`distinct` hints", r));
                }
                let proj = if columns.len() == 1 && matches!(columns[0].expr.kind, ExprKind::Wildcard(_)) {
                    (*t).clone()
                } else {
                    self.project(&t, columns)?
                };
                let mut seen = foldhash::HashSet::default();
                let keep: Vec<usize> = (0..proj.len)
                    .filter(|&i| seen.insert(proj.columns.iter().map(|c| c.data[i].clone()).collect::<Vec<_>>()))
                    .collect();
                proj.take_rows(&keep)
            }
            OperatorKind::Sort { by, .. } => self.sort(&t, by, None)?,
            OperatorKind::Top { count, by } => {
                let n = self.count_arg(count)?;
                self.sort(&t, std::slice::from_ref(by), Some(n))?
            }
            OperatorKind::Take(count) => {
                let n = self.count_arg(count)?;
                let keep: Vec<usize> = (0..t.len.min(n)).collect();
                t.take_rows(&keep)
            }
            OperatorKind::Count { as_name } => {
                let name = as_name.as_ref().map(|n| n.text.clone()).unwrap_or_else(|| "Count".into());
                Table::new(vec![Column::new(name, ScalarType::Long, vec![Value::Long(t.len as i64)])], 1)
            }
            OperatorKind::Join { params, right, on } => self.join(&t, params, right, on, r)?,
            OperatorKind::Lookup { params, right, on } => self.lookup(&t, params, right, on, r)?,
            OperatorKind::Union { params, tables } => {
                let mut all = vec![(String::new(), t.clone())];
                for e in tables {
                    all.push((source_name(e), self.tabular(e)?));
                }
                self.union(all, params, r)?
            }
            OperatorKind::MvExpand { params, items, limit } => self.mv_expand(&t, params, items, limit.as_ref(), r)?,
            OperatorKind::Parse { where_, params, source, pattern } => {
                self.parse_op(&t, *where_, params, source, pattern, r)?
            }
            OperatorKind::As { .. } => (*t).clone(),
            OperatorKind::Render { .. } => (*t).clone(),
            OperatorKind::GetSchema => getschema(&t),
            OperatorKind::Invoke(call) => {
                let ExprKind::Call { func, args } = &call.kind else {
                    return Err(EngineError::invalid("`invoke` needs a function call", call.range));
                };
                let ExprKind::Name(n) = &func.kind else {
                    return Err(EngineError::invalid("`invoke` needs a function call", call.range));
                };
                let Some(crate::engine::scope::Binding::Function(f)) = self.scope.lookup(&n.text) else {
                    return Err(EngineError::unknown(format!("unknown function `{}`", n.text), func.range));
                };
                let f = f.clone();
                let mut scope = crate::engine::scope::Scope::child(&self.scope);
                scope.bind("__invoke_input", crate::engine::scope::Binding::Table(t.clone()));
                let inner = Ctx { engine: self.engine, scope: std::rc::Rc::new(scope) };
                let mut full = vec![Expr {
                    kind: ExprKind::Name(crate::kql::ast::Name { text: "__invoke_input".into(), range: call.range }),
                    range: call.range,
                }];
                full.extend(args.iter().cloned());
                return inner.call_tabular(&f, &full, call);
            }
            OperatorKind::Print(_) | OperatorKind::Range { .. } | OperatorKind::Datatable { .. } => {
                return Err(EngineError::invalid("this operator starts a pipeline", r));
            }
            OperatorKind::MakeSeries { params, aggregates, on, from, to, step, by } => {
                self.make_series(&t, params, aggregates, on, from.as_ref(), to.as_ref(), step.as_ref(), by, r)?
            }
            OperatorKind::MvApply { params, items, limit, on } => {
                self.mv_apply(&t, params, items, limit.as_ref(), on, r)?
            }
            OperatorKind::Evaluate { params, call, schema }
                if params.is_empty() && schema.is_empty() && is_call_to(call, "bag_unpack") =>
            {
                self.bag_unpack(&t, call)?
            }
            OperatorKind::Evaluate { params, call, schema }
                if params.is_empty()
                    && schema.is_empty()
                    && (is_call_to(call, "ipv4_lookup") || is_call_to(call, "ipv6_lookup")) =>
            {
                self.ipv4_lookup(&t, call)?
            }
            OperatorKind::Evaluate { params, call, schema }
                if params.is_empty() && schema.is_empty() && is_call_to(call, "schema_merge") =>
            {
                schema_merge(&t, call)?
            }
            OperatorKind::Evaluate { call, .. } => {
                let name = match &call.kind {
                    ExprKind::Call { func, .. } => match &func.kind {
                        ExprKind::Name(n) => n.text.clone(),
                        _ => "?".into(),
                    },
                    _ => "?".into(),
                };
                return Err(EngineError::unsupported(format!("the `{name}` plugin"), r));
            }
            other => return Err(EngineError::unsupported(format!("the `{}` operator", operator_name(other)), r)),
        }))
    }

    fn count_arg(&self, e: &Expr) -> EResult<usize> {
        let c = self.scalar(e, &Table::single_row())?;
        match c.vals.first() {
            Some(Value::Long(n)) => Ok((*n).max(0) as usize),
            _ => Err(EngineError::invalid("expected a whole number", e.range)),
        }
    }

    pub fn source(&self, op: &Operator) -> EResult<Arc<Table>> {
        let r = op.range;
        Ok(Arc::new(match &op.kind {
            OperatorKind::Print(items) => {
                let one = Table::single_row();
                let mut out = Table::single_row();
                for (i, ne) in items.iter().enumerate() {
                    let c = self.scalar(&ne.expr, &one)?;
                    let name = match ne.names.first() {
                        Some(n) => n.text.clone(),
                        None => format!("print_{i}"),
                    };
                    out.set_column(Column::of(name, c.ty, c.vals));
                }
                out
            }
            OperatorKind::Range { name, from, to, step } => {
                let one = Table::single_row();
                let f = self.scalar(from, &one)?;
                let tt = self.scalar(to, &one)?;
                let s = self.scalar(step, &one)?;
                let (fv, tv, sv) = (&f.vals[0], &tt.vals[0], &s.vals[0]);
                let mut vals = Vec::new();
                let max = self.engine.options.max_rows;
                let ty = match (fv, sv) {
                    (Value::Long(_), Value::Long(_)) => f.ty,
                    (Value::DateTime(_), Value::TimeSpan(_)) => ScalarType::DateTime,
                    (Value::TimeSpan(_), Value::TimeSpan(_)) => ScalarType::TimeSpan,
                    _ => ScalarType::Real,
                };
                match (fv, tv, sv) {
                    (Value::Long(a), Value::Long(b), Value::Long(st)) if *st != 0 => {
                        let mut x = *a;
                        while (*st > 0 && x <= *b) || (*st < 0 && x >= *b) {
                            vals.push(Value::Long(x));
                            if vals.len() > max {
                                return Err(self.budget(r));
                            }
                            // the last value the type holds ends the range
                            let Some(next) = x.checked_add(*st) else { break };
                            x = next;
                        }
                    }
                    (Value::DateTime(a), Value::DateTime(b), Value::TimeSpan(st))
                    | (Value::TimeSpan(a), Value::TimeSpan(b), Value::TimeSpan(st))
                        if *st != 0 =>
                    {
                        let mut x = *a;
                        while (*st > 0 && x <= *b) || (*st < 0 && x >= *b) {
                            vals.push(if ty == ScalarType::DateTime { Value::DateTime(x) } else { Value::TimeSpan(x) });
                            if vals.len() > max {
                                return Err(self.budget(r));
                            }
                            // the last value the type holds ends the range
                            let Some(next) = x.checked_add(*st) else { break };
                            x = next;
                        }
                    }
                    _ => {
                        let (Some(a), Some(b), Some(st)) = (fv.as_f64(), tv.as_f64(), sv.as_f64()) else {
                            return Err(EngineError::invalid("`range` needs numbers, datetimes or timespans", r));
                        };
                        if st == 0.0 {
                            return Err(EngineError::invalid("`range` step is zero", r));
                        }
                        let mut k = 0.0;
                        loop {
                            let x = a + k * st;
                            if (st > 0.0 && x > b) || (st < 0.0 && x < b) {
                                break;
                            }
                            vals.push(Value::Real(x));
                            if vals.len() > max {
                                return Err(self.budget(r));
                            }
                            k += 1.0;
                        }
                    }
                }
                let n = vals.len();
                Table::new(vec![Column::new(name.text.clone(), ty, vals)], n)
            }
            OperatorKind::Datatable { schema, values } => {
                let mut types = Vec::new();
                for c in schema {
                    let ty = ScalarType::parse(&c.ty.text)
                        .ok_or_else(|| EngineError::invalid(format!("unknown type `{}`", c.ty.text), c.ty.range))?;
                    if ty == ScalarType::Decimal {
                        return Err(EngineError::unsupported("the decimal type", c.ty.range));
                    }
                    types.push(ty);
                }
                let w = schema.len().max(1);
                if values.len() % w != 0 {
                    return Err(EngineError::invalid("the number of values is not a multiple of the columns", r));
                }
                let mut cols: Vec<Vec<Value>> = vec![Vec::new(); schema.len()];
                let one = Table::single_row();
                for (i, v) in values.iter().enumerate() {
                    let k = i % w;
                    let c = self.scalar(v, &one)?;
                    let val = functions::coerce_literal(&c, types[k]).ok_or_else(|| {
                        EngineError::invalid(format!("a {} value in a {} column", c.ty, types[k]), v.range)
                    })?;
                    cols[k].push(val);
                }
                let n = values.len() / w;
                Table::new(
                    schema
                        .iter()
                        .zip(types)
                        .zip(cols)
                        .map(|((c, ty), vals)| Column::new(c.name.text.clone(), ty, vals))
                        .collect(),
                    n,
                )
            }
            OperatorKind::ExternalData { schema, urls, with } => self.external_data(schema, urls, with, r)?,
            OperatorKind::Union { params, tables } => {
                let mut all = Vec::new();
                let fuzzy = param_word(params, "isfuzzy").is_some_and(|w| w == "true");
                for e in tables {
                    match self.tabular(e) {
                        Ok(t) => all.push((source_name(e), t)),
                        Err(err) if fuzzy && err.kind == crate::engine::EngineErrorKind::UnknownName => {}
                        Err(err) => return Err(err),
                    }
                }
                self.union(all, params, r)?
            }
            other => return Err(EngineError::unsupported(format!("the `{}` operator", operator_name(other)), r)),
        }))
    }

    /// `externaldata`: only from a local file the user mapped to the URL.
    fn external_data(
        &self,
        schema: &[crate::kql::ast::ColumnDecl],
        urls: &[Expr],
        with: &[OpParam],
        r: TextRange,
    ) -> EResult<Table> {
        let format = param_word(with, "format").unwrap_or_else(|| "csv".into()).to_ascii_lowercase();
        let skip_first = param_word(with, "ignoreFirstRecord").is_some_and(|v| v == "true");
        let mut cols: Vec<(String, ScalarType)> = Vec::new();
        for c in schema {
            let ty = ScalarType::parse(&c.ty.text)
                .ok_or_else(|| EngineError::invalid(format!("unknown type `{}`", c.ty.text), c.ty.range))?;
            cols.push((c.name.text.clone(), ty));
        }
        let mut rows: Vec<Vec<crate::engine::load::Cell>> = Vec::new();
        for u in urls {
            let url = self.scalar(u, &Table::single_row())?.vals[0].to_kusto_string();
            let Some(path) = self.engine.options.external.get(&url) else {
                if self.engine.options.unmapped_external_empty {
                    continue;
                }
                return Err(EngineError::unsupported(
                    format!("`externaldata` from `{url}` (map it to a local file: --externaldata URL=FILE)"),
                    u.range,
                ));
            };
            let text = std::fs::read_to_string(path)
                .map_err(|e| EngineError::invalid(format!("cannot read {}: {e}", path.display()), u.range))?;
            use crate::engine::load::Cell;
            match format.as_str() {
                "multijson" | "json" => {
                    let values: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&text)
                        .into_iter::<serde_json::Value>()
                        .collect::<Result<_, _>>()
                        .map_err(|e| EngineError::invalid(format!("{}: not JSON: {e}", path.display()), u.range))?;
                    for v in values {
                        let objs = match v {
                            serde_json::Value::Array(a) if format == "json" => a,
                            other => vec![other],
                        };
                        for o in objs {
                            rows.push(
                                cols.iter()
                                    .map(|(n, _)| o.get(n).cloned().map(Cell::Json).unwrap_or(Cell::Missing))
                                    .collect(),
                            );
                        }
                    }
                }
                "csv" | "txt" => {
                    let recs = if format == "txt" {
                        text.lines().map(|l| vec![l.to_string()]).collect()
                    } else {
                        crate::engine::load::csv_records(&text)
                    };
                    for rec in recs.into_iter().skip(usize::from(skip_first)) {
                        rows.push(
                            (0..cols.len())
                                .map(|k| rec.get(k).cloned().map(Cell::Text).unwrap_or(Cell::Missing))
                                .collect(),
                        );
                    }
                }
                other => return Err(EngineError::unsupported(format!("`externaldata` format `{other}`"), r)),
            }
        }
        let n = rows.len();
        let mut columns = Vec::new();
        for (k, (name, ty)) in cols.iter().enumerate() {
            let vals = rows
                .iter()
                .map(|row| crate::engine::load::parse_cell(&row[k], *ty).unwrap_or(Value::null_of(*ty)))
                .collect();
            columns.push(Column::new(name.clone(), *ty, vals));
        }
        Ok(Table::new(columns, n))
    }

    fn extend(&self, t: &Table, items: &[NamedExpr], read: &Needed) -> EResult<Table> {
        let mut out = t.clone();
        let mut unnamed = 0;
        let live = crate::engine::liveness::live_items(items, read);
        for (ne, live) in items.iter().zip(live) {
            if !live {
                continue;
            }
            // pack_all() packs the operator's input, not the columns this extend adds
            let input = if uses_pack_all(&ne.expr) { t } else { &out };
            let c = self.scalar(&ne.expr, input)?;
            if ne.names.len() > 1 || ne.tuple {
                return self.tuple_assign(out, ne, c);
            }
            let name = output_name(ne, &out, &mut unnamed);
            out.set_column(Column::of(name, c.ty, c.vals));
        }
        Ok(out)
    }

    fn tuple_assign(&self, _out: Table, ne: &NamedExpr, _c: Col) -> EResult<Table> {
        Err(EngineError::unsupported("assigning to several names", ne.range))
    }

    pub fn project(&self, t: &Table, items: &[NamedExpr]) -> EResult<Table> {
        self.project_reading(t, items, &None)
    }

    /// `project`, leaving out the items whose column no later operator reads.
    fn project_reading(&self, t: &Table, items: &[NamedExpr], read: &Needed) -> EResult<Table> {
        let mut out = Table::new(Vec::new(), t.len);
        let mut unnamed = 0;
        for ne in items {
            if read.is_some()
                && crate::engine::liveness::projected_name(ne)
                    .is_some_and(|n| !crate::engine::liveness::is_read(read, n))
            {
                continue;
            }
            if let ExprKind::Wildcard(_) = &ne.expr.kind {
                for i in self.select_columns(t, std::slice::from_ref(&ne.expr))? {
                    out.set_column(t.columns[i].clone());
                }
                continue;
            }
            if ne.names.is_empty()
                && let ExprKind::Name(n) = &ne.expr.kind
                && let Some(c) = t.column(&n.text)
            {
                out.set_column(c.clone());
                continue;
            }
            if ne.names.len() > 1 {
                return Err(EngineError::unsupported("assigning to several names", ne.range));
            }
            let c = self.scalar(&ne.expr, t)?;
            let name = output_name(ne, &out, &mut unnamed);
            if out.column(&name).is_some() {
                return Err(EngineError::invalid(format!("column `{name}` appears twice"), ne.range));
            }
            out.columns.push(Column::of(name, c.ty, c.vals));
        }
        Ok(out)
    }

    /// Column indices named by `cols` (names or `prefix*` wildcards).
    fn select_columns(&self, t: &Table, cols: &[Expr]) -> EResult<Vec<usize>> {
        let mut out = Vec::new();
        for e in cols {
            match &e.kind {
                ExprKind::Name(n) => match t.index_of(&n.text) {
                    Some(i) => out.push(i),
                    None => return Err(EngineError::unknown(format!("unknown column `{}`", n.text), e.range)),
                },
                ExprKind::Wildcard(w) => {
                    let re = wildcard_regex(w);
                    out.extend(t.columns.iter().enumerate().filter(|(_, c)| re.is_match(&c.name)).map(|(i, _)| i));
                }
                _ => return Err(EngineError::invalid("expected a column name", e.range)),
            }
        }
        Ok(out)
    }

    pub fn sort(&self, t: &Table, by: &[SortExpr], limit: Option<usize>) -> EResult<Table> {
        let mut keys = Vec::new();
        for s in by {
            let c = self.scalar(&s.expr, t)?;
            let desc = !matches!(s.order, Some(SortOrder::Asc) | Some(SortOrder::GrannyAsc));
            let nulls_first = match s.nulls {
                Some(NullsOrder::First) => true,
                Some(NullsOrder::Last) => false,
                None => !desc,
            };
            keys.push((c, desc, nulls_first));
        }
        let order = |&a: &usize, &b: &usize| {
            for (c, desc, nf) in &keys {
                let (x, y) = (&c.vals[a], &c.vals[b]);
                let o = match (x.is_null(), y.is_null()) {
                    (true, true) => std::cmp::Ordering::Equal,
                    (true, false) => {
                        if *nf {
                            std::cmp::Ordering::Less
                        } else {
                            std::cmp::Ordering::Greater
                        }
                    }
                    (false, true) => {
                        if *nf {
                            std::cmp::Ordering::Greater
                        } else {
                            std::cmp::Ordering::Less
                        }
                    }
                    _ => {
                        let o = compare(x, y);
                        if *desc { o.reverse() } else { o }
                    }
                };
                if o.is_ne() {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        };
        let mut idx: Vec<usize> = (0..t.len).collect();
        idx.sort_by(order);
        if let Some(n) = limit {
            // rows tied with the last one kept, but cut: Kusto keeps any of them
            if n > 0
                && n < idx.len()
                && order(&idx[n - 1], &idx[n]).is_eq()
                && t.columns.iter().any(|c| c.data[idx[n - 1]] != c.data[idx[n]])
            {
                self.engine.note_nondeterministic(crate::engine::determinism::TOP_TIES);
            }
            idx.truncate(n);
        }
        Ok(t.take_rows(&idx))
    }

    /// `union`: columns by name in first-seen order (kind=outer), rows of
    /// each table in turn; a name with two types becomes `x_long`, `x_int`.
    pub fn union(&self, tables: Vec<(String, Arc<Table>)>, params: &[OpParam], r: TextRange) -> EResult<Table> {
        let inner = param_word(params, "kind").is_some_and(|k| k == "inner");
        let source = param_word(params, "withsource").or_else(|| param_word(params, "source"));
        if let Some(p) =
            params.iter().find(|p| !matches!(p.name.as_str(), "kind" | "withsource" | "source" | "isfuzzy"))
        {
            return Err(EngineError::unsupported(format!("the `union` parameter `{}`", p.name), p.range));
        }
        let mut types_of: Vec<(String, Vec<ScalarType>)> = Vec::new();
        for (_, t) in &tables {
            for c in &t.columns {
                match types_of.iter_mut().find(|(n, _)| *n == c.name) {
                    Some((_, tys)) => {
                        if !tys.contains(&c.ty) {
                            tys.push(c.ty);
                        }
                    }
                    None => types_of.push((c.name.clone(), vec![c.ty])),
                }
            }
        }
        // output columns: (output name, source name, type)
        let mut outs: Vec<(String, String, ScalarType)> = Vec::new();
        for (n, tys) in &types_of {
            if tys.len() == 1 {
                outs.push((n.clone(), n.clone(), tys[0]));
            } else {
                for ty in tys {
                    outs.push((format!("{n}_{}", ty.name()), n.clone(), *ty));
                }
            }
        }
        if inner {
            outs.retain(|(_, n, ty)| tables.iter().all(|(_, t)| t.column(n).is_some_and(|c| c.ty == *ty)));
        }
        let total: usize = tables.iter().map(|(_, t)| t.len).sum();
        let mut cols: Vec<Vec<Value>> = vec![Vec::with_capacity(total); outs.len()];
        for (_, t) in &tables {
            for (k, (_, n, ty)) in outs.iter().enumerate() {
                match t.column(n).filter(|c| c.ty == *ty) {
                    Some(c) => cols[k].extend(c.data.iter().cloned()),
                    None => cols[k].extend(std::iter::repeat_n(Value::null_of(*ty), t.len)),
                }
            }
        }
        let mut columns: Vec<Column> =
            outs.into_iter().zip(cols).map(|((n, _, ty), v)| Column::new(n, ty, v)).collect();
        if let Some(src) = source {
            let mut names = Vec::with_capacity(total);
            for (name, t) in &tables {
                names.extend(std::iter::repeat_n(Value::str(name), t.len));
            }
            columns.insert(0, Column::new(src, ScalarType::String, names));
        }
        let _ = r;
        Ok(Table::new(columns, total))
    }

    fn mv_expand(
        &self,
        t: &Table,
        params: &[OpParam],
        items: &[MvItem],
        limit: Option<&Expr>,
        r: TextRange,
    ) -> EResult<Table> {
        let mut index_col = None;
        let mut as_array = false;
        for p in params {
            match p.name.as_str() {
                "with_itemindex" => index_col = param_word(params, "with_itemindex"),
                "bagexpansion" | "kind" => match param_word(params, &p.name).as_deref() {
                    Some("bag") => {}
                    Some("array") => as_array = true,
                    _ => return Err(EngineError::unsupported(format!("this `{}`", p.name), p.range)),
                },
                _ => return Err(EngineError::unsupported(format!("the `mv-expand` parameter `{}`", p.name), p.range)),
            }
        }
        let limit = match limit {
            Some(e) => Some(self.count_arg(e)?),
            None => None,
        };
        let mut exp = Vec::new();
        for it in items {
            let c = self.scalar(&it.item.expr, t)?;
            let name = match it.item.names.first() {
                Some(n) => n.text.clone(),
                None => derived_name(&it.item.expr)
                    .ok_or_else(|| EngineError::invalid("name the expanded expression: `Name = expr`", it.range))?,
            };
            let to = match &it.to_type {
                Some(ty) => Some(
                    ScalarType::parse(&ty.text)
                        .ok_or_else(|| EngineError::invalid(format!("unknown type `{}`", ty.text), ty.range))?,
                ),
                None => None,
            };
            exp.push((name, c, to));
        }
        // rows: (source row, element index)
        let mut rows: Vec<(usize, usize)> = Vec::new();
        let mut counts = Vec::with_capacity(t.len);
        for i in 0..t.len {
            let mut n = exp.iter().map(|(_, c, _)| element_count(&c.vals[i])).max().unwrap_or(1);
            if let Some(l) = limit {
                n = n.min(l);
            }
            counts.push(n);
            for k in 0..n {
                rows.push((i, k));
            }
            if rows.len() > self.engine.options.max_rows {
                return Err(self.budget(r));
            }
        }
        let src: Vec<usize> = rows.iter().map(|(i, _)| *i).collect();
        let mut out = t.take_rows(&src);
        for (name, c, to) in &exp {
            let ty = to.unwrap_or(ScalarType::Dynamic);
            let vals: Vec<Value> = rows
                .iter()
                .map(|&(i, k)| {
                    let v = element(&c.vals[i], k, as_array);
                    if ty == ScalarType::Dynamic { v } else { functions::convert_value(&v, ty) }
                })
                .collect();
            out.set_column(Column::new(name.clone(), ty, vals));
        }
        if let Some(ix) = index_col {
            out.set_column(Column::new(
                ix,
                ScalarType::Long,
                rows.iter().map(|&(_, k)| Value::Long(k as i64)).collect(),
            ));
        }
        Ok(out)
    }

    fn parse_op(
        &self,
        t: &Table,
        where_: bool,
        params: &[OpParam],
        source: &Expr,
        pattern: &[ParsePart],
        r: TextRange,
    ) -> EResult<Table> {
        let kind = param_word(params, "kind").unwrap_or_else(|| "simple".into());
        let flags = param_word(params, "flags").unwrap_or_default();
        if params.iter().any(|p| p.name != "kind" && p.name != "flags")
            || !flags.chars().all(|c| matches!(c, 'i' | 'm' | 's' | 'U'))
        {
            return Err(EngineError::unsupported("these `parse` parameters", r));
        }
        let is_regex = kind == "regex";
        if !matches!(kind.as_str(), "simple" | "regex" | "relaxed") {
            return Err(EngineError::unsupported(format!("`parse kind={kind}`"), r));
        }
        let one = Table::single_row();
        let mut re = if flags.is_empty() { String::from("^") } else { format!("(?{flags})^") };
        let mut cols: Vec<(String, ScalarType)> = Vec::new();
        let n_parts = pattern.len();
        for (k, part) in pattern.iter().enumerate() {
            let last = k + 1 == n_parts;
            match part {
                ParsePart::Star => re.push_str(if last { ".*" } else { ".*?" }),
                ParsePart::Literal(e) => {
                    let c = self.scalar(e, &one)?;
                    let text = c.vals[0].to_kusto_string();
                    if is_regex { re.push_str(&text) } else { re.push_str(&regex::escape(&text)) }
                }
                ParsePart::Column { name, ty } => {
                    let ty = match ty {
                        Some(t) => ScalarType::parse(&t.text)
                            .ok_or_else(|| EngineError::invalid(format!("unknown type `{}`", t.text), t.range))?,
                        None => ScalarType::String,
                    };
                    let body = match (ty, is_regex) {
                        (ScalarType::Int | ScalarType::Long, false) if kind == "simple" => r"[-+]?\d+",
                        (ScalarType::Real, false) if kind == "simple" => r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?",
                        _ if last => ".*",
                        _ => ".*?",
                    };
                    re.push('(');
                    re.push_str(body);
                    re.push(')');
                    cols.push((name.text.clone(), ty));
                }
            }
        }
        if kind != "regex" && matches!(pattern.last(), Some(ParsePart::Literal(_))) {
            // a trailing literal must end the text in simple mode
        }
        let regex = Regex::new(&re).map_err(|e| EngineError::invalid(format!("bad parse pattern: {e}"), r))?;
        let src = self.scalar(source, t)?;
        let mut vals: Vec<Vec<Value>> = vec![Vec::with_capacity(t.len); cols.len()];
        let mut keep = Vec::new();
        for i in 0..t.len {
            let text = crate::engine::strings::text_of(&src.vals[i]);
            let caps = regex.captures(&text);
            let mut ok = caps.is_some();
            let mut row = Vec::with_capacity(cols.len());
            for (k, (_, ty)) in cols.iter().enumerate() {
                let v = match caps.as_ref().and_then(|c| c.get(k + 1)) {
                    Some(m) => {
                        let s = Value::str(m.as_str());
                        if *ty == ScalarType::String { s } else { functions::convert_value(&s, *ty) }
                    }
                    None => Value::null_of(*ty),
                };
                if *ty != ScalarType::String && v.is_null() {
                    ok = false;
                }
                row.push(v);
            }
            if !ok && kind == "simple" && !where_ {
                row = cols.iter().map(|(_, ty)| Value::null_of(*ty)).collect();
            }
            if where_ && !ok {
                continue;
            }
            keep.push(i);
            for (k, v) in row.into_iter().enumerate() {
                vals[k].push(v);
            }
        }
        let mut out = t.take_rows(&keep);
        for ((name, ty), v) in cols.into_iter().zip(vals) {
            out.set_column(Column::new(name, ty, v));
        }
        Ok(out)
    }
}

/// The name `union withsource` reports for a table expression.
fn source_name(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.text.clone(),
        ExprKind::Paren(i) => source_name(i),
        ExprKind::Pipeline { source, .. } => source_name(source),
        _ => "union_arg".into(),
    }
}

fn uses_pack_all(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { func, args } => {
            is_call_to(e, "pack_all") || uses_pack_all(func) || args.iter().any(uses_pack_all)
        }
        ExprKind::Paren(i) => uses_pack_all(i),
        _ => false,
    }
}

fn is_call_to(e: &Expr, name: &str) -> bool {
    matches!(&e.kind, ExprKind::Call { func, .. } if matches!(&func.kind, ExprKind::Name(n) if n.text == name))
}

impl Ctx<'_> {
    fn mv_apply(
        &self,
        t: &Table,
        params: &[OpParam],
        items: &[MvItem],
        limit: Option<&Expr>,
        on: &[Operator],
        r: TextRange,
    ) -> EResult<Table> {
        let mut parts: Vec<(usize, Arc<Table>)> = Vec::new();
        for i in 0..t.len {
            let row = t.take_rows(&[i]);
            let mut sub = Arc::new(self.mv_expand(&row, params, items, limit, r)?);
            for op in on {
                sub = self.apply(sub, op)?;
            }
            parts.push((i, sub));
        }
        // output: the input's columns (values from the subquery when it has them), then the subquery's own
        let mut names: Vec<(String, ScalarType)> = t.columns.iter().map(|c| (c.name.clone(), c.ty)).collect();
        let template = match parts.first() {
            Some((_, s)) => (**s).clone(),
            None => {
                let row =
                    Table::new(t.columns.iter().map(|c| Column::new(c.name.clone(), c.ty, Vec::new())).collect(), 0);
                let mut sub = Arc::new(self.mv_expand(&row, params, items, limit, r)?);
                for op in on {
                    sub = self.apply(sub, op)?;
                }
                (*sub).clone()
            }
        };
        for c in &template.columns {
            match names.iter_mut().find(|(n, _)| *n == c.name) {
                Some(entry) => entry.1 = c.ty,
                None => names.push((c.name.clone(), c.ty)),
            }
        }
        let mut cols: Vec<Vec<Value>> = vec![Vec::new(); names.len()];
        let mut len = 0;
        for (i, sub) in &parts {
            for k in 0..sub.len {
                for (ci, (name, ty)) in names.iter().enumerate() {
                    let v = match sub.column(name) {
                        Some(c) => c.data[k].clone(),
                        None => t.column(name).map(|c| c.data[*i].clone()).unwrap_or(Value::null_of(*ty)),
                    };
                    cols[ci].push(v);
                }
                len += 1;
            }
            if len > self.engine.options.max_rows {
                return Err(self.budget(r));
            }
        }
        Ok(Table::new(names.into_iter().zip(cols).map(|((n, ty), v)| Column::new(n, ty, v)).collect(), len))
    }

    fn bag_unpack(&self, t: &Table, call: &Expr) -> EResult<Table> {
        let ExprKind::Call { args, .. } = &call.kind else { unreachable!("checked by the caller") };
        let mut conflict = "error".to_string();
        let mut positional = Vec::new();
        for a in args {
            match &a.kind {
                ExprKind::Assign { name, value } if name.text == "columnsConflict" => {
                    conflict = self.scalar(value, &Table::single_row())?.vals[0].to_kusto_string();
                }
                ExprKind::Assign { name, .. } => {
                    return Err(EngineError::unsupported(format!("the bag_unpack argument `{}`", name.text), a.range));
                }
                _ => positional.push(a),
            }
        }
        let Some(src) = positional.first() else {
            return Err(EngineError::invalid("`bag_unpack` needs a dynamic column", call.range));
        };
        let prefix = match positional.get(1) {
            Some(p) => self.scalar(p, &Table::single_row())?.vals[0].to_kusto_string(),
            None => String::new(),
        };
        let c = self.scalar(src, t)?;
        let mut keys: Vec<String> = Vec::new();
        for v in &c.vals {
            if let Value::Bag(b) = v {
                for (k, _) in b.iter() {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            }
        }
        keys.sort();
        let mut out = t.clone();
        if let ExprKind::Name(n) = &src.kind {
            out.columns.retain(|col| col.name != n.text);
        }
        for k in keys {
            let vals: Vec<Value> = c.vals.iter().map(|v| crate::engine::functions::dyn_get(v, &k)).collect();
            let ty = unpacked_type(&vals);
            let vals = vals
                .into_iter()
                .map(|v| if ty == ScalarType::Dynamic { v } else { crate::engine::functions::convert_value(&v, ty) })
                .collect();
            let name = format!("{prefix}{k}");
            let col = Column::new(name.clone(), ty, vals);
            match (out.index_of(&name), conflict.as_str()) {
                (None, _) => out.columns.push(col),
                (Some(i), "replace_source") => out.columns[i] = col,
                (Some(_), "keep_source") => {}
                (Some(_), _) => {
                    return Err(EngineError::invalid(
                        format!("bag_unpack: column `{name}` already exists"),
                        call.range,
                    ));
                }
            }
        }
        Ok(out)
    }
}

impl Ctx<'_> {
    /// `evaluate ipv4_lookup(Lookup, SourceIp, Range [, return_unmatched])`:
    /// each row joined with the lookup rows whose CIDR range holds its address.
    fn ipv4_lookup(&self, t: &Table, call: &Expr) -> EResult<Table> {
        let ExprKind::Call { args, .. } = &call.kind else { unreachable!("checked by the caller") };
        if args.len() < 3 || args.len() > 4 {
            return Err(EngineError::invalid(
                "`ipv4_lookup` takes a table, an address column and a range column",
                call.range,
            ));
        }
        let lookup = self.tabular(&args[0])?;
        let src = self.scalar(&args[1], t)?;
        let ranges = self.scalar(&args[2], &lookup)?;
        let unmatched = match args.get(3) {
            Some(e) => matches!(self.scalar(e, &Table::single_row())?.vals[0], Value::Bool(true)),
            None => false,
        };
        let v6 = is_call_to(call, "ipv6_lookup");
        let parse = |v: &Value| -> Option<(u128, u32)> {
            if v6 {
                crate::engine::functions::ipv6(v)
            } else {
                crate::engine::functions::ipv4_range(v).map(|(ip, p)| (ip as u128, p + 96))
            }
        };
        let parsed: Vec<Option<(u128, u32)>> = ranges.vals.iter().map(parse).collect();
        let mut pairs: Vec<(usize, Option<usize>)> = Vec::new();
        for i in 0..t.len {
            let ip = parse(&src.vals[i]).map(|(ip, _)| ip);
            let mut hit = false;
            if let Some(ip) = ip {
                for (j, r) in parsed.iter().enumerate() {
                    if let Some((net, p)) = r {
                        let m = if *p == 0 { 0 } else { u128::MAX << (128 - p) };
                        if ip & m == net & m {
                            pairs.push((i, Some(j)));
                            hit = true;
                        }
                    }
                }
            }
            if !hit && unmatched {
                pairs.push((i, None));
            }
            if pairs.len() > self.engine.options.max_rows {
                return Err(self.budget(call.range));
            }
        }
        let left_rows: Vec<usize> = pairs.iter().map(|p| p.0).collect();
        let source = t.take_rows(&left_rows);
        let looked: Vec<Column> = lookup
            .columns
            .iter()
            .map(|c| {
                let vals = pairs.iter().map(|(_, j)| j.map_or(Value::null_of(c.ty), |j| c.data[j].clone())).collect();
                Column::new(c.name.clone(), c.ty, vals)
            })
            .collect();
        // Kusto puts the source columns first for ipv4_lookup, the lookup's first for ipv6_lookup
        let (first, second) = if v6 { (looked, source.columns) } else { (source.columns, looked) };
        let mut out = Table::new(first, pairs.len());
        for c in second {
            let name = out.unique_name(&c.name);
            out.columns.push(Column { name, ..c });
        }
        Ok(out)
    }
}

/// `evaluate schema_merge()`: the union of `getschema` tables, one row per
/// column name in first-seen order, renumbered.
fn schema_merge(t: &Table, call: &Expr) -> EResult<Table> {
    if matches!(&call.kind, ExprKind::Call { args, .. } if !args.is_empty()) {
        return Err(EngineError::unsupported("`schema_merge` arguments", call.range));
    }
    let col = |n: &str| {
        t.column(n).ok_or_else(|| EngineError::invalid(format!("schema_merge needs a `{n}` column"), call.range))
    };
    let (names, dtypes, ctypes) = (col("ColumnName")?, col("DataType")?, col("ColumnType")?);
    let mut seen: Vec<usize> = Vec::new();
    for i in 0..t.len {
        if !seen.iter().any(|&j| names.data[j] == names.data[i]) {
            seen.push(i);
        }
    }
    let pick = |c: &Column| seen.iter().map(|&i| c.data[i].clone()).collect::<Vec<_>>();
    Ok(Table::new(
        vec![
            Column::new("ColumnName", ScalarType::String, pick(names)),
            Column::new("ColumnOrdinal", ScalarType::Long, (0..seen.len()).map(|i| Value::Long(i as i64)).collect()),
            Column::new("DataType", ScalarType::String, pick(dtypes)),
            Column::new("ColumnType", ScalarType::String, pick(ctypes)),
        ],
        seen.len(),
    ))
}

fn unpacked_type(vals: &[Value]) -> ScalarType {
    let mut ty: Option<ScalarType> = None;
    for v in vals.iter().filter(|v| !v.is_null()) {
        let k = match v {
            Value::Array(_) | Value::Bag(_) => ScalarType::Dynamic,
            other => other.dynamic_kind(),
        };
        ty = Some(match ty {
            None => k,
            Some(t) if t == k => t,
            Some(ScalarType::Long) if k == ScalarType::Real => ScalarType::Real,
            Some(ScalarType::Real) if k == ScalarType::Long => ScalarType::Real,
            _ => ScalarType::Dynamic,
        });
    }
    ty.unwrap_or(ScalarType::Dynamic)
}

/// The name of a column `extend` or `project` writes: the one given, else
/// the one Kusto derives from the expression, else the next free `Column1`, ….
fn output_name(ne: &NamedExpr, out: &Table, unnamed: &mut usize) -> String {
    match ne.names.first() {
        Some(n) => n.text.clone(),
        None => derived_name(&ne.expr).unwrap_or_else(|| {
            *unnamed += 1;
            next_column_name(out, unnamed)
        }),
    }
}

fn next_column_name(t: &Table, counter: &mut usize) -> String {
    loop {
        let n = format!("Column{counter}");
        if t.column(&n).is_none() {
            return n;
        }
        *counter += 1;
    }
}

fn element_count(v: &Value) -> usize {
    match v {
        Value::Array(a) => a.len(),
        Value::Bag(b) => b.len(),
        _ => 1,
    }
}

fn element(v: &Value, k: usize, as_array: bool) -> Value {
    match v {
        Value::Array(a) => a.get(k).cloned().unwrap_or(Value::Null),
        Value::Bag(b) if as_array => match b.get(k) {
            Some((key, val)) => Value::Array(Arc::new(vec![Value::str(key), val.clone()])),
            None => Value::Null,
        },
        Value::Bag(b) => match b.get(k) {
            Some((key, val)) => Value::Bag(Arc::new(vec![(key.clone(), val.clone())])),
            None => Value::Null,
        },
        other if k == 0 => other.clone(),
        _ => Value::Null,
    }
}

pub fn wildcard_regex(w: &str) -> Regex {
    let pat = format!("^{}$", regex::escape(w).replace(r"\*", ".*"));
    Regex::new(&pat).unwrap_or_else(|_| Regex::new("^$").expect("valid"))
}

fn getschema(t: &Table) -> Table {
    let n = t.columns.len();
    let dotnet = |ty: ScalarType| match ty {
        ScalarType::Bool => "System.Boolean",
        ScalarType::Int => "System.Int32",
        ScalarType::Long => "System.Int64",
        ScalarType::Real => "System.Double",
        ScalarType::Decimal => "System.Data.SqlTypes.SqlDecimal",
        ScalarType::DateTime => "System.DateTime",
        ScalarType::TimeSpan => "System.TimeSpan",
        ScalarType::Guid => "System.Guid",
        ScalarType::String => "System.String",
        ScalarType::Dynamic => "System.Object",
    };
    Table::new(
        vec![
            Column::new("ColumnName", ScalarType::String, t.columns.iter().map(|c| Value::str(&c.name)).collect()),
            Column::new("ColumnOrdinal", ScalarType::Int, (0..n).map(|i| Value::Long(i as i64)).collect()),
            Column::new("DataType", ScalarType::String, t.columns.iter().map(|c| Value::str(dotnet(c.ty))).collect()),
            Column::new("ColumnType", ScalarType::String, t.columns.iter().map(|c| Value::str(c.ty.name())).collect()),
        ],
        n,
    )
}

pub fn operator_name(k: &OperatorKind) -> String {
    match k {
        OperatorKind::Other { name, .. } => name.clone(),
        other => {
            let dbg = format!("{other:?}");
            let head = dbg.split(['(', ' ', '{']).next().unwrap_or("").to_string();
            let mut out = String::new();
            for (i, ch) in head.chars().enumerate() {
                if ch.is_uppercase() && i > 0 {
                    out.push('-');
                }
                out.extend(ch.to_lowercase());
            }
            out
        }
    }
}
