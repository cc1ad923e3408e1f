//! `run ID | --query FILE`: run a query on a Log Analytics workspace and
//! print the results (table, JSON or CSV).
//!
//! Exit status: 0 results printed; 1 the query or its overrides have errors,
//! the service rejected the query (a diagnostic with the service's span), or
//! the result is partial (nothing is printed then: a truncated result read
//! as a complete one is worse than none; `--allow-partial` prints it); 2 the
//! tool could not proceed (configuration, credentials, HTTP errors that
//! persist after retries).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use azure_core::time::OffsetDateTime;
use clap::{ArgGroup, Args};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{ExitStatus, GlobalArgs};
use crate::deploy::auth::AuthKind;
use crate::deploy::runtime;
use crate::deploy::target::Target;
use crate::diag::Diagnostic;
use crate::diag::render::text;
use crate::query::client::{LogAnalyticsClientOptions, QueryBody};
use crate::query::format::table::TableOptions;
use crate::query::format::{self, OutputFormat};
use crate::query::item_query::{ItemLookup, item_to_query};
use crate::query::results::QueryResults;
use crate::query::target::QueryTarget;
use crate::query::timespan::{Interval, parse_timespan};
use crate::query::workspace::{WorkspaceId, WorkspaceRef};
use crate::query::{QueryError, QueryErrorKind, codes, placeholders};
use crate::source::{FileId, SourceMap};
use crate::span::TextRange;
use crate::timespan::Timespan;

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["id", "query"])))]
#[command(group(ArgGroup::new("where").required(true).multiple(true).args(["env", "workspace_id", "local", "cluster"])))]
pub struct RunArgs {
    /// The item to run: its id, file stem or name
    pub id: Option<String>,
    /// Run the KQL in FILE as is instead of an item (`-`: standard input)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["id", "set"])]
    pub query: Option<PathBuf>,
    /// Environment: its workspace, cloud and credential, and its overrides of the item
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// The workspace (customer) id to query, a GUID (replaces the environment's)
    #[arg(long, value_name = "GUID", value_parser = |s: &str| s.parse::<WorkspaceId>())]
    pub workspace_id: Option<WorkspaceId>,
    /// Time range ending now: ISO 8601 duration (P1D, PT4H, P7DT12H) or 15m, 1h, 7d
    /// [default: the item's window, else 1 day]
    #[arg(long, value_name = "SPAN", value_parser = parse_timespan)]
    pub timespan: Option<Timespan>,
    /// Override a parameter of the item, checked by its model (repeatable)
    #[arg(long = "set", value_name = "PARAM=VALUE")]
    pub set: Vec<String>,
    /// Also query these workspaces (ids, names or resource ids, comma-separated)
    #[arg(long, value_name = "ID,ID", value_delimiter = ',', value_parser = |s: &str| s.parse::<WorkspaceRef>())]
    pub workspaces: Vec<WorkspaceRef>,
    /// Output format [default: from --output's extension, else table on a terminal, else json]
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Write the results to FILE (atomically) instead of standard output; an existing FILE is
    /// replaced only with --force
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace an existing --output FILE
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Credential (default: the environment file's [auth] kind, else auto)
    #[arg(long, value_enum)]
    pub auth: Option<AuthKind>,
    /// Seconds the service may spend on the query (Prefer: wait=N)
    #[arg(long, value_name = "SECONDS", default_value_t = 180, value_parser = clap::value_parser!(u32).range(1..=600))]
    pub wait: u32,
    /// Print the rows of a partial result (with a warning) instead of failing
    #[arg(long)]
    pub allow_partial: bool,
    /// Cut table cells longer than N characters (0: never)
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub max_cell_width: usize,
    /// Run on this machine with the embedded engine over DIR: one file per table
    /// (`<Table>.jsonl`, `.csv`, `.json` query API response, optionally `.gz`; `tables.json` types)
    #[arg(long, value_name = "DIR", conflicts_with_all = ["env", "workspace_id", "workspaces"])]
    pub local: Option<PathBuf>,
    /// With --local: the instant `now()` and `ago()` count from (ISO 8601) [default: now]
    #[arg(long, value_name = "ISO", requires = "local")]
    pub now: Option<String>,
    /// With --local: most rows any operator may produce before the query stops
    #[arg(long, value_name = "N", default_value_t = 10_000_000, requires = "local")]
    pub max_rows: usize,
    /// With --local: read `externaldata` from URL out of a local FILE (repeatable)
    #[arg(long, value_name = "URL=FILE", requires = "local")]
    pub externaldata: Vec<String>,
    /// Query an Azure Data Explorer cluster instead (https://<name>.<region>.kusto.windows.net)
    #[arg(long, value_name = "URL", requires = "database", conflicts_with_all = ["workspace_id", "workspaces", "local"])]
    pub cluster: Option<String>,
    /// With --cluster: the database to query
    #[arg(long, value_name = "DB", requires = "cluster")]
    pub database: Option<String>,
}

/// The service's limit is 100 workspaces per query, the primary included.
const MAX_EXTRA_WORKSPACES: usize = 99;

/// The query to send, before placeholders are substituted.
struct Prepared {
    /// What it is called in messages (the item's file stem, the file's path).
    name: String,
    /// The path diagnostics show for the query text.
    path: String,
    text: String,
    /// The item's window, the default timespan.
    window: Option<Timespan>,
    /// The item's id in its content file, for diagnostics.
    item: Option<(FileId, TextRange)>,
}

pub fn run(g: &GlobalArgs, args: RunArgs) -> anyhow::Result<ExitStatus> {
    // Refused before the query is sent, not after it ran.
    if let Some(path) = &args.output {
        crate::output::check_file_target(path, args.force)?;
    }
    let mut sources = SourceMap::new();
    let color = g.color();
    let prepared = match prepare(g, &args, &mut sources, color)? {
        Ok(p) => p,
        Err(status) => return Ok(status),
    };
    if let Some(dir) = &args.local {
        let local = super::run_local::Prepared {
            name: &prepared.name,
            path: &prepared.path,
            text: &prepared.text,
            window: prepared.window,
        };
        return super::run_local::run(dir, local, &args, &mut sources, color);
    }
    if let Some(cluster) = &args.cluster {
        return run_cluster(
            cluster,
            args.database.as_deref().unwrap_or_default(),
            prepared,
            &args,
            &mut sources,
            color,
        );
    }
    if args.workspaces.len() > MAX_EXTRA_WORKSPACES {
        bail!(
            "--workspaces names {} workspaces; a query may span at most {} (this one and {MAX_EXTRA_WORKSPACES} more)",
            args.workspaces.len(),
            MAX_EXTRA_WORKSPACES + 1
        );
    }
    let target = match (&args.env, &args.workspace_id) {
        (Some(env), id) => QueryTarget::from_environment(&Target::load(&g.content, env)?, id.clone())?,
        (None, Some(id)) => QueryTarget::from_workspace_id(id.clone(), &|k| std::env::var(k).ok())?,
        (None, None) => bail!("pass --env NAME or --workspace-id GUID"),
    };

    let span = args.timespan.or(prepared.window).unwrap_or(Timespan::from_days(1));
    let interval = Interval::ending_at(OffsetDateTime::now_utc(), span);
    let sent = placeholders::substitute(&prepared.text, &interval);
    let sent_name = if sent == prepared.text {
        prepared.path.clone()
    } else {
        format!("{} (placeholders substituted)", prepared.path)
    };
    let sent_file = sources.add(sent_name, sent.clone());
    let body = QueryBody {
        query: sent.clone(),
        timespan: Some(interval.to_request()),
        workspaces: args.workspaces.iter().map(|w| w.as_str().to_string()).collect(),
    };

    let options = LogAnalyticsClientOptions { wait_seconds: args.wait, ..Default::default() };
    let (client, auth) = crate::query::connect(&target, args.auth, &|k| std::env::var(k).ok(), Some(options))?;
    eprintln!(
        "running {} on workspace {} ({}, auth {}) over {} .. {}",
        prepared.name,
        target.workspace_id,
        target.origin,
        auth.name(),
        interval.start_iso(),
        interval.end_iso()
    );
    let rt = runtime().context("start the async runtime")?;
    let spinner = spinner(&target.workspace_id);
    let started = Instant::now();
    let outcome = rt.block_on(client.query(&target.workspace_id, &body));
    let elapsed = started.elapsed();
    if let Some(s) = spinner {
        s.finish_and_clear();
    }

    let reply = Reply { outcome, elapsed, answered_by: "the service", sent_file, sent: &sent };
    report(reply, &prepared, &sources, color, &args)
}

/// `run … --cluster URL --database DB`: the same query on Azure Data
/// Explorer, the interval applied to `TimeGenerated` with the
/// `query_datetimescope_*` request properties (what the workspace's
/// `timespan` does).
fn run_cluster(
    cluster: &str,
    database: &str,
    prepared: Prepared,
    args: &RunArgs,
    sources: &mut SourceMap,
    color: bool,
) -> anyhow::Result<ExitStatus> {
    let target = crate::query::adx::ClusterTarget::new(cluster, database, &|k| std::env::var(k).ok())?;
    let span = args.timespan.or(prepared.window).unwrap_or(Timespan::from_days(1));
    let interval = Interval::ending_at(OffsetDateTime::now_utc(), span);
    let sent = placeholders::substitute(&prepared.text, &interval);
    let sent_file = sources.add(prepared.path.clone(), sent.clone());
    let options = serde_json::json!({
        "query_datetimescope_column": "TimeGenerated",
        "query_datetimescope_from": interval.start_iso(),
        "query_datetimescope_to": interval.end_iso(),
    });
    let (client, auth) = crate::query::adx::connect(&target, args.auth, &|k| std::env::var(k).ok())?;
    eprintln!(
        "running {} on cluster {} database {} (auth {}) over {} .. {}",
        prepared.name,
        target.base(),
        target.database,
        auth.name(),
        interval.start_iso(),
        interval.end_iso()
    );
    let rt = runtime().context("start the async runtime")?;
    let started = Instant::now();
    let outcome = rt.block_on(client.query(&target.database, &sent, options));
    let elapsed = started.elapsed();
    let reply = Reply { outcome, elapsed, answered_by: "the cluster", sent_file, sent: &sent };
    report(reply, &prepared, sources, color, args)
}

/// What a query endpoint answered, with what was sent.
struct Reply<'a> {
    outcome: Result<crate::query::client::QueryOutcome, QueryError>,
    elapsed: Duration,
    /// Who answered, in messages ("the service", "the cluster").
    answered_by: &'static str,
    sent_file: FileId,
    sent: &'a str,
}

