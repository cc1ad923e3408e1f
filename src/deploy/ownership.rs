//! What this tool owns in a workspace, so `--prune` deletes only that.
//!
//! The knowledge lives in the workspace itself, so any CI runner (or a
//! laptop) sees the same answer and there is no state file to lose:
//!
//! - **Saved searches** carry the tag `managedBy = sentinel-forge`
//!   ([`MANAGED_TAG`]); saved searches support tags natively.
//! - **Alert rules** have no tags. Their ids are recorded in a *manifest*: one
//!   saved search ([`MANIFEST_ID`], category `sentinel-forge`) whose query is a
//!   `datatable` of the managed rule ids.
//!
//! Why a manifest and not a marker in the rule's description: the portal's
//! "Duplicate" action copies the description, so a description marker would
//! make a hand-made copy of a managed rule look managed, and `--prune` would
//! delete a portal-made rule. Copies get a fresh rule id, so an id list never
//! claims them. The manifest is also invisible in the analytics blade and
//! leaves the rule bodies exactly as the content says.
//!
//! Crash safety: the manifest is written *before* any rule is created (old ∪
//! desired ids) and shrunk only *after* deletes succeed, so a run that dies in
//! between leaves at worst an id of a rule that no longer exists, never a
//! created rule that is unknown to the next run.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::deploy::resource::{Resource, ResourceType};

/// Tag on every saved search this tool writes.
pub const MANAGED_TAG: (&str, &str) = ("managedBy", "sentinel-forge");
/// Saved search id of the alert-rule manifest.
pub const MANIFEST_ID: &str = "sentinel-forge-manifest";
pub const MANIFEST_CATEGORY: &str = "sentinel-forge";

/// Add the ownership tag to saved search `properties` (idempotent).
pub fn tag_saved_search(properties: &mut Value) {
    let Some(obj) = properties.as_object_mut() else { return };
    let tags = obj.entry("tags").or_insert_with(|| json!([]));
    if let Value::Array(tags) = tags
        && !tags.iter().any(|t| t.get("name").and_then(Value::as_str) == Some(MANAGED_TAG.0))
    {
        tags.push(json!({"name": MANAGED_TAG.0, "value": MANAGED_TAG.1}));
    }
}

/// Whether an actual resource was made by this tool (for alert rules:
/// listed in `manifest`).
pub fn is_managed(resource: &Resource, manifest: &BTreeSet<String>) -> bool {
    match resource.rtype {
        ResourceType::AlertRule => manifest.contains(&resource.name.to_ascii_lowercase()),
        ResourceType::SavedSearch => {
            !is_manifest(resource)
                && resource.body.pointer("/properties/tags").and_then(Value::as_array).is_some_and(|tags| {
                    tags.iter().any(|t| {
                        t.get("name").and_then(Value::as_str) == Some(MANAGED_TAG.0)
                            && t.get("value").and_then(Value::as_str) == Some(MANAGED_TAG.1)
                    })
                })
        }
    }
}

pub fn is_manifest(resource: &Resource) -> bool {
    resource.rtype == ResourceType::SavedSearch && resource.name.eq_ignore_ascii_case(MANIFEST_ID)
}

/// The managed alert rule ids recorded in a manifest saved search (lowercase).
pub fn manifest_ids(manifest: &Resource) -> BTreeSet<String> {
    let query = manifest.body.pointer("/properties/query").and_then(Value::as_str).unwrap_or("");
    query
        .lines()
        .filter_map(|l| {
            l.trim().trim_end_matches(',').strip_prefix('"')?.strip_suffix('"').map(str::to_ascii_lowercase)
        })
        .collect()
}

/// The manifest saved search listing `ids`.
pub fn manifest_resource(ids: &BTreeSet<String>) -> Resource {
    let mut query = String::from(
        "// Managed by sentinel-forge: the Microsoft Sentinel alert rules it deployed.\n\
         // `sentinel-forge deploy --prune` deletes only rules listed here. Do not edit.\n\
         datatable(ruleId: string) [\n",
    );
    for id in ids {
        query.push_str(&format!("    \"{id}\",\n"));
    }
    query.push(']');
    let properties = json!({
        "category": MANIFEST_CATEGORY,
        "displayName": "sentinel-forge manifest (managed alert rules)",
        "query": query,
        "version": 2,
        "tags": [{"name": MANAGED_TAG.0, "value": MANAGED_TAG.1}],
    });
    Resource {
        rtype: ResourceType::SavedSearch,
        name: MANIFEST_ID.to_string(),
        kind: None,
        body: json!({ "properties": properties }),
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trips() {
        let ids: BTreeSet<String> = ["a-1".to_string(), "b-2".to_string()].into();
        assert_eq!(manifest_ids(&manifest_resource(&ids)), ids);
        assert!(manifest_ids(&manifest_resource(&BTreeSet::new())).is_empty());
    }
}
