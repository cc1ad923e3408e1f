//! SNT017: two Sentinel YAML files share a file name.

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{DocKind, Format};
use crate::lint::engine::as_warning;
use crate::lint::registry::TreeEntry;

crate::lint_code! {
    /// What: two analytic-rule or hunting-query YAML files with the same file
    /// name in different folders (compared case-insensitively). Error when
    /// both are analytic rules, warning otherwise.
    ///
    /// Why: Sentinel CI finds a template by its file name and fails with
    /// "Should not have 2 templates with the same name";
    /// on case-insensitive file systems the two also collide when copied
    /// into one folder.
    ///
    /// Example: `Detections/AWS/NewUser.yaml` and
    /// `Solutions/AWS/Analytic Rules/NewUser.yaml`.
    ///
    /// The same rule (one id, one name) at the same path under one more
    /// folder (an environment's copy) is not a clash.
    ///
    /// Fix: rename one file to describe what it detects.
    CODE = ("SNT017", "duplicate-file-name", Error);
}

pub struct DuplicateFileName;

impl Rule for DuplicateFileName {
    fn code(&self) -> Code {
        CODE
    }
    fn check_tree(&self, tree: &[TreeEntry], out: &mut Vec<Diagnostic>) {
        let mut seen: HashMap<String, Vec<&TreeEntry>> = HashMap::new();
        for e in tree.iter().filter(|e| e.format == Format::Yaml) {
            let earlier = seen.entry(e.file_name.to_ascii_lowercase()).or_default();
            let first = earlier.first().copied();
            // The same rule (one id, one name) rendered for another
            // environment is a copy, not a second template.
            let is_copy = earlier.iter().any(|prev| e.is_copy_of(prev));
            earlier.push(e);
            match first {
                None => {}
                Some(prev) if prev.file == e.file => {}
                Some(_) if is_copy => {}
                Some(prev) => {
                    let d =
                        Diagnostic::new(CODE, format!("file name `{}` is also used by `{}`", e.file_name, prev.path))
                            .with_primary(e.file, e.anchor, "same file name")
                            .with_secondary(prev.file, prev.anchor, "other file")
                            .with_help("Sentinel CI resolves templates by file name; rename one of them");
                    let both_rules = e.kind != DocKind::Hunting && prev.kind != DocKind::Hunting;
                    out.push(if both_rules { d } else { as_warning(d) });
                }
            }
        }
    }
}
