//! CSV (RFC 4180): a header of column names, one record per row, CRLF line
//! ends, and a field quoted when it holds a comma, a quote, CR or LF (quotes
//! doubled). Cells are typed as in [`super::cell::text`], never truncated.

use crate::query::format::cell;
use crate::query::results::Table;

pub fn render(table: &Table) -> String {
    let mut out = String::new();
    let header: Vec<String> = table.columns.iter().map(|c| field(&c.name)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in &table.rows {
        let fields: Vec<String> = row.iter().zip(&table.columns).map(|(v, c)| field(&cell::text(v, c.ty))).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One field, quoted when RFC 4180 requires it.
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::query::results::{Column, ColumnType};

    #[test]
    fn quotes_exactly_what_rfc_4180_requires() {
        let table = Table {
            name: "PrimaryResult".into(),
            columns: vec![
                Column { name: "Caller".into(), ty: ColumnType::String },
                Column { name: "n, count".into(), ty: ColumnType::Long },
                Column { name: "Props".into(), ty: ColumnType::Dynamic },
            ],
            rows: vec![
                vec![json!("plain"), json!(5), json!("{\"k\":\"v\"}")],
                vec![json!("say \"hi\"\nbye"), json!(null), json!([1, "a,b"])],
            ],
        };
        assert_eq!(
            render(&table),
            "Caller,\"n, count\",Props\r\nplain,5,\"{\"\"k\"\":\"\"v\"\"}\"\r\n\"say \"\"hi\"\"\nbye\",,\"[1,\"\"a,b\"\"]\"\r\n"
        );
        assert_eq!(field("a\rb"), "\"a\rb\"");
        assert_eq!(field(""), "");
    }
}
