//! The engine at unit-test size: parse + check + run of the rendered
//! `run_command_spike` query over 10 `AzureActivity` rows, repeated, the
//! median and best per query printed (target ≤ 1 ms in release). The
//! catalog is built once, as a rule-test run does.
//!
//! ```text
//! cargo run --release --example engine_small [ITERATIONS]
//! ```

use std::time::Instant;

use sentinel_forge::check::Catalog;
use sentinel_forge::engine::datetime::{TICK_MINUTE, parse_datetime};
use sentinel_forge::engine::value::Value;
use sentinel_forge::engine::{Column, Database, Engine, Options, Table};
use sentinel_forge::kql::types::ScalarType;

fn main() {
    let iterations: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let now = parse_datetime("2026-01-15T12:00:00Z").expect("valid");
    let query = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("generated/kql/run-command-spike.kql"),
    )
    .expect("the rendered query");
    // 10 rows: five Run Command pairs by one caller within ten minutes
    let n = 10;
    let s = |x: &str| Value::str(x);
    let col = |name: &str, ty, f: &dyn Fn(usize) -> Value| Column::new(name, ty, (0..n).map(f).collect());
    let table = Table::new(
        vec![
            col("TimeGenerated", ScalarType::DateTime, &|i| Value::DateTime(now - (20 - i as i64) * TICK_MINUTE)),
            col("OperationName", ScalarType::String, &|_| s("Run Command on Virtual Machine")),
            col("ActivityStatus", ScalarType::String, &|i| s(if i % 2 == 0 { "Started" } else { "Succeeded" })),
            col("Caller", ScalarType::String, &|_| s("mallory@contoso.com")),
            col("CallerIpAddress", ScalarType::String, &|_| s("198.51.100.23")),
            col("CorrelationId", ScalarType::String, &|i| Value::string(format!("c{}", i / 2))),
            col("Resource", ScalarType::String, &|i| Value::string(format!("VM-{}", i / 2))),
            col("ResourceGroup", ScalarType::String, &|_| s("RG-1")),
        ],
        n,
    );
    let mut db = Database::default();
    db.add("AzureActivity", table);
    let catalog = Catalog::builtin();
    let engine = Engine::new(&db, Options { now, ..Options::default() });
    let mut times = Vec::with_capacity(iterations);
    let mut rows = 0;
    for _ in 0..iterations {
        let started = Instant::now();
        let parsed = sentinel_forge::kql::parse(&query);
        assert!(parsed.errors.is_empty(), "the query parses");
        let checked = sentinel_forge::check::check(&parsed.query, catalog);
        assert!(!checked.has_errors(), "the query checks");
        let out = engine.run(&parsed.query).expect("the query runs");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        rows = out.len;
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "engine_small: parse + check + run over {n} rows, {iterations} times: median {:.3} ms, best {:.3} ms, \
         {rows} result row(s)",
        times[times.len() / 2],
        times[0]
    );
}
