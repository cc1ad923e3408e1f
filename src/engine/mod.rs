//! The embedded KQL engine: runs our parser's syntax tree over tables held
//! in memory, with Kusto's semantics (see `docs/` and the conformance
//! runner `examples/engine_conformance.rs`).
//!
//! ```text
//! text --kql::parse--> Query --Engine::run--> Table (typed columns) --output--> query API JSON
//! ```
//!
//! Anything the engine does not run is an [`EngineError`] of kind
//! `Unsupported` (ENG001) with the construct's span, never a different answer.

pub mod aggregate;
pub mod codes;
pub mod datetime;
pub mod determinism;
pub mod error;
mod eval;
mod fast;
pub mod functions;
mod join;
pub mod literal;
mod liveness;
pub mod load;
pub mod more;
mod operators;
pub mod output;
pub mod scope;
mod strings;
pub mod table;
mod threads;
pub mod types;
pub mod vals;
pub mod value;
pub mod xml;

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

pub use error::{EResult, EngineError, EngineErrorKind};
pub use table::{Column, Table};

use crate::kql::ast::{Expr, ExprKind, LetValue, Query, Statement, StatementKind};
use scope::{Binding, FunctionDef, LazyTable, Scope};

/// Settings of one run.
#[derive(Clone, Debug)]
pub struct Options {
    /// What `now()` returns, in ticks (pinned for the whole query, as Kusto does).
    pub now: i64,
    /// Most rows any operator may produce; beyond it the query stops with ENG004.
    pub max_rows: usize,
    /// `externaldata` URLs mapped to local files (the engine never uses the network).
    pub external: HashMap<String, std::path::PathBuf>,
    /// Measurements over empty tables only (the corpus runner): an
    /// `externaldata` whose URL is not mapped is an empty table of its
    /// declared schema instead of ENG001. Off everywhere else.
    pub unmapped_external_empty: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { now: now_ticks(), max_rows: 10_000_000, external: HashMap::new(), unmapped_external_empty: false }
    }
}

/// The current UTC time in ticks.
pub fn now_ticks() -> i64 {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    datetime::UNIX_EPOCH + (d.as_nanos() / 100) as i64
}

/// The tables a query can read, by name.
#[derive(Clone, Debug, Default)]
pub struct Database {
    pub tables: HashMap<String, Arc<Table>>,
}

impl Database {
    pub fn add(&mut self, name: impl Into<String>, t: Table) {
        self.tables.insert(name.into(), Arc::new(t));
    }
}

pub struct Engine<'a> {
    pub db: &'a Database,
    pub options: Options,
    /// The first reason this run's answer is one of several (see `determinism.rs`).
    nondeterministic: std::cell::Cell<Option<&'static str>>,
}

/// Evaluation context: the engine and the names in scope.
pub struct Ctx<'e> {
    pub engine: &'e Engine<'e>,
    pub scope: Rc<Scope>,
}

impl<'a> Engine<'a> {
    pub fn new(db: &'a Database, options: Options) -> Self {
        Engine { db, options, nondeterministic: Default::default() }
    }

    /// Record that the answer is one Kusto may give among others (the first reason stays).
    pub fn note_nondeterministic(&self, why: &'static str) {
        if self.nondeterministic.get().is_none() {
            self.nondeterministic.set(Some(why));
        }
    }

    /// Parse and run `text`; the result of its last tabular statement.
    pub fn run_text(&self, text: &str) -> EResult<Table> {
        let parsed = crate::kql::parse(text);
        if let Some(err) = parsed.errors.first() {
            return Err(EngineError {
                kind: EngineErrorKind::Syntax,
                message: format!("syntax error: {}", err.message),
                range: err.range,
            });
        }
        self.run(&parsed.query)
    }

    pub fn run(&self, q: &Query) -> EResult<Table> {
        self.nondeterministic.set(None);
        let mut t = self.run_query(q)?;
        t.nondeterministic = self.nondeterministic.get();
        Ok(t)
    }

    fn run_query(&self, q: &Query) -> EResult<Table> {
        let ctx = Ctx { engine: self, scope: Rc::new(Scope::default()) };
        let (scope, last) = ctx.run_body(&q.statements, q.range)?;
        let ctx = Ctx { engine: self, scope };
        if ctx.is_tabular(last) {
            Ok(Arc::unwrap_or_clone(ctx.tabular(last)?))
        } else {
            // A bare scalar statement prints like `print`.
            let c = ctx.scalar(last, &Table::single_row())?;
            Ok(Table::new(vec![Column::of("print_0", c.ty, c.vals)], 1))
        }
    }
}

