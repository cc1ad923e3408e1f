//! `run` end to end: the binary against the emulator's Log Analytics query
//! endpoint, answering from the response fixtures under
//! `tests/fixtures/run/` (the service's real response format, one per
//! test), for every output format and every error class.

use std::path::Path;

use assert_cmd::Command;
use sentinel_forge::emulator::{Emulator, EmulatorOptions, QueryReply};
use serde_json::Value;

use crate::util::{FAKE_SECRET, SPIKE_ID, emulator_cli, root, scratch_project};

const WORKSPACE_ID: &str = "11111111-1111-1111-1111-111111111111";

const ENV_FILE: &str = r#"
[workspace]
subscription_id = "00000000-0000-0000-0000-000000000000"
resource_group = "rg-test"
name = "law-test"
workspace_id = "11111111-1111-1111-1111-111111111111"

[auth]
kind = "token"
"#;

/// A scratch project with `content/environments/test.toml` pointing at
/// [`WORKSPACE_ID`].
fn project() -> tempfile::TempDir {
    let dir = scratch_project();
    std::fs::write(dir.path().join("content/environments/test.toml"), ENV_FILE).unwrap();
    dir
}

fn emulator() -> Emulator {
    Emulator::start(EmulatorOptions::default()).expect("emulator starts")
}

/// A reply from `tests/fixtures/run/NAME.json`.
fn fixture(name: &str) -> QueryReply {
    let text = std::fs::read_to_string(root().join("tests/fixtures/run").join(format!("{name}.json"))).unwrap();
    QueryReply::from_fixture(&text).unwrap()
}

fn fixture_body(name: &str) -> Value {
    fixture(name).body
}

/// `sentinel-forge` with every endpoint on the emulator and a static token.
fn forge(dir: &Path, emu: &Emulator) -> Command {
    emulator_cli(dir, emu)
}

use crate::util::output_without_secrets as run;

/// Snapshot stderr with the volatile parts (instants, durations) masked.
macro_rules! assert_stderr_snapshot {
    ($name:expr, $stderr:expr) => {
        insta::with_settings!({filters => vec![
            (r"over \S+ \.\. \S+", "over [interval]"),
            (r"\d+\.\d\d s", "[elapsed] s"),
        ]}, {
            insta::assert_snapshot!($name, $stderr);
        });
    };
}

/// The one query the emulator accepted.
fn only_query(emu: &Emulator) -> sentinel_forge::emulator::ReceivedQuery {
    let q = emu.queries();
    assert_eq!(q.len(), 1, "{q:#?}");
    q.into_iter().next().unwrap()
}

/// Seconds between the two instants of a `start/end` request timespan.
fn interval_seconds(timespan: &str) -> i64 {
    let (a, b) = timespan.split_once('/').expect("an interval");
    let parse = |s: &str| azure_core::time::parse_rfc3339(s).unwrap();
    (parse(b) - parse(a)).whole_seconds()
}

#[test]
fn an_item_runs_on_the_environments_workspace_as_a_table() {
    let emu = emulator();
    emu.push_query_reply(fixture("spike-result"));
    let dir = project();
    let (code, out, err) =
        run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test", "--format", "table"]));
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("run_table", out);
    assert_stderr_snapshot!("run_table_stderr", err);
    let q = only_query(&emu);
    assert_eq!(q.workspace, WORKSPACE_ID);
    assert_eq!(q.prefer.as_deref(), Some("wait=180"));
    let sent = q.body["query"].as_str().unwrap();
    assert_eq!(sent, std::fs::read_to_string(root().join("generated/kql/run-command-spike.kql")).unwrap());
    // The default timespan is the item's window (its 30-day lookback).
    assert_eq!(interval_seconds(q.body["timespan"].as_str().unwrap()), 30 * 86_400);
    assert!(q.body.get("workspaces").is_none());
}

#[test]
fn json_is_the_apis_tables_as_returned_and_the_default_off_a_terminal() {
    let emu = emulator();
    emu.push_query_reply(fixture("spike-result"));
    let dir = project();
    // No --format: stdout is a pipe here.
    let (code, out, err) = run(forge(dir.path(), &emu).args(["run", SPIKE_ID, "--env", "test"]));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tables"], fixture_body("spike-result")["tables"]);
    assert!(err.ends_with(" s\n") && err.contains("\n3 rows in "), "{err}");
}

