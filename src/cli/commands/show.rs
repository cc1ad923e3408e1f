use anyhow::{Context, bail};
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs, report};
use crate::diag::render::Format;
use crate::emit::EmitOptions;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The item: its id, file stem or name
    pub id: String,
    /// Print the rendered KQL (default)
    #[arg(long, group = "what")]
    pub kql: bool,
    /// Print the Sentinel YAML
    #[arg(long, group = "what")]
    pub yaml: bool,
    /// Print the ARM template
    #[arg(long, group = "what")]
    pub arm: bool,
}

pub fn run(g: &GlobalArgs, args: ShowArgs) -> anyhow::Result<ExitStatus> {
    let compiled = crate::compile(&g.paths(), &EmitOptions::default()).context("show")?;
    let Some(index) = compiled.find(&args.id) else {
        report(&compiled, Format::Text, g.color());
        bail!("no content item with id, file stem or name `{}` (see `sentinel-forge list`)", args.id);
    };
    let item = &compiled.items[index];
    let prefix = if args.yaml {
        "yaml/"
    } else if args.arm {
        "arm/"
    } else {
        "kql/"
    };
    let doc =
        compiled.documents.iter().find(|d| d.path.starts_with(prefix) && d.path.contains(&format!("/{}.", item.slug)));
    match doc {
        Some(doc) => {
            print!("{}", doc.text);
            let own: Vec<_> = compiled.diagnostics.iter().filter(|d| d.is_error()).collect();
            Ok(if own.is_empty() { ExitStatus::Clean } else { ExitStatus::Findings })
        }
        None => {
            report(&compiled, Format::Text, g.color());
            Ok(ExitStatus::Findings)
        }
    }
}
