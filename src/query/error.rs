//! Why a query could not run, and the service's own error object.
//!
//! Two kinds of failure reach the user differently: a query the service
//! *rejected* (HTTP 400, usually a syntax or semantic error) is a problem in
//! the user's KQL and becomes a diagnostic pointing into the query
//! ([`crate::query::codes`]); everything else (configuration, credentials,
//! HTTP, transport, a body that is not the documented shape) is a
//! [`QueryError`] and ends the run with exit code 2.

use std::fmt;

use serde::Deserialize;

use crate::deploy::{DeployError, DeployErrorKind};

/// The `ErrorInfo` of the Log Analytics API (`error` of an `ErrorResponse`,
/// or of a 200 `QueryResults` with a partial result). Recursive through
/// `innererror`; the syntax errors' innermost level carries `line`, `pos`
/// and `token`. Unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ServiceError {
    pub code: String,
    pub message: String,
    pub details: Vec<ServiceError>,
    #[serde(alias = "innerError")]
    pub innererror: Option<Box<ServiceError>>,
    /// 1-based line of a syntax error.
    pub line: Option<u32>,
    /// Position of a syntax error in its line (see [`crate::query::position`]).
    pub pos: Option<u32>,
    /// The token the parser stopped at.
    pub token: Option<String>,
    #[serde(rename = "correlationId")]
    pub correlation_id: Option<String>,
}

impl ServiceError {
    /// The deepest `innererror` (the object itself when it has none).
    pub fn innermost(&self) -> &ServiceError {
        let mut e = self;
        while let Some(inner) = &e.innererror {
            e = inner;
        }
        e
    }

    /// Whether any level of the `innererror` chain has `code`.
    pub fn has_code(&self, code: &str) -> bool {
        let mut e = Some(self);
        while let Some(x) = e {
            if x.code == code {
                return true;
            }
            e = x.innererror.as_deref();
        }
        false
    }

    /// The first level with a line and position, if any.
    pub fn position(&self) -> Option<&ServiceError> {
        let mut e = Some(self);
        while let Some(x) = e {
            if x.line.is_some() && x.pos.is_some() {
                return Some(x);
            }
            e = x.innererror.as_deref();
        }
        None
    }

    /// The specific messages, most precise first and without repeats: the
    /// innermost message of each entry of `details` (where partial errors
    /// say what went wrong), then the innermost of the chain itself. The
    /// outer messages ("The request had some invalid properties") say
    /// nothing the code does not.
    pub fn messages(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |m: &str| {
            let m = m.trim();
            if !m.is_empty() && !out.iter().any(|o| o == m) {
                out.push(m.to_string());
            }
        };
        for d in &self.details {
            push(&d.innermost().message);
        }
        push(&self.innermost().message);
        out
    }
}

impl fmt::Display for ServiceError {
    /// `Code: message` of the outer level.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code.is_empty(), self.message.is_empty()) {
            (false, false) => write!(f, "{}: {}", self.code, self.message),
            (false, true) => f.write_str(&self.code),
            (true, _) => f.write_str(&self.message),
        }
    }
}

/// Coarse classes of query failure.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryErrorKind {
    /// Arguments, the environment file or an endpoint are unusable.
    Config,
    /// No credential could produce a token, or the service refused it (401/403).
    Auth,
    /// The service rejected the query itself (HTTP 400): see `service`.
    Rejected,
    /// Any other non-success status (after retries for 429 and 5xx).
    Http { status: u16, code: Option<String> },
    /// The connection failed (after retries).
    Transport,
    /// The response was not what the API describes.
    Decode,
}

/// A query failure. Like [`DeployError`], its message never holds a token
/// or secret: it is built from statuses, error codes and service messages,
/// and credential errors are redacted.
#[derive(Debug, thiserror::Error)]
pub struct QueryError {
    pub kind: QueryErrorKind,
    pub message: String,
    /// The service's error object, when the response had one (boxed: it is
    /// large, and errors travel in `Result`s).
    pub service: Option<Box<ServiceError>>,
    /// `x-ms-request-id` of the failing response.
    pub request_id: Option<String>,
}

impl QueryError {
    pub fn new(kind: QueryErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), service: None, request_id: None }
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(QueryErrorKind::Config, message)
    }

    /// HTTP status of the failure, if it was an HTTP response.
    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            QueryErrorKind::Http { status, .. } => Some(*status),
            QueryErrorKind::Rejected => Some(400),
            _ => None,
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let correlation = self.service.as_ref().and_then(|s| s.correlation_id.as_deref());
        match (&self.request_id, correlation) {
            (Some(r), Some(c)) => write!(f, " (x-ms-request-id: {r}, correlation id: {c})"),
            (Some(r), None) => write!(f, " (x-ms-request-id: {r})"),
            (None, Some(c)) => write!(f, " (correlation id: {c})"),
            (None, None) => Ok(()),
        }
    }
}

impl From<DeployError> for QueryError {
    /// Targets and credentials are shared with `deploy`; their errors keep
    /// their class.
    fn from(e: DeployError) -> Self {
        let kind = match &e.kind {
            DeployErrorKind::Config => QueryErrorKind::Config,
            DeployErrorKind::Auth => QueryErrorKind::Auth,
            DeployErrorKind::Http { status, code } => QueryErrorKind::Http { status: *status, code: code.clone() },
            DeployErrorKind::Transport => QueryErrorKind::Transport,
            _ => QueryErrorKind::Decode,
        };
        Self { kind, message: e.to_string(), service: None, request_id: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_nested_syntax_error_of_the_service() {
        // As recorded from the service for `completely invalid syntax`.
        let body = r#"{"message":"The request had some invalid properties","code":"BadArgumentError",
            "correlationId":"2309fab1-38ff-478f-b49c-5f022a3a21ac","innererror":{"code":"SyntaxError",
            "message":"A recognition error occurred in the query.","innererror":{"code":"SYN0002",
            "message":"Query could not be parsed at 'invalid' on line [1,11]","line":1,"pos":11,"token":"invalid"}}}"#;
        let e: ServiceError = serde_json::from_str(body).unwrap();
        assert!(e.has_code("SyntaxError"));
        assert!(!e.has_code("SemanticError"));
        let at = e.position().unwrap();
        assert_eq!((at.line, at.pos, at.token.as_deref()), (Some(1), Some(11), Some("invalid")));
        assert_eq!(e.messages(), ["Query could not be parsed at 'invalid' on line [1,11]"]);
        assert_eq!(e.to_string(), "BadArgumentError: The request had some invalid properties");
    }

    #[test]
    fn partial_errors_list_the_inner_message_of_each_detail() {
        let body = r#"{"code":"PartialError","message":"There were some errors when processing your query.",
            "details":[{"code":"EngineError","message":"Something went wrong processing your query on the server.",
              "innererror":{"code":"-2133196790","message":"'union' operator: Failed to resolve table 'X'"}},
              {"code":"EngineError","message":"Something went wrong processing your query on the server.",
              "innererror":{"code":"-2133196790","message":"'union' operator: Failed to resolve table 'X'"}},
              {"code":"PartialQueryFailure","message":"Query execution has exceeded the allowed limits."}]}"#;
        let e: ServiceError = serde_json::from_str(body).unwrap();
        assert_eq!(
            e.messages(),
            [
                "'union' operator: Failed to resolve table 'X'",
                "Query execution has exceeded the allowed limits.",
                "There were some errors when processing your query."
            ]
        );
    }
}