impl<'e> Ctx<'e> {
    /// Bind the `let`s of `stmts` and return the scope with the last expression.
    pub fn run_body<'q>(&self, stmts: &'q [Statement], at: crate::span::TextRange) -> EResult<(Rc<Scope>, &'q Expr)> {
        let mut scope = self.scope.clone();
        let mut last: Option<&Expr> = None;
        for st in stmts {
            match &st.kind {
                StatementKind::Let { name, value } => {
                    let mut s = Scope::child(&scope);
                    let ctx = Ctx { engine: self.engine, scope: scope.clone() };
                    let b = match value {
                        LetValue::Function(f) => {
                            Binding::Function(Rc::new(FunctionDef { func: f.clone(), scope: scope.clone() }))
                        }
                        LetValue::Expr(e) => ctx.let_binding(e)?,
                    };
                    s.bind(&name.text, b);
                    scope = Rc::new(s);
                }
                StatementKind::Set { .. } => {}
                StatementKind::Expr(e) => last = Some(e),
                StatementKind::DeclareQueryParameters { .. } => {
                    return Err(EngineError::unsupported("`declare query_parameters`", st.range));
                }
                StatementKind::Command { .. } => {
                    return Err(EngineError::unsupported("a management command", st.range));
                }
            }
        }
        match last {
            Some(e) => Ok((scope, e)),
            None => Err(EngineError::invalid("the query has no tabular or scalar expression to run", at)),
        }
    }

    fn let_binding(&self, e: &Expr) -> EResult<Binding> {
        if self.is_tabular(e) {
            return Ok(Binding::Lazy(Rc::new(LazyTable {
                expr: e.clone(),
                scope: self.scope.clone(),
                cell: Default::default(),
            })));
        }
        let c = self.scalar(e, &Table::single_row())?;
        Ok(Binding::Scalar(c.ty, c.vals.into_iter().next().unwrap_or(value::Value::Null)))
    }

    /// Whether `e` denotes a table (decided from names in scope and syntax).
    pub fn is_tabular(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Pipeline { .. } | ExprKind::Source(_) => true,
            ExprKind::Paren(inner) => self.is_tabular(inner),
            ExprKind::Name(n) => match self.scope.lookup(&n.text) {
                Some(Binding::Table(_) | Binding::Lazy(_)) => true,
                Some(Binding::Function(f)) => f.func.params.is_empty() && self.body_is_tabular(f),
                Some(_) => false,
                None => self.engine.db.tables.contains_key(&n.text),
            },
            ExprKind::Call { func, .. } => match &func.kind {
                ExprKind::Name(n) => match self.scope.lookup(&n.text) {
                    Some(Binding::Function(f)) => self.body_is_tabular(f),
                    _ => matches!(n.text.as_str(), "materialize" | "table" | "view"),
                },
                _ => false,
            },
            _ => false,
        }
    }

    fn body_is_tabular(&self, f: &FunctionDef) -> bool {
        let Some(last) = f.func.body.iter().rev().find_map(|s| match &s.kind {
            StatementKind::Expr(e) => Some(e),
            _ => None,
        }) else {
            return false;
        };
        // Names local to the body are not known here; syntax plus outer names decide.
        let local_tables: Vec<&str> = f
            .func
            .body
            .iter()
            .filter_map(|s| match &s.kind {
                StatementKind::Let { name, value: LetValue::Expr(v) } if eval::is_tabular_syntax(v) => {
                    Some(name.text.as_str())
                }
                _ => None,
            })
            .collect();
        let tab_params: Vec<&str> = f
            .func
            .params
            .iter()
            .filter(|p| matches!(p.ty, crate::kql::ast::ParamType::Tabular { .. }))
            .map(|p| p.name.text.as_str())
            .collect();
        match &last.kind {
            ExprKind::Name(n) if local_tables.contains(&n.text.as_str()) || tab_params.contains(&n.text.as_str()) => {
                true
            }
            _ => {
                let ctx = Ctx { engine: self.engine, scope: f.scope.clone() };
                ctx.is_tabular(last)
            }
        }
    }

    /// Evaluate a tabular expression.
    pub fn tabular(&self, e: &Expr) -> EResult<Arc<Table>> {
        match &e.kind {
            ExprKind::Paren(inner) => self.tabular(inner),
            ExprKind::Pipeline { source, operators } => {
                let mut t = self.tabular(source)?;
                let mut fused_until = 0;
                let read = liveness::needed_after(operators);
                for (k, op) in operators.iter().enumerate() {
                    if k < fused_until {
                        continue;
                    }
                    // consecutive `where`s: one selection, the other columns gathered once
                    let wheres: Vec<&Expr> = operators[k..]
                        .iter()
                        .map_while(|o| match &o.kind {
                            crate::kql::ast::OperatorKind::Where(p) => Some(p),
                            _ => None,
                        })
                        .collect();
                    if wheres.len() > 1 {
                        let mut conjuncts = Vec::new();
                        for p in &wheres {
                            fast::flatten_and(p, &mut conjuncts);
                        }
                        if let Some(keep) = self.conjunct_rows(&conjuncts, &t)? {
                            t = Arc::new(t.take_rows(&keep));
                            fused_until = k + wheres.len();
                            continue;
                        }
                    }
                    let input = t.clone();
                    t = self.apply_reading(t, op, &read[k])?;
                    if let Some(why) = determinism::reason(op, &operators[..k], &input, &t) {
                        self.engine.note_nondeterministic(why);
                    }
                    if t.len > self.engine.options.max_rows {
                        return Err(self.budget(op.range));
                    }
                }
                Ok(t)
            }
            ExprKind::Source(op) => self.source(op),
            ExprKind::Name(n) => match self.scope.lookup(&n.text) {
                Some(Binding::Table(t)) => Ok(t.clone()),
                Some(Binding::Lazy(l)) => {
                    if let Some(t) = l.cell.get() {
                        return Ok(t.clone());
                    }
                    let ctx = Ctx { engine: self.engine, scope: l.scope.clone() };
                    let t = ctx.tabular(&l.expr)?;
                    let _ = l.cell.set(t.clone());
                    Ok(t)
                }
                Some(Binding::Function(f)) => {
                    let f = f.clone();
                    self.call_tabular(&f, &[], e)
                }
                Some(_) => Err(EngineError::invalid(format!("`{}` is a scalar, not a table", n.text), e.range)),
                None => self
                    .engine
                    .db
                    .tables
                    .get(&n.text)
                    .cloned()
                    .ok_or_else(|| EngineError::unknown(format!("unknown table `{}`", n.text), e.range)),
            },
            ExprKind::Call { func, args } => {
                let ExprKind::Name(n) = &func.kind else {
                    return Err(EngineError::unsupported("this tabular expression", e.range));
                };
                match self.scope.lookup(&n.text) {
                    Some(Binding::Function(f)) => {
                        let f = f.clone();
                        self.call_tabular(&f, args, e)
                    }
                    _ => match n.text.as_str() {
                        "materialize" if args.len() == 1 => self.tabular(&args[0]),
                        "table" if args.len() == 1 => {
                            let c = self.scalar(&args[0], &Table::single_row())?;
                            let name = c.vals[0].to_kusto_string();
                            let fake = Expr {
                                kind: ExprKind::Name(crate::kql::ast::Name { text: name, range: e.range }),
                                range: e.range,
                            };
                            self.tabular(&fake)
                        }
                        other => Err(EngineError::unknown(format!("unknown tabular function `{other}`"), e.range)),
                    },
                }
            }
            _ => Err(EngineError::invalid("expected a tabular expression", e.range)),
        }
    }

    pub fn call_tabular(&self, f: &Rc<FunctionDef>, args: &[Expr], e: &Expr) -> EResult<Arc<Table>> {
        let scope = self.bind_params(f, args, e, &Table::single_row())?;
        let ctx = Ctx { engine: self.engine, scope: Rc::new(scope) };
        let (scope, last) = ctx.run_body(&f.func.body, e.range)?;
        let ctx = Ctx { engine: self.engine, scope };
        if ctx.is_tabular(last) {
            ctx.tabular(last)
        } else {
            let c = ctx.scalar(last, &Table::single_row())?;
            Ok(Arc::new(Table::new(vec![Column::of("print_0", c.ty, c.vals)], 1)))
        }
    }

    pub fn budget(&self, range: crate::span::TextRange) -> EngineError {
        EngineError {
            kind: EngineErrorKind::RowBudget,
            message: format!(
                "the result exceeds the row budget of {} rows (raise it with --max-rows)",
                self.engine.options.max_rows
            ),
            range,
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_coverage;
#[cfg(test)]
mod tests_fast;
