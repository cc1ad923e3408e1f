//! SNT015: two documents share an `id` (S-11, extended to the whole tree).

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::registry::TreeEntry;

crate::lint_code! {
    /// What: two analytic rules or hunting queries in the linted tree with
    /// the same `id` (compared case-insensitively; ARM resources use the GUID
    /// in their name).
    ///
    /// Why: CI rejects two analytic rules with one id;
    /// in a workspace the second deployment silently overwrites the first.
    /// Copy-pasting a rule to start a new one is the usual cause.
    ///
    /// Example: `Detections/A.yaml` and `Solutions/X/Analytic Rules/B.yaml`
    /// both with `id: 0b5a1c2e-93f4-4e0b-9d0a-2b3c4d5e6f70`.
    ///
    /// The same rule in several forms is not a duplicate: one id *and* one
    /// name in another format (a YAML file and its ARM template, the combined
    /// `azuredeploy.json`) or at the same path under one more folder (an
    /// environment's copy, `generated/dev/yaml/x.yaml`).
    ///
    /// Fix: give the newer file a fresh GUID.
    CODE = ("SNT015", "duplicate-template-id", Error);
}

pub struct DuplicateTemplateId;

impl Rule for DuplicateTemplateId {
    fn code(&self) -> Code {
        CODE
    }
    fn check_tree(&self, tree: &[TreeEntry], out: &mut Vec<Diagnostic>) {
        let mut seen: HashMap<String, Vec<&TreeEntry>> = HashMap::new();
        for e in tree {
            let Some((id, range)) = &e.id else { continue };
            let key = id.trim().trim_matches(|c| c == '{' || c == '}').to_ascii_lowercase();
            if key.is_empty() {
                continue;
            }
            let earlier = seen.entry(key).or_default();
            let first = earlier.first().copied();
            // One rule in another form (YAML and ARM, an environment's copy).
            let is_copy = earlier.iter().any(|prev| e.is_copy_of(prev));
            earlier.push(e);
            match first {
                None => {}
                Some(_) if is_copy => {}
                Some(prev) => {
                    let (_, prev_range) = prev.id.as_ref().expect("entries in the map have ids");
                    out.push(
                        Diagnostic::new(CODE, format!("id `{id}` is also used by `{}`", prev.path))
                            .with_primary(e.file, *range, "duplicate id")
                            .with_secondary(prev.file, *prev_range, "first used here")
                            .with_help("give one of them a fresh GUID (`uuidgen | tr A-Z a-z`)"),
                    );
                }
            }
        }
    }
}
