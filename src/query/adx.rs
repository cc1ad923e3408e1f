//! Azure Data Explorer as a query target: `--cluster
//! https://<name>.<region>.kusto.windows.net --database DB`, through the
//! Kusto REST query API v1, `POST {cluster}/v1/rest/query` with
//! `{"db", "csl", "properties"}`, on the same azure_core pipeline as the
//! Log Analytics client ([`crate::query::client`]: the loopback-aware
//! transport, Retry-After-honouring retry, a bearer token from the same
//! credentials, here for the cluster's own audience, `{cluster}/.default`).
//!
//! The v1 response (`{"Tables": [{"TableName", "Columns": [{"ColumnName",
//! "DataType", "ColumnType"}], "Rows"}]}`) is read into the Log Analytics
//! [`QueryResults`] shape, the primary result named `PrimaryResult` (the
//! table of contents, when present, says which table that is), so `run`'s
//! formats and the rule tests read both targets alike. Request properties
//! go in `properties.Options`: `query_now` pins `now()`, and
//! `query_datetimescope_column` / `_from` / `_to` scope the rows read by
//! time (what Log Analytics' `timespan` does on `TimeGenerated`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use azure_core::credentials::TokenCredential;
use azure_core::http::{Context, Method, Pipeline, PipelineSendOptions, Request, Url};
use serde_json::{Value, json};

use crate::deploy::auth::{self, AuthKind, Authority, VarFn};
use crate::deploy::target::{Cloud, ENV_AUTHORITY_HOST, Endpoints, check_endpoint, endpoint};
use crate::deploy::transport::Transport;
use crate::query::client::{QueryOutcome, REQUEST_ID, Tries, default_retry, query_pipeline};
use crate::query::error::{QueryError, QueryErrorKind, ServiceError};
use crate::query::results::QueryResults;

/// A cluster and database to query.
#[derive(Clone, Debug)]
pub struct ClusterTarget {
    pub cluster: Url,
    pub database: String,
    pub authority_host: Url,
    pub auth: AuthKind,
}

impl ClusterTarget {
    /// `--cluster URL --database DB`: `https`, or `http` to a loopback
    /// address (the emulator).
    pub fn new(cluster: &str, database: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<Self, QueryError> {
        let cluster = check_endpoint(cluster, "--cluster").map_err(|e| QueryError::config(e.to_string()))?;
        if !cluster.path().trim_matches('/').is_empty() {
            return Err(QueryError::config(format!(
                "--cluster `{cluster}`: give the cluster's URL only (https://<name>.<region>.kusto.windows.net)"
            )));
        }
        if database.trim().is_empty() {
            return Err(QueryError::config("--database is empty"));
        }
        let base = Endpoints::of(Cloud::AzureCloud).expect("the public cloud has endpoints");
        let authority_host = endpoint(var, ENV_AUTHORITY_HOST, None, Some(&base.authority_host), ENV_AUTHORITY_HOST)?
            .unwrap_or_else(|| base.authority_host.clone());
        Ok(Self { cluster, database: database.trim().to_string(), authority_host, auth: AuthKind::Auto })
    }

    /// The cluster's audience: `https://<cluster>/.default`.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.base())
    }

    /// The cluster URL without a trailing `/`.
    pub fn base(&self) -> String {
        self.cluster.as_str().trim_end_matches('/').to_string()
    }
}

/// A client for one cluster.
#[derive(Debug)]
pub struct AdxClient {
    pipeline: Pipeline,
    endpoint: Url,
    endpoint_for_messages: String,
}

/// A client for `target`, authenticated with `auth` (default: auto).
pub fn connect(
    target: &ClusterTarget,
    auth: Option<AuthKind>,
    var: VarFn<'_>,
) -> Result<(AdxClient, AuthKind), QueryError> {
    let transport = Transport::new([&target.cluster, &target.authority_host]);
    let authority = Authority { host: &target.authority_host, tenant_id: None, client_id: None };
    let (kind, credential) = auth::credential(auth.unwrap_or(target.auth), authority, &transport, var)?;
    Ok((AdxClient::new(&target.cluster, target.scope(), credential, transport), kind))
}

impl AdxClient {
    pub fn new(cluster: &Url, scope: String, credential: Arc<dyn TokenCredential>, transport: Transport) -> Self {
        let pipeline = query_pipeline(scope, credential, &transport, default_retry());
        Self {
            pipeline,
            endpoint: transport.sdk_url(cluster),
            endpoint_for_messages: cluster.as_str().trim_end_matches('/').to_string(),
        }
    }

