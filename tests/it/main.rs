//! The single integration-test binary: one module per area.

mod architecture;
mod catalog;
mod cli;
mod custom;
#[cfg(feature = "emulator")]
mod deploy;
mod diag_limits;
mod equivalence;
mod fixtures;
mod import;
mod injection;
mod lint;
mod outputs;
mod ownership;
#[cfg(feature = "emulator")]
mod remote;
mod rule_tests;
#[cfg(feature = "emulator")]
mod run;
mod run_local;
mod semantic;
mod skips;
mod util;
mod xsd;
