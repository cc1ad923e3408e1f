//! SNT007: a GUID `id` not in canonical lower-case 8-4-4-4-12 form.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field, is_guid_8_4_4_4_12};

use super::at;
use super::invalid_id::dotnet_guid;

crate::lint_code! {
    /// What: an `id` that parses as a GUID but is not lower-case
    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (upper-case digits, braces,
    /// 32 digits without dashes).
    ///
    /// Why: the repository style is lower-case 8-4-4-4-12, and
    /// tools that compare ids as text (duplicate checks, the id-change
    /// validator's regex, ARM names) see `ABC…` and `abc…` as two ids.
    ///
    /// Example: `id: 0B5A1C2E-93F4-4E0B-9D0A-2B3C4D5E6F70`.
    ///
    /// Fix: lower-case the id in a new template; for a published template
    /// keep the old spelling rather than change the id.
    CODE = ("SNT007", "non-canonical-id", Warning);
}

pub struct NonCanonicalId;

impl Rule for NonCanonicalId {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if !doc.is_yaml() {
            return;
        }
        let Some(node) = doc.field(Field::Id) else { return };
        let Some(text) = node.as_text() else { return };
        let canonical = is_guid_8_4_4_4_12(text) && !text.bytes().any(|b| b.is_ascii_uppercase());
        if dotnet_guid(text.trim()) && !canonical {
            out.push(
                at(CODE, doc, node, format!("id `{text}` is not a lower-case 8-4-4-4-12 GUID"), "non-canonical GUID")
                    .with_help("write GUIDs in lower case with dashes and no braces"),
            );
        }
    }
}