    /// Run `csl` on `database` with request `options` (`query_now`, …).
    pub async fn query(&self, database: &str, csl: &str, options: Value) -> Result<QueryOutcome, QueryError> {
        let base = self.endpoint.as_str().trim_end_matches('/');
        let url = Url::parse(&format!("{base}/v1/rest/query"))
            .map_err(|e| QueryError::config(format!("bad cluster URL `{base}`: {e}")))?;
        let mut req = Request::new(url, Method::Post);
        req.insert_header("content-type", "application/json; charset=utf-8");
        req.insert_header("accept", "application/json");
        let body = json!({"db": database, "csl": csl, "properties": json!({"Options": options}).to_string()});
        req.set_json(&body).map_err(|e| QueryError::new(QueryErrorKind::Decode, e.to_string()))?;
        let tries = Arc::new(AtomicU32::new(0));
        let ctx = Context::new().with_value(Tries(Arc::clone(&tries)));
        let options = PipelineSendOptions { skip_checks: true, ..Default::default() };
        let sent = self.pipeline.send(&ctx, &mut req, Some(options)).await;
        let tries = tries.load(Ordering::Relaxed).max(1);
        let resp = sent.map_err(|e| {
            let auth = crate::deploy::sdk_error::is_credential_failure(&e);
            let why = crate::deploy::sdk_error::chain(&e);
            let (kind, what) = if auth {
                (QueryErrorKind::Auth, format!("no token for the cluster {}", self.endpoint_for_messages))
            } else {
                (QueryErrorKind::Transport, format!("cannot reach the cluster {}", self.endpoint_for_messages))
            };
            QueryError::new(kind, auth::redact(&format!("{what} after {tries} attempt(s): {why}")))
        })?;
        let status = u16::from(resp.status());
        if resp.status().is_success() {
            let results = from_v1(resp.body()).map_err(|why| {
                let mut err = QueryError::new(QueryErrorKind::Decode, format!("unexpected query response: {why}"));
                err.request_id = resp.headers().get_optional_string(&REQUEST_ID);
                err
            })?;
            return Ok(QueryOutcome { results, tries });
        }
        let service = service_error(resp.body());
        let said = service.as_ref().map(|s| format!(": {}", s.message)).unwrap_or_default();
        let (kind, message) = match status {
            400 if service.is_some() => (QueryErrorKind::Rejected, format!("the cluster rejected the query{said}")),
            401 | 403 => (
                QueryErrorKind::Auth,
                format!(
                    "the cluster refused the token (HTTP {status}{said}): the identity needs the Viewer role on \
                     database `{database}`"
                ),
            ),
            _ => (
                QueryErrorKind::Http { status, code: service.as_ref().map(|s| s.code.clone()) },
                format!("the cluster answered HTTP {status}{said} after {tries} attempt(s)"),
            ),
        };
        let mut err = QueryError::new(kind, auth::redact(&message));
        err.service = service.map(Box::new);
        err.request_id = resp.headers().get_optional_string(&REQUEST_ID);
        Err(err)
    }
}

/// Kusto's OneApi error (`{"error": {"code", "message", "@message"}}`) as
/// the service error `run` reports; the detailed `@message` is the inner one.
fn service_error(body: &[u8]) -> Option<ServiceError> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let e = v.get("error")?;
    let text = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let detail = text("@message");
    let inner = (!detail.is_empty())
        .then(|| Box::new(ServiceError { code: text("@type"), message: detail, ..ServiceError::default() }));
    Some(ServiceError { code: text("code"), message: text("message"), innererror: inner, ..ServiceError::default() })
}

