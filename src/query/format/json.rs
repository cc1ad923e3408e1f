//! JSON: `{"tables": [...]}` with the API's tables exactly as returned
//! (column types, row values and key order kept), pretty-printed.

use serde::Serialize;
use serde_json::Value;

use crate::query::results::QueryResults;

/// Serialized in place (a `json!` object would copy every row first).
#[derive(Serialize)]
struct Output<'a> {
    tables: &'a Value,
}

pub fn render(results: &QueryResults) -> String {
    serde_json::to_string_pretty(&Output { tables: &results.raw_tables }).expect("JSON value serializes") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_come_back_as_sent() {
        let body = br#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"z","type":"long"},{"name":"a","type":"dynamic"}],
            "rows":[[1,"{\"b\":1,\"a\":2}"]]}],"statistics":{"query":{}}}"#;
        let r = QueryResults::from_json(body).unwrap();
        let out: Value = serde_json::from_str(&render(&r)).unwrap();
        let sent: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(out["tables"], sent["tables"]);
        assert_eq!(out.as_object().unwrap().len(), 1, "only the tables");
        assert!(render(&r).find("\"z\"") < render(&r).find("\"a\""), "column order kept");
    }
}
