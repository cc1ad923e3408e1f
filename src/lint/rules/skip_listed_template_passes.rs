//! SNT025: a template on the structure skip list passes the structure checks.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::Doc;

crate::lint_code! {
    /// What: with `--structure-skip-list FILE` (Sentinel CI's
    /// `SkipStrcutreValidationsTemplates.json`: a JSON array of template
    /// ids), an analytic rule whose text contains a listed id has its
    /// structure findings (SNT004-SNT024 marked structural) suppressed; if it
    /// has none to suppress, this error fires. Without the option the rule
    /// is inert.
    ///
    /// Why: CI's "templates in the white list should not pass the validation"
    /// test: the skip list is for known-broken
    /// templates, and a fixed template must leave the list so it is checked
    /// again.
    ///
    /// Example: a listed template whose bad `queryPeriod` was corrected.
    ///
    /// Fix: remove the id from the skip list.
    CODE = ("SNT025", "skip-listed-template-passes", Error);
}

/// Emitted by the engine after the structure rules ran.
pub struct SkipListedTemplatePasses;

impl Rule for SkipListedTemplatePasses {
    fn code(&self) -> Code {
        CODE
    }
}

/// The finding for `doc`, on the skip list through `listed`.
pub fn diagnostic(doc: &Doc, listed: &str) -> Diagnostic {
    let range = doc.id().map_or(doc.missing_range(), |(_, n)| n.range);
    Diagnostic::new(CODE, format!("template `{listed}` is on the structure skip list but passes every structure check"))
        .with_primary(doc.file, range, "skip-listed template")
        .with_help("remove the id from the skip list so the template is validated again")
}
