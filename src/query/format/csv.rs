//! CSV (RFC 4180): a header of column names, one record per row, CRLF line
//! ends, and a field quoted when it holds a comma, a quote, CR or LF (quotes
//! doubled). Cells are typed as in [`super::cell::text`], never truncated.

use crate::query::format::cell;
use crate::query::results::Table;

pub fn render(table: &Table) -> String {
    // One buffer for the whole text: results can be 100,000 rows.
    let mut out = String::with_capacity(64 * (table.rows.len() + 1) * table.columns.len().max(1));
    let record = |out: &mut String, fields: &mut dyn Iterator<Item = &str>| {
        for (i, f) in fields.enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_field(out, f);
        }
        out.push_str("\r\n");
    };
    record(&mut out, &mut table.columns.iter().map(|c| c.name.as_str()));
    for row in &table.rows {
        let cells: Vec<std::borrow::Cow<'_, str>> =
            row.iter().zip(&table.columns).map(|(v, c)| cell::text_ref(v, c.ty)).collect();
        record(&mut out, &mut cells.iter().map(|c| c.as_ref()));
    }
    out
}

/// One field, quoted when RFC 4180 requires it.
pub fn field(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_field(&mut out, text);
    out
}

fn push_field(out: &mut String, text: &str) {
    if !text.contains([',', '"', '\r', '\n']) {
        out.push_str(text);
        return;
    }
    out.push('"');
    for (i, part) in text.split('"').enumerate() {
        if i > 0 {
            out.push_str("\"\"");
        }
        out.push_str(part);
    }
    out.push('"');
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
    }

    #[test]
    fn reals_are_written_exactly_as_the_service_sent_them() {
        // Without serde_json's float_roundtrip, 632/7 read back as ...428 (found by the run_output benchmark).
        let body = br#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"r","type":"real"}],
            "rows":[[90.28571428571429],[0.1],[1e+300],[5e-324]]}]}"#;
        let r = crate::query::results::QueryResults::from_json(body).unwrap();
        assert_eq!(render(r.primary().unwrap()), "r\r\n90.28571428571429\r\n0.1\r\n1e+300\r\n5e-324\r\n");
        assert_eq!(field(""), "");
    }
}
