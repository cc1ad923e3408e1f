use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::{Cli, ExitStatus};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> anyhow::Result<ExitStatus> {
    clap_complete::generate(args.shell, &mut Cli::command(), "sentinel-forge", &mut std::io::stdout());
    Ok(ExitStatus::Clean)
}
