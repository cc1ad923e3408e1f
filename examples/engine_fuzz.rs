//! A std-only fuzz driver for the local engine: random queries that parse,
//! run over small tables with the engine's row budget, must never panic.
//! (The machine has no nightly toolchain for cargo-fuzz; this driver is the
//! equivalent, and `fuzz/fuzz_targets/engine_run.rs` is the cargo-fuzz
//! target for machines that have one.) See docs/engine-fuzz.md.
//!
//! ```text
//! cargo run --example engine_fuzz -- [--minutes M] [--seed S] [--corpus ../shared/corpus/kql-corpus.jsonl]
//! ```
//!
//! Each case is one of: a corpus query as is, cut at a random `|`, or with
//! its literals replaced by edge values; or a query built from fragments
//! over a small table of every type. Every catalog table gets a few rows of
//! generated values (nulls, empty strings, extremes included). A case
//! that panics is caught (`catch_unwind`), printed with its query, and
//! counted. Last line:
//! `engine-fuzz: cases=N parsed=P ran=R errors=E panics=X minutes=M seed=S`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "common/lcg.rs"]
mod lcg;

use lcg::Lcg;
use sentinel_forge::check::Catalog;
use sentinel_forge::engine::value::Value;
use sentinel_forge::engine::{Column, Database, Engine, Options, Table};
use sentinel_forge::kql::types::ScalarType;

const ROWS: usize = 4;

fn value(rng: &mut Lcg, ty: ScalarType) -> Value {
    if rng.below(6) == 0 {
        return Value::null_of(ty);
    }
    let pick = rng.below(8);
    match ty {
        ScalarType::String => Value::string(
            ["", "a", "Alice", "10.0.0.1", "192.168.1.10/24", "{\"k\":[1,2]}", "x@contoso.com", "héllo wörld"]
                [pick as usize]
                .to_string(),
        ),
        ScalarType::Long | ScalarType::Int => Value::Long([0, 1, -1, 2, 42, i64::MAX, i64::MIN, 1000][pick as usize]),
        ScalarType::Real => Value::Real([0.0, 1.5, -2.25, f64::NAN, f64::INFINITY, 1e300, -0.0, 3.0][pick as usize]),
        ScalarType::Bool => Value::Bool(pick.is_multiple_of(2)),
        ScalarType::DateTime => {
            let base = sentinel_forge::engine::datetime::parse_datetime("2024-01-10T00:00:00Z").unwrap_or(0);
            Value::DateTime(base - (rng.below(10 * 24 * 3600) as i64) * 10_000_000)
        }
        ScalarType::TimeSpan => Value::TimeSpan([0, 1, -1, 36_000_000_000, i64::MAX / 2][pick as usize % 5]),
        ScalarType::Guid => Value::Guid(rng.next() as u128 * 7919),
        _ => [
            Value::Null,
            Value::from_json(&serde_json::json!({"a": 1, "b": [1, "x"]})),
            Value::from_json(&serde_json::json!([1, 2, 3])),
            Value::from_json(&serde_json::json!("s")),
        ][pick as usize % 4]
            .clone(),
    }
}

fn table(rng: &mut Lcg, cols: &[(String, ScalarType)]) -> Table {
    let columns =
        cols.iter().map(|(n, ty)| Column::new(n.clone(), *ty, (0..ROWS).map(|_| value(rng, *ty)).collect())).collect();
    Table::new(columns, ROWS)
}

const TYPES: [(&str, ScalarType); 8] = [
    ("s", ScalarType::String),
    ("n", ScalarType::Long),
    ("r", ScalarType::Real),
    ("b", ScalarType::Bool),
    ("t", ScalarType::DateTime),
    ("d", ScalarType::TimeSpan),
    ("g", ScalarType::Guid),
    ("j", ScalarType::Dynamic),
];

