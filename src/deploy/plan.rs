//! Desired vs actual → a plan for one owner: create / update (with the
//! changed fields) / replace (a kind change) / adopt / unchanged / delete.
//! Deletes are planned for this owner's resources that left the content;
//! they are applied only with `--prune`. Other owners' resources are listed
//! as foreign; a content id that exists and is not ours blocks the plan.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use serde_json::Value;

use crate::deploy::error::DeployError;
use crate::deploy::normalize::{changed_fields, comparable};
use crate::deploy::ownership::{self, Claim, Ownership};
use crate::deploy::resource::{Resource, ResourceType};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    /// A kind change (Scheduled ↔ NRT), which the service refuses in place:
    /// delete, then create.
    Replace,
    /// An unmanaged resource with a content id, taken over (`--adopt`).
    Adopt,
    Delete,
    Unchanged,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Replace => "replace (delete + create)",
            Self::Adopt => "adopt",
            Self::Delete => "delete",
            Self::Unchanged => "unchanged",
        }
    }

    pub fn is_write(self) -> bool {
        self != Self::Unchanged
    }
}

/// One planned change.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub action: Action,
    #[serde(rename = "type")]
    pub rtype: ResourceType,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(rename = "displayName")]
    pub display_name: String,
    /// Changed fields of an update (dotted paths).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Content document of a create/update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Body to PUT (create/update/replace/adopt).
    #[serde(skip)]
    pub body: Option<Value>,
    /// The etag read at plan time (writes and deletes are conditional on it).
    #[serde(skip)]
    pub etag: Option<String>,
    /// The kind read at plan time (a replace deletes at its api-version).
    #[serde(skip)]
    pub actual_kind: Option<String>,
}

/// A workspace resource of another owner: listed, never touched.
#[derive(Clone, Debug, Serialize)]
pub struct Foreign {
    #[serde(rename = "type")]
    pub rtype: ResourceType,
    pub name: String,
    #[serde(rename = "displayName")]
    pub display_name: String,
    pub owner: String,
}

/// A content resource the plan may not write (a plan error).
#[derive(Clone, Debug, Serialize)]
pub struct Blocked {
    #[serde(rename = "type")]
    pub rtype: ResourceType,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(rename = "displayName")]
    pub display_name: String,
    pub reason: String,
}

/// What the workspace holds, as read by the client.
#[derive(Clone, Debug, Default)]
pub struct Actual {
    pub alert_rules: Vec<Resource>,
    pub saved_searches: Vec<Resource>,
}

/// How to plan.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// Whose resources prune and drift consider ([`crate::deploy::target::Target::owner`]).
    pub owner: String,
    /// Take over unmanaged resources whose id the content uses.
    pub adopt: bool,
    /// Rebuild an unreadable or missing manifest ([`ownership::repaired_ids`]).
    pub repair_manifest: bool,
}

impl PlanOptions {
    pub fn new(owner: impl Into<String>) -> Self {
        Self { owner: owner.into(), adopt: false, repair_manifest: false }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub owner: String,
    pub changes: Vec<Change>,
    /// Resources of other owners, never touched.
    pub foreign: Vec<Foreign>,
    /// Content resources that exist and are not ours: the plan cannot be applied.
    pub blocked: Vec<Blocked>,
    /// Alert rule ids the repaired manifest records (`--repair-manifest`).
    #[serde(rename = "repairedManifest", skip_serializing_if = "Option::is_none")]
    pub repaired_manifest: Option<usize>,
    /// Managed alert rule ids recorded in the workspace before this run.
    #[serde(skip)]
    pub manifest_before: BTreeSet<String>,
    /// Alert rule ids of the desired content.
    #[serde(skip)]
    pub desired_alert_rules: BTreeSet<String>,
    /// Recorded alert rule ids that are neither in the content nor in the
    /// workspace (a deleted rule whose manifest update failed, or a rule
    /// deleted in the portal): `--prune` forgets them.
    #[serde(skip)]
    pub gone_alert_rules: BTreeSet<String>,
    /// The owner's manifest saved search as read (`None` when there is
    /// none); apply rewrites it only when its content would change, on the
    /// condition that its etag is still this one.
    #[serde(skip)]
    pub manifest_body: Option<Value>,
    /// When the workspace was read (apply refuses a plan older than a bound).
    #[serde(skip)]
    pub read_at: Instant,
}

impl Plan {
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }

    pub fn has_drift(&self) -> bool {
        self.changes.iter().any(|c| c.action.is_write()) || !self.blocked.is_empty()
    }

    pub fn manifest_etag(&self) -> Option<&str> {
        self.manifest_body.as_ref().and_then(|b| b.get("etag")).and_then(Value::as_str)
    }

