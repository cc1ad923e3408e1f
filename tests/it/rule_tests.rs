//! Rule tests and back-tests: the bundled `[[tests]]` and their fixtures,
//! the `test`/`backtest` commands without an engine, and the harness
//! (expectations, reports, JUnit, back-test scheduling) driven by a FAKE
//! executor. The fake does not run KQL: it answers with rows derived from
//! the data (one per distinct `Caller`), so these tests check the harness
//! logic only, never whether a rule is right. That needs the local engine.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sentinel_forge::ProjectPaths;
use sentinel_forge::kql::types::ScalarType;
use sentinel_forge::rule_tests::backtest::{self, Range, Sweep};
use sentinel_forge::rule_tests::prepare::{self, Project};
use sentinel_forge::rule_tests::run::{self, Outcome};
use sentinel_forge::rule_tests::tables::parse_datetime;
use sentinel_forge::rule_tests::{ExecError, Executor, ResultColumn, ResultTable, TestTables, junit, report};
use serde_json::{Value, json};

use crate::util::{forge_in, output, root, scratch_project};
use crate::xsd;

/// The fake executor (harness tests only): one row per distinct `Caller`
/// (as `Caller` and `AccountCustomEntity`)
/// in any table; a query containing `evaluate ipv4_lookup` is "not
/// supported", so the not-run path is exercised too.
struct DistinctCallers;

impl Executor for DistinctCallers {
    fn execute(&self, query: &str, tables: &TestTables, _now: DateTime<Utc>) -> Result<ResultTable, ExecError> {
        if let Some(at) = query.find("evaluate ipv4_lookup") {
            let at = at as u32;
            return Err(ExecError::unsupported(
                "`ipv4_lookup` is not supported by the fake executor",
                sentinel_forge::span::TextRange::new(at, at + 8),
            ));
        }
        let mut callers = std::collections::BTreeSet::new();
        for t in tables.tables.values() {
            if let Some(i) = t.columns.iter().position(|c| c.name == "Caller") {
                callers.extend(t.rows.iter().filter_map(|r| r[i].as_str().map(str::to_string)));
            }
        }
        Ok(ResultTable {
            columns: vec![
                ResultColumn { name: "Caller".into(), ty: ScalarType::String },
                ResultColumn { name: "AccountCustomEntity".into(), ty: ScalarType::String },
            ],
            rows: callers.into_iter().map(|c| vec![json!(c), json!(c)]).collect(),
            nondeterministic: None,
        })
    }
}

fn paths() -> ProjectPaths {
    std::env::set_current_dir(root()).unwrap();
    ProjectPaths { content: root().join("content"), templates: root().join("templates") }
}

#[test]
fn every_bundled_item_has_a_must_fire_and_a_must_not_fire_test_with_clean_data() {
    let prepared = prepare::prepare(&paths(), &[], None).unwrap();
    let errors: Vec<String> = prepared.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let reasons: Vec<String> = prepared.unprepared.iter().map(|u| u.reason.message.clone()).collect();
    assert!(reasons.is_empty(), "{reasons:#?}");
    let mut per_item: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for case in &prepared.cases {
        let e = &case.test.expect;
        let counts = per_item.entry(case.item.slug.as_str()).or_default();
        if e.fires.as_ref().is_some_and(|f| f.value) {
            counts.0 += 1;
        }
        if e.fires.as_ref().is_some_and(|f| !f.value) || e.rows.as_ref().is_some_and(|r| r.value == 0) {
            counts.1 += 1;
        }
        // Every fixture holds rows, and every row reached a table the schema knows.
        assert!(case.tables.row_count() > 0, "{}: no rows", case.test.name.value);
    }
    let content_files = std::fs::read_dir(root().join("content/hunting")).unwrap().count()
        + std::fs::read_dir(root().join("content/analytics")).unwrap().count();
    assert_eq!(per_item.len(), content_files, "{per_item:?}");
    for (item, (fire, quiet)) in &per_item {
        assert!(*fire >= 1 && *quiet >= 1, "{item}: {fire} must-fire, {quiet} must-not-fire");
    }
    assert!(prepared.cases.len() >= 30);
}

