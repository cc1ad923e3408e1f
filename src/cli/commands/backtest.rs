//! `backtest ID --local DIR | --env E | --workspace-id GUID | --cluster URL --database DB
//! --sweep PARAM=v1,v2 … [--from T --to T] [--format table|json|csv] [--plot FILE.svg]`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs};
use crate::deploy::auth::AuthKind;
use crate::diag::render::text;
use crate::query::workspace::WorkspaceId;
use crate::rule_tests::backtest::remote::Remote;
use crate::rule_tests::backtest::{self, BacktestError, Range, Sweep, output, plot};
use crate::rule_tests::prepare::Project;
use crate::rule_tests::tables::parse_datetime;
use crate::rule_tests::{self};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum BacktestFormat {
    #[default]
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The item (id, file stem or name)
    pub id: String,
    /// Exported logs: a directory of per-table .jsonl/.csv/.json files (or one file)
    #[arg(long, value_name = "DIR", required_unless_present_any = ["workspace_id", "cluster", "env"],
          conflicts_with_all = ["workspace_id", "cluster"])]
    pub local: Option<PathBuf>,
    /// Replay on this Log Analytics workspace (a GUID) instead; without --local, --env's
    /// workspace is used
    #[arg(long, value_name = "GUID", value_parser = |s: &str| s.parse::<WorkspaceId>(), conflicts_with = "cluster")]
    pub workspace_id: Option<WorkspaceId>,
    /// Replay on an Azure Data Explorer cluster (https://<name>.<region>.kusto.windows.net)
    #[arg(long, value_name = "URL", requires = "database")]
    pub cluster: Option<String>,
    /// With --cluster: the database holding the tables
    #[arg(long, value_name = "DB", requires = "cluster")]
    pub database: Option<String>,
    /// Credential for a workspace or cluster (default: the environment's, else auto)
    #[arg(long, value_enum)]
    pub auth: Option<AuthKind>,
    /// PARAM=v1,v2,… (repeat for a grid of combinations)
    #[arg(long, value_name = "PARAM=V1,V2")]
    pub sweep: Vec<String>,
    /// Start of the replay (ISO 8601; default: the earliest TimeGenerated)
    #[arg(long, value_name = "T")]
    pub from: Option<String>,
    /// End of the replay (ISO 8601; default: the latest TimeGenerated)
    #[arg(long, value_name = "T")]
    pub to: Option<String>,
    /// Replay a scheduled or NRT rule every DURATION instead of its own frequency (e.g. 1h)
    #[arg(long, value_name = "DURATION")]
    pub frequency: Option<crate::timespan::Timespan>,
    /// With each evaluation looking back DURATION instead of the rule's query period
    #[arg(long, value_name = "DURATION")]
    pub period: Option<crate::timespan::Timespan>,
    #[arg(long, value_enum, default_value_t = BacktestFormat::Table)]
    pub format: BacktestFormat,
    /// Also draw alerts per value and alerts per day to this SVG file
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Apply this environment's overrides first (and, without --local, --workspace-id or
    /// --cluster, replay on its workspace)
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
}

pub fn run(g: &GlobalArgs, args: BacktestArgs) -> anyhow::Result<ExitStatus> {
    let color = g.color();
    let sweeps: Vec<Sweep> =
        args.sweep.iter().map(|s| Sweep::parse(s)).collect::<Result<_, _>>().map_err(anyhow::Error::msg)?;
    let mut project = Project::load(&g.paths())?;
    let Some(index) = project.find(&args.id) else {
        eprint!("{}", text::render(&project.diagnostics, &project.sources, color));
        bail!("no content item `{}` (see `sentinel-forge list`)", args.id);
    };
    let item = project.item_in(index, args.env.as_deref())?.context("the environment does not load")?;
    let (mut variants, diags) = backtest::variants(&item, &sweeps, &mut project.sources);
    if !diags.is_empty() {
        eprint!("{}", text::render(&diags, &project.sources, color));
        return Ok(ExitStatus::Findings);
    }
    let secs = |t: crate::timespan::Timespan| chrono::Duration::seconds(t.seconds() as i64);
    backtest::reschedule(&mut variants, args.frequency.map(secs), args.period.map(secs))
        .map_err(|e| anyhow::anyhow!("--frequency/--period: {e}"))?;
    let Some(local) = &args.local else {
        return remote(g, &args, &mut project, &item, &variants);
    };
    let shown = crate::content::display_path(local);
    let started = std::time::Instant::now();
    let (index, data_diags, _) = backtest::data::load(local, &shown, project.schemas.as_ref(), &mut project.sources)
        .map_err(anyhow::Error::msg)?;
    if !data_diags.is_empty() {
        eprint!("{}", text::render(&data_diags, &project.sources, color));
        if crate::diag::has_errors(&data_diags) {
            return Ok(ExitStatus::Findings);
        }
    }
    let loaded_in = started.elapsed();
    let span = index.span();
    let time = |given: &Option<String>, default: Option<chrono::DateTime<chrono::Utc>>, flag: &str| match given {
        Some(t) => parse_datetime(t).with_context(|| format!("{flag} `{t}` is not an ISO 8601 date and time")),
        None => default.with_context(|| format!("the data has no TimeGenerated: give {flag}")),
    };
    let range =
        Range { from: time(&args.from, span.map(|s| s.0), "--from")?, to: time(&args.to, span.map(|s| s.1), "--to")? };
    if range.from >= range.to {
        bail!("--from must be before --to");
    }
    let Some(executor) = rule_tests::local_executor() else {
        let d = rule_tests::no_executor("backtest");
        eprint!("{}", text::render(&[d], &project.sources, color));
        eprintln!("{} combination(s) over {} row(s) prepared; none was run", variants.len(), index.row_count());
        return Ok(ExitStatus::Failure);
    };
    let replay_started = std::time::Instant::now();
    let results = match backtest::run(&mut project, &variants, &index, range, executor) {
        Ok(r) => {
            eprintln!(
                "loaded {} row(s) in {:.2} s; replayed {} combination(s) in {:.2} s",
                index.row_count(),
                loaded_in.as_secs_f64(),
                variants.len(),
                replay_started.elapsed().as_secs_f64()
            );
            r
        }
        Err(BacktestError::Render(d)) => {
            eprint!("{}", text::render(&d, &project.sources, color));
            return Ok(ExitStatus::Findings);
        }
        Err(BacktestError::Exec(e)) => bail!("the query could not be executed: {e}"),
    };
    print_results(&args, &item, &results)
}

