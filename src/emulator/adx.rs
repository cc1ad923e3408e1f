//! The Azure Data Explorer query endpoint, `POST /v1/rest/query` (REST API
//! v1), answered by the embedded engine over the emulator's tables
//! ([`super::engine`]).
//!
//! Request: a bearer token and `{"db": "...", "csl": "...", "properties":
//! ...}`, where `properties` (an object, or that object as a JSON string,
//! as the SDKs send it) may hold `{"Options": {...}}` request properties;
//! the emulator honours `query_now` (what `now()` returns) and
//! `query_datetimescope_column` / `_from` / `_to` (rows of every table cut
//! to that column's range). Response: the v1 data set,
//! `{"Tables": [{"TableName": "Table_0", "Columns": [{"ColumnName",
//! "DataType", "ColumnType"}], "Rows": [[...]]}, …]}`: the primary result
//! first, then `Table_1` (the query status) and `Table_2`, the table of
//! contents naming `Table_0` the `QueryResult` `PrimaryResult`. A query
//! the engine refuses is a 400 in the OneApi error shape the service uses
//! (`{"error": {"code": "General_BadRequest", "message", "@type", "@message", …}}`).
//! Every request is recorded with [`super::Emulator::adx_queries`].

use hyper::http::request::Parts;
use serde_json::{Value, json};

use super::Shared;
use super::arm::Resp;
use super::query::reply;
use crate::engine::EngineErrorKind;
use crate::kql::types::ScalarType;

/// A query the ADX endpoint accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedAdxQuery {
    pub db: String,
    pub csl: String,
    /// The request properties' `Options`, if any.
    pub options: Value,
}

pub(crate) fn route(path: &str) -> bool {
    path == "/v1/rest/query"
}

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The service's error body (OneApi errors with Kusto's `@` fields).
fn kusto_error(status: u16, code: &str, message: &str, kind: &str, detail: &str) -> Resp {
    reply(
        status,
        json!({"error": {"code": code, "message": message, "@type": kind, "@message": detail,
            "@context": {"clientRequestId": "sentinel-forge-emulator"}, "@permanent": true}}),
    )
}

fn bad_request(detail: &str) -> Resp {
    kusto_error(
        400,
        "General_BadRequest",
        "Request is invalid and cannot be executed.",
        "Kusto.Data.Exceptions.KustoBadRequestException",
        detail,
    )
}

/// The .NET type name v1 gives beside each Kusto column type.
fn data_type(ty: &str) -> &'static str {
    match ScalarType::parse(ty) {
        Some(ScalarType::Bool) => "Boolean",
        Some(ScalarType::DateTime) => "DateTime",
        Some(ScalarType::Guid) => "Guid",
        Some(ScalarType::Int) => "Int32",
        Some(ScalarType::Long) => "Int64",
        Some(ScalarType::Real) => "Double",
        Some(ScalarType::Decimal) => "Decimal",
        Some(ScalarType::TimeSpan) => "TimeSpan",
        Some(ScalarType::Dynamic) => "Object",
        Some(ScalarType::String) | None => "String",
    }
}

/// A result table of the Log Analytics shape (`name`, `columns[{name,
/// type}]`, `rows`) as a v1 table.
fn v1_table(name: &str, la: &Value) -> Value {
    let columns: Vec<Value> = la["columns"]
        .as_array()
        .map(|cols| {
            cols.iter()
                .map(|c| {
                    let ty = c["type"].as_str().unwrap_or("string");
                    json!({"ColumnName": c["name"], "DataType": data_type(ty), "ColumnType": ty})
                })
                .collect()
        })
        .unwrap_or_default();
    json!({"TableName": name, "Columns": columns, "Rows": la["rows"]})
}

/// The v1 data set for one primary result.
pub fn v1_response(primary: &crate::engine::Table) -> Value {
    let la = crate::engine::output::table_json(primary, "PrimaryResult");
    let col = |n: &str, t: &str| json!({"ColumnName": n, "DataType": data_type(t), "ColumnType": t});
    let status = json!({"TableName": "Table_1",
        "Columns": [col("Timestamp", "datetime"), col("Severity", "int"), col("SeverityName", "string"),
            col("StatusCode", "int"), col("StatusDescription", "string"), col("Count", "int")],
        "Rows": [[crate::engine::datetime::format_iso(crate::engine::now_ticks(), true), 4, "Info", 0,
            "Query completed successfully", 1]]});
    let toc = json!({"TableName": "Table_2",
        "Columns": [col("Ordinal", "long"), col("Kind", "string"), col("Name", "string"), col("Id", "string"),
            col("PrettyName", "string")],
        "Rows": [[0, "QueryResult", "PrimaryResult", "00000000-0000-0000-0000-000000000000", ""],
            [1, "QueryStatus", "QueryStatus", "00000000-0000-0000-0000-000000000001", ""]]});
    json!({"Tables": [v1_table("Table_0", &la), status, toc]})
}

