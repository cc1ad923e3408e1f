//! The deploy target: which workspace, in which cloud, at which api-versions,
//! read from `content/environments/<name>.toml` (only its `[workspace]`,
//! `[api_versions]` and `[auth]` tables; others such as `[overrides]` belong
//! to the content side and are ignored here).
//!
//! Endpoints come from the `cloud` name or, for `cloud = "Custom"`, from the
//! file; the variables `SENTINEL_FORGE_ARM_ENDPOINT`,
//! `SENTINEL_FORGE_LOG_ANALYTICS_ENDPOINT` and `AZURE_AUTHORITY_HOST`
//! override them. Every endpoint must be `https`, except plain `http` to a
//! loopback address (the emulator).

use std::path::{Path, PathBuf};

use azure_core::http::Url;
use serde::Deserialize;

use crate::deploy::auth::AuthKind;
use crate::deploy::error::DeployError;

pub const ENV_ARM_ENDPOINT: &str = "SENTINEL_FORGE_ARM_ENDPOINT";
pub const ENV_LOG_ANALYTICS_ENDPOINT: &str = "SENTINEL_FORGE_LOG_ANALYTICS_ENDPOINT";
pub const ENV_AUTHORITY_HOST: &str = "AZURE_AUTHORITY_HOST";

/// A named Azure cloud.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
pub enum Cloud {
    #[default]
    AzureCloud,
    AzureUSGovernment,
    AzureChinaCloud,
    Custom,
}

/// Service endpoints of one cloud.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// Azure Resource Manager, e.g. `https://management.azure.com`.
    pub arm: Url,
    /// Log Analytics query API, e.g. `https://api.loganalytics.azure.com`.
    pub log_analytics: Url,
    /// Entra ID authority host, e.g. `https://login.microsoftonline.com`.
    pub authority_host: Url,
}

impl Endpoints {
    pub fn of(cloud: Cloud) -> Option<Self> {
        let (arm, la, auth) = match cloud {
            Cloud::AzureCloud => (
                "https://management.azure.com",
                "https://api.loganalytics.azure.com",
                "https://login.microsoftonline.com",
            ),
            Cloud::AzureUSGovernment => (
                "https://management.usgovcloudapi.net",
                "https://api.loganalytics.us",
                "https://login.microsoftonline.us",
            ),
            Cloud::AzureChinaCloud => (
                "https://management.chinacloudapi.cn",
                "https://api.loganalytics.azure.cn",
                "https://login.chinacloudapi.cn",
            ),
            Cloud::Custom => return None,
        };
        Some(Self {
            arm: Url::parse(arm).expect("static url"),
            log_analytics: Url::parse(la).expect("static url"),
            authority_host: Url::parse(auth).expect("static url"),
        })
    }

    /// The OAuth scope of ARM tokens (`{arm}/.default`).
    pub fn arm_scope(&self) -> String {
        // Tokens for sovereign ARM endpoints use the endpoint as audience;
        // a loopback emulator accepts anything, so use the public audience.
        if is_loopback(&self.arm) {
            "https://management.azure.com/.default".to_string()
        } else {
            format!("{}/.default", self.arm.as_str().trim_end_matches('/'))
        }
    }
}

/// api-versions per resource kind. Scheduled rules at a stable version, NRT
/// rules at a preview one; alert rules are *listed* with the NRT (preview)
/// version, because a stable list silently omits NRT rules.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiVersions {
    #[serde(default = "default_scheduled")]
    pub scheduled: String,
    #[serde(default = "default_nrt")]
    pub nrt: String,
    #[serde(default = "default_saved_searches")]
    pub saved_searches: String,
}

fn default_scheduled() -> String {
    "2025-12-01".into()
}
fn default_nrt() -> String {
    "2025-07-01-preview".into()
}
fn default_saved_searches() -> String {
    "2025-02-01".into()
}

impl Default for ApiVersions {
    fn default() -> Self {
        Self { scheduled: default_scheduled(), nrt: default_nrt(), saved_searches: default_saved_searches() }
    }
}

impl ApiVersions {
    /// The version to list alert rules with (must see NRT rules too).
    pub fn alert_rules_list(&self) -> &str {
        &self.nrt
    }

