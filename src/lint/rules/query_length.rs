//! SNT009: `query` empty or above 10,000 characters.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};

use super::at;

crate::lint_code! {
    /// What: an analytic rule whose `query` is empty or longer than 10,000
    /// characters.
    ///
    /// Why: CI requires a length of 1..10000 and the
    /// service rejects longer queries.
    ///
    /// Example: a query that inlines a 15,000-character IOC list in a
    /// `datatable`.
    ///
    /// Fix: move long lists to a watchlist (`_GetWatchlist('name')`) or
    /// `externaldata`, or use a parser function.
    CODE = ("SNT009", "query-length", Error);
}

pub struct QueryLength;

impl Rule for QueryLength {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if !doc.kind.is_rule() {
            return;
        }
        let Some(node) = doc.field(Field::Query) else { return };
        let Some(text) = node.as_str() else { return };
        let n = text.chars().count();
        if text.trim().is_empty() {
            out.push(at(CODE, doc, node, "`query` is empty", "empty query"));
        } else if n > 10_000 {
            out.push(
                at(CODE, doc, node, format!("`query` is {n} characters, above 10000"), "query too long")
                    .with_help("move long literal lists to a watchlist or externaldata"),
            );
        }
    }
}
