//! Engine tests: each expected value is Kusto's documented answer.

use super::*;
use crate::engine::value::Value;

fn run(q: &str) -> Table {
    let db = Database::default();
    let opts = Options {
        now: datetime::parse_datetime("2024-01-10T00:00:00Z").unwrap(),
        max_rows: 100_000,
        ..Options::default()
    };
    Engine::new(&db, opts).run_text(q).unwrap_or_else(|e| panic!("{q}: {} {e}", e.code()))
}

fn cell(t: &Table, col: &str, row: usize) -> Value {
    t.column(col).unwrap_or_else(|| panic!("no column {col}")).data[row].clone()
}

#[test]
fn integer_division_and_print_names() {
    let t = run("print 7/2, -7/2, 7%-3");
    assert_eq!(cell(&t, "print_0", 0), Value::Long(3));
    assert_eq!(cell(&t, "print_1", 0), Value::Long(-3));
    assert_eq!(cell(&t, "print_2", 0), Value::Long(1));
}

#[test]
fn sort_is_descending_by_default() {
    let t = run("range x from 1 to 3 step 1 | sort by x");
    assert_eq!(t.columns[0].data, vec![Value::Long(3), Value::Long(2), Value::Long(1)]);
}

#[test]
fn summarize_names_and_first_seen_make_list() {
    let t = run(
        "datatable(k:string, v:long)['a',2,'b',1,'a',1] | summarize count(), max(v), make_list(v), make_set(v) by k",
    );
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["k", "count_", "max_v", "list_v", "set_v"]);
    assert_eq!(cell(&t, "list_v", 0).to_kusto_string(), "[2,1]");
}

#[test]
fn join_default_is_innerunique_and_renames_right_keys() {
    let t = run("datatable(k:long, a:string)[1,'x',1,'y'] | join (datatable(k:long, b:string)[1,'p',1,'q']) on k");
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["k", "a", "k1", "b"]);
    assert_eq!(t.len, 2, "one left row per key, every right match");
}

#[test]
fn null_versus_empty_and_failed_casts() {
    let t = run("print a=isnull(''), b=isempty(''), c=toint('x'), d=tostring(int(null))");
    assert_eq!(cell(&t, "a", 0), Value::Bool(false));
    assert_eq!(cell(&t, "b", 0), Value::Bool(true));
    assert_eq!(cell(&t, "c", 0), Value::Null);
    assert_eq!(cell(&t, "d", 0), Value::str(""));
}

#[test]
fn ago_uses_the_pinned_now_and_datetime_diff_counts_boundaries() {
    let t = run("print a = ago(1d), b = datetime_diff('day', datetime(2024-01-02 00:01), datetime(2024-01-01 23:59))");
    assert_eq!(cell(&t, "a", 0), Value::DateTime(datetime::parse_datetime("2024-01-09").unwrap()));
    assert_eq!(cell(&t, "b", 0), Value::Long(1));
}

#[test]
fn dynamic_access_and_negative_index() {
    let t = run(
        "print d = parse_json('{\"scope\":\"/subscriptions/s1/vm/x\"}') | extend p = split(d.scope, '/') | extend last = tostring(p[-1]), sub = tostring(p[2])",
    );
    assert_eq!(cell(&t, "last", 0), Value::str("x"));
    assert_eq!(cell(&t, "sub", 0), Value::str("s1"));
}

#[test]
fn unsupported_is_a_coded_refusal() {
    let db = Database::default();
    let e = Engine::new(&db, Options::default()).run_text("print x=1 | evaluate autocluster()").unwrap_err();
    assert_eq!(e.code(), "ENG001");
    assert!(e.message.contains("not supported by the local engine"));
}

#[test]
fn row_budget_stops_an_explosion() {
    let db = Database::default();
    let opts = Options { max_rows: 1000, ..Options::default() };
    let e = Engine::new(&db, opts)
        .run_text("range a from 1 to 100 step 1 | extend k=1 | join kind=inner (range b from 1 to 100 step 1 | extend k=1) on k")
        .unwrap_err();
    assert_eq!(e.code(), "ENG004");
}

#[test]
fn make_series_fills_empty_bins_with_the_default() {
    // Kusto docs (make-series): avg per day, 0 for days without rows
    let t = run(
        "datatable(t:datetime, v:long)[datetime(2017-01-01), 4, datetime(2017-01-03), 5, datetime(2017-01-03T12:00), 7] \
                 | make-series avg(v) on t from datetime(2017-01-01) to datetime(2017-01-04) step 1d",
    );
    assert_eq!(cell(&t, "avg_v", 0).to_kusto_string(), "[4.0,0.0,6.0]");
    assert_eq!(t.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["avg_v", "t"]);
}

#[test]
fn join_kinds_keep_the_rows_kusto_keeps() {
    let l = "datatable(k:long, a:string)[1,'x',2,'y']";
    let r = "datatable(k:long, b:string)[2,'p',3,'q']";
    let count = |kind: &str| run(&format!("{l} | join kind={kind} ({r}) on k")).len;
    assert_eq!(count("inner"), 1);
    assert_eq!(count("leftouter"), 2);
    assert_eq!(count("rightouter"), 2);
    assert_eq!(count("fullouter"), 3);
    assert_eq!(count("leftanti"), 1);
    assert_eq!(count("rightsemi"), 1);
    let anti = run(&format!("{l} | join kind=leftanti ({r}) on k"));
    assert_eq!(anti.columns.len(), 2, "anti joins keep the left columns only");
}

#[test]
fn mv_expand_and_has_on_a_dynamic_array() {
    let t = run("print d = dynamic(['Started','Succeeded']) | mv-expand d | where d has 'succeeded'");
    assert_eq!(t.len, 1);
    assert_eq!(t.columns[0].ty, crate::kql::types::ScalarType::Dynamic);
    let t = run("print x = dynamic(['RunCommand']) has 'Command'");
    assert_eq!(cell(&t, "x", 0), Value::Bool(false), "has matches whole terms");
}

#[test]
fn deprecated_names_are_the_functions_they_stand_for() {
    // Kusto still accepts makeset/makelist/parsejson; the columns are named
    // as make_set/make_list name them.
    let t = run("datatable(k:string, v:long)['a',2,'a',2,'a',1] | summarize makeset(v), makelist(v) by k");
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["k", "set_v", "list_v"]);
    let t = run("print d = parsejson('{\"a\": 1}') | extend a = tolong(d.a)");
    assert_eq!(cell(&t, "a", 0), Value::Long(1));
}
