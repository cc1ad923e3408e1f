//! The KQL semantic checker: tables, columns, functions and types flow
//! through every statement and tabular operator of a parsed query.
//!
//! ```text
//! kql::parse ─▶ ast::Query ─▶ check::check(query, catalog) ─▶ output schema + SEM diagnostics
//! ```
//!
//! Fidelity comes first: the checker never reports what Kusto would accept.
//! Whenever it cannot know (a plugin's dynamic output, an unknown function's
//! result, a construct it does not model) the type becomes unknown or the
//! schema *open*, and nothing further is reported about it. Measured against
//! Kusto.Language in `docs/kql-semantic-conformance.md`.

mod catalog;
pub mod codes;
mod content;
mod declarations;
mod diagnostics;
mod functions;
mod scalar;
mod schema;
mod suggest;
mod tabular;

use std::collections::HashMap;

pub use catalog::{Catalog, CatalogError, TableSchema};
pub use codes::SemanticErrorCode;
pub use content::check_compiled;
pub use declarations::{CATALOG_FILE, load_declarations, load_project_catalog, project_catalog};
pub use diagnostics::{semantic_diagnostics, to_diagnostic};
pub use functions::{FunctionInfo, FunctionKind, Functions};
pub use schema::{Schema, Ty};

use crate::diag::Severity;
use crate::kql::ast::{Expr, Function, LetValue, ParamType, Query, Statement, StatementKind};
use crate::kql::types::ScalarType;
use crate::span::TextRange;

/// One semantic diagnostic, with a byte range into the checked text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemanticError {
    pub code: SemanticErrorCode,
    /// Terse lowercase message, identifiers in backticks, no final period.
    pub message: String,
    pub range: TextRange,
    pub help: Option<String>,
}

impl SemanticError {
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// What [`check`] found.
#[derive(Clone, Debug, Default)]
pub struct CheckResult {
    /// The last statement's columns and types, when all of them are known.
    pub output_schema: Option<Vec<(String, ScalarType)>>,
    /// The last statement's column names when the list is complete, types
    /// where known (entity-mapping checks need only the names).
    pub output_columns: Option<Vec<(String, Ty)>>,
    /// Sorted by offset.
    pub diagnostics: Vec<SemanticError>,
    /// The catalog tables the query reads (by name, sorted), `let` names excluded.
    pub tables: Vec<String>,
    /// Whether the query calls a workspace function other than `_GetWatchlist`
    /// (an ASIM parser, `FileProfile`, a declared function) or reads `table(name)`
    /// with a computed name: it may read tables not in [`CheckResult::tables`].
    pub calls_workspace_function: bool,
}

impl CheckResult {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity() == Severity::Error)
    }
}

/// Check `query` against `catalog` and the built-in functions.
pub fn check(query: &Query, catalog: &Catalog) -> CheckResult {
    let mut checker = Checker::new(catalog);
    let mut last = None;
    checker.statements(&query.statements, &mut last);
    let mut diagnostics = std::mem::take(&mut checker.diags);
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    diagnostics.dedup();
    let tables = checker.tables_read.into_iter().collect();
    let calls_workspace_function = checker.workspace_calls;
    let output_columns = match last {
        Some(Value::Table(s)) if !s.open => Some(s.columns),
        _ => None,
    };
    let output_schema =
        output_columns.as_ref().and_then(|cols| cols.iter().map(|(n, t)| t.map(|t| (n.clone(), t))).collect());
    CheckResult { output_schema, output_columns, diagnostics, tables, calls_workspace_function }
}

/// The value of an expression: a scalar of some type, a table, or unknown.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Scalar(Ty),
    /// A `dynamic` known to be an array or a property bag (`make_set(...)`,
    /// `dynamic([...])`): Kusto does not pass it where a string or bool is declared.
    Shaped,
    Table(Schema),
    Unknown,
}

/// What a `let` name (or query parameter, or `as` name) stands for.
#[derive(Clone, Debug)]
enum Binding<'a> {
    Scalar(Ty),
    Table(Schema),
    Function(&'a Function),
    Unknown,
}

/// Deepest nesting of user function expansion (Kusto forbids recursion; this bounds hostile input).
const MAX_EXPANSION: u32 = 6;

pub(crate) struct Checker<'a> {
    catalog: &'a Catalog,
    functions: &'static Functions,
    scopes: Vec<HashMap<String, Binding<'a>>>,
    diags: Vec<SemanticError>,
    /// >0 while expanding a function body for its result type: errors there were reported at the declaration.
    mute: u32,
    /// >0 inside `union isfuzzy=true` legs, where a missing table is not an error.
    fuzzy_tables: u32,
    expansion: u32,
    /// Catalog tables resolved by name.
    pub(crate) tables_read: std::collections::BTreeSet<String>,
    pub(crate) workspace_calls: bool,
}

impl<'a> Checker<'a> {
    fn new(catalog: &'a Catalog) -> Self {
        // Declared workspace functions live in an outer scope, so a `let` of the same name shadows them.
        let workspace: HashMap<String, Binding<'a>> =
            catalog.declared_functions().iter().map(|(n, f)| (n.clone(), Binding::Function(f))).collect();
        Checker {
            catalog,
            functions: Functions::get(),
            scopes: vec![workspace, HashMap::new()],
            diags: Vec::new(),
            mute: 0,
            fuzzy_tables: 0,
            expansion: 0,
            tables_read: Default::default(),
            workspace_calls: false,
        }
    }

