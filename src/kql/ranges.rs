//! A mutable walk over every `TextRange` in a tree: used to compare trees
//! while ignoring positions (`Query::same_shape`, `Query::strip_ranges`).

use super::ast::*;
use crate::span::TextRange;

type F<'a> = &'a mut dyn FnMut(&mut TextRange);

impl Query {
    /// Calls `f` on every range in the tree, outermost first.
    pub fn for_each_range_mut(&mut self, f: &mut dyn FnMut(&mut TextRange)) {
        f(&mut self.range);
        for s in &mut self.statements {
            statement(s, f);
        }
    }

    /// Sets every range to `0..0`.
    pub fn strip_ranges(&mut self) {
        self.for_each_range_mut(&mut |r| *r = TextRange::default());
    }

    /// Structural equality that ignores every `range` field.
    pub fn same_shape(&self, other: &Query) -> bool {
        let mut a = self.clone();
        let mut b = other.clone();
        a.strip_ranges();
        b.strip_ranges();
        a == b
    }
}

fn statement(s: &mut Statement, f: F) {
    f(&mut s.range);
    match &mut s.kind {
        StatementKind::Let { name, value } => {
            f(&mut name.range);
            match value {
                LetValue::Expr(e) => expr(e, f),
                LetValue::Function(func) => function(func, f),
            }
        }
        StatementKind::Set { name, value } => {
            f(&mut name.range);
            if let Some(v) = value {
                expr(v, f);
            }
        }
        StatementKind::DeclareQueryParameters { params } => params.iter_mut().for_each(|p| param(p, f)),
        StatementKind::Command { .. } => {}
        StatementKind::Expr(e) => expr(e, f),
    }
}

fn function(func: &mut Function, f: F) {
    f(&mut func.range);
    func.params.iter_mut().for_each(|p| param(p, f));
    func.body.iter_mut().for_each(|s| statement(s, f));
}

fn param(p: &mut Param, f: F) {
    f(&mut p.range);
    f(&mut p.name.range);
    match &mut p.ty {
        ParamType::Scalar(n) => f(&mut n.range),
        ParamType::Tabular { columns, .. } => columns.iter_mut().for_each(|c| column(c, f)),
    }
    if let Some(d) = &mut p.default {
        expr(d, f);
    }
}

fn column(c: &mut ColumnDecl, f: F) {
    f(&mut c.range);
    f(&mut c.name.range);
    f(&mut c.ty.range);
}

fn opt(e: &mut Option<Expr>, f: F) {
    if let Some(e) = e {
        expr(e, f);
    }
}

fn exprs(es: &mut [Expr], f: F) {
    es.iter_mut().for_each(|e| expr(e, f));
}

fn named(n: &mut NamedExpr, f: F) {
    f(&mut n.range);
    n.names.iter_mut().for_each(|n| f(&mut n.range));
    expr(&mut n.expr, f);
}

fn nameds(ns: &mut [NamedExpr], f: F) {
    ns.iter_mut().for_each(|n| named(n, f));
}

fn sort(s: &mut SortExpr, f: F) {
    f(&mut s.range);
    expr(&mut s.expr, f);
}

fn params(ps: &mut [OpParam], f: F) {
    for p in ps {
        f(&mut p.range);
        expr(&mut p.value, f);
    }
}

fn mv_items(items: &mut [MvItem], f: F) {
    for it in items {
        f(&mut it.range);
        named(&mut it.item, f);
        if let Some(t) = &mut it.to_type {
            f(&mut t.range);
        }
    }
}

fn dynamic(d: &mut Dynamic, f: F) {
    match d {
        Dynamic::Null => {}
        Dynamic::Scalar(e) => expr(e, f),
        Dynamic::Array(items) => items.iter_mut().for_each(|d| dynamic(d, f)),
        Dynamic::Object(fields) => fields.iter_mut().for_each(|(_, d)| dynamic(d, f)),
    }
}

fn expr(e: &mut Expr, f: F) {
    f(&mut e.range);
    match &mut e.kind {
        ExprKind::Name(n) => f(&mut n.range),
        ExprKind::Literal(Literal::Dynamic(d)) => dynamic(d, f),
        ExprKind::Literal(_) | ExprKind::Wildcard(_) | ExprKind::Missing | ExprKind::ClientParameter(_) => {}
        ExprKind::Unary { expr: inner, .. } => expr(inner, f),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr(lhs, f);
            expr(rhs, f);
        }
        ExprKind::List { expr: inner, items, .. } => {
            expr(inner, f);
            exprs(items, f);
        }
        ExprKind::Between { expr: inner, low, high, .. } => {
            expr(inner, f);
            expr(low, f);
            expr(high, f);
        }
        ExprKind::Call { func, args } => {
            expr(func, f);
            exprs(args, f);
        }
        ExprKind::Member { expr: inner, name } => {
            expr(inner, f);
            f(&mut name.range);
        }
        ExprKind::Index { expr: inner, index } => {
            expr(inner, f);
            expr(index, f);
        }
        ExprKind::Paren(inner) | ExprKind::Bracketed(inner) => expr(inner, f),
        ExprKind::Pipeline { source, operators } => {
            expr(source, f);
            operators.iter_mut().for_each(|o| operator(o, f));
        }
        ExprKind::Source(op) => operator(op, f),
        ExprKind::Assign { name, value } => {
            f(&mut name.range);
            expr(value, f);
        }
        ExprKind::Tuple(items) => exprs(items, f),
    }
}

