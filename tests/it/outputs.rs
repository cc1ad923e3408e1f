//! Snapshots of every generated document of the bundled content, and the
//! checks every emitted document must pass.

use crate::util::{compile_bundled, root};

#[test]
fn bundled_content_is_clean_and_every_document_is_snapshotted() {
    let compiled = compile_bundled();
    assert!(compiled.diagnostics.is_empty(), "{:?}", compiled.diagnostics);
    assert_eq!(compiled.items.len(), 15);
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
        if doc.path.starts_with("yaml/analytics/") {
            assert!(doc.text.ends_with("\nkind: Scheduled\n") || doc.text.ends_with("\nkind: NRT\n"), "{}", doc.path);
        }
    }
}

#[test]
fn schema_rejects_what_sentinel_rejects() {
    use sentinel_forge::emit::SchemaName;
    let compiled = compile_bundled();
    let yaml = compiled.documents.iter().find(|d| d.path.starts_with("yaml/hunting/")).unwrap();
    let mut bad = yaml.json.clone();
    bad["id"] = "NOT-A-GUID".into();
    bad["tactics"] = serde_json::json!(["Lateral Movement"]);
    bad["query"] = "x".repeat(10_001).into();
    let errors: Vec<String> = sentinel_forge::schema_check::validator(SchemaName::HuntingQuery)
        .iter_errors(&bad)
        .map(|e| e.instance_path.to_string())
        .collect();
    assert_eq!(errors, vec!["/id", "/query"]);
    // Tactics are checked for analytic rules (hunting queries only warn, as Sentinel's CI does).
    let rule = compiled.documents.iter().find(|d| d.path.starts_with("yaml/analytics/")).unwrap();
    let mut bad = rule.json.clone();
    bad["tactics"] = serde_json::json!(["Lateral Movement"]);
    let errors: Vec<String> = sentinel_forge::schema_check::validator(SchemaName::AnalyticRule)
        .iter_errors(&bad)
        .map(|e| e.instance_path.to_string())
        .collect();
    assert_eq!(errors, vec!["/tactics/0"]);

    let arm = compiled.documents.iter().find(|d| d.path == "arm/azuredeploy.json").unwrap();
    let mut bad = arm.json.clone();
    let saved_search = bad["resources"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["type"] == "Microsoft.OperationalInsights/workspaces/savedSearches")
        .unwrap();
    bad["resources"][saved_search]["properties"]["category"] = "Log Management".into();
    assert!(!sentinel_forge::schema_check::validator(SchemaName::ArmTemplate).is_valid(&bad));
}

