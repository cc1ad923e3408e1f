//! Measures the cost of the built-in table catalog per run: its first use,
//! then resolving tables by binary search over the embedded CSV (the checker
//! resolves each table a query reads), then the full name index that only
//! did-you-mean needs. Target: <= 5 ms per run for a query's tables (release).
//!
//! usage: cargo run --release --example catalog_timing [TABLE...]

use std::time::Instant;

use sentinel_forge::check::Catalog;

fn main() {
    let tables: Vec<String> = std::env::args().skip(1).collect();
    let tables = if tables.is_empty() {
        vec!["SigninLogs".to_string(), "AuditLogs".to_string(), "SecurityEvent".to_string()]
    } else {
        tables
    };
    let t0 = Instant::now();
    let catalog = Catalog::builtin();
    let index = t0.elapsed();
    let t1 = Instant::now();
    let mut columns = 0;
    for t in &tables {
        columns += catalog.table(t).map_or(0, |s| s.columns.len());
    }
    let resolve = t1.elapsed();
    let t2 = Instant::now();
    let suggestion = catalog.suggest("SigninLog").unwrap_or("-").to_string();
    let names = t2.elapsed();
    println!(
        "catalog: first use {:.3} ms; {} table(s) resolved ({columns} columns) in {:.3} ms; total {:.3} ms; \
         did-you-mean over {} names (builds the index) {:.3} ms -> {suggestion}",
        index.as_secs_f64() * 1000.0,
        tables.len(),
        resolve.as_secs_f64() * 1000.0,
        (index + resolve).as_secs_f64() * 1000.0,
        catalog.len(),
        names.as_secs_f64() * 1000.0
    );
}
