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
    run_tests(g, &args.ids, args.env.as_deref(), args.format, None)
}

/// `generate`'s step: every rule test, as `test` runs them (each test's
/// own `env`), with the text report on standard error when one fails.
/// `Some(count)` when all passed.
pub fn run_for_generate(g: &GlobalArgs) -> anyhow::Result<Option<usize>> {
    let mut passed = 0;
    let status = run_tests(g, &[], None, TestFormat::Text, Some(&mut passed))?;
    Ok((status == ExitStatus::Clean).then_some(passed))
}

fn run_tests(
    g: &GlobalArgs,
    ids: &[String],
    env: Option<&str>,
    format: TestFormat,
    for_generate: Option<&mut usize>,
) -> anyhow::Result<ExitStatus> {
    let color = g.color();
    let prepared = prepare::prepare(&g.paths(), ids, env)?;
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
    let content_errors = crate::diag::has_errors(&prepared.diagnostics);
    let all_passed = results.iter().all(|r| r.passed()) && !content_errors;
    if let Some(count) = for_generate {
        let (passed, failed, not_run) = report::summary(&results);
        *count = passed;
        if !all_passed {
            eprint!("{}", report::text(&results, &prepared.sources, color));
            eprintln!(
                "rule tests: {failed} failed, {not_run} not run, {passed} passed (`sentinel-forge test` runs them \
                 alone; `generate --no-test` skips them)"
            );
        }
        return Ok(if all_passed { ExitStatus::Clean } else { ExitStatus::Findings });
    }
    match format {
        TestFormat::Text => print!("{}", report::text(&results, &prepared.sources, color)),
        TestFormat::Json => print!("{}", report::json(&results, &prepared.sources)),
        TestFormat::Junit => print!("{}", junit::render(&results, &prepared.sources)),
        TestFormat::Github => print!("{}", report::github(&results, &prepared.sources)),
    }
    Ok(if all_passed { ExitStatus::Clean } else { ExitStatus::Findings })
}
