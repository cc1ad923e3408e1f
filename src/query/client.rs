//! A hand-written client for the one Log Analytics call `run` needs,
//! `POST {endpoint}/v1/workspaces/{id}/query`, in the Azure SDK shape of
//! [`crate::deploy::client`]: an azure_core [`Pipeline`] with the shared
//! loopback-aware transport, [`ArmRetryPolicy`] (429 waits what
//! `Retry-After` says; 500/502/503/504 back off exponentially; bounded), and
//! a bearer token for the Log Analytics audience.
//!
//! `Prefer: wait=N` sets the service's own timeout (180 s by default, 600 at
//! most); past it the service answers 504, which is retried like the other
//! 5xx and reported with the attempt count when it persists.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use azure_core::credentials::TokenCredential;
use azure_core::http::headers::HeaderName;
use azure_core::http::policies::Policy;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::{
    ClientOptions, Context, Method, Pipeline, PipelineSendOptions, RawResponse, Request, RetryOptions, Url,
};
use azure_core::time::Duration;
use serde::Serialize;

use crate::deploy::retry::ArmRetryPolicy;
use crate::deploy::transport::Transport;
use crate::query::error::{QueryError, QueryErrorKind, ServiceError};
use crate::query::results::QueryResults;
use crate::query::workspace::WorkspaceId;

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");

/// Retries after the first try, for 429 and 5xx alike.
pub const MAX_RETRIES: u32 = 3;

/// The request body (`QueryBody` of the API).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueryBody {
    pub query: String,
    /// An ISO 8601 interval (`start/end`) or duration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timespan: Option<String>,
    /// Extra workspaces of a cross-workspace query.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workspaces: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct LogAnalyticsClientOptions {
    pub retry: RetryOptions,
    /// `Prefer: wait=N`, seconds (1..=600).
    pub wait_seconds: u32,
}

impl Default for LogAnalyticsClientOptions {
    fn default() -> Self {
        Self { retry: default_retry(), wait_seconds: 180 }
    }
}

/// The pipeline both query clients (Log Analytics, Data Explorer) send
/// through: `retry`, tries counted for messages, a bearer token for `scope`.
pub(crate) fn query_pipeline(
    scope: String,
    credential: Arc<dyn TokenCredential>,
    transport: &Transport,
    retry: RetryOptions,
) -> Pipeline {
    let auth: Arc<dyn Policy> = Arc::new(BearerTokenAuthorizationPolicy::new(credential, [scope]));
    Pipeline::new(
        option_env!("CARGO_PKG_NAME"),
        option_env!("CARGO_PKG_VERSION"),
        ClientOptions { retry, transport: Some(transport.as_sdk_transport()), ..Default::default() },
        Vec::new(),
        vec![Arc::new(CountTries), auth],
        None,
    )
}

/// [`ArmRetryPolicy`] from 200 ms, doubling to at most 30 s a wait,
/// [`MAX_RETRIES`] retries: a 504 means the service already spent `wait`
/// seconds, so a few tries are worth it, many are not.
pub fn default_retry() -> RetryOptions {
    RetryOptions::custom(Arc::new(ArmRetryPolicy::new(
        Duration::milliseconds(200),
        Duration::seconds(30),
        MAX_RETRIES,
        Duration::minutes(45),
    )))
}

/// Counts the tries of one request (a per-try policy reading a counter the
/// request's context carries).
#[derive(Debug)]
pub(crate) struct CountTries;

#[derive(Debug)]
pub(crate) struct Tries(pub(crate) Arc<AtomicU32>);

#[async_trait::async_trait]
impl Policy for CountTries {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> azure_core::http::policies::PolicyResult {
        if let Some(Tries(n)) = ctx.value::<Tries>() {
            n.fetch_add(1, Ordering::Relaxed);
        }
        next[0].send(ctx, request, &next[1..]).await
    }
}

/// What one query returned, and how many HTTP tries it took.
#[derive(Debug)]
pub struct QueryOutcome {
    pub results: QueryResults,
    pub tries: u32,
}

#[derive(Debug)]
pub struct LogAnalyticsClient {
    pipeline: Pipeline,
    /// The endpoint as the SDK sees it (`https`).
    endpoint: Url,
    /// The endpoint as configured (`http` for the emulator).
    endpoint_for_messages: String,
    wait_seconds: u32,
}

impl LogAnalyticsClient {
    /// A client for `endpoint` (e.g. `https://api.loganalytics.azure.com`)
    /// whose tokens are for `scope` (e.g. `https://api.loganalytics.io/.default`).
    pub fn new(
        endpoint: &Url,
        scope: String,
        credential: Arc<dyn TokenCredential>,
        transport: Transport,
        options: Option<LogAnalyticsClientOptions>,
    ) -> Self {
        let options = options.unwrap_or_default();
        let pipeline = query_pipeline(scope, credential, &transport, options.retry);
        Self {
            pipeline,
            endpoint: transport.sdk_url(endpoint),
            endpoint_for_messages: endpoint.as_str().trim_end_matches('/').to_string(),
            wait_seconds: options.wait_seconds.clamp(1, 600),
        }
    }

