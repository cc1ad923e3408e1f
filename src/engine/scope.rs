//! What names mean while a query runs: `let` bindings (scalars, tables,
//! functions) and the parameters of the function being called, chained to
//! the enclosing scope.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::engine::table::Table;
use crate::engine::vals::Vals;
use crate::engine::value::Value;
use crate::kql::ast::{Expr, Function};
use crate::kql::types::ScalarType;

/// A column of computed values (an expression's result over a table).
#[derive(Clone, Debug)]
pub struct Col {
    pub ty: ScalarType,
    pub vals: Vals,
}

impl Col {
    pub fn new(ty: ScalarType, vals: Vec<Value>) -> Col {
        Col { ty, vals: vals.into() }
    }

    pub fn of(ty: ScalarType, vals: Vals) -> Col {
        Col { ty, vals }
    }

    pub fn constant(ty: ScalarType, v: Value, n: usize) -> Col {
        Col { ty, vals: Vals::constant(v, n) }
    }
}

/// A tabular `let` evaluated on first use, then kept (so `materialize` is free).
pub struct LazyTable {
    pub expr: Expr,
    pub scope: Rc<Scope>,
    pub cell: OnceCell<Arc<Table>>,
}

pub struct FunctionDef {
    pub func: Function,
    pub scope: Rc<Scope>,
}

#[derive(Clone)]
pub enum Binding {
    Scalar(ScalarType, Value),
    Table(Arc<Table>),
    Lazy(Rc<LazyTable>),
    Function(Rc<FunctionDef>),
    /// A scalar parameter of a function called per row: one value per row.
    RowArg(Rc<Col>),
}

#[derive(Default)]
pub struct Scope {
    vars: HashMap<String, Binding>,
    parent: Option<Rc<Scope>>,
}

impl Scope {
    pub fn child(parent: &Rc<Scope>) -> Scope {
        Scope { vars: HashMap::new(), parent: Some(parent.clone()) }
    }

    pub fn bind(&mut self, name: &str, b: Binding) {
        self.vars.insert(name.to_string(), b);
    }

    pub fn lookup(&self, name: &str) -> Option<&Binding> {
        match self.vars.get(name) {
            Some(b) => Some(b),
            None => self.parent.as_ref().and_then(|p| p.lookup(name)),
        }
    }
}
