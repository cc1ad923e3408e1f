//! SNT001: the file does not load as YAML (reported by the YAML front end).

use crate::diag::Code;
use crate::lint::Rule;

crate::lint_code! {
    /// What: a rule, hunting query or ARM file that a strict YAML loader
    /// rejects: a syntax error, more than one document, a non-core tag
    /// (`!!python/object`), text that is not UTF-8, nesting deeper than 64
    /// levels or more than 200,000 nodes.
    ///
    /// Why: Sentinel CI loads every changed file with js-yaml `safeLoad`
    /// and binds it to the template model; a file
    /// that does not load cannot be imported or deployed.
    ///
    /// Example: `query: |` followed by a line indented less than the block, or
    /// `tactics: [Execution` without the closing bracket.
    ///
    /// Fix: correct the syntax at the position shown; keep one document per
    /// file, save as UTF-8 and drop application tags.
    CODE = ("SNT001", "invalid-yaml", Error);
}

/// Reported by the front end (`lint::yaml`), not by a check hook.
pub struct InvalidYaml;

impl Rule for InvalidYaml {
    fn code(&self) -> Code {
        CODE
    }
}
