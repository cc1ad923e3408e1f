//! Scalar expressions: name resolution, literal and operator types, and
//! function calls checked against the function catalog.

use super::codes::SemanticErrorCode as C;
use super::functions::{self, FunctionInfo, Naming, ParamKind, Ret};
use super::schema::{Schema, Ty};
use super::suggest;
use super::{Binding, Checker, Value};
use crate::kql::ast::{BinaryOp, Dynamic, Expr, ExprKind, Literal, Name};
use crate::kql::types::ScalarType;

/// Where an expression is evaluated: the row in scope and whether aggregates are allowed.
#[derive(Clone, Copy)]
pub(crate) struct Cx<'s> {
    pub row: Option<&'s Schema>,
    pub agg: bool,
}

impl<'s> Cx<'s> {
    pub fn none() -> Cx<'static> {
        Cx { row: None, agg: false }
    }

    pub fn row(schema: &'s Schema) -> Cx<'s> {
        Cx { row: Some(schema), agg: false }
    }

    pub fn agg(schema: &'s Schema) -> Cx<'s> {
        Cx { row: Some(schema), agg: true }
    }
}

/// How an output column is named when the query gives no name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NameGuess {
    Known(String),
    /// Kusto generates `Column1`, `print_0`, ...
    Generated,
    /// A rule this checker does not model.
    Uncertain,
}

impl<'a> Checker<'a> {
    /// The value of `e` (scalar or table), reporting unknown names.
    pub(crate) fn value(&mut self, e: &'a Expr, row: Option<&Schema>) -> Value {
        self.eval(e, Cx { row, agg: false })
    }

    /// The scalar type of `e` in `cx`; tables and unknowns give `None`.
    pub(crate) fn scalar(&mut self, e: &'a Expr, cx: Cx<'_>) -> Ty {
        self.shaped_scalar(e, cx).0
    }

    /// The scalar type of `e`, and whether it is a known array or bag.
    pub(crate) fn shaped_scalar(&mut self, e: &'a Expr, cx: Cx<'_>) -> (Ty, bool) {
        match self.eval(e, cx) {
            Value::Scalar(t) => (t, false),
            Value::Shaped => (Some(ScalarType::Dynamic), true),
            _ => (None, false),
        }
    }

    pub(crate) fn eval(&mut self, e: &'a Expr, cx: Cx<'_>) -> Value {
        match &e.kind {
            ExprKind::Name(n) => self.name_value(n, cx, false),
            ExprKind::Literal(Literal::Dynamic(Dynamic::Array(_) | Dynamic::Object(_))) => Value::Shaped,
            ExprKind::Literal(l) => Value::Scalar(literal_type(l)),
            ExprKind::Wildcard(_) | ExprKind::ClientParameter(_) | ExprKind::Missing => Value::Unknown,
            ExprKind::Paren(inner) => self.eval(inner, cx),
            ExprKind::Bracketed(inner) => {
                self.eval(inner, cx);
                Value::Unknown
            }
            ExprKind::Pipeline { .. } | ExprKind::Source(_) => Value::Table(self.table_value(e)),
            ExprKind::Assign { value, .. } => self.eval(value, cx),
            ExprKind::Tuple(items) => {
                for i in items {
                    self.eval(i, cx);
                }
                Value::Unknown
            }
            ExprKind::Unary { expr, .. } => match self.scalar(expr, cx) {
                Some(t) if t.is_numeric() || t == ScalarType::TimeSpan => Value::Scalar(Some(t)),
                _ => Value::Scalar(None),
            },
            ExprKind::Binary { op, lhs, rhs } => Value::Scalar(self.binary(*op, lhs, rhs, e, cx)),
            ExprKind::List { expr, items, .. } => {
                self.scalar(expr, cx);
                for i in items {
                    self.eval(i, cx);
                }
                Value::Scalar(Some(ScalarType::Bool))
            }
            ExprKind::Between { expr, low, high, .. } => {
                self.scalar(expr, cx);
                self.scalar(low, cx);
                self.scalar(high, cx);
                Value::Scalar(Some(ScalarType::Bool))
            }
            ExprKind::Member { expr, .. } => {
                if let ExprKind::Name(n) = &expr.kind
                    && n.text.starts_with('$')
                {
                    return Value::Unknown;
                }
                match self.eval(expr, cx) {
                    Value::Scalar(Some(ScalarType::Dynamic)) | Value::Shaped => {
                        Value::Scalar(Some(ScalarType::Dynamic))
                    }
                    // `.name` on a string or number is no property access: Kusto looks `name` up as a column.
                    Value::Scalar(Some(t)) => {
                        if let ExprKind::Member { name, .. } = &e.kind {
                            self.report(
                                C::UnknownColumn,
                                name.range,
                                format!(
                                    "unknown name `{}`: `.{}` needs a dynamic value, this one is `{t}`",
                                    name.text, name.text
                                ),
                                Some("parse it first, e.g. `parse_json(Column).name`".into()),
                            );
                        }
                        Value::Unknown
                    }
                    _ => Value::Unknown,
                }
            }
            ExprKind::Index { expr, index } => {
                let base = self.eval(expr, cx);
                self.eval(index, cx);
                match base {
                    Value::Scalar(Some(ScalarType::Dynamic)) | Value::Shaped => {
                        Value::Scalar(Some(ScalarType::Dynamic))
                    }
                    _ => Value::Unknown,
                }
            }
            ExprKind::Call { func, args } => self.call(func, args, cx),
        }
    }

