//! Measures `sentinel_forge::kql::parse` against Kusto.Language verdicts.
//!
//! usage: cargo run --release --example kql_conformance -- <corpus.jsonl> <oracle.jsonl>
//!
//! corpus lines: {"id": ..., "query": ...}; oracle lines: {"id": ..., "syntax": [{"start": utf16, "length": n,
//! "message": ...}, ...]}. Prints a triage list of disagreements, a round-trip count, and as its last line:
//! `conformance: agree=... false_accept=... false_reject=... first_error_same_token=... panics=... parse_ms=...`
//!
//! parse_ms is the total time spent in `kql::parse` over the corpus (no I/O, no JSON), the fastest of three passes.
//!
//! semantic mode: kql_conformance --semantic --catalog <catalog.csv> <corpus.jsonl> <oracle.jsonl> [--verbose]
//! compares `sentinel_forge::check::check` with the oracle's `semantic` list (severity Error, not also in
//! `syntax`); its last line is
//! `semantic-conformance: agree=... false_error=... missed_error=... first_error_same_token=... panics=... check_ms=...`
//! where check_ms is the time spent in `check::check` alone (trees parsed beforehand), the fastest of three passes.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use sentinel_forge::check::{self, Catalog};
use sentinel_forge::diag::Severity;
use sentinel_forge::kql::{self, lexer};

fn utf16_to_byte(text: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units >= utf16 {
            return i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Index of the token "slot" holding `offset`: slot i spans from the end of
/// token i-1 to the end of token i, so a zero-width error just after a token
/// and an error at the start of the next token fall into the same slot.
fn slot_of(tokens: &[lexer::Token], offset: u32) -> usize {
    tokens.iter().position(|t| offset < t.range.end).unwrap_or(tokens.len().saturating_sub(1))
}

fn snippet(text: &str, at: usize) -> String {
    let start = text[..at.min(text.len())].char_indices().rev().nth(25).map_or(0, |(i, _)| i);
    let end = text[at.min(text.len())..].char_indices().nth(25).map_or(text.len(), |(i, _)| at + i);
    format!("{:?}", &text[start..end])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--semantic") {
        semantic(&args);
        return;
    }
    if args.len() < 3 {
        eprintln!("usage: kql_conformance <corpus.jsonl> <oracle.jsonl> [--verbose]");
        std::process::exit(2);
    }
    let verbose = args.iter().any(|a| a == "--verbose");
    let corpus = std::fs::read_to_string(&args[1]).expect("read corpus");
    let oracle = std::fs::read_to_string(&args[2]).expect("read oracle");
    let mut verdicts: HashMap<String, Option<(usize, String)>> = HashMap::new();
    for line in oracle.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("oracle json");
        let id = v["id"].as_str().unwrap_or_default().to_string();
        let first = v["syntax"]
            .as_array()
            .and_then(|a| a.first())
            .map(|d| (d["start"].as_u64().unwrap_or(0) as usize, d["message"].as_str().unwrap_or("").to_string()));
        verdicts.insert(id, first);
    }
    std::panic::set_hook(Box::new(|_| {}));

    let (mut total, mut agree, mut false_accept, mut false_reject, mut panics) = (0, 0, 0, 0, 0);
    let (mut both_reject, mut same_token) = (0, 0);
    let (mut accepted, mut roundtrip_ok) = (0, 0);
    let mut parse_time = Duration::ZERO;
    let mut bytes = 0usize;
    let mut fa_list = Vec::new();
    let mut fr_list = Vec::new();
    let mut pos_list = Vec::new();
    let mut rt_fail = Vec::new();
    for line in corpus.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("corpus json");
        let id = v["id"].as_str().unwrap_or_default().to_string();
        let text = v["query"].as_str().unwrap_or_default().to_string();
        let Some(reference) = verdicts.get(&id) else { continue };
        total += 1;
        bytes += text.len();
        let t0 = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| kql::parse(&text)));
        parse_time += t0.elapsed();
        let Ok(parsed) = result else {
            panics += 1;
            fr_list.push(format!("PANIC {id}"));
            continue;
        };
        let ours = parsed.errors.first();
        match (ours, reference) {
            (None, None) => {
                agree += 1;
            }
            (Some(_), Some(_)) => agree += 1,
            (None, Some((start, msg))) => {
                false_accept += 1;
                let b = utf16_to_byte(&text, *start);
                fa_list.push(format!("{id}\n    reference: {msg} at {b} {}", snippet(&text, b)));
            }
            (Some(e), None) => {
                false_reject += 1;
                fr_list.push(format!(
                    "{id}\n    ours: {} {} at {} {}",
                    e.code.code(),
                    e.message,
                    e.range.start,
                    snippet(&text, e.range.start as usize)
                ));
            }
        }
        if let (Some(e), Some((start, msg))) = (ours, reference) {
            both_reject += 1;
            let (tokens, _) = lexer::tokenize(&text);
            let b = utf16_to_byte(&text, *start) as u32;
            if slot_of(&tokens, b) == slot_of(&tokens, e.range.start) {
                same_token += 1;
            } else {
                pos_list.push(format!(
                    "{id}\n    ours: {} at {} {}\n    reference: {msg} at {b} {}",
                    e.message,
                    e.range.start,
                    snippet(&text, e.range.start as usize),
                    snippet(&text, b as usize)
                ));
            }
        }
        if parsed.errors.is_empty() {
            accepted += 1;
            let printed = parsed.query.to_string();
            let again = catch_unwind(AssertUnwindSafe(|| kql::parse(&printed)));
            match again {
                Ok(p2) if p2.errors.is_empty() && p2.query.same_shape(&parsed.query) => roundtrip_ok += 1,
                Ok(p2) => rt_fail.push(format!(
                    "{id}: {}",
                    p2.errors.first().map_or("tree differs".to_string(), |e| e.message.clone())
                )),
                Err(_) => rt_fail.push(format!("{id}: panic on reparse")),
            }
        }
    }
    // The machine is shared: time two more parse-only passes and keep the fastest.
    let texts: Vec<String> = corpus
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| verdicts.contains_key(v["id"].as_str().unwrap_or_default()))
        .map(|v| v["query"].as_str().unwrap_or_default().to_string())
        .collect();
    for _ in 0..2 {
        let t0 = Instant::now();
        for t in &texts {
            let _ = catch_unwind(AssertUnwindSafe(|| kql::parse(t)));
        }
        parse_time = parse_time.min(t0.elapsed());
    }
    let cap = if verbose { usize::MAX } else { 40 };
    let section = |title: &str, list: &[String]| {
        if !list.is_empty() {
            println!("== {title} ({})", list.len());
            for l in list.iter().take(cap) {
                println!("  {l}");
            }
            if list.len() > cap {
                println!("  ... {} more (--verbose)", list.len() - cap);
            }
        }
    };
    section("false accepts (we accept, reference rejects)", &fa_list);
    section("false rejects (we reject, reference accepts)", &fr_list);
    section("first error in a different token", &pos_list);
    section("round-trip failures", &rt_fail);
    let ms = parse_time.as_secs_f64() * 1000.0;
    let mbps = if ms > 0.0 { bytes as f64 / 1e6 / (ms / 1000.0) } else { 0.0 };
    println!("throughput: {bytes} bytes in {ms:.1} ms = {mbps:.1} MB/s");
    println!("roundtrip_ok={roundtrip_ok}/{accepted}");
    let pct = |a: usize, b: usize| if b == 0 { 100.0 } else { a as f64 * 100.0 / b as f64 };
    println!(
        "conformance: agree={agree}/{total} ({:.2}%) false_accept={false_accept} false_reject={false_reject} \
         first_error_same_token={same_token}/{both_reject} ({:.2}%) panics={panics} parse_ms={}",
        pct(agree, total),
        pct(same_token, both_reject),
        ms.round() as u64
    );
}

