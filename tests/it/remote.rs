//! Remote targets end to end, against the emulator answering with the
//! embedded engine over tables it loaded (never Azure): `run` on a
//! workspace and on an Azure Data Explorer cluster returns the rows the
//! local engine finds, a query the engine refuses is the service's 400,
//! and a back-test on either remote gives the local back-test's figures.

use std::path::Path;

use sentinel_forge::emulator::{Emulator, EmulatorOptions, QueryReply};
use serde_json::Value;

use crate::util::{FAKE_SECRET, emulator_cli, forge_in, output, output_without_secrets as run, root, scratch_project};

const WORKSPACE_ID: &str = "11111111-1111-1111-1111-111111111111";

/// An emulator answering from `dir`'s tables, `now()` pinned to `now`.
fn emulator_over(dir: &Path, now: Option<&str>) -> Emulator {
    let emu = Emulator::start(EmulatorOptions {
        now: now.map(|n| sentinel_forge::engine::datetime::parse_datetime(n).unwrap()),
        ..Default::default()
    })
    .unwrap();
    let problems = emu.load_tables(dir).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    emu
}

/// A scratch project with its rule-test data.
fn project() -> tempfile::TempDir {
    let dir = scratch_project();
    crate::util::copy_tree(&root().join("tests/data"), &dir.path().join("tests/data"));
    dir
}

fn rows(json: &str) -> Value {
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["tables"][0]["rows"].clone()
}

const QUERY: &str = "AzureActivity | summarize n = count() by Caller | order by Caller asc";

