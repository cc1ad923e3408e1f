//! `run --local`: the embedded engine over the sample data in
//! `tests/data/sample/` (14 AzureActivity rows: alice runs 6 commands on two
//! VMs within 11 minutes, bob one that fails).

use crate::util::{SPIKE_ID, forge_in, output, root};

const NOW: &str = "2026-01-15T12:00:00Z";

#[test]
fn the_spike_item_finds_the_caller_with_five_commands_in_its_window() {
    let (code, out, err) = output(forge_in(&root()).args([
        "run",
        SPIKE_ID,
        "--local",
        "tests/data/sample",
        "--now",
        NOW,
        "--format",
        "table",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("alice@contoso.com") && !out.contains("bob@contoso.com"), "{out}");
    insta::assert_snapshot!("run_local_spike_table", out);
}

#[test]
fn a_query_file_runs_locally_as_the_query_api_json() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("q.kql");
    std::fs::write(&q, "AzureActivity | where ActivityStatusValue == 'Failed' | project Caller, TimeGenerated")
        .unwrap();
    let (code, out, err) = output(forge_in(&root()).args([
        "run",
        "--query",
        q.to_str().unwrap(),
        "--local",
        "tests/data/sample",
        "--format",
        "json",
    ]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tables"][0]["name"], "PrimaryResult");
    assert_eq!(v["tables"][0]["columns"][1]["type"], "datetime");
    assert_eq!(v["tables"][0]["rows"], serde_json::json!([["bob@contoso.com", "2026-01-15T10:00:30Z"]]));
}

#[test]
fn an_unsupported_construct_is_a_diagnostic_at_its_span() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("q.kql");
    std::fs::write(&q, "AzureActivity\n| evaluate autocluster()").unwrap();
    let (code, _out, err) =
        output(forge_in(&root()).args(["run", "--query", q.to_str().unwrap(), "--local", "tests/data/sample"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("ENG001") && err.contains("not supported by the local engine") && err.contains(":2:"),
        "{err}"
    );
}

#[test]
fn externaldata_reads_only_a_mapped_local_file() {
    let url =
        "https://raw.githubusercontent.com/microsoft/mstic/master/PublicFeeds/MSFTIPRanges/ServiceTags_Public.json";
    let mapping = format!("{url}=tests/data/external/ServiceTags_Public.json");
    let args = ["run", "run-command-from-azure-ip", "--local", "tests/data/sample", "--now", NOW, "--format", "csv"];
    let (code, out, err) = output(forge_in(&root()).args(args).args(["--externaldata", &mapping]));
    assert_eq!(code, 0, "{err}");
    // alice's 6 commands come from 203.0.113.7, inside the WindowsVirtualDesktop prefix
    assert_eq!(out.lines().filter(|l| l.contains("alice@contoso.com,203.0.113.7,203.0.113.0/24")).count(), 6, "{out}");
    let (code, _, err) = output(forge_in(&root()).args(args));
    assert_eq!(code, 1);
    assert!(err.contains("ENG001") && err.contains("--externaldata URL=FILE"), "{err}");
}

#[test]
fn a_result_kusto_does_not_define_carries_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("q.kql");
    let run = |text: &str| {
        std::fs::write(&q, text).unwrap();
        output(forge_in(&root()).args(["run", "--query", q.to_str().unwrap(), "--local", "tests/data/sample"]))
    };
    let (code, _, err) = run("AzureActivity | take 3");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("note: Kusto does not define which rows") && err.contains("take"), "{err}");
    let (code, _, err) = run("AzureActivity | sort by TimeGenerated asc | take 3");
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("note:"), "sorted first: {err}");
}

#[test]
fn hostile_data_files_are_problems_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut long = b"{\"Caller\":\"a\"}\n{\"Caller\":\"".to_vec();
    long.extend(std::iter::repeat_n(b'x', 17 << 20));
    long.extend(b"\"}\n");
    std::fs::write(dir.path().join("AzureActivity.jsonl"), long).unwrap();
    std::fs::write(dir.path().join("SigninLogs.jsonl"), (0..=255u8).cycle().take(8192).collect::<Vec<u8>>()).unwrap();
    let q = dir.path().join("q.kql");
    std::fs::write(&q, "AzureActivity | count").unwrap();
    let (code, out, err) = output(forge_in(&root()).args([
        "run",
        "--query",
        q.to_str().unwrap(),
        "--local",
        dir.path().to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("AzureActivity.jsonl:2") && err.contains("longer than"), "{err}");
    assert!(err.contains("SigninLogs.jsonl:") && err.contains("UTF-8"), "{err}");
    assert!(out.contains('1'), "the good line still loads: {out}");
}
