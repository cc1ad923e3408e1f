//! `test [ID…] [--env E] [--format text|json|junit|github]`: run the
//! `[[tests]]` of every (or the named) content item.

use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs};
use crate::diag::render::text;
use crate::rule_tests::{self, junit, prepare, report, run};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum TestFormat {
    /// a line per test, a diagnostic per failure
    #[default]
    Text,
    /// one JSON document
    Json,
    /// JUnit XML (CI test reports)
    Junit,
    /// GitHub Actions annotations
    Github,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Items to test (id, file stem or name); all when none
    pub ids: Vec<String>,
    /// Apply this environment's overrides (a test's own `env` wins)
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
}

pub fn run(g: &GlobalArgs, args: TestArgs) -> anyhow::Result<ExitStatus> {
    let color = g.color();
    let prepared = prepare::prepare(&g.paths(), &args.ids, args.env.as_deref())?;
    if !prepared.diagnostics.is_empty() {
        eprint!("{}", text::render(&prepared.diagnostics, &prepared.sources, color));
    }
    if !prepared.unknown_ids.is_empty() {
        anyhow::bail!("no content item `{}` (see `sentinel-forge list`)", prepared.unknown_ids.join("`, `"));
    }
    let Some(executor) = rule_tests::local_executor() else {
        let d = rule_tests::no_executor("test");
        eprint!("{}", text::render(&[d], &prepared.sources, color));
        eprintln!(
            "{} test(s) prepared ({} with setup or data problems); none was run",
            prepared.cases.len() + prepared.unprepared.len(),
            prepared.unprepared.len()
        );
        return Ok(ExitStatus::Failure);
    };
    let results = run::run_all(&prepared, executor);
    match args.format {
        TestFormat::Text => print!("{}", report::text(&results, &prepared.sources, color)),
        TestFormat::Json => print!("{}", report::json(&results, &prepared.sources)),
        TestFormat::Junit => print!("{}", junit::render(&results, &prepared.sources)),
        TestFormat::Github => print!("{}", report::github(&results, &prepared.sources)),
    }
    let content_errors = crate::diag::has_errors(&prepared.diagnostics);
    Ok(if results.iter().all(|r| r.passed()) && !content_errors { ExitStatus::Clean } else { ExitStatus::Findings })
}
