//! Stage 5: every emitted document against its JSON Schema under `schemas/`.
//!
//! The schemas are compiled into the binary (they are part of the tool's
//! contract, not of the user's project) and compiled once per process.

pub mod codes;

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::Value;

use crate::diag::Diagnostic;
use crate::emit::{Document, SchemaName};
use crate::span::TextRange;

fn source(name: SchemaName) -> &'static str {
    match name {
        SchemaName::HuntingQuery => include_str!("../../schemas/hunting-query.schema.json"),
        SchemaName::AnalyticRule => include_str!("../../schemas/analytic-rule.schema.json"),
        SchemaName::ArmTemplate => include_str!("../../schemas/arm-template.schema.json"),
        SchemaName::None => "true",
    }
}

/// The compiled validator of a schema (compiled on first use).
pub fn validator(name: SchemaName) -> &'static Validator {
    static CELLS: [OnceLock<Validator>; 4] = [OnceLock::new(), OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let index = name as usize;
    CELLS[index].get_or_init(|| {
        let schema: Value = serde_json::from_str(source(name)).expect("bundled schema is JSON");
        jsonschema::validator_for(&schema).expect("bundled schema compiles")
    })
}

/// Schema (`OUT001`) and ASCII (`OUT002`) diagnostics of every document.
///
/// A problem is reported once per item: non-ASCII text is pointed at in the
/// rendered query when it is there, and the combined `azuredeploy.json` is
/// only checked once every per-item document passed (it holds the same
/// resources, so it would repeat their errors).
pub fn validate_documents(docs: &[Document]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut ascii_reported = std::collections::BTreeSet::new();
    let (combined, per_item): (Vec<&Document>, Vec<&Document>) = docs.iter().partition(|d| d.origin.is_none());
    for doc in per_item.iter().chain(&combined) {
        if doc.origin.is_none() && !diags.is_empty() {
            continue;
        }
        let item_key = doc.origin.map(|o| o.item_file);
        if !ascii_reported.contains(&item_key)
            && let Some(d) = non_ascii(doc)
        {
            ascii_reported.insert(item_key);
            diags.push(d);
        }
        if doc.schema != SchemaName::None {
            for error in validator(doc.schema).iter_errors(&doc.json) {
                diags.push(schema_diagnostic(doc, &error));
            }
        }
    }
    diags
}

fn with_origin(mut d: Diagnostic, doc: &Document) -> Diagnostic {
    if let Some(o) = doc.origin {
        d = d.with_secondary(o.item_file, o.id_range, "in the output of this item");
    }
    d
}

fn non_ascii(doc: &Document) -> Option<Diagnostic> {
    let (offset, c) = doc.text.char_indices().find(|(_, c)| !c.is_ascii())?;
    let line_no = doc.text[..offset].matches('\n').count() + 1;
    let mut d = Diagnostic::new(
        codes::NON_ASCII_OUTPUT,
        format!("`{}` contains the non-ASCII character `{c}` (U+{:04X})", doc.path, c as u32),
    )
    .with_help("replace the character in the template or the content value it came from");
    match doc.origin.and_then(|o| o.rendered) {
        Some(rendered) => {
            let range = TextRange::new(offset as u32, (offset + c.len_utf8()) as u32);
            d = d.with_primary(rendered, range, "Sentinel rejects non-ASCII content");
        }
        None => d = d.with_note(format!("first found on line {line_no}")),
    }
    Some(with_origin(d, doc))
}

/// A concise message: jsonschema's text starts with the whole offending
/// value, which for a query is kilobytes; keep its head only.
fn schema_diagnostic(doc: &Document, error: &jsonschema::ValidationError<'_>) -> Diagnostic {
    let path = error.instance_path.to_string();
    let path = if path.is_empty() { "/".to_string() } else { path };
    let instance = error.instance.to_string();
    let text = error.to_string();
    let reason = match text.strip_prefix(&instance) {
        Some(rest) => format!("{}{rest}", shorten(&instance)),
        None => shorten(&text),
    };
    let d = Diagnostic::new(codes::SCHEMA_VIOLATION, format!("`{}` at `{path}`: {reason}", doc.path))
        .with_note(format!("schema: schemas/{}, rule `{}`", doc.schema.file_name(), error.schema_path))
        .with_help("the value comes from the content item or its template; see the schema rule named above");
    with_origin(d, doc)
}

fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX).collect();
    format!("{head}... ({} characters)", text.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_schemas_compile() {
        for s in [SchemaName::HuntingQuery, SchemaName::AnalyticRule, SchemaName::ArmTemplate] {
            let _ = validator(s);
        }
    }
}
