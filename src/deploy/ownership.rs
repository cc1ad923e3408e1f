//! What an *owner* owns in a workspace, so `--prune` and drift touch only
//! that, while other owners (another project, another environment of this
//! one) share the workspace.
//!
//! The knowledge lives in the workspace itself, so any CI runner (or a
//! laptop) sees the same answer and there is no state file to lose:
//!
//! - **Saved searches** carry the tag `managedBy = sentinel-forge:<owner>`
//!   ([`tag_value`]); saved searches support tags natively.
//! - **Alert rules** have no tags. Their ids are recorded in the owner's
//!   *manifest*: one saved search named `sentinel-forge-manifest-<owner>`
//!   ([`manifest_name`], category `sentinel-forge`) whose query is a
//!   `datatable` of the managed rule ids.
//!
//! The owner is `[workspace] owner` of the environment file, else the
//! environment's name. Resources of another owner are *foreign*: listed in
//! the plan, never written or deleted. Resources of no owner are
//! *unmanaged*: a content id that matches one is a plan error unless
//! `deploy --adopt` takes it over. The tag value `sentinel-forge` and the
//! manifest `sentinel-forge-manifest` of versions before owners count as
//! unmanaged, so upgrading is one `deploy --adopt`.
//!
//! Why a manifest and not a marker in the rule's description: the portal's
//! "Duplicate" action copies the description, so a description marker would
//! make a hand-made copy of a managed rule look managed, and `--prune` would
//! delete a portal-made rule. Copies get a fresh rule id, so an id list never
//! claims them. The manifest is also invisible in the analytics blade and
//! leaves the rule bodies exactly as the content says.
//!
//! Fail closed: a manifest that cannot be read (edited by hand into
//! something that is not the `datatable` written here), or that is missing
//! while saved searches tagged with its owner exist, is an error naming the
//! saved search and `deploy --repair-manifest` ([`repaired_ids`]); it is
//! never overwritten with only the ids of the current content, which would
//! orphan every rule that already left it.
//!
//! Crash safety: the manifest is written *before* any rule is created (old ∪
//! desired ids) and shrunk only *after* deletes succeed, so a run that dies in
//! between leaves at worst an id of a rule that no longer exists, never a
//! created rule that is unknown to the next run. Every manifest write is
//! conditional on the etag read (see [`crate::deploy::apply`]), so two runs
//! at once merge instead of the last one winning.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::deploy::error::{DeployError, DeployErrorKind};
use crate::deploy::resource::{Resource, ResourceType};

/// Name of the ownership tag on every saved search this tool writes.
pub const MANAGED_TAG: &str = "managedBy";
/// The tag value before owners existed (read as unmanaged).
pub const LEGACY_TAG_VALUE: &str = "sentinel-forge";
/// Saved search name of the manifest before owners existed.
pub const LEGACY_MANIFEST: &str = "sentinel-forge-manifest";
const MANIFEST_PREFIX: &str = "sentinel-forge-manifest-";
pub const MANIFEST_CATEGORY: &str = "sentinel-forge";

/// An owner name: 1 to 48 of `a-z 0-9 - _ .` (it becomes part of a saved
/// search name and a tag value).
pub fn valid_owner(owner: &str) -> bool {
    (1..=48).contains(&owner.len())
        && owner.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
}

/// `sentinel-forge:<owner>`.
pub fn tag_value(owner: &str) -> String {
    format!("{LEGACY_TAG_VALUE}:{owner}")
}

/// `sentinel-forge-manifest-<owner>`.
pub fn manifest_name(owner: &str) -> String {
    format!("{MANIFEST_PREFIX}{owner}")
}

/// Set the ownership tag of saved search `properties` to `owner` (replacing
/// another owner's or the legacy value: adopting is rewriting the tag).
pub fn tag_saved_search(properties: &mut Value, owner: &str) {
    let Some(obj) = properties.as_object_mut() else { return };
    let tags = obj.entry("tags").or_insert_with(|| json!([]));
    if let Value::Array(tags) = tags {
        tags.retain(|t| t.get("name").and_then(Value::as_str) != Some(MANAGED_TAG));
        tags.push(json!({"name": MANAGED_TAG, "value": tag_value(owner)}));
    }
}

