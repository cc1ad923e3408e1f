//! Bad-input fixtures: one directory per diagnostic code under
//! `tests/fixtures/content/<CODE>-<name>/` (a `content/` tree, and a
//! `templates/` tree when the code is about templates). Each must produce its
//! code with its primary span where the fixture's `expected-span` file says
//! (`FILE:LINE:COL-LINE:COL`, FILE relative to the fixture directory; the
//! first secondary span when there is no primary one), and
//! `generate` must write nothing; the rendered diagnostics are snapshotted
//! as users see them. A warning code's fixture must produce no error, and
//! `generate` writes it with the warning shown.
//!
//! A fixture with a `grow-to-bytes` file (CNT026, a content file over the
//! size limit) is copied to a temporary directory and its
//! `content/hunting/huge.toml` padded with comments to that many bytes, as
//! a file that large is not committed.

use std::path::{Path, PathBuf};

use sentinel_forge::ProjectPaths;
use sentinel_forge::codes;
use sentinel_forge::content::api_versions::ApiVersions;
use sentinel_forge::diag::Severity;
use sentinel_forge::diag::render::{json, text};

use crate::util::{copy_tree, forge_in, output, root};

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("tests/fixtures/content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The directory to compile for a fixture: itself, or a padded copy.
fn materialise(dir: &Path, scratch: &Path) -> PathBuf {
    let Ok(size) = std::fs::read_to_string(dir.join("grow-to-bytes")) else { return dir.to_path_buf() };
    let size: usize = size.trim().parse().unwrap();
    let copy = scratch.join(dir.file_name().unwrap());
    copy_tree(dir, &copy);
    let huge = copy.join("content/hunting/huge.toml");
    let mut text = std::fs::read_to_string(&huge).unwrap();
    while text.len() < size {
        text.push_str("# padding to exceed the content file size limit\n");
    }
    std::fs::write(&huge, text).unwrap();
    copy
}

#[test]
fn every_fixture_produces_its_code_at_its_span_and_nothing_is_written() {
    // Paths in diagnostics are relative to the working directory, which is
    // the package root under `cargo test`.
    let scratch = tempfile::tempdir().unwrap();
    for fixture in fixture_dirs() {
        let case = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let code = &case[..6];
        let dir = materialise(&fixture, scratch.path());
        let templates = if dir.join("templates").is_dir() { dir.join("templates") } else { root().join("templates") };
        let paths = ProjectPaths { content: dir.join("content"), templates: templates.clone() };
        let compiled = sentinel_forge::compile(&paths, &ApiVersions::default()).unwrap();
        let warning = codes::pipeline().iter().any(|c| c.id == code && c.severity == Severity::Warning);
        assert_eq!(compiled.has_errors(), !warning, "{case}: expected errors for an error code, none for a warning");
        let Some(first) = compiled.diagnostics.iter().find(|d| d.code.id == code) else {
            panic!(
                "{case}: expected {code}, got {:?}",
                compiled.diagnostics.iter().map(|d| d.code.id).collect::<Vec<_>>()
            )
        };

        // The primary span is the one the fixture marks.
        let expected = std::fs::read_to_string(fixture.join("expected-span"))
            .unwrap_or_else(|_| panic!("{case}: no expected-span file"));
        // (A schema violation in a document points at its item with a secondary label only.)
        let label =
            first.primary.as_ref().or(first.secondary.first()).unwrap_or_else(|| panic!("{case}: {code} has no span"));
        let src = compiled.sources.get(label.file);
        let (line, col) = src.line_col(label.range.start);
        let (end_line, end_col) = src.line_col(label.range.end);
        let dir_shown = sentinel_forge::content::display_path(&dir);
        let file = src.path.strip_prefix(&format!("{dir_shown}/")).unwrap_or(&src.path);
        assert_eq!(format!("{file}:{line}:{col}-{end_line}:{end_col}"), expected.trim(), "{case}: primary span");

        let rendered = text::render(&compiled.diagnostics, &compiled.sources, false)
            .replace(&dir_shown, &{ sentinel_forge::content::display_path(&fixture) });
        insta::assert_snapshot!(format!("diagnostics__{case}"), rendered);
        // The JSON form carries the same codes and the same positions.
        let as_json: serde_json::Value =
            serde_json::from_str(&json::render(&compiled.diagnostics, &compiled.sources)).unwrap();
        assert_eq!(as_json["summary"]["errors"], compiled.diagnostics.iter().filter(|d| d.is_error()).count());
        let json_first = as_json["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == code).unwrap();
        let json_loc = json_first.get("location").unwrap_or(&json_first["related"][0]);
        assert_eq!(
            (&json_loc["line"], &json_loc["column"]),
            (&serde_json::json!(line), &serde_json::json!(col)),
            "{case}"
        );

        // `generate` refuses and writes nothing.
        let out = scratch.path().join(format!("{case}-generated"));
        let (status, _, err) = output(
            forge_in(&root())
                .arg("--content")
                .arg(dir.join("content"))
                .arg("--templates")
                .arg(&templates)
                .arg("generate")
                .arg("--out")
                .arg(&out),
        );
        assert!(err.contains(&format!("[{code}]")), "{case}: {err}");
        if warning {
            assert_eq!(status, 0, "{case}: a warning does not stop generate: {err}");
            assert!(out.exists(), "{case}: generate wrote nothing");
            std::fs::remove_dir_all(&out).unwrap();
            continue;
        }
        assert_eq!(status, 1, "{case}: {err}");
        assert!(!out.exists(), "{case}: generate wrote {}", out.display());
        let leftovers: Vec<_> = std::fs::read_dir(scratch.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{case}: {leftovers:?}");
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
