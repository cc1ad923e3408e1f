//! SNT004: `kind` is neither `Scheduled` nor `NRT`.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, DocKind, Field};

use super::at;

crate::lint_code! {
    /// What: an analytic rule whose `kind` is not `Scheduled` or `NRT`
    /// (compared case-insensitively, as CI does).
    ///
    /// Why: CI binds the YAML to the model of its kind and fails with "The
    /// provided kind … was not recognized"; other kinds
    /// (Fusion, MLBehaviorAnalytics) are not templates in the repository.
    ///
    /// Example: `kind: Schedule` or `kind: NearRealTime`.
    ///
    /// Fix: write `kind: Scheduled` or `kind: NRT`.
    CODE = ("SNT004", "unknown-kind", Error);
}

pub struct UnknownKind;

impl Rule for UnknownKind {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if doc.kind != DocKind::OtherRule || !doc.is_yaml() {
            return;
        }
        if let Some(v) = doc.field(Field::Kind) {
            let shown = v.as_str().unwrap_or("");
            out.push(
                at(CODE, doc, v, format!("unknown rule kind `{shown}`"), "expected `Scheduled` or `NRT`")
                    .with_help("analytic rule templates are `kind: Scheduled` or `kind: NRT`"),
            );
        }
    }
}
