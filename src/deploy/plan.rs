//! Desired vs actual → a plan: create / update (with the changed fields) /
//! unchanged / delete. Deletes are planned for managed resources that left
//! the content; they are applied only with `--prune`.

use std::collections::{BTreeMap, BTreeSet};

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use serde_json::Value;

use crate::deploy::normalize::{changed_fields, comparable};
use crate::deploy::ownership;
use crate::deploy::resource::{Resource, ResourceType};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    Unchanged,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
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
    /// Body to PUT (create/update).
    #[serde(skip)]
    pub body: Option<Value>,
}

/// What the workspace holds, as read by the client.
#[derive(Clone, Debug, Default)]
pub struct Actual {
    pub alert_rules: Vec<Resource>,
    pub saved_searches: Vec<Resource>,
}

impl Actual {
    /// Managed alert rule ids from the manifest (empty when there is none).
    pub fn manifest(&self) -> BTreeSet<String> {
        self.saved_searches.iter().find(|r| ownership::is_manifest(r)).map(ownership::manifest_ids).unwrap_or_default()
    }

    pub fn manifest_resource(&self) -> Option<&Resource> {
        self.saved_searches.iter().find(|r| ownership::is_manifest(r))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Managed alert rule ids recorded in the workspace before this run.
    #[serde(skip)]
    pub manifest_before: BTreeSet<String>,
    /// Alert rule ids of the desired content.
    #[serde(skip)]
    pub desired_alert_rules: BTreeSet<String>,
    /// The manifest saved search's body as read (`None` when there is none);
    /// apply rewrites it only when its content would change.
    #[serde(skip)]
    pub manifest_body: Option<Value>,
}

impl Plan {
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }

    pub fn has_drift(&self) -> bool {
        self.changes.iter().any(|c| c.action.is_write())
    }
}

/// Compare desired and actual.
pub fn plan(desired: &[Resource], actual: &Actual) -> Plan {
    let manifest_before = actual.manifest();
    let mut by_key: BTreeMap<(ResourceType, String), &Resource> = BTreeMap::new();
    for r in actual.alert_rules.iter().chain(&actual.saved_searches) {
        by_key.insert(r.key(), r);
    }
    let mut changes = Vec::new();
    let mut seen = BTreeSet::new();
    for d in desired {
        seen.insert(d.key());
        let base = |action, fields| Change {
            action,
            rtype: d.rtype,
            name: d.name.clone(),
            kind: d.kind.clone(),
            display_name: d.display_name().to_string(),
            fields,
            source: d.source.clone(),
            body: action_body(action, d),
        };
        match by_key.get(&d.key()) {
            None => changes.push(base(Action::Create, Vec::new())),
            Some(a) => {
                let fields = changed_fields(&comparable(d.rtype, &d.body), &comparable(a.rtype, &a.body));
                let action = if fields.is_empty() { Action::Unchanged } else { Action::Update };
                changes.push(base(action, fields));
            }
        }
    }
    for a in actual.alert_rules.iter().chain(&actual.saved_searches) {
        if seen.contains(&a.key()) || ownership::is_manifest(a) || !ownership::is_managed(a, &manifest_before) {
            continue;
        }
        changes.push(Change {
            action: Action::Delete,
            rtype: a.rtype,
            name: a.name.clone(),
            kind: a.kind.clone(),
            display_name: a.display_name().to_string(),
            fields: Vec::new(),
            source: None,
            body: None,
        });
    }
    changes.sort_by(|a, b| {
        (a.action, a.rtype, &a.display_name, &a.name).cmp(&(b.action, b.rtype, &b.display_name, &b.name))
    });
    let desired_alert_rules =
        desired.iter().filter(|d| d.rtype == ResourceType::AlertRule).map(|d| d.name.to_ascii_lowercase()).collect();
    Plan {
        changes,
        manifest_before,
        desired_alert_rules,
        manifest_body: actual.manifest_resource().map(|r| r.body.clone()),
    }
}

fn action_body(action: Action, d: &Resource) -> Option<Value> {
    matches!(action, Action::Create | Action::Update).then(|| d.body.clone())
}

/// The plan as a table (unchanged rows folded into the footer).
pub fn render_table(plan: &Plan, prune: bool) -> String {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["action", "type", "name", "id", "changed fields"]);
    for c in plan.changes.iter().filter(|c| c.action != Action::Unchanged) {
        let action = if c.action == Action::Delete && !prune { "delete (needs --prune)" } else { c.action.label() };
        let rtype = match &c.kind {
            Some(k) => format!("{} ({k})", c.rtype),
            None => c.rtype.to_string(),
        };
        table.add_row([action.to_string(), rtype, c.display_name.clone(), c.name.clone(), c.fields.join(", ")]);
    }
    let mut out = String::new();
    if plan.has_drift() {
        out.push_str(&table.to_string());
        out.push('\n');
    }
    out.push_str(&format!(
        "plan: {} to create, {} to update, {} to delete{}, {} unchanged\n",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete),
        if prune || plan.count(Action::Delete) == 0 { "" } else { " (not without --prune)" },
        plan.count(Action::Unchanged)
    ));
    out
}

/// The plan as JSON for machines.
pub fn render_json(plan: &Plan, prune: bool) -> String {
    let value = serde_json::json!({
        "prune": prune,
        "summary": {
            "create": plan.count(Action::Create),
            "update": plan.count(Action::Update),
            "delete": plan.count(Action::Delete),
            "unchanged": plan.count(Action::Unchanged),
        },
        "changes": plan.changes,
    });
    serde_json::to_string_pretty(&value).expect("plan serializes") + "\n"
}
