use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs, report};
use crate::diag::render::Format;
use crate::emit::{self, EmitOptions};
use crate::output;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Output directory (replaced as a whole, atomically)
    #[arg(long, value_name = "DIR", default_value = "generated")]
    pub out: PathBuf,
    /// Write nothing; exit 1 and list the files that would change
    #[arg(long)]
    pub check: bool,
    /// Diagnostics format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// api-version of the savedSearches resources in the ARM templates
    #[arg(long, value_name = "VERSION", default_value = "2025-02-01")]
    pub saved_searches_api_version: String,
    /// api-version of Scheduled alertRules (a stable version)
    #[arg(long, value_name = "VERSION", default_value = "2025-12-01")]
    pub scheduled_api_version: String,
    /// api-version of NRT alertRules (NRT exists only in preview versions)
    #[arg(long, value_name = "VERSION", default_value = "2025-07-01-preview")]
    pub nrt_api_version: String,
}

pub fn run(g: &GlobalArgs, args: GenerateArgs) -> anyhow::Result<ExitStatus> {
    let options = EmitOptions {
        saved_searches_api_version: args.saved_searches_api_version,
        scheduled_api_version: args.scheduled_api_version,
        nrt_api_version: args.nrt_api_version,
    };
    let compiled = crate::compile(&g.paths(), &options).context("generate")?;
    if report(&compiled, args.format, g.color()) {
        eprintln!("nothing written: fix the errors above (`{}` is unchanged)", args.out.display());
        return Ok(ExitStatus::Findings);
    }
    let files = emit::to_file_map(&compiled.documents);
    if args.check {
        let stale = output::check(&args.out, &files)?;
        if stale.is_clean() {
            eprintln!("{} is up to date ({} files)", args.out.display(), files.len());
            return Ok(ExitStatus::Clean);
        }
        for (what, list) in [("new", &stale.created), ("changed", &stale.changed), ("deleted", &stale.deleted)] {
            for f in list {
                println!("{what}: {}/{f}", args.out.display());
            }
        }
        eprintln!("{} is stale: run `sentinel-forge generate`", args.out.display());
        return Ok(ExitStatus::Findings);
    }
    output::write_tree(&args.out, &files)?;
    eprintln!("wrote {} files for {} items to {}", files.len(), compiled.items.len(), args.out.display());
    Ok(ExitStatus::Clean)
}
