//! The `[catalog]` section of `sentinel-forge.toml`: custom tables (inline or
//! Azure-Sentinel CustomTables JSON), watchlists and workspace functions feed
//! `kql check`, `validate` (content and `validate PATH…`) and `generate`;
//! broken declarations are coded diagnostics at their TOML value.

use std::path::Path;

use crate::util::{forge_in, output, scratch_project};

const CATALOG: &str = r#"[lint]
ignore = []

[catalog]
[[catalog.tables]]
name = "MyApp_CL"
columns = { TimeGenerated = "datetime", User_s = "string", Count_d = "real" }

[[catalog.tables]]
file = "tables"

[[catalog.watchlists]]
alias = "HighValueHosts"
columns = { Hostname = "string", Owner = "string" }

[[catalog.functions]]
name = "AppSignins"
params = "(starttime:datetime, user:string='*')"
columns = { TimeGenerated = "datetime", User = "string", Result = "string" }

[[catalog.functions]]
name = "vimCustom*"
"#;

const JSON_TABLE: &str = r#"{
    "Name": "Vendor_CL",
    "Properties": [
        { "Name": "TimeGenerated", "Type": "DateTime" },
        { "Name": "Account_s", "Type": "String" }
    ]
}"#;

fn project_with(catalog: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sentinel-forge.toml"), catalog).unwrap();
    std::fs::create_dir_all(dir.path().join("tables")).unwrap();
    std::fs::write(dir.path().join("tables/Vendor_CL.json"), JSON_TABLE).unwrap();
    dir
}

fn kql_check(dir: &Path, query: &str) -> (i32, String) {
    let (status, _, err) = output(forge_in(dir).args(["kql", "check", "-"]).write_stdin(query));
    (status, err)
}

#[test]
fn declared_tables_watchlists_and_functions_are_known_with_their_columns() {
    let dir = project_with(CATALOG);
    let query = "let hosts = _GetWatchlist('HighValueHosts') | project Hostname, SearchKey;\n\
                 MyApp_CL\n\
                 | where Count_d > 3\n\
                 | join kind=inner (Vendor_CL | project User_s = Account_s) on User_s\n\
                 | join kind=inner (AppSignins(ago(1d)) | project User_s = User, Result) on User_s\n\
                 | union (vimCustomProcess(starttime=ago(1h)))\n";
    let (status, err) = kql_check(dir.path(), query);
    assert_eq!(status, 0, "{err}");
    // The same queries without the declarations: every name is unknown.
    let bare = tempfile::tempdir().unwrap();
    let (status, err) = kql_check(bare.path(), query);
    assert_eq!(status, 1);
    for name in ["MyApp_CL", "Vendor_CL"] {
        assert!(err.contains(&format!("unknown table `{name}`")), "{err}");
    }
    assert!(err.contains("AppSignins"), "{err}");
}

#[test]
fn declared_columns_and_parameters_are_checked() {
    let dir = project_with(CATALOG);
    let query = "MyApp_CL\n\
                 | where User_S == \"a\"\n\
                 | join (AppSignins()) on $left.User_s == $right.User\n\
                 | join (_GetWatchlist('HighValueHosts') | project Hostnme) on $left.User_s == $right.Hostnme\n";
    let (status, err) = kql_check(dir.path(), query);
    assert_eq!(status, 1, "{err}");
    insta::assert_snapshot!("catalog_declared_columns_and_parameters", err);
}

#[test]
fn broken_declarations_are_reported_at_their_values() {
    let catalog = r#"[catalog]
[[catalog.tables]]
name = "MyApp_CL"
columns = { TimeGenerated = "datetime", Count_d = "number" }
colums = {}

[[catalog.tables]]
file = "tables/missing.json"

[[catalog.watchlists]]
columns = { Hostname = "string" }

[[catalog.functions]]
name = "AppSignins"
params = "(starttime datetime)"

[[catalog.functions]]
name = "Other"
params = "(starttime:datetim)"
"#;
    let dir = project_with(catalog);
    let (status, err) = kql_check(dir.path(), "print 1");
    assert_eq!(status, 1, "{err}");
    insta::assert_snapshot!("catalog_broken_declarations", err);
    // `validate` of content refuses too, with the same diagnostics.
    let project = scratch_project();
    std::fs::write(project.path().join("sentinel-forge.toml"), catalog).unwrap();
    let (status, _, err) = output(forge_in(project.path()).arg("validate"));
    assert_eq!(status, 1, "{err}");
    assert!(err.contains("error[SEM016]: `number` is not a column type (column `Count_d`)"), "{err}");
    assert!(err.contains("error[CNT002]: unknown key `colums`"), "{err}");
}