#[test]
fn savedsearch_properties_match_the_official_openapi_definition() {
    // The savedSearch body of every ARM resource against the SavedSearch
    // definition of the official OpenAPI file (2025-02-01).
    // The committed copy (schemas/azure-rest/README.md says where it is from).
    let spec_path = root().join("schemas/azure-rest/operationalinsights-stable-2025-02-01-SavedSearches.json");
    let spec_text = std::fs::read_to_string(&spec_path).unwrap();
    let spec: serde_json::Value = serde_json::from_str(&spec_text).unwrap();
    // OpenAPI 2 definitions are draft-4 schemas; expose them at the root so
    // their `#/definitions/...` references resolve.
    let mut schema = spec["definitions"]["SavedSearchProperties"].clone();
    schema["definitions"] = serde_json::json!({ "Tag": spec["definitions"]["Tag"] });
    let validator = jsonschema::validator_for(&schema).unwrap();
    let compiled = compile_bundled();
    let arm = compiled.documents.iter().find(|d| d.path == "arm/azuredeploy.json").unwrap();
    let resources: Vec<&serde_json::Value> = arm.json["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "Microsoft.OperationalInsights/workspaces/savedSearches")
        .collect();
    assert_eq!(resources.len(), 12);
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

#[test]
fn environment_schema_file_is_in_sync_and_accepts_the_bundled_environments() {
    let generated = sentinel_forge::content::schema::environment_schema_text();
    let on_disk = std::fs::read_to_string(root().join("schemas/environment.schema.json")).unwrap_or_default();
    assert!(
        generated == on_disk,
        "schemas/environment.schema.json is stale: run \
         `cargo run -- schema --kind environment > schemas/environment.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("content/environments")).unwrap() {
        let path = entry.unwrap().path();
        let value: serde_json::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&value).map(|e| format!("{} {e}", e.instance_path)).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        // and it rejects what the loaders reject
        for (pointer, bad) in [
            ("/workspace/clod", serde_json::json!("AzureCloud")),
            ("/workspace/cloud", serde_json::json!("Azure")),
            ("/auth/kind", serde_json::json!("password")),
            ("/api_versions/arm", serde_json::json!("2025-01-01")),
        ] {
            let mut v = value.clone();
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            v.pointer_mut(parent).unwrap().as_object_mut().unwrap().insert(key.to_string(), bad);
            assert!(!validator.is_valid(&v), "{}: {pointer} must be rejected", path.display());
        }
        checked += 1;
    }
    assert_eq!(checked, 2, "dev and prod");
}

/// An OpenAPI 2 definition as a JSON Schema: definitions exposed at the root,
/// references into the saved common `AlertTypes.json` resolved locally, and
/// references to files that were not saved (ARM common-types) stubbed. The
/// specs are the committed copies under `schemas/azure-rest/`; one that is
/// missing or does not parse fails the test.
fn openapi_schema(spec_file: &str, definition: &str) -> serde_json::Value {
    let dir = root().join("schemas/azure-rest");
    let read = |name: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} does not parse: {e}"))
    };
    let spec = read(spec_file);
    let common = read("securityinsights-stable-2025-12-01-common-AlertTypes.json");
    let mut definitions = spec["definitions"].as_object().unwrap().clone();
    for (k, v) in common["definitions"].as_object().unwrap() {
        definitions.entry(k.clone()).or_insert(v.clone());
    }
    fn fix_refs(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(r)) = map.get("$ref").cloned().as_ref()
                    && let Some((file, frag)) = r.split_once('#')
                {
                    if file.ends_with("AlertTypes.json") || file.is_empty() {
                        map.insert("$ref".into(), format!("#{frag}").into());
                    } else {
                        map.remove("$ref");
                    }
                }
                map.values_mut().for_each(fix_refs);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(fix_refs),
            _ => {}
        }
    }
    let mut root_schema =
        serde_json::json!({ "$ref": format!("#/definitions/{definition}"), "definitions": definitions });
    fix_refs(&mut root_schema);
    root_schema
}

#[test]
fn alert_rule_properties_match_the_official_openapi_definitions() {
    let compiled = compile_bundled();
    let mut checked = 0;
    for (kind, spec, def) in [
        ("Scheduled", "securityinsights-stable-2025-12-01-AlertRules.json", "ScheduledAlertRuleProperties"),
        ("NRT", "securityinsights-preview-2025-07-01-preview-AlertRules.json", "NrtAlertRuleProperties"),
    ] {
        let schema = openapi_schema(spec, def);
        let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).unwrap();
        for doc in compiled.documents.iter().filter(|d| d.path.starts_with("arm/analytics/")) {
            let resource = &doc.json["resources"][0];
            if resource["kind"] != kind {
                continue;
            }
            let errors: Vec<String> =
                validator.iter_errors(&resource["properties"]).map(|e| format!("{}: {e}", e.instance_path)).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", doc.path);
            checked += 1;
        }
        // The definition is not vacuous: a wrong enum value and a missing
        // required field are rejected.
        let mut bad = compiled
            .documents
            .iter()
            .find(|d| d.path.starts_with("arm/analytics/") && d.json["resources"][0]["kind"] == kind)
            .unwrap()
            .json["resources"][0]["properties"]
            .clone();
        bad["severity"] = "Critical".into();
        assert!(!validator.is_valid(&bad), "{def} accepts severity Critical");
        bad["severity"] = "High".into();
        bad.as_object_mut().unwrap().remove("displayName");
        assert!(!validator.is_valid(&bad), "{def} accepts a rule without displayName");
    }
    assert_eq!(checked, 3, "two Scheduled rules and one NRT rule");
}
