//! SNT021: alertDetailsOverride limits.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};
use crate::lint::yaml::Kind;

use super::at;

crate::lint_code! {
    /// What: an `alertDetailsOverride` whose `alertDisplayNameFormat` is empty,
    /// longer than 256 characters or has more than 3 `{{Column}}`
    /// placeholders, or whose `alertDescriptionFormat` is empty, longer than
    /// 5000 characters or has more than 3 placeholders; or a column-name field
    /// (`alertTacticsColumnName`, `alertSeverityColumnName`) that is not a
    /// string.
    ///
    /// Why: CI's `AlertDetailsOverride` model; the
    /// service rejects more than 3 dynamic parameters per format.
    ///
    /// Example: `alertDisplayNameFormat: "{{A}} {{B}} {{C}} {{D}}"`.
    ///
    /// Fix: keep at most three placeholders; move the rest to custom details.
    CODE = ("SNT021", "invalid-alert-details-override", Error);
}

pub struct InvalidAlertDetailsOverride;

impl Rule for InvalidAlertDetailsOverride {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if !doc.kind.is_rule() {
            return;
        }
        let Some(ado) = doc.field(Field::AlertDetailsOverride) else { return };
        if ado.as_map().is_none() {
            if !ado.is_null() {
                out.push(at(CODE, doc, ado, "`alertDetailsOverride` is not a mapping", "expected a mapping"));
            }
            return;
        }
        for (key, max) in [("alertDisplayNameFormat", 256), ("alertDescriptionFormat", 5000)] {
            // `null` is "not set" to CI's binder, like an absent key.
            let Some(node) = ado.get(key).filter(|n| !n.is_null()) else { continue };
            if matches!(node.kind, Kind::Map(_) | Kind::Seq(_)) {
                // `alertDisplayNameFormat: {{Title}}` is a YAML flow mapping, not text.
                out.push(
                    at(
                        CODE,
                        doc,
                        node,
                        format!("`{key}` is a YAML {}, not text", node.type_name()),
                        "unquoted `{{…}}` is a flow mapping",
                    )
                    .with_help(format!(
                        "quote the value: `{key}: '{}'`",
                        doc.text.get(node.range.as_usize_range()).unwrap_or("…").trim()
                    )),
                );
                continue;
            }
            let text = node.as_text().unwrap_or("");
            let n = text.chars().count();
            if text.trim().is_empty() {
                out.push(at(CODE, doc, node, format!("`{key}` is empty"), "must not be empty"));
            } else if n > max {
                out.push(at(CODE, doc, node, format!("`{key}` is {n} characters, above {max}"), "too long"));
            }
            let p = crate::sentinel::limits::placeholders(text);
            if p > 3 {
                out.push(at(
                    CODE,
                    doc,
                    node,
                    format!("`{key}` has {p} placeholders, at most 3 are allowed"),
                    "too many `{{…}}` placeholders",
                ));
            }
        }
        for key in ["alertTacticsColumnName", "alertSeverityColumnName"] {
            if let Some(node) = ado.get(key).filter(|n| !n.is_null())
                && node.as_str().is_none()
            {
                out.push(at(
                    CODE,
                    doc,
                    node,
                    format!("`{key}` is a {}, expected a column name", node.type_name()),
                    "expected a string",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::engine::{LintOptions, lint_text};

    /// The rule's findings for a passing rule whose display-name format is `format`.
    fn findings(format: &str) -> Vec<String> {
        let base = include_str!("../../../tests/fixtures/lint/SNT021/pass/Rule.yaml");
        let line = "  alertDisplayNameFormat: Run Command by {{Caller}}";
        assert!(base.contains(line), "the fixture changed");
        let text = base.replace(line, &format!("  alertDisplayNameFormat: '{format}'"));
        let report = lint_text("Rule.yaml", &text, &LintOptions::default());
        assert_eq!(report.documents, 1);
        report.diagnostics.iter().filter(|d| d.code == super::CODE).map(|d| d.message.clone()).collect()
    }

    #[test]
    fn counts_placeholders() {
        assert_eq!(findings("{{A}} x {{B}}{{C}}"), Vec::<String>::new(), "three are allowed");
        assert_eq!(
            findings("{{A}} x {{B}}{{C}} {{D}}"),
            ["`alertDisplayNameFormat` has 4 placeholders, at most 3 are allowed"]
        );
        // `{{A{B}}` is one placeholder and `{{}}` none, so these are three.
        assert_eq!(findings("{{A{B}} {{}} {{C}} {{D}}"), Vec::<String>::new());
        assert_eq!(findings("{{A{B}} {{}} {{C}} {{D}} {{E}}").len(), 1);
    }
}
