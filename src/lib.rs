//! sentinel-forge: Microsoft Sentinel detection content as code.
//!
//! ```text
//! content/*.toml ─▶ content (typed items) ─▶ render (Tera + KQL filters) ─▶ kql (parse)
//!    ─▶ emit (KQL, Sentinel YAML, ARM) ─▶ validate (JSON Schema) ─▶ output (atomic files)
//! ```
//!
//! Start at [`pipeline::compile`]; the CLI in [`cli`] is a thin layer over it.

pub mod cli;
pub mod content;
pub mod deploy;
pub mod diag;
pub mod emit;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod engine;
pub mod error;
pub mod import;
pub mod kql;
pub mod kql_codes;
pub mod lint;
pub mod models;
pub mod output;
pub mod pipeline;
pub mod query;
pub mod render;
pub mod sentinel;
pub mod source;
pub mod span;
pub mod validate;

pub use error::{Error, ErrorKind};
pub use pipeline::{Compiled, ProjectPaths, compile};
