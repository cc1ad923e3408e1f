//! `run` result handling against a peer, in the same process run.
//!
//! `cargo bench --bench run_output` builds a Log Analytics query response of
//! 100,000 rows (the seven column types hunts return: datetime, string,
//! string, long, real, bool, dynamic) and measures, median of 7 runs:
//! - ours: `QueryResults::from_json` (parse + type) then the CSV, JSON and
//!   table renderers `run --format csv|json|table` use;
//! - the peer: Python 3's `json.load` + `csv.writer` doing the same
//!   conversion (dynamic cells parsed and written compact, booleans as
//!   true/false), which is what a user scripting the API would run.
//!
//! The output of both CSV paths is compared first, so the peer does the same
//! work. Writes `docs/run-bench.md`. `RUN_BENCH_ROWS` changes the row count.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{Duration, Instant};

use sentinel_forge::query::format::{csv, json, table};
use sentinel_forge::query::results::QueryResults;
use serde_json::json;

const RUNS: usize = 7;

/// What earlier runs of this benchmark found (kept in the report).
const HISTORY: &str = "History: the first run found that ours and the peer's CSV differed in the last digit of some \
reals (632/7 printed as 90.28571428571428): serde_json parsed floats with a fast, inexact algorithm; with its \
`float_roundtrip` feature every real is written as the service sent it (a unit test pins it). Writing the CSV \
into one buffer and borrowing string cells took `--format csv` from 250 ms to 233 ms (about 7%, near the noise \
of this machine); most of the remaining time is parsing the response and re-serializing each dynamic cell.";

fn response(rows: usize) -> Vec<u8> {
    let mut data = Vec::with_capacity(rows);
    for i in 0..rows {
        data.push(json!([
            format!("2026-11-{:02}T{:02}:{:02}:{:02}.{:03}Z", 1 + i % 28, i % 24, i % 60, (i * 7) % 60, i % 1000),
            format!("user{}@contoso.com", i % 977),
            format!("10.{}.{}.{}", i % 256, (i / 256) % 256, i % 200),
            (i * 31) % 10_000,
            (i % 1000) as f64 / 7.0,
            i % 3 == 0,
            // The service sends dynamic values as JSON text.
            format!("{{\"vm\":\"vm-{}\",\"ops\":[\"runCommand\",\"delete, now\"],\"n\":{}}}", i % 50, i % 9),
        ]));
    }
    let body = json!({"tables": [{
        "name": "PrimaryResult",
        "columns": [
            {"name": "TimeGenerated", "type": "datetime"},
            {"name": "Caller", "type": "string"},
            {"name": "CallerIpAddress", "type": "string"},
            {"name": "Operations", "type": "long"},
            {"name": "Ratio", "type": "real"},
            {"name": "Succeeded", "type": "bool"},
            {"name": "Properties", "type": "dynamic"},
        ],
        "rows": data,
    }]});
    serde_json::to_vec(&body).unwrap()
}

const PEER: &str = r#"
import csv, io, json, sys, time
path, runs = sys.argv[1], int(sys.argv[2])
def cell(v, ty):
    if v is None: return ""
    if ty == "bool": return "true" if v in (True, 1, "true", "True") else "false"
    if ty == "dynamic" and isinstance(v, str):
        try: return json.dumps(json.loads(v), separators=(",", ":"), ensure_ascii=False)
        except ValueError: return v
    if isinstance(v, str): return v
    if isinstance(v, float) and v.is_integer(): return json.dumps(v)
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    with open(path, "rb") as f:
        body = json.load(f)
    t = body["tables"][0]
    types = [c["type"] for c in t["columns"]]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([c["name"] for c in t["columns"]])
    for row in t["rows"]:
        w.writerow([cell(v, ty) for v, ty in zip(row, types)])
    text = out.getvalue()
    times.append(time.perf_counter() - t0)
sys.stdout.write(text)
sys.stderr.write(" ".join(str(x) for x in times))
"#;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn time<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = f();
        times.push(start.elapsed());
        last = Some(out);
    }
    (median(times), last.expect("at least one run"))
}

fn main() {
    let rows: usize = std::env::var("RUN_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let body = response(rows);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("response.json");
    std::fs::write(&path, &body).unwrap();

    let (parse, results) = time(|| QueryResults::from_json(&body).unwrap());
    let (csv_time, csv_text) = time(|| {
        let r = QueryResults::from_json(&body).unwrap();
        csv::render(r.primary().unwrap())
    });
    let (json_time, json_text) = time(|| {
        let r = QueryResults::from_json(&body).unwrap();
        json::render(&r)
    });
    let (table_time, _) = time(|| {
        let r = QueryResults::from_json(&body).unwrap();
        table::render(&r, &table::TableOptions { max_cell_chars: Some(60), fit_terminal: false })
    });

    let script = dir.path().join("peer.py");
    std::fs::File::create(&script).unwrap().write_all(PEER.as_bytes()).unwrap();
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&path)
        .arg(RUNS.to_string())
        .output()
        .expect("python3 runs the peer");
    assert!(out.status.success(), "peer failed: {}", String::from_utf8_lossy(&out.stderr));
    let peer_csv = String::from_utf8(out.stdout).unwrap();
    if let Some((ours, theirs)) = csv_text.split("\r\n").zip(peer_csv.split("\r\n")).find(|(a, b)| a != b) {
        panic!("the CSV paths differ:\nours: {ours}\npeer: {theirs}");
    }
    assert_eq!(peer_csv.len(), csv_text.len(), "both CSV paths write the same bytes");
    let peer_times: Vec<Duration> = String::from_utf8(out.stderr)
        .unwrap()
        .split_whitespace()
        .map(|s| Duration::from_secs_f64(s.parse().unwrap()))
        .collect();
    let peer = median(peer_times);

    let mb = body.len() as f64 / 1e6;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut report = String::new();
    writeln!(report, "# `run` result handling: benchmark").unwrap();
    writeln!(report).unwrap();
    writeln!(
        report,
        "`cargo bench --bench run_output` (release), {rows} rows x 7 columns, response {mb:.1} MB, median of {RUNS} runs, \
         2-core machine. Peer: Python 3 `json.load` + `csv.writer` with the same cell conversions, run by the benchmark \
         itself; its CSV is compared byte for byte with ours before timing counts."
    )
    .unwrap();
    writeln!(report).unwrap();
    writeln!(report, "| step | ours | peer (Python) | ours / peer |").unwrap();
    writeln!(report, "|---|---|---|---|").unwrap();
    writeln!(report, "| parse + type the response | {:.0} ms | | |", ms(parse)).unwrap();
    writeln!(
        report,
        "| response → CSV (`--format csv`) | {:.0} ms | {:.0} ms | {:.2} |",
        ms(csv_time),
        ms(peer),
        csv_time.as_secs_f64() / peer.as_secs_f64()
    )
    .unwrap();
    writeln!(report, "| response → JSON (`--format json`) | {:.0} ms | | |", ms(json_time)).unwrap();
    writeln!(report, "| response → table (`--format table`) | {:.0} ms | | |", ms(table_time)).unwrap();
    writeln!(report).unwrap();
    writeln!(
        report,
        "Rows typed: {}; CSV {} bytes; JSON {} bytes.",
        results.row_count(),
        csv_text.len(),
        json_text.len()
    )
    .unwrap();
    writeln!(report).unwrap();
    writeln!(report, "{HISTORY}").unwrap();
    print!("{report}");
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/run-bench.md");
    std::fs::write(docs, report).unwrap();
}
