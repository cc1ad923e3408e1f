//! One file per subcommand.

pub mod backtest;
pub mod completions;
pub mod deploy;
pub mod diff;
#[cfg(feature = "emulator")]
pub mod emulate;
pub mod explain;
pub mod generate;
pub mod import;
pub mod kql;
pub mod list;
pub mod new;
pub mod run;
pub mod run_local;
pub mod schema;
pub mod show;
pub mod templates;
pub mod test;
pub mod validate;
