//! The Log Analytics query endpoint, `POST /v1/workspaces/{id}/query`.
//!
//! The emulator answers in the service's real response format, from (in
//! this order): replies queued with
//! [`crate::emulator::Emulator::push_query_reply`] (used once each, in
//! order: result tables, partial errors, 400 syntax errors, 429 with
//! `Retry-After`, 504, optionally after a delay); else, when it holds
//! tables (`emulate --tables DIR`), the embedded KQL engine's answer over
//! them ([`super::engine`]: `timespan` applied to `TimeGenerated`, a query
//! the engine refuses a 400 in the service's error shape); else the
//! default reply (an empty `PrimaryResult` unless set, e.g. by
//! `emulate --query-response FILE`).
//!
//! What the service checks before running a query is checked here too: a
//! bearer token, a workspace id that is a GUID, a JSON body valid against
//! the official `QueryBody` definition ([`super::schema`]), and a
//! `timespan` that is an ISO 8601 interval or duration. Every accepted
//! request is recorded (workspace, body, `Prefer`) for tests to inspect.

use std::collections::VecDeque;
use std::time::Duration;

use hyper::http::request::Parts;
use serde_json::{Value, json};

use super::Shared;
use super::arm::Resp;

/// One reply of the query endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    /// Wait this long before answering (a slow query).
    pub delay: Duration,
}

impl QueryReply {
    pub fn new(status: u16, body: Value) -> Self {
        Self { status, headers: Vec::new(), body, delay: Duration::ZERO }
    }

    /// A 200 with these `QueryResults`.
    pub fn ok(body: Value) -> Self {
        Self::new(200, body)
    }

    /// An empty `PrimaryResult`.
    pub fn empty() -> Self {
        Self::ok(json!({"tables": [{"name": "PrimaryResult", "columns": [], "rows": []}]}))
    }

    /// 429 with `Retry-After: seconds`.
    pub fn throttled(retry_after_seconds: u64) -> Self {
        Self::new(
            429,
            json!({"error": {"code": "ThrottledError", "message":
                "Your request was throttled because too many requests were sent; retry after the time in Retry-After."}}),
        )
        .with_header("retry-after", &retry_after_seconds.to_string())
    }

    /// 504: the query ran past the service's time limit.
    pub fn gateway_timeout() -> Self {
        Self::new(
            504,
            json!({"error": {"code": "GatewayTimeout", "message":
                "The query exceeded the allowed time; consider a shorter time range or a simpler query."}}),
        )
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// A fixture file: `{"status": 200, "headers": {"retry-after": "1"},
    /// "delay_ms": 0, "body": {...}}`, the body in the service's format.
    /// Only `body` is required (status defaults to 200).
    pub fn from_fixture(text: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("query fixture is not JSON: {e}"))?;
        let obj = v.as_object().ok_or("query fixture must be a JSON object")?;
        if let Some(k) = obj.keys().find(|k| !["status", "headers", "delay_ms", "body"].contains(&k.as_str())) {
            return Err(format!("query fixture: unknown key `{k}` (status, headers, delay_ms, body)"));
        }
        let body = obj.get("body").cloned().ok_or("query fixture: `body` is required")?;
        let status = match obj.get("status") {
            None => 200,
            Some(s) => s
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| (200..600).contains(s))
                .ok_or("query fixture: `status` must be an HTTP status")?,
        };
        let mut reply = Self::new(status, body);
        if let Some(h) = obj.get("headers") {
            let h = h.as_object().ok_or("query fixture: `headers` must be an object")?;
            for (k, v) in h {
                let v = v.as_str().ok_or_else(|| format!("query fixture: header `{k}` must be a string"))?;
                reply = reply.with_header(k, v);
            }
        }
        if let Some(ms) = obj.get("delay_ms") {
            let ms = ms.as_u64().ok_or("query fixture: `delay_ms` must be a number")?;
            reply = reply.with_delay(Duration::from_millis(ms));
        }
        Ok(reply)
    }
}

/// A query the emulator accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedQuery {
    /// The workspace id of the path.
    pub workspace: String,
    pub body: Value,
    /// The `Prefer` header, if sent.
    pub prefer: Option<String>,
    /// When it arrived (tests measure the waits between tries).
    pub at: std::time::Instant,
}