    /// The writes of the plan, comparable across two plans (re-plan check).
    pub fn writes(&self) -> Vec<(Action, ResourceType, String)> {
        self.changes.iter().filter(|c| c.action.is_write()).map(|c| (c.action, c.rtype, c.name.clone())).collect()
    }
}

/// Compare desired and actual for one owner. Fails closed on an unreadable
/// or missing manifest (unless `repair_manifest`).
pub fn plan(desired: &[Resource], actual: &Actual, options: &PlanOptions) -> Result<Plan, DeployError> {
    let owner = options.owner.as_str();
    let (ownership, repaired) = match Ownership::read(owner, &actual.saved_searches) {
        Ok(o) => (o, None),
        Err(e) if options.repair_manifest && e.kind == crate::deploy::DeployErrorKind::Manifest => {
            let ids = ownership::repaired_ids(owner, &actual.saved_searches, &actual.alert_rules, desired);
            let mut o = Ownership::read(owner, &[]).unwrap_or_default();
            o.owner = owner.to_string();
            o.manifest = actual
                .saved_searches
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(&ownership::manifest_name(owner)))
                .cloned();
            for r in actual.saved_searches.iter().filter(|r| ownership::is_manifest(r)) {
                if let Some(other) = ownership::manifest_owner(r).filter(|o| o != owner) {
                    for id in ownership::manifest_ids(r).unwrap_or_default() {
                        o.foreign_rules.insert(id, other.clone());
                    }
                }
            }
            let n = ids.len();
            o.own_rules = ids;
            (o, Some(n))
        }
        Err(e) => return Err(e),
    };
    let mut by_key: BTreeMap<(ResourceType, String), &Resource> = BTreeMap::new();
    for r in actual.alert_rules.iter().chain(&actual.saved_searches) {
        by_key.insert(r.key(), r);
    }
    let mut changes = Vec::new();
    let mut blocked = Vec::new();
    let mut seen = BTreeSet::new();
    for d in desired {
        seen.insert(d.key());
        let mut d = d.clone();
        if d.rtype == ResourceType::SavedSearch
            && let Some(props) = d.body.get_mut("properties")
        {
            ownership::tag_saved_search(props, owner);
        }
        let actual = by_key.get(&d.key()).copied();
        let change = |action, fields| Change {
            action,
            rtype: d.rtype,
            name: d.name.clone(),
            kind: d.kind.clone(),
            display_name: d.display_name().to_string(),
            fields,
            source: d.source.clone(),
            body: (action != Action::Unchanged).then(|| d.body.clone()),
            etag: actual.and_then(Resource::etag).map(str::to_string),
            actual_kind: actual.and_then(|a| a.kind.clone()),
        };
        let Some(a) = actual else {
            changes.push(change(Action::Create, Vec::new()));
            continue;
        };
        let fields = changed_fields(&comparable(d.rtype, &d.body), &comparable(a.rtype, &a.body));
        match ownership.claim(a) {
            Claim::Foreign(other) => blocked.push(Blocked {
                rtype: d.rtype,
                name: d.name.clone(),
                kind: d.kind.clone(),
                display_name: d.display_name().to_string(),
                reason: format!("exists and is managed by owner `{other}`"),
            }),
            Claim::Unmanaged if !options.adopt => blocked.push(Blocked {
                rtype: d.rtype,
                name: d.name.clone(),
                kind: d.kind.clone(),
                display_name: d.display_name().to_string(),
                reason: format!("exists and is not managed by owner `{owner}` (take it over with --adopt)"),
            }),
            Claim::Unmanaged => changes.push(change(Action::Adopt, fields)),
            Claim::Own if d.rtype == ResourceType::AlertRule && !same_kind(d.kind.as_deref(), a.kind.as_deref()) => {
                let from = a.kind.as_deref().unwrap_or("none");
                let to = d.kind.as_deref().unwrap_or("none");
                changes.push(change(Action::Replace, vec![format!("kind {from} -> {to}")]));
            }
            Claim::Own if fields.is_empty() => changes.push(change(Action::Unchanged, fields)),
            Claim::Own => changes.push(change(Action::Update, fields)),
        }
    }
    let mut foreign = Vec::new();
    for a in actual.alert_rules.iter().chain(&actual.saved_searches) {
        if seen.contains(&a.key()) || ownership::is_manifest(a) {
            continue;
        }
        match ownership.claim(a) {
            Claim::Own => changes.push(Change {
                action: Action::Delete,
                rtype: a.rtype,
                name: a.name.clone(),
                kind: a.kind.clone(),
                display_name: a.display_name().to_string(),
                fields: Vec::new(),
                source: None,
                body: None,
                etag: a.etag().map(str::to_string),
                actual_kind: a.kind.clone(),
            }),
            Claim::Foreign(owner) => foreign.push(Foreign {
                rtype: a.rtype,
                name: a.name.clone(),
                display_name: a.display_name().to_string(),
                owner,
            }),
            Claim::Unmanaged => {}
        }
    }
    changes.sort_by(|a, b| {
        (a.action, a.rtype, &a.display_name, &a.name).cmp(&(b.action, b.rtype, &b.display_name, &b.name))
    });
    foreign.sort_by(|a, b| (&a.owner, a.rtype, &a.name).cmp(&(&b.owner, b.rtype, &b.name)));
    let desired_alert_rules: BTreeSet<String> =
        desired.iter().filter(|d| d.rtype == ResourceType::AlertRule).map(|d| d.name.to_ascii_lowercase()).collect();
    let existing: BTreeSet<String> = actual.alert_rules.iter().map(|r| r.name.to_ascii_lowercase()).collect();
    let gone_alert_rules = ownership
        .own_rules
        .iter()
        .filter(|id| !existing.contains(*id) && !desired_alert_rules.contains(*id))
        .cloned()
        .collect();
    Ok(Plan {
        gone_alert_rules,
        owner: owner.to_string(),
        changes,
        foreign,
        blocked,
        repaired_manifest: repaired,
        manifest_before: ownership.own_rules,
        desired_alert_rules,
        manifest_body: ownership.manifest.map(|r| r.body),
        read_at: Instant::now(),
    })
}