/// The table (and bars), JSON or CSV, and the picture.
fn print_results(
    args: &BacktestArgs,
    item: &crate::content::item::Item,
    results: &[backtest::aggregate::ValueResult],
) -> anyhow::Result<ExitStatus> {
    let results = results.to_vec();
    match args.format {
        BacktestFormat::Table => {
            print!("{}", output::table(&results));
            print!("{}", output::bars(&results, 40));
        }
        BacktestFormat::Json => print!("{}", output::json(&item.id.value.0, &results)),
        BacktestFormat::Csv => print!("{}", output::csv(&results)),
    }
    if let Some(path) = &args.plot {
        let svg = plot::svg(&item.slug, &results).map_err(anyhow::Error::msg)?;
        crate::output::write_file(path, &svg).with_context(|| format!("writing `{}`", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitStatus::Clean)
}

/// The replay on a workspace or cluster: `--from` and `--to` are needed
/// (the data's span is not known here).
fn remote(
    g: &GlobalArgs,
    args: &BacktestArgs,
    project: &mut Project,
    item: &crate::content::item::Item,
    variants: &[backtest::Variant],
) -> anyhow::Result<ExitStatus> {
    let time = |given: &Option<String>, flag: &str| -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
        let t = given.as_deref().with_context(|| format!("a remote back-test needs {flag} (ISO 8601)"))?;
        parse_datetime(t).with_context(|| format!("{flag} `{t}` is not an ISO 8601 date and time"))
    };
    let range = Range { from: time(&args.from, "--from")?, to: time(&args.to, "--to")? };
    if range.from >= range.to {
        bail!("--from must be before --to");
    }
    let var = |k: &str| std::env::var(k).ok();
    let (target, where_) = match (&args.cluster, &args.env, &args.workspace_id) {
        (Some(cluster), _, _) => {
            let t = crate::query::adx::ClusterTarget::new(cluster, args.database.as_deref().unwrap_or_default(), &var)?;
            let (client, auth) = crate::query::adx::connect(&t, args.auth, &var)?;
            let shown = format!("cluster {} database {} (auth {})", t.base(), t.database, auth.name());
            (Remote::Cluster { client, database: t.database.clone() }, shown)
        }
        (None, env, id) => {
            let target = match (env, id) {
                (Some(env), id) => crate::query::target::QueryTarget::from_environment(
                    &crate::deploy::target::Target::load(&g.content, env)?,
                    id.clone(),
                )?,
                (None, Some(id)) => crate::query::target::QueryTarget::from_workspace_id(id.clone(), &var)?,
                (None, None) => bail!("pass --local DIR, --env NAME, --workspace-id GUID or --cluster URL"),
            };
            let (client, auth) = crate::query::connect(&target, args.auth, &var, None)?;
            let shown = format!("workspace {} ({}, auth {})", target.workspace_id, target.origin, auth.name());
            (Remote::Workspace { client, workspace: target.workspace_id.clone() }, shown)
        }
    };
    eprintln!(
        "replaying {} combination(s) on {where_} over {} .. {} (at most {} queries in flight)",
        variants.len(),
        range.from.to_rfc3339(),
        range.to.to_rfc3339(),
        backtest::remote::IN_FLIGHT
    );
    let rt = crate::deploy::runtime().context("start the async runtime")?;
    let started = std::time::Instant::now();
    let results = match backtest::remote::run(project, variants, range, &target, &rt) {
        Ok(r) => r,
        Err(BacktestError::Render(d)) => {
            eprint!("{}", text::render(&d, &project.sources, g.color()));
            return Ok(ExitStatus::Findings);
        }
        Err(BacktestError::Exec(e)) => bail!("the query could not be executed: {e}"),
    };
    eprintln!("replayed in {:.2} s", started.elapsed().as_secs_f64());
    print_results(args, item, &results)
}