/// The owner named by a saved search's tag (`None`: untagged or legacy).
pub fn saved_search_owner(resource: &Resource) -> Option<String> {
    let tags = resource.body.pointer("/properties/tags").and_then(Value::as_array)?;
    tags.iter().find_map(|t| {
        (t.get("name").and_then(Value::as_str) == Some(MANAGED_TAG))
            .then(|| t.get("value").and_then(Value::as_str))
            .flatten()
            .and_then(|v| v.strip_prefix(LEGACY_TAG_VALUE)?.strip_prefix(':'))
            .map(str::to_ascii_lowercase)
    })
}

/// Whether a saved search is a manifest (of any owner, or the legacy one).
pub fn is_manifest(resource: &Resource) -> bool {
    let name = resource.name.to_ascii_lowercase();
    resource.rtype == ResourceType::SavedSearch && (name.starts_with(MANIFEST_PREFIX) || name == LEGACY_MANIFEST)
}

/// The owner of a manifest (`None` for the legacy one).
pub fn manifest_owner(resource: &Resource) -> Option<String> {
    resource.name.to_ascii_lowercase().strip_prefix(MANIFEST_PREFIX).map(str::to_string)
}

/// The alert rule ids a manifest's query lists (lowercase), or why it
/// cannot be read. Layout is free (one line or many, `//` comments), the
/// shape is not: `datatable(ruleId: string) [ "id", … ]`.
pub fn parse_manifest_query(query: &str) -> Result<BTreeSet<String>, String> {
    let code: String = query.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let mut rest = code.trim();
    for token in ["datatable", "(", "ruleId", ":", "string", ")", "["] {
        rest = rest
            .strip_prefix(token)
            .ok_or_else(|| format!("expected `{token}` at `{}`", rest.chars().take(20).collect::<String>()))?
            .trim_start();
    }
    let mut ids = BTreeSet::new();
    loop {
        if let Some(tail) = rest.strip_prefix(']') {
            return if tail.trim().is_empty() { Ok(ids) } else { Err("text after the closing `]`".into()) };
        }
        let body = rest.strip_prefix('"').ok_or("expected a quoted rule id or `]`")?;
        let end = body.find('"').ok_or("unterminated string")?;
        let id = &body[..end];
        if id.is_empty() || id.contains(['\\', '/', '?', '#', '\n']) {
            return Err(format!("`{id}` is not a rule id"));
        }
        ids.insert(id.to_ascii_lowercase());
        rest = body[end + 1..].trim_start();
        rest = rest.strip_prefix(',').map_or(rest, str::trim_start);
    }
}

/// The ids of a manifest saved search, or the fail-closed error naming it.
pub fn manifest_ids(manifest: &Resource) -> Result<BTreeSet<String>, DeployError> {
    let query = manifest.body.pointer("/properties/query").and_then(Value::as_str).unwrap_or("");
    parse_manifest_query(query).map_err(|why| {
        DeployError::new(
            DeployErrorKind::Manifest,
            format!(
                "the ownership manifest (saved search `{}`) cannot be read: {why}; nothing was changed. \
                 Rebuild it from the workspace and the content with `deploy --repair-manifest`",
                manifest.name
            ),
        )
    })
}

/// The manifest saved search of `owner` listing `ids`.
pub fn manifest_resource(owner: &str, ids: &BTreeSet<String>) -> Resource {
    let mut query = format!(
        "// Managed by sentinel-forge (owner `{owner}`): the Microsoft Sentinel alert rules it deployed.\n\
         // `sentinel-forge deploy --prune` deletes only rules listed here. Do not edit.\n\
         datatable(ruleId: string) [\n"
    );
    for id in ids {
        query.push_str(&format!("    \"{id}\",\n"));
    }
    query.push(']');
    let properties = json!({
        "category": MANIFEST_CATEGORY,
        "displayName": format!("sentinel-forge manifest of `{owner}` (managed alert rules)"),
        "query": query,
        "version": 2,
        "tags": [{"name": MANAGED_TAG, "value": tag_value(owner)}],
    });
    Resource {
        rtype: ResourceType::SavedSearch,
        name: manifest_name(owner),
        kind: None,
        body: json!({ "properties": properties }),
        source: None,
    }
}

