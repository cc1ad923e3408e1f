//! Executing prepared cases in parallel and checking their expectations.

use std::time::{Duration, Instant};

use super::codes;
use super::executor::Executor;
use super::expect::{self, Failure};
use super::prepare::{Case, Prepared};
use crate::diag::Diagnostic;
use crate::source::FileId;
use crate::span::TextRange;

/// How a test ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    Passed,
    Failed(Vec<Failure>),
    /// It could not be run (setup, data or the executor); the reason.
    NotRun(Diagnostic),
}

/// One test's result, with what a report needs to point at it.
#[derive(Clone, Debug)]
pub struct TestResult {
    pub item_id: String,
    pub item_slug: String,
    pub item_name: String,
    pub file: FileId,
    pub test_name: String,
    pub test_range: TextRange,
    pub name_range: TextRange,
    pub outcome: Outcome,
    pub elapsed: Duration,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        matches!(self.outcome, Outcome::Passed)
    }
}

fn run_case(case: &Case, executor: &dyn Executor) -> TestResult {
    let started = Instant::now();
    let outcome = match executor.execute(&case.query, &case.tables, case.now) {
        Ok(result) => {
            let failures = expect::check(&case.test.expect, &result, case.trigger);
            if failures.is_empty() { Outcome::Passed } else { Outcome::Failed(failures) }
        }
        Err(e) => {
            let what = if e.unsupported { "not supported by the executor" } else { "failed" };
            Outcome::NotRun(
                Diagnostic::new(codes::EXECUTION_FAILED, format!("the query {what}: {}", e.message))
                    .with_primary(case.item.file, case.test.name.range, "this test did not run")
                    .with_help("run the item with `run` to see the query, or test it against a workspace"),
            )
        }
    };
    result_for(case.item.clone(), &case.test, outcome, started.elapsed())
}

fn result_for(
    item: crate::content::item::Item,
    test: &crate::content::rule_tests::RuleTest,
    outcome: Outcome,
    elapsed: Duration,
) -> TestResult {
    TestResult {
        item_id: item.id.value.0,
        item_slug: item.slug,
        item_name: item.name.value,
        file: item.file,
        test_name: test.name.value.clone(),
        test_range: test.range,
        name_range: test.name.range,
        outcome,
        elapsed,
    }
}

/// Run every prepared case on `executor`, spread over the machine's cores;
/// results in content order (item, then test), the unprepared ones as
/// not run.
pub fn run_all(prepared: &Prepared, executor: &dyn Executor) -> Vec<TestResult> {
    let cases = &prepared.cases;
    let mut out: Vec<TestResult> = super::parallel::map_ordered(cases, |case| run_case(case, executor));
    for u in &prepared.unprepared {
        out.push(result_for(u.item.clone(), &u.test, Outcome::NotRun(u.reason.clone()), Duration::ZERO));
    }
    out.sort_by(|a, b| (a.item_slug.as_str(), a.test_range.start).cmp(&(b.item_slug.as_str(), b.test_range.start)));
    out
}

/// The diagnostic of a failed test: at the first unmet expectation, every
/// failure as a note with its expected-against-actual table.
pub fn failure_diagnostic(r: &TestResult) -> Option<Diagnostic> {
    match &r.outcome {
        Outcome::Passed => None,
        Outcome::NotRun(d) => Some(d.clone()),
        Outcome::Failed(failures) => {
            let first = &failures[0];
            let mut d = Diagnostic::new(
                codes::TEST_FAILED,
                format!("test `{}` of `{}` failed: expected {}", r.test_name, r.item_slug, first.expectation),
            )
            .with_primary(r.file, first.range, first.actual.clone())
            .with_secondary(r.file, r.name_range, "in this test");
            for f in &failures[1..] {
                d = d.with_secondary(r.file, f.range, format!("also failed: {}", f.actual));
            }
            for f in failures {
                if !f.diff.is_empty() {
                    d = d.with_note(format!("{}:\n{}", f.expectation, f.diff));
                }
            }
            Some(d.with_help("fix the rule, or the test if the new behaviour is intended"))
        }
    }
}
