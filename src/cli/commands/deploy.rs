//! `deploy --env E`: plan against the workspace, then apply (or only print
//! the plan with `--plan`).

use std::io::{IsTerminal, Write};

use anyhow::Context;
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs, report};
use crate::content::api_versions::ApiVersions;
use crate::deploy::apply::{ApplyOptions, apply, render_summary};
use crate::deploy::auth::AuthKind;
use crate::deploy::client::SentinelClientOptions;
use crate::deploy::plan::{Action, Plan, PlanOptions, plan, render_json, render_table};
use crate::deploy::resource::documents_to_resources;
use crate::deploy::target::Target;
use crate::deploy::{Session, connect, read_actual, runtime};
use crate::diag::render::Format;

/// How a plan is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum PlanFormat {
    /// A table for people
    #[default]
    Text,
    /// One JSON document for machines
    Json,
}

/// Where and how to connect (shared by `deploy` and `diff`).
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Environment: reads content/environments/<NAME>.toml
    #[arg(long, value_name = "NAME")]
    pub env: String,
    /// Credential (default: the environment file's [auth] kind, else auto)
    #[arg(long, value_enum)]
    pub auth: Option<AuthKind>,
    /// Output format of the plan
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Print the plan and change nothing
    #[arg(long)]
    pub plan: bool,
    /// Delete resources this tool deployed that are no longer in the content
    #[arg(long)]
    pub prune: bool,
    /// Do not ask before deleting (required for --prune deletes without a terminal)
    #[arg(long)]
    pub yes: bool,
    /// Requests in flight at once (a request waiting out Retry-After holds no slot)
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Take over workspace resources whose id the content uses but that no
    /// owner manages (made by hand, by `az deployment`, or before owners)
    #[arg(long)]
    pub adopt: bool,
    /// Rebuild this owner's unreadable or missing ownership manifest from the
    /// workspace and the content, then deploy
    #[arg(long)]
    pub repair_manifest: bool,
}

/// What [`prepare`] hands on: the connection, the desired state, how it was
/// planned and the plan.
pub(crate) struct Prepared {
    pub session: Session,
    pub desired: Vec<crate::deploy::resource::Resource>,
    pub options: PlanOptions,
    pub plan: Plan,
}