    pub(crate) fn report(&mut self, code: SemanticErrorCode, range: TextRange, message: String, help: Option<String>) {
        if self.mute == 0 {
            self.diags.push(SemanticError { code, message, range, help });
        }
    }

    /// Whether `name` resolves to a function declared in the catalog (not shadowed by a `let`).
    pub(crate) fn is_workspace_function(&self, name: &str) -> bool {
        self.scopes.first().is_some_and(|s| s.contains_key(name))
            && !self.scopes[1..].iter().any(|s| s.contains_key(name))
    }

    fn lookup(&self, name: &str) -> Option<&Binding<'a>> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    fn bind(&mut self, name: &str, binding: Binding<'a>) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), binding);
        }
    }

    /// Check statements in order; `last` receives the value of the last expression statement.
    fn statements(&mut self, statements: &'a [Statement], last: &mut Option<Value>) {
        for st in statements {
            match &st.kind {
                StatementKind::Let { name, value } => {
                    if name.text.is_empty() {
                        continue;
                    }
                    if self.scopes.last().is_some_and(|s| s.contains_key(&name.text)) {
                        self.report(
                            SemanticErrorCode::DuplicateLet,
                            name.range,
                            format!("`{}` is already declared", name.text),
                            Some("rename one of the declarations".into()),
                        );
                    }
                    let binding = match value {
                        LetValue::Function(f) => {
                            self.check_function_body(f);
                            Binding::Function(f)
                        }
                        LetValue::Expr(e) => match self.value(e, None) {
                            Value::Scalar(t) => Binding::Scalar(t),
                            Value::Shaped => Binding::Scalar(Some(ScalarType::Dynamic)),
                            Value::Table(s) => Binding::Table(s),
                            Value::Unknown => Binding::Unknown,
                        },
                    };
                    self.bind(&name.text, binding);
                }
                StatementKind::DeclareQueryParameters { params } => {
                    for p in params {
                        let b = match &p.ty {
                            ParamType::Scalar(t) => Binding::Scalar(ScalarType::parse(&t.text)),
                            ParamType::Tabular { .. } => Binding::Table(Schema::unknown()),
                        };
                        self.bind(&p.name.text, b);
                    }
                }
                StatementKind::Set { .. } => {}
                StatementKind::Command { .. } => *last = Some(Value::Unknown),
                StatementKind::Expr(e) => *last = Some(self.value(e, None)),
            }
        }
    }

    /// Bindings for a function's parameters as declared (tabular parameters are open).
    fn declared_params(&self, f: &'a Function) -> HashMap<String, Binding<'a>> {
        f.params
            .iter()
            .map(|p| {
                let b = match &p.ty {
                    ParamType::Scalar(t) => Binding::Scalar(ScalarType::parse(&t.text)),
                    ParamType::Tabular { columns, .. } => Binding::Table(Schema {
                        columns: columns.iter().map(|c| (c.name.text.clone(), ScalarType::parse(&c.ty.text))).collect(),
                        open: true,
                        shaped: Vec::new(),
                    }),
                };
                (p.name.text.clone(), b)
            })
            .collect()
    }

    /// Report the errors of a function body once, at its declaration.
    fn check_function_body(&mut self, f: &'a Function) {
        let params = self.declared_params(f);
        self.scopes.push(params);
        let mut last = None;
        self.statements(&f.body, &mut last);
        self.scopes.pop();
    }

    /// The result of calling a user function with these argument values (errors muted).
    fn expand_function(&mut self, f: &'a Function, args: Vec<Value>) -> Value {
        if self.expansion >= MAX_EXPANSION {
            return Value::Unknown;
        }
        let mut params = self.declared_params(f);
        for (p, v) in f.params.iter().zip(args) {
            let b = match v {
                Value::Scalar(t) => Binding::Scalar(t),
                Value::Shaped => Binding::Scalar(Some(ScalarType::Dynamic)),
                Value::Table(s) => Binding::Table(s),
                Value::Unknown => Binding::Unknown,
            };
            // A declared scalar type wins over an unknown argument type.
            if !matches!((&b, params.get(&p.name.text)), (Binding::Unknown, Some(_))) {
                params.insert(p.name.text.clone(), b);
            }
        }
        self.mute += 1;
        self.expansion += 1;
        self.scopes.push(params);
        let mut last = None;
        self.statements(&f.body, &mut last);
        self.scopes.pop();
        self.expansion -= 1;
        self.mute -= 1;
        last.unwrap_or(Value::Unknown)
    }

    /// Argument count check for a user function: parameters with defaults are optional.
    fn check_user_arity(&mut self, name: &str, f: &Function, args: &[Expr], range: TextRange) {
        let max = f.params.len();
        let min = f.params.iter().filter(|p| p.default.is_none()).count();
        if args.len() < min || args.len() > max {
            let expected = if min == max { format!("{min}") } else { format!("{min} to {max}") };
            self.report(
                SemanticErrorCode::WrongArity,
                range,
                format!(
                    "function `{name}` expects {expected} argument{}, got {}",
                    if max == 1 { "" } else { "s" },
                    args.len()
                ),
                None,
            );
        }
    }
}

#[cfg(test)]
mod tests;