fn database(rng: &mut Lcg) -> Database {
    let catalog = Catalog::builtin();
    let mut db = Database::default();
    for name in catalog.names().map(str::to_string).collect::<Vec<_>>() {
        if let Some(schema) = catalog.table(&name) {
            let t = table(rng, &schema.columns);
            db.add(name, t);
        }
    }
    let cols: Vec<(String, ScalarType)> = TYPES.iter().map(|(n, t)| (n.to_string(), *t)).collect();
    db.add("T", table(rng, &cols));
    db.add("E", Table::new(cols.iter().map(|(n, ty)| Column::new(n.clone(), *ty, Vec::new())).collect(), 0));
    db
}

const SCALARS: &[&str] = &[
    "s",
    "n",
    "r",
    "b",
    "t",
    "d",
    "g",
    "j",
    "j.a",
    "j.b[1]",
    "j[0]",
    "0",
    "-1",
    "9223372036854775807",
    "1.5",
    "''",
    "'x'",
    "now()",
    "ago(1d)",
    "1h",
    "dynamic(null)",
    "dynamic([1,'a',null])",
    "int(null)",
    "datetime(2024-01-01)",
];

const FUNCS: &[&str] = &[
    "strlen({})",
    "tolower({})",
    "toupper({})",
    "tostring({})",
    "tolong({})",
    "toint({})",
    "todouble({})",
    "todatetime({})",
    "totimespan({})",
    "toguid({})",
    "tobool({})",
    "parse_json({})",
    "parse_xml({})",
    "isnull({})",
    "isempty({})",
    "array_length({})",
    "bag_keys({})",
    "base64_encode_tostring({})",
    "base64_decode_tostring({})",
    "hash({})",
    "hash_sha256({})",
    "url_decode({})",
    "url_encode({})",
    "parse_urlquery({})",
    "trim(' ', {})",
    "split({}, ',')",
    "substring({}, 1, 2)",
    "substring({}, -5)",
    "extract('(\\\\d+)', 1, {})",
    "strcat({}, {})",
    "iff({}, {}, {})",
    "case({}, 1, 2)",
    "coalesce({}, {})",
    "{} + {}",
    "{} - {}",
    "{} * {}",
    "{} / {}",
    "{} % {}",
    "{} == {}",
    "{} != {}",
    "{} < {}",
    "{} has {}",
    "{} contains {}",
    "{} startswith {}",
    "{} matches regex '.*'",
    "{} in ({}, {})",
    "{} between ({} .. {})",
    "bin({}, {})",
    "bin({}, 1h)",
    "round({}, 2)",
    "abs({})",
    "pow({}, {})",
    "log({})",
    "sqrt({})",
    "exp({})",
    "ipv4_is_private({})",
    "ipv4_is_in_range({}, '10.0.0.0/8')",
    "format_ipv4({})",
    "parse_ipv4({})",
    "startofday({})",
    "endofmonth({})",
    "datetime_add('day', {}, {})",
    "datetime_diff('hour', {}, {})",
    "format_datetime({}, 'yyyy-MM-dd HH:mm')",
    "format_timespan({}, 'hh:mm')",
    "dayofweek({})",
    "getmonth({})",
    "pack_array({}, {})",
    "bag_pack('k', {})",
    "array_concat({}, {})",
    "array_slice({}, 0, 1)",
    "array_sort_asc({})",
    "set_union({}, {})",
    "set_difference({}, {})",
    "array_index_of({}, {})",
    "replace_string({}, 'a', 'b')",
    "replace_regex({}, 'a+', 'b')",
    "replace_strings({}, dynamic(['a']), dynamic(['b']))",
    "translate('abc', 'xyz', {})",
    "countof({}, 'a')",
    "indexof({}, 'a')",
    "reverse({})",
    "strrep({}, 3)",
    "zip({}, {})",
    "row_number()",
    "prev({})",
    "next({}, 2)",
    "row_cumsum({})",
    "tohex({})",
    "binary_and({}, {})",
    "binary_shift_left({}, {})",
    "gettype({})",
    "column_ifexists('s', {})",
    "ingestion_time()",
    "geo_info_from_ip_address({})",
    "parse_url({})",
    "parse_command_line({}, 'windows')",
    "max_of({}, {})",
    "min_of({}, {})",
    "datetime_part('day', {})",
    "todynamic({})",
];

