//! SNT014: `requiredDataConnectors[].connectorId` not in ValidConnectorIds.json.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};
use crate::lint::yaml::Node;
use crate::sentinel::connectors;

use super::{at, for_kind};

crate::lint_code! {
    /// What: a `requiredDataConnectors[].connectorId` that is not in Sentinel
    /// CI's `ValidConnectorIds.json` (embedded from
    /// `schemas/sentinel/valid-connector-ids.json`). Error for analytic rules,
    /// warning for hunting queries (CI does not check those, we do).
    ///
    /// Why: CI fails analytic rules with unknown ids; the
    /// content hub uses the id to tell users which connector the rule needs,
    /// so a typo hides the dependency.
    ///
    /// Example: `connectorId: AzureActiveDirectorySignins`.
    ///
    /// Fix: use the connector's id exactly (`AzureActiveDirectory`); a new
    /// connector must be added to ValidConnectorIds.json upstream first.
    CODE = ("SNT014", "unknown-connector-id", Error);
}

pub struct UnknownConnectorId;

impl Rule for UnknownConnectorId {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let Some(list) = doc.field(Field::RequiredDataConnectors).and_then(Node::as_seq) else { return };
        for c in list {
            let Some(node) = c.get("connectorId") else { continue };
            let Some(id) = node.as_text() else { continue };
            if connectors::is_valid_connector_id(id) {
                continue;
            }
            let help = match connectors::suggest(id) {
                Some(s) => format!("write `{s}` (connector ids are case-sensitive)"),
                None => format!("use one of the {} ids of ValidConnectorIds.json", connectors::count()),
            };
            out.push(for_kind(
                at(CODE, doc, node, format!("unknown connector id `{id}`"), "not in ValidConnectorIds.json")
                    .with_help(help),
                doc,
            ));
        }
    }
}
