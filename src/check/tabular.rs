//! Tabular operators: the columns (name, type) after each operator.

use super::Checker;
use super::Value;
use super::codes::SemanticErrorCode as C;
use super::scalar::{Cx, NameGuess};
use super::schema::{Schema, Ty, wildcard_match};
use crate::kql::ast::{BinaryOp, Expr, ExprKind, MvItem, NamedExpr, OpParam, Operator, OperatorKind, ParsePart};
use crate::kql::types::ScalarType;

/// The text of a `name=value` operator parameter (`kind=leftanti`).
fn param<'e>(params: &'e [OpParam], name: &str) -> Option<&'e Expr> {
    params.iter().find(|p| p.name == name).map(|p| &p.value)
}

fn param_text(params: &[OpParam], name: &str) -> Option<String> {
    param(params, name).map(|e| match &e.kind {
        ExprKind::Name(n) => n.text.clone(),
        ExprKind::Literal(crate::kql::ast::Literal::Bool(b)) => b.to_string(),
        _ => e.to_string(),
    })
}

/// `$left` / `$right` of a `$left.X` join operand.
fn side_of(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Member { expr, .. } => match &expr.kind {
            ExprKind::Name(n) if n.text == "$left" || n.text == "$right" => Some(n.text.as_str()),
            _ => None,
        },
        _ => None,
    }
}

fn ty_name(name: &crate::kql::ast::Name) -> Ty {
    ScalarType::parse(&name.text)
}

impl<'a> Checker<'a> {
    /// The schema of a tabular expression (a table name here is looked up as a table).
    pub(crate) fn table_value(&mut self, e: &'a Expr) -> Schema {
        match &e.kind {
            ExprKind::Name(n) => match self.name_value(n, Cx::none(), true) {
                Value::Table(s) => s,
                _ => Schema::unknown(),
            },
            ExprKind::Paren(inner) => self.table_value(inner),
            ExprKind::Pipeline { source, operators } => {
                let mut schema = self.table_value(source);
                for op in operators {
                    schema = self.operator(op, schema);
                }
                schema
            }
            ExprKind::Source(op) => match &op.kind {
                OperatorKind::Union { params, tables } => self.union(params, tables, None),
                _ => self.operator(op, Schema::unknown()),
            },
            ExprKind::Member { expr, .. } => {
                // `cluster(...).database(...).T`, `arg("").Resources`: check the calls, the table is remote.
                if matches!(expr.kind, ExprKind::Call { .. } | ExprKind::Member { .. }) {
                    self.eval(expr, Cx::none());
                }
                Schema::unknown()
            }
            ExprKind::Wildcard(_) => Schema::unknown(),
            _ => match self.eval(e, Cx::none()) {
                Value::Table(s) => s,
                _ => Schema::unknown(),
            },
        }
    }

    /// Name an output column: the explicit name, or Kusto's derived name.
    /// Returns `None` (and opens the schema) when the name cannot be known.
    fn output_name(
        &self,
        ne: &NamedExpr,
        agg: bool,
        index: usize,
        out: &mut Schema,
        generated: &str,
    ) -> Option<String> {
        if let Some(n) = ne.names.first() {
            return Some(n.text.clone());
        }
        match self.derive_name(&ne.expr, agg) {
            NameGuess::Known(n) => Some(n),
            NameGuess::Generated if !generated.is_empty() => Some(format!("{generated}{index}")),
            _ => {
                out.open = true;
                None
            }
        }
    }

    /// `extend`-like: new or shadowed columns appended to the input.
    fn extend(&mut self, items: &'a [NamedExpr], mut schema: Schema) -> Schema {
        for (i, ne) in items.iter().enumerate() {
            let (ty, shaped) = self.shaped_scalar(&ne.expr, Cx::row(&schema));
            if ne.names.len() > 1 || ne.tuple {
                for n in &ne.names {
                    schema.set(&n.text, None);
                }
                continue;
            }
            let mut probe = Schema::default();
            match self.output_name(ne, false, i + 1, &mut probe, "") {
                Some(name) => schema.set_value(&name, ty, shaped),
                None => schema.open = true,
            }
        }
        schema
    }