    /// The version to write one alert rule of `kind` with.
    pub fn alert_rule(&self, kind: &str) -> &str {
        if kind == "Scheduled" { &self.scheduled } else { &self.nrt }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkspaceTable {
    subscription_id: String,
    resource_group: String,
    name: String,
    #[serde(default)]
    workspace_id: Option<String>,
    #[serde(default)]
    cloud: Cloud,
    #[serde(default)]
    arm_endpoint: Option<String>,
    #[serde(default)]
    log_analytics_endpoint: Option<String>,
    #[serde(default)]
    authority_host: Option<String>,
    /// Who owns what this environment deploys (default: the environment's name).
    #[serde(default)]
    owner: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
struct AuthTable {
    #[serde(default)]
    kind: Option<AuthKind>,
    /// Optional tenant/client ids for `github-oidc` / `workload` when the
    /// environment variables are not set.
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct EnvironmentFile {
    workspace: WorkspaceTable,
    #[serde(default)]
    api_versions: ApiVersions,
    #[serde(default)]
    auth: AuthTable,
}

/// One resolved deploy target.
#[derive(Clone, Debug)]
pub struct Target {
    /// The environment name (file stem).
    pub name: String,
    /// The owner of the resources this target deploys: `[workspace] owner`,
    /// else the environment name; lowercase. Prune and drift only ever touch
    /// resources of this owner (see [`crate::deploy::ownership`]).
    pub owner: String,
    pub subscription_id: String,
    pub resource_group: String,
    pub workspace: String,
    /// Log Analytics workspace (customer) id, for queries.
    pub workspace_id: Option<String>,
    pub cloud: Cloud,
    pub endpoints: Endpoints,
    pub api_versions: ApiVersions,
    pub auth: AuthKind,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
}

impl Target {
    /// `content/environments/<name>.toml`.
    pub fn path(content: &Path, name: &str) -> PathBuf {
        content.join("environments").join(format!("{name}.toml"))
    }

    /// Read an environment file, applying the process environment's overrides.
    pub fn load(content: &Path, name: &str) -> Result<Self, DeployError> {
        let path = Self::path(content, name);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| DeployError::config(format!("cannot read environment `{name}` ({}): {e}", path.display())))?;
        Self::parse(name, &text, &|k| std::env::var(k).ok())
    }

    /// Parse an environment file; `var` looks up override variables.
    pub fn parse(name: &str, text: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<Self, DeployError> {
        let file: EnvironmentFile =
            toml::from_str(text).map_err(|e| DeployError::config(format!("environment `{name}`: {e}")))?;
        let ws = file.workspace;
        let base = Endpoints::of(ws.cloud);
        let pick = |file_value: &Option<String>, env: &str, default: Option<&Url>, what: &str| {
            endpoint(var, env, file_value.as_deref(), default, what)?.ok_or_else(|| {
                DeployError::config(format!("environment `{name}`: `{what}` is required when cloud = \"Custom\""))
            })
        };
        let endpoints = Endpoints {
            arm: pick(&ws.arm_endpoint, ENV_ARM_ENDPOINT, base.as_ref().map(|b| &b.arm), "arm_endpoint")?,
            log_analytics: pick(
                &ws.log_analytics_endpoint,
                ENV_LOG_ANALYTICS_ENDPOINT,
                base.as_ref().map(|b| &b.log_analytics),
                "log_analytics_endpoint",
            )?,
            authority_host: pick(
                &ws.authority_host,
                ENV_AUTHORITY_HOST,
                base.as_ref().map(|b| &b.authority_host),
                "authority_host",
            )?,
        };
        for (value, what) in
            [(&ws.subscription_id, "subscription_id"), (&ws.resource_group, "resource_group"), (&ws.name, "name")]
        {
            if value.is_empty() || value.contains(['/', '?', '#']) {
                return Err(DeployError::config(format!("environment `{name}`: invalid workspace `{what}`")));
            }
        }
        let owner = ws.owner.clone().unwrap_or_else(|| name.to_string()).to_ascii_lowercase();
        if !crate::deploy::ownership::valid_owner(&owner) {
            return Err(DeployError::config(format!(
                "environment `{name}`: owner `{owner}` must be 1 to 48 characters of a-z, 0-9, `-`, `_` or `.`"
            )));
        }
        Ok(Self {
            name: name.to_string(),
            owner,
            subscription_id: ws.subscription_id,
            resource_group: ws.resource_group,
            workspace: ws.name,
            workspace_id: ws.workspace_id,
            cloud: ws.cloud,
            endpoints,
            api_versions: file.api_versions,
            auth: file.auth.kind.unwrap_or_default(),
            tenant_id: file.auth.tenant_id,
            client_id: file.auth.client_id,
        })
    }

    /// `/subscriptions/…/workspaces/{name}` (no trailing slash).
    pub fn workspace_path(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.OperationalInsights/workspaces/{}",
            self.subscription_id, self.resource_group, self.workspace
        )
    }
}

/// An endpoint: the override variable `env`, else the file's value, else
/// the cloud's default (`None` when there is none), checked by
/// [`check_endpoint`].
pub fn endpoint(
    var: &dyn Fn(&str) -> Option<String>,
    env: &str,
    file_value: Option<&str>,
    default: Option<&Url>,
    what: &str,
) -> Result<Option<Url>, DeployError> {
    let raw = var(env)
        .filter(|v| !v.is_empty())
        .or_else(|| file_value.map(str::to_string))
        .or_else(|| default.map(Url::to_string));
    raw.map(|r| check_endpoint(&r, what)).transpose()
}

/// Whether a URL points at this machine (127.0.0.0/8, ::1, localhost).
pub fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Parse an endpoint: `https`, or plain `http` to loopback only.
pub fn check_endpoint(raw: &str, what: &str) -> Result<Url, DeployError> {
    let url = Url::parse(raw.trim()).map_err(|e| DeployError::config(format!("`{what}` is not a URL: {e}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(DeployError::config(format!(
            "`{what}` must use https (plain http is allowed for loopback addresses only)"
        ))),
        other => Err(DeployError::config(format!("`{what}` has unsupported scheme `{other}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[workspace]
subscription_id = "00000000-0000-0000-0000-000000000000"
resource_group = "rg"
name = "law"
cloud = "AzureUSGovernment"
[api_versions]
scheduled = "2025-12-01"
nrt = "2025-07-01-preview"
saved_searches = "2025-02-01"
[auth]
kind = "auto"
[overrides]
anything = 1
"#;

    #[test]
    fn sovereign_cloud_endpoints_and_overrides() {
        let t = Target::parse("prod", FILE, &|_| None).unwrap();
        assert_eq!(t.owner, "prod", "the owner defaults to the environment name");
        assert_eq!(t.endpoints.arm.as_str(), "https://management.usgovcloudapi.net/");
        assert_eq!(t.endpoints.authority_host.as_str(), "https://login.microsoftonline.us/");
        let t =
            Target::parse("prod", FILE, &|k| (k == ENV_ARM_ENDPOINT).then(|| "http://127.0.0.1:9/".into())).unwrap();
        assert_eq!(t.endpoints.arm.as_str(), "http://127.0.0.1:9/");
        let err = Target::parse("prod", FILE, &|k| (k == ENV_AUTHORITY_HOST).then(|| "http://example.com".into()))
            .unwrap_err();
        assert!(err.to_string().contains("https"), "{err}");
    }

    #[test]
    fn owner_is_read_and_checked() {
        let with = |owner: &str| FILE.replace("cloud = \"AzureUSGovernment\"", &format!("owner = \"{owner}\""));
        assert_eq!(Target::parse("prod", &with("Team-A"), &|_| None).unwrap().owner, "team-a");
        assert!(Target::parse("prod", &with("a/b"), &|_| None).is_err());
        assert!(Target::parse("prod", &with(""), &|_| None).is_err());
    }

    #[test]
    fn custom_cloud_needs_endpoints() {
        let text = FILE.replace("AzureUSGovernment", "Custom");
        assert!(Target::parse("x", &text, &|_| None).is_err());
        let text = text.replace(
            "cloud = \"Custom\"",
            "cloud = \"Custom\"\narm_endpoint = \"https://arm.example\"\nlog_analytics_endpoint = \"https://la.example\"\nauthority_host = \"https://login.example\"",
        );
        let t = Target::parse("x", &text, &|_| None).unwrap();
        assert_eq!(t.endpoints.arm.as_str(), "https://arm.example/");
    }
}
