//! `diff --env E`: exit 1 when the workspace drifted from the content
//! (a portal edit, a deleted rule, content not yet deployed), naming the
//! resource and the fields.

use anyhow::Context;
use clap::Args;

use crate::cli::commands::deploy::{TargetArgs, prepare, print_plan};
use crate::cli::{ExitStatus, GlobalArgs};

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub target: TargetArgs,
}

pub fn run(g: &GlobalArgs, args: DiffArgs) -> anyhow::Result<ExitStatus> {
    let rt = crate::deploy::runtime().context("start the async runtime")?;
    let plan = match prepare(g, &args.target, 4, (false, false), &rt)? {
        Ok(prepared) => prepared.plan,
        Err(status) => return Ok(status),
    };
    print_plan(&plan, args.target.format, true);
    if plan.has_drift() {
        eprintln!("drift: the workspace differs from the content");
        Ok(ExitStatus::Findings)
    } else {
        eprintln!("no drift");
        Ok(ExitStatus::Clean)
    }
}
