//! Semantic checks of the rendered content queries (`generate`, `validate`):
//! `SEM` errors point at the rendered query, the template line it came from
//! and the item, as the parser's `SYN` errors do.

use std::path::Path;

use super::{Catalog, SemanticErrorCode, semantic_diagnostics};
use crate::content::item::Item;
use crate::diag::{Diagnostic, Severity};
use crate::pipeline::Compiled;

/// The query columns an item's Sentinel settings refer to, each with what refers to it.
fn mapped_columns(item: &Item) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if item.rule.is_none() {
        return out;
    }
    for e in &item.entities {
        for (identifier, column) in &e.fields {
            out.push((format!("entity mapping `{}.{identifier}`", e.entity_type), column.clone()));
        }
    }
    if let Some(rule) = &item.rule {
        for (key, column) in &rule.custom_details {
            out.push((format!("custom detail `{key}`"), column.clone()));
        }
        if let Some(a) = &rule.alert_details {
            for (label, column) in [("tactics", &a.tactics_column), ("severity", &a.severity_column)] {
                if let Some(c) = column {
                    out.push((format!("alert detail override `{label}`"), c.clone()));
                }
            }
            for (key, column) in &a.dynamic_properties {
                out.push((format!("alert detail override `{key}`"), column.clone()));
            }
        }
    }
    out
}

/// Append the `SEM` errors of every rendered query of `compiled` (templates
/// loaded from `templates`), checked against the built-in catalog and the
/// `[catalog]` section of the project file `config` (when it exists; its
/// problems are reported too). Warnings (deprecated aliases, which some
/// reference queries keep on purpose) are left to `kql check`.
pub fn check_compiled(compiled: &mut Compiled, templates: &Path, config: &Path) {
    let (declared, config_diags) = super::load_project_catalog(config, &mut compiled.sources);
    compiled.diagnostics.extend(config_diags);
    let catalog = declared.as_ref().unwrap_or(Catalog::builtin());
    let mut found = Vec::new();
    for (item, kql) in compiled.items.iter().zip(&compiled.kql) {
        let Some(kql) = kql else { continue };
        let (diags, result) = semantic_diagnostics(kql.file, &kql.text, catalog);
        if let Some(columns) = result.and_then(|r| r.output_columns) {
            for (what, column) in mapped_columns(item) {
                if !columns.iter().any(|(n, _)| *n == column) {
                    let help = super::suggest::closest(&column, columns.iter().map(|(n, _)| n.as_str())).map_or_else(
                        || "output it from the query, or map a column it has (`kql schema` lists them)".to_string(),
                        |s| format!("did you mean `{s}`?"),
                    );
                    found.push(
                        Diagnostic::new(
                            SemanticErrorCode::MappedColumnMissing.info(),
                            format!("{what} uses column `{column}`, which the query does not output"),
                        )
                        .with_primary(item.file, item.id.range, "in this item")
                        .with_help(help),
                    );
                }
            }
        }
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