/// One reference diagnostic: code, byte offset, message.
type RefError = (String, usize, String);

fn semantic(args: &[String]) {
    let verbose = args.iter().any(|a| a == "--verbose");
    let mut positional = Vec::new();
    let mut catalog_path = None;
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--semantic" | "--verbose" => {}
            "--catalog" => {
                i += 1;
                catalog_path = args.get(i).cloned();
            }
            other => positional.push(other.to_string()),
        }
        i += 1;
    }
    let (Some(catalog_path), [corpus_path, oracle_path]) = (catalog_path, positional.as_slice()) else {
        eprintln!(
            "usage: kql_conformance --semantic --catalog <catalog.csv> <corpus.jsonl> <oracle.jsonl> [--verbose]"
        );
        std::process::exit(2);
    };
    let catalog =
        Catalog::from_csv(std::fs::read_to_string(&catalog_path).expect("read catalog")).expect("catalog csv");
    let corpus = std::fs::read_to_string(corpus_path).expect("read corpus");
    let oracle = std::fs::read_to_string(oracle_path).expect("read oracle");
    let texts: HashMap<String, String> = corpus
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("corpus json"))
        .map(|v| {
            (v["id"].as_str().unwrap_or_default().to_string(), v["query"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    let mut cases: Vec<(String, String, Option<RefError>)> = Vec::new();
    for line in oracle.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("oracle json");
        let id = v["id"].as_str().unwrap_or_default().to_string();
        let Some(text) = texts.get(&id) else { continue };
        let key =
            |d: &serde_json::Value| (d["code"].clone(), d["start"].clone(), d["length"].clone(), d["message"].clone());
        let syntax: Vec<_> = v["syntax"].as_array().map(|a| a.iter().map(key).collect()).unwrap_or_default();
        let first = v["semantic"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["severity"].as_str() == Some("Error") && !syntax.contains(&key(d)))
            .min_by_key(|d| d["start"].as_u64().unwrap_or(0))
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or("").to_string(),
                    utf16_to_byte(text, d["start"].as_u64().unwrap_or(0) as usize),
                    d["message"].as_str().unwrap_or("").to_string(),
                )
            });
        cases.push((id, text.clone(), first));
    }
    std::panic::set_hook(Box::new(|_| {}));
    let parsed: Vec<kql::Parsed> = cases.iter().map(|(_, t, _)| kql::parse(t)).collect();
    let (mut agree, mut false_error, mut missed, mut panics, mut both, mut same) = (0, 0, 0, 0, 0, 0);
    let mut check_time = Duration::ZERO;
    let mut fe: Vec<(String, String)> = Vec::new();
    let mut me: Vec<(String, String)> = Vec::new();
    let mut pos: Vec<(String, String)> = Vec::new();
    for ((id, text, reference), p) in cases.iter().zip(&parsed) {
        let t0 = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| check::check(&p.query, &catalog)));
        check_time += t0.elapsed();
        let Ok(result) = result else {
            panics += 1;
            fe.push(("PANIC".into(), format!("PANIC {id}")));
            continue;
        };
        let ours = result.diagnostics.iter().find(|d| d.severity() == Severity::Error);
        if let Ok(filter) = std::env::var("SEM_DEBUG")
            && id.contains(&filter)
        {
            println!("DEBUG {id}\n{text}\n  reference: {reference:?}");
            for d in &result.diagnostics {
                println!("  ours: {} {} at {}", d.code.code(), d.message, d.range.start);
            }
        }
        let syn = if p.errors.is_empty() { "" } else { " [syntax errors]" };
        match (ours, reference) {
            (None, None) | (Some(_), Some(_)) => agree += 1,
            (Some(e), None) => {
                false_error += 1;
                fe.push((
                    e.code.code().to_string(),
                    format!(
                        "{id}{syn}\n    ours: {} {} {}",
                        e.code.code(),
                        e.message,
                        snippet(text, e.range.start as usize)
                    ),
                ));
            }
            (None, Some((code, at, msg))) => {
                missed += 1;
                me.push((code.clone(), format!("{id}{syn}\n    reference: {code} {msg} {}", snippet(text, *at))));
            }
        }
        if let (Some(e), Some((code, at, msg))) = (ours, reference) {
            both += 1;
            let (tokens, _) = lexer::tokenize(text);
            if slot_of(&tokens, *at as u32) == slot_of(&tokens, e.range.start) {
                same += 1;
            } else {
                pos.push((
                    format!("{}~{code}", e.code.code()),
                    format!(
                        "{id}{syn}\n    ours: {} {} {}\n    reference: {code} {msg} {}",
                        e.code.code(),
                        e.message,
                        snippet(text, e.range.start as usize),
                        snippet(text, *at)
                    ),
                ));
            }
        }
    }
    for _ in 0..2 {
        let t0 = Instant::now();
        for p in &parsed {
            let _ = catch_unwind(AssertUnwindSafe(|| check::check(&p.query, &catalog)));
        }
        check_time = check_time.min(t0.elapsed());
    }
    let cap = if verbose { usize::MAX } else { 15 };
    let grouped = |title: &str, list: &mut Vec<(String, String)>| {
        if list.is_empty() {
            return;
        }
        list.sort();
        println!("== {title} ({})", list.len());
        let mut counts: Vec<(String, usize)> = Vec::new();
        for (k, _) in list.iter() {
            match counts.last_mut() {
                Some((last, n)) if last == k => *n += 1,
                _ => counts.push((k.clone(), 1)),
            }
        }
        for (k, n) in &counts {
            println!("  -- {k}: {n}");
            for (_, l) in list.iter().filter(|(kk, _)| kk == k).take(cap) {
                println!("    {l}");
            }
        }
    };
    grouped("false errors (we report, reference does not)", &mut fe);
    grouped("missed errors (reference reports, we do not)", &mut me);
    grouped("first error in a different token", &mut pos);
    let total = cases.len();
    let pct = |a: usize, b: usize| if b == 0 { 100.0 } else { a as f64 * 100.0 / b as f64 };
    println!(
        "semantic-conformance: agree={agree}/{total} ({:.2}%) false_error={false_error} missed_error={missed} \
         first_error_same_token={same}/{both} ({:.2}%) panics={panics} check_ms={}",
        pct(agree, total),
        pct(same, both),
        (check_time.as_secs_f64() * 1000.0).round() as u64
    );
}