    fn project(&mut self, items: &'a [NamedExpr], input: &Schema, check_duplicates: bool) -> Schema {
        let mut out = Schema { columns: Vec::new(), open: input.open, shaped: Vec::new() };
        // Later expressions may refer to columns computed earlier in the same list.
        let mut scope = input.clone();
        for (i, ne) in items.iter().enumerate() {
            if let ExprKind::Wildcard(pattern) = &ne.expr.kind
                && ne.names.is_empty()
            {
                if input.open {
                    out.open = true;
                }
                for (n, t) in &input.columns {
                    if wildcard_match(pattern, n) && !out.has(n) {
                        out.columns.push((n.clone(), *t));
                    }
                }
                continue;
            }
            let (ty, shaped) = self.shaped_scalar(&ne.expr, Cx::row(&scope));
            if ne.names.len() > 1 || ne.tuple {
                for n in &ne.names {
                    out.set(&n.text, None);
                }
                continue;
            }
            let Some(name) = self.output_name(ne, false, i + 1, &mut out, "") else { continue };
            scope.set_value(&name, ty, shaped);
            if out.has(&name) {
                if check_duplicates && !ne.names.is_empty() {
                    let range = ne.names[0].range;
                    self.report(
                        C::DuplicateColumn,
                        range,
                        format!("column `{name}` is already declared"),
                        Some("rename one of them".into()),
                    );
                }
                out.set_value(&name, ty, shaped);
            } else {
                if shaped {
                    out.shaped.push(name.clone());
                }
                out.columns.push((name, ty));
            }
        }
        out
    }

    /// A column reference in `project-away`/`-keep`/`-reorder`; `None` for wildcards.
    fn column_ref(&mut self, e: &'a Expr, schema: &Schema, op: &str) -> Option<String> {
        match &e.kind {
            ExprKind::Name(n) => {
                if !schema.has(&n.text) && !schema.open {
                    self.eval(e, Cx::row(schema));
                }
                Some(n.text.clone())
            }
            ExprKind::Wildcard(_) => None,
            _ => {
                self.report(
                    C::ColumnNameExpected,
                    e.range,
                    format!("`{op}` expects a column name here"),
                    Some("compute values with `extend` or `project`".into()),
                );
                None
            }
        }
    }

