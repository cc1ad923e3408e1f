//! SNT022: `version` not `X.Y.Z`.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};
use crate::lint::yaml::Kind;

use super::{at, for_kind};

crate::lint_code! {
    /// What: a `version` (ARM: `templateVersion`) that is not three
    /// dot-separated integers of at most 20 characters, e.g. `1.0` or `v1.0.0`,
    /// or a YAML `version` that is a number rather than a string. Warning on
    /// hunting queries.
    ///
    /// Why: CI's `QueryBasedTemplateVersionValidator` requires
    /// `^(\d+\.)(\d+\.)(\d+)$`; `version: 1.0` is a YAML
    /// float and fails. The content hub compares versions to offer updates.
    ///
    /// Example: `version: 1.0`.
    ///
    /// Fix: `version: 1.0.0`.
    CODE = ("SNT022", "malformed-version", Error);
}

pub struct MalformedVersion;

/// `^\d+\.\d+\.\d+$`, at most 20 characters.
pub fn is_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    s.len() <= 20 && parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

impl Rule for MalformedVersion {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let Some(node) = doc.field(Field::Version) else { return };
        if node.is_null() {
            return;
        }
        let ok = match &node.kind {
            Kind::Scalar { value, .. } => is_version(value),
            _ => false,
        };
        if !ok {
            let shown = node.as_str().unwrap_or(node.type_name());
            out.push(for_kind(
                at(
                    CODE,
                    doc,
                    node,
                    format!("version `{shown}` is not `X.Y.Z`"),
                    "expected three numbers such as `1.0.0`",
                )
                .with_help("write `version: 1.0.0` (major.minor.patch); bump it whenever the query changes"),
                doc,
            ));
        }
    }
}