/// Print a workspace's or a cluster's answer the same way: a rejection as a
/// diagnostic on the sent text, a partial result refused unless
/// `--allow-partial`, else the rows in the chosen format.
fn report(
    reply: Reply<'_>,
    prepared: &Prepared,
    sources: &SourceMap,
    color: bool,
    args: &RunArgs,
) -> anyhow::Result<ExitStatus> {
    let Reply { outcome, elapsed, answered_by, sent_file, sent } = reply;
    let outcome = match outcome {
        Ok(o) => o,
        Err(QueryError { kind: QueryErrorKind::Rejected, service: Some(service), .. }) => {
            let mut d = codes::rejection(sent_file, sent, &service);
            if let Some((file, range)) = prepared.item {
                d = d.with_secondary(file, range, "in the query of this item");
            }
            eprint!("{}", text::render(&[d], sources, color));
            eprintln!("nothing ran: {} rejected the query after {}", answered_by, took(elapsed, 1));
            return Ok(ExitStatus::Findings);
        }
        Err(e) => return Err(anyhow::Error::new(e).context(format!("run {}", prepared.name))),
    };
    let results = &outcome.results;
    let rows = results.row_count();
    if let Some(partial) = &results.error {
        let mut what = format!("the result is partial ({partial})");
        for m in partial.messages().into_iter().filter(|m| *m != partial.message) {
            what.push_str(&format!("\n  - {m}"));
        }
        if !args.allow_partial {
            eprintln!("error: {what}");
            eprintln!(
                "{} came back in {} before the error; nothing was printed (--allow-partial prints them)",
                plural(rows, "row"),
                took(elapsed, outcome.tries)
            );
            return Ok(ExitStatus::Findings);
        }
        eprintln!("warning: {what}");
    }

    let rendered = render(results, args);
    match &args.output {
        Some(path) => crate::output::write_file(path, &rendered)?,
        None => write_stdout(&rendered)?,
    }
    eprintln!("{} in {}", plural(rows, "row"), took(elapsed, outcome.tries));
    Ok(ExitStatus::Clean)
}

