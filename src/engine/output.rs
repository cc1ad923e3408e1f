//! A result table in the Log Analytics query API's JSON shape
//! (`{"tables":[{"name":"PrimaryResult","columns":[{"name","type"}],"rows":[...]}]}`),
//! values spelled as the service spells them.

use serde_json::{Value as J, json};

use crate::engine::table::Table;

pub fn table_json(t: &Table, name: &str) -> J {
    let columns: Vec<J> = t.columns.iter().map(|c| json!({"name": c.name, "type": c.ty.name()})).collect();
    let rows: Vec<J> =
        (0..t.len).map(|i| J::Array(t.columns.iter().map(|c| c.data[i].to_json_cell(c.ty)).collect())).collect();
    json!({"name": name, "columns": columns, "rows": rows})
}

/// The whole response body.
pub fn response_json(t: &Table) -> J {
    json!({"tables": [table_json(t, "PrimaryResult")]})
}
