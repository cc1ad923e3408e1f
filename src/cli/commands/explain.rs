use anyhow::bail;
use clap::Args;

use crate::cli::ExitStatus;
use crate::codes;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A code (CNT005) or its name (out-of-range)
    pub code: String,
}

pub fn run(args: ExplainArgs) -> anyhow::Result<ExitStatus> {
    let Some(code) = codes::lookup(&args.code) else {
        let all: Vec<String> = codes::all().iter().map(|c| c.id.to_string()).collect();
        bail!("unknown code `{}`; known codes: {}", args.code, all.join(", "));
    };
    print!("{}", explain_text(&code));
    Ok(ExitStatus::Clean)
}

pub fn explain_text(code: &crate::diag::Code) -> String {
    let severity = match code.severity {
        crate::diag::Severity::Error => "error",
        crate::diag::Severity::Warning => "warning",
    };
    format!(
        "{} ({}) - {severity}\n\n{}",
        code.id,
        code.name,
        code.docs.lines().map(str::trim_start).collect::<Vec<_>>().join("\n")
    )
}