#[test]
fn csv_goes_to_an_output_file_atomically_with_rfc_4180_quoting() {
    let emu = emulator();
    emu.push_query_reply(fixture("spike-result"));
    let dir = project();
    let (code, out, err) = run(forge(dir.path(), &emu).args([
        "run",
        "Azure Run Command spike by one caller",
        "--env",
        "test",
        "--output",
        "results/spike.csv",
    ]));
    assert_eq!(code, 2, "the output directory does not exist: {err}");
    assert!(err.contains("results/spike.csv") || err.contains("results"), "{err}");
    std::fs::create_dir(dir.path().join("results")).unwrap();
    emu.push_query_reply(fixture("spike-result"));
    let (code, out2, err) = run(forge(dir.path(), &emu).args([
        "run",
        "Azure Run Command spike by one caller",
        "--env",
        "test",
        "--output",
        "results/spike.csv",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!((out.as_str(), out2.as_str()), ("", ""), "results go to the file only");
    let csv = std::fs::read_to_string(dir.path().join("results/spike.csv")).unwrap();
    insta::assert_snapshot!("run_csv", csv.replace("\r\n", "⏎\n"));
    let names: Vec<_> =
        std::fs::read_dir(dir.path().join("results")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["spike.csv"], "no temporary file left behind");
}

#[test]
fn set_overrides_are_checked_rendered_and_sent() {
    let emu = emulator();
    emu.push_query_reply(fixture("spike-result"));
    let dir = project();
    let (code, _, err) = run(forge(dir.path(), &emu).args([
        "run",
        "run-command-spike",
        "--env",
        "test",
        "--set",
        "min_commands=9",
        "--set",
        "lookback=7d",
        "--format",
        "csv",
    ]));
    assert_eq!(code, 0, "{err}");
    let q = only_query(&emu);
    let sent = q.body["query"].as_str().unwrap();
    assert!(sent.contains("let commandsExecuted = 9;") && sent.contains("ago(7d)"), "{sent}");
    // The window follows the override.
    assert_eq!(interval_seconds(q.body["timespan"].as_str().unwrap()), 7 * 86_400);
}

#[test]
fn bad_set_values_are_diagnostics_on_the_argument_and_nothing_runs() {
    let emu = emulator();
    let dir = project();
    let (code, out, err) = run(forge(dir.path(), &emu).args([
        "run",
        "run-command-spike",
        "--env",
        "test",
        "--set",
        "min_commands=-1",
        "--set",
        "min_comands=3",
        "--set",
        "window=15 minutes",
    ]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    assert_stderr_snapshot!("run_bad_set", err);
    assert_eq!(emu.stats().queries, 0, "nothing was sent");
}

#[test]
fn environment_overrides_apply_to_the_item() {
    let emu = emulator();
    emu.push_query_reply(fixture("spike-result"));
    let dir = project();
    let env = format!("{ENV_FILE}\n[overrides.\"{SPIKE_ID}\"]\nparams = {{ min_commands = 11 }}\n");
    std::fs::write(dir.path().join("content/environments/test.toml"), env).unwrap();
    let (code, _, err) = run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test"]));
    assert_eq!(code, 0, "{err}");
    assert!(only_query(&emu).body["query"].as_str().unwrap().contains("let commandsExecuted = 11;"));
}

#[test]
fn a_query_file_runs_as_is_on_a_bare_workspace_id_with_typed_cells() {
    let emu = emulator();
    emu.push_query_reply(fixture("typed-columns"));
    let dir = project();
    let kql = "AzureActivity\n| take 3\n";
    std::fs::write(dir.path().join("q.kql"), kql).unwrap();
    let (code, out, err) = run(forge(dir.path(), &emu).args([
        "run",
        "--query",
        "q.kql",
        "--workspace-id",
        "AAAAAAAA-0000-0000-0000-000000000001",
        "--auth",
        "token",
        "--timespan",
        "PT4H",
        "--format",
        "table",
        "--max-cell-width",
        "20",
    ]));
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("run_typed_table", out);
    let q = only_query(&emu);
    assert_eq!(q.workspace, "aaaaaaaa-0000-0000-0000-000000000001");
    assert_eq!(q.body["query"], kql);
    assert_eq!(interval_seconds(q.body["timespan"].as_str().unwrap()), 4 * 3600);
    assert!(err.contains("on workspace aaaaaaaa-0000-0000-0000-000000000001 (--workspace-id, auth token)"), "{err}");

    // The same file from standard input, as CSV: typed, never truncated.
    emu.push_query_reply(fixture("typed-columns"));
    let (code, out, err) = run(forge(dir.path(), &emu)
        .args(["run", "--query", "-", "--workspace-id", WORKSPACE_ID, "--auth", "token", "--format", "csv"])
        .write_stdin(kql));
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("run_typed_csv", out.replace("\r\n", "⏎\n"));
}

#[test]
fn placeholders_get_the_interval_that_is_also_the_requests_timespan() {
    let emu = emulator();
    let dir = project();
    let (code, _, err) =
        run(forge(dir.path(), &emu).args(["run", "caller-activity-summary", "--env", "test", "--timespan", "P2DT6H"]));
    assert_eq!(code, 0, "{err}");
    let q = only_query(&emu);
    let sent = q.body["query"].as_str().unwrap();
    let timespan = q.body["timespan"].as_str().unwrap();
    let (start, end) = timespan.split_once('/').unwrap();
    assert!(!sent.contains("{{"), "{sent}");
    assert!(sent.contains(&format!("let starttime = todatetime('{start}');")), "{sent}");
    assert!(sent.contains(&format!("let endtime = todatetime('{end}');")), "{sent}");
    assert_eq!(interval_seconds(timespan), 2 * 86_400 + 6 * 3600);
    // Without --timespan, an item without a window runs over one day; an
    // empty result is still a success.
    let (code, out, err) = run(forge(dir.path(), &emu).args(["run", "caller-activity-summary", "--env", "test"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(interval_seconds(emu.queries()[1].body["timespan"].as_str().unwrap()), 86_400);
    assert!(err.contains("\n0 rows in "), "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["tables"][0]["rows"], serde_json::json!([]));
}

#[test]
fn cross_workspace_queries_send_the_other_workspaces() {
    let emu = emulator();
    emu.push_query_reply(fixture("cross-workspace"));
    let dir = project();
    let other = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law-b";
    let (code, out, err) = run(forge(dir.path(), &emu)
        .args([
            "run",
            "--query",
            "-",
            "--env",
            "test",
            "--workspaces",
            &format!("22222222-2222-2222-2222-222222222222,law-sentinel-b,{other}"),
            "--format",
            "csv",
        ])
        .write_stdin("union AzureActivity | summarize count() by TenantId"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        only_query(&emu).body["workspaces"],
        serde_json::json!(["22222222-2222-2222-2222-222222222222", "law-sentinel-b", other])
    );
    assert_eq!(
        out,
        "TenantId,count_\r\n11111111-1111-1111-1111-111111111111,42\r\n22222222-2222-2222-2222-222222222222,17\r\n"
    );
    let (code, _, err) =
        run(forge(dir.path(), &emu).args(["run", "--query", "-", "--env", "test", "--workspaces", "not a workspace"]));
    assert_eq!(code, 2);
    assert!(err.contains("is not a workspace"), "{err}");
}

#[test]
fn a_partial_result_fails_and_prints_nothing_unless_allowed() {
    let emu = emulator();
    emu.set_query_default(fixture("partial-error"));
    let dir = project();
    let (code, out, err) = run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test"]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "", "a partial result is not printed as if complete");
    assert_stderr_snapshot!("run_partial", err);

    let (code, out, err) = run(forge(dir.path(), &emu).args([
        "run",
        "run-command-spike",
        "--env",
        "test",
        "--allow-partial",
        "--format",
        "csv",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "Caller,Commands\r\nalice@contoso.com,7\r\nbob@contoso.com,5\r\n");
    assert!(err.contains("warning: the result is partial") && err.contains("E_QUERY_RESULT_SET_TOO_LARGE"), "{err}");
}

#[test]
fn throttling_is_retried_after_retry_after() {
    let emu = emulator();
    emu.push_query_reply(fixture("throttled"));
    emu.push_query_reply(fixture("throttled"));
    emu.push_query_reply(fixture("cross-workspace"));
    let dir = project();
    let (code, out, err) =
        run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test", "--format", "csv"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(emu.stats().queries, 3, "two 429s, then the result");
    assert_eq!(emu.queries().len(), 3);
    assert!(out.ends_with("22222222-2222-2222-2222-222222222222,17\r\n"), "{out}");
    assert!(err.contains("2 rows in ") && err.contains("(3 attempts)"), "{err}");
}

#[test]
fn a_gateway_timeout_is_retried() {
    let emu = emulator();
    emu.push_query_reply(fixture("gateway-timeout"));
    emu.push_query_reply(fixture("cross-workspace"));
    let dir = project();
    let (code, _, err) = run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(emu.stats().queries, 2);
    assert!(err.contains("(2 attempts)"), "{err}");
}

#[test]
fn a_query_slower_than_prefer_wait_times_out_at_the_service_and_is_retried() {
    let emu = emulator();
    emu.push_query_reply(fixture("slow").with_delay(std::time::Duration::from_millis(2500)));
    emu.push_query_reply(fixture("cross-workspace"));
    let dir = project();
    let (code, _, err) =
        run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test", "--wait", "1"]));
    assert_eq!(code, 0, "{err}");
    let queries = emu.queries();
    assert_eq!(queries.len(), 2, "the 504 after `wait=1` was retried");
    assert_eq!(queries[0].prefer.as_deref(), Some("wait=1"));
    assert!(err.contains("(2 attempts)"), "{err}");
}

#[test]
fn a_gateway_timeout_that_persists_gives_up_with_advice() {
    let emu = emulator();
    emu.set_query_default(fixture("gateway-timeout"));
    let dir = project();
    let (code, out, err) =
        run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test", "--wait", "30"]));
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert_eq!(emu.stats().queries, 4, "one try and three retries");
    assert_eq!(emu.queries()[0].prefer.as_deref(), Some("wait=30"));
    assert_stderr_snapshot!("run_gateway_timeout", err);
}

#[test]
fn a_syntax_error_is_a_diagnostic_at_the_services_position() {
    let emu = emulator();
    emu.push_query_reply(fixture("syntax-error"));
    let dir = project();
    std::fs::write(dir.path().join("bad.kql"), "AzureActivity\n| summarise count() by Caller\n").unwrap();
    let (code, out, err) = run(forge(dir.path(), &emu).args([
        "run",
        "--query",
        "bad.kql",
        "--workspace-id",
        WORKSPACE_ID,
        "--auth",
        "token",
    ]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    assert_stderr_snapshot!("run_syntax_error", err);
}

#[test]
fn a_syntax_error_in_an_items_query_also_points_at_the_item() {
    let emu = emulator();
    emu.push_query_reply(fixture("syntax-error-item"));
    let dir = project();
    let (code, _, err) = run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test"]));
    assert_eq!(code, 1, "{err}");
    assert_stderr_snapshot!("run_syntax_error_item", err);
}

#[test]
fn other_rejections_are_query_rejected_diagnostics() {
    let emu = emulator();
    emu.push_query_reply(fixture("semantic-error"));
    let dir = project();
    let (code, _, err) = run(forge(dir.path(), &emu)
        .args(["run", "--query", "-", "--workspace-id", WORKSPACE_ID, "--auth", "token"])
        .write_stdin("SigninLogz | take 5"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[QRY002]: the service rejected the query [query-rejected]"), "{err}");
    assert!(err.contains("Failed to resolve table or column expression named 'SigninLogz'"), "{err}");
}

#[test]
fn access_denied_says_which_role_is_missing() {
    let emu = emulator();
    emu.push_query_reply(fixture("forbidden"));
    let dir = project();
    let (code, _, err) = run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("access denied to workspace 11111111-1111-1111-1111-111111111111 (HTTP 403"), "{err}");
    assert!(err.contains("Log Analytics Reader"), "{err}");
    assert_eq!(emu.stats().queries, 1, "a 403 is not retried");
}

#[test]
fn a_client_secret_gets_a_token_for_the_log_analytics_audience() {
    let emu = emulator();
    let dir = project();
    let (code, _, err) = run(forge(dir.path(), &emu)
        .args(["run", "--query", "-", "--env", "test", "--auth", "secret"])
        .env("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47")
        .env("AZURE_CLIENT_ID", "22222222-2222-2222-2222-222222222222")
        .env("AZURE_CLIENT_SECRET", FAKE_SECRET)
        .write_stdin("print 1"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(emu.stats().token_scopes, ["https://api.loganalytics.io/.default"]);
}

#[test]
fn the_elapsed_time_covers_a_slow_query() {
    let emu = emulator();
    emu.push_query_reply(fixture("slow"));
    let dir = project();
    let (code, _, err) =
        run(forge(dir.path(), &emu).args(["run", "--query", "-", "--env", "test"]).write_stdin("print 1"));
    assert_eq!(code, 0, "{err}");
    let last = err.lines().last().unwrap();
    let secs: f64 = last.strip_prefix("1 row in ").and_then(|s| s.strip_suffix(" s")).unwrap().parse().unwrap();
    assert!(secs >= 0.4, "{last}");
}

#[test]
fn unknown_ids_and_bad_arguments_fail_before_anything_is_sent() {
    let emu = emulator();
    let dir = project();
    let (code, _, err) = run(forge(dir.path(), &emu).args(["run", "no-such-item", "--env", "test"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("no content item with id, file stem or name `no-such-item`: see `sentinel-forge list`"),
        "{err}"
    );
    let (code, _, err) = run(forge(dir.path(), &emu).args(["run", "run-comand-spike", "--env", "test"]));
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `run-command-spike`?"), "{err}");
    let (code, _, err) = run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--workspace-id", "law-test"]));
    assert_eq!(code, 2);
    assert!(err.contains("is not a workspace id"), "{err}");
    let (code, _, err) =
        run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test", "--timespan", "P1M"]));
    assert_eq!(code, 2);
    assert!(err.contains("years and months have no fixed length"), "{err}");
    let (code, _, err) = run(forge(dir.path(), &emu).args(["run", "run-command-spike"]));
    assert_eq!(code, 2);
    assert!(err.contains("--env <NAME>") && err.contains("--workspace-id <GUID>"), "{err}");
    let (code, _, err) =
        run(forge(dir.path(), &emu).args(["run", "--query", "x.kql", "--set", "a=1", "--workspace-id", WORKSPACE_ID]));
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
    // An environment without a workspace id.
    std::fs::write(
        dir.path().join("content/environments/test.toml"),
        ENV_FILE.replace("workspace_id = \"11111111-1111-1111-1111-111111111111\"\n", ""),
    )
    .unwrap();
    let (code, _, err) = run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test"]));
    assert_eq!(code, 2);
    assert!(err.contains("environment `test` has no `workspace_id`"), "{err}");
    assert_eq!(emu.stats().queries, 0);
}

/// A raw HTTP/1.1 POST to the emulator: (status, body).
fn raw_post(emu: &Emulator, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    let mut req =
        format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    stream.read_to_string(&mut resp).unwrap();
    let status = resp[9..12].parse().unwrap();
    let json = resp.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(json).unwrap_or(Value::Null))
}

#[test]
fn the_emulator_checks_what_the_service_checks() {
    let emu = emulator();
    let path = format!("/v1/workspaces/{WORKSPACE_ID}/query");
    let json = ("content-type", "application/json");
    let bearer = ("authorization", "Bearer t");
    let (status, body) = raw_post(&emu, &path, &[json], r#"{"query": "T"}"#);
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("AuthenticationFailed")));
    let (status, body) = raw_post(&emu, &path, &[json, bearer], r#"{"timespan": "P1D"}"#);
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("BadArgumentError")));
    assert!(body["error"]["innererror"]["message"].as_str().unwrap().contains("query"), "{body}");
    let (status, _) = raw_post(&emu, &path, &[json, bearer], r#"{"query": "T", "workspaces": "w"}"#);
    assert_eq!(status, 400, "workspaces must be an array (QueryBody)");
    let (status, body) = raw_post(&emu, &path, &[json, bearer], r#"{"query": "T", "timespan": "last week"}"#);
    assert_eq!((status, body["error"]["innererror"]["code"].as_str()), (400, Some("InvalidTimespan")));
    let (status, body) = raw_post(&emu, "/v1/workspaces/law-test/query", &[json, bearer], r#"{"query": "T"}"#);
    assert_eq!((status, body["error"]["innererror"]["code"].as_str()), (400, Some("InvalidWorkspaceId")));
    let (status, _) = raw_post(&emu, &path, &[bearer], r#"{"query": "T"}"#);
    assert_eq!(status, 400, "Content-Type: application/json is required");
    assert!(emu.queries().is_empty(), "none of these was accepted");
    let (status, body) = raw_post(&emu, &path, &[json, bearer], r#"{"query": "T", "timespan": "PT1H"}"#);
    assert_eq!((status, &body), (200, &QueryReply::empty().body));
    assert_eq!(emu.queries().len(), 1);
    assert_eq!(emu.stats().queries, 7);
}

#[test]
fn an_unreachable_endpoint_names_the_endpoint_and_the_cause() {
    let gone = emulator();
    let url = gone.url();
    drop(gone);
    let emu = emulator();
    let dir = project();
    let (code, out, err) = run(forge(dir.path(), &emu).env("SENTINEL_FORGE_LOG_ANALYTICS_ENDPOINT", &url).args([
        "run",
        "run-command-spike",
        "--env",
        "test",
    ]));
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert!(err.contains(&format!("cannot reach the Log Analytics endpoint {url} after 4 attempt(s)")), "{err}");
    assert!(err.to_lowercase().contains("connect"), "the cause is kept: {err}");
}

#[test]
fn a_custom_item_runs_with_its_declared_parameters_and_window() {
    let emu = emulator();
    emu.push_query_reply(fixture("spike-result"));
    let dir = tempfile::tempdir().unwrap();
    crate::util::copy_tree(&root().join("tests/fixtures/custom"), dir.path());
    std::fs::write(dir.path().join("content/environments/test.toml"), ENV_FILE).unwrap();
    let (code, _, err) = run(forge(dir.path(), &emu).args([
        "run",
        "vm-deletions",
        "--env",
        "test",
        "--set",
        "min_count=7",
        "--set",
        "lookback=3d",
        "--format",
        "json",
    ]));
    assert_eq!(code, 0, "{err}");
    let q = only_query(&emu);
    let sent = q.body["query"].as_str().unwrap();
    assert!(sent.contains("Deletions >= 7") && sent.contains("ago(3d)"), "{sent}");
    // The declared `window` parameter sets the default time range.
    assert_eq!(interval_seconds(q.body["timespan"].as_str().unwrap()), 3 * 86_400);

    // A value outside the declaration is refused before anything is sent.
    let (code, _, err) =
        run(forge(dir.path(), &emu).args(["run", "vm-deletions", "--env", "test", "--set", "min_count=0"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[CNT005]") && err.contains("allowed: 1 ..= 1000"), "{err}");
    assert_eq!(emu.queries().len(), 1, "nothing more was sent");
}

/// A missing Azure CLI says so and lists the other ways to sign in, for
/// `run` and `deploy` alike (the SDK's own words were "non-transport error
/// occurred which will not be retried").
#[test]
fn a_missing_azure_cli_says_what_to_do() {
    let emu = emulator();
    let dir = project();
    let empty_path = tempfile::tempdir().unwrap();
    for args in [
        &["run", "run-command-spike", "--env", "test", "--auth", "cli"][..],
        &["deploy", "--env", "test", "--auth", "cli", "--yes"],
    ] {
        let (code, _, err) = run(forge(dir.path(), &emu).args(args).env("PATH", empty_path.path()));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("Azure CLI (`az`) not found: install it and sign in with `az login`"), "{err}");
        assert!(err.contains("SENTINEL_FORGE_TOKEN (--auth token)"), "{err}");
    }
}

/// Issue 18: the throttled fixture says `Retry-After: 0`, so a client that
/// ignored the header passed. With a wait in seconds and as an HTTP date,
/// the gap between the two tries the emulator received shows it was kept.
#[test]
fn a_non_zero_retry_after_is_waited_in_seconds_and_as_an_http_date() {
    // The date is 4 s away at push time (whole seconds: at least 3 s), so
    // at least 1 s away when the 429 is answered.
    let date = || {
        let at = azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::seconds(4);
        azure_core::time::to_rfc7231(&at)
    };
    let seconds = QueryReply::throttled(1);
    let http_date = QueryReply::throttled(1).with_header("retry-after", "");
    for (form, mut throttled) in [("seconds", seconds), ("HTTP date", http_date)] {
        if form == "HTTP date" {
            throttled.headers.retain(|(k, _)| k != "retry-after");
            throttled = throttled.with_header("retry-after", &date());
        }
        let emu = emulator();
        emu.push_query_reply(throttled);
        emu.push_query_reply(fixture("cross-workspace"));
        let dir = project();
        let (code, _, err) = run(forge(dir.path(), &emu).args(["run", "run-command-spike", "--env", "test"]));
        assert_eq!(code, 0, "{form}: {err}");
        let tries = emu.queries();
        assert_eq!(tries.len(), 2, "{form}: one 429, then the result");
        let gap = tries[1].at - tries[0].at;
        assert!(gap >= std::time::Duration::from_millis(1000), "{form}: Retry-After was not waited: {gap:?}");
        assert!(gap < std::time::Duration::from_secs(10), "{form}: {gap:?}");
    }
}
