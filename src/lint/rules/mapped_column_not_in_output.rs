//! SNT035: entity mappings, custom details and alert details overrides must
//! name columns the query outputs, as the semantic checker computes them.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};
use crate::lint::yaml::Node;

use super::{at, for_kind};

crate::lint_code! {
    /// What: an `entityMappings` `columnName`, a `customDetails` value or an
    /// `alertDetailsOverride` column (`alertSeverityColumnName`,
    /// `alertTacticsColumnName`, `alertDynamicProperties` values, the
    /// `{{Column}}` placeholders of the name and description formats) that
    /// is not a column of the query's output (the columns after its last
    /// operator, computed with the table catalog and Kusto's naming rules).
    /// Checked only where the output is fully known; after `evaluate
    /// bag_unpack`, `union *` or an unknown function it is not guessed.
    /// Warning on hunting queries.
    ///
    /// Why: Sentinel accepts the rule, but the entity is never created, the
    /// detail stays empty or the override falls back to the rule's default:
    /// incidents silently lose the account or host they are about.
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
    if let Some(o) = doc.field(Field::AlertDetailsOverride) {
        for key in ["alertSeverityColumnName", "alertTacticsColumnName"] {
            if let Some(node) = o.get(key)
                && let Some(text) = node.as_text().filter(|t| !t.trim().is_empty())
            {
                out.push((text, node));
            }
        }
        for key in ["alertDisplayNameFormat", "alertDescriptionFormat"] {
            if let Some(node) = o.get(key)
                && let Some(text) = node.as_text()
            {
                out.extend(placeholder_columns(text).into_iter().map(|c| (c, node)));
            }
        }
        for p in o.get("alertDynamicProperties").and_then(Node::as_seq).into_iter().flatten() {
            if let Some(node) = p.get("value")
                && let Some(text) = node.as_text()
            {
                out.push((text, node));
            }
        }
    }
    out
}

/// The column names of a format's `{{Column}}` placeholders (as Sentinel
/// reads them: the text between `{{` and `}}` holding no brace).
fn placeholder_columns(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        match after.find(['{', '}']) {
            Some(j) if after[j..].starts_with("}}") => {
                let name = after[..j].trim();
                if !name.is_empty() {
                    out.push(name);
                }
                rest = &after[j + 2..];
            }
            Some(j) => rest = &after[j..],
            None => break,
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
        // SNT034 reports a broken query; the output of a query with semantic errors is a guess.
        let Some(result) = doc.semantics().filter(|r| r.diagnostics.is_empty()) else { return };
        let Some(columns) = &result.output_columns else { return };
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

#[cfg(test)]
mod tests {
    use super::placeholder_columns;

    #[test]
    fn placeholders_name_columns() {
        assert_eq!(placeholder_columns("Run Command by {{Caller}} on {{ Resource }}"), ["Caller", "Resource"]);
        assert!(placeholder_columns("{{A{B}} {{}} x").is_empty(), "as the regex `{{{{([^{{}}]*)}}}}` reads it");
        assert!(placeholder_columns("no placeholder {single}").is_empty());
    }
}
