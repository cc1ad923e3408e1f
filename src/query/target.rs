//! Which workspace a query runs on, in which cloud, with which credential:
//! from an environment file (`--env E`: its `[workspace] workspace_id`,
//! cloud, endpoints and `[auth]`), or from `--workspace-id` alone (the
//! public cloud; `SENTINEL_FORGE_LOG_ANALYTICS_ENDPOINT` and
//! `AZURE_AUTHORITY_HOST` still override the endpoints, as for deploys).
//! `--workspace-id` with `--env` replaces the file's workspace id.

use azure_core::http::Url;

use crate::deploy::auth::{AuthKind, Authority};
use crate::deploy::target::{
    Cloud, ENV_AUTHORITY_HOST, ENV_LOG_ANALYTICS_ENDPOINT, Endpoints, Target, endpoint, is_loopback,
};
use crate::query::error::QueryError;
use crate::query::workspace::WorkspaceId;

/// One resolved query target.
#[derive(Clone, Debug)]
pub struct QueryTarget {
    /// Where it came from, for messages: `environment dev` or `--workspace-id`.
    pub origin: String,
    pub workspace_id: WorkspaceId,
    pub cloud: Cloud,
    /// The Log Analytics query endpoint.
    pub log_analytics: Url,
    pub authority_host: Url,
    pub auth: AuthKind,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
}

impl QueryTarget {
    /// From a loaded environment; `workspace_id` overrides the file's.
    pub fn from_environment(target: &Target, workspace_id: Option<WorkspaceId>) -> Result<Self, QueryError> {
        let workspace_id = match workspace_id {
            Some(id) => id,
            None => {
                let raw = target.workspace_id.as_deref().ok_or_else(|| {
                    QueryError::config(format!(
                        "environment `{}` has no `workspace_id` under [workspace]: add the workspace (customer) id \
                         there, or pass --workspace-id",
                        target.name
                    ))
                })?;
                raw.parse().map_err(|why| QueryError::config(format!("environment `{}`: {why}", target.name)))?
            }
        };
        Ok(Self {
            origin: format!("environment {}", target.name),
            workspace_id,
            cloud: target.cloud,
            log_analytics: target.endpoints.log_analytics.clone(),
            authority_host: target.endpoints.authority_host.clone(),
            auth: target.auth,
            tenant_id: target.tenant_id.clone(),
            client_id: target.client_id.clone(),
        })
    }

    /// The public cloud's endpoints (or the override variables') for a bare
    /// workspace id.
    pub fn from_workspace_id(
        workspace_id: WorkspaceId,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, QueryError> {
        let base = Endpoints::of(Cloud::AzureCloud).expect("the public cloud has endpoints");
        let pick = |env: &str, default: &Url| -> Result<Url, QueryError> {
            Ok(endpoint(var, env, None, Some(default), env)?.unwrap_or_else(|| default.clone()))
        };
        Ok(Self {
            origin: "--workspace-id".into(),
            workspace_id,
            cloud: Cloud::AzureCloud,
            log_analytics: pick(ENV_LOG_ANALYTICS_ENDPOINT, &base.log_analytics)?,
            authority_host: pick(ENV_AUTHORITY_HOST, &base.authority_host)?,
            auth: AuthKind::Auto,
            tenant_id: None,
            client_id: None,
        })
    }

    /// The OAuth scope of Log Analytics tokens. The audience is the cloud's
    /// (`https://api.loganalytics.io` for the public cloud, whichever of its
    /// host names the endpoint uses); a custom cloud's is its endpoint; a
    /// loopback emulator gets the public one.
    pub fn scope(&self) -> String {
        let audience = match self.cloud {
            _ if is_loopback(&self.log_analytics) => "https://api.loganalytics.io".to_string(),
            Cloud::AzureCloud => "https://api.loganalytics.io".to_string(),
            Cloud::AzureUSGovernment => "https://api.loganalytics.us".to_string(),
            Cloud::AzureChinaCloud => "https://api.loganalytics.azure.cn".to_string(),
            Cloud::Custom => self.log_analytics.as_str().trim_end_matches('/').to_string(),
        };
        format!("{audience}/.default")
    }

    pub fn authority(&self) -> Authority<'_> {
        Authority {
            host: &self.authority_host,
            tenant_id: self.tenant_id.as_deref(),
            client_id: self.client_id.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: &str = r#"
[workspace]
subscription_id = "00000000-0000-0000-0000-000000000000"
resource_group = "rg"
name = "law"
workspace_id = "AAAAAAAA-0000-0000-0000-000000000001"
cloud = "AzureUSGovernment"
"#;

    #[test]
    fn environments_give_the_workspace_id_and_the_clouds_audience() {
        let t = Target::parse("gov", ENV, &|_| None).unwrap();
        let q = QueryTarget::from_environment(&t, None).unwrap();
        assert_eq!(q.workspace_id.as_str(), "aaaaaaaa-0000-0000-0000-000000000001");
        assert_eq!(q.log_analytics.as_str(), "https://api.loganalytics.us/");
        assert_eq!(q.scope(), "https://api.loganalytics.us/.default");
        let other: WorkspaceId = "bbbbbbbb-0000-0000-0000-000000000002".parse().unwrap();
        assert_eq!(QueryTarget::from_environment(&t, Some(other.clone())).unwrap().workspace_id, other);

        let none =
            Target::parse("x", &ENV.replace("workspace_id = \"AAAAAAAA-0000-0000-0000-000000000001\"", ""), &|_| None)
                .unwrap();
        let err = QueryTarget::from_environment(&none, None).unwrap_err();
        assert!(err.to_string().contains("has no `workspace_id`"), "{err}");
        let bad =
            Target::parse("x", &ENV.replace("AAAAAAAA-0000-0000-0000-000000000001", "law-prod"), &|_| None).unwrap();
        assert!(QueryTarget::from_environment(&bad, None).unwrap_err().to_string().contains("not a workspace id"));
    }

    #[test]
    fn a_bare_workspace_id_uses_the_public_cloud_and_the_overrides() {
        let id: WorkspaceId = "bbbbbbbb-0000-0000-0000-000000000002".parse().unwrap();
        let q = QueryTarget::from_workspace_id(id.clone(), &|_| None).unwrap();
        assert_eq!(q.log_analytics.as_str(), "https://api.loganalytics.azure.com/");
        assert_eq!(q.scope(), "https://api.loganalytics.io/.default");
        let q = QueryTarget::from_workspace_id(id.clone(), &|k| {
            (k == ENV_LOG_ANALYTICS_ENDPOINT).then(|| "http://127.0.0.1:9".into())
        })
        .unwrap();
        assert_eq!(q.log_analytics.as_str(), "http://127.0.0.1:9/");
        assert_eq!(q.scope(), "https://api.loganalytics.io/.default");
        let err = QueryTarget::from_workspace_id(id, &|k| {
            (k == ENV_LOG_ANALYTICS_ENDPOINT).then(|| "http://example.com".into())
        })
        .unwrap_err();
        assert!(err.to_string().contains("https"), "{err}");
    }
}
