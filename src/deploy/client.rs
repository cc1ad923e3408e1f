//! A hand-written client for the few Sentinel calls a deploy needs, in the
//! Azure SDK shape: `new(target, credential, options)` builds an azure_core
//! [`Pipeline`] (retry honouring `Retry-After` on 408/429/5xx, bearer auth,
//! `x-ms-client-request-id`), operations build a URL and send.
//!
//! Errors carry status, ARM error code, `x-ms-request-id` and the correlation
//! id; never a header value that could hold a token.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::headers::HeaderName;
use azure_core::http::policies::Policy;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::{
    ClientOptions, Context, Method, Pipeline, PipelineSendOptions, RawResponse, Request, RetryOptions, Url,
};
use azure_core::time::Duration;
use serde_json::Value;

use crate::deploy::error::{DeployError, DeployErrorKind};
use crate::deploy::resource::{Resource, ResourceType};
use crate::deploy::retry::ArmRetryPolicy;
use crate::deploy::target::Target;
use crate::deploy::transport::Transport;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");
const CORRELATION_ID: HeaderName = HeaderName::from_static("x-ms-correlation-request-id");
const ERROR_CODE: HeaderName = HeaderName::from_static("x-ms-error-code");

/// Client options: retry, request concurrency and the per-run correlation id.
#[derive(Clone, Debug)]
pub struct SentinelClientOptions {
    pub retry: RetryOptions,
    /// Requests in flight at once (each *try*: a request waiting out a
    /// `Retry-After` holds no slot, so throttling one resource does not idle
    /// the others).
    pub concurrency: usize,
    /// Sent as `x-ms-correlation-request-id` on every request of the run.
    pub correlation_id: String,
}

impl Default for SentinelClientOptions {
    fn default() -> Self {
        Self { retry: default_retry(), concurrency: 4, correlation_id: uuid::Uuid::new_v4().to_string() }
    }
}

/// A per-try pipeline policy bounding the requests in flight.
#[derive(Debug)]
struct ConcurrencyLimit(Arc<tokio::sync::Semaphore>);

#[async_trait::async_trait]
impl Policy for ConcurrencyLimit {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> azure_core::http::policies::PolicyResult {
        let _permit = self.0.acquire().await.expect("semaphore never closed");
        next[0].send(ctx, request, &next[1..]).await
    }
}

/// The CLI's retry: [`ArmRetryPolicy`] honouring server hints, exponential
/// from 200 ms, 10 retries, 2 minutes max per wait, 10 minutes in total (ARM
/// asks for waits of many seconds when throttling; the SDK's 60 s total
/// would give up while ARM still asks us to wait).
pub fn default_retry() -> RetryOptions {
    RetryOptions::custom(Arc::new(ArmRetryPolicy::new(
        Duration::milliseconds(200),
        Duration::minutes(2),
        10,
        Duration::minutes(10),
    )))
}

/// Fast retry for tests (server hints still honoured).
pub fn fast_retry() -> RetryOptions {
    RetryOptions::custom(Arc::new(ArmRetryPolicy::new(
        Duration::milliseconds(10),
        Duration::seconds(2),
        10,
        Duration::minutes(2),
    )))
}

#[derive(Debug)]
pub struct SentinelClient {
    pipeline: Pipeline,
    transport: Transport,
    /// ARM endpoint as the SDK sees it (`https`).
    arm: Url,
    workspace_path: String,
    api: crate::deploy::target::ApiVersions,
    correlation_id: String,
}

