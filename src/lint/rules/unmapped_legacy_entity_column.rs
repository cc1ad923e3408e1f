//! SNT020: a legacy `*CustomEntity` column in the query without a field mapping.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, DocKind, Field, Format};
use crate::lint::yaml::Node;
use crate::span::TextRange;

crate::lint_code! {
    /// What: a Scheduled rule whose query text contains `AccountCustomEntity`,
    /// `HostCustomEntity`, `IPCustomEntity`, `URLCustomEntity`,
    /// `ProcessCustomEntity` or `FileHashCustomEntity` while no
    /// `entityMappings[].fieldMappings[].columnName` equals that name.
    ///
    /// Why: these columns fed the legacy entity mapping that Sentinel no
    /// longer reads; CI's `NewEntityMappings` attribute requires them to be
    /// mapped explicitly, otherwise the alert has no
    /// entities.
    ///
    /// Example: `| extend AccountCustomEntity = Caller` and no entityMappings.
    ///
    /// Fix: add `entityMappings: [{entityType: Account, fieldMappings:
    /// [{identifier: FullName, columnName: AccountCustomEntity}]}]`, or
    /// rename the column and map the new name.
    CODE = ("SNT020", "unmapped-legacy-entity-column", Error);
}

pub struct UnmappedLegacyEntityColumn;

const LEGACY: &[&str] = &[
    "AccountCustomEntity",
    "HostCustomEntity",
    "IPCustomEntity",
    "URLCustomEntity",
    "ProcessCustomEntity",
    "FileHashCustomEntity",
];

impl Rule for UnmappedLegacyEntityColumn {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if doc.kind != DocKind::Scheduled || doc.format != Format::Yaml {
            return;
        }
        let Some(qnode) = doc.field(Field::Query) else { return };
        let Some(query) = qnode.as_str() else { return };
        let mapped: Vec<&str> = doc
            .field(Field::EntityMappings)
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|m| m.get("fieldMappings").and_then(Node::as_seq))
            .flatten()
            .filter_map(|f| f.get("columnName").and_then(Node::as_str))
            .collect();
        for name in LEGACY {
            if query.contains(name) && !mapped.contains(name) {
                let range = locate(doc.text, qnode.range, name).unwrap_or(qnode.range);
                out.push(
                    Diagnostic::new(CODE, format!("query uses legacy column `{name}` but no field mapping maps it"))
                        .with_primary(doc.file, range, "legacy entity column")
                        .with_help(format!("add an entityMappings field mapping with `columnName: {name}`")),
                );
            }
        }
    }
}

/// The range of `needle` inside the node's source text (block scalars keep
/// their text verbatim apart from indentation).
pub fn locate(text: &str, within: TextRange, needle: &str) -> Option<TextRange> {
    let slice = text.get(within.as_usize_range())?;
    let i = slice.find(needle)?;
    let start = within.start + i as u32;
    Some(TextRange::new(start, start + needle.len() as u32))
}
