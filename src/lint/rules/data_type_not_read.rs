//! SNT036: every `requiredDataConnectors[].dataTypes` entry is a table the
//! query reads, as the semantic checker resolves them (SNT037 is the converse).

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};
use crate::lint::yaml::Node;

use super::at;

crate::lint_code! {
    /// What: a `requiredDataConnectors` `dataTypes` entry naming a table the
    /// query does not read (compared without case and without a trailing
    /// qualifier such as `CommonSecurityLog (Fortinet)`). Not checked when
    /// the query calls a workspace function (an ASIM parser, `FileProfile`,
    /// a declared function), which reads tables of its own, or when it has
    /// syntax or semantic errors.
    ///
    /// Why: Sentinel reads `dataTypes` to tell users which data the rule needs
    /// and whether it arrives: a type the query does not read makes a rule
    /// look ready (or blocked) for the wrong reason, and often is a leftover
    /// from the rule the query was copied from, or a placeholder.
    ///
    /// Example: `dataTypes: [SigninLogs, AuditLogs]` with a query that reads
    /// `SigninLogs` only, or the placeholder `dataTypes: [YourDataType]`.
    ///
    /// Fix: list the tables the query reads (the help line names them).
    CODE = ("SNT036", "data-type-not-read", Warning);
}

pub struct DataTypeNotRead;

/// A `dataTypes` entry as a table name: `CommonSecurityLog (Fortinet)` → `CommonSecurityLog`.
pub(crate) fn table_of(data_type: &str) -> &str {
    let t = data_type.trim();
    match t.find(" (") {
        Some(i) if t.ends_with(')') => t[..i].trim_end(),
        _ => t,
    }
}

/// Every `dataTypes` entry with its node.
pub(crate) fn data_types<'a>(doc: &Doc<'a>) -> Option<(&'a Node, Vec<(&'a str, &'a Node)>)> {
    let connectors = doc.field(Field::RequiredDataConnectors)?;
    let mut out = Vec::new();
    for c in connectors.as_seq()? {
        for t in c.get("dataTypes").and_then(Node::as_seq).into_iter().flatten() {
            if let Some(text) = t.as_text() {
                out.push((text, t));
            }
        }
    }
    Some((connectors, out))
}

/// The tables read, when the query checks cleanly.
pub(crate) fn tables_read<'d>(doc: &'d Doc) -> Option<&'d crate::check::CheckResult> {
    doc.semantics().filter(|r| !r.has_errors())
}

impl Rule for DataTypeNotRead {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let Some((_, types)) = data_types(doc) else { return };
        if types.is_empty() {
            return;
        }
        let Some(result) = tables_read(doc).filter(|r| !r.calls_workspace_function) else { return };
        for (data_type, node) in types {
            let table = table_of(data_type);
            if result.tables.iter().any(|t| t.eq_ignore_ascii_case(table)) {
                continue;
            }
            let help = if result.tables.is_empty() {
                "the query reads no catalog table".to_string()
            } else {
                format!("the query reads: {}", result.tables.join(", "))
            };
            out.push(
                at(CODE, doc, node, format!("data type `{data_type}` is not a table the query reads"), "not read")
                    .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::table_of;

    #[test]
    fn qualifiers_are_not_part_of_the_table() {
        assert_eq!(table_of("CommonSecurityLog (Fortinet)"), "CommonSecurityLog");
        assert_eq!(table_of(" SigninLogs "), "SigninLogs");
        assert_eq!(table_of("AzureNetworkAnalytics_CL(NSG Flow Logs)"), "AzureNetworkAnalytics_CL(NSG Flow Logs)");
    }
}