const AGGS: &[&str] = &[
    "count()",
    "countif({})",
    "dcount({})",
    "sum({})",
    "avg({})",
    "min({})",
    "max({})",
    "make_list({})",
    "make_set({})",
    "make_bag({})",
    "take_any({})",
    "take_any({}, {})",
    "arg_max({}, *)",
    "arg_min({}, {})",
    "percentile({}, 50)",
    "percentiles({}, 5, 95)",
    "stdev({})",
    "variance({})",
    "any({})",
    "make_list_if({}, {})",
    "sumif({}, {})",
    "dcountif({}, {})",
    "avgif({}, {})",
    "count_distinct({})",
    "take_anyif({}, {})",
    "binary_all_or({})",
];

fn pick<'a>(rng: &mut Lcg, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

fn expr(rng: &mut Lcg, depth: u32) -> String {
    if depth == 0 || rng.below(3) == 0 {
        return pick(rng, SCALARS).to_string();
    }
    let f = pick(rng, FUNCS);
    let mut out = String::new();
    let mut parts = f.split("{}").peekable();
    while let Some(p) = parts.next() {
        out.push_str(p);
        if parts.peek().is_some() {
            out.push_str(&expr(rng, depth - 1));
        }
    }
    out
}

fn agg(rng: &mut Lcg) -> String {
    let f = pick(rng, AGGS);
    let mut out = String::new();
    let mut parts = f.split("{}").peekable();
    while let Some(p) = parts.next() {
        out.push_str(p);
        if parts.peek().is_some() {
            out.push_str(&expr(rng, 1));
        }
    }
    out
}

fn col(rng: &mut Lcg) -> &'static str {
    TYPES[rng.below(TYPES.len() as u64) as usize].0
}

fn operator(rng: &mut Lcg) -> String {
    match rng.below(22) {
        0 => format!("where {}", expr(rng, 2)),
        1 => format!("extend x{} = {}", rng.below(3), expr(rng, 3)),
        2 => format!("project {}, {}", col(rng), col(rng)),
        3 => format!("project-away {}", col(rng)),
        4 => format!("summarize {} by {}", agg(rng), col(rng)),
        5 => format!("summarize {}, {}", agg(rng), agg(rng)),
        6 => format!("summarize {} by bin({}, 1h)", agg(rng), col(rng)),
        7 => format!("sort by {} {}", col(rng), if rng.below(2) == 0 { "asc" } else { "desc nulls first" }),
        8 => format!("top {} by {}", rng.below(4), expr(rng, 1)),
        9 => format!("take {}", ["0", "1", "3", "100", "-1"][rng.below(5) as usize]),
        10 => format!("distinct {}", col(rng)),
        11 => format!("mv-expand {}", ["j", "x0", "s", "j.b"][rng.below(4) as usize]),
        12 => format!(
            "join kind={} (T | project {}, z=1) on {}",
            ["inner", "leftouter", "leftanti", "rightsemi", "fullouter", "innerunique"][rng.below(6) as usize],
            col(rng),
            col(rng)
        ),
        13 => "union (E), (T | take 1)".to_string(),
        14 => "parse s with a '@' rest".to_string(),
        15 => format!(
            "make-series {} default=0 on t from datetime(2024-01-01) to datetime(2024-01-11) step 1d by {}",
            agg(rng),
            col(rng)
        ),
        16 => "count".to_string(),
        17 => format!("extend {}", expr(rng, 4)),
        18 => format!("mv-apply e = j on (summarize {})", agg(rng)),
        19 => format!("lookup (T | project {}, y=2) on {}", col(rng), col(rng)),
        20 => format!("serialize rn = row_number() | extend p = prev({})", col(rng)),
        _ => format!("as X | join (X) on {}", col(rng)),
    }
}