#[test]
fn kql_check_catalog_accepts_a_declaration_file_and_custom_tables_json() {
    let dir = project_with("");
    std::fs::write(dir.path().join("decl.toml"), CATALOG).unwrap();
    let (status, _, err) = output(
        forge_in(dir.path()).args(["kql", "check", "--catalog", "decl.toml", "-"]).write_stdin("MyApp_CL | take 1"),
    );
    assert_eq!(status, 0, "{err}");
    let (status, _, err) =
        output(forge_in(dir.path()).args(["kql", "check", "--catalog", "tables/Vendor_CL.json", "-"]).write_stdin(
            "Vendor_CL | project Account_s | join (SigninLogs) on $left.Account_s == $right.UserPrincipalName",
        ));
    assert_eq!(status, 0, "the JSON table comes on top of the built-in ones: {err}");
    let (status, out, _) = output(
        forge_in(dir.path())
            .args(["kql", "schema", "--catalog", "decl.toml", "-"])
            .write_stdin("AppSignins(ago(1d)) | project User, Result"),
    );
    assert_eq!(status, 0);
    assert_eq!(out, "User    string\nResult  string\n");
}

#[test]
fn content_queries_are_checked_with_the_declarations() {
    let project = scratch_project();
    let template = project.path().join("templates/run_command_spike.kql.tera");
    let text = std::fs::read_to_string(&template).unwrap();
    let custom = text.replacen("AzureActivity", "MyActivity_CL", 1);
    assert_ne!(text, custom);
    std::fs::write(&template, custom).unwrap();
    let (status, _, err) = output(forge_in(project.path()).arg("validate"));
    assert_eq!(status, 1, "an undeclared table is SEM001: {err}");
    assert!(err.contains("unknown table `MyActivity_CL`"), "{err}");
    // Declared with AzureActivity's columns (a CustomTables file), the query checks again.
    let columns: Vec<String> = sentinel_forge::check::Catalog::builtin()
        .table("AzureActivity")
        .unwrap()
        .columns
        .iter()
        .map(|(n, t)| format!("{{\"Name\": \"{n}\", \"Type\": \"{}\"}}", t.name()))
        .collect();
    std::fs::write(
        project.path().join("MyActivity_CL.json"),
        format!("{{\"Name\": \"MyActivity_CL\", \"Properties\": [{}]}}", columns.join(", ")),
    )
    .unwrap();
    std::fs::write(project.path().join("sentinel-forge.toml"), "[[catalog.tables]]\nfile = \"MyActivity_CL.json\"\n")
        .unwrap();
    let (status, _, err) = output(forge_in(project.path()).arg("validate"));
    assert_eq!(status, 0, "{err}");
}

#[test]
fn validate_paths_checks_sentinel_yaml_with_the_declarations() {
    let dir = project_with(CATALOG);
    let rule = std::fs::read_to_string(crate::util::root().join("tests/fixtures/lint/SNT036/pass/Rule.yaml"))
        .unwrap()
        .replace("  SigninLogs\n", "  MyApp_CL\n  | extend ResultType = \"1\", UserPrincipalName = User_s\n")
        .replace("      - SigninLogs", "      - MyApp_CL");
    std::fs::write(dir.path().join("Rule.yaml"), &rule).unwrap();
    let (status, _, err) = output(forge_in(dir.path()).args(["validate", "Rule.yaml"]));
    assert_eq!(status, 0, "{err}");
    let bare = tempfile::tempdir().unwrap();
    std::fs::write(bare.path().join("Rule.yaml"), &rule).unwrap();
    let (status, _, err) = output(forge_in(bare.path()).args(["validate", "Rule.yaml"]));
    assert_eq!(status, 1, "{err}");
    insta::assert_snapshot!("catalog_validate_yaml_without_declarations", err);
}
