//! The `sentinel-forge` binary: parse arguments, run, map to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    restore_default_sigpipe();
    sentinel_forge::cli::main()
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`… | head`) is an
/// error every `print!` turns into a panic. With the default disposition the
/// process ends silently when the reader goes away, as Unix tools do.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any thread exists; it only
    // changes the disposition of one signal.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
