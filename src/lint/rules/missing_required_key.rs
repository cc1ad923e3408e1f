//! SNT005: a required key is missing or null.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, DocKind, Field, Format};
use crate::lint::yaml::Node;

use super::at;

crate::lint_code! {
    /// What: a key the Sentinel template model requires is absent or null.
    /// Analytic rules: `id`, `kind`, `name`, `description`, `severity`,
    /// `query`; Scheduled rules also `requiredDataConnectors` (may be `[]`),
    /// `queryFrequency`, `queryPeriod`, `triggerOperator`, `triggerThreshold`.
    /// Inside: `requiredDataConnectors[].dataTypes`, `entityMappings[].entityType`
    /// and `fieldMappings`, `fieldMappings[].identifier` and `columnName`,
    /// `eventGroupingSettings.aggregationKind`. Hunting queries: `id`, `name`,
    /// `query`. ARM resources: the properties the REST API requires
    /// (`displayName`, `enabled`, `severity`, `query`, `suppressionEnabled`,
    /// `suppressionDuration`, and the scheduling ones for Scheduled).
    ///
    /// Why: CI marks these `Required.Always` and the
    /// service rejects ARM resources without them.
    ///
    /// Example: a Scheduled rule without `triggerThreshold`.
    ///
    /// Fix: add the key; `triggerThreshold: 0` with `triggerOperator: gt`
    /// alerts on any result.
    CODE = ("SNT005", "missing-required-key", Error);
}

pub struct MissingRequiredKey;

fn missing(doc: &Doc, out: &mut Vec<Diagnostic>, what: &str) {
    out.push(
        Diagnostic::new(CODE, format!("{} has no `{what}`", doc.kind.label()))
            .with_primary(doc.file, doc.missing_range(), format!("`{what}` is required"))
            .with_help(format!("add `{what}`; Sentinel CI requires it for every {}", doc.kind.label())),
    );
}

fn null_value(doc: &Doc, out: &mut Vec<Diagnostic>, key: &Node, what: &str) {
    out.push(
        at(CODE, doc, key, format!("`{what}` is null"), "a value is required")
            .with_help(format!("give `{what}` a value")),
    );
}

/// Check `keys` inside a nested mapping `map` (reported at the mapping).
fn nested(doc: &Doc, out: &mut Vec<Diagnostic>, map: &Node, keys: &[&str], context: &str) {
    if map.as_map().is_none() {
        return;
    }
    for key in keys {
        match map.entry(key) {
            None => {
                out.push(at(CODE, doc, map, format!("{context} has no `{key}`"), format!("`{key}` is required here")))
            }
            Some((k, v)) if v.is_null() => null_value(doc, out, k, key),
            _ => {}
        }
    }
}

impl Rule for MissingRequiredKey {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let scheduled = matches!(doc.kind, DocKind::Scheduled | DocKind::OtherRule);
        let mut required: Vec<&str> = Vec::new();
        match (doc.format, doc.kind) {
            (Format::Yaml, DocKind::Hunting) => required.extend(["id", "name", "query"]),
            (Format::Yaml, _) => {
                required.extend(["id", "kind", "name", "description", "severity", "query"]);
                if scheduled {
                    required.extend([
                        "requiredDataConnectors",
                        "queryFrequency",
                        "queryPeriod",
                        "triggerOperator",
                        "triggerThreshold",
                    ]);
                }
            }
            (Format::Arm, DocKind::Hunting) => required.extend(["displayName", "query"]),
            (Format::Arm, _) => {
                required.extend([
                    "displayName",
                    "enabled",
                    "severity",
                    "query",
                    "suppressionEnabled",
                    "suppressionDuration",
                ]);
                if scheduled {
                    required.extend(["queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold"]);
                }
            }
        }
        for key in required {
            match doc.root.entry(key) {
                None => missing(doc, out, key),
                // `requiredDataConnectors: []` is fine; null is not.
                Some((k, v)) if v.is_null() => null_value(doc, out, k, key),
                _ => {}
            }
        }
        if let Some(list) = doc.field(Field::RequiredDataConnectors).and_then(Node::as_seq) {
            for c in list {
                nested(doc, out, c, &["dataTypes"], "data connector");
            }
        }
        if let Some(list) = doc.field(Field::EntityMappings).and_then(Node::as_seq) {
            for m in list {
                nested(doc, out, m, &["entityType", "fieldMappings"], "entity mapping");
                if let Some(fields) = m.get("fieldMappings").and_then(Node::as_seq) {
                    for f in fields {
                        nested(doc, out, f, &["identifier", "columnName"], "field mapping");
                    }
                }
            }
        }
        if doc.kind != DocKind::Nrt
            && let Some(g) = doc.field(Field::EventGroupingSettings)
        {
            nested(doc, out, g, &["aggregationKind"], "eventGroupingSettings");
        }
    }
}
