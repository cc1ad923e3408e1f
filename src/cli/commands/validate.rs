use anyhow::Context;
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs, report};
use crate::diag::render::Format;
use crate::emit::EmitOptions;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Diagnostics format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(g: &GlobalArgs, args: ValidateArgs) -> anyhow::Result<ExitStatus> {
    let compiled = crate::compile(&g.paths(), &EmitOptions::default()).context("validate")?;
    if report(&compiled, args.format, g.color()) {
        return Ok(ExitStatus::Findings);
    }
    if args.format == Format::Text {
        eprintln!("{} items valid ({} documents checked)", compiled.items.len(), compiled.documents.len());
    }
    Ok(ExitStatus::Clean)
}