fn operator(o: &mut Operator, f: F) {
    use OperatorKind as O;
    f(&mut o.range);
    match &mut o.kind {
        O::Where(e) | O::Take(e) | O::Sample(e) | O::Invoke(e) => expr(e, f),
        O::Extend(ns) | O::Project(ns) | O::ProjectRename(ns) | O::Serialize(ns) | O::Print(ns) => nameds(ns, f),
        O::ProjectAway(es) | O::ProjectKeep(es) => exprs(es, f),
        O::ProjectReorder(ss) => ss.iter_mut().for_each(|s| sort(s, f)),
        O::Summarize { params: ps, aggregates, by } => {
            params(ps, f);
            nameds(aggregates, f);
            nameds(by, f);
        }
        O::Distinct { params: ps, columns } => {
            params(ps, f);
            nameds(columns, f);
        }
        O::Sort { params: ps, by } => {
            params(ps, f);
            by.iter_mut().for_each(|s| sort(s, f));
        }
        O::Top { count, by } => {
            expr(count, f);
            sort(by, f);
        }
        O::TopNested(clauses) => {
            for c in clauses {
                f(&mut c.range);
                opt(&mut c.count, f);
                named(&mut c.of, f);
                opt(&mut c.others, f);
                named(&mut c.by, f);
            }
        }
        O::SampleDistinct { count, of } => {
            expr(count, f);
            expr(of, f);
        }
        O::Count { as_name } => {
            if let Some(n) = as_name {
                f(&mut n.range);
            }
        }
        O::Join { params: ps, right, on } | O::Lookup { params: ps, right, on } => {
            params(ps, f);
            expr(right, f);
            exprs(on, f);
        }
        O::Union { params: ps, tables } => {
            params(ps, f);
            exprs(tables, f);
        }
        O::MvExpand { params: ps, items, limit } => {
            params(ps, f);
            mv_items(items, f);
            opt(limit, f);
        }
        O::MvApply { params: ps, items, limit, on } => {
            params(ps, f);
            mv_items(items, f);
            opt(limit, f);
            on.iter_mut().for_each(|o| operator(o, f));
        }
        O::Parse { params: ps, source, pattern, .. } => {
            params(ps, f);
            expr(source, f);
            for p in pattern {
                match p {
                    ParsePart::Star => {}
                    ParsePart::Literal(e) => expr(e, f),
                    ParsePart::Column { name, ty } => {
                        f(&mut name.range);
                        if let Some(t) = ty {
                            f(&mut t.range);
                        }
                    }
                }
            }
        }
        O::ParseKv { source, schema, with } => {
            expr(source, f);
            schema.iter_mut().for_each(|c| column(c, f));
            params(with, f);
        }
        O::Evaluate { params: ps, call, schema } => {
            params(ps, f);
            expr(call, f);
            schema.iter_mut().for_each(|c| column(c, f));
        }
        O::MakeSeries { params: ps, aggregates, on, from, to, step, by } => {
            params(ps, f);
            for a in aggregates {
                named(&mut a.agg, f);
                opt(&mut a.default, f);
            }
            expr(on, f);
            opt(from, f);
            opt(to, f);
            opt(step, f);
            nameds(by, f);
        }
        O::Render { chart, with } => {
            f(&mut chart.range);
            params(with, f);
        }
        O::As { params: ps, name } => {
            params(ps, f);
            f(&mut name.range);
        }
        O::Search { params: ps, tables, predicate } => {
            params(ps, f);
            exprs(tables, f);
            expr(predicate, f);
        }
        O::Find { params: ps, tables, predicate, project } => {
            params(ps, f);
            exprs(tables, f);
            expr(predicate, f);
            exprs(project, f);
        }
        O::GetSchema | O::Other { .. } => {}
        O::Range { name, from, to, step } => {
            f(&mut name.range);
            expr(from, f);
            expr(to, f);
            expr(step, f);
        }
        O::Datatable { schema, values } => {
            schema.iter_mut().for_each(|c| column(c, f));
            exprs(values, f);
        }
        O::ExternalData { schema, urls, with } => {
            schema.iter_mut().for_each(|c| column(c, f));
            exprs(urls, f);
            params(with, f);
        }
        O::Reduce { by, with } => {
            expr(by, f);
            params(with, f);
        }
    }
}
