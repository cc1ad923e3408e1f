//! api-versions of the ARM resource types content becomes.

/// The api-versions an environment deploys with: they shape the emitted
/// ARM documents, and the environment file (`[api_versions]`) sets them, so
/// they belong to content, below the emitters that read them.
#[derive(Debug, Clone)]
pub struct ApiVersions {
    /// api-version of `Microsoft.OperationalInsights/workspaces/savedSearches`.
    pub saved_searches_api_version: String,
    /// api-version of Scheduled alertRules (a stable one).
    pub scheduled_api_version: String,
    /// api-version of NRT alertRules (NRT exists only in preview versions).
    pub nrt_api_version: String,
}

impl Default for ApiVersions {
    fn default() -> Self {
        Self {
            saved_searches_api_version: "2025-02-01".to_string(),
            scheduled_api_version: "2025-12-01".to_string(),
            nrt_api_version: "2025-07-01-preview".to_string(),
        }
    }
}