/// Compile the content, connect, read the workspace and plan.
pub(crate) fn prepare(
    g: &GlobalArgs,
    args: &TargetArgs,
    concurrency: usize,
    modes: (bool, bool),
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<Result<Prepared, ExitStatus>> {
    // The environment's own rendering: its overrides and api-versions apply.
    let env_name = args.target_name();
    let envs = crate::pipeline::Environments::Only(env_name.clone());
    let compiled =
        crate::pipeline::compile_with(&g.paths(), &ApiVersions::default(), envs).context("compile content")?;
    if report(&compiled, Format::Text, g) {
        eprintln!("nothing deployed: fix the errors above");
        return Ok(Err(ExitStatus::Findings));
    }
    let prefix = format!("{env_name}/");
    let documents: Vec<crate::emit::Document> = compiled
        .documents
        .iter()
        .filter_map(|d| {
            d.path.strip_prefix(&prefix).map(|p| crate::emit::Document { path: p.to_string(), ..d.clone() })
        })
        .collect();
    let desired = documents_to_resources(&documents).context("content documents")?;
    let target = Target::load(&g.content, &args.target_name())?;
    let options = SentinelClientOptions { concurrency, ..Default::default() };
    let session = connect(target, args.auth, &|k| std::env::var(k).ok(), Some(options))?;
    eprintln!(
        "workspace {} (resource group {}, environment {}), owner {}, auth {}",
        session.target.workspace,
        session.target.resource_group,
        session.target.name,
        session.target.owner,
        session.auth.name()
    );
    let (adopt, repair_manifest) = modes;
    let options = PlanOptions { owner: session.target.owner.clone(), adopt, repair_manifest };
    let plan = read_and_plan(&session, &desired, &options, rt)?;
    Ok(Ok(Prepared { session, desired, options, plan }))
}

/// Read the workspace and plan (again).
fn read_and_plan(
    session: &Session,
    desired: &[crate::deploy::resource::Resource],
    options: &PlanOptions,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<Plan> {
    let actual = rt.block_on(read_actual(&session.client)).context("read the workspace")?;
    Ok(plan(desired, &actual, options)?)
}

impl TargetArgs {
    fn target_name(&self) -> String {
        self.env.clone()
    }
}

pub fn print_plan(plan: &Plan, format: PlanFormat, prune: bool) {
    match format {
        PlanFormat::Text => print!("{}", render_table(plan, prune)),
        PlanFormat::Json => print!("{}", render_json(plan, prune)),
    }
}

pub fn run(g: &GlobalArgs, args: DeployArgs) -> anyhow::Result<ExitStatus> {
    let rt = runtime().context("start the async runtime")?;
    let modes = (args.adopt, args.repair_manifest);
    let Prepared { session, desired, options: plan_options, mut plan } =
        match prepare(g, &args.target, usize::from(args.concurrency), modes, &rt)? {
            Ok(x) => x,
            Err(status) => return Ok(status),
        };
    if args.plan {
        print_plan(&plan, args.target.format, args.prune);
        return Ok(if plan.blocked.is_empty() { ExitStatus::Clean } else { ExitStatus::Findings });
    }
    if !plan.blocked.is_empty() {
        print_plan(&plan, args.target.format, args.prune);
        eprintln!("nothing deployed: adopt the resources with --adopt, or give the content other ids");
        return Ok(ExitStatus::Findings);
    }
    let deletes = plan.count(Action::Delete);
    if args.prune && deletes > 0 && !args.yes {
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            print_plan(&plan, args.target.format, args.prune);
            eprintln!("refusing to delete {deletes} resource(s) without --yes when not on a terminal; nothing changed");
            return Ok(ExitStatus::Failure);
        }
        print_plan(&plan, PlanFormat::Text, args.prune);
        eprint!("delete {deletes} resource(s) from workspace {}? [y/N] ", session.target.workspace);
        std::io::stderr().flush().ok();
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).ok();
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("aborted; nothing changed");
            return Ok(ExitStatus::Failure);
        }
        // The answer may have taken long: delete only from a fresh picture
        // that still shows what was confirmed.
        if plan.read_at.elapsed() > std::time::Duration::from_secs(30) {
            let fresh = read_and_plan(&session, &desired, &plan_options, &rt)?;
            if fresh.writes() != plan.writes() || !fresh.blocked.is_empty() {
                print_plan(&fresh, PlanFormat::Text, args.prune);
                eprintln!(
                    "the workspace changed while waiting for the answer (new plan above); nothing changed, rerun"
                );
                return Ok(ExitStatus::Failure);
            }
            plan = fresh;
        }
    }
    let options = ApplyOptions {
        concurrency: usize::from(args.concurrency) * 8,
        prune: args.prune,
        progress: std::io::stderr().is_terminal(),
        ..ApplyOptions::default()
    };
    let report = rt.block_on(apply(session.client.clone(), &plan, &options)).context("apply")?;
    match args.target.format {
        PlanFormat::Text => print!("{}", render_summary(&report)),
        PlanFormat::Json => {
            let outcomes: Vec<_> = report
                .outcomes
                .iter()
                .map(|o| {
                    serde_json::json!({
                        "action": o.change.action, "type": o.change.rtype, "name": o.change.name,
                        "displayName": o.change.display_name,
                        "error": o.error.as_ref().map(ToString::to_string),
                    })
                })
                .collect();
            let value = serde_json::json!({ "ok": report.ok(), "outcomes": outcomes, "skippedDeletes": report.skipped_deletes,
                "manifestError": report.manifest_error.as_ref().map(ToString::to_string) });
            println!("{}", serde_json::to_string_pretty(&value).expect("json"));
        }
    }
    if report.ok() {
        Ok(ExitStatus::Clean)
    } else {
        for o in report.failed() {
            eprintln!(
                "error: {} {} `{}` ({}) failed: {}",
                o.change.action.label(),
                o.change.rtype,
                o.change.display_name,
                o.change.name,
                o.error.as_ref().expect("failed")
            );
        }
        if report.failed().next().is_some() {
            eprintln!("{} change(s) failed; the others were applied (rerun to converge)", report.failed().count());
        }
        if let Some(e) = &report.manifest_error {
            eprintln!("error: ownership manifest not updated after the deletes: {e}");
            eprintln!("rerun `sentinel-forge deploy --env {} --prune` to record the deletes", args.target.env);
        }
        Ok(ExitStatus::Findings)
    }
}