/// Who a workspace resource belongs to, from one owner's point of view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    Own,
    /// Another owner's (its name).
    Foreign(String),
    Unmanaged,
}

/// The ownership facts of one workspace for one owner.
#[derive(Clone, Debug, Default)]
pub struct Ownership {
    pub owner: String,
    /// Alert rule ids in this owner's manifest (lowercase).
    pub own_rules: BTreeSet<String>,
    /// Alert rule id → owner, from the other owners' readable manifests.
    pub foreign_rules: BTreeMap<String, String>,
    /// This owner's manifest as read (`None`: there is none).
    pub manifest: Option<Resource>,
}

impl Ownership {
    /// Read ownership from the listed saved searches. Fails closed on an
    /// unreadable manifest of `owner`, or a missing one while saved searches
    /// tagged with `owner` exist (the manifest is written on every deploy, so
    /// tagged resources without one mean it was deleted). Another owner's
    /// unreadable manifest only hides its rules from the foreign list.
    pub fn read(owner: &str, saved_searches: &[Resource]) -> Result<Self, DeployError> {
        let mut out = Self { owner: owner.to_string(), ..Self::default() };
        for r in saved_searches.iter().filter(|r| is_manifest(r)) {
            match manifest_owner(r) {
                Some(o) if o == owner => {
                    out.own_rules = manifest_ids(r)?;
                    out.manifest = Some(r.clone());
                }
                Some(o) => {
                    for id in manifest_ids(r).unwrap_or_default() {
                        out.foreign_rules.insert(id, o.clone());
                    }
                }
                None => {}
            }
        }
        if out.manifest.is_none()
            && let Some(tagged) =
                saved_searches.iter().find(|r| !is_manifest(r) && saved_search_owner(r).as_deref() == Some(owner))
        {
            return Err(DeployError::new(
                DeployErrorKind::Manifest,
                format!(
                    "the ownership manifest (saved search `{}`) is missing although saved searches of owner \
                     `{owner}` exist (e.g. `{}`); nothing was changed. Rebuild it from the workspace and the \
                     content with `deploy --repair-manifest`",
                    manifest_name(owner),
                    tagged.name
                ),
            ));
        }
        Ok(out)
    }

    pub fn claim(&self, r: &Resource) -> Claim {
        let owner = match r.rtype {
            ResourceType::AlertRule => {
                let id = r.name.to_ascii_lowercase();
                if self.own_rules.contains(&id) {
                    return Claim::Own;
                }
                self.foreign_rules.get(&id).cloned()
            }
            ResourceType::SavedSearch => match (is_manifest(r), manifest_owner(r)) {
                (true, Some(o)) => Some(o),
                (true, None) => None,
                (false, _) => saved_search_owner(r),
            },
        };
        match owner {
            Some(o) if o == self.owner => Claim::Own,
            Some(o) => Claim::Foreign(o),
            None => Claim::Unmanaged,
        }
    }
}