#[derive(Debug)]
pub struct State {
    queue: VecDeque<QueryReply>,
    default: QueryReply,
    pub received: Vec<ReceivedQuery>,
}

impl State {
    pub fn new(default: Option<QueryReply>) -> Self {
        Self { queue: VecDeque::new(), default: default.unwrap_or_else(QueryReply::empty), received: Vec::new() }
    }

    pub fn push(&mut self, reply: QueryReply) {
        self.queue.push_back(reply);
    }

    pub fn set_default(&mut self, reply: QueryReply) {
        self.default = reply;
    }

    fn queued(&mut self) -> Option<QueryReply> {
        self.queue.pop_front()
    }
}

/// The workspace id of a query path, `/v1/workspaces/{id}/query`.
pub(crate) fn route(path: &str) -> Option<&str> {
    path.strip_prefix("/v1/workspaces/")?.strip_suffix("/query").filter(|id| !id.contains('/'))
}

pub(crate) fn reply(status: u16, body: Value) -> Resp {
    Resp {
        status,
        headers: vec![("content-type".into(), "application/json; charset=utf-8".into())],
        body: serde_json::to_vec(&body).expect("json"),
    }
}

/// The service's 400 for a request it cannot read.
fn bad_argument(inner_code: &str, message: &str) -> Resp {
    reply(
        400,
        json!({"error": {"message": "The request had some invalid properties", "code": "BadArgumentError",
            "correlationId": "00000000-0000-0000-0000-0000000e0000",
            "innererror": {"code": inner_code, "message": message}}}),
    )
}

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// An ISO 8601 interval of two instants, or a duration.
fn valid_timespan(t: &str) -> bool {
    match t.split_once('/') {
        Some((a, b)) => [a, b].iter().all(|x| azure_core::time::parse_rfc3339(x).is_ok()),
        None => t.starts_with('P') && t.len() > 1,
    }
}

/// `wait=N` of a `Prefer` header (other preferences may come with it).
fn prefer_wait(prefer: &str) -> Option<Duration> {
    prefer.split(',').find_map(|p| p.trim().strip_prefix("wait=")?.trim().parse::<u64>().ok()).map(Duration::from_secs)
}

pub(crate) async fn handle(shared: &Shared, workspace: &str, parts: &Parts, body: &[u8]) -> Resp {
    shared.state.lock().expect("state").stats.queries += 1;
    if parts.method != hyper::Method::POST {
        return reply(405, json!({"error": {"code": "MethodNotAllowed", "message": "the emulator serves POST only"}}));
    }
    if !header(parts, "authorization").is_some_and(|a| a.len() > 7 && a[..7].eq_ignore_ascii_case("bearer ")) {
        return reply(
            401,
            json!({"error": {"code": "AuthenticationFailed",
                "message": "Authentication failed. The 'Authorization' header is missing."}}),
        );
    }
    if !crate::query::workspace::is_guid(workspace) {
        return bad_argument("InvalidWorkspaceId", &format!("'{workspace}' is not a valid workspace id"));
    }
    if !header(parts, "content-type").is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json")) {
        return bad_argument("InvalidContentType", "the request must have Content-Type: application/json");
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return bad_argument("InvalidJson", "the request body is not valid JSON");
    };
    let errors = super::schema::validate_query_body(&value);
    if !errors.is_empty() {
        return bad_argument("InvalidRequestBody", &errors.join("; "));
    }
    if let Some(t) = value.get("timespan").and_then(Value::as_str)
        && !valid_timespan(t)
    {
        return bad_argument("InvalidTimespan", &format!("'{t}' is not an ISO 8601 interval or duration"));
    }
    let query = value.get("query").and_then(Value::as_str).unwrap_or_default().to_string();
    let timespan = value.get("timespan").and_then(Value::as_str).map(str::to_string);
    let next = {
        let mut st = shared.query.lock().expect("query state");
        st.received.push(ReceivedQuery {
            workspace: workspace.to_string(),
            body: value,
            prefer: header(parts, "prefer").map(str::to_string),
            at: std::time::Instant::now(),
        });
        // Queued replies first, then the engine, then the default reply.
        match (st.queued(), shared.engine_tables()) {
            (Some(q), _) => Ok(q),
            (None, Some(tables)) => Err(tables),
            (None, None) => Ok(st.default.clone()),
        }
    };
    let next = match next {
        Ok(reply) => reply,
        Err(tables) => return engine_reply(tables, query, timespan.as_deref()).await,
    };
    // Like the service, give up after the client's `Prefer: wait=N` with a 504.
    let wait = header(parts, "prefer").and_then(prefer_wait);
    if let Some(wait) = wait.filter(|w| next.delay > *w) {
        tokio::time::sleep(wait).await;
        return reply(
            504,
            json!({"error": {"code": "GatewayTimeout",
                "message": "The query did not finish within the time the request allowed (Prefer: wait)."}}),
        );
    }
    if !next.delay.is_zero() {
        tokio::time::sleep(next.delay).await;
    }
    let mut r = reply(next.status, next.body);
    r.headers.extend(next.headers);
    r
}

