//! Scalar expressions over a table: each expression becomes a [`Col`], one
//! value per row, with its Kusto type worked out from its operands' types
//! (the planner's type logic lives in [`crate::engine::types`]).

use foldhash::HashSet;
use std::rc::Rc;
use std::sync::Arc;

use crate::engine::Ctx;
use crate::engine::error::{EResult, EngineError};
use crate::engine::functions;
use crate::engine::literal;
use crate::engine::scope::{Binding, Col, Scope};
use crate::engine::strings;
use crate::engine::table::Table;
use crate::engine::types::{self, arith_type};
use crate::engine::value::{Value, compare};
use crate::kql::ast::{BinaryOp, Dynamic, Expr, ExprKind, ListOp, Literal, StringOp, UnaryOp};
use crate::kql::types::ScalarType;

impl Ctx<'_> {
    /// Evaluate `e` once per row of `t`.
    pub fn scalar(&self, e: &Expr, t: &Table) -> EResult<Col> {
        if let Some(c) = self.scalar_fast(e, t)? {
            return Ok(c);
        }
        let n = t.len;
        match &e.kind {
            ExprKind::Literal(l) => {
                let (ty, v) = self.literal(l, e)?;
                Ok(Col::constant(ty, v, n))
            }
            ExprKind::Name(name) => self.name(&name.text, e, t),
            ExprKind::Paren(inner) => {
                if is_tabular_syntax(inner) {
                    return self.scalar_of_table(inner, n);
                }
                self.scalar(inner, t)
            }
            ExprKind::Unary { op, expr } => {
                let c = self.scalar(expr, t)?;
                match op {
                    UnaryOp::Plus => Ok(c),
                    UnaryOp::Neg => {
                        if !(c.ty.is_numeric() || c.ty == ScalarType::TimeSpan || c.ty == ScalarType::Dynamic) {
                            return Err(EngineError::invalid(format!("cannot negate a {}", c.ty), e.range));
                        }
                        let vals = c
                            .vals
                            .iter()
                            .map(|v| match v {
                                Value::Long(x) => Value::Long(x.wrapping_neg()),
                                Value::Real(x) => Value::Real(-x),
                                Value::TimeSpan(x) => Value::TimeSpan(-x),
                                _ => Value::Null,
                            })
                            .collect();
                        Ok(Col::new(c.ty, vals))
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e, t),
            ExprKind::List { op, expr, items } => self.list_op(*op, expr, items, t),
            ExprKind::Between { negated, expr, low, high } => {
                let x = self.scalar(expr, t)?;
                let lo = self.scalar(low, t)?;
                let hi = self.scalar(high, t)?;
                let vals = (0..n)
                    .map(|i| {
                        let (v, l, mut h) = (&x.vals[i], &lo.vals[i], hi.vals[i].clone());
                        if let (Value::DateTime(_), Value::TimeSpan(d), Value::DateTime(s)) = (v, &h, l) {
                            h = Value::DateTime(s + d);
                        }
                        if v.is_null() || l.is_null() || h.is_null() {
                            return Value::Null;
                        }
                        let inside = compare(v, l).is_ge() && compare(v, &h).is_le();
                        Value::Bool(inside != *negated)
                    })
                    .collect();
                Ok(Col::new(ScalarType::Bool, vals))
            }
            ExprKind::Call { func, args } => self.call(func, args, e, t),
            ExprKind::Member { expr, name } => {
                let base = self.scalar(expr, t)?;
                if base.ty != ScalarType::Dynamic {
                    return Err(EngineError::invalid(
                        format!("`.{}` needs a dynamic value, found {}", name.text, base.ty),
                        e.range,
                    ));
                }
                let vals = base.vals.iter().map(|v| functions::dyn_get(v, &name.text)).collect();
                Ok(Col::new(ScalarType::Dynamic, vals))
            }
            ExprKind::Index { expr, index } => {
                let base = self.scalar(expr, t)?;
                let idx = self.scalar(index, t)?;
                if base.ty != ScalarType::Dynamic {
                    return Err(EngineError::invalid(
                        format!("`[...]` needs a dynamic value, found {}", base.ty),
                        e.range,
                    ));
                }
                let vals = (0..n)
                    .map(|i| match &idx.vals[i] {
                        Value::Long(k) => functions::dyn_index(&base.vals[i], *k),
                        Value::String(k) => functions::dyn_get(&base.vals[i], k),
                        _ => Value::Null,
                    })
                    .collect();
                Ok(Col::new(ScalarType::Dynamic, vals))
            }
            ExprKind::Pipeline { .. } | ExprKind::Source(_) => self.scalar_of_table(e, n),
            ExprKind::Wildcard(_) => Err(EngineError::invalid("`*` is not a value here", e.range)),
            ExprKind::Assign { .. } | ExprKind::Tuple(_) | ExprKind::Bracketed(_) => {
                Err(EngineError::unsupported("this expression", e.range))
            }
            ExprKind::ClientParameter(p) => {
                Err(EngineError::unsupported(format!("the client parameter `{{{p}}}`"), e.range))
            }
            ExprKind::Missing => Err(EngineError::invalid("missing expression", e.range)),
        }
    }

    /// A tabular expression used as a scalar: its first row's first column.
    fn scalar_of_table(&self, e: &Expr, n: usize) -> EResult<Col> {
        let tab = self.tabular(e)?;
        let c = tab
            .columns
            .first()
            .ok_or_else(|| EngineError::invalid("the tabular expression has no columns", e.range))?;
        let v = c.data.first().cloned().unwrap_or(Value::null_of(c.ty));
        Ok(Col::constant(c.ty, v, n))
    }

    pub fn literal(&self, l: &Literal, e: &Expr) -> EResult<(ScalarType, Value)> {
        let bad = || EngineError::invalid("malformed literal", e.range);
        Ok(match l {
            Literal::Int(s) => match literal::parse_int(s) {
                Some(v) => (ScalarType::Long, v),
                None => (ScalarType::Real, Value::Real(literal::parse_real(s).ok_or_else(bad)?)),
            },
            Literal::Real(s) => (ScalarType::Real, Value::Real(literal::parse_real(s).ok_or_else(bad)?)),
            Literal::Timespan(s) => (
                ScalarType::TimeSpan,
                Value::TimeSpan(crate::engine::datetime::parse_timespan_literal(s).ok_or_else(bad)?),
            ),
            Literal::String(parts) => {
                let mut out = String::new();
                for p in parts {
                    out.push_str(&literal::unescape_string(p).ok_or_else(bad)?);
                }
                (ScalarType::String, Value::string(out))
            }
            Literal::Typed(s) => {
                let lower = s.to_ascii_lowercase();
                if lower.starts_with("decimal") {
                    return Err(EngineError::unsupported("the decimal type", e.range));
                }
                literal::parse_typed(s).ok_or_else(bad)?
            }
            Literal::Bool(b) => (ScalarType::Bool, Value::Bool(*b)),
            Literal::Dynamic(d) => (ScalarType::Dynamic, self.dynamic_literal(d)?),
        })
    }

    fn dynamic_literal(&self, d: &Dynamic) -> EResult<Value> {
        Ok(match d {
            Dynamic::Null => Value::Null,
            Dynamic::Scalar(x) => {
                let c = self.scalar(x, &Table::single_row())?;
                c.vals.into_iter().next().unwrap_or(Value::Null)
            }
            Dynamic::Array(items) => {
                Value::Array(Arc::new(items.iter().map(|i| self.dynamic_literal(i)).collect::<EResult<_>>()?))
            }
            Dynamic::Object(props) => Value::Bag(Arc::new(
                props
                    .iter()
                    .map(|(k, v)| {
                        let key = literal::unescape_string(k).unwrap_or_else(|| k.clone());
                        Ok((key, self.dynamic_literal(v)?))
                    })
                    .collect::<EResult<_>>()?,
            )),
        })
    }

    fn name(&self, name: &str, e: &Expr, t: &Table) -> EResult<Col> {
        let n = t.len;
        if let Some(Binding::RowArg(c)) = self.scope.lookup(name) {
            // bound once (a tabular function's scalar parameter) and read over n rows
            if c.vals.len() == 1 && n != 1 {
                let v = c.vals.first().cloned().unwrap_or(Value::Null);
                return Ok(Col::constant(c.ty, v, n));
            }
            if c.vals.len() != n {
                return Err(EngineError::invalid(format!("`{name}` is not defined for these rows"), e.range));
            }
            return Ok(Col::of(c.ty, c.vals.clone()));
        }
        if let Some(c) = t.column(name) {
            return Ok(Col::of(c.ty, c.data.clone()));
        }
        match self.scope.lookup(name) {
            Some(Binding::Scalar(ty, v)) => Ok(Col::constant(*ty, v.clone(), n)),
            Some(Binding::Table(_) | Binding::Lazy(_)) => self.scalar_of_table(e, n),
            Some(Binding::Function(f)) if f.func.params.is_empty() => {
                let f = f.clone();
                self.call_user(&f, &[], e, t)
            }
            _ => match name {
                "null" => Ok(Col::constant(ScalarType::Dynamic, Value::Null, n)),
                _ => Err(EngineError::unknown(format!("unknown name `{name}`: no such column or `let`"), e.range)),
            },
        }
    }

    fn binary(&self, op: BinaryOp, lhs: &Expr, rhs: &Expr, e: &Expr, t: &Table) -> EResult<Col> {
        let n = t.len;
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            let a = self.scalar(lhs, t)?;
            let b = self.scalar(rhs, t)?;
            let vals = (0..n)
                .map(|i| {
                    let (x, y) = (a.vals[i].as_bool(), b.vals[i].as_bool());
                    match op {
                        BinaryOp::And => match (x, y) {
                            (Some(false), _) | (_, Some(false)) => Value::Bool(false),
                            (Some(true), Some(true)) => Value::Bool(true),
                            _ => Value::Null,
                        },
                        _ => match (x, y) {
                            (Some(true), _) | (_, Some(true)) => Value::Bool(true),
                            (Some(false), Some(false)) => Value::Bool(false),
                            _ => Value::Null,
                        },
                    }
                })
                .collect();
            return Ok(Col::new(ScalarType::Bool, vals));
        }
        let a = self.scalar(lhs, t)?;
        let b = self.scalar(rhs, t)?;
        match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => {
                let ty = arith_type(op, a.ty, b.ty).ok_or_else(|| {
                    EngineError::invalid(
                        format!("cannot apply `{}` to {} and {}", types::op_text(op), a.ty, b.ty),
                        e.range,
                    )
                })?;
                let vals = (0..n).map(|i| types::arith(op, &a.vals[i], &b.vals[i], ty)).collect();
                Ok(Col::new(ty, vals))
            }
            BinaryOp::Eq | BinaryOp::NotEq | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let vals = (0..n)
                    .map(|i| types::compare_op(op, &a.vals[i], &b.vals[i]).map_or(Value::Null, Value::Bool))
                    .collect();
                Ok(Col::new(ScalarType::Bool, vals))
            }
            BinaryOp::EqTilde | BinaryOp::NotTilde => {
                let neg = op == BinaryOp::NotTilde;
                let vals = (0..n)
                    .map(|i| {
                        let x = strings::text_of(&a.vals[i]);
                        let y = strings::text_of(&b.vals[i]);
                        Value::Bool(strings::eq_ignore_case(&x, &y) != neg)
                    })
                    .collect();
                Ok(Col::new(ScalarType::Bool, vals))
            }
            BinaryOp::Str { op: sop, negated, case_sensitive } => {
                let matcher = strings::Matcher::new(sop, case_sensitive, &b, e.range)?;
                let vals = (0..n)
                    .map(|i| {
                        let needle = strings::text_of(&b.vals[i]);
                        if let Value::Array(items) = &a.vals[i]
                            && let Some(hit) = strings::term_match_items(items, &needle, sop, case_sensitive)
                        {
                            return Value::Bool(hit != negated);
                        }
                        let hay = strings::text_of(&a.vals[i]);
                        let hit = match sop {
                            StringOp::NotContains => !matcher.matches(&hay, &needle),
                            _ => matcher.matches(&hay, &needle),
                        };
                        Value::Bool(hit != negated)
                    })
                    .collect();
                Ok(Col::new(ScalarType::Bool, vals))
            }
            BinaryOp::Colon => Err(EngineError::unsupported("`:` outside `search`", e.range)),
            BinaryOp::And | BinaryOp::Or => unreachable!("handled above"),
        }
    }

    /// Values of the items of `in (...)`/`has_any (...)`: per row for scalar
    /// items (dynamic arrays expanded), once for tabular ones.
    fn list_items(&self, items: &[Expr], t: &Table) -> EResult<(Vec<Col>, Vec<Value>)> {
        let mut per_row = Vec::new();
        let mut fixed = Vec::new();
        for it in items {
            if self.is_tabular(it) {
                let tab = self.tabular(it)?;
                if let Some(c) = tab.columns.first() {
                    for v in c.data.iter() {
                        push_expanded(&mut fixed, v);
                    }
                }
            } else {
                per_row.push(self.scalar(it, t)?);
            }
        }
        Ok((per_row, fixed))
    }

    fn list_op(&self, op: ListOp, expr: &Expr, items: &[Expr], t: &Table) -> EResult<Col> {
        let x = self.scalar(expr, t)?;
        let (per_row, fixed) = self.list_items(items, t)?;
        let n = t.len;
        let mut out = Vec::with_capacity(n);
        match op {
            ListOp::In { negated, case_insensitive } => {
                let norm = |v: &Value| -> Value {
                    match v {
                        Value::String(s) if case_insensitive => Value::string(s.to_lowercase()),
                        other => other.clone(),
                    }
                };
                let fixed_set: HashSet<Value> = fixed.iter().map(norm).collect();
                let fixed_nums: Vec<f64> = fixed.iter().filter_map(|v| v.as_f64()).collect();
                for i in 0..n {
                    let v = &x.vals[i];
                    if v.is_null() {
                        out.push(Value::Bool(negated));
                        continue;
                    }
                    let key = norm(v);
                    let mut hit = fixed_set.contains(&key)
                        || (matches!(key, Value::Real(_) | Value::Long(_))
                            && fixed_nums.iter().any(|f| Some(*f) == key.as_f64()));
                    if !hit {
                        let mut row = Vec::new();
                        for c in &per_row {
                            push_expanded(&mut row, &c.vals[i]);
                        }
                        hit = row.iter().any(|r| {
                            let r = norm(r);
                            r == key || types::cmp_values(&r, &key).is_some_and(|o| o.is_eq())
                        });
                    }
                    out.push(Value::Bool(hit != negated));
                }
            }
            ListOp::HasAny | ListOp::HasAll => {
                let all = op == ListOp::HasAll;
                let fixed_text: Vec<String> = fixed.iter().map(strings::text_of).map(|c| c.into_owned()).collect();
                for i in 0..n {
                    let hay = strings::text_of(&x.vals[i]);
                    let mut needles = fixed_text.clone();
                    let mut row = Vec::new();
                    for c in &per_row {
                        push_expanded(&mut row, &c.vals[i]);
                    }
                    needles.extend(row.iter().map(|v| strings::text_of(v).into_owned()));
                    let hit = if all {
                        needles.iter().all(|nd| strings::has_term(&hay, nd, false))
                    } else {
                        needles.iter().any(|nd| strings::has_term(&hay, nd, false))
                    };
                    out.push(Value::Bool(hit));
                }
            }
        }
        Ok(Col::new(ScalarType::Bool, out))
    }

    fn call(&self, func: &Expr, args: &[Expr], e: &Expr, t: &Table) -> EResult<Col> {
        let ExprKind::Name(fname) = &func.kind else {
            return Err(EngineError::unsupported("calling this expression", func.range));
        };
        let name = fname.text.as_str();
        if let Some(Binding::Function(f)) = self.scope.lookup(name) {
            let f = f.clone();
            return self.call_user(&f, args, e, t);
        }
        functions::call(self, name, args, e, t)
    }

    /// Call a user function per row: scalar parameters become row columns.
    pub fn call_user(
        &self,
        f: &Rc<crate::engine::scope::FunctionDef>,
        args: &[Expr],
        e: &Expr,
        t: &Table,
    ) -> EResult<Col> {
        let scope = self.bind_params(f, args, e, t)?;
        let ctx = Ctx { engine: self.engine, scope: Rc::new(scope) };
        let (scope, last) = ctx.run_body(&f.func.body, e.range)?;
        let ctx = Ctx { engine: self.engine, scope };
        if ctx.is_tabular(last) {
            return ctx.scalar_of_table(last, t.len);
        }
        ctx.scalar(last, t)
    }

    /// A child scope of the function's own scope with its parameters bound.
    pub fn bind_params(
        &self,
        f: &Rc<crate::engine::scope::FunctionDef>,
        args: &[Expr],
        e: &Expr,
        t: &Table,
    ) -> EResult<Scope> {
        let mut scope = Scope::child(&f.scope);
        let params = &f.func.params;
        if args.len() > params.len() {
            return Err(EngineError::invalid(
                format!("the function takes {} arguments, {} given", params.len(), args.len()),
                e.range,
            ));
        }
        let named: Vec<(&str, &Expr)> = args
            .iter()
            .filter_map(|a| match &a.kind {
                ExprKind::Assign { name, value } => Some((name.text.as_str(), value.as_ref())),
                _ => None,
            })
            .collect();
        let mut positional = args.iter().filter(|a| !matches!(a.kind, ExprKind::Assign { .. }));
        for p in params.iter() {
            let arg = match named.iter().find(|(n, _)| *n == p.name.text) {
                Some((_, v)) => Some(*v),
                None => positional.next(),
            }
            .or(p.default.as_ref());
            let Some(arg) = arg else {
                return Err(EngineError::invalid(format!("missing argument `{}`", p.name.text), e.range));
            };
            match &p.ty {
                crate::kql::ast::ParamType::Tabular { .. } => {
                    scope.bind(&p.name.text, Binding::Table(self.tabular(arg)?));
                }
                crate::kql::ast::ParamType::Scalar(ty) => {
                    let mut c = self.scalar(arg, t)?;
                    if let Some(want) = ScalarType::parse(&ty.text) {
                        if want != c.ty && want != ScalarType::Dynamic {
                            c = functions::convert(&c, want);
                        } else if want == ScalarType::Dynamic {
                            c.ty = ScalarType::Dynamic;
                        }
                    }
                    scope.bind(&p.name.text, Binding::RowArg(Rc::new(c)));
                }
            }
        }
        Ok(scope)
    }
}

fn push_expanded(out: &mut Vec<Value>, v: &Value) {
    match v {
        Value::Array(a) => out.extend(a.iter().cloned()),
        other => out.push(other.clone()),
    }
}

/// Expressions that are tabular by their syntax alone.
pub fn is_tabular_syntax(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Pipeline { .. } | ExprKind::Source(_) => true,
        ExprKind::Paren(inner) => is_tabular_syntax(inner),
        _ => false,
    }
}
