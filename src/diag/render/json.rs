//! Machine-readable diagnostics: one JSON document.

use serde::Serialize;

use crate::diag::{Diagnostic, Label, Severity};
use crate::source::SourceMap;

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    /// Byte offsets, for tools that slice the file themselves.
    start: u32,
    end: u32,
    text: &'a str,
    label: &'a str,
}

fn location<'a>(label: &'a Label, sources: &'a SourceMap) -> JsonLocation<'a> {
    let src = sources.get(label.file);
    let (line, column) = src.line_col(label.range.start);
    let (end_line, end_column) = src.line_col(label.range.end);
    JsonLocation {
        file: &src.path,
        line,
        column,
        end_line,
        end_column,
        start: label.range.start,
        end: label.range.end,
        text: src.slice(label.range),
        label: &label.message,
    }
}

/// Render as pretty JSON with a trailing newline.
pub fn render(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let report = JsonReport {
        diagnostics: diags
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code.id,
                name: d.code.name,
                severity: d.severity,
                message: &d.message,
                location: d.primary.as_ref().map(|l| location(l, sources)),
                related: d.secondary.iter().map(|l| location(l, sources)).collect(),
                help: d.help.as_deref(),
                notes: &d.notes,
            })
            .collect(),
        summary: Summary {
            errors: diags.iter().filter(|d| d.severity == Severity::Error).count(),
            warnings: diags.iter().filter(|d| d.severity == Severity::Warning).count(),
        },
    };
    let mut s = serde_json::to_string_pretty(&report).expect("diagnostics serialize");
    s.push('\n');
    s
}
