//! Snapshots of every generated document of the bundled content, and the
//! checks every emitted document must pass.

use crate::util::{compile_bundled, root};

#[test]
fn bundled_content_is_clean_and_every_document_is_snapshotted() {
    let compiled = compile_bundled();
    assert!(compiled.diagnostics.is_empty(), "{:?}", compiled.diagnostics);
    assert_eq!(compiled.items.len(), 3);
    for doc in &compiled.documents {
        let name = doc.path.replace('/', "__");
        insta::assert_snapshot!(name, doc.text);
        assert!(doc.text.ends_with('\n') && !doc.text.ends_with("\n\n"), "{}: one trailing newline", doc.path);
        assert!(!doc.text.contains('\r'), "{}: LF only", doc.path);
        assert!(doc.text.is_ascii(), "{}: ASCII only", doc.path);
    }
}

#[test]
fn committed_generated_tree_is_up_to_date() {
    let compiled = compile_bundled();
    let files = sentinel_forge::emit::to_file_map(&compiled.documents);
    let stale = sentinel_forge::output::check(&root().join("generated"), &files).unwrap();
    assert!(stale.is_clean(), "run `cargo run -- generate`: {stale:?}");
}

#[test]
fn yaml_reads_back_as_the_documents_it_was_made_from() {
    let compiled = compile_bundled();
    for doc in compiled.documents.iter().filter(|d| d.path.ends_with(".yaml")) {
        let back: serde_json::Value = serde_norway::from_str(&doc.text).unwrap();
        assert_eq!(back, doc.json, "{}", doc.path);
        // Upstream layout: `query: |` block and indented sequences.
        assert!(doc.text.contains("\nquery: |\n"), "{}", doc.path);
        assert!(doc.text.contains("\ntactics:\n  - "), "{}", doc.path);
    }
}

#[test]
fn schema_rejects_what_sentinel_rejects() {
    use sentinel_forge::validate::SchemaName;
    let compiled = compile_bundled();
    let yaml = compiled.documents.iter().find(|d| d.path.starts_with("yaml/hunting/")).unwrap();
    let mut bad = yaml.json.clone();
    bad["id"] = "NOT-A-GUID".into();
    bad["tactics"] = serde_json::json!(["Lateral Movement"]);
    bad["query"] = "x".repeat(10_001).into();
    let errors: Vec<String> =
        SchemaName::HuntingQuery.validator().iter_errors(&bad).map(|e| e.instance_path.to_string()).collect();
    assert_eq!(errors, vec!["/id", "/tactics/0", "/query"]);

    let arm = compiled.documents.iter().find(|d| d.path == "arm/azuredeploy.json").unwrap();
    let mut bad = arm.json.clone();
    bad["resources"][0]["properties"]["category"] = "Log Management".into();
    assert!(!SchemaName::ArmTemplate.validator().is_valid(&bad));
}

#[test]
fn savedsearch_properties_match_the_official_openapi_definition() {
    // The savedSearch body of every ARM resource against the SavedSearch
    // definition of the official OpenAPI file (2025-02-01).
    let spec_path =
        root().join("../shared/reference/azure-rest/operationalinsights-stable-2025-02-01-SavedSearches.json");
    let Ok(spec_text) = std::fs::read_to_string(&spec_path) else {
        eprintln!("skipped: {} not present", spec_path.display());
        return;
    };
    let spec: serde_json::Value = serde_json::from_str(&spec_text).unwrap();
    // OpenAPI 2 definitions are draft-4 schemas; expose them at the root so
    // their `#/definitions/...` references resolve.
    let mut schema = spec["definitions"]["SavedSearchProperties"].clone();
    schema["definitions"] = serde_json::json!({ "Tag": spec["definitions"]["Tag"] });
    let validator = jsonschema::validator_for(&schema).unwrap();
    let compiled = compile_bundled();
    let arm = compiled.documents.iter().find(|d| d.path == "arm/azuredeploy.json").unwrap();
    let resources = arm.json["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 3);
    for r in resources {
        let errors: Vec<String> = validator.iter_errors(&r["properties"]).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    // And the definition does reject a body without its required fields.
    assert!(!validator.is_valid(&serde_json::json!({"displayName": "x"})));
}

#[test]
fn content_schema_file_is_in_sync_with_the_rust_types() {
    let generated = sentinel_forge::content::schema::content_schema_text();
    let on_disk = std::fs::read_to_string(root().join("schemas/content.schema.json")).unwrap_or_default();
    assert!(
        generated == on_disk,
        "schemas/content.schema.json is stale: run `cargo run -- schema > schemas/content.schema.json`"
    );
    // The schema accepts every bundled content file (as JSON) and rejects a bad one.
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for entry in walkdir::WalkDir::new(root().join("content/hunting")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let value: serde_json::Value = toml::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
            let errors: Vec<String> =
                validator.iter_errors(&value).map(|e| format!("{} {e}", e.instance_path)).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", entry.path().display());
            let mut bad = value.clone();
            bad["params"]["no_such_param"] = 1.into();
            assert!(!validator.is_valid(&bad), "{}: unknown params must be rejected", entry.path().display());
        }
    }
}
