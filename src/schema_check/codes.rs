//! The `OUT` codes: emitted documents that break their JSON Schema or the
//! Azure-Sentinel CI's text rules.

crate::code_table! {
    /// Every `OUT` code.
    pub const OUTPUT;
    /// What: an emitted document does not validate against its JSON Schema
    /// under `schemas/`.
    ///
    /// Why: the schemas encode what Sentinel, ARM and the Azure-Sentinel CI
    /// accept; a document that fails them would fail at deploy time.
    ///
    /// Example: a hunting query whose rendered KQL is longer than 10,000
    /// characters.
    ///
    /// Fix: the message names the JSON path and the rule broken.
    SCHEMA_VIOLATION = ("OUT001", "schema-violation", Error);
    /// What: an emitted document contains a non-ASCII character.
    ///
    /// Why: the Azure-Sentinel CI rejects non-ASCII YAML files.
    ///
    /// Example: a template that contains `’` in a comment.
    ///
    /// Fix: replace the character in the template or parameter it came from.
    NON_ASCII_OUTPUT = ("OUT002", "non-ascii-output", Error);
}
