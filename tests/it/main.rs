//! The single integration-test binary: one module per area.

mod architecture;
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
mod run;
mod skips;
mod util;
