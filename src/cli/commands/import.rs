//! `import PATH…` / `import --from-workspace --env E`: existing Sentinel
//! content → content TOML + custom query templates.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};

use crate::cli::{ExitStatus, GlobalArgs};
use crate::deploy::auth::AuthKind;
use crate::deploy::resource::ResourceType;
use crate::deploy::target::Target;
use crate::deploy::{connect, read_actual, runtime};
use crate::diag::render::Format;
use crate::import::{self, Existing, Source};
use crate::pipeline::{Environments, ProjectPaths};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Sentinel YAML files, ARM exports (alertRules, savedSearches) or solution mainTemplate.json files;
    /// directories are searched for *.yaml, *.yml and *.json
    #[arg(value_name = "PATH", required_unless_present = "from_workspace")]
    pub paths: Vec<PathBuf>,
    /// Read the analytic rules and hunting queries of the environment's workspace instead
    #[arg(long, requires = "env", conflicts_with = "paths")]
    pub from_workspace: bool,
    /// Environment (content/environments/<NAME>.toml) whose workspace --from-workspace reads
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Credential for --from-workspace (default: the environment file's [auth] kind, else auto)
    #[arg(long, value_enum)]
    pub auth: Option<AuthKind>,
    /// Replace content items that already have an imported id
    #[arg(long)]
    pub force: bool,
    /// Report what would be written, write nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(g: &GlobalArgs, args: ImportArgs) -> anyhow::Result<ExitStatus> {
    let sources = if args.from_workspace {
        let Some(env) = &args.env else { bail!("--from-workspace needs --env") };
        from_workspace(g, env, args.auth)?
    } else {
        import::read_paths(&args.paths)?
    };
    let existing =
        Existing::scan(&g.content).and_then(|e| e.with_templates(&g.templates)).context("read existing content")?;
    let (planned, skipped) = import::plan(sources, &existing, args.force);
    for p in &planned {
        let target = match &p.replaces {
            Some(path) => format!("{} (replaced)", crate::content::display_path(path)),
            None => crate::content::display_path(&g.content.join(&p.content_file)),
        };
        println!("imported  {target} + {}  <- {}", display_template(g, p), p.origin);
    }
    for s in &skipped {
        let what = if s.conflict { "conflict" } else { "skipped " };
        println!("{what}  {}: {}", s.origin, s.reason);
    }
    let conflicts = skipped.iter().filter(|s| s.conflict).count();
    eprintln!(
        "{} imported, {} skipped, {conflicts} conflict(s){}",
        planned.len(),
        skipped.len() - conflicts,
        if args.dry_run { " (dry run: nothing written)" } else { "" }
    );
    if !planned.is_empty() {
        // A dry run checks a scratch copy of the project with the files
        // written, so it finds exactly what the real import would.
        let clean = if args.dry_run {
            let scratch = tempfile::tempdir().context("create a scratch directory for the dry run")?;
            let paths =
                ProjectPaths { content: scratch.path().join("content"), templates: scratch.path().join("templates") };
            copy_dir(&g.content, &paths.content)?;
            copy_dir(&g.templates, &paths.templates)?;
            let moved: Vec<import::Planned> = planned
                .iter()
                .map(|p| {
                    let mut p = p.clone();
                    p.replaces = p.replaces.map(|r| paths.content.join(r.strip_prefix(&g.content).unwrap_or(&r)));
                    p
                })
                .collect();
            import::write_planned(&moved, &paths.content, &paths.templates)?;
            check_imported(g, &paths, &moved)?
        } else {
            import::write_planned(&planned, &g.content, &g.templates)?;
            check_imported(g, &g.paths(), &planned)?
        };
        if !clean {
            if args.dry_run {
                eprintln!("the import would write these items with the problems above (they came with the input)");
            } else {
                eprintln!("imported as written; fix the problems above before `generate` (they came with the input)");
            }
            return Ok(ExitStatus::Findings);
        }
        if !args.dry_run {
            eprintln!("next: `sentinel-forge generate` renders them; `sentinel-forge templates` lists their queries");
        }
    }
    Ok(if skipped.is_empty() { ExitStatus::Clean } else { ExitStatus::Findings })
}

