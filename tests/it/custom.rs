//! Custom models: content items that bring their own query template and
//! declare typed parameters (`template = "custom"`).

use sentinel_forge::content::api_versions::ApiVersions;
use sentinel_forge::pipeline::{Environments, ProjectPaths, compile_with};

use crate::util::{copy_tree, forge_in, output, root};

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("tests/fixtures/custom"), dir.path());
    dir
}

#[test]
fn custom_queries_render_with_every_parameter_type_and_environment_overrides() {
    let dir = project();
    let paths = ProjectPaths { content: dir.path().join("content"), templates: dir.path().join("templates") };
    let compiled = compile_with(&paths, &ApiVersions::default(), Environments::All).unwrap();
    let errors: Vec<String> = compiled.diagnostics.iter().map(|d| format!("{} {}", d.code.id, d.message)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let doc = |path: &str| compiled.documents.iter().find(|d| d.path == path).unwrap_or_else(|| panic!("{path}"));
    insta::assert_snapshot!("custom_hunting_kql", doc("kql/vm-deletions.kql").text);
    let dev = &doc("dev/kql/vm-deletions.kql").text;
    assert!(dev.contains("Deletions >= 10") && !dev.contains("DISKS"), "dev overrides apply:\n{dev}");
    // The rule's query period follows its declared window, also when an environment changes it.
    let rule = &doc("arm/analytics/vm-deletions-rule.json").json["resources"][0]["properties"];
    assert_eq!(rule["queryPeriod"], "PT2H");
    assert_eq!(rule["queryFrequency"], "PT1H");
    let dev_rule = &doc("dev/arm/analytics/vm-deletions-rule.json").json["resources"][0]["properties"];
    assert_eq!(dev_rule["queryPeriod"], "PT6H");
    let yaml = &doc("yaml/hunting/vm-deletions.yaml").json;
    assert_eq!(yaml["requiredDataConnectors"][0]["connectorId"], "AzureActivity");
}

#[test]
fn templates_lists_and_documents_custom_queries() {
    let dir = project();
    let (code, out, err) = output(forge_in(dir.path()).args(["templates"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("custom:vm-deletions") && out.contains("custom:vm-deletions-rule"), "{out}");
    assert!(out.contains("run_command_spike"), "built-in models are still listed:\n{out}");
    let (code, out, err) = output(forge_in(dir.path()).args(["templates", "custom:vm-deletions"]));
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("custom_templates_describe", out);
}

#[test]
fn bad_declarations_and_values_are_diagnostics() {
    let dir = project();
    let file = dir.path().join("content/hunting/vm-deletions.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let broken = text
        .replace("type = \"real\"", "type = \"float\"")
        .replace("default = 5\n", "default = \"five\"\n")
        .replace("type = \"bool\"\ndefault = false", "type = \"bool\"\ndefault = false\nmin = 0")
        .replace("window = \"lookback\"", "window = \"min_count\"")
        .replace("default = \"2026-01-01T00:00:00Z\"", "default = \"01/01/2026\"");
    std::fs::write(&file, broken).unwrap();
    // An environment override is checked against the declaration too.
    std::fs::write(
        dir.path().join("content/environments/dev.toml"),
        "[overrides.\"7e1f3a5c-9b2d-4e6f-8a0b-c1d2e3f4a5b6\"]\nparams = { min_count = 0 }\n",
    )
    .unwrap();
    let (code, _, err) = output(forge_in(dir.path()).args(["validate"]));
    assert_eq!(code, 1);
    insta::assert_snapshot!("custom_bad_declarations", err);
    assert!(!dir.path().join("generated").exists());
}

#[test]
fn a_missing_query_template_is_reported_at_the_item() {
    let dir = project();
    std::fs::remove_file(dir.path().join("templates/custom/vm-deletion-burst.kql.tera")).unwrap();
    let (code, _, err) = output(forge_in(dir.path()).args(["validate"]));
    assert_eq!(code, 1);
    assert!(err.contains("custom/vm-deletion-burst.kql.tera") && err.contains("not found"), "{err}");
}

#[test]
fn new_custom_scaffolds_an_item_and_its_query_that_generate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    for (name, kind) in [("VM deletions", "hunting"), ("VM deletion burst", "scheduled"), ("VM deletion now", "nrt")] {
        let (code, out, err) = output(forge_in(dir.path()).args(["new", "custom", "--name", name, "--kind", kind]));
        assert_eq!(code, 0, "{out}\n{err}");
    }
    let (code, out, err) = output(forge_in(dir.path()).args(["new", "custom", "--name", "VM deletions"]));
    assert_eq!(code, 2, "an existing item is never overwritten:\n{out}\n{err}");
    let (code, out, err) = output(forge_in(dir.path()).args(["generate"]));
    assert_eq!(code, 0, "{out}\n{err}");
    let kql = std::fs::read_to_string(dir.path().join("generated/kql/vm-deletions.kql")).unwrap();
    assert!(kql.contains("ago(1d)"), "{kql}");
    let rule: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("generated/arm/analytics/vm-deletion-burst.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(rule["resources"][0]["properties"]["queryPeriod"], "P1D", "the period follows the window");
}

/// Editors validate content with `schema`'s output: every bundled item,
/// the custom fixtures and what `import` writes must pass it.
#[test]
fn content_schema_accepts_bundled_custom_and_imported_content() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schemas/content.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let imported = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(imported.path().join("content")).unwrap();
    std::fs::create_dir_all(imported.path().join("templates")).unwrap();
    let fixtures = root().join("tests/fixtures/import");
    let (code, out, err) = output(forge_in(imported.path()).arg("import").arg(&fixtures));
    assert_eq!(code, 1, "the Fusion rule is skipped:\n{out}\n{err}");
    let mut checked = 0;
    for dir in [root().join("content"), root().join("tests/fixtures/custom/content"), imported.path().join("content")] {
        for entry in walkdir::WalkDir::new(&dir).into_iter().filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "toml")
                || path.components().any(|c| c.as_os_str() == "environments")
            {
                continue;
            }
            let value: serde_json::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            checked += 1;
        }
    }
    assert_eq!(checked, 15 + 2 + 7, "bundled, custom fixtures, imported");
}

/// `new` leaves placeholders to fill in; each is a CNT029 warning until it
/// is, and the item still generates.
#[test]
fn new_placeholders_are_warnings_until_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    let (code, _, err) = output(forge_in(dir.path()).args(["new", "custom", "--name", "VM deletions"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = output(forge_in(dir.path()).arg("validate"));
    assert_eq!(code, 0, "warnings do not fail validate: {err}");
    insta::assert_snapshot!("new_placeholders_warn", err);
    let file = dir.path().join("content/hunting/vm-deletions.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let filled = text
        .replace("What the query finds and why it matters.", "Bursts of VM deletions by one caller.")
        .replace("tactics = []", "tactics = [\"Impact\"]");
    std::fs::write(&file, filled).unwrap();
    let (code, _, err) = output(forge_in(dir.path()).arg("validate"));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("CNT029"), "{err}");
}

/// A description that states a setting renders it from the parameter: the
/// bundled spike hunt says "at least {{ params.min_commands }} commands".
#[test]
fn a_description_renders_the_parameters_it_states() {
    let project = crate::util::scratch_project();
    let generated = |dir: &std::path::Path| {
        let (code, _, err) = output(forge_in(dir).args(["generate", "--no-test", "--out", "gen"]));
        assert_eq!(code, 0, "{err}");
        std::fs::read_to_string(dir.join("gen/yaml/hunting/run-command-spike.yaml")).unwrap()
    };
    let yaml = generated(project.path());
    assert!(
        yaml.contains("As set: at least 5 commands on at least\n  1 VM(s) within 15m, over the last 30d."),
        "{yaml}"
    );
    let spike = project.path().join("content/hunting/run-command-spike.toml");
    let text = std::fs::read_to_string(&spike).unwrap();
    std::fs::write(
        &spike,
        text.replace("min_commands = 5", "min_commands = 9").replace("window = \"15m\"", "window = \"1h\""),
    )
    .unwrap();
    let yaml = generated(project.path());
    assert!(yaml.contains("at least 9 commands") && yaml.contains("within 1h,"), "{yaml}");
    assert!(!yaml.contains("at least 5 commands"), "{yaml}");
    // A placeholder naming no parameter is an error at the item.
    std::fs::write(&spike, text.replace("{{ params.min_commands }}", "{{ params.min_comands }}")).unwrap();
    let (code, _, err) = output(forge_in(project.path()).arg("validate"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[TPL002]: the description uses `params.min_comands`"), "{err}");
}
