//! Conformance of the local engine with Kusto's own answers.
//!
//! ```text
//! cargo run --release --example engine_conformance -- ../shared/engine-cases/cases.jsonl [--tables DIR] [-v] [--only ID]
//! ```
//!
//! Each case's query runs on the engine (10 s limit); its first table is
//! compared with the recorded answer under the rules of the cases' README
//! (types, reals to 1e-9 relative, datetimes as instants, dynamic values as
//! parsed JSON, multisets unless `ordered`). Prints one line per suite,
//! then `engine-conformance: pass=P/N (X%) wrong=W error=E timeout=T ms=MS`.
//! `-v` prints each failing case with the reason.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sentinel_forge::engine::datetime::{parse_datetime, parse_timespan};
use sentinel_forge::engine::load::{KnownSchemas, load_dir};
use sentinel_forge::engine::{Database, Engine, Options, output};
use serde_json::Value;

#[derive(Default)]
struct Tally {
    n: usize,
    pass: usize,
    wrong: usize,
    error: usize,
    timeout: usize,
}

enum Outcome {
    Pass,
    Wrong(String),
    Error(String),
    Timeout,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut path = None;
    let mut tables = None;
    let mut verbose = false;
    let mut only = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-v" | "--verbose" => verbose = true,
            "--tables" => tables = it.next().map(PathBuf::from),
            "--only" => only = it.next().cloned(),
            other => path = Some(PathBuf::from(other)),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: engine_conformance CASES.jsonl [--tables DIR] [-v] [--only ID]");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", path.display());
        std::process::exit(2)
    });
    let tables = tables.unwrap_or_else(|| path.parent().unwrap_or(std::path::Path::new(".")).join("tables"));
    let db = if tables.is_dir() {
        match load_dir(&tables, &KnownSchemas::new()) {
            Ok(l) => l.db,
            Err(e) => {
                eprintln!("{e}");
                Database::default()
            }
        }
    } else {
        Database::default()
    };
    let db = Arc::new(db);
    let started = Instant::now();
    let mut suites: BTreeMap<String, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("skipping a malformed case line: {e}");
                continue;
            }
        };
        let id = case["id"].as_str().unwrap_or("?").to_string();
        if only.as_ref().is_some_and(|o| !id.contains(o.as_str())) {
            continue;
        }
        let suite = case["suite"].as_str().unwrap_or("core").to_string();
        let outcome = run_case(&case, db.clone());
        let tally = suites.entry(suite).or_default();
        for t in [&mut *tally, &mut total] {
            t.n += 1;
            match &outcome {
                Outcome::Pass => t.pass += 1,
                Outcome::Wrong(_) => t.wrong += 1,
                Outcome::Error(_) => t.error += 1,
                Outcome::Timeout => t.timeout += 1,
            }
        }
        if verbose {
            match &outcome {
                Outcome::Pass => {}
                Outcome::Wrong(why) => println!("WRONG {id}: {why}"),
                Outcome::Error(why) => println!("ERROR {id}: {why}"),
                Outcome::Timeout => println!("TIMEOUT {id}"),
            }
        }
    }
    for (name, t) in &suites {
        println!(
            "suite {name}: pass={}/{} ({:.1}%) wrong={} error={} timeout={}",
            t.pass,
            t.n,
            pct(t.pass, t.n),
            t.wrong,
            t.error,
            t.timeout
        );
    }
    println!(
        "engine-conformance: pass={}/{} ({:.1}%) wrong={} error={} timeout={} ms={}",
        total.pass,
        total.n,
        pct(total.pass, total.n),
        total.wrong,
        total.error,
        total.timeout,
        started.elapsed().as_millis()
    );
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 }
}

