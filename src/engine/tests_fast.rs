//! The fast paths (`fast.rs`, dictionary-code aggregates) and the
//! multi-core paths (`threads.rs`: `where` kernels, partitioned grouping,
//! parallel aggregates) must give exactly the per-row path's answers. The
//! tables here are large enough (over two threads' worth of rows; unit
//! tests lower the bar) for every parallel path to run, and each query is compared with the same query
//! over the same cells stored one value per row, or written so the
//! generic path runs, or with a result computed here by hand.

use super::*;
use crate::engine::vals::{DictBuilder, Vals};
use crate::engine::value::Value;
use crate::kql::types::ScalarType;

const ROWS: usize = threads::MIN_ROWS_PER_THREAD * 12 + 321;
const T0: i64 = 638_000_000_000_000_000;

/// Deterministic rows: a caller (60 values, two letter cases), a
/// resource (400), a region (5), a time, a count with some nulls.
fn table(dictionary: bool) -> Table {
    let mut seed = 7u64;
    let mut next = |m: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    let (mut caller, mut resource, mut region) = (Vec::new(), Vec::new(), Vec::new());
    let (mut time, mut count) = (Vec::new(), Vec::new());
    for _ in 0..ROWS {
        let c = next(60);
        caller.push(if c % 7 == 0 { format!("USER{c}") } else { format!("user{c}") });
        resource.push(format!("vm-{}", next(400)));
        region.push(format!("region{}", next(5)));
        time.push(Value::DateTime(T0 + next(1_000_000) as i64 * 10_000_000));
        count.push(if next(13) == 0 { Value::Null } else { Value::Long(next(50) as i64) });
    }
    let strings = |name: &str, v: &[String]| {
        if dictionary {
            let mut b = DictBuilder::with_capacity(v.len());
            v.iter().for_each(|s| b.push_str(s));
            Column::of(name, ScalarType::String, b.finish())
        } else {
            Column::new(name, ScalarType::String, v.iter().map(|s| Value::str(s)).collect())
        }
    };
    Table::new(
        vec![
            strings("Caller", &caller),
            strings("Resource", &resource),
            strings("Region", &region),
            Column::new("TimeGenerated", ScalarType::DateTime, time),
            Column::new("Count", ScalarType::Long, count),
        ],
        ROWS,
    )
}

fn run(dictionary: bool, q: &str) -> Table {
    let mut db = Database::default();
    db.add("T", table(dictionary));
    Engine::new(&db, Options { max_rows: ROWS * 2, ..Options::default() })
        .run_text(q)
        .unwrap_or_else(|e| panic!("{q}: {e}"))
}

/// Every cell as Kusto text, row by row.
fn cells(t: &Table) -> Vec<Vec<String>> {
    (0..t.len).map(|i| t.columns.iter().map(|c| c.data[i].to_kusto_string()).collect()).collect()
}

#[test]
fn dictionary_and_plain_columns_give_the_same_answers() {
    let cut = T0 + 500_000 * 10_000_000;
    for q in [
        format!("T | where TimeGenerated > datetime({}) | count", datetime::format_iso(cut, false)),
        "T | where Caller =~ 'user13' and Count >= 10".into(),
        "T | summarize n=count(), d=dcount(Resource), lo=min(Caller), hi=max(Resource), s=make_set(Resource, 5) by Caller".into(),
        "T | extend r = tolower(Caller) | summarize dcount(r), make_bag(pack(r, Resource)) by bin(TimeGenerated, 1d)".into(),
        "T | extend p = pack(Caller, Resource) | summarize count() by tostring(p) | count".into(),
        // two dictionary columns of few combinations: worked out once per combination
        "T | extend p = pack(Caller, Region), q = strcat(Region, '/', tolower(Caller)) | summarize make_bag(p), make_set(q) by Region".into(),
        "T | summarize arg_max(TimeGenerated, Resource), sum(Count), avg(Count) by Caller, Resource | count".into(),
        // fewer rows than the dictionary has values: the per-value paths
        "T | where Count == 3 | summarize dcount(Resource), max(Resource), make_set(Resource) by Caller".into(),
    ] {
        let (fast, plain) = (run(true, &q), run(false, &q));
        assert_eq!(fast.len, plain.len, "{q}");
        assert_eq!(cells(&fast), cells(&plain), "{q}");
    }
}