    pub(crate) fn operator(&mut self, op: &'a Operator, input: Schema) -> Schema {
        use OperatorKind as K;
        match &op.kind {
            K::Where(pred) => {
                let t = self.scalar(pred, Cx::row(&input));
                if let Some(t) = t
                    && t != ScalarType::Bool
                    && t != ScalarType::Dynamic
                {
                    // `where X = "0"`: a single `=` names the value instead of comparing
                    let help = match &pred.kind {
                        ExprKind::Assign { name, value } => {
                            Some(format!("a single `=` does not compare; use `==`: `where {name} == {value}`"))
                        }
                        _ => None,
                    };
                    self.report(C::NotBoolean, pred.range, format!("the `where` predicate is `{t}`, not `bool`"), help);
                }
                input
            }
            K::Extend(items) | K::Serialize(items) => self.extend(items, input),
            K::Project(items) => self.project(items, &input, true),
            K::ProjectAway(items) => {
                let mut out = input.clone();
                for e in items {
                    match self.column_ref(e, &input, "project-away") {
                        Some(n) => out.remove(&n),
                        None => {
                            if let ExprKind::Wildcard(p) = &e.kind {
                                out.columns.retain(|(n, _)| !wildcard_match(p, n));
                            }
                        }
                    }
                }
                out
            }
            K::ProjectKeep(items) => {
                let mut keep: Vec<&Expr> = Vec::new();
                for e in items {
                    self.column_ref(e, &input, "project-keep");
                    keep.push(e);
                }
                let columns = input
                    .columns
                    .iter()
                    .filter(|(n, _)| {
                        keep.iter().any(|e| match &e.kind {
                            ExprKind::Name(k) => &k.text == n,
                            ExprKind::Wildcard(p) => wildcard_match(p, n),
                            _ => false,
                        })
                    })
                    .cloned()
                    .collect();
                Schema { columns, open: input.open, shaped: Vec::new() }
            }
            K::ProjectRename(items) => {
                let mut out = input.clone();
                for ne in items {
                    match &ne.expr.kind {
                        ExprKind::Name(old) => {
                            let ty = match input.get(&old.text) {
                                Some(t) => t,
                                None => {
                                    self.eval(&ne.expr, Cx::row(&input));
                                    None
                                }
                            };
                            if let Some(new) = ne.names.first() {
                                if let Some(col) = out.columns.iter_mut().find(|(n, _)| n == &old.text) {
                                    *col = (new.text.clone(), ty);
                                } else {
                                    out.set(&new.text, ty);
                                }
                            }
                        }
                        _ => {
                            self.report(
                                C::ColumnNameExpected,
                                ne.expr.range,
                                "`project-rename` expects a column name here".into(),
                                Some("compute values with `extend` or `project`".into()),
                            );
                            if let Some(new) = ne.names.first() {
                                out.set(&new.text, None);
                            }
                        }
                    }
                }
                out
            }
            K::ProjectReorder(items) => {
                for s in items {
                    self.column_ref(&s.expr, &input, "project-reorder");
                }
                input
            }
            K::Summarize { aggregates, by, .. } => self.summarize(aggregates, by, &input),
            K::Distinct { columns, .. } => {
                if columns.len() == 1 && matches!(columns[0].expr.kind, ExprKind::Wildcard(_)) {
                    return input;
                }
                self.project(columns, &input, false)
            }
            K::Sort { by, .. } => {
                for s in by {
                    self.scalar(&s.expr, Cx::row(&input));
                }
                input
            }
            K::Top { count, by } => {
                self.scalar(count, Cx::none());
                self.scalar(&by.expr, Cx::row(&input));
                input
            }
            K::Take(e) | K::Sample(e) => {
                self.scalar(e, Cx::none());
                input
            }
            K::SampleDistinct { count, of } => {
                self.scalar(count, Cx::none());
                let t = self.scalar(of, Cx::row(&input));
                match self.derive_name(of, false) {
                    NameGuess::Known(n) => Schema::closed(vec![(n, t)]),
                    _ => Schema::unknown(),
                }
            }
            K::Count { as_name } => {
                let name = as_name.as_ref().map_or("Count".to_string(), |n| n.text.clone());
                Schema::closed(vec![(name, Some(ScalarType::Long))])
            }
            K::Join { params, right, on } => self.join(params, right, on, input),
            K::Lookup { right, on, .. } => {
                let right_schema = self.table_value(right);
                let keys = self.join_keys(on, &input, &right_schema);
                let mut out = input;
                out.open |= right_schema.open;
                for (n, t) in right_schema.columns {
                    if !keys.contains(&n) {
                        out.push_unique(&n, t);
                    }
                }
                out
            }
            K::Union { params, tables } => self.union(params, tables, Some(input)),
            K::MvExpand { params, items, limit } => {
                if let Some(l) = limit {
                    self.scalar(l, Cx::none());
                }
                self.mv_expand(params, items, input)
            }
            K::MvApply { params, items, limit, on } => {
                if let Some(l) = limit {
                    self.scalar(l, Cx::none());
                }
                let expanded = self.mv_expand(params, items, input);
                let mut inner = expanded.clone();
                for op in on {
                    inner = self.operator(op, inner);
                }
                let mut out = expanded;
                out.open |= inner.open;
                for (n, t) in inner.columns {
                    out.set(&n, t);
                }
                out
            }
            K::Parse { source, pattern, .. } => {
                self.scalar(source, Cx::row(&input));
                let mut out = input;
                for part in pattern {
                    match part {
                        ParsePart::Column { name, ty } => {
                            let t = ty.as_ref().map_or(Some(ScalarType::String), ty_name);
                            out.set(&name.text, t);
                        }
                        ParsePart::Literal(e) => {
                            self.scalar(e, Cx::none());
                        }
                        ParsePart::Star => {}
                    }
                }
                out
            }
            K::ParseKv { source, schema, .. } => {
                self.scalar(source, Cx::row(&input));
                let mut out = input;
                for c in schema {
                    out.set(&c.name.text, ty_name(&c.ty));
                }
                out
            }
            K::Evaluate { call, schema, .. } => self.evaluate(call, schema, input),
            K::MakeSeries { aggregates, on, from, to, step, by, .. } => {
                let mut out = Schema::default();
                for ne in by {
                    let t = self.scalar(&ne.expr, Cx::row(&input));
                    if let Some(n) = self.output_name(ne, false, 0, &mut out, "") {
                        out.set(&n, t);
                    }
                }
                for a in aggregates {
                    self.scalar(&a.agg.expr, Cx::agg(&input));
                    if let Some(d) = &a.default {
                        self.scalar(d, Cx::none());
                    }
                    if let Some(n) = self.output_name(&a.agg, true, 0, &mut out, "") {
                        out.set(&n, Some(ScalarType::Dynamic));
                    }
                }
                self.scalar(on, Cx::row(&input));
                match self.derive_name(on, false) {
                    NameGuess::Known(n) => out.set(&n, Some(ScalarType::Dynamic)),
                    _ => out.open = true,
                }
                for e in [from, to, step].into_iter().flatten() {
                    self.scalar(e, Cx::none());
                }
                out.open |= input.open;
                out
            }
            K::Render { .. } => input,
            K::As { name, .. } => {
                self.bind(&name.text, super::Binding::Table(input.clone()));
                input
            }
            K::Invoke(call) => self.invoke(call, input),
            K::Search { .. } | K::Find { .. } | K::Reduce { .. } | K::TopNested(_) | K::Other { .. } => {
                Schema::unknown()
            }
            K::GetSchema => Schema::closed(vec![
                ("ColumnName".into(), Some(ScalarType::String)),
                ("ColumnOrdinal".into(), Some(ScalarType::Int)),
                ("DataType".into(), Some(ScalarType::String)),
                ("ColumnType".into(), Some(ScalarType::String)),
            ]),
            K::Print(items) => {
                let empty = Schema::closed(Vec::new());
                let mut out = Schema::closed(Vec::new());
                for (i, ne) in items.iter().enumerate() {
                    let t = self.scalar(&ne.expr, Cx::row(&empty));
                    let name = match ne.names.first() {
                        Some(n) => n.text.clone(),
                        None => format!("print_{i}"),
                    };
                    out.set(&name, t);
                }
                out
            }
            K::Range { name, from, to, step } => {
                let t = self.scalar(from, Cx::none());
                self.scalar(to, Cx::none());
                self.scalar(step, Cx::none());
                Schema::closed(vec![(name.text.clone(), t)])
            }
            K::Datatable { schema, values } => {
                for v in values {
                    self.scalar(v, Cx::none());
                }
                Schema::closed(schema.iter().map(|c| (c.name.text.clone(), ty_name(&c.ty))).collect())
            }
            K::ExternalData { schema, .. } => {
                Schema::closed(schema.iter().map(|c| (c.name.text.clone(), ty_name(&c.ty))).collect())
            }
        }
    }

