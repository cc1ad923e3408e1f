//! Output formats of query results: one renderer per file.
//!
//! - [`table`]: for people, on a terminal (typed cells, truncated, numbers
//!   right-aligned);
//! - [`json`]: the API's `tables` exactly as returned, for machines;
//! - [`csv`]: RFC 4180, header and rows of the primary table, for
//!   spreadsheets.
//!
//! [`cell`] turns one JSON value of a typed column into text.

pub mod cell;
pub mod csv;
pub mod json;
pub mod table;

/// How results are printed (`run --format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A table for people (default on a terminal)
    Table,
    /// The API's tables as returned (default off a terminal)
    Json,
    /// Header and rows of the primary table, RFC 4180 quoting
    Csv,
}

impl OutputFormat {
    /// The format an output file's extension asks for (`.json`, `.csv`).
    pub fn from_extension(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "csv" => Some(Self::Csv),
            "txt" => Some(Self::Table),
            _ => None,
        }
    }
}
