//! Diagnostics: problems in the user's content, collected as data.
//!
//! A [`Diagnostic`] is never propagated with `?`: every stage pushes into a
//! `Vec<Diagnostic>` and carries on, so one run reports every problem at once.
//! Tool failures (I/O, a broken template directory) are `Error`s instead.

pub mod codes;
pub mod render;

use crate::source::FileId;
use crate::span::TextRange;
pub use codes::Code;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A span with an optional label, inside one registered file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub range: TextRange,
    pub message: String,
}

impl Label {
    pub fn new(file: FileId, range: TextRange, message: impl Into<String>) -> Self {
        Self { file, range, message: message.into() }
    }
}

/// One problem: a code, a terse message, where it is, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Option<Label>,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic at the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn with_primary(mut self, file: FileId, range: TextRange, label: impl Into<String>) -> Self {
        self.primary = Some(Label::new(file, range, label));
        self
    }

    pub fn with_secondary(mut self, file: FileId, range: TextRange, label: impl Into<String>) -> Self {
        self.secondary.push(Label::new(file, range, label));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sort by (file, offset, code) and drop exact repeats at the same place, so
/// output is stable and a problem found by two stages is reported once.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| d.primary.as_ref().map(|l| (l.file, l.range.start, l.range.end));
        key(a).cmp(&key(b)).then_with(|| a.code.id.cmp(b.code.id)).then_with(|| a.message.cmp(&b.message))
    });
    // Same code at the same place is one problem; without a place, only an
    // identical message is.
    diags.dedup_by(|a, b| {
        let place = |d: &Diagnostic| d.primary.as_ref().map(|l| (l.file, l.range));
        a.code == b.code && place(a) == place(b) && (place(a).is_some() || a.message == b.message)
    });
}

/// True when any diagnostic is an error (warnings alone do not fail a run).
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}
