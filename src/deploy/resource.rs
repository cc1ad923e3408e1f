//! Desired and actual resources, in one shape for both resource types.

use std::fmt;

use serde_json::{Map, Value, json};

use crate::emit::Document;

/// The two ARM resource types this tool deploys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ResourceType {
    /// `Microsoft.SecurityInsights/alertRules` (analytic rules: Scheduled, NRT).
    AlertRule,
    /// `Microsoft.OperationalInsights/workspaces/savedSearches` (hunting queries).
    SavedSearch,
}

impl ResourceType {
    /// From an ARM template resource `type`.
    pub fn from_arm_type(t: &str) -> Option<Self> {
        let t = t.to_ascii_lowercase();
        if t.ends_with("/alertrules") {
            Some(Self::AlertRule)
        } else if t.ends_with("/savedsearches") {
            Some(Self::SavedSearch)
        } else {
            None
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::AlertRule => "alertRule",
            Self::SavedSearch => "savedSearch",
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One resource: desired (from content) or actual (from the workspace).
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub rtype: ResourceType,
    /// The resource name (rule id / saved search id), as in the URL.
    pub name: String,
    /// `kind` of an alert rule (`Scheduled`, `NRT`, …).
    pub kind: Option<String>,
    /// The request/response body: `{kind?, etag?, properties}` (+ read-only
    /// fields on actual resources).
    pub body: Value,
    /// Where a desired resource comes from (`arm/analytics/x.json`).
    pub source: Option<String>,
}

impl Resource {
    pub fn display_name(&self) -> &str {
        self.body.pointer("/properties/displayName").and_then(Value::as_str).unwrap_or("")
    }

    /// The key resources are matched by (ARM names are case-insensitive).
    pub fn key(&self) -> (ResourceType, String) {
        (self.rtype, self.name.to_ascii_lowercase())
    }

    /// The `etag` of an actual resource.
    pub fn etag(&self) -> Option<&str> {
        self.body.get("etag").and_then(Value::as_str)
    }

    /// An actual resource from a GET/list body.
    pub fn from_arm(rtype: ResourceType, body: Value) -> Option<Self> {
        let name = body.get("name").and_then(Value::as_str).map(str::to_string).or_else(|| {
            body.get("id").and_then(Value::as_str).and_then(|id| id.rsplit('/').next()).map(str::to_string)
        })?;
        let kind = body.get("kind").and_then(Value::as_str).map(str::to_string);
        Some(Self { rtype, name, kind, body, source: None })
    }
}

/// Problems turning documents into resources (a bug upstream, or a
/// hand-made document in a test).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct DocumentError {
    pub path: String,
    pub message: String,
}

/// The desired state: `resources[0]` of every per-item ARM document
/// (`arm/hunting/*`, `arm/analytics/*`). The plan adds the owner's tag to
/// saved searches ([`crate::deploy::ownership::tag_saved_search`]).
pub fn documents_to_resources(documents: &[Document]) -> Result<Vec<Resource>, DocumentError> {
    let mut out = Vec::new();
    for doc in documents {
        if !(doc.path.starts_with("arm/hunting/") || doc.path.starts_with("arm/analytics/")) {
            continue;
        }
        let err = |message: &str| DocumentError { path: doc.path.clone(), message: message.to_string() };
        let res = doc.json.pointer("/resources/0").ok_or_else(|| err("no resources[0]"))?;
        let rtype = res
            .get("type")
            .and_then(Value::as_str)
            .and_then(ResourceType::from_arm_type)
            .ok_or_else(|| err("resources[0].type is neither alertRules nor savedSearches"))?;
        let name = res
            .get("name")
            .and_then(Value::as_str)
            .and_then(name_from_template)
            .ok_or_else(|| err("resources[0].name is not `[concat(parameters('workspace'), '/…/<id>')]`"))?;
        let properties = res.get("properties").cloned().ok_or_else(|| err("resources[0] has no properties"))?;
        let kind = res.get("kind").and_then(Value::as_str).map(str::to_string);
        out.push(desired(rtype, name, kind, properties, Some(doc.path.clone())));
    }
    out.sort_by_key(Resource::key);
    Ok(out)
}

/// Build a desired resource.
pub fn desired(
    rtype: ResourceType,
    name: String,
    kind: Option<String>,
    properties: Value,
    source: Option<String>,
) -> Resource {
    let mut body = Map::new();
    if let Some(k) = &kind {
        body.insert("kind".into(), json!(k));
    }
    body.insert("properties".into(), properties);
    Resource { rtype, name, kind, body: Value::Object(body), source }
}

/// `[concat(parameters('workspace'), '/Microsoft.SecurityInsights/<id>')]` → `<id>`.
fn name_from_template(expr: &str) -> Option<String> {
    let inner = expr.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    let last = inner.strip_suffix("')")?;
    let id = last.rsplit('/').next()?.trim();
    (!id.is_empty() && !id.contains(['\'', '(', ')', ',', ' '])).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_arm_expressions() {
        assert_eq!(name_from_template("[concat(parameters('workspace'), '/55e2')]").as_deref(), Some("55e2"));
        assert_eq!(
            name_from_template("[concat(parameters('workspace'),'/Microsoft.SecurityInsights/ab-c')]").as_deref(),
            Some("ab-c")
        );
        assert_eq!(name_from_template("plain"), None);
    }
}
