//! sentinel-forge: Microsoft Sentinel detection content as code.
//!
//! ```text
//! content/*.toml ─▶ content (typed items) ─▶ render (Tera + KQL filters) ─▶ kql (parse)
//!    ─▶ emit (KQL, Sentinel YAML, ARM) ─▶ schema_check (JSON Schema) ─▶ output (atomic files)
//! ```
//!
//! Start at [`pipeline::compile`]; the CLI in [`cli`] is a thin layer over it.
//! The modules are layers (`ARCHITECTURE.md`, enforced by
//! `tests/it/architecture.rs`): each uses only the ones below it.

pub mod check;
pub mod cli;
pub mod codes;
pub mod content;
pub mod deploy;
pub mod diag;
pub mod emit;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod engine;
pub mod error;
pub mod import;
pub mod kind;
pub mod kql;
pub mod lint;
pub mod models;
pub mod output;
pub mod params;
pub mod pipeline;
pub mod query;
pub mod render;
pub mod rule_tests;
pub mod schema_check;
pub mod sentinel;
pub mod source;
pub mod span;
pub mod timespan;

pub use error::{Error, ErrorKind};
pub use pipeline::{Compiled, ProjectPaths, compile};

/// Every binary linking the library (the CLI, examples, tests) allocates
/// through mimalloc: the local engine's many small, short-lived cells made
/// glibc's allocator fragment and slow down over repeated queries.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
