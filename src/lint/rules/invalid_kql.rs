//! SNT034: the `query` is not valid KQL (K-1, syntax part).

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};
use crate::span::LineIndex;

use super::at;

crate::lint_code! {
    /// What: a rule or hunting query whose `query` has a KQL syntax error,
    /// found by our parser (which agrees with Microsoft's Kusto.Language on
    /// every query of a 3,185-query corpus of real detections).
    ///
    /// Why: the Azure-Sentinel CI requires every changed query to parse and
    /// analyze without diagnostics; Sentinel refuses to
    /// save a rule whose query does not parse.
    ///
    /// Example: `AzureActivity | where Caller ==` (an operator missing its
    /// right operand), or an unbalanced parenthesis.
    ///
    /// Fix: correct the query at the line and column in the message;
    /// `sentinel-forge kql check` on the query text shows a code frame.
    CODE = ("SNT034", "invalid-kql", Error);
}

/// At most this many syntax errors per query: later ones usually follow
/// from the first.
const MAX_PER_QUERY: usize = 3;

pub struct InvalidKql;

impl Rule for InvalidKql {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let Some(node) = doc.field(Field::Query) else { return };
        let Some(text) = node.as_str() else { return };
        if text.trim().is_empty() {
            return;
        }
        let parsed = crate::kql::parse(text);
        let index = LineIndex::new(text);
        for error in parsed.errors.iter().take(MAX_PER_QUERY) {
            let (line, col) = index.line_col(text, error.range.start);
            let message = format!("KQL syntax error at query line {line}, column {col}: {}", error.message);
            let mut d = match block_scalar_offset(doc.text, node.range.start as usize, text, error.range.start as usize)
            {
                Some(offset) => Diagnostic::new(CODE, message).with_primary(
                    doc.file,
                    crate::span::TextRange::new(offset as u32, offset as u32 + error.range.len().max(1)),
                    error.code.code(),
                ),
                None => at(CODE, doc, node, message, format!("{} in this query", error.code.code())),
            };
            if let Some(help) = &error.help {
                d = d.with_help(help.clone());
            }
            out.push(d);
        }
    }
}

/// The file offset of byte `at` of a block scalar's value, when the value
/// is a `|` block whose lines appear verbatim (after a fixed indentation)
/// from `start` on; `None` for quoted or folded strings.
fn block_scalar_offset(file: &str, start: usize, value: &str, at: usize) -> Option<usize> {
    // Leading blank lines of a block are not where the node starts.
    let skip = value.len() - value.trim_start_matches('\n').len();
    let (value, at) = (&value[skip..], at.checked_sub(skip)?);
    let line_start = file.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    let indent = start - line_start;
    let target_line = value.get(..at)?.matches('\n').count();
    let column = at - value[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut offset = line_start;
    let mut value_lines = value.split('\n');
    for (n, file_line) in file[line_start..].split('\n').enumerate() {
        let expected = value_lines.next()?;
        let content = file_line.get(indent..).unwrap_or("");
        if content.trim_end() != expected.trim_end() && !(expected.is_empty() && file_line.trim().is_empty()) {
            return None;
        }
        if n == target_line {
            return (column <= content.len()).then_some(offset + indent + column);
        }
        offset += file_line.len() + 1;
    }
    None
}

/// K-1, semantic part: the query's semantic errors (unknown tables,
/// columns, functions, type errors: what Kusto.Language reports with the
/// table schemas) as `SEM` diagnostics at their place in the file, at most
/// [`MAX_PER_QUERY`] per query. Warnings (deprecated aliases) are left to
/// `kql check`.
pub fn semantic_findings(doc: &Doc, out: &mut Vec<Diagnostic>) {
    let Some(result) = doc.semantics() else { return };
    let Some(node) = doc.field(Field::Query) else { return };
    let Some(text) = node.as_str() else { return };
    let index = LineIndex::new(text);
    let errors = result.diagnostics.iter().filter(|e| e.severity() == crate::diag::Severity::Error);
    for e in errors.take(MAX_PER_QUERY) {
        let (line, col) = index.line_col(text, e.range.start);
        let message = format!("{} (query line {line}, column {col})", e.message);
        let start = block_scalar_offset(doc.text, node.range.start as usize, text, e.range.start as usize);
        let end = block_scalar_offset(doc.text, node.range.start as usize, text, e.range.end as usize);
        let mut d = match (start, end) {
            (Some(s), Some(end)) if end >= s => Diagnostic::new(e.code.info(), message).with_primary(
                doc.file,
                crate::span::TextRange::new(s as u32, end as u32),
                "here",
            ),
            _ => at(e.code.info(), doc, node, message, format!("{} in this query", e.code)),
        };
        if let Some(help) = &e.help {
            d = d.with_help(help.clone());
        }
        out.push(d);
    }
}
