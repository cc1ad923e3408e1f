//! `test` output: one line per test and a diagnostic per failure (text),
//! a JSON document, GitHub annotations. JUnit is in [`super::junit`].

use serde_json::json;

use super::run::{Outcome, TestResult, failure_diagnostic};
use crate::source::SourceMap;

/// The one-line status of a test (`PASS spike › burst fires (1.2 ms)`).
pub fn line(r: &TestResult) -> String {
    let status = match r.outcome {
        Outcome::Passed => "PASS",
        Outcome::Failed(_) => "FAIL",
        Outcome::NotRun(_) => "ERROR",
    };
    format!("{status} {} \u{203a} {} ({:.1} ms)", r.item_slug, r.test_name, r.elapsed.as_secs_f64() * 1000.0)
}

/// Counts: passed, failed, not run.
pub fn summary(results: &[TestResult]) -> (usize, usize, usize) {
    let passed = results.iter().filter(|r| r.passed()).count();
    let failed = results.iter().filter(|r| matches!(r.outcome, Outcome::Failed(_))).count();
    (passed, failed, results.len() - passed - failed)
}

/// Status lines, then each failure as a rustc-style diagnostic.
pub fn text(results: &[TestResult], sources: &SourceMap, color: bool) -> String {
    let mut out = String::new();
    for r in results {
        out.push_str(&line(r));
        out.push('\n');
    }
    let diags: Vec<_> = results.iter().filter_map(failure_diagnostic).collect();
    if !diags.is_empty() {
        out.push('\n');
        out.push_str(&crate::diag::render::text::render(&diags, sources, color));
    }
    let (passed, failed, not_run) = summary(results);
    out.push_str(&format!("\n{} test(s): {passed} passed, {failed} failed, {not_run} not run\n", results.len()));
    out
}

pub fn json(results: &[TestResult], sources: &SourceMap) -> String {
    let (passed, failed, not_run) = summary(results);
    let tests: Vec<_> = results
        .iter()
        .map(|r| {
            let src = sources.get(r.file);
            let (line, column) = src.line_col(r.name_range.start);
            let (status, failures, error) = match &r.outcome {
                Outcome::Passed => ("passed", vec![], None),
                Outcome::Failed(f) => (
                    "failed",
                    f.iter()
                        .map(|f| json!({"expectation": f.expectation, "actual": f.actual, "line": src.line_col(f.range.start).0}))
                        .collect(),
                    None,
                ),
                Outcome::NotRun(d) => ("not_run", vec![], Some(json!({"code": d.code.id, "message": d.message}))),
            };
            json!({
                "item": r.item_id, "slug": r.item_slug, "test": r.test_name,
                "file": src.path, "line": line, "column": column,
                "status": status, "failures": failures, "error": error,
                "ms": (r.elapsed.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            })
        })
        .collect();
    let doc = json!({"summary": {"tests": results.len(), "passed": passed, "failed": failed, "not_run": not_run}, "tests": tests});
    serde_json::to_string_pretty(&doc).expect("JSON") + "\n"
}

/// GitHub workflow commands: an annotation per failing test.
pub fn github(results: &[TestResult], sources: &SourceMap) -> String {
    let diags: Vec<_> = results.iter().filter_map(failure_diagnostic).collect();
    let mut out = crate::diag::render::github::render(&diags, sources);
    let (passed, failed, not_run) = summary(results);
    out.push_str(&format!("::notice title=sentinel-forge test::{passed} passed, {failed} failed, {not_run} not run\n"));
    out
}
