//! SNT035: entity mappings and custom details must name columns the query
//! outputs, as the semantic checker computes them.

use crate::check::{Catalog, check};
use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};
use crate::lint::yaml::Node;

use super::{at, for_kind};

crate::lint_code! {
    /// What: an `entityMappings` `columnName` or a `customDetails` value that
    /// is not a column of the query's output (the columns after its last
    /// operator, computed with the table catalog and Kusto's naming rules).
    /// Checked only where the output is fully known; after `evaluate
    /// bag_unpack`, `union *` or an unknown function it is not guessed.
    /// Warning on hunting queries.
    ///
    /// Why: Sentinel accepts the rule, but the entity is never created or the
    /// detail stays empty: incidents silently lose the account or host they
    /// are about.
    ///
    /// Example: `columnName: AccountCustomEntity` when the query ends with
    /// `| project Caller, CallerIpAddress`.
    ///
    /// Fix: map a column the query outputs (the help line names the closest),
    /// or add it (`| extend AccountCustomEntity = Caller`); `sentinel-forge kql
    /// schema` prints the output columns.
    CODE = ("SNT035", "mapped-column-not-in-output", Error);
}

pub struct MappedColumnNotInOutput;

/// The columns a mapping names, with their nodes.
fn mapped_columns<'a>(doc: &Doc<'a>) -> Vec<(&'a str, &'a Node)> {
    let mut out = Vec::new();
    if let Some(list) = doc.field(Field::EntityMappings).and_then(Node::as_seq) {
        for m in list {
            for f in m.get("fieldMappings").and_then(Node::as_seq).into_iter().flatten() {
                if let Some(node) = f.get("columnName")
                    && let Some(text) = node.as_text()
                {
                    out.push((text, node));
                }
            }
        }
    }
    if let Some(map) = doc.field(Field::CustomDetails).and_then(Node::as_map) {
        for (_, value) in map {
            if let Some(text) = value.as_text() {
                out.push((text, value));
            }
        }
    }
    out
}

impl Rule for MappedColumnNotInOutput {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let mapped = mapped_columns(doc);
        if mapped.is_empty() {
            return;
        }
        let Some((query, _)) = doc.text_field(Field::Query) else { return };
        let parsed = crate::kql::parse(query);
        if parsed.has_errors() {
            return; // SNT034 reports it; the output of a broken query is not known.
        }
        let result = check(&parsed.query, Catalog::builtin());
        if !result.diagnostics.is_empty() {
            return; // the output of a query with semantic errors is a guess
        }
        let Some(columns) = result.output_columns else { return };
        let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
        for (column, node) in mapped {
            if names.contains(&column) {
                continue;
            }
            let closest = names
                .iter()
                .map(|n| (strsim::jaro_winkler(&column.to_lowercase(), &n.to_lowercase()), *n))
                .filter(|(score, _)| *score > 0.85)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, n)| n);
            let help = match closest {
                Some(n) => format!("did you mean `{n}`? the query outputs: {}", names.join(", ")),
                None => format!("the query outputs: {}", names.join(", ")),
            };
            let d =
                at(CODE, doc, node, format!("`{column}` is not a column of the query's output"), "not in the output")
                    .with_help(help);
            out.push(for_kind(d, doc));
        }
    }
}
