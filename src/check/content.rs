//! Semantic checks of the rendered content queries (`generate`, `validate`):
//! `SEM` errors point at the rendered query, the template line it came from
//! and the item, as the parser's `SYN` errors do.

use std::path::Path;

use super::{Catalog, semantic_diagnostics};
use crate::diag::Severity;
use crate::pipeline::Compiled;

/// Append the `SEM` errors of every rendered query of `compiled` (templates
/// loaded from `templates`). Warnings (deprecated aliases, which some
/// reference queries keep on purpose) are left to `kql check`.
pub fn check_compiled(compiled: &mut Compiled, templates: &Path) {
    let mut found = Vec::new();
    for (item, kql) in compiled.items.iter().zip(&compiled.kql) {
        let Some(kql) = kql else { continue };
        let (diags, _) = semantic_diagnostics(kql.file, &kql.text, Catalog::builtin());
        let template_path = crate::content::display_path(&templates.join(item.model.info().template));
        let template = compiled.sources.find(&template_path);
        for mut d in diags.into_iter().filter(|d| d.code.severity == Severity::Error) {
            if let (Some(t), Some(primary)) = (template, &d.primary) {
                let range =
                    crate::pipeline::template_line_of(&compiled.sources.get(t).text, &kql.text, primary.range.start);
                d = d.with_secondary(t, range, "rendered from this template line");
            }
            found.push(d.with_secondary(item.file, item.id.range, "in the query of this item"));
        }
    }
    compiled.diagnostics.extend(found);
    crate::diag::sort_and_dedup(&mut compiled.diagnostics);
}