fn run_case(case: &Value, db: Arc<Database>) -> Outcome {
    let query = case["query"].as_str().unwrap_or_default().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let engine = Engine::new(&db, Options::default());
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| engine.run_text(&query)));
        let msg = match r {
            Ok(Ok(t)) => Ok(output::table_json(&t, "PrimaryResult")),
            Ok(Err(e)) => Err(format!("{} {}", e.code(), e.message)),
            Err(_) => Err("panic".to_string()),
        };
        let _ = tx.send(msg);
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Err(_) => Outcome::Timeout,
        Ok(Err(e)) => Outcome::Error(e),
        Ok(Ok(got)) => match compare(&case["expected"], &got, case["ordered"].as_bool().unwrap_or(false)) {
            Ok(()) => Outcome::Pass,
            Err(why) => Outcome::Wrong(why),
        },
    }
}

fn type_alias(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "double" => "real".into(),
        "boolean" => "bool".into(),
        "int64" => "long".into(),
        "int32" => "int".into(),
        "date" => "datetime".into(),
        "time" => "timespan".into(),
        other => other.into(),
    }
}

fn compare(expected: &Value, got: &Value, ordered: bool) -> Result<(), String> {
    let ecols = expected["columns"].as_array().cloned().unwrap_or_default();
    let gcols = got["columns"].as_array().cloned().unwrap_or_default();
    let names = |c: &[Value]| c.iter().map(|c| c["name"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>();
    if names(&ecols) != names(&gcols) {
        return Err(format!("columns {:?} != expected {:?}", names(&gcols), names(&ecols)));
    }
    let types: Vec<String> = ecols.iter().map(|c| type_alias(c["type"].as_str().unwrap_or(""))).collect();
    let gtypes: Vec<String> = gcols.iter().map(|c| type_alias(c["type"].as_str().unwrap_or(""))).collect();
    if types != gtypes {
        return Err(format!("types {gtypes:?} != expected {types:?}"));
    }
    let erows = expected["rows"].as_array().cloned().unwrap_or_default();
    let grows = got["rows"].as_array().cloned().unwrap_or_default();
    if erows.len() != grows.len() {
        return Err(format!("{} rows != expected {}", grows.len(), erows.len()));
    }
    let row_eq = |e: &Value, g: &Value| -> bool {
        let (Some(e), Some(g)) = (e.as_array(), g.as_array()) else { return false };
        e.len() == g.len() && e.iter().zip(g).zip(&types).all(|((a, b), t)| cell_eq(a, b, t))
    };
    if ordered {
        for (i, (e, g)) in erows.iter().zip(&grows).enumerate() {
            if !row_eq(e, g) {
                return Err(format!("row {i}: {g} != expected {e}"));
            }
        }
        return Ok(());
    }
    let mut used = vec![false; grows.len()];
    for e in &erows {
        match (0..grows.len()).find(|&j| !used[j] && row_eq(e, &grows[j])) {
            Some(j) => used[j] = true,
            None => return Err(format!("expected row {e} not found")),
        }
    }
    Ok(())
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            other => other.parse().ok(),
        },
        _ => None,
    }
}

fn real_eq(a: f64, b: f64) -> bool {
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let diff = (a - b).abs();
    diff <= 1e-12 || diff <= 1e-9 * a.abs().max(b.abs())
}

fn cell_eq(e: &Value, g: &Value, ty: &str) -> bool {
    if e.is_null() || g.is_null() {
        return e.is_null() && g.is_null();
    }
    match ty {
        "long" | "int" => match (num(e), num(g)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        "real" | "decimal" => match (num(e), num(g)) {
            (Some(a), Some(b)) => real_eq(a, b),
            _ => false,
        },
        "datetime" => match (e.as_str().and_then(parse_datetime), g.as_str().and_then(parse_datetime)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        "timespan" => match (e.as_str().and_then(parse_timespan), g.as_str().and_then(parse_timespan)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        "guid" => e.as_str().map(str::to_ascii_lowercase) == g.as_str().map(str::to_ascii_lowercase),
        "dynamic" => json_eq(&decode(e), &decode(g)),
        _ => e == g,
    }
}

fn decode(v: &Value) -> Value {
    match v {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| v.clone()),
        other => other.clone(),
    }
}

fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => real_eq(num(a).unwrap_or(0.0), num(b).unwrap_or(0.0)),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}
