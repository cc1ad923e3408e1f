//! SNT030: scheduling keys on an NRT rule.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, DocKind};

use super::at;

crate::lint_code! {
    /// What: an NRT rule with `queryFrequency`, `queryPeriod`,
    /// `triggerOperator` or `triggerThreshold`.
    ///
    /// Why: NRT rules run every minute over the last minute of ingested data
    /// and alert on any result; these keys are not part of
    /// the NRT model, are ignored by CI and rejected or dropped by the API,
    /// so they mislead reviewers about how the rule runs.
    ///
    /// Example: `kind: NRT` with `queryFrequency: 5m`.
    ///
    /// Fix: delete the keys, or make the rule `kind: Scheduled` if it needs a
    /// schedule or threshold.
    CODE = ("SNT030", "nrt-ignored-setting", Warning);
}

pub struct NrtIgnoredSetting;

impl Rule for NrtIgnoredSetting {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if doc.kind != DocKind::Nrt {
            return;
        }
        for key in ["queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold"] {
            if let Some((k, _)) = doc.root.entry(key) {
                out.push(
                    at(CODE, doc, k, format!("`{key}` has no effect on an NRT rule"), "ignored for NRT").with_help(
                        "NRT rules run every minute and alert on any result; remove the key or use `kind: Scheduled`",
                    ),
                );
            }
        }
    }
}
