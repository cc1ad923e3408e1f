//! What a diagnostic code is, and the macro each stage declares its code
//! family with.
//!
//! A code is a three-letter family (`CNT` content, `TPL` templates, `OUT`
//! emitted documents, `SYN` KQL syntax, `SNT` the linter, `QRY` the query
//! service, ...) and three digits, with a kebab-case name stating the
//! problem. Codes are never reused. `diag` only knows how to carry and
//! render a code; each family is declared next to the stage that emits it,
//! and `crate::codes` collects them for `explain`, SARIF rules and the tests.

use super::Severity;

/// A diagnostic code and its documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Code {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// What / why / example / fix, printed by `explain`.
    pub docs: &'static str,
}

/// Declares one family of codes: a `pub const` per code (its doc comment is
/// its `explain` text) and a table listing them all.
#[macro_export]
macro_rules! code_table {
    (
        $(#[doc = $tdoc:literal])* $vis:vis const $table:ident;
        $( $(#[doc = $doc:literal])* $konst:ident = ($id:literal, $name:literal, $sev:ident); )*
    ) => {
        $(
            $(#[doc = $doc])*
            pub const $konst: $crate::diag::Code = $crate::diag::Code {
                id: $id,
                name: $name,
                severity: $crate::diag::Severity::$sev,
                docs: concat!($($doc, "\n"),*),
            };
        )*
        $(#[doc = $tdoc])*
        $vis const $table: &[$crate::diag::Code] = &[$($konst),*];
    };
}
