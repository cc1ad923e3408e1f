//! Why a query did not run: a code (see `codes.rs`), a message and the span
//! of the construct in the query text.

use crate::span::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineErrorKind {
    /// ENG001: a construct the local engine does not run.
    Unsupported,
    /// ENG002: a name that is no column, table, `let` or function.
    UnknownName,
    /// ENG003: an argument or operand Kusto would reject (wrong type or count).
    Invalid,
    /// ENG004: the result would exceed the row budget (`--max-rows`).
    RowBudget,
    /// ENG005: the query has syntax errors.
    Syntax,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct EngineError {
    pub kind: EngineErrorKind,
    pub message: String,
    pub range: TextRange,
}

impl EngineError {
    pub fn unsupported(what: impl std::fmt::Display, range: TextRange) -> Self {
        EngineError {
            kind: EngineErrorKind::Unsupported,
            message: format!("{what} is not supported by the local engine"),
            range,
        }
    }

    pub fn unknown(what: impl Into<String>, range: TextRange) -> Self {
        EngineError { kind: EngineErrorKind::UnknownName, message: what.into(), range }
    }

    pub fn invalid(what: impl Into<String>, range: TextRange) -> Self {
        EngineError { kind: EngineErrorKind::Invalid, message: what.into(), range }
    }

    pub fn code(&self) -> &'static str {
        match self.kind {
            EngineErrorKind::Unsupported => "ENG001",
            EngineErrorKind::UnknownName => "ENG002",
            EngineErrorKind::Invalid => "ENG003",
            EngineErrorKind::RowBudget => "ENG004",
            EngineErrorKind::Syntax => "ENG005",
        }
    }
}

pub type EResult<T> = Result<T, EngineError>;
