//! SNT024: a technique id that is malformed or unknown to Sentinel's table.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};
use crate::sentinel::techniques;

use super::{at, for_kind};

crate::lint_code! {
    /// What: a `relevantTechniques` (ARM: `techniques`) entry that is not
    /// `T` + 4 digits with an optional `.` + 3 digits, or whose parent
    /// technique is not in Sentinel CI's technique table. Warning on hunting
    /// queries.
    ///
    /// Why: CI fails analytic rules whose technique is in no row of the
    /// table; a typo (`T1O78`, `1078`) or a revoked id drops
    /// the rule from MITRE coverage.
    ///
    /// Example: `relevantTechniques: [T1078.4]` or `[T9999]`.
    ///
    /// Fix: use the current ATT&CK id (`T1078.004`).
    CODE = ("SNT024", "unknown-technique", Error);
}

pub struct UnknownTechnique;

impl Rule for UnknownTechnique {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let Some(node) = doc.field(Field::RelevantTechniques) else { return };
        let Some(list) = node.as_seq() else {
            if !node.is_null() {
                out.push(for_kind(
                    at(CODE, doc, node, "`relevantTechniques` is not a list", "expected a list of technique ids"),
                    doc,
                ));
            }
            return;
        };
        for t in list {
            let id = t.as_text().map(str::trim).unwrap_or("");
            let msg = if !techniques::is_technique_id(id) {
                format!("`{id}` is not a technique id")
            } else if techniques::tactics_for(id).is_none() {
                format!("technique `{}` is not in Sentinel's technique table", techniques::parent(id))
            } else {
                continue;
            };
            out.push(for_kind(
                at(CODE, doc, t, msg, "unknown technique").with_help("use an ATT&CK id such as `T1078` or `T1078.004`"),
                doc,
            ));
        }
    }
}