/// A v1 response as Log Analytics `QueryResults`: every table, the primary
/// one named `PrimaryResult`, the query status and table of contents left
/// out.
pub fn from_v1(body: &[u8]) -> Result<QueryResults, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("the response is not JSON: {e}"))?;
    let tables = v.get("Tables").and_then(Value::as_array).ok_or("the response has no `Tables`")?;
    let name_of = |t: &Value| t.get("TableName").and_then(Value::as_str).unwrap_or_default().to_string();
    // The table of contents is the last table when there are several; its
    // rows say which ordinal is the `QueryResult` (the primary result).
    let toc = (tables.len() > 1).then(|| tables.last()).flatten().filter(|t| {
        t.get("Columns")
            .and_then(Value::as_array)
            .is_some_and(|c| c.iter().any(|c| c.get("ColumnName").and_then(Value::as_str) == Some("Kind")))
    });
    let mut kinds: Vec<(usize, String, String)> = Vec::new();
    if let Some(toc) = toc {
        for row in toc.get("Rows").and_then(Value::as_array).into_iter().flatten() {
            let ordinal = row.get(0).and_then(Value::as_u64).unwrap_or(u64::MAX) as usize;
            let kind = row.get(1).and_then(Value::as_str).unwrap_or_default().to_string();
            let name = row.get(2).and_then(Value::as_str).unwrap_or_default().to_string();
            kinds.push((ordinal, kind, name));
        }
    }
    let mut out = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let name = if toc.is_some() {
            match kinds.iter().find(|(o, _, _)| *o == i) {
                Some((_, kind, name)) if kind == "QueryResult" => name.clone(),
                _ => continue,
            }
        } else if i == 0 {
            "PrimaryResult".to_string()
        } else {
            name_of(t)
        };
        let columns: Vec<Value> = t
            .get("Columns")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("table `{}` has no `Columns`", name_of(t)))?
            .iter()
            .map(|c| {
                let ty = c.get("ColumnType").or_else(|| c.get("DataType")).and_then(Value::as_str).unwrap_or("string");
                json!({"name": c.get("ColumnName").cloned().unwrap_or(Value::Null), "type": ty})
            })
            .collect();
        let rows = t.get("Rows").cloned().ok_or_else(|| format!("table `{}` has no `Rows`", name_of(t)))?;
        out.push(json!({"name": name, "columns": columns, "rows": rows}));
    }
    let la = serde_json::to_vec(&json!({"tables": out})).map_err(|e| e.to_string())?;
    QueryResults::from_json(&la)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v1_response_reads_as_query_results_with_the_primary_result_named() {
        let body = br#"{"Tables": [
            {"TableName": "Table_0", "Columns": [{"ColumnName": "Caller", "DataType": "String", "ColumnType": "string"},
                {"ColumnName": "n", "DataType": "Int64", "ColumnType": "long"}], "Rows": [["a", 3]]},
            {"TableName": "Table_1", "Columns": [{"ColumnName": "Timestamp", "DataType": "DateTime"}], "Rows": [["x"]]},
            {"TableName": "Table_2", "Columns": [{"ColumnName": "Ordinal", "DataType": "Int64"},
                {"ColumnName": "Kind", "DataType": "String"}, {"ColumnName": "Name", "DataType": "String"},
                {"ColumnName": "Id", "DataType": "String"}, {"ColumnName": "PrettyName", "DataType": "String"}],
             "Rows": [[0, "QueryResult", "PrimaryResult", "id", ""], [1, "QueryStatus", "QueryStatus", "id", ""]]}]}"#;
        let r = from_v1(body).unwrap();
        assert_eq!(r.tables.len(), 1);
        let t = r.primary().unwrap();
        assert_eq!(t.name, "PrimaryResult");
        assert_eq!(t.columns[1].ty, crate::query::results::ColumnType::Long);
        assert_eq!(t.rows, [vec![Value::from("a"), Value::from(3)]]);
        // Without a table of contents the first table is the primary one.
        let bare = br#"{"Tables": [{"TableName": "Table_0", "Columns": [{"ColumnName": "x", "DataType": "Int32"}], "Rows": [[1]]}]}"#;
        assert_eq!(from_v1(bare).unwrap().primary().unwrap().columns[0].ty, crate::query::results::ColumnType::Int);
        assert!(from_v1(b"{}").unwrap_err().contains("no `Tables`"));
    }

    #[test]
    fn the_token_is_for_the_clusters_audience_and_urls_are_checked() {
        let t = ClusterTarget::new("https://help.westus.kusto.windows.net/", "Samples", &|_| None).unwrap();
        assert_eq!(t.scope(), "https://help.westus.kusto.windows.net/.default");
        assert!(ClusterTarget::new("http://help.kusto.windows.net", "db", &|_| None).is_err());
        assert!(ClusterTarget::new("https://help.kusto.windows.net/Samples", "db", &|_| None).is_err());
        assert!(ClusterTarget::new("http://127.0.0.1:8765", "db", &|_| None).is_ok());
        assert!(ClusterTarget::new("https://help.kusto.windows.net", " ", &|_| None).is_err());
        let e = service_error(
            br#"{"error": {"code": "General_BadRequest", "message": "Request is invalid",
            "@type": "Kusto.Data.Exceptions.SyntaxException", "@message": "Syntax error: x"}}"#,
        )
        .unwrap();
        assert_eq!(e.innermost().message, "Syntax error: x");
    }
}
