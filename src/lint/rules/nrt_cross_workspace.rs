//! SNT031: an NRT query that reads other workspaces or apps.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, DocKind, Field};
use crate::span::TextRange;

use super::{find_word, scrub_kql};

crate::lint_code! {
    /// What: an NRT rule whose query calls `workspace(…)`, `app(…)` or
    /// `resource(…)` (outside comments and strings).
    ///
    /// Why: near-real-time rules are single-workspace; the service refuses cross-resource queries
    /// for NRT.
    ///
    /// Example: `union SigninLogs, workspace('soc-eu').SigninLogs`.
    ///
    /// Fix: deploy one NRT rule per workspace, or use a Scheduled rule.
    CODE = ("SNT031", "nrt-cross-workspace", Error);
}

pub struct NrtCrossWorkspace;

impl Rule for NrtCrossWorkspace {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if doc.kind != DocKind::Nrt {
            return;
        }
        let Some(node) = doc.field(Field::Query) else { return };
        let Some(query) = node.as_str() else { return };
        let scrubbed = scrub_kql(query);
        for func in ["workspace", "app", "resource"] {
            for i in find_word(&scrubbed, func) {
                if scrubbed[i + func.len()..].trim_start().starts_with('(') {
                    let range = crate::lint::rules::unmapped_legacy_entity_column::locate(
                        doc.text,
                        node.range,
                        &format!("{func}("),
                    )
                    .unwrap_or(TextRange::new(node.range.start, node.range.end));
                    out.push(
                        Diagnostic::new(CODE, format!("NRT query calls `{func}()`"))
                            .with_primary(doc.file, range, "cross-resource query")
                            .with_help(
                                "NRT rules query a single workspace; use a Scheduled rule for cross-workspace logic",
                            ),
                    );
                    return;
                }
            }
        }
    }
}