/// The bundled content's tests pass on the local engine; lowering a
/// threshold makes the must-not-fire test just below it fail, pointing at
/// its expectation in the content file.
#[test]
fn bundled_tests_pass_on_the_engine_and_a_broken_threshold_fails() {
    let (code, out, err) = output(forge_in(&root()).args(["test", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["summary"]["failed"], 0, "{report:#}");
    assert_eq!(report["summary"]["not_run"], 0, "{report:#}");
    assert!(report["summary"]["passed"].as_u64().unwrap() >= 30, "{report:#}");
    let (code, _, err) = output(forge_in(&root()).args(["test", "no-such-item"]));
    assert_eq!(code, 2);
    assert!(err.contains("no content item `no-such-item`"), "{err}");

    let project = crate::util::scratch_project();
    crate::util::copy_tree(&root().join("tests/data"), &project.path().join("tests/data"));
    let spike = project.path().join("content/hunting/run-command-spike.toml");
    let text = std::fs::read_to_string(&spike).unwrap();
    std::fs::write(&spike, text.replacen("min_commands = 5", "min_commands = 3", 1)).unwrap();
    let (code, out, err) = output(forge_in(project.path()).args(["test", "run-command-spike"]));
    assert_eq!(code, 1, "{out}\n{err}");
    let err = format!("{out}{err}");
    assert!(err.contains("error[TST004]"), "{err}");
    assert!(err.contains("four Run Commands stay below min_commands = 5"), "{err}");
    assert!(err.contains("content/hunting/run-command-spike.toml:"), "{err}");
}

#[test]
fn backtest_checks_its_sweep_then_reports_each_value_and_draws_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = root().join("tests/data/run-command-spike");
    let (code, _, err) = output(
        forge_in(&root())
            .args(["backtest", "run-command-spike", "--local"])
            .arg(&data)
            .args(["--sweep", "min_comands=2,3"]),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("CNT002") && err.contains("did you mean `min_commands`"), "{err}");
    let (code, out, err) = output(
        forge_in(&root())
            .args(["backtest", "run-command-spike", "--local"])
            .arg(&data)
            .args(["--sweep", "min_commands=2,3,5,8", "--format", "json"])
            .arg("--plot")
            .arg(dir.path().join("p.svg")),
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows: Vec<u64> = report["results"].as_array().unwrap().iter().map(|r| r["rows"].as_u64().unwrap()).collect();
    // The burst has five commands: it is found up to min_commands = 5, not at 8.
    assert_eq!(rows.len(), 4, "{report:#}");
    assert!(rows[2] >= 1 && rows[3] == 0, "{rows:?}");
    let svg = std::fs::read_to_string(dir.path().join("p.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("min_commands"), "{svg}");
}

#[test]
fn a_failing_test_points_at_its_expectation_with_expected_against_actual() {
    let prepared = prepare::prepare(&paths(), &["run-command-spike".to_string()], None).unwrap();
    let results = run::run_all(&prepared, &DistinctCallers);
    // The fake returns mallory for both fixtures: the must-not-fire case fails.
    let outcomes: Vec<(&str, bool)> = results.iter().map(|r| (r.test_name.as_str(), r.passed())).collect();
    assert_eq!(
        outcomes,
        [
            ("five Run Commands in ten minutes by one caller fire", false),
            ("four Run Commands stay below min_commands = 5", false)
        ]
    );
    let text = report::text(&results, &prepared.sources, false);
    let stable: String = text
        .lines()
        .map(|l| if l.starts_with("PASS") || l.starts_with("FAIL") { l.rsplit_once(" (").unwrap().0 } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("failing_rule_test", stable);
}

#[test]
fn json_and_github_reports_carry_every_test() {
    let prepared = prepare::prepare(&paths(), &[], None).unwrap();
    let results = run::run_all(&prepared, &DistinctCallers);
    let doc: Value = serde_json::from_str(&report::json(&results, &prepared.sources)).unwrap();
    assert_eq!(doc["summary"]["tests"], results.len());
    let not_run = results.iter().filter(|r| matches!(r.outcome, Outcome::NotRun(_))).count();
    assert!(not_run >= 2, "the ipv4_lookup item's tests are not run by the fake");
    assert_eq!(doc["summary"]["not_run"], not_run);
    assert!(doc["tests"].as_array().unwrap().iter().all(|t| t["line"].as_u64().unwrap() > 1));
    let gh = report::github(&results, &prepared.sources);
    let failing = results.iter().filter(|r| !r.passed()).count();
    assert_eq!(gh.lines().filter(|l| l.starts_with("::error ")).count(), failing);
    assert!(gh.contains("file=content/hunting/run-command-spike.toml,line="), "{gh}");
}

#[test]
fn junit_output_validates_against_the_jenkins_xunit_schema() {
    let prepared = prepare::prepare(&paths(), &[], None).unwrap();
    let results = run::run_all(&prepared, &DistinctCallers);
    assert!(results.iter().any(|r| r.passed()) && results.iter().any(|r| !r.passed()));
    let xml = junit::render(&results, &prepared.sources);
    let schema = xsd::Schema::read(&std::fs::read_to_string(root().join("tests/schemas/junit/junit-10.xsd")).unwrap());
    assert_eq!(schema.validate(&xml), Ok(()), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), results.len());
    assert_eq!(xml.matches("<testsuite ").count(), 15);
    // The validator can say no: a case without its required name, an
    // undeclared attribute, a child the schema does not allow.
    for (bad, why) in [
        (
            r#"<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase/></testsuite></testsuites>"#,
            "`name`",
        ),
        (r#"<testsuites skipped="0"></testsuites>"#, "`skipped`"),
        (r#"<testsuites><testcase name="x"/></testsuites>"#, "<testcase>"),
        (r#"<testsuites time="1.2s"></testsuites>"#, "SUREFIRE_TIME"),
    ] {
        let err = schema.validate(bad).unwrap_err();
        assert!(err.contains(why), "{bad}: {err}");
    }
}

#[test]
fn backtest_replays_each_value_on_the_schedule() {
    let mut project = Project::load(&paths()).unwrap();
    // A scheduled rule (frequency 1d, period 2d): one evaluation a day.
    let index = project.find("run-command-ueba-breach").unwrap();
    let item = project.item_in(index, None).unwrap().unwrap();
    let sweeps = [Sweep::parse("after=6h,12h").unwrap()];
    let (variants, diags) = backtest::variants(&item, &sweeps, &mut project.sources);
    assert!(diags.is_empty(), "{diags:?}");
    let mut tables = TestTables::default();
    let mut table = sentinel_forge::rule_tests::TestTable {
        columns: vec![
            ResultColumn { name: "TimeGenerated".into(), ty: ScalarType::DateTime },
            ResultColumn { name: "Caller".into(), ty: ScalarType::String },
        ],
        rows: vec![],
    };
    for day in [1, 2, 9] {
        table.rows.push(vec![json!(format!("2021-11-{day:02}T10:00:00Z")), json!("mallory@contoso.com")]);
    }
    tables.tables.insert("AzureActivity".into(), table);
    let range = Range {
        from: parse_datetime("2021-11-01T00:00:00Z").unwrap(),
        to: parse_datetime("2021-11-11T00:00:00Z").unwrap(),
    };
    let index = backtest::schedule::TimeIndex::new(tables);
    let results = backtest::run(&mut project, &variants, &index, range, &DistinctCallers).unwrap();
    assert_eq!(results.len(), 2);
    let r = &results[0];
    assert_eq!(r.params, [("after".to_string(), json!("6h"))]);
    // Ticks at 00:00 on Nov 2..11 over the two days before: rows of Nov 1-2
    // are seen on Nov 2, 3 and 4 (suppression off), Nov 9's on 10 and 11.
    assert_eq!(r.alerts, Some(5), "{r:?}");
    assert_eq!(r.first.map(|t| t.to_rfc3339()), Some("2021-11-02T00:00:00+00:00".into()));
    assert_eq!(r.entities, 1, "one caller, mapped to one Account");
    assert_eq!(r.per_day.len(), 11);

    // Run every 12 hours instead (the period stays 2 days): the rows of
    // Nov 1-2 are seen from Nov 1 12:00 to Nov 4 00:00 (6 ticks), Nov 9's
    // from Nov 9 12:00 to Nov 11 00:00 (4).
    let mut twice_a_day = backtest::variants(&item, &sweeps, &mut project.sources).0;
    backtest::reschedule(&mut twice_a_day, Some(chrono::Duration::hours(12)), None).unwrap();
    let results = backtest::run(&mut project, &twice_a_day, &index, range, &DistinctCallers).unwrap();
    assert_eq!(results.iter().map(|r| r.alerts).collect::<Vec<_>>(), [Some(10), Some(10)]);
    let spike = project.item_in(project.find("run-command-spike").unwrap(), None).unwrap().unwrap();
    let mut hunt = backtest::variants(&spike, &[], &mut project.sources).0;
    assert!(backtest::reschedule(&mut hunt, Some(chrono::Duration::hours(1)), None).is_err());
}

#[test]
fn new_scaffolds_a_test_and_a_fixture_and_new_test_adds_one() {
    let project = scratch_project();
    let (code, out, err) = output(forge_in(project.path()).args(["new", "run_command_spike", "--name", "Spike (lab)"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["content/hunting/spike-lab.toml", "tests/data/spike-lab/the-attack-this-item-detects-fires.jsonl"]
    );
    let fixture =
        std::fs::read_to_string(project.path().join("tests/data/spike-lab/the-attack-this-item-detects-fires.jsonl"))
            .unwrap();
    assert!(fixture.starts_with("{\"Type\":\"AzureActivity\",\"TimeGenerated\":\""), "{fixture}");
    let (code, out, err) =
        output(forge_in(project.path()).args(["new", "test", "spike-lab", "--name", "four commands stay quiet"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("tests/data/spike-lab/four-commands-stay-quiet.jsonl\n"), "{out}");
    let text = std::fs::read_to_string(project.path().join("content/hunting/spike-lab.toml")).unwrap();
    assert_eq!(text.matches("[[tests]]").count(), 2);
    assert!(text.contains(
        "name = \"four commands stay quiet\"\ndata = \"tests/data/spike-lab/four-commands-stay-quiet.jsonl\""
    ));
    // The scaffold is valid content, and its tests prepare (the fixture
    // rows check against no schema here: the scratch project has none).
    let (code, _, err) = output(forge_in(project.path()).arg("validate"));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) =
        output(forge_in(project.path()).args(["new", "test", "spike-lab", "--name", "four commands stay quiet"]));
    assert_eq!(code, 2);
    assert!(err.contains("already has a test named"), "{err}");
}

/// Inline rows of a table the project does not declare are checked against
/// the table catalog: a misspelt column and a value of the wrong type are
/// diagnostics at their place in the content file, and the test is not run.
#[test]
fn inline_rows_are_checked_against_the_catalog_with_their_place() {
    let project = crate::util::scratch_project();
    let spike = project.path().join("content/hunting/run-command-spike.toml");
    let mut text = std::fs::read_to_string(&spike).unwrap();
    text.push_str(
        "\n[[tests]]\nname = \"a security event\"\nnow = \"2021-11-22T12:00:00Z\"\nfires = false\n\
         [tests.tables]\nSecurityEvent = [{ TimeGenerated = \"2021-11-22T11:00:00Z\", Acount = \"x\", EventID = \"4624\" }]\n",
    );
    std::fs::write(&spike, &text).unwrap();
    let line = text.lines().count();
    let (code, out, err) = output(forge_in(project.path()).args(["test", "run-command-spike"]));
    assert_eq!(code, 1, "{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("error[TST002]: `SecurityEvent` has no column `Acount`"), "{all}");
    assert!(all.contains("did you mean `Account`?"), "{all}");
    assert!(all.contains(&format!("content/hunting/run-command-spike.toml:{line}:")), "{all}");
    assert!(all.contains("error[TST003]: `SecurityEvent.EventID` is a int column"), "{all}");
    assert!(all.contains("ERROR run-command-spike \u{203a} a security event"), "{all}");
}

/// `generate` runs the rule tests first: a failing one prints the report,
/// exits 1 and writes nothing; `--no-test` skips them.
#[test]
fn generate_runs_the_rule_tests_unless_told_not_to() {
    let project = crate::util::scratch_project();
    let spike = project.path().join("content/hunting/run-command-spike.toml");
    let text = std::fs::read_to_string(&spike).unwrap();
    std::fs::write(&spike, text.replacen("min_commands = 5", "min_commands = 3", 1)).unwrap();
    let (code, out, err) = output(forge_in(project.path()).arg("generate"));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("FAIL run-command-spike \u{203a} four Run Commands stay below min_commands = 5"), "{err}");
    assert!(err.contains("error[TST004]"), "{err}");
    assert!(err.contains("nothing written: a rule test failed"), "{err}");
    assert!(!project.path().join("generated").exists());
    let (code, _, err) = output(forge_in(project.path()).args(["generate", "--check"]));
    assert_eq!(code, 1, "--check fails on a failing test too: {err}");
    let (code, _, err) = output(forge_in(project.path()).args(["generate", "--no-test"]));
    assert_eq!(code, 0, "{err}");
    assert!(project.path().join("generated/kql/run-command-spike.kql").exists());
    assert!(!err.contains("rule test"), "{err}");

    std::fs::write(&spike, text).unwrap();
    let (code, _, err) = output(forge_in(project.path()).arg("generate"));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(" rule test(s) passed"), "{err}");
}
