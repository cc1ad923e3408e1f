//! Bridge between the KQL parser's syntax errors and pipeline diagnostics.

use crate::diag::{Code, Diagnostic};
use crate::render::RenderedKql;

/// The `SYN` codes of the KQL parser.
pub fn codes() -> Vec<Code> {
    Vec::new()
}

/// Syntax diagnostics of a rendered query.
pub fn kql_to_diagnostics(_kql: &RenderedKql) -> Vec<Diagnostic> {
    Vec::new()
}
