//! SNT013: a value outside its enum: severity, tactics, entityType, aggregationKind.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, DocKind, Field};
use crate::lint::yaml::Node;
use crate::sentinel::{entities, tactics};

use super::{at, for_kind};

crate::lint_code! {
    /// What: a `severity` other than `Informational`, `Low`, `Medium`,
    /// `High`; a tactic not in Sentinel's `AttackTactic` enum; an
    /// `entityType` not in the entity list; an `aggregationKind` other than
    /// `SingleAlert` or `AlertPerResult`. Values must be spelt exactly.
    ///
    /// Why: CI binds these to enums and the generator
    /// must emit exact casing; a misspelt tactic is dropped from MITRE
    /// coverage. On hunting queries an unknown tactic is a warning.
    ///
    /// Example: `severity: medium`, `tactics: [Lateral Movement]`,
    /// `entityType: IPAddress`.
    ///
    /// Fix: use the spelling in the help line (`LateralMovement`, `IP`).
    CODE = ("SNT013", "invalid-enum-value", Error);
}

pub struct InvalidEnumValue;

const SEVERITIES: &[&str] = &["Informational", "Low", "Medium", "High"];
const AGGREGATIONS: &[&str] = &["SingleAlert", "AlertPerResult"];

fn check(doc: &Doc, node: &Node, what: &str, allowed: &[&str], suggestion: Option<&str>, out: &mut Vec<Diagnostic>) {
    let Some(v) = node.as_text() else { return };
    if allowed.contains(&v) {
        return;
    }
    let suggestion = suggestion.or_else(|| allowed.iter().copied().find(|a| a.eq_ignore_ascii_case(v)));
    let help = match suggestion {
        Some(s) => format!("write `{s}`"),
        None if allowed.len() <= 8 => format!("expected one of {}", allowed.join(", ")),
        None => format!("see `sentinel-forge explain {}` for the list", CODE.id),
    };
    out.push(for_kind(
        at(CODE, doc, node, format!("unknown {what} `{v}`"), format!("not a {what}")).with_help(help),
        doc,
    ));
}

impl Rule for InvalidEnumValue {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if doc.kind.is_rule()
            && let Some(n) = doc.field(Field::Severity)
        {
            check(doc, n, "severity", SEVERITIES, None, out);
        }
        if let Some(list) = doc.field(Field::Tactics).and_then(Node::as_seq) {
            for t in list {
                let s = t.as_text().and_then(tactics::suggest);
                check(doc, t, "tactic", tactics::TACTICS, s, out);
            }
        }
        if let Some(list) = doc.field(Field::EntityMappings).and_then(Node::as_seq) {
            let names: Vec<&str> = entities::ENTITY_TYPES.iter().map(|e| e.name).collect();
            for m in list {
                if let Some(t) = m.get("entityType") {
                    // Hunting-only types (CloudLogonSession, …) exist upstream.
                    check(doc, t, "entity type", &names, None, out);
                }
            }
        }
        if doc.kind != DocKind::Nrt
            && doc.kind.is_rule()
            && let Some(k) = doc.field(Field::EventGroupingSettings).and_then(|g| g.get("aggregationKind"))
        {
            check(doc, k, "aggregation kind", AGGREGATIONS, None, out);
        }
    }
}
