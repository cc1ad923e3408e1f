//! JSON: `{"tables": [...]}` with the API's tables exactly as returned
//! (column types, row values and key order kept), pretty-printed.

use serde_json::json;

use crate::query::results::QueryResults;

pub fn render(results: &QueryResults) -> String {
    serde_json::to_string_pretty(&json!({ "tables": results.raw_tables })).expect("JSON value serializes") + "\n"
}