    fn summarize(&mut self, aggregates: &'a [NamedExpr], by: &'a [NamedExpr], input: &Schema) -> Schema {
        let mut out = Schema { columns: Vec::new(), open: input.open, shaped: Vec::new() };
        for ne in by {
            let t = self.scalar(&ne.expr, Cx::row(input));
            let Some(name) = self.output_name(ne, false, 0, &mut out, "") else { continue };
            out.set(&name, t);
        }
        let by_names: Vec<String> = out.names().map(str::to_string).collect();
        for ne in aggregates {
            // arg_max/arg_min/take_any produce several columns.
            if let ExprKind::Call { func, args } = &ne.expr.kind
                && let ExprKind::Name(f) = &func.kind
                && matches!(f.text.as_str(), "arg_max" | "arg_min" | "argmax" | "argmin" | "take_any" | "any")
                && self.lookup(&f.text).is_none()
            {
                let types: Vec<Ty> = args
                    .iter()
                    .map(
                        |a| if matches!(a.kind, ExprKind::Wildcard(_)) { None } else { self.scalar(a, Cx::row(input)) },
                    )
                    .collect();
                let mut names = ne.names.iter();
                for (a, t) in args.iter().zip(types) {
                    if let ExprKind::Wildcard(_) = a.kind {
                        out.open |= input.open;
                        for (n, t) in &input.columns {
                            if !out.has(n) {
                                out.columns.push((n.clone(), *t));
                            }
                        }
                        continue;
                    }
                    let name = match names.next() {
                        Some(n) => Some(n.text.clone()),
                        None => match self.derive_name(a, false) {
                            NameGuess::Known(n) => Some(n),
                            _ => None,
                        },
                    };
                    match name {
                        Some(n) if !by_names.contains(&n) => out.push_unique(&n, t),
                        Some(_) => {}
                        None => out.open = true,
                    }
                }
                continue;
            }
            let (t, shaped) = self.shaped_scalar(&ne.expr, Cx::agg(input));
            if ne.names.len() > 1 || ne.tuple {
                for n in &ne.names {
                    out.set(&n.text, None);
                }
                continue;
            }
            let Some(name) = self.output_name(ne, true, 0, &mut out, "") else { continue };
            out.push_unique(&name, t);
            if shaped && let Some((last, _)) = out.columns.last() {
                let last = last.clone();
                out.shaped.push(last);
            }
        }
        out
    }

