//! One file per subcommand.

pub mod completions;
pub mod explain;
pub mod generate;
pub mod kql;
pub mod list;
pub mod new;
pub mod show;
pub mod templates;
pub mod validate;
