//! Times the rule tests: the bundled suite as `sentinel-forge test` runs it,
//! then a synthetic suite of N tests (default 1,000) made by repeating every
//! bundled item's `[[tests]]` under new names in a scratch copy of the
//! project, so the mix of items, queries and fixtures is the real one.
//! Targets (issue 15, release): bundled suite <= 1 s, 1,000 tests <= 10 s.
//!
//! usage: cargo run --release --example rule_tests_timing [N]
//! (run from the repository root; best of 3 runs each, prepare and execution
//! reported apart)

use std::path::Path;
use std::time::{Duration, Instant};

use sentinel_forge::ProjectPaths;
use sentinel_forge::rule_tests::{self, prepare, run};

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Best of 3: (prepare, execute, tests run, tests passed).
fn time_suite(paths: &ProjectPaths) -> (Duration, Duration, usize, usize) {
    let executor = rule_tests::local_executor().expect("the local engine");
    let mut best: Option<(Duration, Duration, usize, usize)> = None;
    for _ in 0..3 {
        let t0 = Instant::now();
        let prepared = prepare::prepare(paths, &[], None).expect("the project loads");
        let t1 = Instant::now();
        let results = run::run_all(&prepared, executor);
        let t2 = Instant::now();
        let passed = results.iter().filter(|r| r.passed()).count();
        let this = (t1 - t0, t2 - t1, results.len(), passed);
        if best.is_none_or(|b| this.0 + this.1 < b.0 + b.1) {
            best = Some(this);
        }
    }
    best.unwrap()
}

fn report(what: &str, (prep, exec, n, passed): (Duration, Duration, usize, usize)) {
    println!(
        "{what}: {n} tests ({passed} passed) in {:.3} s = prepare {:.3} s + execute {:.3} s",
        (prep + exec).as_secs_f64(),
        prep.as_secs_f64(),
        exec.as_secs_f64()
    );
}

fn main() {
    let n: usize = std::env::args().nth(1).map_or(1000, |s| s.parse().expect("N is a number"));
    let root = std::env::current_dir().unwrap();
    let bundled = ProjectPaths { content: root.join("content"), templates: root.join("templates") };
    let b = time_suite(&bundled);
    report("bundled suite", b);

    let scratch = tempfile::tempdir().unwrap();
    for d in ["content", "templates", "tests/data"] {
        copy_tree(&root.join(d), &scratch.path().join(d));
    }
    // Repeat each item's tests (they end every content file) until the suite has n.
    let files: Vec<_> = walkdir::WalkDir::new(scratch.path().join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| e.path().to_path_buf())
        .collect();
    let bundled_count = b.2;
    let copies = n.div_ceil(bundled_count.max(1)).saturating_sub(1);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let Some(at) = text.find("\n[[tests]]") else { continue };
        let tests = &text[at..];
        let mut out = text.clone();
        for k in 1..=copies {
            out.push_str(&tests.replace("\nname = \"", &format!("\nname = \"#{k} ")));
        }
        std::fs::write(f, out).unwrap();
    }
    let synthetic =
        ProjectPaths { content: scratch.path().join("content"), templates: scratch.path().join("templates") };
    // Content paths (`data = "tests/data/…"`) are relative to the project: run from it.
    std::env::set_current_dir(scratch.path()).unwrap();
    report("synthetic suite", time_suite(&synthetic));
}
