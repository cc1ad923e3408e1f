//! Rule tests and back-tests: `[[tests]]` cases run over fixture data
//! (`test`), and a rule replayed over logs the way Sentinel schedules it
//! for each value of a parameter sweep (`backtest`).
//!
//! Execution goes through [`executor::Executor`]: the local engine plugs in
//! there ([`local_executor`]); until it does, `test` and `backtest` say so
//! (`TST006`) instead of pretending.

pub mod backtest;
pub mod codes;
pub mod executor;
pub mod expect;
pub mod junit;
pub mod local;
pub mod parallel;
pub mod prepare;
pub mod report;
pub mod run;
pub mod schemas;
pub mod tables;

pub use executor::{ExecError, Executor, ResultColumn, ResultTable};
pub use tables::{TestTable, TestTables};

/// The executor `test` and `backtest` use: the local KQL engine.
///
/// The one place the engine is plugged in: the embedded KQL engine
/// (`crate::engine`), through [`local::LocalEngine`].
pub fn local_executor() -> Option<&'static dyn Executor> {
    Some(&local::LocalEngine)
}

/// The `TST006` diagnostic for a command that needs an executor.
pub fn no_executor(command: &str) -> crate::diag::Diagnostic {
    crate::diag::Diagnostic::new(codes::NO_EXECUTOR, format!("`{command}` needs a KQL executor, and none is available"))
        .with_note("this build has no local KQL engine; no test was run and none is reported as passed")
        .with_help("use a build with the local engine (`run --local`)")
}
