//! Bridge between the KQL parser's syntax errors and pipeline diagnostics.

use crate::diag::{Code, Diagnostic, Severity};
use crate::kql::{self, SyntaxErrorCode};
use crate::source::FileId;

/// The `SYN` codes of the KQL parser, as pipeline codes.
pub fn codes() -> Vec<Code> {
    SyntaxErrorCode::ALL.iter().map(code_of).collect()
}

fn code_of(code: &SyntaxErrorCode) -> Code {
    Code { id: code.code(), name: code.name(), severity: Severity::Error, docs: code.docs() }
}

/// Syntax diagnostics of a query registered as `file` with text `text`.
pub fn syntax_diagnostics(file: FileId, text: &str) -> Vec<Diagnostic> {
    kql::parse(text)
        .errors
        .into_iter()
        .map(|e| {
            let mut d = Diagnostic::new(code_of(&e.code), e.message).with_primary(file, e.range, "here");
            if let Some(help) = e.help {
                d = d.with_help(help);
            }
            d
        })
        .collect()
}
