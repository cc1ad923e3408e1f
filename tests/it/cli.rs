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

/// A typo in an item that environments override is one error, not one more
/// `CNT024 override of unknown content id` per environment.
#[test]
fn one_mistake_in_an_overridden_item_is_one_error() {
    let project = scratch_project();
    let spike = project.path().join("content/hunting/run-command-spike.toml");
    let original = std::fs::read_to_string(&spike).unwrap();
    std::fs::write(&spike, original.replace("min_commands = 5", "min_comands = 5")).unwrap();
    let envs = std::fs::read_to_string(project.path().join("content/environments/prod.toml")).unwrap();
    assert!(envs.contains(crate::util::SPIKE_ID), "prod overrides the spike, so the case is meaningful");
    let out = forge(project.path()).args(["generate", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let codes: Vec<&str> =
        report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["CNT002"], "{report:#}");
}

/// Template mistakes point where they are: an unknown filter at the filter
/// (with did-you-mean), a failing filter at its use and at the TOML value it
/// failed on, every undefined parameter in one run, a KQL typo in a rendered
/// query at the template line first.
#[test]
fn template_errors_point_at_the_mistake() {
    let project = tempfile::tempdir().unwrap();
    crate::util::copy_tree(&root().join("tests/fixtures/custom"), project.path());
    let template = project.path().join("templates/custom/vm-deletions.kql.tera");
    let item = project.path().join("content/hunting/vm-deletions.toml");
    let (original_template, original_item) =
        (std::fs::read_to_string(&template).unwrap(), std::fs::read_to_string(&item).unwrap());
    let report = |template_text: &str, item_text: &str| {
        std::fs::write(&template, template_text).unwrap();
        std::fs::write(&item, item_text).unwrap();
        let out = forge(project.path()).args(["generate", "--check", "--format", "json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        report["diagnostics"].as_array().unwrap().clone()
    };
    let at = |d: &serde_json::Value| {
        let l = &d["location"];
        (l["file"].as_str().unwrap().to_string(), l["line"].as_u64().unwrap(), l["text"].as_str().unwrap().to_string())
    };

    let diags = report(&original_template.replace("kql_timespan", "kql_timespn"), &original_item);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["code"], "TPL001");
    assert_eq!(at(&diags[0]), ("templates/custom/vm-deletions.kql.tera".into(), 3, "kql_timespn".into()));
    assert_eq!(diags[0]["help"], "did you mean `kql_timespan`?");

    let diags = report(
        &original_template.replace("params.lookback | kql_timespan", "params.lookback | kql_minutes"),
        &original_item.replace("default = \"1d\"\nmin = \"1h\"", "default = \"90s\"\nmin = \"1s\""),
    );
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["message"], "filter `kql_minutes` failed");
    assert_eq!(at(&diags[0]), ("templates/custom/vm-deletions.kql.tera".into(), 3, "kql_minutes".into()));
    let value =
        diags[0]["related"].as_array().unwrap().iter().find(|l| l["label"] == "the value of `lookback`").unwrap();
    assert_eq!(
        (value["file"].as_str(), value["text"].as_str()),
        (Some("content/hunting/vm-deletions.toml"), Some("\"90s\""))
    );

    let diags = report(
        &original_template
            .replace("params.min_count", "params.min_cout")
            .replace("params.failed_ratio", "params.fail_ratio"),
        &original_item,
    );
    let found: Vec<(String, String)> =
        diags.iter().map(|d| (d["code"].as_str().unwrap().into(), d["help"].as_str().unwrap().into())).collect();
    assert_eq!(
        found,
        [
            ("TPL002".to_string(), "did you mean `params.min_count`?".to_string()),
            ("TPL002".to_string(), "did you mean `params.failed_ratio`?".to_string())
        ]
    );

    let diags = report(&original_template.replace("| summarize", "| summarise"), &original_item);
    assert_eq!(diags[0]["code"], "SYN004");
    assert_eq!(at(&diags[0]), ("templates/custom/vm-deletions.kql.tera".into(), 9, "summarise".into()));
    assert_eq!(diags[0]["help"], "did you mean `summarize`?");
}

/// `list --format json`, `templates` finding a custom model by its file
/// stem and suggesting near names, parameter types spelled as declarations
/// spell them, a misspelt `--set` name as CNT002 like in a file, and a
/// closed pipe ending the program quietly.
#[test]
fn first_day_polish() {
    let project = tempfile::tempdir().unwrap();
    crate::util::copy_tree(&root().join("tests/fixtures/custom"), project.path());
    let out = forge(project.path()).args(["list", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let hunt = list.as_array().unwrap().iter().find(|i| i["model"] == "custom:vm-deletions").unwrap();
    assert_eq!(hunt["file"], "content/hunting/vm-deletions.toml");
    assert_eq!(hunt["kind"], "hunting");

    let out = forge(project.path()).args(["templates", "vm-deletions"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("custom:vm-deletions\n"), "{text}");
    assert!(text.contains("  min_count (int) = 5\n"), "{text}");
    assert!(text.contains("  operations (string_list) = "), "{text}");
    let out = forge(project.path()).args(["templates", "run_comand_spike"]).output().unwrap();
    assert!(stderr(&out).contains("did you mean `run_command_spike`?"), "{}", stderr(&out));

    let out = forge(project.path())
        .args(["run", "vm-deletions", "--set", "min_cout=3", "--workspace-id", "00000000-0000-0000-0000-000000000000"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(err.contains("error[CNT002]"), "{err}");
    assert!(err.contains("did you mean `min_count`?"), "{err}");

    // A pipe whose reader is already gone: the first write fails.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("sentinel-forge"))
        .arg("templates")
        .current_dir(project.path())
        .stdout(writer)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(101), "a panic's exit code");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{}", String::from_utf8_lossy(&out.stderr));
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
    let out = forge(&dir).args(["schema", "--kind", "environment"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), std::fs::read_to_string(dir.join("schemas/environment.schema.json")).unwrap());

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
    assert_eq!(
        stdout(&out).lines().collect::<Vec<_>>(),
        [
            "content/hunting/run-command-spike-prod.toml",
            "tests/data/run-command-spike-prod/the-attack-this-item-detects-fires.jsonl"
        ]
    );
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
    // Every subcommand clap knows (nested ones too), so a new command cannot be missed.
    fn paths(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_string());
            out.push(path.clone());
            paths(sub, &path, out);
        }
    }
    let mut commands = Vec::new();
    paths(&<sentinel_forge::cli::Cli as clap::CommandFactory>::command(), &[], &mut commands);
    assert!(commands.len() >= 15, "{commands:?}");
    for path in commands {
        let out = forge(&dir).args(&path).arg("--help").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{path:?}");
        let help = stdout(&out);
        assert!(help.contains("Usage: sentinel-forge "), "{path:?}: {help}");
        insta::assert_snapshot!(format!("cli_help_{}", path.join("_")), help);
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
    // Byte-identical to the prod subtree a full `generate` writes (and that is
    // committed), plus the ownership marker of a tree written on its own.
    let committed: Vec<_> =
        snapshot_tree(&root().join("generated")).into_iter().filter(|(n, _)| n.starts_with("prod/")).collect();
    let (markers, written): (Vec<_>, Vec<_>) =
        written.into_iter().partition(|(n, _)| n == "prod/.sentinel-forge-output");
    assert_eq!(written, committed);
    assert_eq!(markers.len(), 1);
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
    // The whole tree at once: YAML, per-item ARM, azuredeploy.json and the
    // environment folders carry the same rules (one id, one name each), which
    // are copies of one rule, not duplicates.
    let out = forge(&dir).args(["validate", "generated"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = "93 files read, 93 with Sentinel content (135 documents), 0 skipped: 0 error(s), 0 warning(s)\n";
    assert!(stderr(&out).ends_with(summary), "{}", stderr(&out));
}

/// `validate --base REV` on content reports only what is in files changed since REV.
#[test]
fn validate_base_reports_only_files_changed_since_rev() {
    let project = scratch_project();
    let dir = project.path();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let old = dir.join("content/hunting/activity-connector-health.toml");
    let new = dir.join("content/hunting/caller-activity-summary.toml");
    let append = |path: &std::path::Path, line: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        std::fs::write(path, format!("{line}\n{text}")).unwrap();
    };
    // an error already present at the base revision
    append(&old, "colour_at_base = 1");
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    let out = forge(dir).args(["validate", "--base", "HEAD"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "nothing changed since HEAD: {}", stderr(&out));
    assert!(stderr(&out).contains("in files unchanged since HEAD not shown"), "{}", stderr(&out));
    // a new error in a changed file is reported, the old one is not
    append(&new, "colour_since_base = 1");
    let out = forge(dir).args(["validate", "--base", "HEAD"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("colour_since_base") && !err.contains("colour_at_base"), "{err}");
    // without --base both are reported
    let out = forge(dir).arg("validate").output().unwrap();
    let err = stderr(&out);
    assert!(err.contains("colour_since_base") && err.contains("colour_at_base"), "{err}");
    // a revision git does not know is a tool error
    let out = forge(dir).args(["validate", "--base", "no-such-rev"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
