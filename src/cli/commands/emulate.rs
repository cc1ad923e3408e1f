//! `emulate --port P [--faults SPEC] [--query-response FILE | --tables DIR [--now ISO]]`:
//! run the local ARM/Sentinel/Log Analytics/Azure Data Explorer emulator.

use anyhow::Context;
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs};
use crate::emulator::{EmulatorOptions, Faults, QueryReply};

#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// Port on 127.0.0.1 (0 = any free port)
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// Faults, e.g. "429=0.1,retry-after=1,500=0.05,503=0.05,drop=0.05,latency=50ms,fail=<rule id>,seed=7"
    #[arg(long, value_name = "SPEC", default_value = "")]
    pub faults: String,
    /// Alert rules per list page
    #[arg(long, default_value_t = 3)]
    pub page_size: usize,
    /// Do not log requests
    #[arg(long)]
    pub quiet: bool,
    /// What the Log Analytics query endpoint answers: a JSON file
    /// `{"status": 200, "headers": {}, "delay_ms": 0, "body": <the service's response>}`
    /// (default: an empty PrimaryResult)
    #[arg(long, value_name = "FILE", conflicts_with = "tables")]
    pub query_response: Option<std::path::PathBuf>,
    /// Answer the query endpoints (Log Analytics and Azure Data Explorer) by running each
    /// query on the embedded engine over the tables of DIR (`<Table>.jsonl`, `.csv`, `.json`)
    #[arg(long, value_name = "DIR")]
    pub tables: Option<std::path::PathBuf>,
    /// With --tables: the instant `now()` and `ago()` count from (ISO 8601) [default: the clock]
    #[arg(long, value_name = "ISO", requires = "tables")]
    pub now: Option<String>,
    /// A workspace that exists, as SUBSCRIPTION/RESOURCE_GROUP/NAME (repeatable;
    /// the workspaces of content/environments/*.toml always exist, and an ARM
    /// PUT of a workspace path creates one)
    #[arg(long, value_name = "SUB/RG/NAME")]
    pub workspace: Vec<String>,
}

pub fn run(g: &GlobalArgs, args: EmulateArgs) -> anyhow::Result<ExitStatus> {
    let faults: Faults = args.faults.parse().map_err(|e: String| anyhow::anyhow!(e)).context("--faults")?;
    let query_default = match &args.query_response {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("--query-response {}", path.display()))?;
            let reply = QueryReply::from_fixture(&text).map_err(anyhow::Error::msg);
            Some(reply.with_context(|| format!("--query-response {}", path.display()))?)
        }
        None => None,
    };
    let mut workspaces = environment_workspaces(&g.content);
    for w in &args.workspace {
        let parts: Vec<&str> = w.split('/').collect();
        let [sub, rg, name] = parts[..] else {
            anyhow::bail!("--workspace `{w}`: expected SUBSCRIPTION/RESOURCE_GROUP/NAME");
        };
        workspaces.push(crate::emulator::workspace_path(sub, rg, name));
    }
    let tables = match &args.tables {
        Some(dir) => {
            let (db, problems) =
                crate::emulator::load_tables(dir).with_context(|| format!("--tables {}", dir.display()))?;
            for p in &problems {
                eprintln!("warning[{}]: {p}", crate::engine::codes::DATA.id);
            }
            let mut names: Vec<&String> = db.tables.keys().collect();
            names.sort();
            eprintln!(
                "  tables from {}: {}",
                dir.display(),
                names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
            );
            Some(std::sync::Arc::new(db))
        }
        None => None,
    };
    let now = match &args.now {
        Some(iso) => Some(
            crate::engine::datetime::parse_datetime(iso)
                .with_context(|| format!("--now `{iso}` is not an ISO 8601 datetime"))?,
        ),
        None => None,
    };
    let options =
        EmulatorOptions { faults, page_size: args.page_size, log: !args.quiet, query_default, workspaces, tables, now };
    crate::emulator::run_forever(args.port, options).context("emulator")?;
    Ok(ExitStatus::Clean)
}

/// The workspaces the project's environment files deploy to (files that do
/// not parse are skipped: `deploy` reports them).
fn environment_workspaces(content: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(content.join("environments")) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.path()
                .file_stem()
                .filter(|_| e.path().extension().is_some_and(|x| x == "toml"))
                .map(|s| s.to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
        .iter()
        .filter_map(|n| crate::deploy::target::Target::load(content, n).ok())
        .map(|t| crate::emulator::workspace_path(&t.subscription_id, &t.resource_group, &t.workspace))
        .collect()
}