    fn url(&self, workspace: &WorkspaceId) -> Result<Url, QueryError> {
        let base = self.endpoint.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}/v1/workspaces/{workspace}/query"))
            .map_err(|e| QueryError::config(format!("bad Log Analytics endpoint `{base}`: {e}")))
    }

    /// Run one query. A partial result is not an error here: it comes back
    /// with `results.error` set, and the caller decides.
    pub async fn query(&self, workspace: &WorkspaceId, body: &QueryBody) -> Result<QueryOutcome, QueryError> {
        let mut req = Request::new(self.url(workspace)?, Method::Post);
        req.insert_header("content-type", "application/json");
        req.insert_header("accept", "application/json");
        req.insert_header("prefer", format!("wait={}", self.wait_seconds));
        req.set_json(body).map_err(|e| QueryError::new(QueryErrorKind::Decode, e.to_string()))?;
        let tries = Arc::new(AtomicU32::new(0));
        let ctx = Context::new().with_value(Tries(Arc::clone(&tries)));
        let options = PipelineSendOptions { skip_checks: true, ..Default::default() };
        let sent = self.pipeline.send(&ctx, &mut req, Some(options)).await;
        let tries = tries.load(Ordering::Relaxed).max(1);
        let resp = sent.map_err(|e| {
            let kind = if crate::deploy::sdk_error::is_credential_failure(&e) {
                QueryErrorKind::Auth
            } else {
                QueryErrorKind::Transport
            };
            let what = match kind {
                QueryErrorKind::Auth => "no token for Log Analytics".to_string(),
                _ => format!("cannot reach the Log Analytics endpoint {}", self.endpoint_for_messages),
            };
            let why = crate::deploy::sdk_error::chain(&e);
            let mut text = format!("{what} after {tries} attempt(s): {why}");
            if kind == QueryErrorKind::Auth {
                text = format!("{text}\n  help: {}", crate::deploy::sdk_error::credential_advice(&why));
            }
            QueryError::new(kind, crate::deploy::auth::redact(&text))
        })?;
        if resp.status().is_success() {
            let results = QueryResults::from_json(resp.body()).map_err(|why| {
                let mut err = QueryError::new(QueryErrorKind::Decode, format!("unexpected query response: {why}"));
                err.request_id = resp.headers().get_optional_string(&REQUEST_ID);
                err
            })?;
            return Ok(QueryOutcome { results, tries });
        }
        Err(http_error(&resp, workspace, tries, self.wait_seconds))
    }
}

/// The error of a non-success response, with a message that says what to do.
fn http_error(resp: &RawResponse, workspace: &WorkspaceId, tries: u32, wait: u32) -> QueryError {
    let status = u16::from(resp.status());
    let service: Option<ServiceError> = serde_json::from_slice::<serde_json::Value>(resp.body())
        .ok()
        .and_then(|v| v.get("error").cloned())
        .and_then(|e| serde_json::from_value(e).ok());
    let code = service.as_ref().map(|s| s.code.clone()).filter(|c| !c.is_empty());
    let said = service
        .as_ref()
        .map(|s| {
            let text: String = s.innermost().message.chars().take(500).collect();
            format!(" {}: {text}", s.code)
        })
        .unwrap_or_default();
    let (kind, message) = match status {
        400 if service.is_some() => {
            (QueryErrorKind::Rejected, format!("the service rejected the query (HTTP 400){said}"))
        }
        401 => (
            QueryErrorKind::Auth,
            format!(
                "authentication failed (HTTP 401{said}): the token was refused; check the credential (--auth) and \
                 that it is for the workspace's cloud"
            ),
        ),
        403 => (
            QueryErrorKind::Auth,
            format!(
                "access denied to workspace {workspace} (HTTP 403{said}): the identity needs read access to its \
                 logs, e.g. the Log Analytics Reader or Microsoft Sentinel Reader role"
            ),
        ),
        404 => (
            QueryErrorKind::Http { status, code: code.clone() },
            format!(
                "workspace {workspace} not found (HTTP 404{said}): use the workspace id (a GUID from the \
                 workspace's Overview page) in the workspace's cloud"
            ),
        ),
        429 => (
            QueryErrorKind::Http { status, code: code.clone() },
            format!("the service kept throttling the query (HTTP 429{said}); gave up after {tries} attempt(s)"),
        ),
        504 => (
            QueryErrorKind::Http { status, code: code.clone() },
            format!(
                "the query did not finish within the service's time limit (HTTP 504{said}); gave up after {tries} \
                 attempt(s) of up to {wait} s each: narrow --timespan, simplify the query or raise --wait (at most \
                 600)"
            ),
        ),
        s if s >= 500 => (
            QueryErrorKind::Http { status, code: code.clone() },
            format!("the service failed (HTTP {status}{said}); gave up after {tries} attempt(s)"),
        ),
        _ => (QueryErrorKind::Http { status, code: code.clone() }, format!("query failed: HTTP {status}{said}")),
    };
    let mut err = QueryError::new(kind, crate::deploy::auth::redact(&message));
    err.service = service.map(Box::new);
    err.request_id = resp.headers().get_optional_string(&REQUEST_ID);
    err
}
