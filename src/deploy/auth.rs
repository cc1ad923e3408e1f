//! Credentials: which [`TokenCredential`] a deploy uses (`--auth`).
//!
//! `auto` looks at the environment, in this order: a client secret
//! (`AZURE_TENANT_ID` + `AZURE_CLIENT_ID` + `AZURE_CLIENT_SECRET`), a workload
//! identity token file (`AZURE_FEDERATED_TOKEN_FILE`), the GitHub Actions OIDC
//! request variables (`ACTIONS_ID_TOKEN_REQUEST_URL` + `_TOKEN`), a managed
//! identity endpoint (`IDENTITY_ENDPOINT` / `MSI_ENDPOINT`), and falls back to
//! the Azure CLI. (A VM's IMDS has no variable: pass `--auth managed` there.)
//!
//! Every credential authenticates against the target's authority host (its
//! cloud, or `AZURE_AUTHORITY_HOST`). Tokens and secrets are wrapped in
//! [`Secret`] and never formatted; [`redact`] scrubs the known secret values
//! from any error text as a second line of defence.

use std::sync::Arc;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientMethodOptions, ClientOptions, Context, Method, Request, Url};
use azure_core::time::{Duration, OffsetDateTime};
use azure_identity::{
    AzureCliCredential, ClientAssertion, ClientAssertionCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use serde::Deserialize;

use crate::deploy::error::{DeployError, DeployErrorKind};
use crate::deploy::target::Target;
use crate::deploy::transport::Transport;

pub const ENV_TOKEN: &str = "SENTINEL_FORGE_TOKEN";
const SECRET_VARS: &[&str] = &["AZURE_CLIENT_SECRET", ENV_TOKEN, "ACTIONS_ID_TOKEN_REQUEST_TOKEN"];

/// How to obtain tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum AuthKind {
    /// Pick from the environment (secret → workload → GitHub OIDC → managed → CLI)
    #[default]
    Auto,
    /// The Azure CLI's signed-in account (`az login`)
    Cli,
    /// Service principal: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET
    Secret,
    /// Workload identity: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE
    Workload,
    /// Managed identity (AZURE_CLIENT_ID selects a user-assigned one)
    Managed,
    /// GitHub Actions OIDC federated credential (needs `permissions: id-token: write`)
    GithubOidc,
    /// A bearer token from SENTINEL_FORGE_TOKEN
    Token,
}

impl AuthKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Cli => "cli",
            Self::Secret => "secret",
            Self::Workload => "workload",
            Self::Managed => "managed",
            Self::GithubOidc => "github-oidc",
            Self::Token => "token",
        }
    }
}

/// Environment lookups, injectable for tests.
pub type VarFn<'a> = &'a dyn Fn(&str) -> Option<String>;

fn present(var: VarFn<'_>, name: &str) -> bool {
    var(name).is_some_and(|v| !v.is_empty())
}

/// The concrete kind `auto` resolves to in this environment.
pub fn resolve_auto(var: VarFn<'_>) -> AuthKind {
    if ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"].iter().all(|n| present(var, n)) {
        AuthKind::Secret
    } else if present(var, "AZURE_FEDERATED_TOKEN_FILE") {
        AuthKind::Workload
    } else if present(var, "ACTIONS_ID_TOKEN_REQUEST_URL") && present(var, "ACTIONS_ID_TOKEN_REQUEST_TOKEN") {
        AuthKind::GithubOidc
    } else if present(var, "IDENTITY_ENDPOINT") || present(var, "MSI_ENDPOINT") {
        AuthKind::Managed
    } else {
        AuthKind::Cli
    }
}

/// What a credential needs to know about where it is used: the authority
/// host of the cloud, and the tenant and client ids when the environment
/// file names them. Deploys take it from their [`Target`]; `run
/// --workspace-id` builds it without an environment file.
#[derive(Clone, Copy, Debug)]
pub struct Authority<'a> {
    pub host: &'a Url,
    pub tenant_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
}

impl<'a> From<&'a Target> for Authority<'a> {
    fn from(target: &'a Target) -> Self {
        Self {
            host: &target.endpoints.authority_host,
            tenant_id: target.tenant_id.as_deref(),
            client_id: target.client_id.as_deref(),
        }
    }
}

