//! Column-name rule of entity mappings and custom details. The entity types
//! themselves live in [`crate::sentinel::entities`], shared with the linter.

/// A column name Sentinel accepts in entity mappings and custom details.
pub fn is_column_name(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && text.len() <= 500
}
