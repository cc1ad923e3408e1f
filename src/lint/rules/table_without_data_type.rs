//! SNT037: every table the query reads is listed in a
//! `requiredDataConnectors[].dataTypes` entry (SNT036 is the converse).

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::Doc;

use super::at;
use super::data_type_not_read::{data_types, table_of, tables_read};

crate::lint_code! {
    /// What: a table the query reads that no `requiredDataConnectors`
    /// `dataTypes` entry lists, in a document that declares at least one
    /// data type (an empty `requiredDataConnectors: []` is how repository
    /// content says "no requirement" and is not reported).
    ///
    /// Why: Sentinel checks the listed data types to say whether the rule's
    /// data is connected; a table left out is data the rule silently goes
    /// without: the rule runs, finds nothing and looks healthy.
    ///
    /// Example: a query that unions `SigninLogs` and
    /// `AADNonInteractiveUserSignInLogs` while `dataTypes` lists `SigninLogs` only.
    ///
    /// Fix: add the table to the `dataTypes` of the connector that brings it
    /// (for Entra ID sign-ins, `AzureActiveDirectory`).
    CODE = ("SNT037", "table-without-data-type", Warning);
}

pub struct TableWithoutDataType;

impl Rule for TableWithoutDataType {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let Some((connectors, types)) = data_types(doc) else { return };
        if types.is_empty() {
            return;
        }
        let Some(result) = tables_read(doc) else { return };
        for table in &result.tables {
            if types.iter().any(|(t, _)| table_of(t).eq_ignore_ascii_case(table)) {
                continue;
            }
            out.push(
                at(
                    CODE,
                    doc,
                    connectors,
                    format!("the query reads `{table}`, which no `dataTypes` entry lists"),
                    "no connector lists it",
                )
                .with_help(format!("add `{table}` to the `dataTypes` of the connector that brings it")),
            );
        }
    }
}
