//! Stage 5: every emitted document against its JSON Schema under `schemas/`.
//!
//! The schemas are compiled into the binary (they are part of the tool's
//! contract, not of the user's project) and compiled once per process.

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::Value;

use crate::diag::{Diagnostic, codes};
use crate::emit::Document;

/// Which schema a document is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaName {
    HuntingQuery,
    AnalyticRule,
    ArmTemplate,
    /// Plain KQL files have no schema.
    None,
}

impl SchemaName {
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaName::HuntingQuery => "hunting-query.schema.json",
            SchemaName::AnalyticRule => "analytic-rule.schema.json",
            SchemaName::ArmTemplate => "arm-template.schema.json",
            SchemaName::None => "",
        }
    }

    fn source(self) -> &'static str {
        match self {
            SchemaName::HuntingQuery => include_str!("../schemas/hunting-query.schema.json"),
            SchemaName::AnalyticRule => include_str!("../schemas/analytic-rule.schema.json"),
            SchemaName::ArmTemplate => include_str!("../schemas/arm-template.schema.json"),
            SchemaName::None => "true",
        }
    }

    /// The compiled validator (compiled on first use).
    pub fn validator(self) -> &'static Validator {
        static CELLS: [OnceLock<Validator>; 4] = [OnceLock::new(), OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let index = self as usize;
        CELLS[index].get_or_init(|| {
            let schema: Value = serde_json::from_str(self.source()).expect("bundled schema is JSON");
            jsonschema::validator_for(&schema).expect("bundled schema compiles")
        })
    }
}

/// Schema and ASCII diagnostics of one document (`OUT001`, `OUT002`).
pub fn validate_document(doc: &Document) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if let Some((line_no, c)) = doc
        .text
        .lines()
        .enumerate()
        .find_map(|(n, line)| line.chars().find(|c| !c.is_ascii()).map(|c| (n + 1, c)))
    {
        diags.push(
            Diagnostic::new(codes::NON_ASCII_OUTPUT, format!("`{}` line {line_no} contains non-ASCII `{c}`", doc.path))
                .with_help("replace the character in the template or the content value it came from"),
        );
    }
    if doc.schema != SchemaName::None {
        for error in doc.schema.validator().iter_errors(&doc.json) {
            let path = error.instance_path.to_string();
            let path = if path.is_empty() { "/".to_string() } else { path };
            diags.push(
                Diagnostic::new(codes::SCHEMA_VIOLATION, format!("`{}` at `{path}`: {error}", doc.path))
                    .with_note(format!("schema: schemas/{}, rule `{}`", doc.schema.file_name(), error.schema_path))
                    .with_help("the value comes from the content item or its template; see the schema rule named above"),
            );
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_schemas_compile() {
        for s in [SchemaName::HuntingQuery, SchemaName::AnalyticRule, SchemaName::ArmTemplate] {
            let _ = s.validator();
        }
    }
}
