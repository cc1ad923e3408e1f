//! `import` and custom templates: the round trip over the real corpus,
//! every source format, conflicts, and the CLI end to end.

use std::collections::BTreeMap;

use sentinel_forge::import::round_trip::{Verdict, round_trip_yaml};
use sentinel_forge::lint::engine::{LintOptions, lint_text};

use crate::util::{forge_in, output, root};

/// Import → generate → compare over every file of `../shared/corpus/yaml`.
/// The counts and the reason for every valid file that does not round-trip
/// are a snapshot: a regression changes it. Run by `.ci/run` with `--ignored`.
#[test]
#[ignore = "needs ../shared/corpus"]
fn corpus_round_trip() {
    let corpus = root().join("../shared/corpus/yaml");
    assert!(corpus.is_dir(), "{} not found", corpus.display());
    let work = tempfile::tempdir().unwrap();
    let mut files: Vec<_> = walkdir::WalkDir::new(&corpus)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    let mut read = 0;
    let mut sentinel = 0;
    let mut valid = 0;
    let mut valid_ok = 0;
    let mut valid_exact = 0;
    let mut all_ok = 0;
    let mut failures_valid: Vec<String> = Vec::new();
    let mut reasons_invalid: BTreeMap<String, usize> = BTreeMap::new();
    // `ROUND_TRIP_DUMP=FILE` writes every file's verdict there.
    let mut dump: Vec<String> = Vec::new();
    for (n, path) in files.iter().enumerate() {
        read += 1;
        let rel = path.strip_prefix(&corpus).unwrap().to_string_lossy().replace('\\', "/");
        let Ok(text) = std::fs::read_to_string(path) else {
            *reasons_invalid.entry("not UTF-8".into()).or_default() += 1;
            continue;
        };
        let lint = lint_text(&rel, &text, &LintOptions::default());
        if lint.documents == 0 {
            continue;
        }
        sentinel += 1;
        let is_valid = !lint.diagnostics.iter().any(|d| d.is_error());
        let verdict = round_trip_yaml(&text, &work.path().join(format!("p{n}")));
        let ok = matches!(verdict, Verdict::Equivalent { .. });
        dump.push(format!("{rel}: {}{}", if is_valid { "" } else { "(linter errors) " }, reason(&verdict)));
        all_ok += usize::from(ok);
        if is_valid {
            valid += 1;
            match &verdict {
                Verdict::Equivalent { exact_query } => {
                    valid_ok += 1;
                    valid_exact += usize::from(*exact_query);
                }
                other => failures_valid.push(format!("{rel}: {}", reason(other))),
            }
        } else if !ok {
            *reasons_invalid.entry(bucket(&reason(&verdict))).or_default() += 1;
        }
    }
    let pct = |a: usize, b: usize| if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 };
    let mut out = format!(
        "files read: {read}\n\
         Sentinel rules and hunting queries: {sentinel}\n\
         round-tripped (all): {all_ok} / {sentinel} ({:.1}%)\n\
         valid (no linter error): {valid}\n\
         round-tripped (valid): {valid_ok} / {valid} ({:.1}%)\n\
         query text byte-identical (valid, round-tripped): {valid_exact} / {valid_ok}\n\
         \n## valid files that do not round-trip\n",
        pct(all_ok, sentinel),
        pct(valid_ok, valid),
    );
    for f in &failures_valid {
        out.push_str(&format!("{f}\n"));
    }
    out.push_str("\n## files with linter errors that do not round-trip, by reason\n");
    for (r, c) in &reasons_invalid {
        out.push_str(&format!("{c:4}  {r}\n"));
    }
    if let Ok(path) = std::env::var("ROUND_TRIP_DUMP") {
        std::fs::write(path, dump.join("\n") + "\n").unwrap();
    }
    insta::assert_snapshot!("import_corpus_round_trip", out);
    assert!(pct(valid_ok, valid) >= 95.0, "round trip below 95% of valid files:\n{out}");
}

fn reason(v: &Verdict) -> String {
    match v {
        Verdict::Equivalent { .. } => "equivalent".into(),
        Verdict::NotImported(r) => format!("not imported: {r}"),
        Verdict::NotGenerated(r) => format!("does not generate: {r}"),
        Verdict::Different(r) => format!("differs: {r}"),
    }
}

