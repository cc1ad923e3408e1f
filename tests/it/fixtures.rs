//! Bad-input fixtures: one directory per diagnostic code under
//! `tests/fixtures/content/<CODE>-<name>/` (a `content/` tree, and a
//! `templates/` tree when the code is about templates). Each must produce its
//! code; the rendered diagnostics are snapshotted as users see them.

use sentinel_forge::ProjectPaths;
use sentinel_forge::codes;
use sentinel_forge::content::api_versions::ApiVersions;
use sentinel_forge::diag::render::{json, text};

use crate::util::root;

fn fixture_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("tests/fixtures/content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_fixture_produces_its_code_and_nothing_is_emitted() {
    // Paths in diagnostics are shown relative to the working directory.
    std::env::set_current_dir(root()).unwrap();
    for dir in fixture_dirs() {
        let case = dir.file_name().unwrap().to_string_lossy().into_owned();
        let code = &case[..6];
        let templates = if dir.join("templates").is_dir() { dir.join("templates") } else { root().join("templates") };
        let paths = ProjectPaths { content: dir.join("content"), templates };
        let compiled = sentinel_forge::compile(&paths, &ApiVersions::default()).unwrap();
        assert!(compiled.has_errors(), "{case}: expected errors");
        assert!(
            compiled.diagnostics.iter().any(|d| d.code.id == code),
            "{case}: expected {code}, got {:?}",
            compiled.diagnostics.iter().map(|d| d.code.id).collect::<Vec<_>>()
        );
        let rendered = text::render(&compiled.diagnostics, &compiled.sources, false);
        insta::assert_snapshot!(format!("diagnostics__{case}"), rendered);
        // The JSON form carries the same codes and precise positions.
        let as_json: serde_json::Value =
            serde_json::from_str(&json::render(&compiled.diagnostics, &compiled.sources)).unwrap();
        assert_eq!(as_json["summary"]["errors"], compiled.diagnostics.iter().filter(|d| d.is_error()).count());
        for d in as_json["diagnostics"].as_array().unwrap() {
            if let Some(loc) = d.get("location") {
                assert!(loc["line"].as_u64().unwrap() >= 1 && loc["column"].as_u64().unwrap() >= 1, "{case}: {d}");
            }
        }
    }
}

/// Every code is documented (what, why, example, fix) and has a fixture.
#[test]
fn every_code_has_docs_and_a_fixture() {
    let cases: Vec<String> =
        fixture_dirs().iter().map(|d| d.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for code in codes::pipeline() {
        for part in ["What:", "Why:", "Example:", "Fix:"] {
            assert!(code.docs.contains(part), "{} docs lack {part}", code.id);
        }
        let expected = format!("{}-{}", code.id, code.name);
        assert!(cases.contains(&expected), "no fixture directory tests/fixtures/content/{expected}");
        assert!(code.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{} name must be kebab-case", code.id);
    }
    let mut ids: Vec<&str> = codes::all().iter().map(|c| c.id).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "codes are unique");
}