/// Copy a directory tree (an absent one stays absent).
fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    if !from.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(from).follow_links(true) {
        let entry = entry.with_context(|| format!("reading `{}`", from.display()))?;
        let target = to.join(entry.path().strip_prefix(from).unwrap_or(entry.path()));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).with_context(|| format!("creating `{}`", target.display()))?;
        } else {
            std::fs::copy(entry.path(), &target).with_context(|| format!("copying `{}`", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Run the pipeline once over the project at `paths` and show the problems
/// of the imported items (non-ASCII text, unknown techniques, KQL the parser
/// rejects...): content the input had, which `generate` would refuse.
/// Paths are shown as in the real project. Returns whether the imported
/// items are clean.
fn check_imported(g: &GlobalArgs, paths: &ProjectPaths, planned: &[import::Planned]) -> anyhow::Result<bool> {
    let mut compiled =
        crate::pipeline::compile_with(paths, &crate::content::api_versions::ApiVersions::default(), Environments::None)
            .context("check the imported content")?;
    let imported: Vec<String> = planned
        .iter()
        .map(|p| crate::content::display_path(p.replaces.as_deref().unwrap_or(&paths.content.join(&p.content_file))))
        .collect();
    for (scratch, real) in [(&paths.content, &g.content), (&paths.templates, &g.templates)] {
        if scratch != real {
            compiled
                .sources
                .replace_path_prefix(&crate::content::display_path(scratch), &crate::content::display_path(real));
        }
    }
    let imported: Vec<String> = imported
        .into_iter()
        .map(|p| {
            p.replacen(&crate::content::display_path(&paths.content), &crate::content::display_path(&g.content), 1)
        })
        .collect();
    let touches_import = |d: &crate::diag::Diagnostic| {
        d.primary.iter().chain(&d.secondary).any(|l| imported.contains(&compiled.sources.get(l.file).path))
    };
    let problems: Vec<crate::diag::Diagnostic> =
        compiled.diagnostics.iter().filter(|d| d.is_error() && touches_import(d)).cloned().collect();
    crate::diag::render::print(Format::Text, &problems, &compiled.sources, g.color(), g.limit(), &[]);
    Ok(problems.is_empty())
}

fn display_template(g: &GlobalArgs, p: &import::Planned) -> String {
    crate::content::display_path(&g.templates.join(&p.template_file))
}

/// Every alert rule and hunting query of the environment's workspace, as
/// import sources (through the same client `deploy` uses).
fn from_workspace(g: &GlobalArgs, env: &str, auth: Option<AuthKind>) -> anyhow::Result<Vec<Source>> {
    let target = Target::load(&g.content, env)?;
    let session = connect(target, auth, &|k| std::env::var(k).ok(), None)?;
    eprintln!("reading workspace {} (environment {env}, auth {})", session.target.workspace, session.auth.name());
    let rt = runtime().context("start the async runtime")?;
    let actual = rt.block_on(read_actual(&session.client)).context("read the workspace")?;
    let mut sources = Vec::new();
    for (rtype, list) in
        [(ResourceType::AlertRule, &actual.alert_rules), (ResourceType::SavedSearch, &actual.saved_searches)]
    {
        let arm_type = match rtype {
            ResourceType::AlertRule => "Microsoft.SecurityInsights/alertRules",
            ResourceType::SavedSearch => "Microsoft.OperationalInsights/workspaces/savedSearches",
        };
        let bodies: Vec<Value> = list
            .iter()
            .map(|r| {
                let mut body = r.body.clone();
                if let Some(obj) = body.as_object_mut() {
                    obj.entry("type").or_insert(json!(arm_type));
                    obj.entry("name").or_insert(json!(r.name));
                }
                body
            })
            .collect();
        for found in import::sources::from_arm_value(&Value::Array(bodies)) {
            let origin = format!("workspace {} {}", rtype, found.label);
            sources.push(Source { origin, result: found.result });
        }
    }
    Ok(sources)
}