    fn join(&mut self, params: &'a [OpParam], right: &'a Expr, on: &'a [Expr], left: Schema) -> Schema {
        let right_schema = self.table_value(right);
        self.join_keys(on, &left, &right_schema);
        let kind = param_text(params, "kind").unwrap_or_else(|| "innerunique".into()).to_ascii_lowercase();
        match kind.as_str() {
            "leftsemi" | "leftanti" | "leftantisemi" | "anti" | "semi" => left,
            "rightsemi" | "rightanti" | "rightantisemi" => right_schema,
            _ => {
                let mut out = left;
                out.open |= right_schema.open;
                for (n, t) in right_schema.columns {
                    out.push_unique(&n, t);
                }
                out
            }
        }
    }

    /// Check `on` keys; returns the right-side key column names.
    fn join_keys(&mut self, on: &'a [Expr], left: &Schema, right: &Schema) -> Vec<String> {
        let mut keys = Vec::new();
        for cond in on {
            match &cond.kind {
                ExprKind::Name(n) => {
                    keys.push(n.text.clone());
                    let mut missing = false;
                    for (side, schema) in [("left", left), ("right", right)] {
                        if !schema.open && !schema.has(&n.text) {
                            self.report(
                                C::JoinKey,
                                n.range,
                                format!("join key `{}` is not a column of the {side} side", n.text),
                                Some("join with `$left.A == $right.B`, or project the key on both sides".into()),
                            );
                            missing = true;
                            break;
                        }
                    }
                    if !missing
                        && let (Some(Some(a)), Some(Some(b))) = (left.get(&n.text), right.get(&n.text))
                        && a != b
                        && !(a.is_numeric() && b.is_numeric())
                    {
                        self.report(
                            C::JoinKey,
                            n.range,
                            format!("join key `{}` is `{a}` on the left and `{b}` on the right", n.text),
                            Some("convert one side so both keys have the same type".into()),
                        );
                    }
                }
                _ => self.join_condition(cond, left, right, &mut keys),
            }
        }
        keys
    }

