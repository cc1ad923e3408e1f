//! Fuzz `sentinel_forge::engine`: any input that parses runs over small
//! tables (a few rows of every type, and an empty one) within the row
//! budget without panicking. `examples/engine_fuzz.rs` is the std-only
//! driver with generated and corpus-derived queries (docs/engine-fuzz.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sentinel_forge::engine::value::Value;
use sentinel_forge::engine::{Column, Database, Engine, Options, Table};
use sentinel_forge::kql::types::ScalarType as T;

fn database() -> Database {
    let mut db = Database::default();
    let cols = vec![
        Column::new("s", T::String, vec![Value::str("a"), Value::str(""), Value::Null]),
        Column::new("n", T::Long, vec![Value::Long(1), Value::Long(i64::MAX), Value::Null]),
        Column::new("r", T::Real, vec![Value::Real(1.5), Value::Real(f64::NAN), Value::Null]),
        Column::new("t", T::DateTime, vec![Value::DateTime(638_404_992_000_000_000), Value::DateTime(0), Value::Null]),
        Column::new("d", T::TimeSpan, vec![Value::TimeSpan(36_000_000_000), Value::TimeSpan(-1), Value::Null]),
    ];
    let empty = cols.iter().map(|c| Column::new(c.name.clone(), c.ty, Vec::new())).collect();
    db.add("T", Table::new(cols, 3));
    db.add("E", Table::new(empty, 0));
    db
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = sentinel_forge::kql::parse(text);
    if parsed.has_errors() {
        return;
    }
    let db = database();
    let options = Options { max_rows: 10_000, now: 638_404_992_000_000_000, ..Options::default() };
    let _ = Engine::new(&db, options).run(&parsed.query);
});
