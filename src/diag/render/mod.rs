//! Output formats for diagnostics: one renderer per file.

pub mod json;
pub mod text;

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// rustc-style code frames
    #[default]
    Text,
    /// one JSON document with every diagnostic and a summary
    Json,
}