    fn join_condition(&mut self, cond: &'a Expr, left: &Schema, right: &Schema, keys: &mut Vec<String>) {
        match &cond.kind {
            ExprKind::Binary { op: BinaryOp::And, lhs, rhs } => {
                self.join_condition(lhs, left, right, keys);
                self.join_condition(rhs, left, right, keys);
            }
            ExprKind::Binary { op: BinaryOp::Eq, lhs, rhs } => {
                if side_of(lhs) == Some("$right") && side_of(rhs) == Some("$left") {
                    self.report(
                        C::JoinKey,
                        lhs.range,
                        "the left operand of a join condition must be `$left.<column>`".into(),
                        Some("swap the operands: `$left.A == $right.B`".into()),
                    );
                }
                for side in [lhs, rhs] {
                    if let ExprKind::Member { expr, name } = &side.kind
                        && let ExprKind::Name(which) = &expr.kind
                    {
                        let schema = match which.text.as_str() {
                            "$left" => left,
                            "$right" => {
                                keys.push(name.text.clone());
                                right
                            }
                            _ => continue,
                        };
                        if !schema.open && !schema.has(&name.text) {
                            let help = super::suggest::closest(&name.text, schema.names())
                                .map(|s| format!("did you mean `{s}`?"));
                            self.report(C::UnknownColumn, name.range, format!("unknown column `{}`", name.text), help);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    pub(crate) fn union(&mut self, params: &'a [OpParam], tables: &'a [Expr], input: Option<Schema>) -> Schema {
        let fuzzy = param_text(params, "isfuzzy").is_some_and(|v| v == "true");
        let inner = param_text(params, "kind").is_some_and(|k| k == "inner");
        let mut legs: Vec<Schema> = input.into_iter().collect();
        for t in tables {
            let s = match &t.kind {
                // Like Kusto.Language, a leg naming no known table adds no columns and no error.
                ExprKind::Name(n) if self.lookup(&n.text).is_none() && !self.catalog.contains(&n.text) => {
                    Schema::closed(Vec::new())
                }
                // `union *`, `union Prefix*`: matching tables clash on column types, which Kusto renames.
                ExprKind::Wildcard(_) => Schema::unknown(),
                _ => {
                    // `isfuzzy=true` tolerates missing tables, not mistakes inside the legs.
                    self.fuzzy_tables += u32::from(fuzzy);
                    let s = self.table_value(t);
                    self.fuzzy_tables -= u32::from(fuzzy);
                    s
                }
            };
            legs.push(s);
        }
        let mut out = Schema::default();
        if let Some(ExprKind::Name(n)) = param(params, "withsource").map(|e| &e.kind) {
            out.columns.push((n.text.clone(), Some(ScalarType::String)));
        }
        for leg in &legs {
            out.open |= leg.open;
            for (n, t) in &leg.columns {
                match out.get(n) {
                    None => out.columns.push((n.clone(), *t)),
                    Some(existing) if existing != *t => {
                        // Kusto renames clashing columns by type (`X_string`, `X_long`).
                        out.open = true;
                        out.set(n, None);
                    }
                    Some(_) => {}
                }
            }
        }
        if inner && !out.open {
            out.columns.retain(|(n, _)| legs.iter().all(|l| l.has(n)));
        }
        out
    }

    fn mv_expand(&mut self, params: &'a [OpParam], items: &'a [MvItem], input: Schema) -> Schema {
        let mut out = input;
        for item in items {
            let scope = out.clone();
            self.scalar(&item.item.expr, Cx::row(&scope));
            let ty = item.to_type.as_ref().map_or(Some(ScalarType::Dynamic), ty_name);
            let name = match item.item.names.first() {
                Some(n) => Some(n.text.clone()),
                None => match self.derive_name(&item.item.expr, false) {
                    NameGuess::Known(n) => Some(n),
                    _ => None,
                },
            };
            match name {
                Some(n) => out.set(&n, ty),
                None => out.open = true,
            }
        }
        if let Some(ExprKind::Name(n)) = param(params, "with_itemindex").map(|e| &e.kind) {
            out.set(&n.text, Some(ScalarType::Long));
        }
        out
    }

    fn evaluate(&mut self, call: &'a Expr, schema: &'a [crate::kql::ast::ColumnDecl], input: Schema) -> Schema {
        let ExprKind::Call { func, args } = &call.kind else { return Schema::unknown() };
        let ExprKind::Name(f) = &func.kind else { return Schema::unknown() };
        // Plugin arguments name columns, tables or options; only their names are checked, muted.
        self.mute += 1;
        for a in args {
            self.eval(a, Cx::row(&input));
        }
        self.mute -= 1;
        if let Some(info) = self.functions.plugin(&f.text)
            && !info.accepts_count(args.len())
        {
            let (min, max) = info.arity();
            let expected = if min == max { format!("{min}") } else { format!("{min} to {max}") };
            self.report(
                C::WrongArity,
                f.range,
                format!(
                    "plugin `{}` expects {expected} argument{}, got {}",
                    f.text,
                    if max == 1 { "" } else { "s" },
                    args.len()
                ),
                None,
            );
        }
        let declared = |open: bool| Schema {
            columns: schema.iter().map(|c| (c.name.text.clone(), ty_name(&c.ty))).collect(),
            open,
            shaped: Vec::new(),
        };
        match f.text.as_str() {
            "bag_unpack" => {
                let mut out = input;
                if let Some(ExprKind::Name(col)) = args.first().map(|a| &a.kind) {
                    out.remove(&col.text);
                }
                // The bag's keys become columns: unknowable without the data.
                out.open = true;
                for c in schema {
                    out.set(&c.name.text, ty_name(&c.ty));
                }
                out
            }
            _ if !schema.is_empty() => declared(false),
            _ => Schema::unknown(),
        }
    }

    fn invoke(&mut self, call: &'a Expr, input: Schema) -> Schema {
        let ExprKind::Call { func, args } = &call.kind else { return Schema::unknown() };
        let ExprKind::Name(f) = &func.kind else { return Schema::unknown() };
        match self.lookup(&f.text).cloned() {
            Some(super::Binding::Function(def)) => {
                self.workspace_calls |= self.is_workspace_function(&f.text);
                let mut values = vec![Value::Table(input.clone())];
                for a in args {
                    values.push(self.eval(a, Cx::row(&input)));
                }
                match self.expand_function(def, values) {
                    Value::Table(s) => s,
                    _ => Schema::unknown(),
                }
            }
            Some(_) => Schema::unknown(),
            None if self.catalog.knows_function(&f.text) => {
                self.workspace_calls = true;
                Schema::unknown()
            }
            None => {
                let help =
                    super::suggest::closest(&f.text, self.functions.names()).map(|s| format!("did you mean `{s}`?"));
                self.report(C::UnknownFunction, f.range, format!("unknown function `{}`", f.text), help);
                Schema::unknown()
            }
        }
    }
}