/// The engine's answer: the result as `QueryResults`, or the service's 400
/// for a query it rejects.
async fn engine_reply(tables: super::engine::EngineTables, query: String, timespan: Option<&str>) -> Resp {
    let now = tables.now();
    let filter = timespan.and_then(|t| super::engine::TimeFilter::from_timespan(t, now));
    match super::engine::run_blocking(tables, query.clone(), now, filter).await {
        Ok(table) => reply(200, crate::engine::output::response_json(&table)),
        Err(e) => reply(400, engine_error(&query, &e)),
    }
}

/// A query the engine refused, in the service's error shape: a syntax
/// error as `BadArgumentError > SyntaxError > SYN0002` with `line`/`pos`/
/// `token`, an unknown name as `SemanticError > SEM0100`, anything else the
/// engine does not run as `SemanticError > ENG…` (the real service may run
/// it; the emulator says it cannot). Every inner error carries the place.
pub(crate) fn engine_error(query: &str, e: &crate::engine::EngineError) -> Value {
    use crate::engine::EngineErrorKind as K;
    let range = e.range.as_usize_range();
    let (line, pos) = super::engine::line_pos(query, range.start);
    let token: String = query.get(range).unwrap_or_default().split_whitespace().next().unwrap_or_default().into();
    let (middle, middle_message, code, message) = match e.kind {
        K::Syntax => (
            "SyntaxError",
            "A recognition error occurred in the query.",
            "SYN0002".to_string(),
            format!("Query could not be parsed at '{token}' on line [{line},{pos}]"),
        ),
        K::UnknownName => ("SemanticError", "A semantic error occurred.", "SEM0100".to_string(), e.message.clone()),
        _ => ("SemanticError", "A semantic error occurred.", e.code().to_string(), e.message.clone()),
    };
    json!({"error": {"message": "The request had some invalid properties", "code": "BadArgumentError",
        "correlationId": "00000000-0000-0000-0000-0000000e0001",
        "innererror": {"code": middle, "message": middle_message,
            "innererror": {"code": code, "message": message, "line": line, "pos": pos, "token": token}}}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_and_routes() {
        let r = QueryReply::from_fixture(r#"{"status": 429, "headers": {"Retry-After": "0"}, "body": {"error": {}}}"#)
            .unwrap();
        assert_eq!((r.status, r.headers[0].0.as_str()), (429, "retry-after"));
        assert_eq!(
            QueryReply::from_fixture(r#"{"body": {"tables": []}, "delay_ms": 5}"#).unwrap().delay.as_millis(),
            5
        );
        for bad in [r#"{}"#, r#"{"body": 1, "status": 99}"#, r#"{"body": 1, "extra": 1}"#, "[]", "x"] {
            assert!(QueryReply::from_fixture(bad).is_err(), "{bad}");
        }
        assert_eq!(route("/v1/workspaces/abc/query"), Some("abc"));
        assert_eq!(route("/v1/workspaces/a/b/query"), None);
        assert!(valid_timespan("2026-08-31T00:00:00Z/2026-09-01T00:00:00Z"));
        assert!(valid_timespan("P1D"));
        assert!(!valid_timespan("yesterday") && !valid_timespan("2026-08-31/now"));
    }
}
