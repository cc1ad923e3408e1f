//! The `run` sink: execute a query on a Log Analytics workspace and print
//! its results.
//!
//! ```text
//! content item ──item_to_query──▶ KQL (overrides: --env, --set; re-rendered, re-parsed) ─┐
//! --query FILE ───────────────────────────────────────────────────────────────────────────┤
//!                  placeholders::substitute (interval of --timespan) ◀────────────────────┘
//!   ──LogAnalyticsClient::query──▶ QueryResults ──format::{table,json,csv}──▶ stdout | --output
//!                                 └─ HTTP 400 ──codes::rejection──▶ diagnostic with the service's span
//! ```
//!
//! - [`target`]: which workspace, cloud and credential (`--env`, `--workspace-id`); [`workspace`]: ids.
//! - [`timespan`]: `--timespan` and the interval; [`placeholders`]: `{{StartTimeISO}}`/`{{EndTimeISO}}`.
//! - [`item_query`]: an item's query with its overrides.
//! - [`client`]: `POST /v1/workspaces/{id}/query`; [`results`]: typed tables; [`error`]: failures.
//! - [`position`], [`codes`]: a rejected query as a diagnostic.
//! - [`format`]: table, JSON, CSV.
//! - [`adx`]: Azure Data Explorer (`--cluster`, `POST /v1/rest/query`), read into the same results.

pub mod adx;
pub mod client;
pub mod codes;
pub mod error;
pub mod format;
pub mod item_query;
pub mod placeholders;
pub mod position;
pub mod results;
pub mod target;
pub mod timespan;
pub mod workspace;

pub use error::{QueryError, QueryErrorKind, ServiceError};

use crate::deploy::auth::{self, AuthKind, VarFn};
use crate::deploy::transport::Transport;
use crate::query::client::{LogAnalyticsClient, LogAnalyticsClientOptions};
use crate::query::target::QueryTarget;

/// A client for `target`, authenticated with `auth` (default: the target's
/// kind); returns the concrete credential kind used, for the log line.
pub fn connect(
    target: &QueryTarget,
    auth: Option<AuthKind>,
    var: VarFn<'_>,
    options: Option<LogAnalyticsClientOptions>,
) -> Result<(LogAnalyticsClient, AuthKind), QueryError> {
    let transport = Transport::new([&target.log_analytics, &target.authority_host]);
    let (kind, credential) = auth::credential(auth.unwrap_or(target.auth), target.authority(), &transport, var)?;
    let client = LogAnalyticsClient::new(&target.log_analytics, target.scope(), credential, transport, options);
    Ok((client, kind))
}
