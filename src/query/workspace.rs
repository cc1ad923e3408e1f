//! Workspace references of a query: the primary workspace's id, and the
//! extra workspaces of a cross-workspace query (`--workspaces`).
//!
//! The primary workspace goes into the URL path
//! (`/v1/workspaces/{id}/query`), so it must be the workspace (customer) id,
//! a GUID: a workspace *name* there is a 404 that looks like a permissions
//! problem. The extra workspaces travel in the body, where the service also
//! accepts names, qualified names and ARM resource ids.

use std::fmt;
use std::str::FromStr;

/// A Log Analytics workspace (customer) id: a GUID, stored lower-case.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkspaceId(String);

impl WorkspaceId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WorkspaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A GUID in 8-4-4-4-12 hex form, any case.
pub fn is_guid(text: &str) -> bool {
    crate::content::item::is_lower_guid(&text.to_ascii_lowercase())
}

impl FromStr for WorkspaceId {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if is_guid(text) {
            Ok(Self(text.to_ascii_lowercase()))
        } else {
            Err(format!(
                "`{text}` is not a workspace id: expected a GUID such as 11111111-2222-3333-4444-555555555555 \
                 (the Workspace ID on the workspace's Overview page, not its name)"
            ))
        }
    }
}

/// One extra workspace of a cross-workspace query: a workspace id, an ARM
/// resource id (`/subscriptions/…/workspaces/NAME`), or a workspace name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceRef(String);

impl WorkspaceRef {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for WorkspaceRef {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let resource_id = text.to_ascii_lowercase().starts_with("/subscriptions/")
            && text.len() <= 1024
            && !text.chars().any(|c| c.is_whitespace() || c.is_control() || c == ',');
        // Workspace names: 4..63 letters, digits and hyphens (ARM's rule).
        let name = (4..=63).contains(&text.len())
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        if is_guid(text) {
            Ok(Self(text.to_ascii_lowercase()))
        } else if resource_id || name {
            Ok(Self(text.to_string()))
        } else {
            Err(format!(
                "`{text}` is not a workspace: use a workspace id (GUID), an ARM resource id \
                 (/subscriptions/…/workspaces/NAME) or a workspace name"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_guids_and_refs_are_ids_resource_ids_or_names() {
        let id: WorkspaceId = "AAAAAAAA-1111-2222-3333-444444444444".parse().unwrap();
        assert_eq!(id.as_str(), "aaaaaaaa-1111-2222-3333-444444444444");
        for bad in
            ["", "law-sentinel-prod", "aaaaaaaa-1111-2222-3333-44444444444g", "{aaaaaaaa-1111-2222-3333-444444444444}"]
        {
            assert!(bad.parse::<WorkspaceId>().is_err(), "{bad}");
        }
        for good in [
            "aaaaaaaa-1111-2222-3333-444444444444",
            "law-sentinel-prod",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w",
        ] {
            assert!(good.parse::<WorkspaceRef>().is_ok(), "{good}");
        }
        for bad in ["", "a b", "x", "-abc", "name_with_underscore", "/subscriptions/a b"] {
            assert!(bad.parse::<WorkspaceRef>().is_err(), "{bad}");
        }
    }
}
