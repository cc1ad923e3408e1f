//! The binary: every command's output and exit code.

use assert_cmd::Command;

use crate::util::{root, scratch_project, snapshot_tree};

fn forge(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("sentinel-forge").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}
fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn generate_writes_everything_then_is_idempotent() {
    let project = scratch_project();
    let out = forge(project.path()).arg("generate").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let first = snapshot_tree(&project.path().join("generated"));
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    insta::assert_snapshot!("generated_files", names.join("\n"));
    // The same bytes as the committed tree.
    assert_eq!(first, snapshot_tree(&root().join("generated")));

    let again = forge(project.path()).arg("generate").output().unwrap();
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(first, snapshot_tree(&project.path().join("generated")));
    let check = forge(project.path()).args(["generate", "--check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

#[test]
fn check_lists_stale_files_and_writes_nothing() {
    let project = scratch_project();
    forge(project.path()).arg("generate").assert().success();
    let kql = project.path().join("generated/kql/run-command-spike.kql");
    std::fs::write(&kql, "edited by hand\n").unwrap();
    std::fs::write(project.path().join("generated/kql/orphan.kql"), "x\n").unwrap();
    let before = snapshot_tree(&project.path().join("generated"));
    let out = forge(project.path()).args(["generate", "--check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out), @r"
    changed: generated/kql/run-command-spike.kql
    deleted: generated/kql/orphan.kql
    ");
    assert_eq!(before, snapshot_tree(&project.path().join("generated")));
}

#[test]
fn broken_content_exits_1_and_leaves_generated_untouched() {
    let project = scratch_project();
    forge(project.path()).arg("generate").assert().success();
    let before = snapshot_tree(&project.path().join("generated"));
    let spike = project.path().join("content/hunting/run-command-spike.toml");
    let original = std::fs::read_to_string(&spike).unwrap();
    for (broken, code, line) in [
        (original.replace("min_commands = 5", "min_commands = -1"), "CNT005", 18),
        (original.replace("min_commands = 5", "min_comands = 5"), "CNT002", 18),
        (original.replace("min_commands = 5", "min_commands = 5 5"), "CNT001", 18),
    ] {
        std::fs::write(&spike, broken).unwrap();
        let out = forge(project.path()).arg("generate").output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.contains(&format!("error[{code}]")), "{err}");
        assert!(err.contains(&format!("content/hunting/run-command-spike.toml:{line}:")), "{err}");
        assert_eq!(before, snapshot_tree(&project.path().join("generated")), "generated/ must be unchanged");
    }
    // A duplicate id across two files.
    std::fs::write(&spike, &original).unwrap();
    let id_line = original.lines().next().unwrap();
    let other = project.path().join("content/hunting/run-command-infrequent.toml");
    let text = std::fs::read_to_string(&other).unwrap();
    let first = text.lines().next().unwrap().to_string();
    std::fs::write(&other, text.replacen(&first, id_line, 1)).unwrap();
    let out = forge(project.path()).args(["generate", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "CNT006");
    assert_eq!(d["location"]["file"], "content/hunting/run-command-spike.toml");
    assert_eq!((d["location"]["line"].as_u64(), d["location"]["column"].as_u64()), (Some(1), Some(6)));
    assert_eq!(before, snapshot_tree(&project.path().join("generated")));
}

#[test]
fn validate_list_show_and_templates() {
    let dir = root();
    let out = forge(&dir).arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "15 items valid (138 documents checked)\n");

    let out = forge(&dir).arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("cli_list", stdout(&out));

    for flag in ["--kql", "--yaml", "--arm"] {
        let out = forge(&dir).args(["show", "run-command-spike", flag]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let expected_file = match flag {
            "--kql" => "generated/kql/run-command-spike.kql",
            "--yaml" => "generated/yaml/hunting/run-command-spike.yaml",
            _ => "generated/arm/hunting/run-command-spike.json",
        };
        assert_eq!(stdout(&out), std::fs::read_to_string(dir.join(expected_file)).unwrap(), "{flag}");
    }
    let out = forge(&dir).args(["show", "run-command-spike", "--env", "prod"]).output().unwrap();
    assert_eq!(stdout(&out), std::fs::read_to_string(dir.join("generated/prod/kql/run-command-spike.kql")).unwrap());
    let out = forge(&dir).args(["show", "no-such-item"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no content item with id, file stem or name `no-such-item`"));

    let out = forge(&dir).arg("templates").output().unwrap();
    insta::assert_snapshot!("cli_templates", stdout(&out));
    let out = forge(&dir).args(["templates", "anomalous_operation_model"]).output().unwrap();
    insta::assert_snapshot!("cli_templates_anomalous", stdout(&out));
    let out = forge(&dir).args(["templates", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explain_schema_completions() {
    let dir = root();
    let out = forge(&dir).args(["explain", "CNT005"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("cli_explain_cnt005", stdout(&out));
    let by_name = forge(&dir).args(["explain", "out-of-range"]).output().unwrap();
    assert_eq!(stdout(&by_name), stdout(&out));
    let out = forge(&dir).args(["explain", "XYZ999"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = forge(&dir).arg("schema").output().unwrap();
    assert_eq!(stdout(&out), std::fs::read_to_string(dir.join("schemas/content.schema.json")).unwrap());

    let out = forge(&dir).args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("_sentinel__forge()"));
}

#[test]
fn new_writes_a_valid_item_and_refuses_to_overwrite() {
    let project = scratch_project();
    let out = forge(project.path())
        .args(["new", "run_command_spike", "--name", "Run Command spike (prod)"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "content/hunting/run-command-spike-prod.toml");
    let text = std::fs::read_to_string(project.path().join("content/hunting/run-command-spike-prod.toml")).unwrap();
    assert!(text.contains("min_commands = 5\n") && text.contains("window = \"15m\"\n"));
    let validate = forge(project.path()).arg("validate").output().unwrap();
    assert_eq!(validate.status.code(), Some(0), "{}", stderr(&validate));
    let again = forge(project.path())
        .args(["new", "run_command_spike", "--name", "Run Command spike (prod)"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn help_is_complete_for_every_command() {
    let dir = root();
    let out = forge(&dir).arg("--help").output().unwrap();
    insta::assert_snapshot!("cli_help", stdout(&out));
    for cmd in ["generate", "validate", "list", "show", "templates", "new", "explain", "schema", "completions", "run"] {
        let out = forge(&dir).args([cmd, "--help"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        insta::assert_snapshot!(format!("cli_help_{cmd}"), stdout(&out));
    }
}

#[test]
fn kql_check_reads_files_and_stdin() {
    let dir = root();
    let out =
        forge(&dir).args(["kql", "check", "generated/kql/run-command-spike.kql", "tests/fixtures/kql/valid"]).output();
    // A directory is not a file: the tool cannot proceed.
    assert_eq!(out.unwrap().status.code(), Some(2));
    let out = forge(&dir).args(["kql", "check", "generated/kql/run-command-spike.kql"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = forge(&dir)
        .args(["kql", "check", "-"])
        .write_stdin("AzureActivity\n| where Caller ==\n| take 5\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("kql_check_stdin", stderr(&out));
    let out = forge(&dir)
        .args(["kql", "check", "--format", "json"])
        .write_stdin("T | summarize count() by\n")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["diagnostics"][0]["code"], "SYN001");
    assert_eq!(report["diagnostics"][0]["location"]["file"], "<stdin>");
}

#[test]
fn kql_check_reports_sem_findings_and_kql_schema_prints_the_output_columns() {
    let dir = root();
    let out = forge(&dir)
        .args(["kql", "check", "-"])
        .write_stdin(
            "SigninLog | take 1;\nSigninLogs\n| where UserPrincipleName == 'a'\n| extend n = tostirng(UserId)\n",
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("kql_check_semantic", stderr(&out));
    let out = forge(&dir)
        .args(["kql", "schema", "-"])
        .write_stdin("SigninLogs\n| summarize n = count(), max(TimeGenerated) by UserPrincipalName\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "UserPrincipalName  string\nn                  long\nmax_TimeGenerated  datetime\n");
    let out = forge(&dir)
        .args(["kql", "schema", "-"])
        .write_stdin("SigninLogs | evaluate bag_unpack(DeviceDetail)\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot be known"), "{}", stderr(&out));
}

#[test]
fn generate_env_writes_only_that_environment() {
    let project = scratch_project();
    let out = forge(project.path()).args(["generate", "--env", "prod"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = snapshot_tree(&project.path().join("generated"));
    assert!(written.iter().all(|(name, _)| name.starts_with("prod/")), "only generated/prod is written");
    // Byte-identical to the prod subtree a full `generate` writes (and that is committed).
    let committed: Vec<_> =
        snapshot_tree(&root().join("generated")).into_iter().filter(|(n, _)| n.starts_with("prod/")).collect();
    assert_eq!(written, committed);
    // The override took effect: prod's spike needs 10 commands, the default 5.
    let prod = std::fs::read_to_string(project.path().join("generated/prod/kql/run-command-spike.kql")).unwrap();
    assert!(prod.contains("let commandsExecuted = 10;"));
    let out = forge(project.path()).args(["generate", "--env", "staging"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no environment `staging`"));
}

/// Our own output passes every Sentinel lint rule (the Azure-Sentinel CI's
/// and the stricter ones), for the default and for each environment.
#[test]
fn generated_documents_pass_the_sentinel_linter() {
    let dir = root();
    // YAML and ARM are linted apart: they carry the same ids by design.
    for prefix in ["generated", "generated/dev", "generated/prod"] {
        for paths in
            [vec![format!("{prefix}/yaml")], vec![format!("{prefix}/arm/analytics"), format!("{prefix}/arm/hunting")]]
        {
            let out = forge(&dir).arg("validate").args(&paths).output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            let summary =
                "15 files read, 15 with Sentinel content (15 documents), 0 skipped: 0 error(s), 0 warning(s)\n";
            assert!(stderr(&out).ends_with(summary), "{paths:?}: {}", stderr(&out));
        }
    }
}
