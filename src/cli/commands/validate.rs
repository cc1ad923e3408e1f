//! `validate`: with no paths, run the content pipeline without writing; with
//! paths, lint every Sentinel rule, hunting query and ARM template found there.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs, report};
use crate::content::api_versions::ApiVersions;
use crate::diag::render::{Format, github, json, sarif, text};
use crate::lint::{LintConfig, LintOptions, Selection};

/// Project configuration file read from the working directory.
pub const CONFIG_FILE: &str = "sentinel-forge.toml";

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files or directories to lint (Sentinel analytic-rule and hunting-query
    /// YAML, ARM templates); without paths the content pipeline is validated
    pub paths: Vec<PathBuf>,
    /// Diagnostics format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Only report these codes, names or code prefixes (e.g. `SNT0`, `SNT015`, `duplicate-template-id`); replaces `[lint] select`
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Never report these codes, names or prefixes; added to `[lint] ignore`
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Git revision to compare with. Linting paths: ids must not change, versions must grow when the query
    /// changed. Validating content: only diagnostics in files changed since REV are reported
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Sentinel CI's structure skip list (JSON array of template ids, SkipStrcutreValidationsTemplates.json)
    #[arg(long, value_name = "FILE")]
    pub structure_skip_list: Option<PathBuf>,
}

pub fn run(g: &GlobalArgs, args: ValidateArgs) -> anyhow::Result<ExitStatus> {
    if !args.paths.is_empty() {
        return lint(g, args);
    }
    if !args.select.is_empty() || !args.ignore.is_empty() || args.structure_skip_list.is_some() {
        bail!("--select, --ignore and --structure-skip-list apply when linting paths: `validate PATH…`");
    }
    let changed = match &args.base {
        Some(rev) => Some(changed_files(&g.content, rev)?),
        None => None,
    };
    let mut compiled = crate::compile(&g.paths(), &ApiVersions::default()).context("validate")?;
    crate::check::check_compiled(&mut compiled, &g.paths().templates, std::path::Path::new(crate::check::CATALOG_FILE));
    if let (Some(changed), Some(rev)) = (&changed, &args.base) {
        let before = compiled.diagnostics.len();
        let sources = &compiled.sources;
        compiled.diagnostics.retain(|d| {
            let labels: Vec<_> = d.primary.iter().chain(&d.secondary).collect();
            labels.is_empty() || labels.iter().any(|l| is_changed(changed, &sources.get(l.file).path))
        });
        let hidden = before - compiled.diagnostics.len();
        if hidden > 0 && args.format == Format::Text {
            eprintln!("--base {rev}: {hidden} diagnostic(s) in files unchanged since {rev} not shown");
        }
    }
    if report(&compiled, args.format, g) {
        return Ok(ExitStatus::Findings);
    }
    if compiled.items.is_empty() {
        eprintln!("error: nothing to check: no content items under `{}`", g.content.display());
        return Ok(ExitStatus::Findings);
    }
    if args.format == Format::Text {
        eprintln!("{} items valid ({} documents checked)", compiled.items.len(), compiled.documents.len());
    }
    Ok(ExitStatus::Clean)
}

/// The codes `validate PATH…` reports: the linter's `SNT` and the checker's `SEM`.
fn lint_codes() -> Vec<crate::diag::Code> {
    let mut codes = crate::lint::codes();
    codes.extend(crate::check::codes::codes());
    codes
}

fn lint(g: &GlobalArgs, args: ValidateArgs) -> anyhow::Result<ExitStatus> {
    let config = LintConfig::load(std::path::Path::new(CONFIG_FILE)).map_err(anyhow::Error::msg)?.unwrap_or_default();
    let select = if args.select.is_empty() { config.select } else { args.select };
    let ignore: Vec<String> = config.ignore.into_iter().chain(args.ignore).collect();
    let selection = Selection::new(select, ignore, &lint_codes()).map_err(anyhow::Error::msg)?;
    let structure_skip_ids = match &args.structure_skip_list {
        None => Vec::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str::<Vec<String>>(&text)
                .with_context(|| format!("{}: expected a JSON array of template ids", path.display()))?
        }
    };
    // The `[catalog]` section: a broken declaration stops the run before any file is read.
    let mut config_sources = crate::source::SourceMap::new();
    let (catalog, config_diags) =
        crate::check::load_project_catalog(std::path::Path::new(CONFIG_FILE), &mut config_sources);
    if !config_diags.is_empty() {
        crate::diag::render::print(
            args.format,
            &config_diags,
            &config_sources,
            g.color(),
            g.limit(),
            &crate::codes::all(),
        );
        if config_diags.iter().any(|d| d.is_error()) {
            return Ok(ExitStatus::Findings);
        }
    }
    let options = LintOptions {
        selection,
        base: args.base,
        structure_skip_ids,
        limits: None,
        max_file_bytes: None,
        catalog: catalog.map(std::sync::Arc::new),
    };
    let report = crate::lint::lint_paths(&args.paths, &options).context("validate")?;
    let diags = &report.diagnostics;
    match args.format {
        Format::Text => eprint!("{}", text::render_limited(diags, &report.sources, g.color(), g.limit())),
        Format::Json => print!("{}", json::render(diags, &report.sources)),
        Format::Sarif => print!("{}", sarif::render_with_rules(diags, &report.sources, &lint_codes())),
        Format::Github => print!("{}", github::render(diags, &report.sources)),
    }
    for skipped in &report.skipped {
        eprintln!("skipped {}: {}", skipped.path, skipped.reason);
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    eprintln!(
        "{} files read, {} with Sentinel content ({} documents), {} skipped: {errors} error(s), {warnings} warning(s)",
        report.files_seen,
        report.files_checked,
        report.documents,
        report.skipped.len()
    );
    // A run that checked nothing must not pass: a wrong path or a tree
    // with no Sentinel files would otherwise look like clean content.
    if report.files_checked == 0 && errors == 0 {
        eprintln!(
            "error: nothing to check: no Sentinel analytic rule, hunting query or ARM template under {}",
            args.paths.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", ")
        );
        return Ok(ExitStatus::Findings);
    }
    Ok(if errors > 0 { ExitStatus::Findings } else { ExitStatus::Clean })
}

/// Files that differ from git revision `rev` (committed, staged, unstaged or untracked), canonical paths.
fn changed_files(content: &std::path::Path, rev: &str) -> anyhow::Result<std::collections::HashSet<PathBuf>> {
    let dir = if content.as_os_str().is_empty() { std::path::Path::new(".") } else { content };
    let git = |args: &[&str]| -> anyhow::Result<String> {
        let out =
            std::process::Command::new("git").arg("-C").arg(dir).args(args).output().context("--base: running git")?;
        if !out.status.success() {
            bail!("--base {rev}: git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?.trim());
    let diff = git(&["diff", "--name-only", rev, "--"])?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "--full-name"])?;
    Ok(diff
        .lines()
        .chain(untracked.lines())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let p = top.join(l);
            std::fs::canonicalize(&p).unwrap_or(p)
        })
        .collect())
}

/// Whether a source path (a file, or a rendered query named after its content file) is among `changed`.
fn is_changed(changed: &std::collections::HashSet<PathBuf>, source: &str) -> bool {
    let file = source.split(" (rendered ").next().unwrap_or(source);
    std::fs::canonicalize(file).is_ok_and(|p| changed.contains(&p))
}
