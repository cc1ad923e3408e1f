//! Hand-written KQL (Kusto Query Language) lexer and recursive-descent parser.
//!
//! ```text
//! text --lexer::tokenize--> tokens --parser::Parser--> ast::Query + Vec<SyntaxError>
//! ```
//!
//! [`parse`] never fails and never panics: it always returns a (possibly
//! partial) tree plus `SYN` diagnostics with byte ranges. `Display` on
//! [`ast::Query`] prints canonical KQL that parses back to the same tree.

pub mod ast;
pub mod codes;
mod display;
mod errors;
pub mod lexer;
mod parser;
mod ranges;
pub mod types;

pub use errors::{SyntaxError, SyntaxErrorCode};

/// Result of [`parse`]: the tree and every syntax error, sorted by offset.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub query: ast::Query,
    pub errors: Vec<SyntaxError>,
}

impl Parsed {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Parse KQL `text`. Never fails; see [`Parsed::errors`].
pub fn parse(text: &str) -> Parsed {
    parser::parse(text)
}

#[cfg(test)]
mod tests;
