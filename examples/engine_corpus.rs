//! How many real detections the local engine runs: every query of a corpus
//! (`../shared/corpus/kql-corpus.jsonl`) over empty tables of the table
//! catalog's schemas, counting which stop at an `ENG001` "not supported by
//! the local engine" and what the unsupported constructs are.
//!
//! `cargo run --release --example engine_corpus -- ../shared/corpus/kql-corpus.jsonl`
//! Last line: `engine-corpus: runs=R/N (P%) unsupported=U other_error=E syntax=S panics=X ms=T`,
//! where `runs` counts queries that executed or stopped for a reason other
//! than an unsupported construct (e.g. a function the catalog does not
//! declare), over the queries that parse.

use std::collections::BTreeMap;
use std::time::Instant;

use sentinel_forge::check::Catalog;
use sentinel_forge::engine::{Column, Database, Engine, EngineErrorKind, Options, Table};

fn main() {
    let path = std::env::args().nth(1).expect("usage: engine_corpus CORPUS.jsonl");
    let text = std::fs::read_to_string(&path).expect("reading the corpus");
    let catalog = Catalog::builtin();
    let mut db = Database::default();
    for name in catalog.names().map(str::to_string).collect::<Vec<_>>() {
        if let Some(schema) = catalog.table(&name) {
            let columns = schema.columns.iter().map(|(c, ty)| Column::new(c.clone(), *ty, Vec::new())).collect();
            db.add(name, Table::new(columns, 0));
        }
    }
    let (mut total, mut syntax, mut ran, mut unsupported, mut other, mut panics) = (0, 0, 0, 0, 0, 0);
    let mut constructs: BTreeMap<String, usize> = BTreeMap::new();
    let started = Instant::now();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let Some(query) = record["query"].as_str() else { continue };
        total += 1;
        let parsed = sentinel_forge::kql::parse(query);
        if parsed.has_errors() {
            syntax += 1;
            continue;
        }
        // externaldata from a URL mapped to no file is an empty table of its
        // declared schema, as every catalog table is empty here
        let options = Options { max_rows: 100_000, unmapped_external_empty: true, ..Options::default() };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Engine::new(&db, options).run(&parsed.query).map(|_| ()).map_err(|e| (e.kind, e.message))
        }));
        match outcome {
            Err(_) => {
                panics += 1;
                eprintln!("panic in {}", record["id"]);
            }
            Ok(Ok(())) => ran += 1,
            Ok(Err((EngineErrorKind::Unsupported, message))) => {
                unsupported += 1;
                let what = message.split(" is not supported").next().unwrap_or(&message).to_string();
                *constructs.entry(what).or_default() += 1;
            }
            Ok(Err(_)) => {
                other += 1;
                ran += 1;
            }
        }
    }
    let ms = started.elapsed().as_millis();
    let mut top: Vec<(&String, &usize)> = constructs.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    // `--all` after the corpus path prints every construct, not the top 15.
    let shown = if std::env::args().any(|a| a == "--all") { top.len() } else { 15 };
    for (what, n) in top.iter().take(shown) {
        println!("unsupported {n:>4}  {what}");
    }
    let parsed = total - syntax;
    let share = if parsed == 0 { 0.0 } else { 100.0 * ran as f64 / parsed as f64 };
    println!(
        "engine-corpus: runs={ran}/{parsed} ({share:.1}%) unsupported={unsupported} other_error={other} syntax={syntax} panics={panics} ms={ms}"
    );
}
