//! SNT006: `id` is not a GUID.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field, is_guid_8_4_4_4_12};

use super::at;

crate::lint_code! {
    /// What: an `id` that .NET `Guid.Parse` would reject (the 8-4-4-4-12 hex
    /// form, 32 hex digits, or either in `{}`/`()` are accepted).
    ///
    /// Why: CI parses `id` as a GUID; the id becomes the
    /// ARM resource name and the template's identity across updates.
    ///
    /// Example: `id: my-rule-1` or `id: 1234`.
    ///
    /// Fix: generate one with `uuidgen | tr A-Z a-z` and keep it forever.
    CODE = ("SNT006", "invalid-id", Error);
}

pub struct InvalidId;

/// Does .NET `Guid.Parse` accept `s` (formats D, N, B, P)?
pub fn dotnet_guid(s: &str) -> bool {
    let inner = s
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .or_else(|| s.strip_prefix('(').and_then(|x| x.strip_suffix(')')));
    let core = inner.unwrap_or(s);
    is_guid_8_4_4_4_12(core) || (inner.is_none() && core.len() == 32 && core.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Rule for InvalidId {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if !doc.is_yaml() {
            return;
        }
        let Some(node) = doc.field(Field::Id) else { return };
        let Some(text) = node.as_text() else { return };
        if !dotnet_guid(text.trim()) {
            out.push(
                at(CODE, doc, node, format!("id `{text}` is not a GUID"), "not a GUID")
                    .with_help("use a lower-case GUID such as `0b5a1c2e-…` (`uuidgen | tr A-Z a-z`)"),
            );
        }
    }
}
