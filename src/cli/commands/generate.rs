use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs, report};
use crate::content::api_versions::ApiVersions;
use crate::diag::render::Format;
use crate::emit;
use crate::output;
use crate::pipeline::Environments;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Render only this environment (`content/environments/NAME.toml`) into `<out>/NAME/`;
    /// without it, the default and every environment are rendered
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Output directory (replaced as a whole, atomically)
    #[arg(long, value_name = "DIR", default_value = "generated")]
    pub out: PathBuf,
    /// Write nothing; exit 1 and list the files that would change
    #[arg(long)]
    pub check: bool,
    /// Replace the output directory even though sentinel-forge did not write it
    /// (it has files and no `.sentinel-forge-output` marker)
    #[arg(long)]
    pub force: bool,
    /// Write an empty tree when there are no content items, emptying a non-empty output
    #[arg(long)]
    pub allow_empty: bool,
    /// Do not run the rule tests (`[[tests]]` of the content, as `sentinel-forge test` runs them)
    /// before writing
    #[arg(long)]
    pub no_test: bool,
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
    let options = ApiVersions {
        saved_searches_api_version: args.saved_searches_api_version,
        scheduled_api_version: args.scheduled_api_version,
        nrt_api_version: args.nrt_api_version,
    };
    let envs = match &args.env {
        Some(name) => Environments::Only(name.clone()),
        None => Environments::All,
    };
    let mut compiled = crate::pipeline::compile_with(&g.paths(), &options, envs).context("generate")?;
    crate::check::check_compiled(&mut compiled, &g.paths().templates, std::path::Path::new(crate::check::CATALOG_FILE));
    let out = match &args.env {
        Some(name) => args.out.join(name),
        None => args.out.clone(),
    };
    if report(&compiled, args.format, g) {
        eprintln!("nothing written: fix the errors above (`{}` is unchanged)", out.display());
        return Ok(ExitStatus::Findings);
    }
    // The rule tests gate the output like any other error: nothing is
    // written (and `--check` fails) while one fails.
    let tested = if args.no_test {
        String::new()
    } else {
        match super::test::run_for_generate(g)? {
            Some(0) => String::new(),
            Some(n) => format!("; {n} rule test(s) passed"),
            None => {
                eprintln!("nothing written: a rule test failed (`{}` is unchanged)", out.display());
                return Ok(ExitStatus::Findings);
            }
        }
    };
    let mut files = emit::to_file_map(&compiled.documents);
    if let Some(name) = &args.env {
        let prefix = format!("{name}/");
        files = files.into_iter().filter_map(|(k, v)| k.strip_prefix(&prefix).map(|k| (k.to_string(), v))).collect();
    }
    if args.check {
        let stale = output::check(&out, &files)?;
        if stale.is_clean() {
            eprintln!("{} is up to date ({} files{tested})", out.display(), files.len());
            return Ok(ExitStatus::Clean);
        }
        for (what, list) in [("new", &stale.created), ("changed", &stale.changed), ("deleted", &stale.deleted)] {
            for f in list {
                println!("{what}: {}/{f}", out.display());
            }
        }
        eprintln!("{} is stale: run `sentinel-forge generate`", out.display());
        return Ok(ExitStatus::Findings);
    }
    let options = output::TreeOptions { force: args.force, allow_empty: args.allow_empty };
    let written = output::write_tree(&out, &files, options, &[&g.content, &g.templates])?;
    for w in &written.warnings {
        eprintln!("warning: {w}");
    }
    eprintln!("wrote {} files for {} items to {}{tested}", files.len(), compiled.items.len(), out.display());
    Ok(ExitStatus::Clean)
}