/// Build the credential for `kind` (after resolving `auto`); returns the
/// concrete kind used, for the log line.
pub fn credential<'a>(
    kind: AuthKind,
    authority: impl Into<Authority<'a>>,
    transport: &Transport,
    var: VarFn<'_>,
) -> Result<(AuthKind, Arc<dyn TokenCredential>), DeployError> {
    let authority = authority.into();
    let kind = if kind == AuthKind::Auto { resolve_auto(var) } else { kind };
    let need = |name: &str| -> Result<String, DeployError> {
        var(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            DeployError::new(DeployErrorKind::Auth, format!("--auth {} needs the variable {name}", kind.name()))
        })
    };
    let tenant = || authority.tenant_id.map(|t| Ok(t.to_string())).unwrap_or_else(|| need("AZURE_TENANT_ID"));
    let client = || authority.client_id.map(|c| Ok(c.to_string())).unwrap_or_else(|| need("AZURE_CLIENT_ID"));
    let client_options = credential_client_options(authority.host, transport);
    let cred: Arc<dyn TokenCredential> = match kind {
        AuthKind::Token => Arc::new(StaticToken(Secret::new(need(ENV_TOKEN)?))),
        AuthKind::Secret => ClientSecretCredential::new(
            &tenant()?,
            client()?,
            Secret::new(need("AZURE_CLIENT_SECRET")?),
            Some(ClientSecretCredentialOptions { client_options }),
        )
        .map_err(auth_error)?,
        AuthKind::Workload => WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
            credential_options: ClientAssertionCredentialOptions { client_options },
            client_id: Some(client()?),
            tenant_id: Some(tenant()?),
            token_file_path: Some(need("AZURE_FEDERATED_TOKEN_FILE")?.into()),
        }))
        .map_err(auth_error)?,
        AuthKind::GithubOidc => {
            let assertion = GitHubOidcAssertion {
                request_url: need("ACTIONS_ID_TOKEN_REQUEST_URL")?,
                request_token: Secret::new(need("ACTIONS_ID_TOKEN_REQUEST_TOKEN")?),
                pipeline: azure_core::http::Pipeline::new(
                    option_env!("CARGO_PKG_NAME"),
                    option_env!("CARGO_PKG_VERSION"),
                    ClientOptions { transport: Some(transport.as_sdk_transport()), ..Default::default() },
                    Vec::new(),
                    Vec::new(),
                    None,
                ),
            };
            ClientAssertionCredential::new(
                tenant()?,
                client()?,
                assertion,
                Some(ClientAssertionCredentialOptions { client_options }),
            )
            .map_err(auth_error)?
        }
        AuthKind::Managed => ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
            user_assigned_id: var("AZURE_CLIENT_ID").filter(|v| !v.is_empty()).map(UserAssignedId::ClientId),
            client_options,
        }))
        .map_err(auth_error)?,
        AuthKind::Cli | AuthKind::Auto => AzureCliCredential::new(None).map_err(auth_error)?,
    };
    Ok((kind, cred))
}

/// Client options for credentials: our transport (loopback `http` support)
/// and the target's authority host.
fn credential_client_options(authority_host: &Url, transport: &Transport) -> ClientOptions {
    let mut custom = CustomConfiguration::default();
    custom.authority_host = transport.sdk_url(authority_host).as_str().trim_end_matches('/').to_string();
    ClientOptions {
        transport: Some(transport.as_sdk_transport()),
        cloud: Some(Arc::new(CloudConfiguration::Custom(custom))),
        retry: azure_core::http::RetryOptions::exponential(azure_core::http::ExponentialRetryOptions {
            max_retries: 3,
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub fn auth_error(e: azure_core::Error) -> DeployError {
    DeployError::new(DeployErrorKind::Auth, redact(&format!("authentication failed: {e}")))
}

/// Replace the values of the secret-bearing variables in `text`.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for name in SECRET_VARS {
        if let Ok(v) = std::env::var(name)
            && v.len() >= 4
        {
            out = out.replace(&v, "[redacted]");
        }
    }
    out
}

/// `--auth token`: a fixed bearer token.
struct StaticToken(Secret);

impl std::fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticToken")
    }
}

#[async_trait::async_trait]
impl TokenCredential for StaticToken {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        Ok(AccessToken::new(Secret::new(self.0.secret().to_string()), OffsetDateTime::now_utc() + Duration::hours(1)))
    }
}

/// The GitHub Actions ID token as a client assertion: `GET
/// $ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange` with the
/// request token as bearer; fetched afresh for every token request (the ID
/// token lives minutes).
struct GitHubOidcAssertion {
    request_url: String,
    request_token: Secret,
    pipeline: azure_core::http::Pipeline,
}

impl std::fmt::Debug for GitHubOidcAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GitHubOidcAssertion")
    }
}

pub const GITHUB_AUDIENCE: &str = "api://AzureADTokenExchange";

#[async_trait::async_trait]
impl ClientAssertion for GitHubOidcAssertion {
    async fn secret(&self, _options: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let mut url = Url::parse(&self.request_url)?;
        url.query_pairs_mut().append_pair("audience", GITHUB_AUDIENCE);
        let mut req = Request::new(url, Method::Get);
        req.insert_header("authorization", format!("bearer {}", self.request_token.secret()));
        req.insert_header("accept", "application/json");
        let resp = self.pipeline.send(&Context::new(), &mut req, None).await?;
        #[derive(Deserialize)]
        struct IdToken {
            value: String,
        }
        let token: IdToken = resp.into_body().json()?;
        Ok(token.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The environment-file schema offers exactly the auth kinds `[auth] kind` accepts.
    #[test]
    fn environment_schema_lists_every_auth_kind() {
        use clap::ValueEnum;
        let kinds: Vec<&str> = AuthKind::value_variants().iter().map(|k| k.name()).collect();
        assert_eq!(kinds, crate::content::schema::AUTH_KINDS);
    }

    #[test]
    fn auto_follows_the_documented_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let secret = env(&[("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c"), ("AZURE_CLIENT_SECRET", "s")]);
        assert_eq!(resolve_auto(&secret), AuthKind::Secret);
        let wl = env(&[("AZURE_FEDERATED_TOKEN_FILE", "/f"), ("ACTIONS_ID_TOKEN_REQUEST_URL", "u")]);
        assert_eq!(resolve_auto(&wl), AuthKind::Workload);
        let gh = env(&[("ACTIONS_ID_TOKEN_REQUEST_URL", "u"), ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "t")]);
        assert_eq!(resolve_auto(&gh), AuthKind::GithubOidc);
        assert_eq!(resolve_auto(&env(&[("IDENTITY_ENDPOINT", "x")])), AuthKind::Managed);
        assert_eq!(resolve_auto(&env(&[])), AuthKind::Cli);
    }
}
