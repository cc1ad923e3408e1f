use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::cli::{ExitStatus, GlobalArgs};
use crate::diag::render::Format;
use crate::source::SourceMap;

#[derive(Debug, Args)]
pub struct KqlArgs {
    #[command(subcommand)]
    pub command: KqlCommand,
}

#[derive(Debug, Subcommand)]
pub enum KqlCommand {
    /// Check the syntax of KQL files (or standard input with `-`)
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// `.kql` files to check; `-` (or nothing) reads standard input
    pub files: Vec<PathBuf>,
    /// Diagnostics format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(g: &GlobalArgs, args: KqlArgs) -> anyhow::Result<ExitStatus> {
    let KqlCommand::Check(args) = args.command;
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let inputs = if args.files.is_empty() { vec![PathBuf::from("-")] } else { args.files };
    for path in &inputs {
        let (name, text) = if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).context("reading standard input")?;
            ("<stdin>".to_string(), text)
        } else {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading `{}`", path.display()))?;
            (crate::content::display_path(path), text)
        };
        let file = sources.add(name, text);
        diags.extend(crate::kql::codes::syntax_diagnostics(file, &sources.get(file).text));
    }
    crate::diag::sort_and_dedup(&mut diags);
    crate::diag::render::print(args.format, &diags, &sources, g.color(), g.limit(), &crate::codes::all());
    if args.format == Format::Text {
        if diags.is_empty() {
            eprintln!("{} file(s) parsed without syntax errors", inputs.len());
        } else {
            eprintln!("{} syntax error(s)", diags.len());
        }
    }
    Ok(if diags.is_empty() { ExitStatus::Clean } else { ExitStatus::Findings })
}
