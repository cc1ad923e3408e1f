//! SNT018: customDetails limits.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};

use super::at;
use crate::sentinel::limits;

crate::lint_code! {
    /// What: `customDetails` with more than 20 entries, a key longer than 20
    /// characters or not matching `^[a-zA-Z]+\w*$`, or a value (a query
    /// column) longer than 500 characters or not matching `^[a-zA-Z_]+\w*$`,
    /// or a value that is not a plain string.
    ///
    /// Why: CI's model enforces these limits and the
    /// service rejects the rule.
    ///
    /// Example: `customDetails: {Caller IP: CallerIpAddress}` (space in key).
    ///
    /// Fix: `customDetails: {CallerIP: CallerIpAddress}`.
    CODE = ("SNT018", "invalid-custom-details", Error);
}

pub struct InvalidCustomDetails;

impl Rule for InvalidCustomDetails {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if !doc.kind.is_rule() {
            return;
        }
        let Some(cd) = doc.field(Field::CustomDetails) else { return };
        if cd.is_null() {
            return;
        }
        let Some(entries) = cd.as_map() else {
            out.push(at(
                CODE,
                doc,
                cd,
                format!("`customDetails` is a {}, expected a mapping", cd.type_name()),
                "expected `Key: Column` pairs",
            ));
            return;
        };
        if entries.len() > limits::CUSTOM_DETAILS_MAX {
            out.push(at(
                CODE,
                doc,
                cd,
                format!("{} custom details, above the limit of 20", entries.len()),
                "too many entries",
            ));
        }
        for (k, v) in entries {
            let key = k.as_str().unwrap_or("");
            if !limits::is_custom_detail_key(key) {
                out.push(
                    at(
                        CODE,
                        doc,
                        k,
                        format!("custom detail key `{key}` is invalid"),
                        "1-20 characters, a letter then letters, digits or `_`",
                    )
                    .with_help("keys must match `^[a-zA-Z]+\\w*$` and be at most 20 characters"),
                );
            }
            match v.as_text() {
                Some(col) if limits::is_column_name(col) => {}
                Some(col) => out.push(at(
                    CODE,
                    doc,
                    v,
                    format!("custom detail value `{col}` is not a column name"),
                    "expected a query column",
                )),
                None => out.push(at(
                    CODE,
                    doc,
                    v,
                    format!("custom detail `{key}` has a {} value", v.type_name()),
                    "expected a column name",
                )),
            }
        }
    }
}
