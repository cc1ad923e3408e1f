//! The command line: clap definitions (raw flags only) and dispatch.
//!
//! Each subcommand lives in `commands/<name>.rs` and returns an
//! [`ExitStatus`]; `anyhow` is used here and nowhere else in the crate.

pub mod commands;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::diag::render::Format;
use crate::pipeline::ProjectPaths;

/// Exit status: 0 clean, 1 findings (diagnostics, stale files), 2 the tool
/// could not proceed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    Clean,
    Findings,
    Failure,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        ExitCode::from(match s {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Failure => 2,
        })
    }
}

/// Microsoft Sentinel detection content as code: typed hunt models tuned in
/// TOML, rendered to KQL, Sentinel YAML and ARM, validated before anything
/// is written.
#[derive(Debug, Parser)]
#[command(name = "sentinel-forge", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Directory of content TOML files
    #[arg(long, global = true, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
    /// Directory of Tera query templates
    #[arg(long, global = true, value_name = "DIR", default_value = "templates")]
    pub templates: PathBuf,
    /// When to colour diagnostics (`auto` follows the terminal and NO_COLOR)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print at most N diagnostics as text (at most a quarter of N per file), then how many were left out;
    /// 0 prints all. JSON, SARIF and GitHub output always list all
    #[arg(long, global = true, value_name = "N", default_value_t = crate::diag::render::text::DEFAULT_MAX_DIAGNOSTICS)]
    pub max_diagnostics: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl GlobalArgs {
    pub fn paths(&self) -> ProjectPaths {
        ProjectPaths { content: self.content.clone(), templates: self.templates.clone() }
    }

    /// How many diagnostics the text form prints.
    pub fn limit(&self) -> crate::diag::render::text::Limit {
        crate::diag::render::text::Limit::from_max(self.max_diagnostics)
    }

    /// Colour for stderr output.
    pub fn color(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render every content item to KQL, Sentinel YAML and ARM under the output directory
    ///
    /// Everything is validated first; when any error is found nothing is
    /// written and the previous output stays as it was. Writes are atomic.
    Generate(commands::generate::GenerateArgs),
    /// Run the whole pipeline without writing anything and report every problem
    ///
    /// With PATHs, lint the Sentinel analytic-rule and hunting-query YAML and ARM templates
    /// found there instead (`sentinel-forge explain SNT001` … `SNT034`).
    Validate(commands::validate::ValidateArgs),
    /// List the content items (id, kind, model, name, file)
    List(commands::list::ListArgs),
    /// Print one rendered item: its KQL (default), YAML or ARM template
    Show(commands::show::ShowArgs),
    /// List the built-in hunt models, or every parameter of one model
    Templates(commands::templates::TemplatesArgs),
    /// Convert Sentinel YAML, ARM exports, solution packages or a live workspace into content TOML
    ///
    /// Each rule or hunting query becomes a content file with `template = "custom"` and its query
    /// template under templates/custom/. Ids already used by content are reported, never
    /// overwritten without --force.
    Import(commands::import::ImportArgs),
    /// Write a new content file for a model with its defaults and a fresh id
    New(commands::new::NewArgs),
    /// Print the documentation of a diagnostic code (e.g. CNT005 or out-of-range)
    Explain(commands::explain::ExplainArgs),
    /// Print the JSON Schema of content or environment TOML (taplo / Even Better TOML)
    Schema(commands::schema::SchemaArgs),
    /// Print a shell completion script
    Completions(commands::completions::CompletionsArgs),
    /// Deploy to a Sentinel workspace: plan, apply, prune (see --plan, --prune)
    Deploy(commands::deploy::DeployArgs),
    /// Compare the workspace with the content; exit 1 on drift (e.g. a portal edit)
    Diff(commands::diff::DiffArgs),
    /// Run an item's query or a KQL file on a Log Analytics workspace and print the rows
    Run(commands::run::RunArgs),
    /// Run the local ARM/Sentinel emulator (for tests and trying deploys offline)
    #[cfg(feature = "emulator")]
    Emulate(commands::emulate::EmulateArgs),
    /// KQL tools: `kql check FILE…` reports syntax errors with spans
    Kql(commands::kql::KqlArgs),
    /// Run the `[[tests]]` of content items on the local KQL engine; exit 1 on any failure
    Test(commands::test::TestArgs),
    /// Replay a rule over exported logs for each value of a parameter sweep
    ///
    /// One evaluation every queryFrequency over queryPeriod, the trigger and suppression
    /// applied; alerts, entities and alerts per day for each value.
    Backtest(commands::backtest::BacktestArgs),
}

/// Parse arguments, run, and map the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitStatus::Failure.into()
        }
    }
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    let g = &cli.global;
    match cli.command {
        Command::Generate(args) => commands::generate::run(g, args),
        Command::Validate(args) => commands::validate::run(g, args),
        Command::List(args) => commands::list::run(g, args),
        Command::Show(args) => commands::show::run(g, args),
        Command::Templates(args) => commands::templates::run(g, args),
        Command::New(args) => commands::new::run(g, args),
        Command::Import(args) => commands::import::run(g, args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Schema(args) => commands::schema::run(args),
        Command::Completions(args) => commands::completions::run(args),
        Command::Kql(args) => commands::kql::run(g, args),
        Command::Deploy(args) => commands::deploy::run(g, args),
        Command::Diff(args) => commands::diff::run(g, args),
        Command::Run(args) => commands::run::run(g, args),
        Command::Test(args) => commands::test::run(g, args),
        Command::Backtest(args) => commands::backtest::run(g, args),
        #[cfg(feature = "emulator")]
        Command::Emulate(args) => commands::emulate::run(g, args),
    }
}

/// Print diagnostics to stderr in the chosen format; returns whether any is an error.
pub fn report(compiled: &crate::Compiled, format: Format, g: &GlobalArgs) -> bool {
    crate::diag::render::print(
        format,
        &compiled.diagnostics,
        &compiled.sources,
        g.color(),
        g.limit(),
        &crate::codes::all(),
    );
    if format == Format::Text {
        let errors = compiled.diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = compiled.diagnostics.len() - errors;
        if errors + warnings > 0 {
            eprintln!("{errors} error(s), {warnings} warning(s)");
        }
    }
    compiled.has_errors()
}
