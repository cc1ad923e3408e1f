//! Fuzz the linter's YAML front end and every rule on arbitrary bytes.
//!
//! `cargo +nightly fuzz run lint_yaml` (cargo-fuzz), or without cargo-fuzz:
//! `cargo +nightly rustc --bin lint_yaml -- -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table -Zsanitizer=address`
//! then run the binary.
//! Invariants: no panic, and every span lies inside the registered text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sentinel_forge::lint::LintOptions;
use sentinel_forge::lint::engine::lint_text;
use sentinel_forge::lint::yaml::{Limits, parse};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The tree builder alone.
    let parsed = parse(&text, Limits::default());
    if let Some(root) = &parsed.root {
        assert!(root.range.end as usize <= text.len());
    }
    // The whole lint of one file, as YAML and as JSON (ARM).
    for name in ["fuzz.yaml", "fuzz.json"] {
        let report = lint_text(name, &text, &LintOptions::default());
        for d in &report.diagnostics {
            for l in d.primary.iter().chain(&d.secondary) {
                let len = report.sources.get(l.file).text.len() as u32;
                assert!(l.range.start <= l.range.end && l.range.end <= len, "{d:?}");
            }
        }
    }
});
