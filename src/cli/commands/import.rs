//! `import PATH…` / `import --from-workspace --env E`: existing Sentinel
//! content → content TOML + custom query templates.

use std::path::PathBuf;

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
use crate::pipeline::Environments;

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
    let existing = Existing::scan(&g.content).context("read existing content")?;
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
    if !args.dry_run {
        import::write_planned(&planned, &g.content, &g.templates)?;
        if !planned.is_empty() && check_imported(g, &planned)? {
            eprintln!("next: `sentinel-forge generate` renders them; `sentinel-forge templates` lists their queries");
        } else if !planned.is_empty() {
            eprintln!("imported as written; fix the problems above before `generate` (they came with the input)");
            return Ok(ExitStatus::Findings);
        }
    }
    Ok(if skipped.is_empty() { ExitStatus::Clean } else { ExitStatus::Findings })
}

/// Run the pipeline once over the project and show the problems of the
/// imported items (non-ASCII text, unknown techniques, KQL the parser
/// rejects...): content the input had, which `generate` would refuse.
/// Returns whether the imported items are clean.
fn check_imported(g: &GlobalArgs, planned: &[import::Planned]) -> anyhow::Result<bool> {
    let compiled = crate::pipeline::compile_with(&g.paths(), &crate::emit::EmitOptions::default(), Environments::None)
        .context("check the imported content")?;
    let imported: Vec<String> = planned
        .iter()
        .map(|p| crate::content::display_path(p.replaces.as_deref().unwrap_or(&g.content.join(&p.content_file))))
        .collect();
    let touches_import = |d: &crate::diag::Diagnostic| {
        d.primary.iter().chain(&d.secondary).any(|l| imported.contains(&compiled.sources.get(l.file).path))
    };
    let problems: Vec<crate::diag::Diagnostic> =
        compiled.diagnostics.iter().filter(|d| d.is_error() && touches_import(d)).cloned().collect();
    crate::diag::render::print(Format::Text, &problems, &compiled.sources, g.color(), g.limit());
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
