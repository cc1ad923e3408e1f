//! The Sentinel content linter behind `validate PATH…`.
//!
//! ```text
//! files ─▶ read (size cap, UTF-8) ─▶ yaml::parse (spanned tree, strict) ─▶ document::classify
//!       ─▶ per-file rules ─▶ per-document rules ─▶ whole-tree rules ─▶ select/ignore ─▶ Vec<Diagnostic>
//! ```
//!
//! Files are recognised by content: a YAML mapping with a `query` is an
//! analytic rule (with `kind`/scheduling keys) or a hunting query; a JSON or
//! YAML ARM template contributes its `alertRules`, `AlertRuleTemplates` and
//! hunting `savedSearches` resources. Anything else is skipped. Every rule
//! lives in its own file under [`rules`], listed once in [`registry::RULES`].

pub mod config;
pub mod document;
pub mod engine;
pub mod registry;
pub mod rules;
pub mod yaml;

use crate::diag::Code;

pub use config::{LintConfig, Selection};
pub use engine::{LintOptions, LintReport, lint_paths};
pub use registry::{RULES, Rule};

/// Define a rule's [`Code`] from its doc comment (What / Why / Example / Fix),
/// which `explain CODE` prints.
#[macro_export]
#[doc(hidden)]
macro_rules! lint_code {
    ($( #[doc = $doc:literal] )* $konst:ident = ($id:literal, $name:literal, $sev:ident);) => {
        $( #[doc = $doc] )*
        pub const $konst: $crate::diag::Code = $crate::diag::Code {
            id: $id,
            name: $name,
            severity: $crate::diag::Severity::$sev,
            docs: concat!($($doc, "\n"),*),
        };
    };
}

/// Every `SNT` code, in registry order (for `explain` and SARIF rule metadata).
pub fn codes() -> Vec<Code> {
    RULES.iter().map(|r| r.code()).collect()
}
