use anyhow::{Context, bail};
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs, report};
use crate::content::api_versions::ApiVersions;
use crate::diag::render::Format;
use crate::pipeline::Environments;

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
    /// Show the item as environment NAME renders it (with its overrides)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
}

pub fn run(g: &GlobalArgs, args: ShowArgs) -> anyhow::Result<ExitStatus> {
    let envs = match &args.env {
        Some(name) => Environments::Only(name.clone()),
        None => Environments::None,
    };
    let compiled = crate::pipeline::compile_with(&g.paths(), &ApiVersions::default(), envs).context("show")?;
    let Some(index) = compiled.find(&args.id) else {
        report(&compiled, Format::Text, g);
        bail!("no content item with id, file stem or name `{}` (see `sentinel-forge list`)", args.id);
    };
    let item = &compiled.items[index];
    let kind = if args.yaml {
        "yaml/"
    } else if args.arm {
        "arm/"
    } else {
        "kql/"
    };
    let prefix = match &args.env {
        Some(name) => format!("{name}/{kind}"),
        None => kind.to_string(),
    };
    let doc =
        compiled.documents.iter().find(|d| d.path.starts_with(&prefix) && d.path.contains(&format!("/{}.", item.slug)));
    match doc {
        Some(doc) => {
            print!("{}", doc.text);
            let own: Vec<_> = compiled.diagnostics.iter().filter(|d| d.is_error()).collect();
            Ok(if own.is_empty() { ExitStatus::Clean } else { ExitStatus::Findings })
        }
        None => {
            report(&compiled, Format::Text, g);
            Ok(ExitStatus::Findings)
        }
    }
}
