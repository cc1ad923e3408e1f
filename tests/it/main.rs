//! The single integration-test binary: one module per area.

mod cli;
mod custom;
#[cfg(feature = "emulator")]
mod deploy;
mod equivalence;
mod fixtures;
mod import;
mod injection;
mod lint;
mod outputs;
#[cfg(feature = "emulator")]
mod run;
mod run_local;
mod util;
