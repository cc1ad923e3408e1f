//! Tests of the constructs added for the corpus share (docs/engine-corpus.md):
//! `parse_xml`, `replace_strings`, `columnifexists`, `take_any` of several
//! columns, `ingestion_time()`, unmapped `externaldata`, and regressions the
//! corpus and the fuzz driver found.

use super::*;
use crate::engine::value::Value;
use crate::kql::types::ScalarType;

fn db_with(name: &str, t: Table) -> Database {
    let mut db = Database::default();
    db.add(name, t);
    db
}

fn run_on(db: &Database, q: &str) -> EResult<Table> {
    Engine::new(db, Options { max_rows: 10_000, ..Options::default() }).run_text(q)
}

fn run(q: &str) -> Table {
    run_on(&Database::default(), q).unwrap_or_else(|e| panic!("{q}: {} {e}", e.code()))
}

fn text(t: &Table, col: &str, row: usize) -> String {
    t.column(col).unwrap_or_else(|| panic!("no column {col}")).data[row].to_kusto_string()
}

#[test]
fn parse_xml_and_replace_strings_in_queries() {
    let t = run(r#"print x=parse_xml('<e a="1"><b>t</b><b>u</b></e>')"#);
    assert_eq!(text(&t, "x", 0), r#"{"e":{"@a":"1","b":["t","u"]}}"#);
    let t = run(r#"print r=replace_strings('a cat and a dog', dynamic(['cat','dog']), dynamic(['dog','pigeon']))"#);
    assert_eq!(text(&t, "r", 0), "a dog and a pigeon");
    let t = run("print n=arraylength(dynamic([1,2,3])), m=array_length(dynamic([]))");
    assert_eq!((text(&t, "n", 0), text(&t, "m", 0)), ("3".into(), "0".into()), "the legacy name too");
    let t = run("print a=1 | extend b=columnifexists('a', 0), c=columnifexists('zz', 7)");
    assert_eq!((text(&t, "b", 0), text(&t, "c", 0)), ("1".into(), "7".into()));
}

#[test]
fn take_any_of_several_columns_takes_one_row() {
    let t = run("datatable(k:string, a:long, b:string)['x',1,'p','x',2,'q','y',3,'r'] | summarize take_any(a, b) by k");
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["k", "a", "b"]);
    assert_eq!((text(&t, "a", 0), text(&t, "b", 0)), ("1".into(), "p".into()), "both values from one row");
    let t = run("datatable(k:string, a:long, b:string)['x',1,'p'] | summarize take_any(*) by k");
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["k", "a", "b"], "`*` is every column but the `by` ones");
    let t = run("datatable(a:long, b:long)[] | summarize take_any(a, b)");
    assert_eq!((t.len, t.columns[0].data[0].clone()), (1, Value::Null));
}

#[test]
fn ingestion_time_reads_the_data_column_and_never_invents_one() {
    let at = datetime::parse_datetime("2024-01-01T00:00:05Z").unwrap();
    let with = Table::new(
        vec![
            Column::new("x", ScalarType::Long, vec![Value::Long(1)]),
            Column::new("_IngestionTime", ScalarType::DateTime, vec![Value::DateTime(at)]),
        ],
        1,
    );
    let t = run_on(&db_with("T", with), "T | extend i = ingestion_time()").unwrap();
    assert_eq!(t.column("i").unwrap().data[0], Value::DateTime(at));
    let without = Table::new(vec![Column::new("x", ScalarType::Long, vec![Value::Long(1)])], 1);
    let err = run_on(&db_with("T", without), "T | extend i = ingestion_time()").unwrap_err();
    assert_eq!((err.code(), err.message.contains("_IngestionTime")), ("ENG001", true), "{err}");
    let empty = Table::new(vec![Column::new("x", ScalarType::Long, vec![])], 0);
    let t = run_on(&db_with("T", empty), "T | where ingestion_time() > ago(1d)").unwrap();
    assert_eq!(t.len, 0, "over no rows there is nothing to invent");
}

#[test]
fn unmapped_externaldata_is_refused_unless_the_measurement_asks_for_empty() {
    let q = "externaldata(a:string, b:long)['https://example.invalid/x.csv'] | count";
    let db = Database::default();
    let err = run_on(&db, q).unwrap_err();
    assert_eq!(err.code(), "ENG001");
    let opts = Options { unmapped_external_empty: true, ..Options::default() };
    let t = Engine::new(&db, opts).run_text(q).unwrap();
    assert_eq!(t.columns[0].data[0], Value::Long(0));
}

#[test]
fn a_tabular_functions_scalar_parameter_reads_over_many_rows_and_none() {
    // found by the corpus runner: the parameter, bound once, was indexed per row
    let q = "let F = (lim:long) { datatable(x:long)[1,2,3] | where x >= lim }; F(2) | count";
    assert_eq!(run(q).columns[0].data[0], Value::Long(2));
    let q = "let F = (lim:long) { datatable(x:long)[] | where x >= lim }; F(2) | count";
    assert_eq!(run(q).columns[0].data[0], Value::Long(0));
}

#[test]
fn arithmetic_at_the_edges_is_null_not_a_panic() {
    // each query panicked (integer overflow) before the fuzz driver found it
    let cases = [
        "print x = datetime(2024-01-01) + totimespan(9223372036854775807)",
        "print x = ago(totimespan(-9223372036854775807))",
        "print x = datetime_add('day', 9223372036854775807, datetime(2024-01-01))",
        "print x = datetime_add('year', 9223372036854775807, datetime(2024-01-01))",
        "print x = datetime_diff('nanosecond', datetime(9999-01-01), datetime(0001-01-01))",
        "print x = make_datetime(9223372036854775807, 1, 1)",
        "print x = totimespan('1.-9223372036854775808:00')",
        "print x = totimespan('9223372036854775807.00:00:00')",
        "print x = bin(-9223372036854775807, 10)",
        "print x = startofday(datetime(2024-01-01), 9223372036854775807)",
        "print x = endofyear(datetime(2024-01-01), 9223372036854775807)",
        "print x = substring('abc', 1, 9223372036854775807)",
        "print x = now(100000000000d)",
        "print x = totimespan(9223372036854775807) + totimespan(9223372036854775807)",
        "print x = totimespan(-9223372036854775807) - totimespan(9223372036854775807)",
        "print x = datetime(2024-01-01) - totimespan(-9223372036854775807)",
        "print x = totimespan(9223372036854775807) + datetime(2024-01-01)",
    ];
    for q in cases {
        let t = run(q);
        let v = &t.columns[0].data[0];
        assert!(v.is_null() || q.contains("substring"), "{q}: {v:?}");
    }
    let t = run("range n from 9223372036854775806 to 9223372036854775807 step 1 | count");
    assert_eq!(t.columns[0].data[0], Value::Long(2), "the range ends at the type's last value");
    let t = run(
        "range n from 1 to 3 step 1 | serialize | extend p = prev(n, -9223372036854775808), q = next(n, 9223372036854775807)",
    );
    assert!(t.column("p").unwrap().data.iter().all(Value::is_null));
}

#[test]
fn make_series_of_an_aggregate_with_no_value_is_an_error() {
    let q = "datatable(t:datetime, x:long)[datetime(2024-01-01), 1] \
             | make-series percentiles(x, 'p') on t from datetime(2024-01-01) to datetime(2024-01-02) step 1d";
    assert!(run_on(&Database::default(), q).is_err());
}

#[test]
fn results_kusto_does_not_define_are_marked() {
    let marked = |q: &str| run(q).nondeterministic;
    let t = "datatable(k:long, v:string)[1,'a',1,'b',2,'c']";
    assert!(marked(&format!("{t} | take 2")).unwrap().contains("take"));
    assert_eq!(marked(&format!("{t} | take 5")), None, "every row taken: the set is defined");
    assert_eq!(marked(&format!("{t} | sort by v | take 2")), None, "sorted first");
    assert_eq!(marked(&format!("{t} | top 2 by v")), None);
    assert!(marked(&format!("{t} | summarize take_any(v) by k")).unwrap().contains("take_any"));
    assert_eq!(marked(&format!("{t} | summarize count() by k")), None);
    let j = marked(&format!("{t} | join (datatable(k:long, w:string)[1,'x']) on k")).unwrap();
    assert!(j.contains("innerunique"), "{j}");
    assert_eq!(marked(&format!("{t} | join kind=inner (datatable(k:long, w:string)[1,'x']) on k")), None);
    assert_eq!(marked(&format!("{t} | where k == 2 | join (datatable(k:long, w:string)[2,'x']) on k")), None);
    // ties: `top` cutting rows tied with the last one kept, `arg_max` with rows tied for the best value
    assert!(marked(&format!("{t} | top 1 by k asc")).unwrap().contains("tied at its limit"));
    assert_eq!(marked(&format!("{t} | top 2 by k asc")), None, "the cut row is not tied");
    assert_eq!(marked("datatable(k:long)[1,1,2] | top 1 by k asc"), None, "tied rows that are equal");
    let a = marked(&format!("{t} | summarize arg_min(k, v)")).unwrap();
    assert!(a.contains("arg_max"), "{a}");
    assert_eq!(marked(&format!("{t} | summarize arg_max(k, v)")), None, "one row holds the best value");
    assert_eq!(marked(&format!("{t} | summarize arg_min(k, k)")), None, "the tied rows return the same values");
}
