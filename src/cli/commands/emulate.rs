//! `emulate --port P [--faults SPEC] [--query-response FILE]`: run the local
//! ARM/Sentinel/Log Analytics emulator.

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
    #[arg(long, value_name = "FILE")]
    pub query_response: Option<std::path::PathBuf>,
}

pub fn run(_g: &GlobalArgs, args: EmulateArgs) -> anyhow::Result<ExitStatus> {
    let faults: Faults = args.faults.parse().map_err(|e: String| anyhow::anyhow!(e)).context("--faults")?;
    let query_default = match &args.query_response {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("--query-response {}", path.display()))?;
            let reply = QueryReply::from_fixture(&text).map_err(anyhow::Error::msg);
            Some(reply.with_context(|| format!("--query-response {}", path.display()))?)
        }
        None => None,
    };
    let options = EmulatorOptions { faults, page_size: args.page_size, log: !args.quiet, query_default };
    crate::emulator::run_forever(args.port, options).context("emulator")?;
    Ok(ExitStatus::Clean)
}
