use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::check::Catalog;
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
    /// Check the syntax and meaning (tables, columns, functions, types) of KQL files (or standard input with `-`)
    Check(CheckArgs),
    /// Print the output columns and types of a KQL query (a file or `-`)
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// `.kql` files to check; `-` (or nothing) reads standard input
    pub files: Vec<PathBuf>,
    /// Diagnostics format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Catalog: a TOML file with a `[catalog]` section (as in `sentinel-forge.toml`) or a CustomTables
    /// JSON file, on top of the built-in tables; or a CSV (`table_name,column_name,column_type`) instead of
    /// them. Default: the built-in tables and the `[catalog]` of `./sentinel-forge.toml`
    #[arg(long)]
    pub catalog: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The `.kql` file; `-` (or nothing) reads standard input
    pub file: Option<PathBuf>,
    /// Catalog, as for `kql check --catalog`
    #[arg(long)]
    pub catalog: Option<PathBuf>,
}

pub fn run(g: &GlobalArgs, args: KqlArgs) -> anyhow::Result<ExitStatus> {
    match args.command {
        KqlCommand::Check(args) => check(g, args),
        KqlCommand::Schema(args) => schema(g, args),
    }
}

fn read_input(path: &std::path::Path) -> anyhow::Result<(String, String)> {
    Ok(if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("reading standard input")?;
        ("<stdin>".to_string(), text)
    } else {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading `{}`", path.display()))?;
        (crate::content::display_path(path), text)
    })
}

/// The catalog `--catalog` names, or the built-in one with the `[catalog]`
/// of `./sentinel-forge.toml` (kept for the rest of the run). Problems in a
/// declaration file are diagnostics in `sources`.
fn load_catalog(
    path: Option<&std::path::Path>,
    sources: &mut SourceMap,
    diags: &mut Vec<crate::diag::Diagnostic>,
) -> anyhow::Result<&'static Catalog> {
    let ext = path.and_then(|p| p.extension()).and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let catalog = match (path, ext.as_deref()) {
        (None, _) => {
            let (c, d) = crate::check::load_project_catalog(std::path::Path::new(crate::check::CATALOG_FILE), sources);
            diags.extend(d);
            c
        }
        (Some(p), Some("toml" | "json")) => {
            if !p.is_file() {
                anyhow::bail!("the catalog `{}` does not exist", p.display());
            }
            let (c, d) = crate::check::load_declarations(p, sources);
            diags.extend(d);
            c
        }
        (Some(p), _) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading `{}`", p.display()))?;
            Some(Catalog::from_csv(text).with_context(|| format!("reading the catalog `{}`", p.display()))?)
        }
    };
    Ok(match catalog {
        Some(c) => Box::leak(Box::new(c)),
        None => Catalog::builtin(),
    })
}

fn check(g: &GlobalArgs, args: CheckArgs) -> anyhow::Result<ExitStatus> {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let catalog = load_catalog(args.catalog.as_deref(), &mut sources, &mut diags)?;
    let inputs = if args.files.is_empty() { vec![PathBuf::from("-")] } else { args.files };
    for path in &inputs {
        let (name, text) = read_input(path)?;
        let file = sources.add(name, text);
        let text = &sources.get(file).text;
        diags.extend(crate::kql::codes::syntax_diagnostics(file, text));
        diags.extend(crate::check::semantic_diagnostics(file, text, catalog).0);
    }
    crate::diag::sort_and_dedup(&mut diags);
    crate::diag::render::print(args.format, &diags, &sources, g.color(), g.limit(), &crate::codes::all());
    if args.format == Format::Text {
        if diags.is_empty() {
            eprintln!("{} file(s) checked without findings", inputs.len());
        } else {
            eprintln!("{} finding(s)", diags.len());
        }
    }
    Ok(if diags.iter().any(|d| d.is_error()) { ExitStatus::Findings } else { ExitStatus::Clean })
}

fn schema(g: &GlobalArgs, args: SchemaArgs) -> anyhow::Result<ExitStatus> {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let catalog = load_catalog(args.catalog.as_deref(), &mut sources, &mut diags)?;
    let path = args.file.unwrap_or_else(|| PathBuf::from("-"));
    let (name, text) = read_input(&path)?;
    let file = sources.add(name, text);
    let text = &sources.get(file).text;
    diags.extend(crate::kql::codes::syntax_diagnostics(file, text));
    let (sem, result) = crate::check::semantic_diagnostics(file, text, catalog);
    diags.extend(sem);
    crate::diag::sort_and_dedup(&mut diags);
    if !diags.is_empty() {
        crate::diag::render::print(Format::Text, &diags, &sources, g.color(), g.limit(), &crate::codes::all());
    }
    match result.and_then(|r| r.output_columns) {
        Some(columns) => {
            let width = columns.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
            for (n, t) in columns {
                println!("{n:<width$}  {}", t.map_or("(unknown)", |t| t.name()));
            }
            Ok(if diags.iter().any(|d| d.is_error()) { ExitStatus::Findings } else { ExitStatus::Clean })
        }
        None => {
            eprintln!(
                "the output columns cannot be known (a syntax error, an unknown table or function, or an operator with a data-dependent schema such as `evaluate bag_unpack`)"
            );
            Ok(ExitStatus::Findings)
        }
    }
}
