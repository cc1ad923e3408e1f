//! The single integration-test binary: one module per area.

mod cli;
mod equivalence;
mod fixtures;
mod injection;
mod outputs;
mod util;