/// The results in the chosen format: `--format`, else `--output`'s
/// extension, else a table on a terminal and JSON elsewhere.
pub(super) fn render(results: &QueryResults, args: &RunArgs) -> String {
    let on_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(OutputFormat::from_extension))
        .unwrap_or(if on_terminal { OutputFormat::Table } else { OutputFormat::Json });
    match format {
        OutputFormat::Json => format::json::render(results),
        OutputFormat::Csv => {
            let others = results.tables.len().saturating_sub(1);
            if others > 0 {
                eprintln!(
                    "warning: CSV holds the primary table only; {} not written (use --format json)",
                    plural(others, "other table")
                );
            }
            results.primary().map(format::csv::render).unwrap_or_default()
        }
        OutputFormat::Table => {
            let options = TableOptions {
                max_cell_chars: (args.max_cell_width > 0).then_some(args.max_cell_width),
                fit_terminal: on_terminal,
            };
            format::table::render(results, &options)
        }
    }
}

/// The query text: the item's (overrides applied, rendered, parsed) or the
/// file's. `Err(status)` when problems were reported.
fn prepare(
    g: &GlobalArgs,
    args: &RunArgs,
    sources: &mut SourceMap,
    color: bool,
) -> anyhow::Result<Result<Prepared, ExitStatus>> {
    let report = |diags: &[Diagnostic], sources: &SourceMap| {
        if !diags.is_empty() {
            eprint!("{}", text::render(diags, sources, color));
        }
    };
    if let Some(path) = &args.query {
        let (name, text) = if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).context("read the query from stdin")?;
            ("<stdin>".to_string(), text)
        } else {
            let text = std::fs::read_to_string(path).with_context(|| format!("read `{}`", path.display()))?;
            (crate::content::display_path(path), text)
        };
        if text.trim().is_empty() {
            bail!("`{name}` holds no query");
        }
        return Ok(Ok(Prepared { path: name.clone(), name, text, window: None, item: None }));
    }
    let Some(id) = &args.id else { bail!("name an item, or pass --query FILE") };
    let (lookup, mut diags) = item_to_query(&g.paths(), id, args.env.as_deref(), &args.set, sources)?;
    crate::diag::sort_and_dedup(&mut diags);
    match lookup {
        ItemLookup::Ready(q) => {
            report(&diags, sources);
            Ok(Ok(Prepared {
                name: q.item.slug.clone(),
                path: sources.get(q.kql.file).path.clone(),
                text: q.kql.text,
                window: q.window,
                item: Some((q.item.file, q.item.id.range)),
            }))
        }
        ItemLookup::Invalid => {
            report(&diags, sources);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!("{} error(s); nothing ran", errors);
            Ok(Err(ExitStatus::Findings))
        }
        ItemLookup::NotFound { suggestion } => {
            report(&diags, sources);
            let mut hint = match suggestion {
                Some(s) => format!("did you mean `{s}`? (see `sentinel-forge list`)"),
                None => "see `sentinel-forge list`".to_string(),
            };
            if !diags.is_empty() {
                hint.push_str("; content files with errors are listed above");
            }
            bail!("no content item with id, file stem or name `{id}`: {hint}")
        }
    }
}

/// A spinner on stderr while the service works, on a terminal only.
fn spinner(workspace: &WorkspaceId) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        bar.set_style(style);
    }
    bar.set_message(format!("querying workspace {workspace}"));
    bar.enable_steady_tick(Duration::from_millis(100));
    Some(bar)
}

/// Standard output, where a closed pipe (`| head`) is not an error.
pub(super) fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("write the results"),
        _ => Ok(()),
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// `0.84 s`, with the attempts when there were retries: `2.10 s (3 attempts)`.
fn took(elapsed: Duration, tries: u32) -> String {
    let secs = elapsed.as_secs_f64();
    if tries > 1 { format!("{secs:.2} s ({tries} attempts)") } else { format!("{secs:.2} s") }
}