/// `properties` as sent: an object, or the object as a JSON string.
fn options_of(body: &Value) -> Result<Value, String> {
    let props = match body.get("properties") {
        None | Some(Value::Null) => return Ok(json!({})),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(json!({})),
        Some(Value::String(s)) => {
            serde_json::from_str::<Value>(s).map_err(|e| format!("`properties` is not JSON: {e}"))?
        }
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => return Err("`properties` must be an object".into()),
    };
    Ok(props.get("Options").cloned().unwrap_or_else(|| json!({})))
}

fn datetime_option(options: &Value, key: &str) -> Result<Option<i64>, String> {
    match options.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => crate::engine::datetime::parse_datetime(s)
            .map(Some)
            .ok_or_else(|| format!("request property `{key}`: `{s}` is not a datetime")),
        Some(v) => Err(format!("request property `{key}`: `{v}` is not a datetime")),
    }
}

pub(crate) async fn handle(shared: &Shared, parts: &Parts, body: &[u8]) -> Resp {
    shared.state.lock().expect("state").stats.queries += 1;
    if parts.method != hyper::Method::POST {
        return bad_request("the emulator serves POST /v1/rest/query only");
    }
    if !header(parts, "authorization").is_some_and(|a| a.len() > 7 && a[..7].eq_ignore_ascii_case("bearer ")) {
        return kusto_error(
            401,
            "Unauthorized",
            "The request is not authorized.",
            "Kusto.Common.Svc.Exceptions.UnauthorizedOperationException",
            "the Authorization header is missing",
        );
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return bad_request("the request body is not valid JSON");
    };
    let (Some(db), Some(csl)) = (value.get("db").and_then(Value::as_str), value.get("csl").and_then(Value::as_str))
    else {
        return bad_request("the request body needs `db` and `csl` strings");
    };
    let options = match options_of(&value) {
        Ok(o) => o,
        Err(why) => return bad_request(&why),
    };
    shared.adx.lock().expect("adx queries").push(ReceivedAdxQuery {
        db: db.to_string(),
        csl: csl.to_string(),
        options: options.clone(),
    });
    let Some(tables) = shared.engine_tables() else {
        return kusto_error(
            400,
            "General_BadRequest",
            "Request is invalid and cannot be executed.",
            "Kusto.Data.Exceptions.EntityNotFoundException",
            &format!("Database '{db}' was not found (the emulator holds no tables: start it with --tables DIR)"),
        );
    };
    let parsed = (|| -> Result<_, String> {
        let now = datetime_option(&options, "query_now")?.unwrap_or_else(|| tables.now());
        let filter = match options.get("query_datetimescope_column").and_then(Value::as_str) {
            None => None,
            Some("TimeGenerated") => {
                let from = datetime_option(&options, "query_datetimescope_from")?.unwrap_or(i64::MIN);
                let to = datetime_option(&options, "query_datetimescope_to")?.unwrap_or(i64::MAX);
                Some(super::engine::TimeFilter { start: from, end: to })
            }
            Some(other) => return Err(format!("the emulator scopes by `TimeGenerated` only, not `{other}`")),
        };
        Ok((now, filter))
    })();
    let (now, filter) = match parsed {
        Ok(p) => p,
        Err(why) => return bad_request(&why),
    };
    match super::engine::run_blocking(tables, csl.to_string(), now, filter).await {
        Ok(table) => reply(200, v1_response(&table)),
        Err(e) => {
            let (kind, prefix) = match e.kind {
                EngineErrorKind::Syntax => ("Kusto.Data.Exceptions.SyntaxException", "Syntax error"),
                _ => ("Kusto.Data.Exceptions.SemanticException", "Semantic error"),
            };
            let (line, pos) = super::engine::line_pos(csl, e.range.as_usize_range().start);
            let detail = format!("{prefix}: {} ({}, line {line}, position {pos})", e.message, e.code());
            kusto_error(400, "General_BadRequest", "Request is invalid and cannot be executed.", kind, &detail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_read_as_an_object_or_a_json_string() {
        let o = options_of(&json!({"properties": "{\"Options\": {\"query_now\": \"2021-11-22T00:00:00Z\"}}"}));
        assert_eq!(o.unwrap()["query_now"], "2021-11-22T00:00:00Z");
        assert_eq!(options_of(&json!({"properties": {"Options": {"a": 1}}})).unwrap()["a"], 1);
        assert_eq!(options_of(&json!({})).unwrap(), json!({}));
        assert!(options_of(&json!({"properties": 3})).is_err());
        assert_eq!((data_type("long"), data_type("dynamic"), data_type("datetime")), ("Int64", "Object", "DateTime"));
    }
}