/// The reason without the file-specific part (for counting).
fn bucket(reason: &str) -> String {
    if let Some(rest) = reason.strip_prefix("differs: `") {
        return format!("differs: {}", rest.split('`').next().unwrap_or_default());
    }
    if let Some(rest) = reason.strip_prefix("does not generate: ") {
        // The code and its message up to the first quoted value.
        return format!("does not generate: {}", rest.split(" `").next().unwrap_or_default());
    }
    if reason.contains("is not a GUID") {
        return "not imported: `id` is not a GUID".into();
    }
    reason.chars().take(110).collect()
}

fn fixture(name: &str) -> String {
    root().join("tests/fixtures/import").join(name).to_string_lossy().into_owned()
}

/// A project with no content yet (an empty content directory and templates).
fn empty_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    dir
}

fn read(dir: &std::path::Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn yaml_imports_as_custom_content_and_generates_back_the_same_query() {
    let dir = empty_project();
    let (code, out, err) =
        output(forge_in(dir.path()).args(["import", &fixture("scheduled-rule.yaml"), &fixture("hunting-query.yaml")]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("2 imported, 0 skipped, 0 conflict(s)"), "{err}");
    let toml = read(dir.path(), "content/analytics/mass-vm-deletion-by-one-caller.toml");
    insta::assert_snapshot!("import_scheduled_rule_toml", toml);
    let template = read(dir.path(), "templates/custom/run-command-in-the-hunting-window.kql.tera");
    insta::assert_snapshot!("import_hunting_template", template);

    let (code, out, err) = output(forge_in(dir.path()).args(["generate"]));
    assert_eq!(code, 0, "{out}\n{err}");
    // The generated query is the original text, placeholders included.
    let original: serde_json::Value =
        serde_norway::from_str(&std::fs::read_to_string(fixture("hunting-query.yaml")).unwrap()).unwrap();
    let generated: serde_json::Value =
        serde_norway::from_str(&read(dir.path(), "generated/yaml/hunting/run-command-in-the-hunting-window.yaml"))
            .unwrap();
    assert_eq!(generated["query"], original["query"]);
    assert_eq!(generated["id"], original["id"]);
    let rule = read(dir.path(), "generated/yaml/analytics/mass-vm-deletion-by-one-caller.yaml");
    assert!(rule.contains("| where ActivityStatusValue == \"Success\"   \n"), "trailing spaces kept:\n{rule}");
    let arm: serde_json::Value =
        serde_json::from_str(&read(dir.path(), "generated/arm/analytics/mass-vm-deletion-by-one-caller.json")).unwrap();
    let props = &arm["resources"][0]["properties"];
    assert_eq!(props["suppressionEnabled"], true);
    assert_eq!(props["suppressionDuration"], "PT2H");
    assert_eq!(props["queryPeriod"], "P1D");
    assert_eq!(props["alertDetailsOverride"]["alertDynamicProperties"][0]["alertProperty"], "ProductComponentName");

    // Both files round-trip field by field.
    for name in ["scheduled-rule.yaml", "hunting-query.yaml"] {
        let text = std::fs::read_to_string(fixture(name)).unwrap();
        let work = tempfile::tempdir().unwrap();
        assert_eq!(round_trip_yaml(&text, work.path()), Verdict::Equivalent { exact_query: true }, "{name}");
    }
}

/// Sentinel keeps names unique per resource type: a hunting query and the
/// analytic rule made from it may share a name, and real repositories do.
#[test]
fn a_hunt_and_a_rule_of_the_same_name_import_and_generate() {
    let dir = empty_project();
    let rule = std::fs::read_to_string(fixture("scheduled-rule.yaml"))
        .unwrap()
        .replace("name: Mass VM deletion by one caller", "name: Run Command in the hunting window");
    let rule_path = dir.path().join("same-name-rule.yaml");
    std::fs::write(&rule_path, rule).unwrap();
    let (code, out, err) =
        output(forge_in(dir.path()).args(["import", &fixture("hunting-query.yaml"), rule_path.to_str().unwrap()]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("2 imported"), "{err}");
    let (code, out, err) = output(forge_in(dir.path()).args(["generate"]));
    assert_eq!(code, 0, "{out}\n{err}");
    let mut names = Vec::new();
    for kind in ["hunting", "analytics"] {
        for entry in std::fs::read_dir(dir.path().join("generated/yaml").join(kind)).unwrap() {
            let doc: serde_json::Value =
                serde_norway::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
            names.push(doc["name"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(names, ["Run Command in the hunting window", "Run Command in the hunting window"]);
    // Two items of one resource type still may not share a name.
    let copy = dir.path().join("content/hunting/copy.toml");
    let original = read(dir.path(), "content/hunting/run-command-in-the-hunting-window.toml");
    let id_line = original.lines().find(|l| l.starts_with("id =")).unwrap().to_string();
    std::fs::write(&copy, original.replace(&id_line, "id = \"0b7c4f5e-2a3d-4e6f-8a9b-1c2d3e4f5a6b\"")).unwrap();
    let (code, _, err) = output(forge_in(dir.path()).args(["generate"]));
    assert_eq!(code, 1);
    assert!(err.contains("error[CNT007]"), "{err}");
}

#[test]
fn arm_exports_and_solution_packages_import_every_rule_and_say_what_they_skip() {
    let dir = empty_project();
    let (code, out, err) = output(forge_in(dir.path()).args([
        "import",
        &fixture("portal-export.json"),
        &fixture("saved-searches.json"),
        &fixture("mainTemplate.json"),
    ]));
    // The Fusion rule is skipped (exit 1 says something was not imported).
    assert_eq!(code, 1, "{out}\n{err}");
    let fixtures_dir = root().join("tests/fixtures/import").to_string_lossy().into_owned();
    insta::assert_snapshot!("import_arm_sources", out.replace(&fixtures_dir, "<fixtures>"));
    assert!(err.contains("5 imported, 1 skipped, 0 conflict(s)"), "{err}");
    insta::assert_snapshot!(
        "import_nrt_from_export_toml",
        read(dir.path(), "content/analytics/run-command-by-an-unapproved-caller.toml")
    );
    insta::assert_snapshot!(
        "import_solution_rule_toml",
        read(dir.path(), "content/analytics/run-command-from-an-unexpected-network.toml")
    );
    let hunting = read(dir.path(), "content/hunting/run-command-volume-per-caller.toml");
    assert!(hunting.contains("id = \"1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b\""), "the solution's contentId:\n{hunting}");
    let (code, out, err) = output(forge_in(dir.path()).args(["generate"]));
    assert_eq!(code, 0, "{out}\n{err}");
    let arm: serde_json::Value =
        serde_json::from_str(&read(dir.path(), "generated/arm/analytics/key-vault-deleted.json")).unwrap();
    assert_eq!(arm["resources"][0]["properties"]["enabled"], false, "a disabled rule stays disabled");
    assert_eq!(arm["resources"][0]["properties"]["queryFrequency"], "PT15M");
}

#[test]
fn conflicts_are_reported_and_only_force_replaces() {
    let dir = empty_project();
    let rule = fixture("scheduled-rule.yaml");
    let (code, _, err) = output(forge_in(dir.path()).args(["import", &rule]));
    assert_eq!(code, 0, "{err}");
    let path = "content/analytics/mass-vm-deletion-by-one-caller.toml";
    // Edit the imported item: a second import must not undo it.
    let edited = read(dir.path(), path).replace("severity = \"High\"", "severity = \"Low\"");
    std::fs::write(dir.path().join(path), &edited).unwrap();
    let before = crate::util::snapshot_tree(dir.path());

    let (code, out, err) = output(forge_in(dir.path()).args(["import", &rule]));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("conflict") && out.contains("already used by") && out.contains("--force"), "{out}");
    assert!(err.contains("0 imported, 0 skipped, 1 conflict(s)"), "{err}");
    assert_eq!(crate::util::snapshot_tree(dir.path()), before, "nothing written without --force");

    let (code, _, err) = output(forge_in(dir.path()).args(["import", "--dry-run", "--force", &rule]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(crate::util::snapshot_tree(dir.path()), before, "--dry-run writes nothing");

    let (code, out, err) = output(forge_in(dir.path()).args(["import", "--force", &rule]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("(replaced)"), "{out}");
    assert!(read(dir.path(), path).contains("severity = \"High\""), "replaced in place");
    assert!(!dir.path().join("content/analytics/mass-vm-deletion-by-one-caller-2.toml").exists());
}

#[test]
fn inputs_that_are_not_sentinel_content_are_skipped_with_the_reason() {
    let dir = empty_project();
    let bad = dir.path().join("in");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("defender.yaml"), "displayName: x\nqueryCondition:\n  queryText: T\n").unwrap();
    std::fs::write(bad.join("broken.yaml"), "id: [unclosed\n").unwrap();
    std::fs::write(bad.join("bad-id.yaml"), "id: not-a-guid\nname: n\ndescription: d\nquery: T\n").unwrap();
    std::fs::write(
        bad.join("extra.yaml"),
        "id: 0b8a4d6e-2c3f-4e1a-9b7d-5f0e3c2a1b4d\nname: n\ndescription: d\nquery: T\nsurprise: 1\n",
    )
    .unwrap();
    // Hostile shapes are turned away quickly: an alias bomb, deep nesting.
    let mut bomb =
        String::from("a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for (prev, name) in
        ["a", "b", "c", "d", "e", "f", "g", "h", "i"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i", "j"])
    {
        bomb.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(", ")));
    }
    bomb.push_str("query: *j\n");
    std::fs::write(bad.join("bomb.yaml"), bomb).unwrap();
    std::fs::write(bad.join("deep.yaml"), format!("query: {}{}\n", "[".repeat(100_000), "]".repeat(100_000))).unwrap();
    std::fs::write(bad.join("deep.json"), format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))).unwrap();
    let (code, out, _) = output(forge_in(dir.path()).args(["import", "in"]));
    assert_eq!(code, 1);
    insta::assert_snapshot!("import_skipped_inputs", out);
    assert!(!dir.path().join("content/hunting").exists(), "nothing imported");
}

#[cfg(feature = "emulator")]
#[test]
fn from_workspace_imports_what_the_workspace_holds() {
    use sentinel_forge::deploy::resource::ResourceType;

    let emu = crate::deploy::emulator();
    let dir = crate::deploy::project();
    // What a workspace holds after this project deployed it once, plus a portal-made rule.
    let (code, out, err) =
        crate::deploy::run(crate::deploy::forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token"]));
    assert_eq!(code, 0, "{out}\n{err}");
    let export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("portal-export.json")).unwrap()).unwrap();
    let mut portal_rule = export["resources"][0].clone();
    portal_rule["name"] = "0b8a4d6e-2c3f-4e1a-9b7d-5f0e3c2a1b4d".into();
    emu.insert(ResourceType::AlertRule, "0b8a4d6e-2c3f-4e1a-9b7d-5f0e3c2a1b4d", portal_rule);

    // Into a fresh project with the same environment file.
    let fresh = empty_project();
    std::fs::create_dir_all(fresh.path().join("content/environments")).unwrap();
    std::fs::copy(
        dir.path().join("content/environments/test.toml"),
        fresh.path().join("content/environments/test.toml"),
    )
    .unwrap();
    let from_workspace = ["import", "--from-workspace", "--env", "test", "--auth", "token"];
    let (code, out, err) = crate::deploy::run(crate::deploy::forge(fresh.path(), &emu).args(from_workspace));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("4 imported, 0 skipped, 0 conflict(s)"), "{out}\n{err}");
    let spike = std::fs::read_dir(fresh.path().join("content/hunting")).unwrap().count();
    assert_eq!(spike, 3, "the three deployed hunting queries");
    let rule = read(fresh.path(), "content/analytics/key-vault-deleted.toml");
    assert!(rule.contains("enabled = false") && rule.contains("frequency = \"15m\""), "{rule}");
    // The imported project generates, and its queries are the workspace's.
    let (code, out, err) = output(forge_in(fresh.path()).args(["generate"]));
    assert_eq!(code, 0, "{out}\n{err}");
    let mut deployed: Vec<String> = Vec::new();
    for rtype in [ResourceType::SavedSearch, ResourceType::AlertRule] {
        for name in emu.names(rtype) {
            let body = emu.resource(rtype, &name).unwrap();
            let props = &body["properties"];
            let is_hunting = props["category"] == "Hunting Queries";
            if rtype == ResourceType::AlertRule || is_hunting {
                // Rendered queries end in exactly one newline (render::one_final_newline).
                deployed.push(format!("{}\n", props["query"].as_str().unwrap().trim_end_matches('\n')));
            }
        }
    }
    // The ARM documents carry the query as deployed (YAML's `|` block adds
    // a final newline).
    let mut generated: Vec<String> = Vec::new();
    for dir in ["generated/arm/hunting", "generated/arm/analytics"] {
        for entry in std::fs::read_dir(fresh.path().join(dir)).unwrap() {
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
            generated.push(json["resources"][0]["properties"]["query"].as_str().unwrap().to_string());
        }
    }
    deployed.sort();
    generated.sort();
    assert_eq!(deployed.len(), 4, "three hunting queries and the portal rule");
    assert_eq!(generated, deployed, "the generated queries are the workspace's, byte for byte but the final newline");

    // Importing into the project the workspace came from: every id conflicts.
    let (code, out, _) = crate::deploy::run(crate::deploy::forge(dir.path(), &emu).args(from_workspace));
    assert_eq!(code, 1);
    assert_eq!(out.matches("conflict").count(), 3, "{out}");
}

mod properties {
    use proptest::prelude::*;
    use sentinel_forge::import::rule::ImportedRule;
    use sentinel_forge::import::{Existing, Source, plan, write_planned};
    use sentinel_forge::pipeline::{Environments, ProjectPaths, compile_with};

    /// Text made of what breaks naive writers: quotes, backslashes, Tera
    /// and Sentinel braces, `endraw`, control characters, unicode.
    fn nasty_text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "\"",
            "'",
            "\\",
            "\"\"\"",
            "'''",
            "{{",
            "}}",
            "{%",
            "%}",
            "{#",
            "#}",
            "{% endraw %}",
            "endraw",
            "{{StartTimeISO}}",
            "{{EndTimeISO}}",
            "{{ x }}",
            "\n",
            "\t",
            "\r",
            " ",
            "|",
            "//",
            "\u{1}",
            "\u{7f}",
            "\u{e9}",
            "x",
            "AzureActivity",
            "$",
        ]);
        prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Whatever a description or query holds, the written content reads
        /// back to the same text: the TOML string for the description, the
        /// template rendered by the real pipeline for the query.
        #[test]
        fn written_content_reads_back_the_same_text(description in nasty_text(), query in nasty_text()) {
            let rule = ImportedRule {
                kind: Some(sentinel_forge::content::item::Kind::Hunting),
                id: "0b8a4d6e-2c3f-4e1a-9b7d-5f0e3c2a1b4d".into(),
                name: "Property".into(),
                description: format!("d{description}"),
                query: format!("T{query}"),
                ..ImportedRule::default()
            };
            let source = Source { origin: "prop".into(), result: Ok(rule.clone()) };
            let (planned, skipped) = plan(vec![source], &Existing::default(), false);
            prop_assert!(skipped.is_empty());
            let p = &planned[0];
            let table: toml::Table = toml::from_str(&p.toml).map_err(|e| TestCaseError::fail(format!("{e}\n{}", p.toml)))?;
            prop_assert_eq!(table["description"].as_str(), Some(rule.description.as_str()));

            // Render with a plain description (a non-ASCII one is rightly refused by the content checks).
            let plain = ImportedRule { description: "d".into(), ..rule.clone() };
            let source = Source { origin: "prop".into(), result: Ok(plain) };
            let (planned, _) = plan(vec![source], &Existing::default(), false);
            let p = &planned[0];
            let dir = tempfile::tempdir().unwrap();
            let paths = ProjectPaths { content: dir.path().join("content"), templates: dir.path().join("templates") };
            write_planned(&planned, &paths.content, &paths.templates).unwrap();
            let compiled = compile_with(&paths, &Default::default(), Environments::None).unwrap();
            // Rendering never fails on the text (KQL or ASCII problems may be reported later).
            let rendered = compiled.kql[0].as_ref().ok_or_else(|| {
                TestCaseError::fail(format!("{:?}\n{}", compiled.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>(), p.template))
            })?;
            let expected = format!("{}\n", rule.query.trim_end_matches(['\n', '\r']));
            prop_assert_eq!(&rendered.text, &expected, "template:\n{}", p.template);
        }
    }
}

#[test]
fn imported_content_that_generate_would_refuse_is_shown_at_import() {
    let dir = empty_project();
    let yaml = std::fs::read_to_string(fixture("hunting-query.yaml")).unwrap().replace(
        "description: 'Run Command operations between",
        "description: 'Run Command \u{2014} operations between",
    );
    std::fs::write(dir.path().join("in.yaml"), yaml).unwrap();
    let (code, out, err) = output(forge_in(dir.path()).args(["import", "in.yaml"]));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.starts_with("imported  content/hunting/run-command-in-the-hunting-window.toml"), "{out}");
    assert!(err.contains("error[CNT015]") && err.contains("run-command-in-the-hunting-window.toml:"), "{err}");
    assert!(err.contains("imported as written"), "{err}");
}
