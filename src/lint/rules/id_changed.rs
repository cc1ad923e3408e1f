//! SNT028: `id` differs from the `--base` revision (O-2).

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};

use super::at;

crate::lint_code! {
    /// What: with `--base REV`, a file whose `id` differs from the `id` of
    /// the same path at `REV` (`git show REV:path`). Files absent at `REV`
    /// are new and not checked.
    ///
    /// Why: the id is the template's identity; workspaces that enabled the
    /// old template never receive updates for a new id, and Sentinel CI's
    /// `idChangeValidator` fails the pull request.
    ///
    /// Example: regenerating a rule with a fresh GUID while editing it.
    ///
    /// Fix: restore the old id; to retire a rule, deprecate it and add a new
    /// file.
    CODE = ("SNT028", "id-changed", Error);
}

pub struct IdChanged;

impl Rule for IdChanged {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let Some(base) = &doc.base else { return };
        let Some(old) = &base.id else { return };
        let Some((new, node)) = doc.text_field(Field::Id) else { return };
        if old.trim() != new.trim() {
            out.push(
                at(CODE, doc, node, format!("id changed from `{old}` to `{new}`"), "changed since the base revision")
                    .with_help(format!("restore `id: {old}`; ids must never change")),
            );
        }
    }
}
