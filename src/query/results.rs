//! Query results, typed: the `QueryResults` of the Log Analytics API
//! (`tables` of `name`, `columns` {name, type}, `rows`), plus the error a
//! 200 response may carry next to them (a partial result).
//!
//! Cell values stay the JSON the service sent (numbers above 2^53 and
//! `decimal`s arrive as they are); the column type decides how each is
//! shown ([`crate::query::format`]). The `tables` JSON is kept verbatim for
//! `--format json`.

use serde::Deserialize;
use serde_json::Value;

use crate::query::error::ServiceError;

/// The column types of the API (`logsColumnType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Bool,
    Datetime,
    Dynamic,
    Int,
    Long,
    Real,
    String,
    Timespan,
    Guid,
    Decimal,
    /// A type this version does not know: shown like a string.
    Other,
}

impl ColumnType {
    /// The API's name (`"datetime"`); unknown names are [`ColumnType::Other`].
    /// The older `SByte`/`Int32`/… names of some responses map to their types.
    pub fn parse(name: &str) -> Self {
        match name.to_ascii_lowercase().as_str() {
            "bool" | "boolean" | "sbyte" => Self::Bool,
            "datetime" | "date" => Self::Datetime,
            "dynamic" | "object" => Self::Dynamic,
            "int" | "int32" => Self::Int,
            "long" | "int64" => Self::Long,
            "real" | "double" => Self::Real,
            "string" => Self::String,
            "timespan" | "time" => Self::Timespan,
            "guid" | "uniqueid" => Self::Guid,
            "decimal" => Self::Decimal,
            _ => Self::Other,
        }
    }

    /// Numbers are right-aligned in tables.
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Int | Self::Long | Self::Real | Self::Decimal)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
}

/// One result table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// One JSON value per column.
    pub rows: Vec<Vec<Value>>,
}

/// A 200 response of `POST /workspaces/{id}/query`.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryResults {
    pub tables: Vec<Table>,
    /// The `tables` array exactly as received.
    pub raw_tables: Value,
    /// An error next to the tables: the result is partial (`PartialError`).
    pub error: Option<ServiceError>,
}

#[derive(Deserialize)]
struct RawColumn {
    #[serde(default)]
    name: String,
    #[serde(rename = "type", default)]
    ty: String,
}

#[derive(Deserialize)]
struct RawTable {
    name: String,
    columns: Vec<RawColumn>,
    rows: Vec<Vec<Value>>,
}

impl QueryResults {
    /// Read a response body. The error is a reason for the user, naming what
    /// is missing or malformed.
    pub fn from_json(body: &[u8]) -> Result<Self, String> {
        let mut value: Value = serde_json::from_slice(body).map_err(|e| format!("the response is not JSON: {e}"))?;
        let error = match value.get("error") {
            None | Some(Value::Null) => None,
            Some(e) => Some(
                ServiceError::deserialize(e).map_err(|err| format!("the response's `error` is malformed: {err}"))?,
            ),
        };
        // Moved out, not copied: results can be tens of megabytes.
        let raw_tables = match value.get_mut("tables") {
            Some(t) => t.take(),
            // Only a failed query may come without tables.
            None if error.is_some() => Value::Array(Vec::new()),
            None => return Err("the response has no `tables`".into()),
        };
        let raw: Vec<RawTable> =
            Vec::deserialize(&raw_tables).map_err(|e| format!("the response's `tables` are malformed: {e}"))?;
        let mut tables = Vec::with_capacity(raw.len());
        for t in raw {
            let columns: Vec<Column> =
                t.columns.into_iter().map(|c| Column { ty: ColumnType::parse(&c.ty), name: c.name }).collect();
            if let Some((i, row)) = t.rows.iter().enumerate().find(|(_, r)| r.len() != columns.len()) {
                return Err(format!(
                    "row {i} of table `{}` has {} values for {} columns",
                    t.name,
                    row.len(),
                    columns.len()
                ));
            }
            tables.push(Table { name: t.name, columns, rows: t.rows });
        }
        Ok(Self { tables, raw_tables, error })
    }

    /// Rows in every table.
    pub fn row_count(&self) -> usize {
        self.tables.iter().map(|t| t.rows.len()).sum()
    }

    /// The table a query's last statement produced: `PrimaryResult`, else
    /// the first.
    pub fn primary(&self) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == "PrimaryResult").or_else(|| self.tables.first())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tables_types_and_a_partial_error() {
        let body = br#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"n","type":"long"},
            {"name":"d","type":"dynamic"},{"name":"x","type":"somethingNew"}],"rows":[[1,"{\"a\":1}",null]]}],
            "error":{"code":"PartialError","message":"m"}}"#;
        let r = QueryResults::from_json(body).unwrap();
        let t = r.primary().unwrap();
        assert_eq!(
            t.columns.iter().map(|c| c.ty).collect::<Vec<_>>(),
            [ColumnType::Long, ColumnType::Dynamic, ColumnType::Other]
        );
        assert_eq!(r.row_count(), 1);
        assert_eq!(r.error.as_ref().unwrap().code, "PartialError");
        assert_eq!(r.raw_tables[0]["columns"][0]["name"], "n");
    }

    #[test]
    fn malformed_bodies_say_what_is_wrong() {
        for (body, why) in [
            (&b"not json"[..], "not JSON"),
            (br#"{"value":[]}"#, "no `tables`"),
            (br#"{"tables":[{"name":"T","columns":[]}]}"#, "malformed"),
            (
                br#"{"tables":[{"name":"T","columns":[{"name":"a","type":"long"}],"rows":[[1,2]]}]}"#,
                "2 values for 1 columns",
            ),
            (br#"{"tables":[],"error":{"code":5}}"#, "`error` is malformed"),
        ] {
            let err = QueryResults::from_json(body).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
        let failed = QueryResults::from_json(br#"{"error":{"code":"PartialError","message":"m"}}"#).unwrap();
        assert!(failed.tables.is_empty() && failed.error.is_some());
    }
}
