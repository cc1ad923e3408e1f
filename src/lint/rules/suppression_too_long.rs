//! SNT029: `suppressionDuration` above 24 hours or malformed.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};

use super::{at, fmt_duration, parse_iso_duration, parse_yaml_duration};

crate::lint_code! {
    /// What: an analytic rule whose `suppressionDuration` is longer than 24
    /// hours or not a duration (ISO-8601 in ARM; ISO-8601 or `<n>m|h|d` in
    /// YAML, where the key is optional).
    ///
    /// Why: the service caps suppression ("stop running query after alert is
    /// generated") at 24 hours and rejects the deployment.
    ///
    /// Example: `"suppressionDuration": "P2D"`.
    ///
    /// Fix: at most `PT24H`; for longer quiet periods tune the query instead.
    CODE = ("SNT029", "suppression-too-long", Error);
}

pub struct SuppressionTooLong;

impl Rule for SuppressionTooLong {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if !doc.kind.is_rule() {
            return;
        }
        let Some((text, node)) = doc.text_field(Field::SuppressionDuration) else { return };
        let parsed = parse_iso_duration(text).or_else(|| if doc.is_yaml() { parse_yaml_duration(text) } else { None });
        match parsed {
            None => out.push(at(
                CODE,
                doc,
                node,
                format!("`suppressionDuration` `{text}` is not a duration"),
                "expected e.g. `PT1H`",
            )),
            Some(s) if s > 86_400 => out.push(
                at(
                    CODE,
                    doc,
                    node,
                    format!("`suppressionDuration` is {}, above 24h", fmt_duration(s)),
                    "at most 24 hours",
                )
                .with_help("Sentinel suppresses a rule for at most 24 hours (`PT24H`)"),
            ),
            Some(_) => {}
        }
    }
}
