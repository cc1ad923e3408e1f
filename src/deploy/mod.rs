//! Deploy content to a Microsoft Sentinel workspace: plan, apply, prune and
//! drift detection.
//!
//! ```text
//! Compiled.documents ──documents_to_resources──▶ desired ─┐
//! workspace ──SentinelClient::list──▶ actual ─────────────┴─plan──▶ Plan ──apply──▶ Report
//! ```
//!
//! - [`target`]: the environment file (workspace, cloud endpoints, api-versions, auth).
//! - [`auth`]: `--auth` kinds → an azure_identity credential.
//! - [`transport`]: azure_core's reqwest transport (+ plain http to loopback).
//! - [`client`]: alertRules / savedSearches PUT, GET, DELETE, list; [`retry`]: the retry policy.
//! - [`resource`], [`normalize`]: one resource shape, semantic comparison.
//! - [`ownership`]: which owner made what, so prune and drift touch only their own.
//! - [`plan`], [`apply`]: the two phases.

pub mod apply;
pub mod auth;
pub mod client;
pub mod error;
pub mod normalize;
pub mod ownership;
pub mod plan;
pub mod resource;
pub mod retry;
pub mod sdk_error;
pub mod target;
pub mod transport;

use std::sync::Arc;

pub use error::{DeployError, DeployErrorKind};

use crate::deploy::auth::{AuthKind, VarFn};
use crate::deploy::client::{SentinelClient, SentinelClientOptions};
use crate::deploy::plan::Actual;
use crate::deploy::resource::ResourceType;
use crate::deploy::target::Target;
use crate::deploy::transport::Transport;

/// A connected client for one target.
pub struct Session {
    pub target: Target,
    pub client: Arc<SentinelClient>,
    /// The credential kind actually used (`auto` resolved).
    pub auth: AuthKind,
}

/// Build transport, credential and client for `target`; `auth` overrides the
/// environment file's `[auth] kind`.
pub fn connect(
    target: Target,
    auth: Option<AuthKind>,
    var: VarFn<'_>,
    options: Option<SentinelClientOptions>,
) -> Result<Session, DeployError> {
    let e = &target.endpoints;
    let transport = Transport::new([&e.arm, &e.log_analytics, &e.authority_host]);
    let (auth, credential) = auth::credential(auth.unwrap_or(target.auth), &target, &transport, var)?;
    let client = Arc::new(SentinelClient::new(&target, credential, transport, options));
    Ok(Session { target, client, auth })
}

/// Read both collections (concurrently). Alert rules are read at the
/// api-version each is written with: the NRT (preview) list sees every
/// rule; Scheduled rules are taken from a second list at the Scheduled
/// version when that differs, so properties only a preview version returns
/// never look like drift.
pub async fn read_actual(client: &SentinelClient) -> Result<Actual, DeployError> {
    let (list_version, scheduled_version) = client.alert_rule_versions();
    let scheduled = async {
        if list_version == scheduled_version {
            Ok(None)
        } else {
            client.list_at(ResourceType::AlertRule, Some(scheduled_version)).await.map(Some)
        }
    };
    let (alert_rules, scheduled, saved_searches) =
        tokio::join!(client.list(ResourceType::AlertRule), scheduled, client.list(ResourceType::SavedSearch));
    let mut alert_rules = alert_rules?;
    if let Some(scheduled) = scheduled? {
        let by_name: std::collections::HashMap<String, resource::Resource> =
            scheduled.into_iter().map(|r| (r.name.to_ascii_lowercase(), r)).collect();
        for rule in &mut alert_rules {
            if rule.kind.as_deref() == Some("Scheduled")
                && let Some(stable) = by_name.get(&rule.name.to_ascii_lowercase())
            {
                *rule = stable.clone();
            }
        }
    }
    Ok(Actual { alert_rules, saved_searches: saved_searches? })
}

/// A multi-threaded tokio runtime for the CLI commands.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build()
}
