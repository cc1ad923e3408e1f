//! Engine speed on synthetic AzureActivity (the distribution of
//! `../shared/docs/research/engine.md` §3): writes the rows as CSV, loads
//! them with the engine's loader, runs the rendered `run_command_spike`
//! query (best of 3, data in memory), prints timings and the result as JSON.
//! `benches/engine_vs_duckdb.py` runs this and DuckDB on the same CSV.
//!
//! ```text
//! cargo run --release --example engine_bench -- ROWS OUT_DIR
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use sentinel_forge::engine::datetime::{TICK_MINUTE, TICK_SECOND, format_iso, parse_datetime};
use sentinel_forge::engine::load::{KnownSchemas, load_dir};
use sentinel_forge::engine::{Engine, Options, output};

#[path = "common/lcg.rs"]
mod lcg;
use lcg::Lcg;

const NOW: &str = "2026-01-15T12:00:00Z";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let dir = PathBuf::from(args.get(1).cloned().unwrap_or_else(|| "/tmp/engine-bench".into()));
    std::fs::create_dir_all(&dir).expect("create the output directory");
    let now = parse_datetime(NOW).expect("valid");
    let gen_started = Instant::now();
    let mut rng = Lcg(42);
    let mut csv = String::with_capacity(rows * 160);
    csv.push_str(
        "TimeGenerated,OperationName,ActivityStatus,Caller,CallerIpAddress,CorrelationId,Resource,ResourceGroup\n",
    );
    let push = |csv: &mut String, t: i64, op: &str, status: &str, caller: u64, corr: u64, vm: u64| {
        let _ = writeln!(
            csv,
            "{},{op},{status},user{caller}@contoso.com,10.{}.{}.{},{corr:016x},VM-{vm},RG-{}",
            format_iso(t, false),
            caller % 200,
            (caller / 200) % 250,
            caller % 7 + 1,
            vm % 50
        );
    };
    let mut n = 0usize;
    let mut corr = 0u64;
    // bursts: 40 callers run 6 commands within 10 minutes (the rows the rule should find)
    for b in 0..40u64 {
        let start = now - (1 + b as i64 % 20) * 24 * 60 * TICK_MINUTE;
        for k in 0..6 {
            let t = start + k * 2 * TICK_MINUTE;
            corr += 1;
            let caller = 10_000 + b;
            push(&mut csv, t, "Run Command on Virtual Machine", "Started", caller, corr, b * 10 + k as u64);
            push(
                &mut csv,
                t + 30 * TICK_SECOND,
                "Run Command on Virtual Machine",
                "Succeeded",
                caller,
                corr,
                b * 10 + k as u64,
            );
            n += 2;
        }
    }
    let forty_days = 40 * 24 * 60 * TICK_MINUTE;
    while n < rows {
        let age = if rng.below(4) < 3 {
            rng.below((30 * 24 * 60) as u64) as i64 * TICK_MINUTE
        } else {
            forty_days - rng.below((10 * 24 * 60) as u64) as i64 * TICK_MINUTE
        };
        let t = now - age;
        let caller = rng.below(1000);
        let vm = rng.below(5000);
        if rng.below(10) < 3 {
            corr += 1;
            let op =
                if rng.below(2) == 0 { "Run Command on Virtual Machine" } else { "RUN COMMAND ON VIRTUAL MACHINE" };
            push(&mut csv, t, op, "Started", caller, corr, vm);
            push(
                &mut csv,
                t + 20 * TICK_SECOND,
                op,
                if rng.below(5) == 0 { "Failed" } else { "Succeeded" },
                caller,
                corr,
                vm,
            );
            n += 2;
        } else {
            corr += 1;
            push(&mut csv, t, "Create or Update Virtual Machine", "Succeeded", caller, corr, vm);
            n += 1;
        }
    }
    std::fs::write(dir.join("AzureActivity.csv"), &csv).expect("write the CSV");
    eprintln!("generated {n} rows in {} ms", gen_started.elapsed().as_millis());

    let load_started = Instant::now();
    let loaded = load_dir(&dir, &KnownSchemas::new()).expect("load");
    let load_ms = load_started.elapsed().as_millis();
    // ENGINE_BENCH_QUERY=FILE times another query over the same rows
    let query_path = std::env::var("ENGINE_BENCH_QUERY").map(PathBuf::from).unwrap_or_else(|_| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("generated/kql/run-command-spike.kql")
    });
    let query = std::fs::read_to_string(&query_path).expect("the query file");
    let engine = Engine::new(&loaded.db, Options { now, ..Options::default() });
    // ENGINE_BENCH_STAGES=1: the time of each prefix of the pipeline (one operator per line), to stderr
    // ENGINE_BENCH_EXTRA=FILE: also time each query of FILE (separated by lines `----`), to stderr
    if let Ok(extra) = std::env::var("ENGINE_BENCH_EXTRA") {
        let text = std::fs::read_to_string(extra).expect("the extra queries");
        for q in text.split("\n----\n") {
            let started = Instant::now();
            let t = engine.run_text(q).expect("the extra query runs");
            eprintln!(
                "{:>8.1} ms {:>9} rows  {}",
                started.elapsed().as_secs_f64() * 1000.0,
                t.len,
                q.lines().last().unwrap_or("")
            );
        }
    }
    if std::env::var("ENGINE_BENCH_STAGES").is_ok() {
        let lines: Vec<&str> = query.lines().collect();
        for k in 0..lines.len() {
            if !lines[k].trim_start().starts_with('|') {
                continue;
            }
            let prefix = lines[..=k].join("\n");
            let started = Instant::now();
            let t = engine.run_text(&prefix).expect("the prefix runs");
            eprintln!("{:>8.1} ms {:>9} rows  {}", started.elapsed().as_secs_f64() * 1000.0, t.len, lines[k].trim());
        }
    }
    let mut best = u128::MAX;
    let mut result = None;
    for _ in 0..3 {
        let started = Instant::now();
        let t = engine.run_text(&query).expect("the spike query runs");
        best = best.min(started.elapsed().as_micros());
        result = Some(t);
    }
    let result = result.expect("ran");
    let peak_kb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .unwrap_or_default();
    let json = output::table_json(&result, "PrimaryResult");
    println!(
        "{}",
        serde_json::json!({"rows": n, "load_ms": load_ms, "query_ms_best_of_3": best as f64 / 1000.0,
                           "peak_rss_kb": peak_kb, "result": json})
    );
}
