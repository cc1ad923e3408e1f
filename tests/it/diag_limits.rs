//! Issue 12: text diagnostics are capped (`--max-diagnostics`, default
//! 200, a quarter per file) with the count of what was left out; the JSON
//! form lists everything. Timings are in `docs/diagnostics-bench.md`.

use std::fmt::Write;

use crate::util::{forge_in, output, scratch_project};

/// A project whose spike item has `n` unknown parameters (and a second
/// file with `m`).
fn project_with_unknown_keys(n: usize, m: usize) -> tempfile::TempDir {
    let project = scratch_project();
    for (file, count) in [("run-command-spike.toml", n), ("run-command-infrequent.toml", m)] {
        let path = project.path().join("content/hunting").join(file);
        let mut text = std::fs::read_to_string(&path).unwrap();
        for i in 0..count {
            writeln!(text, "unknown{i:07} = 1").unwrap();
        }
        std::fs::write(&path, text).unwrap();
    }
    project
}

#[test]
fn ten_thousand_unknown_keys_print_a_capped_report_with_the_full_count() {
    let project = project_with_unknown_keys(10_000, 3);
    // JSON is not capped: the full list, to count against.
    let (_, json, _) = output(forge_in(project.path()).args(["validate", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let total = v["diagnostics"].as_array().unwrap().len();
    let in_spike = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["location"]["file"] == "content/hunting/run-command-spike.toml")
        .count();
    assert_eq!(in_spike, 10_000);
    assert!(total > in_spike);

    let (code, _, err) = output(forge_in(project.path()).arg("validate"));
    assert_eq!(code, 1);
    let shown = err.matches("error[").count();
    assert_eq!(shown, 50 + (total - in_spike), "50 (a quarter of 200) of the big file, all of the others");
    let tail: Vec<&str> = err.trim_end().lines().rev().take(3).collect();
    assert_eq!(
        tail,
        [
            format!("{total} error(s), 0 warning(s)").as_str(),
            "",
            format!(
                "... and 9950 more diagnostic(s) not shown (9950 in content/hunting/run-command-spike.toml); \
                 {total} in total, `--max-diagnostics 0` shows all, `--format json` lists all"
            )
            .as_str(),
        ]
    );

    let (_, _, err) = output(forge_in(project.path()).args(["--max-diagnostics", "8", "validate"]));
    let shown = err.matches("error[").count();
    let from_spike = err.matches(" --> content/hunting/run-command-spike.toml").count();
    assert!(shown <= 8 && from_spike == 2, "a quarter of 8 per file: {shown} shown, {from_spike} of the big file");
    assert!(err.contains(&format!("... and {} more diagnostic(s) not shown (", total - shown)), "{err}");
    assert!(err.contains(&format!("{total} in total")), "{err}");

    let (_, _, err) = output(forge_in(project.path()).args(["--max-diagnostics", "0", "validate"]));
    assert_eq!(err.matches("error[").count(), total);
    assert!(!err.contains("not shown"));
}