#[test]
fn run_on_a_workspace_returns_the_rows_the_local_engine_finds() {
    let sample = root().join("tests/data/sample");
    let emu = emulator_over(&sample, None);
    let dir = project();
    // The sample is from January 2026; a ten-year timespan ending now covers it.
    let (code, remote, err) = run(emulator_cli(dir.path(), &emu)
        .args(["run", "--query", "-", "--workspace-id", WORKSPACE_ID, "--auth", "token", "--timespan", "P3650D"])
        .args(["--format", "json"])
        .write_stdin(QUERY));
    assert_eq!(code, 0, "{err}");
    let (code, local, err) = output(
        forge_in(dir.path())
            .args(["run", "--query", "-", "--local"])
            .arg(&sample)
            .args(["--format", "json"])
            .write_stdin(QUERY),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows(&remote), rows(&local));
    assert!(rows(&remote).as_array().is_some_and(|r| !r.is_empty()), "{remote}");
    let sent = &emu.queries()[0];
    assert_eq!(sent.body["query"], QUERY);

    // The timespan is a filter on TimeGenerated: one day ending now holds none of it.
    let (code, out, err) = run(emulator_cli(dir.path(), &emu)
        .args(["run", "--query", "-", "--workspace-id", WORKSPACE_ID, "--auth", "token", "--format", "json"])
        .write_stdin("AzureActivity | count"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows(&out), serde_json::json!([[0]]));
}

#[test]
fn queued_replies_still_come_first_and_engine_errors_are_the_services_400() {
    let emu = emulator_over(&root().join("tests/data/sample"), None);
    emu.push_query_reply(QueryReply::ok(serde_json::json!({"tables": [{"name": "PrimaryResult",
        "columns": [{"name": "canned", "type": "long"}], "rows": [[42]]}]})));
    let dir = project();
    let cmd = || {
        let mut c = emulator_cli(dir.path(), &emu);
        c.args(["run", "--query", "-", "--workspace-id", WORKSPACE_ID, "--auth", "token", "--format", "json"]);
        c
    };
    let (code, out, err) = run(cmd().write_stdin("print 1"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows(&out), serde_json::json!([[42]]));
    let (code, out, err) = run(cmd().write_stdin("print 1"));
    assert_eq!((code, rows(&out)), (0, serde_json::json!([[1]])), "{err}");

    let (code, _, err) = run(cmd().write_stdin("AzureActivity\n| summarise count() by Caller\n"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[QRY001]: the service could not parse the query"), "{err}");
    assert!(err.contains("2 | | summarise count() by Caller"), "the service's line and position: {err}");
    let (code, _, err) = run(cmd().write_stdin("SigninLogz | take 5"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[QRY002]") && err.contains("SigninLogz"), "{err}");
}

#[test]
fn run_on_a_cluster_uses_the_v1_rest_api_and_the_clusters_audience() {
    let sample = root().join("tests/data/sample");
    let emu = emulator_over(&sample, None);
    let dir = project();
    let (code, out, err) = run(emulator_cli(dir.path(), &emu)
        .args(["run", "--query", "-", "--cluster", &emu.url(), "--database", "Sentinel", "--timespan", "P3650D"])
        .args(["--auth", "secret", "--format", "json"])
        .env("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47")
        .env("AZURE_CLIENT_ID", "22222222-2222-2222-2222-222222222222")
        .env("AZURE_CLIENT_SECRET", FAKE_SECRET)
        .write_stdin(QUERY));
    assert_eq!(code, 0, "{err}");
    let (_, local, _) = output(
        forge_in(dir.path())
            .args(["run", "--query", "-", "--format", "json", "--local"])
            .arg(&sample)
            .write_stdin(QUERY),
    );
    assert_eq!(rows(&out), rows(&local));
    assert_eq!(emu.stats().token_scopes, [format!("{}/.default", emu.url())]);
    let q = &emu.adx_queries()[0];
    assert_eq!((q.db.as_str(), q.csl.as_str()), ("Sentinel", QUERY));
    assert_eq!(q.options["query_datetimescope_column"], "TimeGenerated");

    let (code, _, err) = run(emulator_cli(dir.path(), &emu)
        .args(["run", "--query", "-", "--cluster", &emu.url(), "--database", "Sentinel", "--auth", "token"])
        .write_stdin("AzureActivity | summarise count()"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("the cluster rejected the query") || err.contains("QRY"), "{err}");
    assert!(err.contains("Syntax error"), "{err}");
}

/// A few hours of Run Command activity: the rule-test fixtures of the
/// Run Command items, as one `AzureActivity` table.
fn activity_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut all = String::new();
    for f in ["run-command-spike/burst.jsonl", "run-command-unapproved-caller-nrt/unapproved-run.jsonl"] {
        all.push_str(&std::fs::read_to_string(root().join("tests/data").join(f)).unwrap());
    }
    std::fs::write(dir.path().join("AzureActivity.jsonl"), all).unwrap();
    dir
}

#[test]
fn a_remote_back_test_gives_the_local_figures_on_the_same_data() {
    let data = activity_dir();
    let emu = emulator_over(data.path(), None);
    let dir = project();
    for (id, sweep, to) in [
        // NRT: an evaluation every 5 minutes (30 ticks per value).
        ("run-command-unapproved-caller-nrt", "approved_callers=[],[\"mallory@contoso.com\"]", "2021-11-22T12:30:00Z"),
        // Hunting: one run per value with now at --to (the burst only).
        ("run-command-spike", "min_commands=2,3,5,8", "2021-11-22T11:45:00Z"),
    ] {
        let range = ["--from", "2021-11-22T10:00:00Z", "--to", to, "--format", "json"];
        let (code, local, err) = output(
            forge_in(dir.path()).args(["backtest", id, "--sweep", sweep, "--local"]).arg(data.path()).args(range),
        );
        assert_eq!(code, 0, "{err}");
        let (code, workspace, err) = run(emulator_cli(dir.path(), &emu)
            .args(["backtest", id, "--sweep", sweep, "--workspace-id", WORKSPACE_ID, "--auth", "token"])
            .args(range));
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("at most 4 queries in flight"), "{err}");
        let (code, cluster, err) = run(emulator_cli(dir.path(), &emu)
            .args(["backtest", id, "--sweep", sweep, "--cluster", &emu.url(), "--database", "Sentinel"])
            .args(["--auth", "token"])
            .args(range));
        assert_eq!(code, 0, "{err}");
        assert_eq!(workspace, local, "{id}: workspace against local");
        assert_eq!(cluster, local, "{id}: cluster against local");
        let v: Value = serde_json::from_str(&local).unwrap();
        let alerts: Vec<Value> = v["results"].as_array().unwrap().iter().map(|r| r["rows"].clone()).collect();
        assert!(alerts.iter().any(|a| a.as_u64() > Some(0)), "{id}: the data makes something fire: {local}");
    }
    // One query per tick and value: 2 values × 30 ticks for the NRT rule, 4 for the hunt.
    assert_eq!(emu.queries().len(), 2 * 30 + 4);
    let tick = &emu.queries()[0].body;
    assert!(tick["timespan"].as_str().unwrap().ends_with("Z"), "{tick}");
}

#[test]
fn a_remote_back_test_waits_out_throttling() {
    let data = activity_dir();
    let emu = emulator_over(data.path(), None);
    emu.push_query_reply(QueryReply::throttled(0));
    emu.push_query_reply(QueryReply::throttled(0));
    let dir = project();
    let args = ["--from", "2021-11-22T11:00:00Z", "--to", "2021-11-22T12:00:00Z", "--format", "csv"];
    let (code, remote, err) = run(emulator_cli(dir.path(), &emu)
        .args(["backtest", "run-command-unapproved-caller-nrt", "--sweep", "approved_callers=[]"])
        .args(["--workspace-id", WORKSPACE_ID, "--auth", "token"])
        .args(args));
    assert_eq!(code, 0, "{err}");
    let (_, local, _) = output(
        forge_in(dir.path())
            .args(["backtest", "run-command-unapproved-caller-nrt", "--sweep", "approved_callers=[]", "--local"])
            .arg(data.path())
            .args(args),
    );
    assert_eq!(remote, local);
    assert_eq!(emu.queries().len(), 12 + 2, "12 ticks, two of them retried after a 429");
}
