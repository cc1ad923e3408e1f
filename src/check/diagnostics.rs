//! Bridge from the checker's findings to pipeline diagnostics (`SEM` codes).

use super::{Catalog, CheckResult, SemanticError};
use crate::diag::Diagnostic;
use crate::source::FileId;

/// A semantic finding as a diagnostic pointing into `file`.
pub fn to_diagnostic(file: FileId, e: &SemanticError) -> Diagnostic {
    let mut d = Diagnostic::new(e.code.info(), e.message.clone()).with_primary(file, e.range, "here");
    if let Some(help) = &e.help {
        d = d.with_help(help.clone());
    }
    d
}

/// Check the query `text` registered as `file`: its semantic diagnostics
/// (none when it has syntax errors: the tree is then the parser's guess) and
/// the check result.
pub fn semantic_diagnostics(file: FileId, text: &str, catalog: &Catalog) -> (Vec<Diagnostic>, Option<CheckResult>) {
    let parsed = crate::kql::parse(text);
    if parsed.has_errors() {
        return (Vec::new(), None);
    }
    let result = super::check(&parsed.query, catalog);
    let diags = result.diagnostics.iter().map(|e| to_diagnostic(file, e)).collect();
    (diags, Some(result))
}