    /// Resolve a name: a column of the row, a `let` binding, a catalog table.
    pub(crate) fn name_value(&mut self, n: &'a Name, cx: Cx<'_>, tabular: bool) -> Value {
        if let Some(row) = cx.row
            && let Some(t) = row.get(&n.text)
        {
            return if row.is_shaped(&n.text) { Value::Shaped } else { Value::Scalar(t) };
        }
        match self.lookup(&n.text).cloned() {
            Some(Binding::Scalar(t)) => return Value::Scalar(t),
            Some(Binding::Table(s)) => return Value::Table(s),
            Some(Binding::Unknown) => return Value::Unknown,
            Some(Binding::Function(f)) => {
                self.workspace_calls |= self.is_workspace_function(&n.text);
                return if f.params.iter().all(|p| p.default.is_some()) {
                    self.expand_function(f, Vec::new())
                } else {
                    Value::Unknown
                };
            }
            None => {}
        }
        if let Some(t) = self.catalog.table(&n.text) {
            self.tables_read.insert(n.text.clone());
            return Value::Table(Schema::closed(t.columns.into_iter().map(|(n, t)| (n, Some(t))).collect()));
        }
        if n.text.is_empty() || n.text.starts_with('$') || cx.row.is_some_and(|r| r.open) {
            return Value::Unknown;
        }
        if self.mute > 0 {
            return Value::Unknown;
        }
        if self.catalog.knows_function(&n.text) {
            self.workspace_calls = true;
            return Value::Table(Schema::unknown());
        }
        if tabular {
            if self.fuzzy_tables > 0 {
                return Value::Unknown;
            }
            let lets: Vec<String> = self.let_names(|b| matches!(b, Binding::Table(_) | Binding::Function(_)));
            let help = suggest::closest(&n.text, lets.iter().map(String::as_str))
                .or_else(|| self.catalog.suggest(&n.text))
                .map(|s| format!("did you mean `{s}`?"));
            self.report(C::UnknownTable, n.range, format!("unknown table `{}`", n.text), help);
        } else {
            let mut candidates: Vec<String> =
                cx.row.map(|r| r.names().map(str::to_string).collect()).unwrap_or_default();
            candidates.extend(self.let_names(|b| matches!(b, Binding::Scalar(_))));
            let help = suggest::closest(&n.text, candidates.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`?"));
            let what = if cx.row.is_some() { "column" } else { "name" };
            self.report(C::UnknownColumn, n.range, format!("unknown {what} `{}`", n.text), help);
        }
        Value::Unknown
    }

    fn let_names(&self, keep: impl Fn(&Binding<'a>) -> bool) -> Vec<String> {
        self.scopes.iter().flat_map(|s| s.iter().filter(|(_, b)| keep(b)).map(|(k, _)| k.clone())).collect()
    }

    fn binary(&mut self, op: BinaryOp, lhs: &'a Expr, rhs: &'a Expr, whole: &Expr, cx: Cx<'_>) -> Ty {
        use ScalarType as T;
        let l = self.scalar(lhs, cx);
        let r = self.scalar(rhs, cx);
        let mismatch = |this: &mut Self, sym: &str| {
            if let (Some(a), Some(b)) = (l, r) {
                this.report(
                    C::OperatorTypes,
                    whole.range,
                    format!("operator `{sym}` is not defined for `{a}` and `{b}`"),
                    Some("convert one side, e.g. with todatetime(), tostring() or tolong()".into()),
                );
            }
        };
        match op {
            BinaryOp::Colon | BinaryOp::Eq | BinaryOp::NotEq => Some(T::Bool),
            BinaryOp::Or | BinaryOp::And => {
                let logical = |t: Ty| t.is_none_or(|t| matches!(t, T::Bool | T::Dynamic));
                if !logical(l) || !logical(r) {
                    mismatch(self, if op == BinaryOp::And { "and" } else { "or" });
                }
                Some(T::Bool)
            }
            BinaryOp::Str { .. } | BinaryOp::EqTilde | BinaryOp::NotTilde => {
                if let (Some(a), Some(b)) = (l, r)
                    && (!stringish(a) || !stringish(b))
                {
                    mismatch(self, "string operator");
                }
                Some(T::Bool)
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                if let (Some(a), Some(b)) = (l, r)
                    && !orderable(a, b)
                {
                    mismatch(self, comparison_symbol(op));
                }
                Some(T::Bool)
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => {
                let (Some(a), Some(b)) = (l, r) else { return None };
                match arithmetic(op, a, b) {
                    Arith::Type(t) => Some(t),
                    Arith::Unknown => None,
                    Arith::Error => {
                        mismatch(self, arithmetic_symbol(op));
                        None
                    }
                }
            }
        }
    }

    fn call(&mut self, func: &'a Expr, args: &'a [Expr], cx: Cx<'_>) -> Value {
        let ExprKind::Name(fname) = &func.kind else {
            for a in args {
                self.eval(a, cx);
            }
            return Value::Unknown;
        };
        let name = fname.text.as_str();
        if let Some(binding) = self.lookup(name).cloned() {
            return match binding {
                Binding::Function(f) => {
                    self.workspace_calls |= self.is_workspace_function(name);
                    self.check_user_arity(name, f, args, fname.range);
                    let values: Vec<Value> = args.iter().map(|a| self.eval(a, cx)).collect();
                    self.expand_function(f, values)
                }
                _ => Value::Unknown,
            };
        }
        match name {
            "toscalar" => {
                let v = args.first().map(|a| self.eval(a, Cx::none()));
                return match v {
                    Some(Value::Table(s)) => Value::Scalar(s.columns.first().and_then(|c| c.1).filter(|_| !s.open)),
                    Some(Value::Scalar(t)) => Value::Scalar(t),
                    Some(Value::Shaped) => Value::Shaped,
                    _ => Value::Scalar(None),
                };
            }
            "materialize" => {
                return match args.first().map(|a| self.eval(a, Cx::none())) {
                    Some(Value::Table(s)) => Value::Table(s),
                    _ => Value::Unknown,
                };
            }
            "table" => {
                if let Some(Expr { kind: ExprKind::Literal(Literal::String(parts)), .. }) = args.first()
                    && let Some(text) = parts.first().and_then(|p| unquote(p))
                    && let Some(t) = self.catalog.table(&text)
                {
                    self.tables_read.insert(text.clone());
                    return Value::Table(Schema::closed(t.columns.into_iter().map(|(n, t)| (n, Some(t))).collect()));
                }
                // `table(name)` with a computed name reads tables the checker cannot list.
                self.workspace_calls = true;
                return Value::Table(Schema::unknown());
            }
            // A declared watchlist has Sentinel's columns and its own; others stay unknown.
            "_GetWatchlist" => {
                if let Some(Expr { kind: ExprKind::Literal(Literal::String(parts)), .. }) = args.first()
                    && let Some(alias) = parts.first().and_then(|p| unquote(p))
                    && let Some(columns) = self.catalog.watchlist(&alias)
                {
                    return Value::Table(Schema::closed(columns.into_iter().map(|(n, t)| (n, Some(t))).collect()));
                }
            }
            "column_ifexists" => {
                return match args.get(1) {
                    Some(d) => Value::Scalar(self.scalar(d, cx)),
                    None => Value::Unknown,
                };
            }
            // `typeof(string)` names a type; `long(0x10)`, `real(null)` are typed literals.
            "typeof" => return Value::Unknown,
            _ if ScalarType::parse(name).is_some() && self.functions.scalar(name).is_none() => {
                return Value::Scalar(ScalarType::parse(name));
            }
            "cluster"
            | "database"
            | "external_table"
            | "materialized_view"
            | "stored_query_result"
            | "graph"
            | "entity_group" => return Value::Unknown,
            _ => {}
        }
        let fns = self.functions;
        let info = if cx.agg { fns.aggregate(name).or_else(|| fns.scalar(name)) } else { fns.scalar(name) };
        let info = match info {
            Some(i) => i,
            None if self.catalog.knows_function(name) => {
                self.workspace_calls |= name != "_GetWatchlist";
                for a in args {
                    self.eval(a, cx);
                }
                return Value::Table(Schema::unknown());
            }
            None => {
                if fns.aggregate(name).is_some() {
                    self.report(
                        C::AggregateOutsideSummarize,
                        fname.range,
                        format!("aggregate function `{name}` is only allowed in `summarize` and similar operators"),
                        Some("aggregate with `summarize`, or compute it with `toscalar(T | summarize ...)`".into()),
                    );
                } else {
                    let help = suggest::closest(name, fns.names()).map(|s| format!("did you mean `{s}`?"));
                    self.report(C::UnknownFunction, fname.range, format!("unknown function `{name}`"), help);
                }
                for a in args {
                    self.eval(a, cx);
                }
                return Value::Unknown;
            }
        };
        if let Some(replacement) = info.obsolete {
            self.report(
                C::DeprecatedFunction,
                fname.range,
                format!("`{name}` is deprecated"),
                Some(format!("use `{replacement}`")),
            );
        }
        // Arguments are evaluated in the row; aggregates' arguments are row-level values.
        let arg_cx = Cx { row: cx.row, agg: cx.agg && info.kind != functions::FunctionKind::Aggregate };
        let mut shaped = Vec::with_capacity(args.len());
        let types: Vec<Option<Ty>> = args
            .iter()
            .map(|a| match &a.kind {
                ExprKind::Wildcard(_) => {
                    shaped.push(false);
                    None
                }
                _ => {
                    let v = self.eval(a, arg_cx);
                    shaped.push(matches!(v, Value::Shaped));
                    match v {
                        Value::Scalar(t) => Some(t),
                        Value::Shaped => Some(Some(ScalarType::Dynamic)),
                        _ => Some(None),
                    }
                }
            })
            .collect();
        let value = self.check_signature(info, fname, args, &types, &shaped);
        // Functions whose result Kusto types as a property bag (custom return rules in Kusto.Language).
        match (value, name) {
            (
                Value::Scalar(Some(ScalarType::Dynamic)) | Value::Scalar(None),
                "parse_user_agent" | "bag_pack" | "pack" | "pack_all" | "pack_dictionary",
            ) => Value::Shaped,
            (v, _) => v,
        }
    }

    /// Arity and argument types against the signatures; the result type.
    fn check_signature(
        &mut self,
        info: &FunctionInfo,
        fname: &Name,
        args: &[Expr],
        types: &[Option<Ty>],
        shaped: &[bool],
    ) -> Value {
        let n = args.len();
        let candidates: Vec<_> = info.signatures.iter().filter(|s| s.min_args() <= n && n <= s.max_args()).collect();
        if candidates.is_empty() {
            let (min, max) = info.arity();
            let expected = if min == max {
                format!("{min}")
            } else if max >= 64 {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            self.report(
                C::WrongArity,
                fname.range,
                format!(
                    "function `{}` expects {expected} argument{}, got {n}",
                    info.name,
                    if max == 1 { "" } else { "s" }
                ),
                None,
            );
            return Value::Scalar(None);
        }
        let mut first_failure = None;
        let mut chosen = None;
        for sig in &candidates {
            let Some(params) = sig.positional(n) else {
                chosen.get_or_insert(*sig);
                first_failure = None;
                break;
            };
            let failure = params.iter().zip(types).enumerate().find_map(|(i, (p, t))| match t {
                Some(Some(t)) if !functions::accepts(p.kind, *t) => Some((i, p.kind, t.name())),
                // An array or bag is no string or bool.
                Some(Some(_)) if shaped[i] && matches!(p.kind, ParamKind::Type(_)) => {
                    Some((i, p.kind, "dynamic array or bag"))
                }
                _ => None,
            });
            match failure {
                None => {
                    chosen = Some(*sig);
                    first_failure = None;
                    break;
                }
                Some(f) => {
                    first_failure.get_or_insert(f);
                }
            }
        }
        if let Some((i, kind, got)) = first_failure {
            self.report(
                C::ArgumentType,
                args[i].range,
                format!("argument {} of `{}` must be {}, not `{got}`", i + 1, info.name, functions::describe(kind)),
                None,
            );
            return Value::Scalar(None);
        }
        let sig = chosen.unwrap_or(candidates[0]);
        let arg_ty = |i: usize| types.get(i).copied().flatten().flatten();
        match sig.ret {
            Ret::Type(t) => Value::Scalar(Some(t)),
            Ret::Shaped => Value::Shaped,
            Ret::Arg(i) => Value::Scalar(arg_ty(i)),
            Ret::Widest => Value::Scalar(widest((0..n).map(arg_ty))),
            Ret::Common => {
                let values: Vec<Ty> = match info.name {
                    "iff" | "iif" => vec![arg_ty(1), arg_ty(2)],
                    "case" => {
                        (1..n).step_by(2).map(arg_ty).chain(std::iter::once(arg_ty(n.saturating_sub(1)))).collect()
                    }
                    _ => (0..n).map(arg_ty).collect(),
                };
                Value::Scalar(common(&values))
            }
            Ret::Tabular => Value::Table(Schema::unknown()),
            Ret::Unknown => Value::Scalar(None),
        }
    }

    /// The column name Kusto gives an unnamed expression.
    pub(crate) fn derive_name(&self, e: &Expr, agg: bool) -> NameGuess {
        match &e.kind {
            ExprKind::Name(n) => NameGuess::Known(n.text.clone()),
            ExprKind::Paren(inner) => self.derive_name(inner, agg),
            ExprKind::Member { expr, name } => match self.derive_name(expr, agg) {
                NameGuess::Known(base) => NameGuess::Known(format!("{base}_{}", name.text)),
                _ => NameGuess::Uncertain,
            },
            ExprKind::Index { expr, index } => match (self.derive_name(expr, agg), &index.kind) {
                (NameGuess::Known(base), ExprKind::Literal(Literal::String(parts))) => {
                    match parts.first().and_then(|p| unquote(p)) {
                        Some(key) => NameGuess::Known(format!("{base}_{key}")),
                        None => NameGuess::Uncertain,
                    }
                }
                _ => NameGuess::Uncertain,
            },
            ExprKind::Call { func, args } => {
                let ExprKind::Name(f) = &func.kind else { return NameGuess::Uncertain };
                if self.lookup(&f.text).is_some() {
                    return NameGuess::Uncertain;
                }
                let fns = self.functions;
                let info =
                    if agg { fns.aggregate(&f.text).or_else(|| fns.scalar(&f.text)) } else { fns.scalar(&f.text) };
                let Some(info) = info else { return NameGuess::Uncertain };
                match info.naming {
                    Naming::Generated => NameGuess::Generated,
                    Naming::FirstArgument => match args.first() {
                        Some(a) => self.derive_name(a, false),
                        None => NameGuess::Uncertain,
                    },
                    Naming::Prefix(p) => match args.first() {
                        None => NameGuess::Known(format!("{p}_")),
                        Some(a) => match self.derive_name(a, false) {
                            NameGuess::Known(n) if matches!(a.kind, ExprKind::Name(_)) => {
                                NameGuess::Known(format!("{p}_{n}"))
                            }
                            _ => NameGuess::Uncertain,
                        },
                    },
                    Naming::Unknown => NameGuess::Uncertain,
                }
            }
            _ => NameGuess::Generated,
        }
    }
}

/// The text of a simple quoted string literal.
pub(crate) fn unquote(lit: &str) -> Option<String> {
    let lit = lit.strip_prefix('@').unwrap_or(lit);
    let inner = lit
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| lit.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))?;
    (!inner.contains('\\')).then(|| inner.to_string())
}

pub(crate) fn literal_type(l: &Literal) -> Ty {
    use ScalarType as T;
    Some(match l {
        Literal::Int(_) => T::Long,
        Literal::Real(_) => T::Real,
        Literal::Timespan(_) => T::TimeSpan,
        Literal::String(_) => T::String,
        Literal::Bool(_) => T::Bool,
        Literal::Dynamic(_) => T::Dynamic,
        Literal::Typed(text) => {
            let head = text.split('(').next().unwrap_or("").trim();
            return ScalarType::parse(head);
        }
    })
}

/// Operand classes of Kusto's operator signatures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Num,
    Bool,
    Str,
    Date,
    Span,
    Dyn,
    Guid,
}

fn class(t: ScalarType) -> Class {
    use ScalarType as T;
    match t {
        T::Int | T::Long | T::Real | T::Decimal => Class::Num,
        T::Bool => Class::Bool,
        T::String => Class::Str,
        T::DateTime => Class::Date,
        T::TimeSpan => Class::Span,
        T::Dynamic => Class::Dyn,
        T::Guid => Class::Guid,
    }
}

/// Kusto's ordering signatures (`<`, `>`, ...): numbers and bools, timespans,
/// datetimes, dynamic against dynamic or numbers. Strings do not order.
fn orderable(a: ScalarType, b: ScalarType) -> bool {
    use Class::*;
    matches!(
        (class(a), class(b)),
        (Bool | Num, Num | Bool) | (Span, Span) | (Date, Date) | (Dyn, Dyn) | (Dyn, Num) | (Num, Dyn)
    )
}

/// String operators take string or dynamic operands.
fn stringish(t: ScalarType) -> bool {
    matches!(class(t), Class::Str | Class::Dyn)
}

enum Arith {
    Type(ScalarType),
    Unknown,
    Error,
}

/// Kusto's arithmetic signatures (`Operators.cs`), by operand class.
fn arithmetic(op: BinaryOp, a: ScalarType, b: ScalarType) -> Arith {
    use Class::*;
    use ScalarType as T;
    let (ca, cb) = (class(a), class(b));
    if ca == Num && cb == Num {
        return widest([Some(a), Some(b)]).map_or(Arith::Unknown, Arith::Type);
    }
    let dynamic_other = |other: Class| matches!(other, Num | Span | Date);
    let t = match (op, ca, cb) {
        (_, Dyn, Dyn) => T::Dynamic,
        (_, Dyn, o) if o == Num || (dynamic_other(o) && matches!(op, BinaryOp::Add | BinaryOp::Sub)) => b,
        (_, o, Dyn) if o == Num || (dynamic_other(o) && matches!(op, BinaryOp::Add | BinaryOp::Sub)) => a,
        (BinaryOp::Add, Span, Span) => T::TimeSpan,
        (BinaryOp::Add, Date | Span, Date | Span) => T::DateTime,
        (BinaryOp::Sub, Span, Span) | (BinaryOp::Sub, Date, Date) => T::TimeSpan,
        (BinaryOp::Sub, Date, Dyn) | (BinaryOp::Sub, Dyn, Date) => T::TimeSpan,
        (BinaryOp::Sub, Date, Span) | (BinaryOp::Sub, Span, Date) => T::DateTime,
        (BinaryOp::Mul, Span, Span | Num) | (BinaryOp::Mul, Num, Span) => T::TimeSpan,
        (BinaryOp::Mul, Date, Num) | (BinaryOp::Mul, Num, Date) => T::DateTime,
        (BinaryOp::Div, Span, Span) | (BinaryOp::Div, Date, Date | Span) => T::Real,
        (BinaryOp::Div, Span, Num) => T::TimeSpan,
        (BinaryOp::Div | BinaryOp::Mod, Date, Num) => T::DateTime,
        (BinaryOp::Mod, Span, Span | Num) | (BinaryOp::Mod, Date, Date | Span) => T::TimeSpan,
        _ => return Arith::Error,
    };
    Arith::Type(t)
}

/// The widest numeric type, or `None` if any is unknown or not numeric.
fn widest(types: impl IntoIterator<Item = Ty>) -> Ty {
    use ScalarType as T;
    let mut best: Option<ScalarType> = None;
    for t in types {
        let t = t?;
        let rank = |t: ScalarType| match t {
            T::Int => 0,
            T::Long => 1,
            T::Decimal => 2,
            T::Real => 3,
            _ => 9,
        };
        if rank(t) == 9 {
            return None;
        }
        best = Some(match best {
            Some(b) if rank(b) >= rank(t) => b,
            _ => t,
        });
    }
    best
}

/// The common type of `iff`/`case`/`coalesce` values: all equal, or the widest number.
fn common(values: &[Ty]) -> Ty {
    let first = (*values.first()?)?;
    if values.iter().all(|v| *v == Some(first)) {
        return Some(first);
    }
    widest(values.iter().copied())
}

fn comparison_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Lt => "<",
        BinaryOp::Le => "<=",
        BinaryOp::Gt => ">",
        _ => ">=",
    }
}

fn arithmetic_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        _ => "%",
    }
}