/// `deploy --repair-manifest`: the alert rule ids to record for `owner` when
/// its manifest is unreadable or missing: the content's rule ids that exist
/// in the workspace and belong to no other owner, plus every rule id still
/// legible in the broken manifest (quoted strings) that exists. Rules that
/// left the content and are not legible there cannot be recovered.
pub fn repaired_ids(
    owner: &str,
    saved_searches: &[Resource],
    alert_rules: &[Resource],
    desired: &[Resource],
) -> BTreeSet<String> {
    let existing: BTreeSet<String> = alert_rules.iter().map(|r| r.name.to_ascii_lowercase()).collect();
    let mut foreign = BTreeSet::new();
    let mut legible = BTreeSet::new();
    for r in saved_searches.iter().filter(|r| is_manifest(r)) {
        let query = r.body.pointer("/properties/query").and_then(Value::as_str).unwrap_or("");
        match manifest_owner(r) {
            Some(o) if o == owner => {
                legible.extend(query.split('"').skip(1).step_by(2).map(str::to_ascii_lowercase));
            }
            Some(_) => foreign.extend(parse_manifest_query(query).unwrap_or_default()),
            None => {}
        }
    }
    let content = desired.iter().filter(|d| d.rtype == ResourceType::AlertRule).map(|d| d.name.to_ascii_lowercase());
    content.chain(legible).filter(|id| existing.contains(id) && !foreign.contains(id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trips_in_any_layout() {
        let ids: BTreeSet<String> = ["a-1".to_string(), "b-2".to_string()].into();
        assert_eq!(manifest_ids(&manifest_resource("o", &ids)).unwrap(), ids);
        assert!(manifest_ids(&manifest_resource("o", &BTreeSet::new())).unwrap().is_empty());
        assert_eq!(parse_manifest_query(r#"datatable(ruleId:string)["A-1","b-2"]"#).unwrap(), ids);
        assert_eq!(
            parse_manifest_query("// c\ndatatable ( ruleId : string ) [\n \"a-1\" , // x\n \"b-2\" ]").unwrap(),
            ids
        );
    }

    #[test]
    fn an_unreadable_manifest_is_an_error_not_an_empty_set() {
        for broken in ["", "print 1", "datatable(ruleId: string) [\"a\", b]", "datatable(ruleId: string) [\"a\""] {
            assert!(parse_manifest_query(broken).is_err(), "{broken:?}");
        }
        let mut m = manifest_resource("o", &["x".to_string()].into());
        m.body["properties"]["query"] = json!("print 1");
        let err = Ownership::read("o", &[m]).unwrap_err().to_string();
        assert!(err.contains("sentinel-forge-manifest-o") && err.contains("--repair-manifest"), "{err}");
    }

    #[test]
    fn owners_are_kept_apart() {
        let mine = manifest_resource("a", &["r1".to_string()].into());
        let theirs = manifest_resource("b", &["r2".to_string()].into());
        let o = Ownership::read("a", &[mine, theirs]).unwrap();
        let rule = |n: &str| Resource {
            rtype: ResourceType::AlertRule,
            name: n.into(),
            kind: None,
            body: json!({}),
            source: None,
        };
        assert_eq!(o.claim(&rule("R1")), Claim::Own);
        assert_eq!(o.claim(&rule("r2")), Claim::Foreign("b".into()));
        assert_eq!(o.claim(&rule("r3")), Claim::Unmanaged);
        let mut ss = rule("h");
        ss.rtype = ResourceType::SavedSearch;
        ss.body = json!({"properties": {}});
        tag_saved_search(&mut ss.body["properties"], "b");
        assert_eq!(o.claim(&ss), Claim::Foreign("b".into()));
        tag_saved_search(&mut ss.body["properties"], "a");
        assert_eq!(o.claim(&ss), Claim::Own);
        assert_eq!(ss.body["properties"]["tags"].as_array().unwrap().len(), 1, "the tag is replaced");
        ss.body["properties"]["tags"] = json!([{"name": "managedBy", "value": "sentinel-forge"}]);
        assert_eq!(o.claim(&ss), Claim::Unmanaged, "the legacy tag names no owner");
    }

    #[test]
    fn a_missing_manifest_with_tagged_searches_fails_closed() {
        let mut ss = Resource {
            rtype: ResourceType::SavedSearch,
            name: "h".into(),
            kind: None,
            body: json!({"properties": {}}),
            source: None,
        };
        tag_saved_search(&mut ss.body["properties"], "a");
        assert!(Ownership::read("a", std::slice::from_ref(&ss)).is_err());
        assert!(Ownership::read("b", &[ss]).is_ok(), "another owner's searches say nothing about ours");
    }
}