impl SentinelClient {
    pub fn new(
        target: &Target,
        credential: Arc<dyn TokenCredential>,
        transport: Transport,
        options: Option<SentinelClientOptions>,
    ) -> Self {
        let options = options.unwrap_or_default();
        let auth: Arc<dyn Policy> =
            Arc::new(BearerTokenAuthorizationPolicy::new(credential, [target.endpoints.arm_scope()]));
        let pipeline = Pipeline::new(
            option_env!("CARGO_PKG_NAME"),
            option_env!("CARGO_PKG_VERSION"),
            ClientOptions { retry: options.retry, transport: Some(transport.as_sdk_transport()), ..Default::default() },
            Vec::new(),
            vec![auth, Arc::new(ConcurrencyLimit(Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1)))))],
            None,
        );
        Self {
            pipeline,
            arm: transport.sdk_url(&target.endpoints.arm),
            transport,
            workspace_path: target.workspace_path(),
            api: target.api_versions.clone(),
            correlation_id: options.correlation_id,
        }
    }

    fn collection_path(&self, rtype: ResourceType) -> String {
        match rtype {
            ResourceType::AlertRule => {
                format!("{}/providers/Microsoft.SecurityInsights/alertRules", self.workspace_path)
            }
            ResourceType::SavedSearch => format!("{}/savedSearches", self.workspace_path),
        }
    }

    fn url(&self, path: &str, api_version: &str) -> Result<Url, DeployError> {
        let mut url = self.arm.join(path).map_err(|e| DeployError::config(format!("bad resource path: {e}")))?;
        url.query_pairs_mut().append_pair("api-version", api_version);
        Ok(url)
    }

    fn resource_url(&self, rtype: ResourceType, name: &str, kind: Option<&str>) -> Result<Url, DeployError> {
        if name.is_empty() || name.contains(['/', '?', '#', '%']) {
            return Err(DeployError::config(format!("invalid resource name `{name}`")));
        }
        let version = match rtype {
            ResourceType::AlertRule => match kind {
                Some(k) => self.api.alert_rule(k),
                None => self.api.alert_rules_list(),
            },
            ResourceType::SavedSearch => &self.api.saved_searches,
        };
        self.url(&format!("{}/{name}", self.collection_path(rtype)), version)
    }

    async fn send(&self, mut req: Request, what: &str) -> Result<RawResponse, DeployError> {
        req.insert_header("x-ms-correlation-request-id", self.correlation_id.clone());
        req.insert_header("accept", "application/json");
        let options = PipelineSendOptions { skip_checks: true, ..Default::default() };
        let resp = self.pipeline.send(&Context::new(), &mut req, Some(options)).await.map_err(|e| {
            let why = crate::deploy::sdk_error::chain(&e);
            let (kind, text) = if crate::deploy::sdk_error::is_credential_failure(&e) {
                (
                    DeployErrorKind::Auth,
                    format!("{what}: {why}\n  help: {}", crate::deploy::sdk_error::credential_advice(&why)),
                )
            } else {
                (DeployErrorKind::Transport, format!("{what}: {why}"))
            };
            let mut err = DeployError::new(kind, crate::deploy::auth::redact(&text));
            err.correlation_id = Some(self.correlation_id.clone());
            err
        })?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        Err(http_error(what, &resp))
    }

    /// Every resource of a type at `api_version` (default: alert rules at
    /// the NRT version, so NRT rules are included); `nextLink` followed on
    /// the ARM host only (the bearer token goes with every request).
    pub async fn list_at(&self, rtype: ResourceType, api_version: Option<&str>) -> Result<Vec<Resource>, DeployError> {
        let version = api_version.unwrap_or(match rtype {
            ResourceType::AlertRule => self.api.alert_rules_list(),
            ResourceType::SavedSearch => &self.api.saved_searches,
        });
        let what = format!("list {rtype}");
        let decode = |m: String| DeployError::new(DeployErrorKind::Decode, format!("{what}: {m}"));
        let mut next = Some(self.url(&self.collection_path(rtype), version)?);
        let mut out = Vec::new();
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > 10_000 {
                return Err(decode("too many pages".into()));
            }
            let resp = self.send(Request::new(url, Method::Get), &what).await?;
            let body: Value = json_body(&resp, &what)?;
            // A page without `value` is not an empty list: planning from it
            // would read "nothing is there" and could orphan what is.
            let items = body
                .get("value")
                .and_then(Value::as_array)
                .ok_or_else(|| decode("the response has no `value` array; nothing was planned from it".into()))?;
            for item in items {
                out.push(Resource::from_arm(rtype, item.clone()).ok_or_else(|| decode("an item has no name".into()))?);
            }
            if let Some(link) = body.get("nextLink").and_then(Value::as_str).filter(|s| !s.is_empty()) {
                let url = Url::parse(link).map_err(|e| decode(format!("bad nextLink: {e}")))?;
                let url = self.transport.sdk_url(&url);
                if url.scheme() != self.arm.scheme()
                    || url.host_str() != self.arm.host_str()
                    || url.port_or_known_default() != self.arm.port_or_known_default()
                {
                    return Err(decode(format!(
                        "nextLink points at `{}`, not the ARM endpoint; not followed",
                        url.host_str().unwrap_or("")
                    )));
                }
                next = Some(url);
            }
        }
        Ok(out)
    }

    /// Every resource of a type (alert rules at the NRT api-version).
    pub async fn list(&self, rtype: ResourceType) -> Result<Vec<Resource>, DeployError> {
        self.list_at(rtype, None).await
    }

    /// The api-versions of alert rules: (list, scheduled).
    pub fn alert_rule_versions(&self) -> (&str, &str) {
        (self.api.alert_rules_list(), self.api.alert_rule("Scheduled"))
    }

    /// One resource (an alert rule read at the api-version of `kind`), or
    /// `None` on 404.
    pub async fn get(
        &self,
        rtype: ResourceType,
        name: &str,
        kind: Option<&str>,
    ) -> Result<Option<Resource>, DeployError> {
        let url = self.resource_url(rtype, name, kind)?;
        match self.send(Request::new(url, Method::Get), &format!("get {rtype} {name}")).await {
            Ok(resp) => Ok(Resource::from_arm(rtype, json_body(&resp, "get")?)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Create or replace (full `properties`), on `condition`; returns the
    /// stored resource.
    pub async fn put(&self, resource: &Resource, condition: &Condition) -> Result<Resource, DeployError> {
        let url = self.resource_url(resource.rtype, &resource.name, resource.kind.as_deref())?;
        let mut req = Request::new(url, Method::Put);
        req.insert_header("content-type", "application/json");
        let mut body = resource.body.clone();
        if let Some(obj) = body.as_object_mut() {
            obj.remove("etag");
            match condition {
                // The body etag is how savedSearches and alertRules express a
                // precondition ("To override an existing saved search, use
                // \"*\"", SavedSearches.json); If-Match says it in HTTP too.
                Condition::IfMatch(etag) => {
                    obj.insert("etag".into(), Value::String(etag.clone()));
                    req.insert_header("if-match", etag.clone());
                }
                Condition::IfNoneMatch => req.insert_header("if-none-match", "*"),
                Condition::Any if resource.rtype == ResourceType::SavedSearch => {
                    obj.insert("etag".into(), Value::String("*".into()));
                }
                Condition::Any => {}
            }
        }
        req.set_json(&body).map_err(|e| DeployError::new(DeployErrorKind::Decode, e.to_string()))?;
        let what = format!("put {} {}", resource.rtype, resource.name);
        let resp = self.send(req, &what).await?;
        let stored = json_body(&resp, &what)?;
        Ok(Resource::from_arm(resource.rtype, stored).unwrap_or_else(|| resource.clone()))
    }

    /// Delete (an alert rule at the api-version of `kind`); with an etag,
    /// only if the resource is still the one read (412 otherwise).
    pub async fn delete(
        &self,
        rtype: ResourceType,
        name: &str,
        kind: Option<&str>,
        if_match: Option<&str>,
    ) -> Result<(), DeployError> {
        let url = self.resource_url(rtype, name, kind)?;
        let mut req = Request::new(url, Method::Delete);
        if let Some(etag) = if_match {
            req.insert_header("if-match", etag.to_string());
        }
        match self.send(req, &format!("delete {rtype} {name}")).await {
            Err(e) if e.status() == Some(404) => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

/// The precondition of a write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Whatever is there (saved searches: body etag `*`).
    Any,
    /// Only if the resource is still at this etag.
    IfMatch(String),
    /// Only if the resource does not exist.
    IfNoneMatch,
}

impl Condition {
    /// `IfMatch(etag)` when there is one, else `IfNoneMatch`.
    pub fn from_etag(etag: Option<&str>) -> Self {
        etag.map_or(Self::IfNoneMatch, |e| Self::IfMatch(e.to_string()))
    }
}

fn json_body(resp: &RawResponse, what: &str) -> Result<Value, DeployError> {
    if resp.body().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(resp.body()).map_err(|e| {
        let mut err = DeployError::new(DeployErrorKind::Decode, format!("{what}: response is not JSON: {e}"));
        err.request_id = resp.headers().get_optional_string(&REQUEST_ID);
        err.correlation_id = resp.headers().get_optional_string(&CORRELATION_ID);
        err
    })
}

/// `{what}: HTTP 400 BadRequest: message` with the request ids.
fn http_error(what: &str, resp: &RawResponse) -> DeployError {
    let status = u16::from(resp.status());
    let body: Option<Value> = serde_json::from_slice(resp.body()).ok();
    let code = body
        .as_ref()
        .and_then(|b| b.pointer("/error/code"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| resp.headers().get_optional_string(&ERROR_CODE));
    let message = body.as_ref().and_then(|b| b.pointer("/error/message")).and_then(Value::as_str).unwrap_or("");
    let mut message: String = message.chars().take(500).collect();
    if !message.is_empty() {
        message.insert_str(0, ": ");
    }
    let text = format!("{what}: HTTP {status}{}{message}", code.as_ref().map(|c| format!(" {c}")).unwrap_or_default());
    let mut err = DeployError::new(DeployErrorKind::Http { status, code }, crate::deploy::auth::redact(&text));
    err.request_id = resp.headers().get_optional_string(&REQUEST_ID);
    err.correlation_id = resp.headers().get_optional_string(&CORRELATION_ID);
    err
}
