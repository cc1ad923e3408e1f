//! The `sentinel-forge` binary: parse arguments, run, map to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    sentinel_forge::cli::main()
}