fn generated(rng: &mut Lcg) -> String {
    let mut q = match rng.below(5) {
        0 => "E".to_string(),
        1 => format!("print {}", expr(rng, 3)),
        2 => format!(
            "range n from {} to {} step {}",
            pick(rng, &["0", "-5", "1"]),
            pick(rng, &["3", "10", "0"]),
            pick(rng, &["1", "2", "-1"])
        ),
        _ => "T".to_string(),
    };
    for _ in 0..rng.below(6) {
        q.push_str(" | ");
        q.push_str(&operator(rng));
    }
    q
}

const EDGE_NUMBERS: &[&str] = &["0", "-1", "1", "9223372036854775807", "-9223372036854775808", "100000000000", "3"];

fn mutate(rng: &mut Lcg, q: &str) -> String {
    match rng.below(4) {
        0 => q.to_string(),
        1 => {
            let cuts: Vec<usize> = q.match_indices('|').map(|(i, _)| i).collect();
            if cuts.is_empty() { q.to_string() } else { q[..cuts[rng.below(cuts.len() as u64) as usize]].to_string() }
        }
        2 => {
            // numbers to edge values
            let mut out = String::with_capacity(q.len());
            let mut chars = q.char_indices().peekable();
            let mut prev_ident = false;
            while let Some((_, c)) = chars.next() {
                if c.is_ascii_digit() && !prev_ident {
                    while chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) {
                        chars.next();
                    }
                    if rng.below(3) == 0 {
                        out.push_str(pick(rng, EDGE_NUMBERS))
                    } else {
                        out.push(c)
                    }
                    prev_ident = false;
                    continue;
                }
                prev_ident = c.is_alphanumeric() || c == '_';
                out.push(c);
            }
            out
        }
        _ => format!("{q}\n| {}", operator(rng)),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let minutes: f64 = arg("--minutes").and_then(|m| m.parse().ok()).unwrap_or(1.0);
    let seed: u64 = arg("--seed").and_then(|s| s.parse().ok()).unwrap_or(1);
    let corpus: Vec<String> = arg("--corpus")
        .map(|p| {
            std::fs::read_to_string(p)
                .expect("reading the corpus")
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|r| r["query"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut rng = Lcg(seed);
    let db = database(&mut rng);
    let last_panic: Arc<Mutex<String>> = Arc::default();
    let sink = last_panic.clone();
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(mut s) = sink.lock() {
            *s = info.to_string();
        }
    }));
    let budget = Duration::from_secs_f64(minutes * 60.0);
    let started = Instant::now();
    let (mut cases, mut parsed, mut ran, mut errors, mut panics) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut seen_panics: Vec<String> = Vec::new();
    while started.elapsed() < budget {
        cases += 1;
        let q = if !corpus.is_empty() && rng.below(2) == 0 {
            let base = &corpus[rng.below(corpus.len() as u64) as usize];
            mutate(&mut rng, base)
        } else {
            generated(&mut rng)
        };
        let p = sentinel_forge::kql::parse(&q);
        if p.has_errors() {
            continue;
        }
        parsed += 1;
        let options = Options { max_rows: 10_000, now: 638_404_992_000_000_000, ..Options::default() };
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Engine::new(&db, options).run(&p.query).is_ok()));
        match outcome {
            Ok(true) => ran += 1,
            Ok(false) => errors += 1,
            Err(_) => {
                panics += 1;
                let msg = last_panic.lock().map(|s| s.clone()).unwrap_or_default();
                let place = msg.lines().take(2).collect::<Vec<_>>().join(" ");
                if !seen_panics.contains(&place) {
                    println!("PANIC {place}\n  query: {}", q.replace('\n', "\n         "));
                    seen_panics.push(place);
                }
            }
        }
    }
    println!(
        "engine-fuzz: cases={cases} parsed={parsed} ran={ran} errors={errors} panics={panics} distinct_panics={} minutes={:.1} seed={seed}",
        seen_panics.len(),
        started.elapsed().as_secs_f64() / 60.0
    );
}