fn same_kind(a: Option<&str>, b: Option<&str>) -> bool {
    a.map(str::to_ascii_lowercase) == b.map(str::to_ascii_lowercase)
}

/// The plan as a table (unchanged rows folded into the footer, foreign
/// resources counted per owner).
pub fn render_table(plan: &Plan, prune: bool) -> String {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["action", "type", "name", "id", "changed fields"]);
    let type_label = |rtype: ResourceType, kind: &Option<String>| match kind {
        Some(k) => format!("{rtype} ({k})"),
        None => rtype.to_string(),
    };
    for b in &plan.blocked {
        table.add_row([
            "BLOCKED".to_string(),
            type_label(b.rtype, &b.kind),
            b.display_name.clone(),
            b.name.clone(),
            b.reason.clone(),
        ]);
    }
    for c in plan.changes.iter().filter(|c| c.action != Action::Unchanged) {
        let action = if c.action == Action::Delete && !prune { "delete (needs --prune)" } else { c.action.label() };
        let rtype = type_label(c.rtype, &c.kind);
        table.add_row([action.to_string(), rtype, c.display_name.clone(), c.name.clone(), c.fields.join(", ")]);
    }
    let mut out = String::new();
    if plan.has_drift() {
        out.push_str(&table.to_string());
        out.push('\n');
    }
    if let Some(n) = plan.repaired_manifest {
        out.push_str(&format!(
            "manifest: rebuilt for owner `{}` from the workspace and the content: {n} alert rule id(s) \
             (rules that left the content before cannot be recovered)\n",
            plan.owner
        ));
    }
    let mut extra = String::new();
    for action in [Action::Replace, Action::Adopt] {
        let n = plan.count(action);
        if n > 0 {
            extra.push_str(&format!(", {n} to {}", if action == Action::Adopt { "adopt" } else { "replace" }));
        }
    }
    out.push_str(&format!(
        "plan: {} to create, {} to update{extra}, {} to delete{}, {} unchanged\n",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete),
        if prune || plan.count(Action::Delete) == 0 { "" } else { " (not without --prune)" },
        plan.count(Action::Unchanged)
    ));
    if !plan.foreign.is_empty() {
        let mut per_owner: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &plan.foreign {
            *per_owner.entry(&f.owner).or_default() += 1;
        }
        let list: Vec<String> = per_owner.iter().map(|(o, n)| format!("{n} of owner `{o}`")).collect();
        out.push_str(&format!("foreign (never touched): {}\n", list.join(", ")));
    }
    if !plan.blocked.is_empty() {
        out.push_str(&format!(
            "error: {} content resource(s) exist in the workspace and are not managed by owner `{}`; nothing \
             will be changed (see BLOCKED above)\n",
            plan.blocked.len(),
            plan.owner
        ));
    }
    out
}

/// The plan as JSON for machines.
pub fn render_json(plan: &Plan, prune: bool) -> String {
    let value = serde_json::json!({
        "owner": plan.owner,
        "prune": prune,
        "summary": {
            "create": plan.count(Action::Create),
            "update": plan.count(Action::Update),
            "replace": plan.count(Action::Replace),
            "adopt": plan.count(Action::Adopt),
            "delete": plan.count(Action::Delete),
            "unchanged": plan.count(Action::Unchanged),
            "foreign": plan.foreign.len(),
            "blocked": plan.blocked.len(),
        },
        "changes": plan.changes,
        "foreign": plan.foreign,
        "blocked": plan.blocked,
    });
    serde_json::to_string_pretty(&value).expect("plan serializes") + "\n"
}
