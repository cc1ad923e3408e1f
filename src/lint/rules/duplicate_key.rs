//! SNT002: a key appears twice in one mapping (reported by the YAML front end).

use crate::diag::Code;
use crate::lint::Rule;

crate::lint_code! {
    /// What: the same key twice in one YAML mapping.
    ///
    /// Why: js-yaml `safeLoad` rejects the
    /// file, while YamlDotNet and most other loaders silently keep one of the
    /// values, so the rule that runs is not the one reviewed.
    ///
    /// Example: two `query:` keys after a merge conflict was resolved badly.
    ///
    /// Fix: delete the stale key; the secondary label shows the first one.
    CODE = ("SNT002", "duplicate-key", Error);
}

/// Reported by the front end (`lint::yaml`), not by a check hook.
pub struct DuplicateKey;

impl Rule for DuplicateKey {
    fn code(&self) -> Code {
        CODE
    }
}