#[test]
fn the_where_kernels_keep_the_rows_the_generic_path_keeps() {
    let cut = datetime::format_iso(T0 + 250_000 * 10_000_000, false);
    for (kernel, generic) in [
        (
            format!("T | where TimeGenerated >= datetime({cut})"),
            format!("T | where (TimeGenerated >= datetime({cut})) == true"),
        ),
        (
            format!("T | where datetime({cut}) < TimeGenerated"),
            format!("T | where not(datetime({cut}) >= TimeGenerated)"),
        ),
        ("T | where Count != 3".into(), "T | where (Count != 3) == true".into()),
        (
            "T | where Count > 40 and Caller has 'user1'".into(),
            "T | where iff(Count > 40, Caller has 'user1', false)".into(),
        ),
    ] {
        let (a, b) = (run(true, &kernel), run(true, &generic));
        assert!(a.len > 0 && a.len < ROWS, "{kernel}: {} rows", a.len);
        assert_eq!(cells(&a), cells(&b), "{kernel}");
    }
    // `!=` keeps the null cells (a null is unequal to a value)
    let nulls = table(false).column("Count").map(|c| c.data.iter().filter(|v| v.is_null()).count()).unwrap_or(0);
    assert!(nulls > 0, "the data has null counts");
    let t = run(true, "T | where Count != 1000 | count");
    assert_eq!(t.columns[0].data[0], Value::Long(ROWS as i64), "{nulls} null counts kept");
}

#[test]
fn columns_nobody_reads_are_skipped_without_changing_the_answer() {
    // `project Caller, n` makes `list_Region`, `q` and `s` dead; `project-away` reads every column
    let tail = "| extend s = tolower(Caller) | summarize make_list(Region), n=count(), m=max(s) by Caller \
                | extend q = strcat(Caller, 'x'), r = m";
    let pruned = run(true, &format!("T {tail} | project Caller, n, r"));
    let full = run(true, &format!("T {tail} | project-away list_Region, q, m | project-reorder Caller, n, r"));
    assert_eq!(pruned.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Caller", "n", "r"]);
    assert_eq!(cells(&pruned), cells(&full));
}

#[test]
fn integer_min_and_max_match_the_per_value_path() {
    // `minif`/`maxif` take the per-value path
    let t = run(
        true,
        "T | summarize a=min(TimeGenerated), b=minif(TimeGenerated, true), c=max(Count), d=maxif(Count, true), \
         e=min(Count), f=minif(Count, true) by Caller",
    );
    assert!(t.len > 10);
    let col = |n: &str| t.column(n).unwrap_or_else(|| panic!("no {n}")).data.to_vec();
    assert_eq!(col("a"), col("b"));
    assert_eq!(col("c"), col("d"));
    assert_eq!(col("e"), col("f"));
    assert!(col("c").iter().all(|v| matches!(v, Value::Long(_))), "every group has a count");
}

#[test]
fn parallel_grouping_keeps_first_seen_order_and_every_row() {
    let t = run(true, "T | summarize n=count(), first=take_any(TimeGenerated) by Caller, Resource");
    // by hand: groups in the order their first row appears
    let src = table(false);
    let (callers, resources) = (&src.columns[0].data, &src.columns[1].data);
    assert_eq!(src.columns[1].name, "Resource");
    let mut order: Vec<(String, String)> = Vec::new();
    let mut counts: std::collections::HashMap<(String, String), i64> = Default::default();
    for i in 0..ROWS {
        let key = (callers[i].to_kusto_string(), resources[i].to_kusto_string());
        let n = counts.entry(key.clone()).or_insert(0);
        if *n == 0 {
            order.push(key);
        }
        *n += 1;
    }
    assert_eq!(t.len, order.len());
    let got: Vec<(String, String, i64)> = (0..t.len)
        .map(|i| {
            let Value::Long(n) = t.columns[2].data[i] else { panic!("count is a long") };
            (t.columns[0].data[i].to_kusto_string(), t.columns[1].data[i].to_kusto_string(), n)
        })
        .collect();
    let want: Vec<(String, String, i64)> = order.iter().map(|k| (k.0.clone(), k.1.clone(), counts[k])).collect();
    assert_eq!(got, want);
    assert!(matches!(t.columns[0].data, Vals::Dict { .. }), "the key column keeps its dictionary");
}
